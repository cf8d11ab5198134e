//! Results as polars DataFrames: one tidy row per run, the mean ± std over seeds, the original
//! study's best/worst tables and the comparison with its reported numbers. Files are written
//! atomically.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::study::RunRecord;
use crate::util::write_atomic;
use crate::Error;

fn col<T, P: ?Sized>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
{
    Column::from(Series::new(name.into(), values))
}

fn polars_err(e: PolarsError) -> Error {
    Error::Invalid(format!("results table: {e}"))
}

/// The per-run table (units in column names: `_s` seconds; objectives are sums of squared
/// distances; silhouettes are in [-1, 1]).
pub fn runs_frame(records: &[RunRecord]) -> Result<DataFrame, Error> {
    let s = |f: fn(&RunRecord) -> String| records.iter().map(f).collect::<Vec<String>>();
    let f = |f: fn(&RunRecord) -> f64| records.iter().map(f).collect::<Vec<f64>>();
    let o = |f: fn(&RunRecord) -> Option<f64>| records.iter().map(f).collect::<Vec<Option<f64>>>();
    let i = |f: fn(&RunRecord) -> Option<i64>| records.iter().map(f).collect::<Vec<Option<i64>>>();
    DataFrame::new_infer_height(vec![
        col("space", s(|r| r.space.clone())),
        col("latent_dim", i(|r| r.latent_dim.map(|v| v as i64))),
        col("method", s(|r| r.method.clone())),
        col(
            "seed",
            records.iter().map(|r| r.seed as i64).collect::<Vec<i64>>(),
        ),
        col(
            "k",
            records.iter().map(|r| r.k as i64).collect::<Vec<i64>>(),
        ),
        col(
            "n",
            records.iter().map(|r| r.n as i64).collect::<Vec<i64>>(),
        ),
        col("iterations", i(|r| r.iterations.map(|v| v as i64))),
        col(
            "converged",
            records
                .iter()
                .map(|r| r.converged)
                .collect::<Vec<Option<bool>>>(),
        ),
        col(
            "silhouette_initial_standard",
            f(|r| r.silhouette_initial_standard),
        ),
        col(
            "silhouette_initial_compat",
            f(|r| r.silhouette_initial_compat),
        ),
        col(
            "silhouette_latent_standard",
            o(|r| r.silhouette_latent_standard),
        ),
        col(
            "silhouette_latent_compat",
            o(|r| r.silhouette_latent_compat),
        ),
        col("objective_latent", o(|r| r.objective_latent)),
        col(
            "objective_pixel_centroids",
            f(|r| r.objective_pixel_centroids),
        ),
        col("objective_pixel_means", f(|r| r.objective_pixel_means)),
        col("nmi", o(|r| r.nmi)),
        col("ari", o(|r| r.ari)),
        col("purity", o(|r| r.purity)),
        col("range_fraction", o(|r| r.range_fraction)),
        col("time_cluster_s", f(|r| r.time_cluster_s)),
        col("time_seeding_s", o(|r| r.time_seeding_s)),
        col("time_index_s", o(|r| r.time_index_s)),
        col("time_assignment_s", o(|r| r.time_assignment_s)),
        col("time_update_s", o(|r| r.time_update_s)),
        col("time_evaluation_s", f(|r| r.time_evaluation_s)),
    ])
    .map_err(polars_err)
}

/// Mean and sample standard deviation (0 for a single value) of the present values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanStd {
    pub mean: f64,
    pub std: f64,
    pub count: usize,
}

impl MeanStd {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<MeanStd> {
        let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = if v.len() > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        Some(MeanStd {
            mean,
            std: var.sqrt(),
            count: v.len(),
        })
    }

    /// `mean ± std` with `digits` significant figures.
    pub fn show(&self, digits: usize) -> String {
        format!("{} ± {}", sig(self.mean, digits), sig(self.std, 2))
    }
}

/// A number with `digits` significant figures (scientific for large or small values).
pub fn sig(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-3..6).contains(&mag) {
        format!("{:.*e}", digits.saturating_sub(1), v)
    } else {
        let decimals = (digits as i32 - 1 - mag).max(0) as usize;
        format!("{:.*}", decimals, v)
    }
}

/// Mean ± std over seeds of one (space, method).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    pub space: String,
    pub method: String,
    pub runs: usize,
    pub silhouette_initial_standard: Option<MeanStd>,
    pub silhouette_initial_compat: Option<MeanStd>,
    pub silhouette_latent_standard: Option<MeanStd>,
    pub objective_pixel_centroids: Option<MeanStd>,
    pub objective_pixel_means: Option<MeanStd>,
    pub ari: Option<MeanStd>,
    pub nmi: Option<MeanStd>,
    pub time_cluster_s: Option<MeanStd>,
    pub iterations: Option<MeanStd>,
    pub range_fraction: Option<MeanStd>,
}

