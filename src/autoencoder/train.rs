//! Mini-batch training with early stopping on a validation split: the best weights (lowest
//! validation loss) are restored at the end. Shuffling is drawn from the seed, so a run is
//! reproducible for a given seed and thread count.

use std::time::Instant;

use candle_core::Tensor;
use candle_nn::{AdamW, Optimizer as _, ParamsAdamW, SGD};
use ndarray::{ArrayView2, Axis};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::config::PIXELS;
use super::convert::tensor_from_view;
use super::error::AutoencoderError;
use super::model::{bce_with_logits, mse_with_logits, Autoencoder};
use crate::util::rng::{derive_seed, seeded_rng};

/// Optimisers candle-nn offers (the original's Nadam and Adamax are not among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// AdamW with no weight decay.
    Adam,
    AdamW,
    Sgd,
}

/// Reconstruction loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LossKind {
    /// Binary cross-entropy per pixel (the original's).
    Bce,
    /// Mean squared error of the sigmoid output.
    Mse,
}

/// Training hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    pub max_epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub optimizer: OptimizerKind,
    pub weight_decay: f64,
    pub loss: LossKind,
    /// Stop after this many epochs without a validation improvement of more than `min_delta`.
    pub patience: usize,
    pub min_delta: f64,
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            max_epochs: 50,
            batch_size: 128,
            learning_rate: 1e-3,
            optimizer: OptimizerKind::Adam,
            weight_decay: 0.01,
            loss: LossKind::Bce,
            patience: 5,
            min_delta: 1e-4,
            seed: 0,
        }
    }
}

impl TrainParams {
    /// Checks every value is usable.
    pub fn validate(&self) -> Result<(), AutoencoderError> {
        let bad = |m: &str| Err(AutoencoderError::Training(m.into()));
        if self.max_epochs == 0 {
            return bad("max_epochs must be ≥ 1");
        }
        if self.batch_size == 0 {
            return bad("batch size must be ≥ 1");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("learning rate must be finite and > 0");
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return bad("weight decay must be finite and ≥ 0");
        }
        if !(self.min_delta >= 0.0 && self.min_delta.is_finite()) {
            return bad("min_delta must be finite and ≥ 0");
        }
        if self.patience == 0 {
            return bad("patience must be ≥ 1");
        }
        Ok(())
    }
}

/// One epoch's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub train_loss: f64,
    pub val_loss: f64,
    pub seconds: f64,
}

/// What a training run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    pub history: Vec<EpochRecord>,
    /// 1-based epoch whose weights were kept.
    pub best_epoch: usize,
    pub best_val_loss: f64,
    pub stopped_early: bool,
    pub seconds: f64,
}

enum Opt {
    AdamW(AdamW),
    Sgd(SGD),
}

impl Opt {
    fn step(&mut self, loss: &Tensor) -> candle_core::Result<()> {
        match self {
            Opt::AdamW(o) => o.backward_step(loss),
            Opt::Sgd(o) => o.backward_step(loss),
        }
    }
}

fn loss_of(model: &Autoencoder, kind: LossKind, x: &Tensor) -> candle_core::Result<Tensor> {
    let logits = model.decode_logits(&model.encode_tensor(x)?)?;
    match kind {
        LossKind::Bce => bce_with_logits(&logits, x),
        LossKind::Mse => mse_with_logits(&logits, x),
    }
}

/// Mean loss over `x` (in inference batches), weighted by batch size.
pub fn evaluate_loss(
    model: &Autoencoder,
    kind: LossKind,
    x: ArrayView2<f32>,
) -> Result<f64, AutoencoderError> {
    let mut total = 0.0;
    for chunk in x.axis_chunks_iter(Axis(0), super::model::INFERENCE_BATCH) {
        let t = tensor_from_view(chunk, model.device())?;
        total += loss_of(model, kind, &t)?.to_scalar::<f32>()? as f64 * chunk.nrows() as f64;
    }
    Ok(total / x.nrows().max(1) as f64)
}

/// Trains `model` on `train`, early-stopping on `val`; `on_epoch` sees each epoch's record.
pub fn train(
    model: &mut Autoencoder,
    train: ArrayView2<f32>,
    val: ArrayView2<f32>,
    params: &TrainParams,
    on_epoch: &mut dyn FnMut(&EpochRecord),
) -> Result<TrainReport, AutoencoderError> {
    params.validate()?;
    for (what, (rows, cols)) in [("training", train.dim()), ("validation", val.dim())] {
        if cols != PIXELS {
            return Err(AutoencoderError::InputShape {
                expected: PIXELS,
                got: cols,
            });
        }
        if rows == 0 {
            return Err(AutoencoderError::Training(format!(
                "the {what} set is empty"
            )));
        }
    }
    let start = Instant::now();
    let vars = model.varmap().all_vars();
    let mut opt = match params.optimizer {
        OptimizerKind::Sgd => Opt::Sgd(SGD::new(vars, params.learning_rate)?),
        kind => Opt::AdamW(AdamW::new(
            vars,
            ParamsAdamW {
                lr: params.learning_rate,
                weight_decay: if kind == OptimizerKind::Adam {
                    0.0
                } else {
                    params.weight_decay
                },
                ..Default::default()
            },
        )?),
    };
    let mut history = Vec::new();
    let mut best: Option<(usize, f64, Vec<Tensor>)> = None;
    let mut since_best = 0;
    let mut stopped_early = false;
    let mut order: Vec<usize> = (0..train.nrows()).collect();
    for epoch in 1..=params.max_epochs {
        let t0 = Instant::now();
        order.shuffle(&mut seeded_rng(derive_seed(params.seed, epoch as u64)));
        let mut sum = 0.0;
        for batch in order.chunks(params.batch_size) {
            let xb = train.select(Axis(0), batch);
            let t = tensor_from_view(xb.view(), model.device())?;
            let loss = loss_of(model, params.loss, &t)?;
            opt.step(&loss)?;
            sum += loss.to_scalar::<f32>()? as f64 * batch.len() as f64;
        }
        let train_loss = sum / train.nrows() as f64;
        let val_loss = evaluate_loss(model, params.loss, val)?;
        if !(train_loss.is_finite() && val_loss.is_finite()) {
            return Err(AutoencoderError::Training(format!(
                "loss diverged at epoch {epoch} (train {train_loss}, validation {val_loss}); \
                 try a smaller learning rate"
            )));
        }
        let rec = EpochRecord {
            epoch,
            train_loss,
            val_loss,
            seconds: t0.elapsed().as_secs_f64(),
        };
        on_epoch(&rec);
        history.push(rec);
        let improved = best
            .as_ref()
            .is_none_or(|(_, b, _)| val_loss < b - params.min_delta);
        if improved {
            let snapshot = model
                .named_vars()
                .iter()
                .map(|(_, v)| v.as_tensor().copy())
                .collect::<candle_core::Result<Vec<_>>>()?;
            best = Some((epoch, val_loss, snapshot));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= params.patience {
                stopped_early = true;
                break;
            }
        }
    }
    let (best_epoch, best_val_loss, snapshot) = best.expect("at least one epoch ran");
    for ((_, var), t) in model.named_vars().iter().zip(snapshot) {
        var.set(&t)?;
    }
    Ok(TrainReport {
        history,
        best_epoch,
        best_val_loss,
        stopped_early,
        seconds: start.elapsed().as_secs_f64(),
    })
}
