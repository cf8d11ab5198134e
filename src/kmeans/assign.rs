//! The assignment step behind one trait (the faiss idea: the k-means loop does not know how
//! points are assigned). CLASSIC scans points against centroids with a GEMM; reverse
//! assignment asks a range index from each centroid outwards.

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;

use super::result::ReverseStats;
use crate::index::{Hit, RangeIndex};
use crate::linalg::{assign_and_sum, sq_dist};

/// Per-cluster sums (f64, `k × d`) and counts of the points under a labelling.
pub type ClusterSums = (Array2<f64>, Vec<usize>);

/// Assigns every point to one centroid. On return `labels[i] < k` for every point and `d2[i]`
/// is its squared distance to that centroid. An assigner that gets the per-cluster sums of
/// the new labels as a by-product of its pass returns them, saving the update step a pass.
pub trait Assigner {
    fn assign(
        &mut self,
        centroids: ArrayView2<f32>,
        labels: &mut [usize],
        d2: &mut [f32],
    ) -> Option<ClusterSums>;

    /// Reverse-assignment statistics, if this assigner keeps any.
    fn reverse_stats(&self) -> Option<&ReverseStats> {
        None
    }
}

/// Exact nearest-centroid assignment (Lloyd).
pub struct ClassicAssigner<'a> {
    x: ArrayView2<'a, f32>,
    norms: Array1<f32>,
}

impl<'a> ClassicAssigner<'a> {
    pub fn new(x: ArrayView2<'a, f32>, norms: Array1<f32>) -> Self {
        ClassicAssigner { x, norms }
    }
}

impl Assigner for ClassicAssigner<'_> {
    fn assign(
        &mut self,
        centroids: ArrayView2<f32>,
        labels: &mut [usize],
        d2: &mut [f32],
    ) -> Option<ClusterSums> {
        Some(assign_and_sum(
            self.x,
            self.norms.view(),
            centroids,
            labels,
            d2,
        ))
    }
}

const UNASSIGNED: usize = usize::MAX;

/// Reverse assignment by range search (SPEC §2): balls around every centroid, radius doubling
/// from half the smallest centroid gap, conflicts to the closest centroid, leftovers by brute
/// force.
pub struct ReverseAssigner<'a> {
    x: ArrayView2<'a, f32>,
    index: Box<dyn RangeIndex + 'a>,
    radius_limit_factor: f32,
    stats: ReverseStats,
}

impl<'a> ReverseAssigner<'a> {
    pub fn new(
        x: ArrayView2<'a, f32>,
        index: Box<dyn RangeIndex + 'a>,
        radius_limit_factor: f32,
    ) -> Self {
        ReverseAssigner {
            x,
            index,
            radius_limit_factor,
            stats: ReverseStats::default(),
        }
    }

    /// Smallest and largest distance between two distinct centroids.
    fn centroid_gaps(c: ArrayView2<f32>) -> (f32, f32) {
        let k = c.nrows();
        let (mut lo, mut hi) = (f32::INFINITY, 0f32);
        for i in 0..k {
            for j in i + 1..k {
                let d = sq_dist(c.row(i), c.row(j)).sqrt();
                lo = lo.min(d);
                hi = hi.max(d);
            }
        }
        (lo, hi)
    }

    /// Brute-force nearest centroid for the points no ball reached.
    fn assign_leftovers(&self, c: ArrayView2<f32>, labels: &mut [usize], d2: &mut [f32]) -> u64 {
        let x = self.x;
        labels
            .par_iter_mut()
            .zip(d2.par_iter_mut())
            .enumerate()
            .filter(|(_, (l, _))| **l == UNASSIGNED)
            .map(|(i, (l, d))| {
                let (mut best, mut best_d) = (0, f32::INFINITY);
                for (j, cj) in c.rows().into_iter().enumerate() {
                    let dj = sq_dist(x.row(i), cj);
                    if dj < best_d {
                        best_d = dj;
                        best = j;
                    }
                }
                *l = best;
                *d = best_d;
                1u64
            })
            .sum()
    }
}

impl Assigner for ReverseAssigner<'_> {
    fn assign(
        &mut self,
        c: ArrayView2<f32>,
        labels: &mut [usize],
        d2: &mut [f32],
    ) -> Option<ClusterSums> {
        let n = labels.len();
        let k = c.nrows();
        labels.fill(UNASSIGNED);
        d2.fill(f32::INFINITY);
        let (min_gap, max_gap) = Self::centroid_gaps(c);
        let mut radii = Vec::new();
        let mut assigned = 0usize;
        // With one centroid, or all centroids at one place, there is no ball to grow.
        if k > 1 && max_gap > 0.0 {
            let r_max = self.radius_limit_factor * max_gap;
            // Duplicate centroids give a zero gap; start from a small fraction of the spread.
            let mut r = if min_gap > 0.0 {
                min_gap / 2.0
            } else {
                max_gap / 1024.0
            };
            loop {
                let index = &self.index;
                let found: Vec<(Vec<Hit>, usize)> = (0..k)
                    .into_par_iter()
                    .map(|j| {
                        let mut hits = Vec::new();
                        let examined = index.range_query(c.row(j), r, &mut hits);
                        (hits, examined)
                    })
                    .collect();
                self.stats.range_queries += k as u64;
                let mut newly = 0usize;
                for (j, (hits, examined)) in found.into_iter().enumerate() {
                    self.stats.candidates_examined += examined as u64;
                    for h in hits {
                        let i = h.index as usize;
                        if labels[i] == UNASSIGNED {
                            labels[i] = j;
                            d2[i] = h.sq_dist;
                            newly += 1;
                        } else if h.sq_dist < d2[i] {
                            labels[i] = j;
                            d2[i] = h.sq_dist;
                        }
                    }
                }
                radii.push(r);
                let had_some = assigned > 0;
                assigned += newly;
                if assigned == n || (newly == 0 && had_some) {
                    break;
                }
                r *= 2.0;
                if r >= r_max {
                    break;
                }
            }
        }
        self.stats.range_assigned += assigned as u64;
        self.stats.brute_assigned += self.assign_leftovers(c, labels, d2);
        self.stats.radii.push(radii);
        None
    }

    fn reverse_stats(&self) -> Option<&ReverseStats> {
        Some(&self.stats)
    }
}
