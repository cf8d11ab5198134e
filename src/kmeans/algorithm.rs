//! The one k-means loop shared by CLASSIC, LSH and CUBE: seed, assign, then alternate update
//! (centroids = means, empty clusters re-seeded) and assignment until no label changes, the
//! largest centroid shift is ≤ tol, or max_iter.

use std::time::Instant;

use ndarray::{Array2, ArrayView2};

use super::assign::{Assigner, ClassicAssigner, ClusterSums, ReverseAssigner};
use super::error::KMeansError;
use super::init::kmeans_plus_plus;
use super::linfa_baseline::fit_linfa;
use super::params::{KMeansParams, Method, Seeding};
use super::result::{cluster_sizes, Clustering, PhaseTimes};
use crate::index::{HypercubeIndex, LshIndex, RangeIndex};
use crate::linalg::{assign_and_sum, assign_means, cluster_sums, row_sq_norms, sq_dist};
use crate::metrics::objective;
use crate::util::rng::{derive_seed, seeded_rng};

/// Checks the data is usable for `k` clusters.
pub fn check_data(x: ArrayView2<f32>, k: usize) -> Result<(), KMeansError> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(KMeansError::EmptyData);
    }
    if k > x.nrows() {
        return Err(KMeansError::TooManyClusters { k, n: x.nrows() });
    }
    if let Some(((row, col), _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(KMeansError::NonFinite { row, col });
    }
    Ok(())
}

/// The initial centres the parameters ask for.
pub fn initial_centroids(
    params: &KMeansParams,
    x: ArrayView2<f32>,
) -> Result<Array2<f32>, KMeansError> {
    let mut rng = seeded_rng(params.seed);
    match &params.seeding {
        Seeding::KMeansPlusPlus => Ok(kmeans_plus_plus(x, params.k, false, &mut rng)),
        Seeding::KMeansPlusPlusCompat => Ok(kmeans_plus_plus(x, params.k, true, &mut rng)),
        Seeding::Precomputed(c) => {
            if c.dim() != (params.k, x.ncols()) {
                return Err(KMeansError::CentroidShape {
                    k: params.k,
                    dim: x.ncols(),
                    got_rows: c.nrows(),
                    got_cols: c.ncols(),
                });
            }
            if c.iter().any(|v| !v.is_finite()) {
                return Err(KMeansError::NonFinite { row: 0, col: 0 });
            }
            Ok(c.clone())
        }
    }
}

