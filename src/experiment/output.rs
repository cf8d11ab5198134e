//! A study's output folder: `results.csv` / `results.json` (one row per run), `summary.csv`
//! (mean ± std), `summary.json` (aggregates, best/worst tables, comparison with the original),
//! `study.json` (what was run, how long each phase took) and `centroids/` (the image grids the
//! report shows), all written atomically. `load_run` reads them back for `report`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::results::{
    aggregate, aggregate_frame, best_worst, compare_with_original, runs_frame, write_csv,
};
use super::study::{RunRecord, StudyConfig};
use crate::data::{read_matrix, write_matrix, MatrixFormat};
use crate::util::write_atomic;
use crate::Error;

/// What was run, for the report and for reproduction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudyMeta {
    pub dataset: String,
    pub n: usize,
    pub config: StudyConfig,
    /// Model folders used.
    pub model_paths: Vec<PathBuf>,
    pub phases: Vec<(String, f64)>,
    pub crate_version: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.into(),
        source,
    }
}

fn write_json_value<T: Serialize>(path: &Path, v: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::Invalid(e.to_string()))?;
    write_atomic(path, |w| w.write_all(text.as_bytes())).map_err(io(path))
}

fn centroid_file(dir: &Path, space: &str, method: &str, what: &str) -> PathBuf {
    let clean = |s: &str| {
        s.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
            "_",
        )
    };
    dir.join("centroids")
        .join(format!("{}__{}__{what}.idx", clean(space), clean(method)))
}

/// (space, method) → (centroid images, pixel means) of the first seed's run.
pub fn first_seed_centroids(
    records: &[RunRecord],
) -> BTreeMap<(String, String), (Array2<f32>, Array2<f32>)> {
    let mut out = BTreeMap::new();
    for r in records {
        out.entry((r.space.clone(), r.method.clone()))
            .or_insert_with(|| (r.centroid_images.clone(), r.pixel_means.clone()));
    }
    out
}

/// Writes every file of a study into `dir` (created if needed).
pub fn save_run(dir: &Path, meta: &StudyMeta, records: &[RunRecord]) -> Result<(), Error> {
    std::fs::create_dir_all(dir.join("centroids")).map_err(io(dir))?;
    write_csv(&runs_frame(records)?, &dir.join("results.csv"))?;
    write_json_value(&dir.join("results.json"), &records)?;
    let aggs = aggregate(records);
    write_csv(&aggregate_frame(&aggs)?, &dir.join("summary.csv"))?;
    let latent: Vec<_> = aggs
        .iter()
        .filter(|a| a.space != "pixels")
        .cloned()
        .collect();
    write_json_value(
        &dir.join("summary.json"),
        &serde_json::json!({
            "aggregates": aggs,
            "best_worst_by_silhouette_compat": best_worst(&latent, |a| a.silhouette_initial_compat, true),
            "best_worst_by_silhouette_standard": best_worst(&latent, |a| a.silhouette_initial_standard, true),
            "best_worst_by_objective": best_worst(&latent, |a| a.objective_pixel_centroids, false),
            "comparison_with_original": compare_with_original(records, &aggs),
        }),
    )?;
    write_json_value(&dir.join("study.json"), meta)?;
    for ((space, method), (c, m)) in first_seed_centroids(records) {
        if c.nrows() > 0 {
            write_matrix(
                &centroid_file(dir, &space, &method, "centroids"),
                &c,
                MatrixFormat::Idx,
            )?;
            write_matrix(
                &centroid_file(dir, &space, &method, "means"),
                &m,
                MatrixFormat::Idx,
            )?;
        }
    }
    Ok(())
}

/// Reads a study folder back (records, meta, first-seed centroid images).
pub fn load_run(dir: &Path) -> Result<(StudyMeta, Vec<RunRecord>), Error> {
    let read = |name: &str| -> Result<String, Error> {
        let p = dir.join(name);
        std::fs::read_to_string(&p).map_err(io(&p))
    };
    let bad = |name: &str, e: serde_json::Error| {
        Error::Invalid(format!("{}: {e}", dir.join(name).display()))
    };
    let meta: StudyMeta =
        serde_json::from_str(&read("study.json")?).map_err(|e| bad("study.json", e))?;
    let mut records: Vec<RunRecord> =
        serde_json::from_str(&read("results.json")?).map_err(|e| bad("results.json", e))?;
    let mut seen = std::collections::HashSet::new();
    for r in records.iter_mut() {
        if seen.insert((r.space.clone(), r.method.clone())) {
            let c = centroid_file(dir, &r.space, &r.method, "centroids");
            if c.exists() {
                r.centroid_images = read_matrix(&c)?;
                r.pixel_means = read_matrix(&centroid_file(dir, &r.space, &r.method, "means"))?;
            }
        }
    }
    Ok((meta, records))
}