/// Groups the runs by (space, method), in first-appearance order.
pub fn aggregate(records: &[RunRecord]) -> Vec<Aggregate> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut groups: BTreeMap<(String, String), Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        let key = (r.space.clone(), r.method.clone());
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(r);
    }
    order
        .into_iter()
        .map(|key| {
            let g = &groups[&key];
            let of =
                |f: &dyn Fn(&RunRecord) -> Option<f64>| MeanStd::of(g.iter().filter_map(|r| f(r)));
            Aggregate {
                space: key.0.clone(),
                method: key.1.clone(),
                runs: g.len(),
                silhouette_initial_standard: of(&|r| Some(r.silhouette_initial_standard)),
                silhouette_initial_compat: of(&|r| Some(r.silhouette_initial_compat)),
                silhouette_latent_standard: of(&|r| r.silhouette_latent_standard),
                objective_pixel_centroids: of(&|r| Some(r.objective_pixel_centroids)),
                objective_pixel_means: of(&|r| Some(r.objective_pixel_means)),
                ari: of(&|r| r.ari),
                nmi: of(&|r| r.nmi),
                time_cluster_s: of(&|r| Some(r.time_cluster_s)),
                iterations: of(&|r| r.iterations.map(|v| v as f64)),
                range_fraction: of(&|r| r.range_fraction),
            }
        })
        .collect()
}

/// The aggregated table: `<metric>_mean` and `<metric>_std` columns.
pub fn aggregate_frame(aggs: &[Aggregate]) -> Result<DataFrame, Error> {
    let mut cols = vec![
        col(
            "space",
            aggs.iter().map(|a| a.space.clone()).collect::<Vec<_>>(),
        ),
        col(
            "method",
            aggs.iter().map(|a| a.method.clone()).collect::<Vec<_>>(),
        ),
        col(
            "runs",
            aggs.iter().map(|a| a.runs as i64).collect::<Vec<_>>(),
        ),
    ];
    type Metric = (&'static str, fn(&Aggregate) -> Option<MeanStd>);
    let metrics: [Metric; 10] = [
        ("silhouette_initial_standard", |a| {
            a.silhouette_initial_standard
        }),
        ("silhouette_initial_compat", |a| a.silhouette_initial_compat),
        ("silhouette_latent_standard", |a| {
            a.silhouette_latent_standard
        }),
        ("objective_pixel_centroids", |a| a.objective_pixel_centroids),
        ("objective_pixel_means", |a| a.objective_pixel_means),
        ("ari", |a| a.ari),
        ("nmi", |a| a.nmi),
        ("time_cluster_s", |a| a.time_cluster_s),
        ("iterations", |a| a.iterations),
        ("range_fraction", |a| a.range_fraction),
    ];
    for (name, get) in metrics {
        cols.push(col(
            &format!("{name}_mean"),
            aggs.iter()
                .map(|a| get(a).map(|m| m.mean))
                .collect::<Vec<_>>(),
        ));
        cols.push(col(
            &format!("{name}_std"),
            aggs.iter()
                .map(|a| get(a).map(|m| m.std))
                .collect::<Vec<_>>(),
        ));
    }
    DataFrame::new_infer_height(cols).map_err(polars_err)
}

/// Best and worst latent-space method of one model by one criterion (means over seeds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestWorst {
    pub space: String,
    pub best: String,
    pub best_value: f64,
    pub worst: String,
    pub worst_value: f64,
}

/// The original's two summary tables: per model, best and worst of CLASSIC/LSH/CUBE (and
/// linfa when present) by `value` (higher is better when `higher_better`).
pub fn best_worst(
    aggs: &[Aggregate],
    value: fn(&Aggregate) -> Option<MeanStd>,
    higher_better: bool,
) -> Vec<BestWorst> {
    let mut spaces: Vec<String> = Vec::new();
    for a in aggs {
        if !spaces.contains(&a.space) {
            spaces.push(a.space.clone());
        }
    }
    spaces
        .into_iter()
        .filter_map(|space| {
            let mut rows: Vec<(&str, f64)> = aggs
                .iter()
                .filter(|a| a.space == space)
                .filter_map(|a| value(a).map(|m| (a.method.as_str(), m.mean)))
                .collect();
            if rows.len() < 2 {
                return None;
            }
            rows.sort_by(|x, y| x.1.total_cmp(&y.1));
            if higher_better {
                rows.reverse();
            }
            let (best, worst) = (rows[0], rows[rows.len() - 1]);
            Some(BestWorst {
                space,
                best: best.0.into(),
                best_value: best.1,
                worst: worst.0.into(),
                worst_value: worst.1,
            })
        })
        .collect()
}

