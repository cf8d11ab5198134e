//! Architecture descriptions (serde), validated before any tensor is built.

use serde::{Deserialize, Serialize};

use super::error::AutoencoderError;

/// The two families of SPEC §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Stacked linear layers, latent layer activated, decoder mirrored, 784 sigmoid output.
    Dense,
    /// 3×3 conv + 2×2 max-pool blocks, mirrored decoder with 2×2 up-sampling.
    Conv,
}

/// Hidden activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Elu,
    Gelu,
}

/// An autoencoder architecture for 28 × 28 images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoencoderConfig {
    pub family: Family,
    /// Dense: layer widths, the last is the latent size. Conv: filters per block.
    pub widths: Vec<usize>,
    pub activation: Activation,
}

/// Image side the models work on.
pub const SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;

/// Spatial side after `blocks` 2×2 max-pools with "same" padding (28 → 14 → 7 → 4 → 2 → 1).
pub fn pooled_side(blocks: usize) -> usize {
    (0..blocks).fold(SIDE, |s, _| s.div_ceil(2))
}

impl AutoencoderConfig {
    /// Checks the architecture can be built and gives back 28 × 28.
    pub fn validate(&self) -> Result<(), AutoencoderError> {
        if self.widths.is_empty() {
            return Err(AutoencoderError::Config(
                "at least one width is needed".into(),
            ));
        }
        if let Some(w) = self.widths.iter().find(|&&w| w == 0 || w > 4096) {
            return Err(AutoencoderError::Config(format!(
                "every width must be in 1..=4096, got {w}"
            )));
        }
        if self.family == Family::Conv {
            // The decoder doubles from the latent side and its last block's valid 3×3 conv turns
            // 16 into 14 before the final up-sampling to 28: latent side · 2^(blocks−1) = 16.
            let b = self.widths.len();
            if !(3..=5).contains(&b) {
                return Err(AutoencoderError::Config(format!(
                    "a conv autoencoder needs 3 to 5 blocks (28→…→4, 2 or 1 before the decoder \
                     mirrors back to 28), got {b}"
                )));
            }
        }
        Ok(())
    }

    /// Size of the flattened latent code.
    pub fn latent_dim(&self) -> usize {
        match self.family {
            Family::Dense => *self.widths.last().unwrap_or(&0),
            Family::Conv => {
                let s = pooled_side(self.widths.len());
                s * s * self.widths.last().unwrap_or(&0)
            }
        }
    }

    /// A short description, e.g. `conv[55,40,28,28,25] elu`.
    pub fn describe(&self) -> String {
        let w: Vec<String> = self.widths.iter().map(|w| w.to_string()).collect();
        format!(
            "{}[{}] {}",
            serde_json::to_value(self.family)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            w.join(","),
            serde_json::to_value(self.activation)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        )
    }
}
