//! Exact Euclidean silhouette at GEMM speed.
//!
//! Both definitions need, for every point `i` and cluster `c`, the sum `S[i][c]` of the
//! distances from `i` to the members of `c`. That is O(n²·d); it is computed tile by tile over
//! the upper triangle of the (never materialised) distance matrix — each tile one GEMM
//! (`|x|² + |y|² − 2x·y`), used for both its rows and its columns — in parallel, with memory
//! O(tile² + n·k).
//!
//! Precision: the data is centred first (smaller norms, less cancellation); squared distances
//! that are tiny next to the norms are recomputed exactly; each tile sums in f64; tiles are
//! added into fixed-point integer accumulators, so the result is bit-identical whatever the
//! number of threads and the order tiles finish in.

use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::MetricsError;
use super::objective::check_labels;
use crate::linalg::{row_sq_norms, sq_dist};

/// Rows (and columns) per tile of the distance matrix.
const TILE: usize = 512;
/// A GEMM-form squared distance below this fraction of `|x|² + |y|²` is recomputed exactly.
const REFINE_RATIO: f32 = 1e-3;

/// Which silhouette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Definition {
    /// Rousseeuw's, as scikit-learn: `a` over the other members, `b` the nearest other cluster
    /// by mean distance, singletons score 0.
    Standard,
    /// The original system's: `a` divides by `|A|` including the point itself; `b` is the mean
    /// distance to the cluster whose centroid is nearest to the point.
    Compat,
}

/// Silhouette values of one definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Silhouette {
    pub definition: Definition,
    /// `s(i)` for every point, in data order.
    #[serde(skip)]
    pub per_point: Vec<f64>,
    /// Mean of each cluster's members (`None` for an empty cluster).
    pub per_cluster: Vec<Option<f64>>,
    /// Mean over all points.
    pub total: f64,
}

/// `S[i][c]` = Σ of distances from point `i` to the members of cluster `c` (n × k), plus sizes.
pub struct ClusterDistanceSums {
    pub sums: Array2<f64>,
    pub sizes: Vec<usize>,
}

fn check_finite(x: ArrayView2<f32>) -> Result<(), MetricsError> {
    match x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        Some(((row, col), _)) => Err(MetricsError::NonFinite { row, col }),
        None => Ok(()),
    }
}

/// Computes `S[i][c]` exactly (Euclidean, not squared).
pub fn cluster_distance_sums(
    x: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
) -> Result<ClusterDistanceSums, MetricsError> {
    let n = x.nrows();
    if n == 0 {
        return Err(MetricsError::Empty);
    }
    check_labels(labels, n, k)?;
    check_finite(x)?;
    let mean = x.mean_axis(Axis(0)).expect("n > 0");
    let centred = &x - &mean.insert_axis(Axis(0));
    let norms = row_sq_norms(centred.view());
    let max_norm = norms.iter().fold(0f32, |m, &v| m.max(v)).sqrt() as f64;
    // Every distance is ≤ 2·max_norm; size the fixed point so n of them fit in 62 bits.
    let bound = (n as f64) * (2.0 * max_norm).max(f64::MIN_POSITIVE);
    let scale = (2f64.powi(62) / bound)
        .log2()
        .floor()
        .clamp(-60.0, 1000.0)
        .exp2();

    let n_tiles = n.div_ceil(TILE);
    let pairs: Vec<(usize, usize)> = (0..n_tiles)
        .flat_map(|i| (i..n_tiles).map(move |j| (i, j)))
        .collect();
    let acc = pairs
        .par_iter()
        .fold(
            || vec![0u64; n * k],
            |mut acc, &(ti, tj)| {
                tile_sums(
                    centred.view(),
                    norms.view(),
                    labels,
                    k,
                    ti,
                    tj,
                    scale,
                    &mut acc,
                );
                acc
            },
        )
        .reduce(
            || vec![0u64; n * k],
            |mut a, b| {
                a.iter_mut()
                    .zip(b)
                    .for_each(|(x, y)| *x = x.wrapping_add(y));
                a
            },
        );
    let sums = Array2::from_shape_vec((n, k), acc.into_iter().map(|v| v as f64 / scale).collect())
        .expect("n × k accumulators");
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l] += 1);
    Ok(ClusterDistanceSums { sums, sizes })
}

/// Adds the distances of tile `(ti, tj)` (and, off the diagonal, of its transpose) into the
/// fixed-point accumulators.
#[allow(clippy::too_many_arguments)]
fn tile_sums(
    x: ArrayView2<f32>,
    norms: ndarray::ArrayView1<f32>,
    labels: &[usize],
    k: usize,
    ti: usize,
    tj: usize,
    scale: f64,
    acc: &mut [u64],
) {
    let n = x.nrows();
    let (r0, r1) = (ti * TILE, ((ti + 1) * TILE).min(n));
    let (c0, c1) = (tj * TILE, ((tj + 1) * TILE).min(n));
    let xa = x.slice(s![r0..r1, ..]);
    let xb = x.slice(s![c0..c1, ..]);
    let mut g = Array2::<f32>::zeros((r1 - r0, c1 - c0));
    general_mat_mul(1.0, &xa, &xb.t(), 0.0, &mut g);
    let mut row_part = Array2::<f64>::zeros((r1 - r0, k));
    let mut col_part = Array2::<f64>::zeros((c1 - c0, k));
    for (a, grow) in g.axis_iter(Axis(0)).enumerate() {
        let i = r0 + a;
        let ni = norms[i];
        let li = labels[i];
        let mut rp = row_part.row_mut(a);
        for (b, &dot) in grow.iter().enumerate() {
            let j = c0 + b;
            if i == j {
                continue;
            }
            let nj = norms[j];
            let mut d2 = ni + nj - 2.0 * dot;
            if d2 < REFINE_RATIO * (ni + nj) {
                d2 = exact_sq_dist(x, i, j);
            }
            let d = (d2.max(0.0) as f64).sqrt();
            rp[labels[j]] += d;
            if ti != tj {
                col_part[[b, li]] += d;
            }
        }
    }
    let mut add = |row: usize, part: ndarray::ArrayView1<f64>| {
        for (c, &v) in part.iter().enumerate() {
            let slot = &mut acc[row * k + c];
            *slot = slot.wrapping_add((v * scale).round() as u64);
        }
    };
    for (a, part) in row_part.axis_iter(Axis(0)).enumerate() {
        add(r0 + a, part);
    }
    if ti != tj {
        for (b, part) in col_part.axis_iter(Axis(0)).enumerate() {
            add(c0 + b, part);
        }
    }
}

