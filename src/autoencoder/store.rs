//! A trained model on disk: `DIR/model.safetensors` (the weights) and `DIR/manifest.json`
//! (architecture, training record, provenance). Loading rebuilds the architecture from the
//! manifest and checks every tensor's name and shape against it before using any.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::AutoencoderConfig;
use super::error::AutoencoderError;
use super::model::Autoencoder;
use super::train::{TrainParams, TrainReport};
use crate::util::write_atomic;

pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const MANIFEST_FILE: &str = "manifest.json";

/// Everything known about a trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub config: AutoencoderConfig,
    pub latent_dim: usize,
    pub parameters: usize,
    pub dataset: String,
    pub n_train: usize,
    pub n_val: usize,
    pub training: TrainParams,
    pub report: TrainReport,
    /// Rayon threads during training (results are reproducible for a seed and thread count).
    pub threads: usize,
    pub crate_version: String,
}

impl Manifest {
    pub fn epochs_run(&self) -> usize {
        self.report.history.len()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> AutoencoderError + '_ {
    move |source| AutoencoderError::Io {
        path: path.into(),
        source,
    }
}

/// Writes the weights and the manifest into `dir` (created if needed), each atomically.
pub fn save_model(
    model: &Autoencoder,
    manifest: &Manifest,
    dir: &Path,
) -> Result<(), AutoencoderError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let weights = dir.join(WEIGHTS_FILE);
    let tmp = tempfile::Builder::new()
        .prefix(".weights-")
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    model.varmap().save(tmp.path())?;
    crate::util::atomic::make_readable(tmp.as_file()).map_err(io_err(dir))?;
    tmp.persist(&weights)
        .map_err(|e| io_err(&weights)(e.error))?;
    let json = serde_json::to_string_pretty(manifest).map_err(|e| AutoencoderError::Model {
        path: dir.into(),
        problem: e.to_string(),
    })?;
    let mpath = dir.join(MANIFEST_FILE);
    write_atomic(&mpath, |w| w.write_all(json.as_bytes())).map_err(io_err(&mpath))
}

/// Reads a manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest, AutoencoderError> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
    serde_json::from_str(&text).map_err(|e| AutoencoderError::Model {
        path,
        problem: format!("unreadable manifest: {e}"),
    })
}

/// Loads a model, checking the weights file against the manifest's architecture.
pub fn load_model(dir: &Path) -> Result<(Autoencoder, Manifest), AutoencoderError> {
    let manifest = read_manifest(dir)?;
    let model = Autoencoder::new(&manifest.config, 0)?;
    let bad = |problem: String| AutoencoderError::Model {
        path: dir.into(),
        problem,
    };
    if model.latent_dim() != manifest.latent_dim {
        return Err(bad(format!(
            "manifest says latent dimension {} but {} gives {}",
            manifest.latent_dim,
            manifest.config.describe(),
            model.latent_dim()
        )));
    }
    let wpath: PathBuf = dir.join(WEIGHTS_FILE);
    if !wpath.exists() {
        return Err(bad(format!("missing weights file {WEIGHTS_FILE}")));
    }
    let tensors = candle_core::safetensors::load(&wpath, model.device())
        .map_err(|e| bad(format!("unreadable {WEIGHTS_FILE}: {e}")))?;
    let vars = model.named_vars();
    if tensors.len() != vars.len() {
        return Err(bad(format!(
            "{WEIGHTS_FILE} holds {} tensors, the architecture has {}",
            tensors.len(),
            vars.len()
        )));
    }
    for (name, var) in &vars {
        let t = tensors
            .get(name)
            .ok_or_else(|| bad(format!("{WEIGHTS_FILE} has no tensor '{name}'")))?;
        if t.dims() != var.dims() {
            return Err(bad(format!(
                "tensor '{name}' is {:?} in {WEIGHTS_FILE}, the architecture needs {:?}",
                t.dims(),
                var.dims()
            )));
        }
        let t = t.to_dtype(candle_core::DType::F32)?;
        let finite = t
            .flatten_all()?
            .to_vec1::<f32>()?
            .iter()
            .all(|v| v.is_finite());
        if !finite {
            return Err(bad(format!("tensor '{name}' holds NaN or infinite values")));
        }
        var.set(&t)?;
    }
    Ok((model, manifest))
}

/// Model folders under `root` (those holding a manifest), sorted by name.
pub fn list_models(root: &Path) -> Result<Vec<PathBuf>, AutoencoderError> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(root)(e)),
    };
    for e in entries {
        let p = e.map_err(io_err(root))?.path();
        if p.join(MANIFEST_FILE).is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}
