//! The study: clustering in latent spaces judged back in pixel space, across models × methods
//! × seeds, and the grid search over the index parameters.

pub mod latent;

pub use latent::{
    decode_centroids, default_models_dir, encode_normalised, evaluate_two_spaces, resolve_model,
    LatentCodes, TwoSpaceEvaluation,
};
