//! Grid search over the LSH and hypercube parameters, per model. Each finished cell is appended
//! to a JSON-lines file at once, so a killed run loses at most the cell in progress; a re-run
//! skips every cell already recorded. A cell that fails (invalid parameters, say) is recorded
//! with its error and the grid goes on.
//!
//! Criterion for the best parameters: the highest silhouette latent→initial (standard, mean over
//! the grid's seeds) among the cells whose clustering time is at most CLASSIC's on the same
//! model; if no cell is that fast, the highest overall, flagged as slower.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::study::{run_job, EncodedModel, Job, StudyConfig};
use crate::data::Dataset;
use crate::index::{CubeParams, LshParams};
use crate::Error;

/// The parameter values to combine. Deserialises from TOML (missing fields keep defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridSpec {
    pub lsh_tables: Vec<usize>,
    pub lsh_hashes: Vec<usize>,
    pub lsh_w: Vec<f32>,
    /// 0 = the default n/8.
    pub lsh_table_size: Vec<usize>,
    /// Candidate cap multiplier of L (the original's 20); 0 = no cap.
    pub lsh_cap_factor: Vec<usize>,
    pub cube_dims: Vec<usize>,
    pub cube_max_points: Vec<usize>,
    pub cube_probes: Vec<usize>,
    pub cube_w: Vec<f32>,
    pub seeds: Vec<u64>,
    pub k: usize,
    pub max_iter: usize,
}

impl Default for GridSpec {
    fn default() -> Self {
        GridSpec {
            lsh_tables: vec![2, 4, 8],
            lsh_hashes: vec![3, 7],
            lsh_w: vec![0.3, 0.6, 1.2],
            lsh_table_size: vec![0],
            lsh_cap_factor: vec![20, 0],
            cube_dims: vec![3, 6],
            cube_max_points: vec![67, 1000],
            cube_probes: vec![8, 67],
            cube_w: vec![0.42, 1.0],
            seeds: vec![0],
            k: 10,
            max_iter: 300,
        }
    }
}

/// The index parameters of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum CellParams {
    Classic,
    Lsh(LshParams),
    Cube(CubeParams),
}

impl CellParams {
    fn method(&self) -> &'static str {
        match self {
            CellParams::Classic => "classic",
            CellParams::Lsh(_) => "lsh",
            CellParams::Cube(_) => "cube",
        }
    }
}

/// One cell: a model, a parameter set and a seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub model: String,
    pub params: CellParams,
    pub seed: u64,
}

impl Cell {
    /// The identity used to skip finished cells.
    pub fn key(&self) -> String {
        serde_json::to_string(self).expect("cells serialise")
    }
}

/// A finished cell, as one line of the results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub cell: Cell,
    pub ok: bool,
    pub error: Option<String>,
    pub silhouette_initial_standard: Option<f64>,
    pub silhouette_initial_compat: Option<f64>,
    pub objective_pixel_centroids: Option<f64>,
    pub time_cluster_s: Option<f64>,
    pub iterations: Option<usize>,
    pub range_fraction: Option<f64>,
}

