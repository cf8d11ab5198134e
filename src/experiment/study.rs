//! The study (the original notebook's experiment, done correctly): for every model × method ×
//! seed, cluster in latent space and judge the result in latent space and latent→initial; plus
//! the pixel-space baseline. Jobs are independent and deterministic, so running them in
//! parallel gives exactly the serial results.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::grid::{BestParams, CellParams};
use super::latent::{encode_normalised, evaluate_two_spaces, LatentCodes};
use crate::autoencoder::{load_model, Autoencoder, Manifest};
use crate::data::Dataset;
use crate::index::{CubeParams, LshParams};
use crate::kmeans::{fit, KMeansParams, Method};
use crate::metrics::{evaluate_space, external_against, Definition, SpaceEvaluation};
use crate::Error;

/// What to run. Deserialises from the TOML experiment file (every field has a default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StudyConfig {
    /// Dataset name (mnist-10k, fashion-mnist, …).
    pub dataset: String,
    /// Use only the first N images.
    pub limit: Option<usize>,
    /// Model folders; empty = every model in the models folder.
    pub models: Vec<PathBuf>,
    /// Methods in latent space: classic, lsh, cube, linfa.
    pub methods: Vec<String>,
    pub k: usize,
    pub seeds: Vec<u64>,
    pub max_iter: usize,
    pub tol: f64,
    pub lsh: LshParams,
    pub cube: CubeParams,
    /// Methods run directly on the pixels (the baseline); empty = none.
    pub pixel_methods: Vec<String>,
    /// Run independent jobs in parallel (identical results either way).
    pub parallel: bool,
    /// Per-model LSH/CUBE parameters chosen by a grid search (model → method → params).
    #[serde(skip)]
    pub overrides: BTreeMap<String, BTreeMap<String, BestParams>>,
}

impl Default for StudyConfig {
    fn default() -> Self {
        StudyConfig {
            dataset: crate::data::DEFAULT_DATASET.into(),
            limit: None,
            models: vec![],
            methods: vec![
                "classic".into(),
                "lsh".into(),
                "cube".into(),
                "linfa".into(),
            ],
            k: 10,
            seeds: vec![0, 1, 2],
            max_iter: 300,
            tol: 1e-4,
            lsh: LshParams::default(),
            cube: CubeParams::default(),
            pixel_methods: vec!["classic".into(), "linfa".into()],
            parallel: true,
            overrides: BTreeMap::new(),
        }
    }
}

impl StudyConfig {
    /// The method a name stands for, with this study's index parameters.
    pub fn method(&self, name: &str) -> Result<Method, Error> {
        match name {
            "classic" => Ok(Method::Classic),
            "lsh" => Ok(Method::Lsh(self.lsh.clone())),
            "cube" => Ok(Method::Cube(self.cube.clone())),
            "linfa" => Ok(Method::Linfa),
            other => Err(Error::Invalid(format!(
                "unknown method '{other}' (classic, lsh, cube, linfa)"
            ))),
        }
    }

    /// The method for a model, with the grid search's parameters when there are some.
    pub fn method_for(&self, name: &str, model: Option<&str>) -> Result<Method, Error> {
        let chosen = model
            .and_then(|m| self.overrides.get(m))
            .and_then(|o| o.get(name))
            .map(|b| &b.params);
        match chosen {
            Some(CellParams::Lsh(p)) => Ok(Method::Lsh(p.clone())),
            Some(CellParams::Cube(p)) => Ok(Method::Cube(p.clone())),
            _ => self.method(name),
        }
    }

    /// Checks the parts that can be checked without data.
    pub fn validate(&self) -> Result<(), Error> {
        if self.seeds.is_empty() {
            return Err(Error::Invalid("at least one seed is needed".into()));
        }
        if self.methods.is_empty() && self.pixel_methods.is_empty() {
            return Err(Error::Invalid("no method to run".into()));
        }
        for m in self.methods.iter().chain(&self.pixel_methods) {
            KMeansParams::builder(self.k)
                .method(self.method(m)?)
                .max_iter(self.max_iter)
                .tol(self.tol)
                .check()?;
        }
        Ok(())
    }
}

