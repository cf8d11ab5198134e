//! Range-search indexes behind one trait, so that reverse assignment is written once and works
//! with any of them: LSH, the random-projection hypercube, and exact brute force (the reference
//! every approximate index is tested against).

pub mod brute;
pub mod hashing;
pub mod hypercube;
pub mod lsh;

use ndarray::ArrayView1;

pub use brute::BruteForceIndex;
pub use hypercube::{CubeParams, HypercubeIndex};
pub use lsh::{LshIndex, LshParams};

/// A point found by a range query: its row index and its squared distance to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub index: u32,
    pub sq_dist: f32,
}

/// An index over a fixed set of points that answers range queries.
pub trait RangeIndex: Send + Sync {
    /// Appends to `out` every point the index finds with `|p − q| < r`, each at most once, and
    /// returns the number of candidates it examined (the work done).
    fn range_query(&self, q: ArrayView1<f32>, r: f32, out: &mut Vec<Hit>) -> usize;

    /// Number of indexed points.
    fn len(&self) -> usize;

    /// Whether the index holds no point.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Errors in index parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndexError {
    #[error("invalid index parameter: {0}")]
    InvalidParam(String),
}
