//! `latent-kmeans run` (the main job), `grid` and `report`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use latent_kmeans::autoencoder::list_models;
use latent_kmeans::data::{load_named, Dataset};
use latent_kmeans::experiment::grid::{best_params, cells, run_grid, GridSpec};
use latent_kmeans::experiment::output::{load_run, save_run, StudyMeta};
use latent_kmeans::experiment::results::{aggregate, aggregate_frame, compare_with_original};
use latent_kmeans::experiment::{
    default_models_dir, encode_models, resolve_model, run_study, StudyConfig,
};
use latent_kmeans::report::{report_input, write_report};
use latent_kmeans::Error;

use super::output::print_json;
use super::progress::with_spinner;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// TOML experiment file (fields of the study; flags below override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Dataset name (default mnist-10k).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Use only the first N images.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Models (folders or names under models/); default: every model in models/.
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<PathBuf>,
    /// Latent-space methods (classic, lsh, cube, linfa).
    #[arg(long, value_delimiter = ',')]
    pub methods: Vec<String>,
    /// Pixel-space baseline methods; 'none' for no baseline.
    #[arg(long, value_delimiter = ',')]
    pub pixel_methods: Vec<String>,
    #[arg(short = 'k', long = "clusters")]
    pub k: Option<usize>,
    /// Seeds (comma-separated; default 0,1,2).
    #[arg(long, value_delimiter = ',')]
    pub seeds: Vec<u64>,
    /// Per-model LSH/CUBE parameters chosen by `grid` (its best.json).
    #[arg(long)]
    pub best_params: Option<PathBuf>,
    /// Run the jobs one after another (the results are identical either way).
    #[arg(long)]
    pub serial: bool,
    /// Output folder (default reports/<dataset>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the HTML report.
    #[arg(long)]
    pub no_report: bool,
}

#[derive(Debug, Args)]
pub struct GridArgs {
    /// TOML grid file (fields of the grid; missing ones keep the defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub dataset: Option<String>,
    #[arg(long)]
    pub limit: Option<usize>,
    /// Models (folders or names under models/); default: every model in models/.
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<PathBuf>,
    /// Output folder (default reports/<dataset>/grid); results append to grid.jsonl there.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A study's output folder (default reports/mnist-10k).
    #[arg(long)]
    pub results: Option<PathBuf>,
}

fn model_paths(given: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    if given.is_empty() {
        let found = list_models(&default_models_dir())?;
        if found.is_empty() {
            return Err(Error::Invalid(format!(
                "no model in {}; train one with `latent-kmeans train` or pass --models",
                default_models_dir().display()
            )));
        }
        Ok(found)
    } else {
        Ok(given.iter().map(|m| resolve_model(m)).collect())
    }
}

fn load_data(name: &str, limit: Option<usize>) -> Result<Dataset, Error> {
    let d = load_named(name)?;
    Ok(match limit {
        Some(n) => d.head(n)?,
        None => d,
    })
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
}

fn bar(len: usize, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len as u64);
    pb.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed} < {eta}]")
            .expect("static template"),
    );
    pb.set_message(what.to_string());
    pb
}

