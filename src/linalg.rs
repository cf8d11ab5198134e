//! Blocked distance kernels shared by K-Means and the metrics.
//!
//! Squared Euclidean distances are computed as `|x|² + |c|² − 2 x·c`, with the cross term as a
//! GEMM over fixed-size blocks of rows. Blocks are fixed (not derived from the thread count), so
//! every result is identical whatever the number of rayon threads.

use ndarray::{linalg::general_mat_mul, Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Rows per block in the assignment kernel: big enough for an efficient GEMM, small enough that
/// a block of 784-d rows stays in L2 cache.
pub const ASSIGN_BLOCK: usize = 256;

/// Rows per chunk in the centroid update: partial sums are formed in f32 within a chunk and
/// added in f64 across chunks, in chunk order.
pub const UPDATE_CHUNK: usize = 1024;

/// A GEMM-form gap between the two nearest centroids below this fraction of the norms is a
/// near-tie, re-decided with exact distances.
const TIE_RATIO: f32 = 1e-5;

/// Nearest row of `c` to `x` by exact (f64-accumulated) squared distance; ties to the lower index.
pub fn exact_nearest(x: ArrayView1<f32>, c: ArrayView2<f32>) -> (usize, f32) {
    let mut best = (0usize, f64::INFINITY);
    for (j, cj) in c.rows().into_iter().enumerate() {
        let d: f64 = x
            .iter()
            .zip(cj.iter())
            .map(|(&a, &b)| {
                let t = a as f64 - b as f64;
                t * t
            })
            .sum();
        if d < best.1 {
            best = (j, d);
        }
    }
    (best.0, best.1 as f32)
}

/// Squared L2 norm of every row.
pub fn row_sq_norms(x: ArrayView2<f32>) -> Array1<f32> {
    let mut out = Array1::zeros(x.nrows());
    out.as_slice_mut()
        .expect("fresh array is contiguous")
        .par_iter_mut()
        .zip(x.axis_iter(Axis(0)).into_par_iter())
        .for_each(|(o, row)| *o = row.dot(&row));
    out
}

/// Exact squared distance between two vectors (f32 with f32 accumulation; used for candidate
/// checks where the GEMM form would lose precision for near neighbours).
#[inline]
pub fn sq_dist(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    match (a.as_slice(), b.as_slice()) {
        (Some(a), Some(b)) => sq_dist_slice(a, b),
        _ => a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum(),
    }
}

/// Squared distance of two slices, written so that the compiler vectorises it.
#[inline]
pub fn sq_dist_slice(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = a.len() / 8;
    for c in 0..chunks {
        for l in 0..8 {
            let d = a[c * 8 + l] - b[c * 8 + l];
            acc[l] += d * d;
        }
    }
    let mut s: f32 = acc.iter().sum();
    for i in chunks * 8..a.len() {
        let d = a[i] - b[i];
        s += d * d;
    }
    s
}

/// Assigns each row of `x` to its nearest row of `c`. Writes the label and the (GEMM-form,
/// clamped at 0) squared distance; ties go to the lower centroid index.
pub fn nearest_centroids(
    x: ArrayView2<f32>,
    x_norms: ArrayView1<f32>,
    c: ArrayView2<f32>,
    labels: &mut [usize],
    d2: &mut [f32],
) {
    let k = c.nrows();
    let c_norms = row_sq_norms(c);
    let ct = c.t();
    labels
        .par_chunks_mut(ASSIGN_BLOCK)
        .zip(d2.par_chunks_mut(ASSIGN_BLOCK))
        .enumerate()
        .for_each(|(b, (lab, dist))| {
            let start = b * ASSIGN_BLOCK;
            let rows = lab.len();
            let xb = x.slice(ndarray::s![start..start + rows, ..]);
            let mut g = Array2::<f32>::zeros((rows, k));
            general_mat_mul(1.0, &xb, &ct, 0.0, &mut g);
            for (i, grow) in g.axis_iter(Axis(0)).enumerate() {
                let xn = x_norms[start + i];
                let (mut best, mut best_d, mut second_d) = (0usize, f32::INFINITY, f32::INFINITY);
                for (j, &dot) in grow.iter().enumerate() {
                    let d = xn + c_norms[j] - 2.0 * dot;
                    if d < best_d {
                        second_d = best_d;
                        best_d = d;
                        best = j;
                    } else if d < second_d {
                        second_d = d;
                    }
                }
                // The GEMM form loses ~1e-7 of the norms to cancellation: near-ties are
                // settled with exact distances so the choice matches a direct computation.
                if second_d - best_d <= TIE_RATIO * (xn + c_norms[best]) {
                    (best, best_d) = exact_nearest(x.row(start + i), c);
                }
                lab[i] = best;
                dist[i] = best_d.max(0.0);
            }
        });
}

/// Per-cluster sums (f64) and counts of the rows of `x` under `labels`.
pub fn cluster_sums(x: ArrayView2<f32>, labels: &[usize], k: usize) -> (Array2<f64>, Vec<usize>) {
    let d = x.ncols();
    let partials: Vec<(Array2<f32>, Vec<usize>)> = labels
        .par_chunks(UPDATE_CHUNK)
        .enumerate()
        .map(|(b, lab)| {
            let start = b * UPDATE_CHUNK;
            let mut sums = Array2::<f32>::zeros((k, d));
            let mut counts = vec![0usize; k];
            for (i, &l) in lab.iter().enumerate() {
                counts[l] += 1;
                let row = x.row(start + i);
                let mut acc = sums.row_mut(l);
                match (acc.as_slice_mut(), row.as_slice()) {
                    (Some(a), Some(r)) => a.iter_mut().zip(r).for_each(|(a, r)| *a += r),
                    _ => acc.zip_mut_with(&row, |a, r| *a += r),
                }
            }
            (sums, counts)
        })
        .collect();
    let mut sums = Array2::<f64>::zeros((k, d));
    let mut counts = vec![0usize; k];
    for (s, c) in partials {
        sums.zip_mut_with(&s, |a, &b| *a += b as f64);
        counts.iter_mut().zip(c).for_each(|(a, b)| *a += b);
    }
    (sums, counts)
}

/// Overwrites each row of `centroids` whose cluster is non-empty with that cluster's mean;
/// rows of empty clusters are left as they are.
pub fn assign_means(centroids: &mut Array2<f32>, sums: &Array2<f64>, counts: &[usize]) {
    for ((mut row, sum), &count) in centroids
        .rows_mut()
        .into_iter()
        .zip(sums.rows())
        .zip(counts)
    {
        if count > 0 {
            for (dst, &s) in row.iter_mut().zip(sum) {
                *dst = (s / count as f64) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nearest_matches_naive() {
        // [5, 4.9]: 49.01 to c0 vs 51.01 to c1.
        let x = array![[0.0f32, 0.0], [1.0, 1.0], [9.0, 9.5], [5.0, 4.9]];
        let c = array![[0.0f32, 0.1], [10.0, 10.0]];
        let norms = row_sq_norms(x.view());
        let mut lab = vec![9; 4];
        let mut d2 = vec![0.0; 4];
        nearest_centroids(x.view(), norms.view(), c.view(), &mut lab, &mut d2);
        assert_eq!(lab, vec![0, 0, 1, 0]);
        assert!((d2[2] - 1.25).abs() < 1e-4);
    }

    #[test]
    fn sums_and_counts() {
        let x = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let (s, c) = cluster_sums(x.view(), &[1, 0, 1], 3);
        assert_eq!(c, vec![1, 2, 0]);
        assert_eq!(s.row(1).to_vec(), vec![6.0, 8.0]);
        assert_eq!(s.row(2).to_vec(), vec![0.0, 0.0]);
    }

    #[test]
    fn sq_dist_matches_naive_for_odd_lengths() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..19).map(|i| (i * i) as f32 * 0.1).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        assert!((sq_dist_slice(&a, &b) - naive).abs() < 1e-3);
    }
}
