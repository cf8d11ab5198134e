//! Named datasets: the embedded `mnist-10k` (compiled into the binary, so a fresh clone runs
//! with no download), Fashion-MNIST from the Debian package, and any IDX files given by path.

use std::path::{Path, PathBuf};

use super::dataset::Dataset;
use super::error::DataError;
use super::idx::read_idx_from;

const MNIST_10K_IMAGES: &[u8] = include_bytes!("../../data/mnist-10k/images-idx3-ubyte.gz");
const MNIST_10K_LABELS: &[u8] = include_bytes!("../../data/mnist-10k/labels-idx1-ubyte.gz");

/// Where Debian's `dataset-fashion-mnist` puts its files; `LATENT_KMEANS_FASHION_MNIST_DIR`
/// overrides it.
pub const FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The name of the default dataset.
pub const DEFAULT_DATASET: &str = "mnist-10k";

/// Names `load_named` understands.
pub const KNOWN_DATASETS: &[&str] = &["mnist-10k", "fashion-mnist", "fashion-mnist-test"];

/// Where a dataset comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetSource {
    Named(String),
    Files {
        images: PathBuf,
        labels: Option<PathBuf>,
    },
}

impl DatasetSource {
    /// Loads the dataset.
    pub fn load(&self) -> Result<Dataset, DataError> {
        match self {
            DatasetSource::Named(name) => load_named(name),
            DatasetSource::Files { images, labels } => {
                Dataset::load_idx_files(images, labels.as_deref())
            }
        }
    }
}

impl Default for DatasetSource {
    fn default() -> Self {
        DatasetSource::Named(DEFAULT_DATASET.into())
    }
}

/// Loads a dataset by name.
pub fn load_named(name: &str) -> Result<Dataset, DataError> {
    match name {
        "mnist-10k" => mnist_10k(),
        "fashion-mnist" => fashion_mnist("fashion-mnist", "train"),
        "fashion-mnist-test" => fashion_mnist("fashion-mnist-test", "t10k"),
        other => Err(DataError::UnknownDataset {
            name: other.into(),
            known: KNOWN_DATASETS.join(", "),
        }),
    }
}

/// The embedded 10 000 MNIST digits (see data/README.md for provenance and licence).
pub fn mnist_10k() -> Result<Dataset, DataError> {
    let img = read_idx_from(MNIST_10K_IMAGES, Path::new("<embedded mnist-10k images>"))?;
    let lab = read_idx_from(MNIST_10K_LABELS, Path::new("<embedded mnist-10k labels>"))?;
    Dataset::from_idx("mnist-10k", img, Some(lab), Path::new("<embedded>"))
}

fn fashion_dir() -> PathBuf {
    std::env::var_os("LATENT_KMEANS_FASHION_MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(FASHION_MNIST_DIR))
}

fn fashion_mnist(name: &str, prefix: &str) -> Result<Dataset, DataError> {
    let dir = fashion_dir();
    let images = dir.join(format!("{prefix}-images-idx3-ubyte.gz"));
    let labels = dir.join(format!("{prefix}-labels-idx1-ubyte.gz"));
    if !images.exists() || !labels.exists() {
        return Err(DataError::NotInstalled {
            name: name.into(),
            hint: format!(
                "{} not found; install it with `apt-get install dataset-fashion-mnist` \
                 or point LATENT_KMEANS_FASHION_MNIST_DIR at a folder holding {prefix}-*-ubyte.gz",
                images.display()
            ),
        });
    }
    let mut d = Dataset::load_idx_files(&images, Some(&labels))?;
    d.name = name.into();
    Ok(d)
}
