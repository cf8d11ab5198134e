//! The two autoencoder families as candle modules, built from an [`AutoencoderConfig`].
//!
//! Weights start from a seeded Glorot-uniform draw (biases zero, as Keras does): candle's CPU
//! generator cannot be seeded, so every variable is overwritten from our own seeded RNG, in
//! name order, right after the model is built.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{conv2d, linear, Conv2d, Conv2dConfig, Linear, VarBuilder, VarMap};
use ndarray::{Array2, ArrayView2, Axis};
use rand_distr::{Distribution, Uniform};

use super::config::{pooled_side, Activation, AutoencoderConfig, Family, PIXELS, SIDE};
use super::convert::{array_from_tensor, tensor_from_view};
use super::error::AutoencoderError;
use crate::util::seeded_rng;

/// Rows per forward batch when encoding or decoding a whole dataset.
pub const INFERENCE_BATCH: usize = 512;

enum Net {
    Dense {
        encoder: Vec<Linear>,
        decoder: Vec<Linear>,
    },
    Conv {
        encoder: Vec<Conv2d>,
        decoder: Vec<Conv2d>,
        output: Conv2d,
        /// `(channels, side)` of the latent feature map.
        latent: (usize, usize),
    },
}

/// An autoencoder: its configuration, its variables and the network using them.
pub struct Autoencoder {
    config: AutoencoderConfig,
    varmap: VarMap,
    net: Net,
    device: Device,
}

fn activate(x: &Tensor, a: Activation) -> candle_core::Result<Tensor> {
    match a {
        Activation::Relu => x.relu(),
        Activation::Elu => x.elu(1.0),
        Activation::Gelu => x.gelu(),
    }
}

/// 2×2 max-pool with "same" padding: an odd side is padded by repeating the last row/column,
/// which leaves every maximum unchanged (7 → 4, as Keras' `padding="same"`).
fn max_pool_same(x: &Tensor) -> candle_core::Result<Tensor> {
    let (_, _, h, w) = x.dims4()?;
    let x = if h % 2 == 1 {
        x.pad_with_same(2, 0, 1)?
    } else {
        x.clone()
    };
    let x = if w % 2 == 1 {
        x.pad_with_same(3, 0, 1)?
    } else {
        x
    };
    x.max_pool2d(2)
}

impl std::fmt::Debug for Autoencoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Autoencoder({})", self.config.describe())
    }
}

impl Autoencoder {
    /// Builds the network with weights drawn from `seed`.
    pub fn new(config: &AutoencoderConfig, seed: u64) -> Result<Self, AutoencoderError> {
        config.validate()?;
        let device = Device::Cpu;
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
        let net = match config.family {
            Family::Dense => {
                let mut encoder = Vec::new();
                let mut prev = PIXELS;
                for (i, &w) in config.widths.iter().enumerate() {
                    encoder.push(linear(prev, w, vb.pp(format!("enc{i}")))?);
                    prev = w;
                }
                let mut decoder = Vec::new();
                let mut outs: Vec<usize> = config.widths.iter().rev().skip(1).copied().collect();
                outs.push(PIXELS);
                for (i, &w) in outs.iter().enumerate() {
                    decoder.push(linear(prev, w, vb.pp(format!("dec{i}")))?);
                    prev = w;
                }
                Net::Dense { encoder, decoder }
            }
            Family::Conv => {
                let same = Conv2dConfig {
                    padding: 1,
                    ..Default::default()
                };
                let valid = Conv2dConfig::default();
                let mut encoder = Vec::new();
                let mut prev = 1;
                for (i, &f) in config.widths.iter().enumerate() {
                    encoder.push(conv2d(prev, f, 3, same, vb.pp(format!("enc{i}")))?);
                    prev = f;
                }
                let latent = (prev, pooled_side(config.widths.len()));
                let mut decoder = Vec::new();
                let n = config.widths.len();
                for (i, &f) in config.widths.iter().rev().enumerate() {
                    let cfg = if i + 1 == n { valid } else { same };
                    decoder.push(conv2d(prev, f, 3, cfg, vb.pp(format!("dec{i}")))?);
                    prev = f;
                }
                let output = conv2d(prev, 1, 3, same, vb.pp("out"))?;
                Net::Conv {
                    encoder,
                    decoder,
                    output,
                    latent,
                }
            }
        };
        let model = Autoencoder {
            config: config.clone(),
            varmap,
            net,
            device,
        };
        model.reinitialise(seed)?;
        Ok(model)
    }

    /// Glorot-uniform weights and zero biases from `seed`, variable by variable in name order.
    fn reinitialise(&self, seed: u64) -> Result<(), AutoencoderError> {
        let mut rng = seeded_rng(seed);
        for (name, var) in self.named_vars() {
            let dims = var.dims().to_vec();
            let n: usize = dims.iter().product();
            let values: Vec<f32> = if name.ends_with("weight") && dims.len() >= 2 {
                let receptive: usize = dims.iter().skip(2).product();
                let fan_in = dims[1] * receptive;
                let fan_out = dims[0] * receptive;
                let bound = (6.0 / (fan_in + fan_out) as f32).sqrt();
                let u = Uniform::new_inclusive(-bound, bound);
                (0..n).map(|_| u.sample(&mut rng)).collect()
            } else {
                vec![0.0; n]
            };
            var.set(&Tensor::from_vec(values, dims, &self.device)?)?;
        }
        Ok(())
    }

