//! The data layer: IDX files, the in-memory [`Dataset`], named datasets and synthetic blobs.

pub mod dataset;
pub mod error;
pub mod idx;
pub mod matrix_io;
pub mod registry;
pub mod synthetic;

pub use dataset::{Dataset, DatasetSummary};
pub use error::DataError;
pub use idx::{read_idx, write_idx, IdxArray, IdxEncoding, IdxPayload};
pub use matrix_io::{read_matrix, write_matrix, MatrixFormat};
pub use registry::{load_named, DatasetSource, DEFAULT_DATASET, KNOWN_DATASETS};
pub use synthetic::{blobs, BlobsConfig};
