//! Errors of K-Means: one variant per way the parameters or the data can be wrong.

use crate::index::IndexError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KMeansError {
    #[error("k must be ≥ 1")]
    ZeroClusters,
    #[error("k = {k} exceeds the number of points n = {n}")]
    TooManyClusters { k: usize, n: usize },
    #[error("tolerance must be finite and > 0, got {0}")]
    InvalidTolerance(f64),
    #[error("max_iter must be ≥ 1")]
    ZeroMaxIter,
    #[error("the data is empty")]
    EmptyData,
    #[error("value at row {row}, column {col} is not finite")]
    NonFinite { row: usize, col: usize },
    #[error("initial centroids are {got_rows} × {got_cols}, expected {k} × {dim}")]
    CentroidShape {
        k: usize,
        dim: usize,
        got_rows: usize,
        got_cols: usize,
    },
    #[error("radius limit factor must be finite and > 0, got {0}")]
    InvalidRadiusFactor(f32),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("linfa KMeans failed: {0}")]
    Linfa(String),
}
