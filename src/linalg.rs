//! Distance kernels shared by K-Means and the metrics.
//!
//! Squared Euclidean distances are computed as `|x|² + |c|² − 2 x·c`. Work is split into chunks
//! of fixed size (not derived from the thread count) and partial results are combined in chunk
//! order, so every result is identical whatever the number of rayon threads.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

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

/// One pass of CLASSIC over the data: nearest centroid for every row **and** the per-cluster
/// sums of the rows under the new labels, while each chunk of rows is still in cache. Reading
/// the data once per iteration instead of three times (GEMM packing, GEMM, update) is what
/// makes a pass memory-bound rather than traffic-bound.
///
/// Dots use eight explicit lanes, so the arithmetic (and the result) is the same with or
/// without AVX2; AVX2 is used when the CPU has it.
pub fn assign_and_sum(
    x: ArrayView2<f32>,
    x_norms: ArrayView1<f32>,
    c: ArrayView2<f32>,
    labels: &mut [usize],
    d2: &mut [f32],
) -> (Array2<f64>, Vec<usize>) {
    let (k, d) = c.dim();
    let c_std = c.as_standard_layout();
    let c_flat = c_std.as_slice().expect("standard layout");
    let c_norms = row_sq_norms(c);
    let x_std = x.as_standard_layout();
    let x_flat = x_std.as_slice().expect("standard layout");
    let partials: Vec<(Vec<f32>, Vec<usize>)> = labels
        .par_chunks_mut(UPDATE_CHUNK)
        .zip(d2.par_chunks_mut(UPDATE_CHUNK))
        .enumerate()
        .map(|(b, (lab, dist))| {
            let start = b * UPDATE_CHUNK;
            let rows = &x_flat[start * d..(start + lab.len()) * d];
            let mut sums = vec![0f32; k * d];
            let mut counts = vec![0usize; k];
            let norms = &x_norms.as_slice().expect("contiguous norms")[start..start + lab.len()];
            fused_chunk(
                rows,
                norms,
                c_flat,
                c_norms.as_slice().expect("fresh"),
                d,
                lab,
                dist,
                &mut sums,
                &mut counts,
            );
            (sums, counts)
        })
        .collect();
    let mut sums = Array2::<f64>::zeros((k, d));
    let mut counts = vec![0usize; k];
    let flat = sums.as_slice_mut().expect("fresh");
    for (s, cnt) in partials {
        flat.iter_mut().zip(&s).for_each(|(a, &b)| *a += b as f64);
        counts.iter_mut().zip(cnt).for_each(|(a, b)| *a += b);
    }
    (sums, counts)
}

#[allow(clippy::too_many_arguments)]
fn fused_chunk(
    rows: &[f32],
    norms: &[f32],
    c: &[f32],
    c_norms: &[f32],
    d: usize,
    lab: &mut [usize],
    dist: &mut [f32],
    sums: &mut [f32],
    counts: &mut [usize],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { fused_chunk_avx2(rows, norms, c, c_norms, d, lab, dist, sums, counts) };
            return;
        }
    }
    fused_chunk_impl(rows, norms, c, c_norms, d, lab, dist, sums, counts)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn fused_chunk_avx2(
    rows: &[f32],
    norms: &[f32],
    c: &[f32],
    c_norms: &[f32],
    d: usize,
    lab: &mut [usize],
    dist: &mut [f32],
    sums: &mut [f32],
    counts: &mut [usize],
) {
    fused_chunk_impl(rows, norms, c, c_norms, d, lab, dist, sums, counts)
}

/// Dots of one row with every centroid, eight lanes per centroid. All centroids advance
/// together, so the `k` accumulators are independent and the loop is throughput-bound rather
/// than bound by the latency of one accumulator chain.
#[inline(always)]
fn dots_lanes(row: &[f32], c: &[f32], d: usize, acc: &mut [[f32; 8]], out: &mut [f32]) {
    acc.iter_mut().for_each(|a| *a = [0.0; 8]);
    let chunks = d / 8;
    for ch in 0..chunks {
        let xv = &row[ch * 8..ch * 8 + 8];
        for (j, a) in acc.iter_mut().enumerate() {
            let cv = &c[j * d + ch * 8..j * d + ch * 8 + 8];
            for l in 0..8 {
                a[l] += xv[l] * cv[l];
            }
        }
    }
    for (j, a) in acc.iter().enumerate() {
        let mut s = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
        for i in chunks * 8..d {
            s += row[i] * c[j * d + i];
        }
        out[j] = s;
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn fused_chunk_impl(
    rows: &[f32],
    norms: &[f32],
    c: &[f32],
    c_norms: &[f32],
    d: usize,
    lab: &mut [usize],
    dist: &mut [f32],
    sums: &mut [f32],
    counts: &mut [usize],
) {
    let k = c_norms.len();
    let mut acc = vec![[0f32; 8]; k];
    let mut dots = vec![0f32; k];
    for (i, row) in rows.chunks_exact(d).enumerate() {
        let xn = norms[i];
        dots_lanes(row, c, d, &mut acc, &mut dots);
        let (mut best, mut best_d, mut second_d) = (0usize, f32::INFINITY, f32::INFINITY);
        for (j, (&cn, &dot)) in c_norms.iter().zip(&dots).enumerate() {
            let dd = xn + cn - 2.0 * dot;
            if dd < best_d {
                second_d = best_d;
                best_d = dd;
                best = j;
            } else if dd < second_d {
                second_d = dd;
            }
        }
        if second_d - best_d <= TIE_RATIO * (xn + c_norms[best]) {
            let cv = ArrayView2::from_shape((k, d), c).expect("k × d");
            (best, best_d) = exact_nearest(ArrayView1::from(row), cv);
        }
        lab[i] = best;
        dist[i] = best_d.max(0.0);
        counts[best] += 1;
        for (s, &v) in sums[best * d..(best + 1) * d].iter_mut().zip(row) {
            *s += v;
        }
    }
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
        let (sums, counts) = assign_and_sum(x.view(), norms.view(), c.view(), &mut lab, &mut d2);
        assert_eq!(lab, vec![0, 0, 1, 0]);
        assert_eq!(counts, vec![3, 1]);
        assert!((sums[[0, 0]] - 6.0).abs() < 1e-6 && (sums[[0, 1]] - 5.9).abs() < 1e-5);
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
