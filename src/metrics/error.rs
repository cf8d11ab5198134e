//! Errors of the evaluation metrics.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsError {
    #[error("{what}: expected {expected}, got {got}")]
    Length {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("label {label} at point {index} is outside 0..{k}")]
    LabelOutOfRange {
        index: usize,
        label: usize,
        k: usize,
    },
    #[error("silhouette needs at least 2 non-empty clusters, found {0}")]
    TooFewClusters(usize),
    #[error("centroids are {got_rows} × {got_cols}, expected {k} × {dim}")]
    CentroidShape {
        k: usize,
        dim: usize,
        got_rows: usize,
        got_cols: usize,
    },
    #[error("no points to evaluate")]
    Empty,
    #[error("value at row {row}, column {col} is not finite")]
    NonFinite { row: usize, col: usize },
}