pub fn run_study_cmd(a: &RunArgs, json: bool) -> Result<(), Error> {
    let start = Instant::now();
    let mut cfg: StudyConfig = match &a.config {
        Some(p) => read_toml(p)?,
        None => StudyConfig::default(),
    };
    if let Some(d) = &a.dataset {
        cfg.dataset = d.clone();
    }
    if a.limit.is_some() {
        cfg.limit = a.limit;
    }
    if !a.models.is_empty() {
        cfg.models = a.models.clone();
    }
    if !a.methods.is_empty() {
        cfg.methods = a.methods.clone();
    }
    if !a.pixel_methods.is_empty() {
        cfg.pixel_methods = a
            .pixel_methods
            .iter()
            .filter(|m| *m != "none")
            .cloned()
            .collect();
    }
    if let Some(k) = a.k {
        cfg.k = k;
    }
    if !a.seeds.is_empty() {
        cfg.seeds = a.seeds.clone();
    }
    if a.serial {
        cfg.parallel = false;
    }
    if let Some(p) = &a.best_params {
        let text = std::fs::read_to_string(p).map_err(|source| Error::Io {
            path: p.clone(),
            source,
        })?;
        cfg.overrides = serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("{}: {e}", p.display())))?;
    }
    cfg.validate()?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(&cfg.dataset));
    let mut phases = Vec::new();

    let t = Instant::now();
    let data = load_data(&cfg.dataset, cfg.limit)?;
    let paths = model_paths(&cfg.models)?;
    let models = with_spinner(
        format!("encoding {} with {} models", data.name, paths.len()),
        || encode_models(&paths, &data),
    )?;
    phases.push(("load and encode".to_string(), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let n_jobs = latent_kmeans::experiment::jobs(&cfg, models.len()).len();
    let pb = bar(n_jobs, "clustering and evaluating");
    let records = run_study(&cfg, &data, &models, &|_| pb.inc(1))?;
    pb.finish_and_clear();
    phases.push((
        "cluster and evaluate".to_string(),
        t.elapsed().as_secs_f64(),
    ));

    let mut meta = StudyMeta {
        dataset: cfg.dataset.clone(),
        n: data.n(),
        config: cfg.clone(),
        model_paths: paths.clone(),
        phases: phases.clone(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
    };
    let mut report_path = None;
    if !a.no_report {
        let t = Instant::now();
        std::fs::create_dir_all(&out).map_err(|source| Error::Io {
            path: out.clone(),
            source,
        })?;
        let input = report_input(
            &meta,
            records.clone(),
            &data,
            Some(&out.join("grid").join("grid.jsonl")),
        )?;
        report_path = Some(write_report(&input, &out)?);
        phases.push(("report".to_string(), t.elapsed().as_secs_f64()));
    }
    // Written once, with every phase timed so far.
    meta.phases = phases.clone();
    save_run(&out, &meta, &records)?;
    if json {
        return print_json(&records);
    }
    let aggs = aggregate(&records);
    let df = aggregate_frame(&aggs)?;
    let shown = df
        .select([
            "space",
            "method",
            "silhouette_initial_standard_mean",
            "silhouette_initial_compat_mean",
            "objective_pixel_centroids_mean",
            "ari_mean",
            "time_cluster_s_mean",
        ])
        .map_err(|e| Error::Invalid(e.to_string()))?;
    println!("{shown}");
    println!("\nComparison with the original study:");
    for r in compare_with_original(&records, &aggs) {
        println!(
            "  {:<58} original {:<14} ours {:<22} {}",
            r.measure,
            r.original,
            r.ours,
            match r.holds {
                Some(true) => "holds",
                Some(false) => "does not hold",
                None => "",
            }
        );
    }
    println!("\nresults in {}", out.display());
    if let Some(p) = report_path {
        println!("report  {}", p.display());
    }
    let split: Vec<String> = phases
        .iter()
        .map(|(p, s)| format!("{p} {s:.1} s"))
        .collect();
    println!(
        "time    {:.1} s ({})",
        start.elapsed().as_secs_f64(),
        split.join(", ")
    );
    Ok(())
}

pub fn run_grid_cmd(a: &GridArgs, json: bool) -> Result<(), Error> {
    let spec: GridSpec = match &a.config {
        Some(p) => read_toml(p)?,
        None => GridSpec::default(),
    };
    let dataset = a.dataset.clone().unwrap_or_else(|| "mnist-10k".into());
    let data = load_data(&dataset, a.limit)?;
    let paths = model_paths(&a.models)?;
    let models = with_spinner(
        format!("encoding {} with {} models", data.name, paths.len()),
        || encode_models(&paths, &data),
    )?;
    let names: Vec<String> = models.iter().map(|m| m.manifest.name.clone()).collect();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(&dataset).join("grid"));
    std::fs::create_dir_all(&out).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    let file = out.join("grid.jsonl");
    let todo = cells(&spec, &names);
    let pb = bar(todo.len(), "grid cells");
    let results = run_grid(&spec, &data, &models, &todo, &file, &mut |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish_and_clear();
    let best = best_params(&results);
    let best_path = out.join("best.json");
    let text = serde_json::to_string_pretty(&best).map_err(|e| Error::Invalid(e.to_string()))?;
    latent_kmeans::util::write_atomic(&best_path, |w| w.write_all(text.as_bytes())).map_err(
        |source| Error::Io {
            path: best_path.clone(),
            source,
        },
    )?;
    if json {
        return print_json(&best);
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    println!(
        "{} cells recorded in {} ({failed} failed)",
        results.len(),
        file.display()
    );
    println!("best parameters (highest silhouette latent→initial at ≤ CLASSIC's time):");
    for (model, methods) in &best {
        for (method, b) in methods {
            println!(
                "  {model:<10} {method:<5} silhouette {:.4}  time {:.3} s  {}  {}",
                b.silhouette_initial_standard,
                b.time_cluster_s,
                if b.within_classic_time {
                    "≤ CLASSIC"
                } else {
                    "slower than CLASSIC"
                },
                serde_json::to_string(&b.params).unwrap_or_default()
            );
        }
    }
    println!(
        "use them with: latent-kmeans run --best-params {}",
        best_path.display()
    );
    Ok(())
}

pub fn run_report_cmd(a: &ReportArgs) -> Result<(), Error> {
    let dir = a
        .results
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/mnist-10k"));
    let (meta, records) = load_run(&dir)?;
    let data = load_data(&meta.dataset, meta.config.limit)?;
    let input = report_input(
        &meta,
        records,
        &data,
        Some(&dir.join("grid").join("grid.jsonl")),
    )?;
    let path = write_report(&input, &dir)?;
    println!("report {}", path.display());
    Ok(())
}
