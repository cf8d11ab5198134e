//! The study: clustering in latent spaces judged back in pixel space, across models × methods
//! × seeds, the results tables, and the grid search over the index parameters.

pub mod grid;
pub mod latent;
pub mod output;
pub mod results;
pub mod study;

pub use latent::{
    decode_centroids, default_models_dir, encode_normalised, evaluate_two_spaces, resolve_model,
    LatentCodes, TwoSpaceEvaluation,
};
pub use results::{aggregate, aggregate_frame, best_worst, compare_with_original, runs_frame};
pub use study::{
    encode_models, jobs, run_job, run_study, EncodedModel, Job, RunRecord, StudyConfig,
};