/// One row of the results: one clustering, judged in its space and in pixel space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// `pixels` or the model's name.
    pub space: String,
    pub latent_dim: Option<usize>,
    pub method: String,
    pub seed: u64,
    pub k: usize,
    pub n: usize,
    pub iterations: Option<usize>,
    pub converged: Option<bool>,
    /// Latent space, latent centroids (latent runs only).
    pub objective_latent: Option<f64>,
    /// Pixel space with the run's centroids: decoded latent centroids, or the pixel centroids.
    pub objective_pixel_centroids: f64,
    /// Pixel space with the pixel means of each cluster.
    pub objective_pixel_means: f64,
    pub silhouette_latent_standard: Option<f64>,
    pub silhouette_latent_compat: Option<f64>,
    /// Latent → initial (or plain pixel space for the baseline).
    pub silhouette_initial_standard: f64,
    pub silhouette_initial_compat: f64,
    pub silhouette_initial_standard_per_cluster: Vec<Option<f64>>,
    pub nmi: Option<f64>,
    pub ari: Option<f64>,
    pub purity: Option<f64>,
    pub time_cluster_s: f64,
    pub time_seeding_s: Option<f64>,
    pub time_index_s: Option<f64>,
    pub time_assignment_s: Option<f64>,
    pub time_update_s: Option<f64>,
    pub time_evaluation_s: f64,
    pub range_fraction: Option<f64>,
    pub sizes: Vec<usize>,
    /// The run's centroids as 784-pixel images (decoded for latent runs).
    #[serde(skip)]
    pub centroid_images: Array2<f32>,
    /// Pixel means of the run's clusters.
    #[serde(skip)]
    pub pixel_means: Array2<f32>,
}

/// A loaded model with the dataset's normalised codes.
pub struct EncodedModel {
    pub manifest: Manifest,
    pub model: Autoencoder,
    pub codes: LatentCodes,
}

/// Loads and encodes every model once.
pub fn encode_models(paths: &[PathBuf], data: &Dataset) -> Result<Vec<EncodedModel>, Error> {
    paths
        .iter()
        .map(|p| {
            let (model, manifest) = load_model(p)?;
            let codes = encode_normalised(&model, data.features.view())?;
            Ok(EncodedModel {
                manifest,
                model,
                codes,
            })
        })
        .collect()
}

/// One job of the study.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Index into the encoded models; `None` = pixel space.
    pub model: Option<usize>,
    pub method: String,
    pub seed: u64,
}

/// Every job of a study, in a fixed order: models × methods × seeds, then the pixel baseline.
pub fn jobs(cfg: &StudyConfig, n_models: usize) -> Vec<Job> {
    let mut out = Vec::new();
    for m in 0..n_models {
        for method in &cfg.methods {
            for &seed in &cfg.seeds {
                out.push(Job {
                    model: Some(m),
                    method: method.clone(),
                    seed,
                });
            }
        }
    }
    for method in &cfg.pixel_methods {
        for &seed in &cfg.seeds {
            out.push(Job {
                model: None,
                method: method.clone(),
                seed,
            });
        }
    }
    out
}

fn silhouette_total(e: &SpaceEvaluation, d: Definition) -> Option<f64> {
    match d {
        Definition::Standard => e.silhouette_standard.as_ref().map(|s| s.total),
        Definition::Compat => e.silhouette_compat.as_ref().map(|s| s.total),
    }
}