fn exact_sq_dist(x: ArrayView2<f32>, i: usize, j: usize) -> f32 {
    x.row(i)
        .iter()
        .zip(x.row(j))
        .map(|(&a, &b)| {
            let d = a as f64 - b as f64;
            d * d
        })
        .sum::<f64>() as f32
}

/// Standard silhouette from the distance sums.
pub fn standard_from_sums(
    s: &ClusterDistanceSums,
    labels: &[usize],
) -> Result<Silhouette, MetricsError> {
    let non_empty = s.sizes.iter().filter(|&&c| c > 0).count();
    if non_empty < 2 {
        return Err(MetricsError::TooFewClusters(non_empty));
    }
    let per_point: Vec<f64> = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            if s.sizes[l] <= 1 {
                return 0.0;
            }
            let a = s.sums[[i, l]] / (s.sizes[l] - 1) as f64;
            let b = (0..s.sizes.len())
                .filter(|&c| c != l && s.sizes[c] > 0)
                .map(|c| s.sums[[i, c]] / s.sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            ratio(a, b)
        })
        .collect();
    Ok(assemble(Definition::Standard, per_point, labels, &s.sizes))
}

/// The original's silhouette: `a` over `|A|` including the point, `b` from the cluster whose
/// centroid is nearest (among the other non-empty clusters).
pub fn compat_from_sums(
    x: ArrayView2<f32>,
    s: &ClusterDistanceSums,
    labels: &[usize],
    centroids: ArrayView2<f32>,
) -> Result<Silhouette, MetricsError> {
    let k = s.sizes.len();
    if centroids.dim() != (k, x.ncols()) {
        return Err(MetricsError::CentroidShape {
            k,
            dim: x.ncols(),
            got_rows: centroids.nrows(),
            got_cols: centroids.ncols(),
        });
    }
    check_finite(centroids)?;
    let non_empty = s.sizes.iter().filter(|&&c| c > 0).count();
    if non_empty < 2 {
        return Err(MetricsError::TooFewClusters(non_empty));
    }
    let per_point: Vec<f64> = labels
        .par_iter()
        .enumerate()
        .map(|(i, &l)| {
            let a = s.sums[[i, l]] / s.sizes[l] as f64;
            let nb = (0..k)
                .filter(|&c| c != l && s.sizes[c] > 0)
                .map(|c| (c, sq_dist(x.row(i), centroids.row(c))))
                .fold((usize::MAX, f32::INFINITY), |best, cur| {
                    if cur.1 < best.1 {
                        cur
                    } else {
                        best
                    }
                })
                .0;
            let b = s.sums[[i, nb]] / s.sizes[nb] as f64;
            ratio(a, b)
        })
        .collect();
    Ok(assemble(Definition::Compat, per_point, labels, &s.sizes))
}

/// `(b − a) / max(a, b)`, defined as 0 when both are 0 (identical points), as scikit-learn.
fn ratio(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m > 0.0 {
        (b - a) / m
    } else {
        0.0
    }
}

fn assemble(
    definition: Definition,
    per_point: Vec<f64>,
    labels: &[usize],
    sizes: &[usize],
) -> Silhouette {
    let mut sums = vec![0f64; sizes.len()];
    for (&l, &v) in labels.iter().zip(&per_point) {
        sums[l] += v;
    }
    let per_cluster = sums
        .iter()
        .zip(sizes)
        .map(|(&s, &c)| (c > 0).then(|| s / c as f64))
        .collect();
    let total = per_point.iter().sum::<f64>() / per_point.len() as f64;
    Silhouette {
        definition,
        per_point,
        per_cluster,
        total,
    }
}

/// The requested silhouettes of a labelling. `centroids` feed the compat definition's
/// neighbour choice; without them the cluster means are used.
pub fn silhouettes(
    x: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
    centroids: Option<ArrayView2<f32>>,
    definitions: &[Definition],
) -> Result<Vec<Silhouette>, MetricsError> {
    let sums = cluster_distance_sums(x, labels, k)?;
    definitions
        .iter()
        .map(|d| match d {
            Definition::Standard => standard_from_sums(&sums, labels),
            Definition::Compat => match centroids {
                Some(c) => compat_from_sums(x, &sums, labels, c),
                None => {
                    let (means, _) = super::objective::cluster_means(x, labels, k)?;
                    compat_from_sums(x, &sums, labels, means.view())
                }
            },
        })
        .collect()
}

/// Standard silhouette total (a convenience for the common case).
pub fn silhouette_score(
    x: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
) -> Result<f64, MetricsError> {
    let sums = cluster_distance_sums(x, labels, k)?;
    Ok(standard_from_sums(&sums, labels)?.total)
}
