//! Argument groups shared by several commands.

use std::path::PathBuf;

use clap::Args;
use latent_kmeans::data::{DataError, Dataset, DatasetSource, DEFAULT_DATASET};

/// Which dataset to use: a named one, or IDX files by path.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Named dataset: mnist-10k (embedded), fashion-mnist, fashion-mnist-test.
    #[arg(long, conflicts_with = "images")]
    pub dataset: Option<String>,
    /// IDX image file (u8 0x803, float, or the original's magic-0 f32; plain or .gz).
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// IDX label file (0x801) matching --images.
    #[arg(long, requires = "images")]
    pub labels: Option<PathBuf>,
    /// Use only the first N rows.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

impl DataArgs {
    /// Loads the dataset (and applies --limit).
    pub fn load(&self) -> Result<Dataset, DataError> {
        load(&self.dataset, &self.images, &self.labels, self.limit)
    }
}

/// The dataset selection of `evaluate`, where `--labels` names the clustering's labels and the
/// true labels of an IDX dataset come with `--true-labels`.
#[derive(Debug, Clone, Args)]
pub struct EvalDataArgs {
    /// Named dataset: mnist-10k (embedded), fashion-mnist, fashion-mnist-test.
    #[arg(long, conflicts_with = "images")]
    pub dataset: Option<String>,
    /// IDX image file (plain or .gz).
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// IDX file of the true labels (0x801) matching --images.
    #[arg(long, requires = "images")]
    pub true_labels: Option<PathBuf>,
    /// Use only the first N rows.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

impl EvalDataArgs {
    /// Loads the dataset (and applies --limit).
    pub fn load(&self) -> Result<Dataset, DataError> {
        load(&self.dataset, &self.images, &self.true_labels, self.limit)
    }
}

fn load(
    dataset: &Option<String>,
    images: &Option<PathBuf>,
    labels: &Option<PathBuf>,
    limit: Option<usize>,
) -> Result<Dataset, DataError> {
    let source = match images {
        Some(images) => DatasetSource::Files {
            images: images.clone(),
            labels: labels.clone(),
        },
        None => DatasetSource::Named(dataset.clone().unwrap_or_else(|| DEFAULT_DATASET.into())),
    };
    let d = source.load()?;
    match limit {
        Some(n) => d.head(n),
        None => Ok(d),
    }
}

/// `--lsh-cap N` or `--lsh-cap off`.
pub fn parse_cap(s: &str) -> Result<Option<usize>, String> {
    if s.eq_ignore_ascii_case("off") || s.eq_ignore_ascii_case("none") {
        Ok(None)
    } else {
        s.parse::<usize>()
            .map(Some)
            .map_err(|_| format!("expected a number or 'off', got '{s}'"))
    }
}
