//! linfa-clustering's KMeans as the reference, run on the same data and seed and reported in
//! the same [`Clustering`] type. linfa does not expose its iteration count, so that stays
//! `None`; its labels are linfa's own prediction from its final centroids. linfa has only the
//! D²-weighted k-means++, so the `compat` seeding falls back to it for this method.

use std::time::Instant;

use linfa::prelude::*;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::ArrayView2;

use super::error::KMeansError;
use super::params::{KMeansParams, Seeding};
use super::result::{cluster_sizes, Clustering, PhaseTimes};
use crate::metrics::objective;
use crate::util::seeded_rng;

/// Runs linfa's KMeans (one run, k-means++ or the given centres).
pub fn fit_linfa(params: &KMeansParams, x: ArrayView2<f32>) -> Result<Clustering, KMeansError> {
    let start = Instant::now();
    let init = match &params.seeding {
        Seeding::Precomputed(c) => KMeansInit::Precomputed(c.clone()),
        Seeding::KMeansPlusPlus | Seeding::KMeansPlusPlusCompat => KMeansInit::KMeansPlusPlus,
    };
    let records = x.to_owned();
    let dataset = DatasetBase::from(records);
    let model = KMeans::params_with_rng(params.k, seeded_rng(params.seed))
        .n_runs(1)
        .max_n_iterations(params.max_iter as u64)
        .tolerance(params.tol as f32)
        .init_method(init)
        .fit(&dataset)
        .map_err(|e| KMeansError::Linfa(e.to_string()))?;
    let labels: Vec<usize> = model.predict(dataset.records()).to_vec();
    let centroids = model.centroids().clone();
    let total_s = start.elapsed().as_secs_f64();
    let objective =
        objective(x, &labels, centroids.view()).map_err(|e| KMeansError::Linfa(e.to_string()))?;
    Ok(Clustering {
        method: "linfa".into(),
        k: params.k,
        sizes: cluster_sizes(&labels, params.k),
        labels,
        centroids,
        iterations: None,
        converged: None,
        objective,
        objective_history: vec![],
        timings: PhaseTimes {
            total_s,
            ..PhaseTimes::default()
        },
        reverse: None,
    })
}