    /// The variables, sorted by name (a deterministic order for init, snapshots and checks).
    pub(crate) fn named_vars(&self) -> Vec<(String, candle_core::Var)> {
        let data = self.varmap.data().lock().expect("var map lock");
        let mut v: Vec<(String, candle_core::Var)> =
            data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    pub(crate) fn varmap(&self) -> &VarMap {
        &self.varmap
    }

    pub(crate) fn device(&self) -> &Device {
        &self.device
    }

    /// The architecture.
    pub fn config(&self) -> &AutoencoderConfig {
        &self.config
    }

    /// Size of the latent code.
    pub fn latent_dim(&self) -> usize {
        self.config.latent_dim()
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.named_vars().iter().map(|(_, v)| v.elem_count()).sum()
    }

    /// `(batch, 784)` → `(batch, latent)`.
    pub(crate) fn encode_tensor(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let act = self.config.activation;
        match &self.net {
            Net::Dense { encoder, .. } => encoder
                .iter()
                .try_fold(x.clone(), |h, l| activate(&l.forward(&h)?, act)),
            Net::Conv { encoder, .. } => {
                let b = x.dim(0)?;
                let mut h = x.reshape((b, 1, SIDE, SIDE))?;
                for c in encoder {
                    h = max_pool_same(&activate(&c.forward(&h)?, act)?)?;
                }
                h.flatten_from(1)
            }
        }
    }

    /// `(batch, latent)` → `(batch, 784)` logits (the sigmoid is applied by callers that want
    /// pixels; the loss works on logits for numerical stability).
    pub(crate) fn decode_logits(&self, z: &Tensor) -> candle_core::Result<Tensor> {
        let act = self.config.activation;
        match &self.net {
            Net::Dense { decoder, .. } => {
                let mut h = z.clone();
                for (i, l) in decoder.iter().enumerate() {
                    h = l.forward(&h)?;
                    if i + 1 < decoder.len() {
                        h = activate(&h, act)?;
                    }
                }
                Ok(h)
            }
            Net::Conv {
                decoder,
                output,
                latent,
                ..
            } => {
                let b = z.dim(0)?;
                let mut h = z.reshape((b, latent.0, latent.1, latent.1))?;
                for c in decoder {
                    h = activate(&c.forward(&h)?, act)?;
                    let (_, _, hh, ww) = h.dims4()?;
                    h = h.upsample_nearest2d(hh * 2, ww * 2)?;
                }
                output.forward(&h)?.flatten_from(1)
            }
        }
    }

    fn check_input(&self, x: ArrayView2<f32>, expected: usize) -> Result<(), AutoencoderError> {
        if x.ncols() != expected {
            return Err(AutoencoderError::InputShape {
                expected,
                got: x.ncols(),
            });
        }
        Ok(())
    }

    fn batched(
        &self,
        x: ArrayView2<f32>,
        out_dim: usize,
        f: impl Fn(&Tensor) -> candle_core::Result<Tensor>,
    ) -> Result<Array2<f32>, AutoencoderError> {
        let mut out = Array2::<f32>::zeros((x.nrows(), out_dim));
        for (i, chunk) in x.axis_chunks_iter(Axis(0), INFERENCE_BATCH).enumerate() {
            let t = tensor_from_view(chunk, &self.device)?;
            let y = array_from_tensor(&f(&t)?)?;
            let start = i * INFERENCE_BATCH;
            out.slice_mut(ndarray::s![start..start + chunk.nrows(), ..])
                .assign(&y);
        }
        Ok(out)
    }

    /// Latent codes of the rows of `x` (`n × 784` pixels in [0, 1]).
    pub fn encode(&self, x: ArrayView2<f32>) -> Result<Array2<f32>, AutoencoderError> {
        self.check_input(x, PIXELS)?;
        self.batched(x, self.latent_dim(), |t| self.encode_tensor(t))
    }

    /// Images (`n × 784`, in (0, 1)) from latent codes.
    pub fn decode(&self, z: ArrayView2<f32>) -> Result<Array2<f32>, AutoencoderError> {
        self.check_input(z, self.latent_dim())?;
        self.batched(z, PIXELS, |t| {
            candle_nn::ops::sigmoid(&self.decode_logits(t)?)
        })
    }

    /// Encode then decode.
    pub fn reconstruct(&self, x: ArrayView2<f32>) -> Result<Array2<f32>, AutoencoderError> {
        self.check_input(x, PIXELS)?;
        self.batched(x, PIXELS, |t| {
            candle_nn::ops::sigmoid(&self.decode_logits(&self.encode_tensor(t)?)?)
        })
    }

    /// Mean per-pixel binary cross-entropy of the reconstructions of `x`.
    pub fn bce(&self, x: ArrayView2<f32>) -> Result<f64, AutoencoderError> {
        self.check_input(x, PIXELS)?;
        let mut total = 0.0;
        for chunk in x.axis_chunks_iter(Axis(0), INFERENCE_BATCH) {
            let t = tensor_from_view(chunk, &self.device)?;
            let logits = self.decode_logits(&self.encode_tensor(&t)?)?;
            let l = bce_with_logits(&logits, &t)?.to_scalar::<f32>()? as f64;
            total += l * chunk.nrows() as f64;
        }
        Ok(total / x.nrows() as f64)
    }
}

/// Mean binary cross-entropy of sigmoid(`logits`) against `target`, in the stable form
/// `max(z, 0) − z·y + log(1 + e^{−|z|})`.
pub(crate) fn bce_with_logits(logits: &Tensor, target: &Tensor) -> candle_core::Result<Tensor> {
    let softplus = (logits.abs()?.neg()?.exp()? + 1.0)?.log()?;
    let per = ((logits.relu()? - (logits * target)?)? + softplus)?;
    per.mean_all()
}

/// Mean squared error of sigmoid(`logits`) against `target`.
pub(crate) fn mse_with_logits(logits: &Tensor, target: &Tensor) -> candle_core::Result<Tensor> {
    let p = candle_nn::ops::sigmoid(logits)?;
    (p - target)?.sqr()?.mean_all()
}
