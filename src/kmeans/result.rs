//! The result of any K-Means run, whatever the assignment method.

use ndarray::Array2;
use serde::Serialize;

/// Wall time per phase, in seconds. linfa reports only its total, so its phases are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PhaseTimes {
    pub seeding_s: Option<f64>,
    pub index_build_s: Option<f64>,
    pub assignment_s: Option<f64>,
    pub update_s: Option<f64>,
    pub total_s: f64,
}

/// What reverse assignment did, summed over all iterations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReverseStats {
    /// Point assignments made by a range query.
    pub range_assigned: u64,
    /// Point assignments left to brute force (never reached by any ball).
    pub brute_assigned: u64,
    /// Range queries issued.
    pub range_queries: u64,
    /// Candidates the index examined over all queries.
    pub candidates_examined: u64,
    /// The radii used, one list per iteration.
    pub radii: Vec<Vec<f32>>,
}

impl ReverseStats {
    /// Fraction of assignments made by range search (the rest went to brute force).
    pub fn range_fraction(&self) -> f64 {
        let total = self.range_assigned + self.brute_assigned;
        if total == 0 {
            0.0
        } else {
            self.range_assigned as f64 / total as f64
        }
    }
}

/// A clustering: every point in exactly one of `k` clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clustering {
    /// `classic`, `lsh`, `cube` or `linfa`.
    pub method: String,
    pub k: usize,
    /// Cluster of every point, in data order, each in `0..k`.
    pub labels: Vec<usize>,
    /// `k × d`; each centroid is the mean of its members (kept as is for an empty cluster).
    pub centroids: Array2<f32>,
    /// Lloyd iterations run (`None` where the implementation does not report it: linfa).
    pub iterations: Option<usize>,
    pub converged: Option<bool>,
    /// `Σ |x − c(x)|²` with the final centroids.
    pub objective: f64,
    /// The objective after each assignment step.
    pub objective_history: Vec<f64>,
    pub sizes: Vec<usize>,
    pub timings: PhaseTimes,
    /// Present for LSH and CUBE.
    pub reverse: Option<ReverseStats>,
}

/// The scalar summary of a clustering (no per-point arrays), for `--json` and tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusteringSummary {
    pub method: String,
    pub k: usize,
    pub iterations: Option<usize>,
    pub converged: Option<bool>,
    pub objective: f64,
    pub sizes: Vec<usize>,
    pub timings: PhaseTimes,
    pub range_assigned_fraction: Option<f64>,
    pub range_queries: Option<u64>,
}

impl Clustering {
    /// The scalar summary.
    pub fn summary(&self) -> ClusteringSummary {
        ClusteringSummary {
            method: self.method.clone(),
            k: self.k,
            iterations: self.iterations,
            converged: self.converged,
            objective: self.objective,
            sizes: self.sizes.clone(),
            timings: self.timings.clone(),
            range_assigned_fraction: self.reverse.as_ref().map(|r| r.range_fraction()),
            range_queries: self.reverse.as_ref().map(|r| r.range_queries),
        }
    }
}

/// Cluster sizes of a labelling.
pub fn cluster_sizes(labels: &[usize], k: usize) -> Vec<usize> {
    let mut sizes = vec![0; k];
    for &l in labels {
        sizes[l] += 1;
    }
    sizes
}