/// One line of the comparison with the original study (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    pub measure: String,
    pub definition: String,
    pub original: String,
    pub ours: String,
    /// Whether the original's statement holds in our numbers (`None` for plain ranges).
    pub holds: Option<bool>,
}

/// The original's reported numbers next to ours.
pub fn compare_with_original(records: &[RunRecord], aggs: &[Aggregate]) -> Vec<ComparisonRow> {
    let latent: Vec<&Aggregate> = aggs
        .iter()
        .filter(|a| a.space != "pixels" && ["classic", "lsh", "cube"].contains(&a.method.as_str()))
        .collect();
    let mut rows = Vec::new();
    let range = |v: Vec<f64>, digits: usize| -> String {
        if v.is_empty() {
            return "–".into();
        }
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        format!("{} – {}", sig(lo, digits), sig(hi, digits))
    };
    let sil: Vec<f64> = latent
        .iter()
        .filter_map(|a| a.silhouette_initial_compat.map(|m| m.mean))
        .collect();
    rows.push(ComparisonRow {
        measure: "silhouette latent→initial, range over models × methods".into(),
        definition: "compat (the original's)".into(),
        original: "0.06 – 0.21".into(),
        ours: range(sil, 3),
        holds: None,
    });
    let n = records.first().map_or(1, |r| r.n) as f64;
    let obj: Vec<f64> = latent
        .iter()
        .filter_map(|a| a.objective_pixel_centroids.map(|m| m.mean * 60000.0 / n))
        .collect();
    rows.push(ComparisonRow {
        measure: format!(
            "objective with decoded centroids (ours scaled ×{:.1} to 60 000 images)",
            60000.0 / n
        ),
        definition: "Σ squared pixel distances, pixels in [0,1]".into(),
        original: "4.3e6 – 7.1e6".into(),
        ours: range(obj, 2),
        holds: None,
    });
    let restricted: Vec<Aggregate> = latent.iter().map(|a| (*a).clone()).collect();
    let by_obj = best_worst(&restricted, |a| a.objective_pixel_centroids, false);
    let by_sil = best_worst(&restricted, |a| a.silhouette_initial_compat, true);
    let count = |v: &[BestWorst], f: &dyn Fn(&BestWorst) -> bool| v.iter().filter(|b| f(b)).count();
    let models = by_obj.len();
    let classic_best = count(&by_obj, &|b| b.best == "classic");
    rows.push(ComparisonRow {
        measure: "CLASSIC best on the objective".into(),
        definition: "decoded centroids, mean over seeds".into(),
        original: "6 of 6 models".into(),
        ours: format!("{classic_best} of {models} models"),
        holds: (models > 0).then_some(classic_best == models),
    });
    let lsh_best = count(&by_sil, &|b| b.best == "lsh");
    rows.push(ComparisonRow {
        measure: "LSH best on silhouette latent→initial".into(),
        definition: "compat, mean over seeds".into(),
        original: "5 of 6 models".into(),
        ours: format!("{lsh_best} of {} models", by_sil.len()),
        holds: (!by_sil.is_empty()).then_some(lsh_best * 2 > by_sil.len()),
    });
    let cube_worst = count(&by_sil, &|b| b.worst == "cube");
    rows.push(ComparisonRow {
        measure: "CUBE worst on silhouette latent→initial".into(),
        definition: "compat, mean over seeds".into(),
        original: "most models".into(),
        ours: format!("{cube_worst} of {} models", by_sil.len()),
        holds: (!by_sil.is_empty()).then_some(cube_worst * 2 > by_sil.len()),
    });
    rows
}

/// Writes a DataFrame as CSV, atomically.
pub fn write_csv(df: &DataFrame, path: &Path) -> Result<(), Error> {
    let mut df = df.clone();
    write_atomic(path, |w| {
        CsvWriter::new(w)
            .finish(&mut df)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|source| Error::Io {
        path: path.into(),
        source,
    })
}

/// Writes a DataFrame as a JSON array of row objects, atomically.
pub fn write_json(df: &DataFrame, path: &Path) -> Result<(), Error> {
    let mut df = df.clone();
    write_atomic(path, |w| {
        JsonWriter::new(w)
            .with_json_format(JsonFormat::Json)
            .finish(&mut df)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|source| Error::Io {
        path: path.into(),
        source,
    })
}