/// Runs K-Means on the rows of `x`.
pub fn fit(params: &KMeansParams, x: ArrayView2<f32>) -> Result<Clustering, KMeansError> {
    check_data(x, params.k)?;
    if params.method == Method::Linfa {
        return fit_linfa(params, x);
    }
    let start = Instant::now();
    let mut times = PhaseTimes::default();

    let t = Instant::now();
    let mut centroids = initial_centroids(params, x)?;
    times.seeding_s = Some(t.elapsed().as_secs_f64());

    let t = Instant::now();
    let norms = row_sq_norms(x);
    let index_seed = derive_seed(params.seed, 0x1DE7);
    let mut assigner: Box<dyn Assigner + '_> = match &params.method {
        Method::Classic => Box::new(ClassicAssigner::new(x, norms.clone())),
        Method::Lsh(p) => {
            let index: Box<dyn RangeIndex> = Box::new(LshIndex::build(x, p, index_seed)?);
            Box::new(ReverseAssigner::new(x, index, params.radius_limit_factor))
        }
        Method::Cube(p) => {
            let index: Box<dyn RangeIndex> = Box::new(HypercubeIndex::build(x, p, index_seed)?);
            Box::new(ReverseAssigner::new(x, index, params.radius_limit_factor))
        }
        Method::Linfa => unreachable!("handled above"),
    };
    times.index_build_s = Some(t.elapsed().as_secs_f64());

    let n = x.nrows();
    let mut labels = vec![0usize; n];
    let mut d2 = vec![0f32; n];
    let mut next_labels = vec![0usize; n];
    let mut assign_s = 0.0;
    let mut update_s = 0.0;

    // Initial assignment: every point to its nearest centre.
    let t = Instant::now();
    let mut pending_sums = Some(assign_and_sum(
        x,
        norms.view(),
        centroids.view(),
        &mut labels,
        &mut d2,
    ));
    assign_s += t.elapsed().as_secs_f64();
    let mut history = vec![sum_f64(&d2)];

    let mut iterations = 0;
    let mut converged = false;
    while iterations < params.max_iter {
        iterations += 1;
        let t = Instant::now();
        let sums = pending_sums
            .take()
            .unwrap_or_else(|| cluster_sums(x, &labels, params.k));
        let new_centroids = update_centroids(x, &mut labels, &mut d2, sums, &centroids);
        let shift = max_shift(centroids.view(), new_centroids.view());
        centroids = new_centroids;
        update_s += t.elapsed().as_secs_f64();

        let t = Instant::now();
        pending_sums = assigner.assign(centroids.view(), &mut next_labels, &mut d2);
        assign_s += t.elapsed().as_secs_f64();
        let changed = labels
            .iter()
            .zip(&next_labels)
            .filter(|(a, b)| a != b)
            .count();
        std::mem::swap(&mut labels, &mut next_labels);
        history.push(sum_f64(&d2));
        if changed == 0 || shift <= params.tol {
            converged = true;
            break;
        }
    }

    // Final centroids are the means of the final clusters (an empty one keeps its place).
    let t = Instant::now();
    let (sums, counts) = pending_sums
        .take()
        .unwrap_or_else(|| cluster_sums(x, &labels, params.k));
    assign_means(&mut centroids, &sums, &counts);
    update_s += t.elapsed().as_secs_f64();

    times.assignment_s = Some(assign_s);
    times.update_s = Some(update_s);
    times.total_s = start.elapsed().as_secs_f64();
    let objective = objective(x, &labels, centroids.view())
        .expect("labels and centroids come from the same run");
    Ok(Clustering {
        method: params.method.name().into(),
        k: params.k,
        sizes: cluster_sizes(&labels, params.k),
        labels,
        centroids,
        iterations: Some(iterations),
        converged: Some(converged),
        objective,
        objective_history: history,
        timings: times,
        reverse: assigner.reverse_stats().cloned(),
    })
}

fn sum_f64(v: &[f32]) -> f64 {
    v.iter().map(|&d| d as f64).sum()
}

fn max_shift(a: ArrayView2<f32>, b: ArrayView2<f32>) -> f64 {
    a.rows()
        .into_iter()
        .zip(b.rows())
        .map(|(x, y)| sq_dist(x, y) as f64)
        .fold(0.0, f64::max)
        .sqrt()
}

/// Means of the current clusters. An empty cluster is re-seeded deterministically with the
/// point farthest from its centroid among clusters that can spare one (ties: lowest index);
/// that point moves to the empty cluster.
fn update_centroids(
    x: ArrayView2<f32>,
    labels: &mut [usize],
    d2: &mut [f32],
    (mut sums, mut counts): ClusterSums,
    old: &Array2<f32>,
) -> Array2<f32> {
    let k = counts.len();
    for j in 0..k {
        if counts[j] > 0 {
            continue;
        }
        let donor = (0..labels.len()).filter(|&i| counts[labels[i]] > 1).fold(
            None,
            |best: Option<usize>, i| match best {
                Some(b) if d2[b] >= d2[i] => Some(b),
                _ => Some(i),
            },
        );
        if let Some(i) = donor {
            let from = labels[i];
            for (s, &v) in sums.row_mut(from).iter_mut().zip(x.row(i)) {
                *s -= v as f64;
            }
            counts[from] -= 1;
            for (s, &v) in sums.row_mut(j).iter_mut().zip(x.row(i)) {
                *s = v as f64;
            }
            counts[j] = 1;
            labels[i] = j;
            d2[i] = 0.0;
        }
    }
    let mut c = old.clone();
    assign_means(&mut c, &sums, &counts);
    c
}
