//! Seeded Gaussian blobs with known labels, for tests and benches: the ground truth is known,
//! so a clustering can be checked against it.

use ndarray::Array2;
use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};

use super::dataset::Dataset;
use super::error::DataError;
use crate::util::seeded_rng;

/// Parameters of [`blobs`].
#[derive(Debug, Clone, PartialEq)]
pub struct BlobsConfig {
    pub n: usize,
    pub dim: usize,
    pub k: usize,
    /// Standard deviation of each blob.
    pub std: f32,
    /// Centres are drawn uniformly from `[-spread, spread]^dim`.
    pub spread: f32,
    pub seed: u64,
}

impl Default for BlobsConfig {
    fn default() -> Self {
        BlobsConfig {
            n: 1000,
            dim: 8,
            k: 5,
            std: 0.5,
            spread: 10.0,
            seed: 0,
        }
    }
}

/// `n` points around `k` random centres; point `i` belongs to blob `i mod k`'s shuffle-free
/// assignment drawn at random, and its label is that blob.
pub fn blobs(cfg: &BlobsConfig) -> Result<Dataset, DataError> {
    if cfg.k == 0 || cfg.k > 256 || cfg.n < cfg.k || cfg.dim == 0 {
        return Err(DataError::Invalid(format!(
            "blobs need 1 ≤ k ≤ 256, n ≥ k and dim ≥ 1 (got n={}, dim={}, k={})",
            cfg.n, cfg.dim, cfg.k
        )));
    }
    if !(cfg.std >= 0.0 && cfg.std.is_finite() && cfg.spread > 0.0 && cfg.spread.is_finite()) {
        return Err(DataError::Invalid(
            "blobs need a finite std ≥ 0 and spread > 0".into(),
        ));
    }
    let mut rng = seeded_rng(cfg.seed);
    let centre = Uniform::new_inclusive(-cfg.spread, cfg.spread);
    let centres = Array2::from_shape_fn((cfg.k, cfg.dim), |_| centre.sample(&mut rng));
    let noise = Normal::new(0.0f32, cfg.std).map_err(|e| DataError::Invalid(e.to_string()))?;
    // The first k points cover every blob, so no blob is empty.
    let labels: Vec<u8> = (0..cfg.n)
        .map(|i| {
            if i < cfg.k {
                i as u8
            } else {
                rng.gen_range(0..cfg.k) as u8
            }
        })
        .collect();
    let mut x = Array2::<f32>::zeros((cfg.n, cfg.dim));
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let c = centres.row(labels[i] as usize);
        for (v, &m) in row.iter_mut().zip(c.iter()) {
            *v = m + noise.sample(&mut rng);
        }
    }
    Dataset::new(
        format!("blobs(n={},d={},k={})", cfg.n, cfg.dim, cfg.k),
        x,
        Some(labels),
        None,
    )
}
