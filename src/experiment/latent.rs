//! One clustering judged in both spaces: encode the pixels, normalise the codes (SPEC §1),
//! cluster in latent space, de-normalise and decode the centroids, then evaluate in latent
//! space and latent→initial (pixel rows, the latent labels, the decoded centroids).

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::autoencoder::{Autoencoder, LatentNormaliser};
use crate::kmeans::Clustering;
use crate::metrics::{evaluate_space, external_against, Definition, External, SpaceEvaluation};
use crate::Error;

/// Normalised latent codes of a dataset, with the transform that produced them.
#[derive(Debug, Clone)]
pub struct LatentCodes {
    /// `n × latent_dim`, globally min–max normalised into [0, 1].
    pub codes: Array2<f32>,
    pub normaliser: LatentNormaliser,
}

/// Encodes `pixels` and normalises the codes.
pub fn encode_normalised(
    model: &Autoencoder,
    pixels: ArrayView2<f32>,
) -> Result<LatentCodes, Error> {
    let raw = model.encode(pixels)?;
    let normaliser = LatentNormaliser::fit(&raw);
    Ok(LatentCodes {
        codes: normaliser.normalise(&raw),
        normaliser,
    })
}

/// Decoded images of normalised latent centroids (de-normalised first).
pub fn decode_centroids(
    model: &Autoencoder,
    codes: &LatentCodes,
    centroids: &Array2<f32>,
) -> Result<Array2<f32>, Error> {
    Ok(model.decode(codes.normaliser.denormalise(centroids).view())?)
}

/// The evaluation of a latent clustering in both spaces.
#[derive(Debug, Clone, Serialize)]
pub struct TwoSpaceEvaluation {
    pub latent: SpaceEvaluation,
    /// Latent → initial: pixel distances, decoded centroids.
    pub initial: SpaceEvaluation,
    pub external: Option<External>,
    #[serde(skip)]
    pub decoded_centroids: Array2<f32>,
}

/// Evaluates a clustering of `codes` in latent space and latent→initial.
pub fn evaluate_two_spaces(
    model: &Autoencoder,
    codes: &LatentCodes,
    pixels: ArrayView2<f32>,
    truth: Option<&[u8]>,
    clustering: &Clustering,
    definitions: &[Definition],
) -> Result<TwoSpaceEvaluation, Error> {
    let k = clustering.k;
    let latent = evaluate_space(
        codes.codes.view(),
        &clustering.labels,
        k,
        Some(clustering.centroids.view()),
        definitions,
    )?;
    let decoded = decode_centroids(model, codes, &clustering.centroids)?;
    let initial = evaluate_space(
        pixels,
        &clustering.labels,
        k,
        Some(decoded.view()),
        definitions,
    )?;
    let external = external_against(truth, &clustering.labels)?;
    Ok(TwoSpaceEvaluation {
        latent,
        initial,
        external,
        decoded_centroids: decoded,
    })
}

/// The default model folder: `./models` when it exists, else the crate's own `models/`.
pub fn default_models_dir() -> std::path::PathBuf {
    let local = std::path::PathBuf::from("models");
    if local.is_dir() {
        local
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
    }
}

/// A model given by path, or by name under the default model folder.
pub fn resolve_model(name_or_path: &std::path::Path) -> std::path::PathBuf {
    if name_or_path.is_dir() {
        name_or_path.to_path_buf()
    } else {
        default_models_dir().join(name_or_path)
    }
}