/// Runs one job.
pub fn run_job(
    cfg: &StudyConfig,
    data: &Dataset,
    models: &[EncodedModel],
    job: &Job,
) -> Result<RunRecord, Error> {
    let model_name = job.model.map(|i| models[i].manifest.name.as_str());
    let params = KMeansParams::builder(cfg.k)
        .method(cfg.method_for(&job.method, model_name)?)
        .seed(job.seed)
        .max_iter(cfg.max_iter)
        .tol(cfg.tol)
        .check()?;
    let defs = [Definition::Standard, Definition::Compat];
    let pixels = data.features.view();
    let (space, latent_dim, clustering, latent, initial, external, centroid_images, eval_s) =
        match job.model {
            Some(i) => {
                let m = &models[i];
                let c = fit(&params, m.codes.codes.view())?;
                let t = Instant::now();
                let e = evaluate_two_spaces(
                    &m.model,
                    &m.codes,
                    pixels,
                    data.labels.as_deref(),
                    &c,
                    &defs,
                )?;
                let eval_s = t.elapsed().as_secs_f64();
                (
                    m.manifest.name.clone(),
                    Some(m.model.latent_dim()),
                    c,
                    Some(e.latent),
                    e.initial,
                    e.external,
                    e.decoded_centroids,
                    eval_s,
                )
            }
            None => {
                let c = fit(&params, pixels)?;
                let t = Instant::now();
                let e = evaluate_space(pixels, &c.labels, c.k, Some(c.centroids.view()), &defs)?;
                let external = external_against(data.labels.as_deref(), &c.labels)?;
                let eval_s = t.elapsed().as_secs_f64();
                let images = c.centroids.clone();
                (
                    "pixels".to_string(),
                    None,
                    c,
                    None,
                    e,
                    external,
                    images,
                    eval_s,
                )
            }
        };
    let (pixel_means, _) = crate::metrics::cluster_means(pixels, &clustering.labels, clustering.k)?;
    Ok(RunRecord {
        space,
        latent_dim,
        method: clustering.method.clone(),
        seed: job.seed,
        k: clustering.k,
        n: data.n(),
        iterations: clustering.iterations,
        converged: clustering.converged,
        objective_latent: latent.as_ref().and_then(|l| l.objective_centroids),
        objective_pixel_centroids: initial.objective_centroids.unwrap_or(f64::NAN),
        objective_pixel_means: initial.objective_means,
        silhouette_latent_standard: latent
            .as_ref()
            .and_then(|l| silhouette_total(l, Definition::Standard)),
        silhouette_latent_compat: latent
            .as_ref()
            .and_then(|l| silhouette_total(l, Definition::Compat)),
        silhouette_initial_standard: silhouette_total(&initial, Definition::Standard)
            .unwrap_or(f64::NAN),
        silhouette_initial_compat: silhouette_total(&initial, Definition::Compat)
            .unwrap_or(f64::NAN),
        silhouette_initial_standard_per_cluster: initial
            .silhouette_standard
            .as_ref()
            .map(|s| s.per_cluster.clone())
            .unwrap_or_default(),
        nmi: external.map(|e| e.nmi),
        ari: external.map(|e| e.ari),
        purity: external.map(|e| e.purity),
        time_cluster_s: clustering.timings.total_s,
        time_seeding_s: clustering.timings.seeding_s,
        time_index_s: clustering.timings.index_build_s,
        time_assignment_s: clustering.timings.assignment_s,
        time_update_s: clustering.timings.update_s,
        time_evaluation_s: eval_s,
        range_fraction: clustering.reverse.as_ref().map(|r| r.range_fraction()),
        sizes: clustering.sizes.clone(),
        centroid_images,
        pixel_means,
    })
}

/// Runs every job (in parallel when the config says so) and returns the records in job order.
/// `on_done` is called once per finished job (from worker threads).
pub fn run_study(
    cfg: &StudyConfig,
    data: &Dataset,
    models: &[EncodedModel],
    on_done: &(dyn Fn(&Job) + Sync),
) -> Result<Vec<RunRecord>, Error> {
    cfg.validate()?;
    let jobs = jobs(cfg, models.len());
    let run = |j: &Job| {
        let r = run_job(cfg, data, models, j);
        on_done(j);
        r
    };
    if cfg.parallel {
        jobs.par_iter().map(run).collect()
    } else {
        jobs.iter().map(run).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_choices_override_the_index_parameters_per_model() {
        let chosen = LshParams {
            tables: 9,
            ..LshParams::default()
        };
        let mut cfg = StudyConfig::default();
        cfg.overrides.entry("m1".into()).or_default().insert(
            "lsh".into(),
            BestParams {
                params: CellParams::Lsh(chosen.clone()),
                silhouette_initial_standard: 0.1,
                time_cluster_s: 0.1,
                classic_time_s: Some(0.2),
                within_classic_time: true,
            },
        );
        assert_eq!(
            cfg.method_for("lsh", Some("m1")).unwrap(),
            Method::Lsh(chosen)
        );
        assert_eq!(
            cfg.method_for("lsh", Some("m2")).unwrap(),
            Method::Lsh(LshParams::default())
        );
        assert_eq!(
            cfg.method_for("cube", Some("m1")).unwrap(),
            Method::Cube(cfg.cube.clone())
        );
        assert!(cfg.method_for("kmedoids", None).is_err());
        // The TOML file format: every field optional, unknown fields refused.
        let parsed: StudyConfig = toml::from_str("seeds = [4]\nmethods = [\"classic\"]\n[lsh]\ntables = 2\nhashes = 3\nw = 1.5\nid_trick = false\n").unwrap();
        assert_eq!(parsed.seeds, vec![4]);
        assert_eq!(parsed.lsh.w, 1.5);
        assert!(toml::from_str::<StudyConfig>("colour = 3").is_err());
    }
}
