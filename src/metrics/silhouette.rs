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
    // Rows sorted by cluster: every tile's columns (and rows) then fall into at most k
    // contiguous runs of one cluster, which are summed as slices instead of scattered.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| labels[i]);
    let mean = x.mean_axis(Axis(0)).expect("n > 0");
    let sorted = x.select(Axis(0), &order) - &mean.insert_axis(Axis(0));
    let sorted_labels: Vec<usize> = order.iter().map(|&i| labels[i]).collect();
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l] += 1);
    let mut offsets = vec![0usize; k + 1];
    for c in 0..k {
        offsets[c + 1] = offsets[c] + sizes[c];
    }
    let norms = row_sq_norms(sorted.view());
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
    let ctx = TileContext {
        x: sorted.view(),
        norms: norms.as_slice().expect("fresh array"),
        labels: &sorted_labels,
        offsets: &offsets,
        k,
        scale,
    };
    let acc = pairs
        .par_iter()
        .fold(
            || vec![0u64; n * k],
            |mut acc, &(ti, tj)| {
                ctx.tile_sums(ti, tj, &mut acc);
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
    let mut sums = Array2::<f64>::zeros((n, k));
    for (p, &i) in order.iter().enumerate() {
        for c in 0..k {
            sums[[i, c]] = acc[p * k + c] as f64 / scale;
        }
    }
    Ok(ClusterDistanceSums { sums, sizes })
}

/// What every tile needs: the centred rows sorted by cluster, their norms and labels, the
/// cluster boundaries in that order, and the fixed-point scale.
struct TileContext<'a> {
    x: ArrayView2<'a, f32>,
    norms: &'a [f32],
    labels: &'a [usize],
    offsets: &'a [usize],
    k: usize,
    scale: f64,
}

/// Σ of f32 values in f64, four lanes (vectorisable).
#[inline]
fn sum_f64(v: &[f32]) -> f64 {
    let mut acc = [0f64; 4];
    let chunks = v.len() / 4;
    for c in 0..chunks {
        for l in 0..4 {
            acc[l] += v[c * 4 + l] as f64;
        }
    }
    let mut s = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    for &x in &v[chunks * 4..] {
        s += x as f64;
    }
    s
}

impl TileContext<'_> {
    /// Adds the distances of tile `(ti, tj)` (and, off the diagonal, of its transpose) into
    /// the fixed-point accumulators (indexed in sorted order).
    fn tile_sums(&self, ti: usize, tj: usize, acc: &mut [u64]) {
        let (x, k) = (self.x, self.k);
        let n = x.nrows();
        let (r0, r1) = (ti * TILE, ((ti + 1) * TILE).min(n));
        let (c0, c1) = (tj * TILE, ((tj + 1) * TILE).min(n));
        let width = c1 - c0;
        let xa = x.slice(s![r0..r1, ..]);
        let xb = x.slice(s![c0..c1, ..]);
        let mut g = Array2::<f32>::zeros((r1 - r0, width));
        general_mat_mul(1.0, &xa, &xb.t(), 0.0, &mut g);
        // Column runs of one cluster inside this tile.
        let runs: Vec<(usize, usize, usize)> = (0..k)
            .filter_map(|c| {
                let lo = self.offsets[c].max(c0);
                let hi = self.offsets[c + 1].min(c1);
                (lo < hi).then(|| (c, lo - c0, hi - c0))
            })
            .collect();
        let nb = &self.norms[c0..c1];
        let mut row_part = vec![0f64; (r1 - r0) * k];
        // Transposed contributions: col_acc[c][b] = Σ over rows a of cluster c of d(a, b).
        let mut col_acc = vec![0f64; if ti != tj { k * width } else { 0 }];
        let mut d = vec![0f32; width];
        for (a, grow) in g.axis_iter(Axis(0)).enumerate() {
            let i = r0 + a;
            let ni = self.norms[i];
            let grow = grow.as_slice().expect("fresh array");
            let mut near = false;
            for ((dst, &dot), &nj) in d.iter_mut().zip(grow).zip(nb) {
                let d2 = ni + nj - 2.0 * dot;
                near |= d2 < REFINE_RATIO * (ni + nj);
                *dst = d2;
            }
            if near {
                // Cancellation spoils tiny distances: recompute those exactly.
                for (b, dst) in d.iter_mut().enumerate() {
                    if *dst < REFINE_RATIO * (ni + nb[b]) {
                        *dst = exact_sq_dist(x, i, c0 + b);
                    }
                }
            }
            for v in d.iter_mut() {
                *v = v.max(0.0).sqrt();
            }
            if ti == tj {
                d[a] = 0.0;
            }
            let rp = &mut row_part[a * k..(a + 1) * k];
            for &(c, lo, hi) in &runs {
                rp[c] += sum_f64(&d[lo..hi]);
            }
            if ti != tj {
                let li = self.labels[i];
                for (s, &v) in col_acc[li * width..(li + 1) * width].iter_mut().zip(&d) {
                    *s += v as f64;
                }
            }
        }
        let scale = self.scale;
        let mut add = |row: usize, c: usize, v: f64| {
            let slot = &mut acc[row * k + c];
            *slot = slot.wrapping_add((v * scale).round() as u64);
        };
        for a in 0..r1 - r0 {
            for c in 0..k {
                add(r0 + a, c, row_part[a * k + c]);
            }
        }
        if ti != tj {
            for c in 0..k {
                for b in 0..width {
                    add(c0 + b, c, col_acc[c * width + b]);
                }
            }
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
