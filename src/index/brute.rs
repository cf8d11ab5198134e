//! Exact range search by a full scan: the ground truth for the approximate indexes.

use ndarray::{ArrayView1, ArrayView2};

use super::{Hit, RangeIndex};
use crate::linalg::sq_dist;

/// Scans every point.
pub struct BruteForceIndex<'a> {
    data: ArrayView2<'a, f32>,
}

impl<'a> BruteForceIndex<'a> {
    pub fn new(data: ArrayView2<'a, f32>) -> Self {
        BruteForceIndex { data }
    }
}

impl RangeIndex for BruteForceIndex<'_> {
    fn range_query(&self, q: ArrayView1<f32>, r: f32, out: &mut Vec<Hit>) -> usize {
        let r2 = r * r;
        for (i, row) in self.data.rows().into_iter().enumerate() {
            let d = sq_dist(row, q);
            if d < r2 {
                out.push(Hit {
                    index: i as u32,
                    sq_dist: d,
                });
            }
        }
        self.data.nrows()
    }

    fn len(&self) -> usize {
        self.data.nrows()
    }
}
