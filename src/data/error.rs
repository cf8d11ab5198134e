//! Typed errors of the data layer: every variant names the file (or source) and the problem,
//! so a user can act on the message without reading the code.

use std::path::PathBuf;

/// What went wrong while reading, writing or validating a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: file too short for an IDX header ({len} bytes, need {need})")]
    ShortHeader {
        path: PathBuf,
        len: usize,
        need: usize,
    },
    #[error("{path}: unknown IDX magic 0x{magic:08x}")]
    UnknownMagic { path: PathBuf, magic: u32 },
    #[error("{path}: expected {expected}, found {found}")]
    WrongKind {
        path: PathBuf,
        expected: &'static str,
        found: String,
    },
    #[error("{path}: header declares {declared} payload bytes, which is implausibly large")]
    TooLarge { path: PathBuf, declared: u128 },
    #[error("{path}: truncated payload: header declares {expected} bytes, file holds {found}")]
    Truncated {
        path: PathBuf,
        expected: usize,
        found: usize,
    },
    #[error("{path}: {extra} unexpected trailing bytes after the declared payload")]
    TrailingBytes { path: PathBuf, extra: usize },
    #[error("{path}: header has a zero dimension {dims:?}")]
    ZeroDimension { path: PathBuf, dims: Vec<usize> },
    #[error("{path}: value {value} at index {index} is not finite")]
    NonFinite {
        path: PathBuf,
        index: usize,
        value: f32,
    },
    #[error("label count {labels} does not match image count {images} ({path})")]
    LabelCountMismatch {
        path: PathBuf,
        labels: usize,
        images: usize,
    },
    #[error("shape mismatch: {0}")]
    Shape(String),
    #[error("unknown dataset '{name}' (known: {known})")]
    UnknownDataset { name: String, known: String },
    #[error("dataset '{name}' is not installed: {hint}")]
    NotInstalled { name: String, hint: String },
    #[error("invalid argument: {0}")]
    Invalid(String),
}

impl DataError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}
