//! The latent normalisation of SPEC §1: one global min–max over all latent values. It is kept
//! with the codes as an invertible transform, so centroids found in the normalised space are
//! mapped back before decoding (the original system decoded normalised centroids — a bug).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// `x ↦ (x − min) / (max − min)` and back.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatentNormaliser {
    pub min: f32,
    pub max: f32,
}

impl LatentNormaliser {
    /// Fits the global minimum and maximum of `codes`.
    pub fn fit(codes: &Array2<f32>) -> Self {
        let (min, max) = codes
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if min.is_finite() {
            LatentNormaliser { min, max }
        } else {
            LatentNormaliser { min: 0.0, max: 0.0 }
        }
    }

    fn span(&self) -> f32 {
        self.max - self.min
    }

    /// Maps codes into `[0, 1]` (a constant code maps to 0).
    pub fn normalise(&self, codes: &Array2<f32>) -> Array2<f32> {
        let span = self.span();
        if span > 0.0 {
            codes.mapv(|v| (v - self.min) / span)
        } else {
            codes.mapv(|_| 0.0)
        }
    }

    /// Maps normalised values (e.g. centroids) back into the decoder's latent space.
    pub fn denormalise(&self, values: &Array2<f32>) -> Array2<f32> {
        let span = self.span();
        values.mapv(|v| v * span + self.min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn round_trip_and_range() {
        let c = array![[-2.0f32, 0.5], [3.0, 1.0]];
        let n = LatentNormaliser::fit(&c);
        let z = n.normalise(&c);
        assert_eq!(z.iter().cloned().fold(f32::INFINITY, f32::min), 0.0);
        assert_eq!(z.iter().cloned().fold(f32::NEG_INFINITY, f32::max), 1.0);
        let back = n.denormalise(&z);
        for (a, b) in back.iter().zip(c.iter()) {
            assert!((a - b).abs() < 1e-6);
        }
    }
}
