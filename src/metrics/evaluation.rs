//! Evaluating one labelling in one space. The same function serves the latent space (with the
//! latent centroids) and latent→initial (pixel rows, labels from the latent clustering, the
//! decoded centroids): SPEC §4.

use ndarray::ArrayView2;
use serde::Serialize;

use super::error::MetricsError;
use super::objective::{cluster_means, objective};
use super::silhouette::{silhouettes, Definition, Silhouette};

/// Silhouettes and objectives of a labelling in one space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpaceEvaluation {
    pub silhouette_standard: Option<Silhouette>,
    pub silhouette_compat: Option<Silhouette>,
    /// `Σ |x − c|²` with the given centroids (latent centroids, or decoded ones in pixel space).
    pub objective_centroids: Option<f64>,
    /// `Σ |x − mean|²` with each cluster's mean in this space: the partition's own quality.
    pub objective_means: f64,
}

/// Evaluates `labels` on the rows of `x`. `centroids`, when given, are the centres the
/// clustering proposes in this space (used by the compat silhouette and the first objective).
pub fn evaluate_space(
    x: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
    centroids: Option<ArrayView2<f32>>,
    definitions: &[Definition],
) -> Result<SpaceEvaluation, MetricsError> {
    let (means, _) = cluster_means(x, labels, k)?;
    let objective_means = objective(x, labels, means.view())?;
    let objective_centroids = centroids.map(|c| objective(x, labels, c)).transpose()?;
    let mut standard = None;
    let mut compat = None;
    if !definitions.is_empty() {
        for s in silhouettes(x, labels, k, centroids, definitions)? {
            match s.definition {
                Definition::Standard => standard = Some(s),
                Definition::Compat => compat = Some(s),
            }
        }
    }
    Ok(SpaceEvaluation {
        silhouette_standard: standard,
        silhouette_compat: compat,
        objective_centroids,
        objective_means,
    })
}
