//! The crate-wide error: each module has its own typed error; this wraps them for callers
//! (the CLI) that handle everything the same way.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    #[error(transparent)]
    KMeans(#[from] crate::kmeans::KMeansError),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error(transparent)]
    Autoencoder(#[from] crate::autoencoder::AutoencoderError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}