/// Every cell of the grid for the given model names, CLASSIC reference first per model.
pub fn cells(spec: &GridSpec, models: &[String]) -> Vec<Cell> {
    let mut out = Vec::new();
    for model in models {
        for &seed in &spec.seeds {
            let mut push = |params| {
                out.push(Cell {
                    model: model.clone(),
                    params,
                    seed,
                })
            };
            push(CellParams::Classic);
            for &tables in &spec.lsh_tables {
                for &hashes in &spec.lsh_hashes {
                    for &w in &spec.lsh_w {
                        for &ts in &spec.lsh_table_size {
                            for &cap in &spec.lsh_cap_factor {
                                push(CellParams::Lsh(LshParams {
                                    tables,
                                    hashes,
                                    w,
                                    table_size: (ts > 0).then_some(ts),
                                    id_trick: true,
                                    cap: (cap > 0).then(|| cap * tables),
                                }));
                            }
                        }
                    }
                }
            }
            for &dims in &spec.cube_dims {
                for &max_points in &spec.cube_max_points {
                    for &probes in &spec.cube_probes {
                        for &w in &spec.cube_w {
                            push(CellParams::Cube(CubeParams {
                                dims,
                                max_points,
                                probes,
                                w,
                            }));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The results recorded so far (lines that do not parse — a write cut short — are ignored,
/// so their cells run again).
pub fn read_results(path: &Path) -> Result<Vec<CellResult>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
        Err(source) => Err(Error::Io {
            path: path.into(),
            source,
        }),
    }
}

/// A run killed mid-write leaves a partial last line; end it so the next result starts on a
/// line of its own (the partial one is ignored when read).
fn terminate_last_line(path: &Path) -> Result<(), Error> {
    match std::fs::read(path) {
        Ok(bytes) if !bytes.is_empty() && bytes.last() != Some(&b'\n') => {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|source| Error::Io {
                    path: path.into(),
                    source,
                })?;
            f.write_all(b"\n").map_err(|source| Error::Io {
                path: path.into(),
                source,
            })
        }
        _ => Ok(()),
    }
}

fn append(path: &Path, r: &CellResult) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.into(),
        source,
    };
    let mut line = serde_json::to_string(r).map_err(|e| Error::Invalid(e.to_string()))?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    f.write_all(line.as_bytes()).map_err(io)?;
    f.sync_data().map_err(io)
}

fn run_cell(spec: &GridSpec, data: &Dataset, models: &[EncodedModel], cell: &Cell) -> CellResult {
    let index = models.iter().position(|m| m.manifest.name == cell.model);
    let mut cfg = StudyConfig {
        k: spec.k,
        max_iter: spec.max_iter,
        seeds: vec![cell.seed],
        parallel: false,
        ..StudyConfig::default()
    };
    match &cell.params {
        CellParams::Lsh(p) => cfg.lsh = p.clone(),
        CellParams::Cube(p) => cfg.cube = p.clone(),
        CellParams::Classic => {}
    }
    let job = Job {
        model: index,
        method: cell.params.method().into(),
        seed: cell.seed,
    };
    let outcome = match index {
        None => Err(Error::Invalid(format!(
            "model '{}' is not loaded",
            cell.model
        ))),
        Some(_) => run_job(&cfg, data, models, &job),
    };
    match outcome {
        Ok(r) => CellResult {
            cell: cell.clone(),
            ok: true,
            error: None,
            silhouette_initial_standard: Some(r.silhouette_initial_standard),
            silhouette_initial_compat: Some(r.silhouette_initial_compat),
            objective_pixel_centroids: Some(r.objective_pixel_centroids),
            time_cluster_s: Some(r.time_cluster_s),
            iterations: r.iterations,
            range_fraction: r.range_fraction,
        },
        Err(e) => CellResult {
            cell: cell.clone(),
            ok: false,
            error: Some(e.to_string()),
            silhouette_initial_standard: None,
            silhouette_initial_compat: None,
            objective_pixel_centroids: None,
            time_cluster_s: None,
            iterations: None,
            range_fraction: None,
        },
    }
}

/// Runs the cells of `todo` not yet in `results_path`, appending each as it finishes.
/// `on_cell(done, total)` reports progress. Returns every result in the file afterwards.
pub fn run_grid(
    spec: &GridSpec,
    data: &Dataset,
    models: &[EncodedModel],
    todo: &[Cell],
    results_path: &Path,
    on_cell: &mut dyn FnMut(usize, usize),
) -> Result<Vec<CellResult>, Error> {
    terminate_last_line(results_path)?;
    let done: HashSet<String> = read_results(results_path)?
        .iter()
        .map(|r| r.cell.key())
        .collect();
    let pending: Vec<&Cell> = todo.iter().filter(|c| !done.contains(&c.key())).collect();
    for (i, cell) in pending.iter().enumerate() {
        let r = run_cell(spec, data, models, cell);
        append(results_path, &r)?;
        on_cell(i + 1, pending.len());
    }
    read_results(results_path)
}

/// The best parameters of one method on one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestParams {
    pub params: CellParams,
    pub silhouette_initial_standard: f64,
    pub time_cluster_s: f64,
    pub classic_time_s: Option<f64>,
    /// Whether the choice is at most as slow as CLASSIC (the criterion's first preference).
    pub within_classic_time: bool,
}

/// Best LSH and CUBE parameters per model, by the criterion in the module docs.
pub fn best_params(results: &[CellResult]) -> BTreeMap<String, BTreeMap<String, BestParams>> {
    // Mean over seeds per (model, params).
    // (model, params as JSON) → (params, silhouettes, times)
    type Group = (CellParams, Vec<f64>, Vec<f64>);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for r in results.iter().filter(|r| r.ok) {
        let key = (
            r.cell.model.clone(),
            serde_json::to_string(&r.cell.params).expect("params serialise"),
        );
        let e = groups
            .entry(key)
            .or_insert_with(|| (r.cell.params.clone(), vec![], vec![]));
        e.1.extend(r.silhouette_initial_standard);
        e.2.extend(r.time_cluster_s);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let mut out: BTreeMap<String, BTreeMap<String, BestParams>> = BTreeMap::new();
    let models: Vec<String> = groups.keys().map(|k| k.0.clone()).collect();
    for model in models {
        let classic_time = groups
            .iter()
            .find(|((m, _), (p, _, _))| *m == model && *p == CellParams::Classic)
            .map(|(_, (_, _, t))| mean(t));
        for method in ["lsh", "cube"] {
            let candidates: Vec<(CellParams, f64, f64)> = groups
                .iter()
                .filter(|((m, _), (p, _, _))| *m == model && p.method() == method)
                .map(|(_, (p, s, t))| (p.clone(), mean(s), mean(t)))
                .collect();
            let pick = |fast_only: bool| {
                candidates
                    .iter()
                    .filter(|c| !fast_only || classic_time.is_some_and(|ct| c.2 <= ct))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .cloned()
            };
            let (choice, within) = match pick(true) {
                Some(c) => (Some(c), true),
                None => (pick(false), false),
            };
            if let Some((params, s, t)) = choice {
                out.entry(model.clone()).or_default().insert(
                    method.into(),
                    BestParams {
                        params,
                        silhouette_initial_standard: s,
                        time_cluster_s: t,
                        classic_time_s: classic_time,
                        within_classic_time: within,
                    },
                );
            }
        }
    }
    out
}

/// The grid results as a DataFrame: one row per cell, parameters flattened into columns.
pub fn grid_frame(results: &[CellResult]) -> Result<polars::prelude::DataFrame, Error> {
    use polars::prelude::{Column, DataFrame, NamedFrom, Series};
    let col = |name: &str, s: Series| Column::from(s.with_name(name.into()));
    let get_usize = |f: &dyn Fn(&CellParams) -> Option<usize>| -> Vec<Option<i64>> {
        results
            .iter()
            .map(|r| f(&r.cell.params).map(|v| v as i64))
            .collect()
    };
    let lsh = |r: &CellParams| match r {
        CellParams::Lsh(p) => Some(p.clone()),
        _ => None,
    };
    let cube = |r: &CellParams| match r {
        CellParams::Cube(p) => Some(p.clone()),
        _ => None,
    };
    let w: Vec<Option<f64>> = results
        .iter()
        .map(|r| match &r.cell.params {
            CellParams::Lsh(p) => Some(p.w as f64),
            CellParams::Cube(p) => Some(p.w as f64),
            CellParams::Classic => None,
        })
        .collect();
    DataFrame::new_infer_height(vec![
        col(
            "model",
            Series::new(
                "".into(),
                results
                    .iter()
                    .map(|r| r.cell.model.clone())
                    .collect::<Vec<_>>(),
            ),
        ),
        col(
            "method",
            Series::new(
                "".into(),
                results
                    .iter()
                    .map(|r| r.cell.params.method().to_string())
                    .collect::<Vec<_>>(),
            ),
        ),
        col(
            "seed",
            Series::new(
                "".into(),
                results
                    .iter()
                    .map(|r| r.cell.seed as i64)
                    .collect::<Vec<_>>(),
            ),
        ),
        col("w", Series::new("".into(), w)),
        col(
            "lsh_tables",
            Series::new("".into(), get_usize(&|p| lsh(p).map(|l| l.tables))),
        ),
        col(
            "lsh_hashes",
            Series::new("".into(), get_usize(&|p| lsh(p).map(|l| l.hashes))),
        ),
        col(
            "lsh_cap",
            Series::new("".into(), get_usize(&|p| lsh(p).and_then(|l| l.cap))),
        ),
        col(
            "cube_dims",
            Series::new("".into(), get_usize(&|p| cube(p).map(|c| c.dims))),
        ),
        col(
            "cube_max_points",
            Series::new("".into(), get_usize(&|p| cube(p).map(|c| c.max_points))),
        ),
        col(
            "cube_probes",
            Series::new("".into(), get_usize(&|p| cube(p).map(|c| c.probes))),
        ),
        col(
            "ok",
            Series::new("".into(), results.iter().map(|r| r.ok).collect::<Vec<_>>()),
        ),
        col(
            "error",
            Series::new(
                "".into(),
                results.iter().map(|r| r.error.clone()).collect::<Vec<_>>(),
            ),
        ),
        col(
            "silhouette_initial_standard",
            Series::new(
                "".into(),
                results
                    .iter()
                    .map(|r| r.silhouette_initial_standard)
                    .collect::<Vec<_>>(),
            ),
        ),
        col(
            "silhouette_initial_compat",
            Series::new(
                "".into(),
                results
                    .iter()
                    .map(|r| r.silhouette_initial_compat)
                    .collect::<Vec<_>>(),
            ),
        ),
        col(
            "objective_pixel_centroids",
            Series::new(
                "".into(),
                results
                    .iter()
                    .map(|r| r.objective_pixel_centroids)
                    .collect::<Vec<_>>(),
            ),
        ),
        col(
            "time_cluster_s",
            Series::new(
                "".into(),
                results.iter().map(|r| r.time_cluster_s).collect::<Vec<_>>(),
            ),
        ),
        col(
            "range_fraction",
            Series::new(
                "".into(),
                results.iter().map(|r| r.range_fraction).collect::<Vec<_>>(),
            ),
        ),
    ])
    .map_err(|e| Error::Invalid(format!("grid table: {e}")))
}
