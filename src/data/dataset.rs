//! The one in-memory representation of a dataset: a row-major `f32` matrix (`n × d`), optional
//! `u8` labels, the image shape when rows are images, and a name for reports.

use std::collections::BTreeMap;
use std::path::Path;

use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;

use super::error::DataError;
use super::idx::{read_idx, IdxArray, IdxPayload};
use crate::util::seeded_rng;

/// A dataset: `features` is `n × d`; pixel images are scaled to `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    pub features: Array2<f32>,
    pub labels: Option<Vec<u8>>,
    /// `(rows, cols)` when each row is an image.
    pub image_shape: Option<(usize, usize)>,
}

/// What `data info` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DatasetSummary {
    pub name: String,
    pub n: usize,
    pub dim: usize,
    pub image_shape: Option<(usize, usize)>,
    pub min: f32,
    pub max: f32,
    pub mean: f64,
    /// Count per label value, when labels are present.
    pub label_counts: Option<BTreeMap<u8, usize>>,
}

impl Dataset {
    /// Builds a dataset, checking that labels match the rows and every value is finite.
    pub fn new(
        name: impl Into<String>,
        features: Array2<f32>,
        labels: Option<Vec<u8>>,
        image_shape: Option<(usize, usize)>,
    ) -> Result<Self, DataError> {
        let name = name.into();
        if features.nrows() == 0 || features.ncols() == 0 {
            return Err(DataError::Shape(format!(
                "dataset '{name}' is empty ({} × {})",
                features.nrows(),
                features.ncols()
            )));
        }
        if let Some(l) = &labels {
            if l.len() != features.nrows() {
                return Err(DataError::LabelCountMismatch {
                    path: name.clone().into(),
                    labels: l.len(),
                    images: features.nrows(),
                });
            }
        }
        if let Some((r, c)) = image_shape {
            if r * c != features.ncols() {
                return Err(DataError::Shape(format!(
                    "image shape {r}×{c} does not match {} features",
                    features.ncols()
                )));
            }
        }
        if let Some((index, &value)) = features.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DataError::NonFinite {
                path: name.into(),
                index,
                value,
            });
        }
        Ok(Dataset {
            name,
            features,
            labels,
            image_shape,
        })
    }

    /// Builds a dataset from decoded IDX arrays. u8 images are scaled by 1/255; f32 files are
    /// taken as they are (the original system stored images already scaled).
    pub fn from_idx(
        name: impl Into<String>,
        images: IdxArray,
        labels: Option<IdxArray>,
        labels_path: &Path,
    ) -> Result<Self, DataError> {
        let n = images.count();
        let d = images.item_len();
        let image_shape = match images.dims.as_slice() {
            [_, r, c] if *r > 1 => Some((*r, *c)),
            _ => None,
        };
        let values: Vec<f32> = match images.payload {
            IdxPayload::U8(v) => v.into_iter().map(|b| b as f32 / 255.0).collect(),
            IdxPayload::F32(v) => v,
        };
        let features = Array2::from_shape_vec((n, d), values)
            .map_err(|e| DataError::Shape(format!("images: {e}")))?;
        let labels = match labels {
            None => None,
            Some(arr) => {
                if arr.dims.len() != 1 {
                    return Err(DataError::WrongKind {
                        path: labels_path.into(),
                        expected: "a one-dimensional u8 label file (magic 0x801)",
                        found: arr.describe(),
                    });
                }
                match arr.payload {
                    IdxPayload::U8(v) => Some(v),
                    IdxPayload::F32(_) => {
                        return Err(DataError::WrongKind {
                            path: labels_path.into(),
                            expected: "u8 labels (magic 0x801)",
                            found: arr.describe(),
                        })
                    }
                }
            }
        };
        if let Some(l) = &labels {
            if l.len() != n {
                return Err(DataError::LabelCountMismatch {
                    path: labels_path.into(),
                    labels: l.len(),
                    images: n,
                });
            }
        }
        Dataset::new(name, features, labels, image_shape)
    }

    /// Loads images (and optionally labels) from IDX files on disk.
    pub fn load_idx_files(images: &Path, labels: Option<&Path>) -> Result<Self, DataError> {
        let img = read_idx(images)?;
        if img.dims.len() < 2 {
            return Err(DataError::WrongKind {
                path: images.into(),
                expected: "an image or feature file with at least two dimensions",
                found: img.describe(),
            });
        }
        let lab = labels.map(read_idx).transpose()?;
        let name = images
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dataset".into());
        Dataset::from_idx(name, img, lab, labels.unwrap_or(Path::new("")))
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.features.nrows()
    }

    /// Number of features per row.
    pub fn dim(&self) -> usize {
        self.features.ncols()
    }

    /// The rows at `indices`, in that order (labels follow).
    pub fn select(&self, indices: &[usize]) -> Result<Dataset, DataError> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.n()) {
            return Err(DataError::Invalid(format!(
                "row index {bad} out of range for {} rows",
                self.n()
            )));
        }
        Dataset::new(
            self.name.clone(),
            self.features.select(Axis(0), indices),
            self.labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            self.image_shape,
        )
    }

    /// The first `n` rows (all of them when `n ≥ self.n()`).
    pub fn head(&self, n: usize) -> Result<Dataset, DataError> {
        if n == 0 {
            return Err(DataError::Invalid("cannot take the first 0 rows".into()));
        }
        let idx: Vec<usize> = (0..n.min(self.n())).collect();
        let mut d = self.select(&idx)?;
        if n < self.n() {
            d.name = format!("{}[:{n}]", self.name);
        }
        Ok(d)
    }

    /// A permutation of the row indices, fixed by `seed`.
    pub fn permutation(&self, seed: u64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.n()).collect();
        idx.shuffle(&mut seeded_rng(seed));
        idx
    }

    /// The rows in an order fixed by `seed`.
    pub fn shuffled(&self, seed: u64) -> Dataset {
        self.select(&self.permutation(seed))
            .expect("a permutation selects valid rows")
    }

    /// Splits into `(train, validation)` with `round(n · val_fraction)` validation rows, drawn by
    /// `seed`; both parts keep the original relative row order.
    pub fn split(&self, val_fraction: f64, seed: u64) -> Result<(Dataset, Dataset), DataError> {
        if !(val_fraction > 0.0 && val_fraction < 1.0) {
            return Err(DataError::Invalid(format!(
                "validation fraction must be in (0, 1), got {val_fraction}"
            )));
        }
        let n_val = ((self.n() as f64) * val_fraction).round() as usize;
        if n_val == 0 || n_val >= self.n() {
            return Err(DataError::Invalid(format!(
                "a validation fraction of {val_fraction} leaves an empty part of {} rows",
                self.n()
            )));
        }
        let perm = self.permutation(seed);
        let mut val: Vec<usize> = perm[..n_val].to_vec();
        let mut train: Vec<usize> = perm[n_val..].to_vec();
        val.sort_unstable();
        train.sort_unstable();
        Ok((self.select(&train)?, self.select(&val)?))
    }

    /// n, dims, value range and label histogram.
    pub fn summary(&self) -> DatasetSummary {
        let (mut min, mut max, mut sum) = (f32::INFINITY, f32::NEG_INFINITY, 0f64);
        for &v in self.features.iter() {
            min = min.min(v);
            max = max.max(v);
            sum += v as f64;
        }
        let label_counts = self.labels.as_ref().map(|l| {
            let mut h = BTreeMap::new();
            for &x in l {
                *h.entry(x).or_insert(0) += 1;
            }
            h
        });
        DatasetSummary {
            name: self.name.clone(),
            n: self.n(),
            dim: self.dim(),
            image_shape: self.image_shape,
            min,
            max,
            mean: sum / self.features.len() as f64,
            label_counts,
        }
    }
}
