//! `latent-kmeans train` and `latent-kmeans encode`.

use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use latent_kmeans::autoencoder::{
    load_model, save_model, train, Activation, Autoencoder, AutoencoderConfig, Family, LossKind,
    Manifest, OptimizerKind, TrainParams,
};
use latent_kmeans::data::{write_matrix, MatrixFormat};
use latent_kmeans::experiment::encode_normalised;
use latent_kmeans::Error;

use super::args::DataArgs;
use super::output::print_json;
use super::progress::with_spinner;

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// dense or conv.
    #[arg(long, value_enum)]
    pub family: Family,
    /// Dense: layer widths (last = latent). Conv: filters per block (3 to 5 blocks).
    #[arg(long, value_delimiter = ',', required = true)]
    pub widths: Vec<usize>,
    #[arg(long, value_enum, default_value = "relu")]
    pub activation: Activation,
    /// Maximum epochs.
    #[arg(long, default_value_t = 50)]
    pub epochs: usize,
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    #[arg(long, value_enum, default_value = "adam")]
    pub optimizer: OptimizerKind,
    #[arg(long, value_enum, default_value = "bce")]
    pub loss: LossKind,
    /// Early stopping: epochs without validation improvement before stopping.
    #[arg(long, default_value_t = 5)]
    pub patience: usize,
    /// Early stopping: smallest validation improvement that counts.
    #[arg(long, default_value_t = 1e-4)]
    pub min_delta: f64,
    /// Fraction of the dataset held out for validation.
    #[arg(long, default_value_t = 0.1)]
    pub val_fraction: f64,
    /// Output folder (weights + manifest), e.g. models/dense_26.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Model folder (holding manifest.json and model.safetensors).
    #[arg(long)]
    pub model: PathBuf,
    /// Output file (.gz compresses).
    #[arg(long)]
    pub out: PathBuf,
    /// idx (standard big-endian f32, n × d) or original (magic 0, little-endian, n × 1 × d).
    #[arg(long, value_enum, default_value = "idx")]
    pub format: MatrixFormat,
    /// Write the globally min–max normalised codes (as the clustering sees them).
    #[arg(long)]
    pub normalised: bool,
}

pub fn run_train(a: &TrainArgs, seed: u64, json: bool) -> Result<(), Error> {
    let config = AutoencoderConfig {
        family: a.family,
        widths: a.widths.clone(),
        activation: a.activation,
    };
    let params = TrainParams {
        max_epochs: a.epochs,
        batch_size: a.batch,
        learning_rate: a.lr,
        optimizer: a.optimizer,
        loss: a.loss,
        patience: a.patience,
        min_delta: a.min_delta,
        seed,
        ..TrainParams::default()
    };
    params.validate()?;
    let ds = a.data.load()?;
    let (tr, va) = ds.split(a.val_fraction, seed)?;
    let mut model = Autoencoder::new(&config, seed)?;
    let bar = ProgressBar::new(a.epochs as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg} [{elapsed} < {eta}]")
            .expect("static template"),
    );
    bar.set_message(format!("training {}", config.describe()));
    let report = train(
        &mut model,
        tr.features.view(),
        va.features.view(),
        &params,
        &mut |e| {
            bar.set_position(e.epoch as u64);
            bar.set_message(format!("train {:.4} val {:.4}", e.train_loss, e.val_loss));
        },
    )?;
    bar.finish_and_clear();
    let name = a
        .out
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    let manifest = Manifest {
        name,
        latent_dim: model.latent_dim(),
        parameters: model.parameter_count(),
        config,
        dataset: ds.name.clone(),
        n_train: tr.n(),
        n_val: va.n(),
        training: params,
        report,
        threads: rayon::current_num_threads(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
    };
    save_model(&model, &manifest, &a.out)?;
    if json {
        return print_json(&manifest);
    }
    let r = &manifest.report;
    println!(
        "model       {} → {}",
        manifest.config.describe(),
        a.out.display()
    );
    println!(
        "latent      {} dimensions, {} parameters",
        manifest.latent_dim, manifest.parameters
    );
    println!(
        "training    {} epochs in {:.1} s{}; best epoch {} with validation loss {:.5}",
        r.history.len(),
        r.seconds,
        if r.stopped_early { " (early stop)" } else { "" },
        r.best_epoch,
        r.best_val_loss
    );
    Ok(())
}

pub fn run_encode(a: &EncodeArgs, json: bool) -> Result<(), Error> {
    let (model, manifest) = load_model(&a.model)?;
    let ds = a.data.load()?;
    let codes = with_spinner(
        format!("encoding {} with {}", ds.name, manifest.name),
        || {
            if a.normalised {
                encode_normalised(&model, ds.features.view()).map(|c| c.codes)
            } else {
                model.encode(ds.features.view()).map_err(Error::from)
            }
        },
    )?;
    write_matrix(&a.out, &codes, a.format)?;
    if json {
        return print_json(&serde_json::json!({
            "model": manifest.name, "dataset": ds.name, "n": codes.nrows(),
            "latent_dim": codes.ncols(), "out": a.out, "normalised": a.normalised,
        }));
    }
    println!(
        "encoded {} × {} with {} into {} ({} codes)",
        codes.nrows(),
        ds.dim(),
        manifest.name,
        a.out.display(),
        codes.ncols()
    );
    Ok(())
}
