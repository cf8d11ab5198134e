//! k-means++ seeding: the first centre uniform, each next centre drawn with probability
//! ∝ D(x)² (or ∝ D(x) in the original's `compat` variant), D = distance to the nearest chosen
//! centre. Distances are updated incrementally in parallel; the draw itself is sequential, so
//! the result depends only on the seed.

use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rayon::prelude::*;

use crate::linalg::sq_dist;
use crate::util::rng::Rng as CrateRng;

/// Chooses `k` rows of `x` as initial centres.
pub fn kmeans_plus_plus(
    x: ArrayView2<f32>,
    k: usize,
    compat: bool,
    rng: &mut CrateRng,
) -> Array2<f32> {
    let n = x.nrows();
    let mut centres = Array2::<f32>::zeros((k, x.ncols()));
    let first = rng.gen_range(0..n);
    centres.row_mut(0).assign(&x.row(first));
    let mut d2: Vec<f32> = vec![f32::INFINITY; n];
    let mut last = first;
    for c in 1..k {
        let centre = x.row(last);
        d2.par_iter_mut().enumerate().for_each(|(i, d)| {
            let nd = sq_dist(x.row(i), centre);
            if nd < *d {
                *d = nd;
            }
        });
        let weight = |d: f32| -> f64 {
            if compat {
                (d as f64).sqrt()
            } else {
                d as f64
            }
        };
        let total: f64 = d2.iter().map(|&d| weight(d)).sum();
        let next = if total > 0.0 && total.is_finite() {
            let target = rng.gen::<f64>() * total;
            let mut acc = 0.0;
            let mut chosen = n - 1;
            for (i, &d) in d2.iter().enumerate() {
                acc += weight(d);
                if acc > target {
                    chosen = i;
                    break;
                }
            }
            chosen
        } else {
            // Every point coincides with a centre: any choice is as good; stay seeded.
            rng.gen_range(0..n)
        };
        centres.row_mut(c).assign(&x.row(next));
        last = next;
    }
    centres
}
