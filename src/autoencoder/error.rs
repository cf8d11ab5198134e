//! Errors of the autoencoder module.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AutoencoderError {
    #[error("invalid autoencoder configuration: {0}")]
    Config(String),
    #[error("invalid training parameter: {0}")]
    Training(String),
    #[error("input has {got} features, the model expects {expected}")]
    InputShape { expected: usize, got: usize },
    #[error("model {path}: {problem}")]
    Model { path: PathBuf, problem: String },
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}
