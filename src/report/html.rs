//! Assembling the report page. Every sentence in "Conclusions" is computed from the numbers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use ndarray::Array2;
use polars::prelude::{AnyValue, DataFrame};

use super::charts::{lines, scatter, silhouette_bars, stacked_bars, ScatterPoint};
use super::images::{png_data_uri, tile_row_png};
use crate::autoencoder::Manifest;
use crate::experiment::grid::{best_params, CellParams, CellResult};
use crate::experiment::results::{
    aggregate, aggregate_frame, best_worst, compare_with_original, runs_frame, sig, Aggregate,
    MeanStd,
};
use crate::experiment::{RunRecord, StudyConfig};
use crate::util::write_atomic;
use crate::Error;

/// A model as the report shows it.
pub struct ModelView {
    pub manifest: Manifest,
    /// A few original images and their reconstructions (`m × 784` each).
    pub originals: Array2<f32>,
    pub reconstructions: Array2<f32>,
}

/// Everything the report shows.
pub struct ReportInput {
    pub dataset: String,
    pub n: usize,
    pub config: StudyConfig,
    pub records: Vec<RunRecord>,
    /// (space, method) → (centroid images, pixel means of the clusters), first seed.
    pub centroids: BTreeMap<(String, String), (Array2<f32>, Array2<f32>)>,
    pub models: Vec<ModelView>,
    pub grid: Vec<CellResult>,
    /// Wall time per phase of the run that produced the results.
    pub phases: Vec<(String, f64)>,
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn any_value(v: &AnyValue) -> String {
    match v {
        AnyValue::Null => "–".into(),
        AnyValue::Float64(x) => sig(*x, 4),
        AnyValue::Float32(x) => sig(*x as f64, 4),
        AnyValue::String(s) => esc(s),
        AnyValue::StringOwned(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

/// An HTML table from a DataFrame.
pub fn frame_table(df: &DataFrame, id: &str) -> String {
    let mut s = format!("<table id=\"{id}\"><thead><tr>");
    for c in df.columns() {
        let _ = write!(s, "<th>{}</th>", esc(c.name()));
    }
    s.push_str("</tr></thead><tbody>");
    for i in 0..df.height() {
        s.push_str("<tr>");
        for c in df.columns() {
            let v = c.get(i).map(|v| any_value(&v)).unwrap_or_default();
            let _ = write!(s, "<td>{v}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

fn show(m: Option<MeanStd>, digits: usize) -> String {
    m.map_or("–".into(), |m| m.show(digits))
}

fn aggregate_table(aggs: &[Aggregate]) -> String {
    let mut s = String::from(
        "<table id=\"aggregate\"><thead><tr><th>space</th><th>method</th><th>runs</th>\
         <th>silhouette latent→initial (standard)</th><th>silhouette latent→initial (compat)</th>\
         <th>silhouette latent (standard)</th><th>objective, decoded centroids</th>\
         <th>objective, pixel means</th><th>ARI</th><th>NMI</th><th>range-assigned</th>\
         <th>iterations</th><th>cluster time (s)</th></tr></thead><tbody>",
    );
    for a in aggs {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.space),
            esc(&a.method),
            a.runs,
            show(a.silhouette_initial_standard, 3),
            show(a.silhouette_initial_compat, 3),
            show(a.silhouette_latent_standard, 3),
            show(a.objective_pixel_centroids, 4),
            show(a.objective_pixel_means, 4),
            show(a.ari, 3),
            show(a.nmi, 3),
            a.range_fraction
                .map_or("–".into(), |m| format!("{:.1} %", 100.0 * m.mean)),
            show(a.iterations, 3),
            show(a.time_cluster_s, 3),
        );
    }
    s.push_str("</tbody></table>");
    s
}

fn best_worst_table(id: &str, rows: &[crate::experiment::results::BestWorst]) -> String {
    let mut s = format!(
        "<table id=\"{id}\"><thead><tr><th>model</th><th>best</th><th>value</th>\
         <th>worst</th><th>value</th></tr></thead><tbody>"
    );
    for r in rows {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.space),
            esc(&r.best),
            sig(r.best_value, 4),
            esc(&r.worst),
            sig(r.worst_value, 4)
        );
    }
    s.push_str("</tbody></table>");
    s
}

/// Sentences computed from the results.
pub fn conclusions(records: &[RunRecord], aggs: &[Aggregate]) -> Vec<String> {
    let mut out = Vec::new();
    let latent: Vec<&Aggregate> = aggs.iter().filter(|a| a.space != "pixels").collect();
    let pixel: Vec<&Aggregate> = aggs.iter().filter(|a| a.space == "pixels").collect();
    let mean = |m: Option<MeanStd>| m.map(|m| m.mean);
    // Which method wins where, and whether it holds across seeds.
    let owned: Vec<Aggregate> = latent.iter().map(|a| (*a).clone()).collect();
    for bw in best_worst(&owned, |a| a.silhouette_initial_standard, true) {
        let seeds: Vec<u64> = {
            let mut s: Vec<u64> = records
                .iter()
                .filter(|r| r.space == bw.space)
                .map(|r| r.seed)
                .collect();
            s.sort_unstable();
            s.dedup();
            s
        };
        let wins = seeds
            .iter()
            .filter(|&&seed| {
                let of_seed: Vec<&RunRecord> = records
                    .iter()
                    .filter(|r| r.space == bw.space && r.seed == seed)
                    .collect();
                of_seed
                    .iter()
                    .max_by(|a, b| {
                        a.silhouette_initial_standard
                            .total_cmp(&b.silhouette_initial_standard)
                    })
                    .is_some_and(|r| r.method == bw.best)
            })
            .count();
        out.push(format!(
            "On {}, {} gives the best silhouette latent→initial (standard, {}) and {} the worst ({}, a gap of {}); {} is best in {} of {} seeds.",
            bw.space,
            bw.best.to_uppercase(),
            sig(bw.best_value, 3),
            bw.worst.to_uppercase(),
            sig(bw.worst_value, 3),
            sig(bw.best_value - bw.worst_value, 2),
            bw.best.to_uppercase(),
            wins,
            seeds.len()
        ));
    }
    // Latent space against K-Means on the pixels.
    let best_latent = latent
        .iter()
        .filter_map(|a| mean(a.silhouette_initial_standard).map(|v| (a, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let best_pixel = pixel
        .iter()
        .filter_map(|a| mean(a.silhouette_initial_standard).map(|v| (a, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some((la, lv)), Some((pa, pv))) = (best_latent, best_pixel) {
        out.push(format!(
            "The best latent clustering ({} / {}) has a pixel-space silhouette of {} against {} for {} directly on the pixels: the latent space is {} by this measure.",
            la.space,
            la.method.to_uppercase(),
            sig(lv, 3),
            sig(pv, 3),
            pa.method.to_uppercase(),
            if lv > pv { "better" } else { "worse" }
        ));
        if let (Some(lari), Some(pari)) = (mean(la.ari), mean(pa.ari)) {
            let best_ari = latent
                .iter()
                .filter_map(|a| mean(a.ari).map(|v| (a, v)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((ba, bv)) = best_ari {
                out.push(format!(
                    "Against the true labels, the best latent run by ARI ({} / {}) reaches {} versus {} on pixels ({} for the silhouette winner).",
                    ba.space,
                    ba.method.to_uppercase(),
                    sig(bv, 3),
                    sig(pari, 3),
                    sig(lari, 3)
                ));
            }
        }
    }
    // The objective.
    let by_obj = best_worst(&owned, |a| a.objective_pixel_centroids, false);
    if !by_obj.is_empty() {
        let classic = by_obj
            .iter()
            .filter(|b| b.best == "classic" || b.best == "linfa")
            .count();
        out.push(format!(
            "Exact assignment (CLASSIC or linfa) reaches the lowest objective with decoded centroids in {} of {} models.",
            classic,
            by_obj.len()
        ));
    }
    // Reverse assignment's real work.
    for method in ["lsh", "cube"] {
        let fr: Vec<f64> = latent
            .iter()
            .filter(|a| a.method == method)
            .filter_map(|a| mean(a.range_fraction))
            .collect();
        let ratio: Vec<f64> = latent
            .iter()
            .filter(|a| a.method == method)
            .filter_map(|a| {
                let classic = latent
                    .iter()
                    .find(|c| c.space == a.space && c.method == "classic")?;
                Some(mean(a.time_cluster_s)? / mean(classic.time_cluster_s)?)
            })
            .collect();
        if !fr.is_empty() {
            out.push(format!(
                "{} assigned {:.1} % of the points by range search on average (the rest by brute force) and took {}× CLASSIC's clustering time.",
                method.to_uppercase(),
                100.0 * fr.iter().sum::<f64>() / fr.len() as f64,
                if ratio.is_empty() { "–".into() } else { sig(ratio.iter().sum::<f64>() / ratio.len() as f64, 2) }
            ));
        }
    }
    out
}

fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    )
}

fn img(uri: &str, alt: &str) -> String {
    format!("<img src=\"{uri}\" alt=\"{}\">", esc(alt))
}

/// Renders the whole page.
pub fn render_report(input: &ReportInput) -> Result<String, Error> {
    let aggs = aggregate(&input.records);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>latent-kmeans — K-Means in latent spaces, judged in pixel space</h1>\
         <p class=\"meta\">Dataset <b>{}</b> ({} images) · k = {} · seeds {:?} · {} runs · \
         latent-kmeans {}</p>",
        esc(&input.dataset),
        input.n,
        input.config.k,
        input.config.seeds,
        input.records.len(),
        env!("CARGO_PKG_VERSION")
    );
    body.push_str("<h2 id=\"conclusions\">Conclusions</h2><ul>");
    for c in conclusions(&input.records, &aggs) {
        let _ = write!(body, "<li>{}</li>", esc(&c));
    }
    body.push_str("</ul>");

    body.push_str("<h2 id=\"results\">Results (mean ± std over seeds)</h2>");
    body.push_str(&aggregate_table(&aggs));
    let latent_aggs: Vec<Aggregate> = aggs
        .iter()
        .filter(|a| a.space != "pixels")
        .cloned()
        .collect();
    body.push_str("<h2 id=\"best-worst\">Best and worst method per model</h2><h3>By silhouette latent→initial (compat, the original's definition)</h3>");
    body.push_str(&best_worst_table(
        "best-silhouette",
        &best_worst(&latent_aggs, |a| a.silhouette_initial_compat, true),
    ));
    body.push_str("<h3>By objective with decoded centroids (lower is better)</h3>");
    body.push_str(&best_worst_table(
        "best-objective",
        &best_worst(&latent_aggs, |a| a.objective_pixel_centroids, false),
    ));

    body.push_str("<h2 id=\"original\">Comparison with the original study</h2><table id=\"comparison\"><thead><tr><th>measure</th><th>definition</th><th>original (60 000 MNIST)</th><th>ours</th><th>holds?</th></tr></thead><tbody>");
    for r in compare_with_original(&input.records, &aggs) {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.measure),
            esc(&r.definition),
            esc(&r.original),
            esc(&r.ours),
            match r.holds {
                Some(true) => "yes",
                Some(false) => "no",
                None => "–",
            }
        );
    }
    body.push_str("</tbody></table>");

    body.push_str("<h2 id=\"charts\">Charts</h2><div class=\"grid\">");
    let points: Vec<ScatterPoint> = input
        .records
        .iter()
        .map(|r| ScatterPoint {
            x: r.objective_pixel_means,
            y: r.silhouette_initial_standard,
            series: if r.space == "pixels" {
                format!("pixels/{}", r.method)
            } else {
                r.method.clone()
            },
            baseline: r.space == "pixels",
        })
        .collect();
    body.push_str(&figure(
        &scatter(
            "silhouette vs objective, every run",
            "objective with pixel means",
            "silhouette (pixel space)",
            &points,
        )?,
        "Circles: latent-space runs (any model); crosses: K-Means directly on pixels.",
    ));
    let phase_names = ["seeding", "index", "assignment", "update", "evaluation"];
    let rows: Vec<(String, Vec<f64>)> = aggs
        .iter()
        .map(|a| {
            let rs: Vec<&RunRecord> = input
                .records
                .iter()
                .filter(|r| r.space == a.space && r.method == a.method)
                .collect();
            let m = |f: &dyn Fn(&RunRecord) -> f64| {
                rs.iter().map(|r| f(r)).sum::<f64>() / rs.len().max(1) as f64
            };
            let parts = [
                m(&|r| r.time_seeding_s.unwrap_or(0.0)),
                m(&|r| r.time_index_s.unwrap_or(0.0)),
                // linfa reports only its total: shown as assignment.
                m(&|r| {
                    r.time_assignment_s.unwrap_or(if r.method == "linfa" {
                        r.time_cluster_s
                    } else {
                        0.0
                    })
                }),
                m(&|r| r.time_update_s.unwrap_or(0.0)),
                m(&|r| r.time_evaluation_s),
            ];
            (format!("{} / {}", a.space, a.method), parts.to_vec())
        })
        .collect();
    body.push_str(&figure(
        &stacked_bars("time per method and phase", &phase_names, &rows)?,
        "linfa reports only its total time, drawn as assignment.",
    ));
    body.push_str("</div><h3>Silhouette per cluster (latent→initial, standard; first seed)</h3><div class=\"grid small\">");
    let first_seed = input.config.seeds.first().copied().unwrap_or(0);
    for r in input.records.iter().filter(|r| r.seed == first_seed) {
        body.push_str(&figure(
            &silhouette_bars(
                &format!("{} / {}", r.space, r.method),
                &r.silhouette_initial_standard_per_cluster,
            )?,
            &format!("total {}", sig(r.silhouette_initial_standard, 3)),
        ));
    }
    body.push_str("</div>");

    body.push_str("<h2 id=\"centroids\">Centroids as images</h2><p>Each row: the decoded latent centroids (or the pixel centroids) above the pixel means of the same clusters. First seed.</p><table id=\"centroid-images\"><tbody>");
    for ((space, method), (cent, means)) in &input.centroids {
        let a = png_data_uri(&tile_row_png(cent.view(), 28, 2)?);
        let b = png_data_uri(&tile_row_png(means.view(), 28, 2)?);
        let _ = write!(
            body,
            "<tr><td>{} / {}</td><td>{}<br>{}</td></tr>",
            esc(space),
            esc(method),
            img(&a, "centroids"),
            img(&b, "pixel means")
        );
    }
    body.push_str("</tbody></table>");

    body.push_str("<h2 id=\"models\">Autoencoders</h2><div class=\"grid small\">");
    for m in &input.models {
        let man = &m.manifest;
        let train: Vec<(f64, f64)> = man
            .report
            .history
            .iter()
            .map(|e| (e.epoch as f64, e.train_loss))
            .collect();
        let val: Vec<(f64, f64)> = man
            .report
            .history
            .iter()
            .map(|e| (e.epoch as f64, e.val_loss))
            .collect();
        let chart = lines(
            &format!("{} — {}", man.name, man.config.describe()),
            "epoch",
            "BCE",
            &[("train".into(), train), ("validation".into(), val)],
        )?;
        let orig = png_data_uri(&tile_row_png(m.originals.view(), 28, 2)?);
        let rec = png_data_uri(&tile_row_png(m.reconstructions.view(), 28, 2)?);
        let _ = write!(
            body,
            "<figure>{chart}<figcaption>latent {} · best validation BCE {} at epoch {} of {} · {:.0} s<br>{}<br>{}</figcaption></figure>",
            man.latent_dim,
            sig(man.report.best_val_loss, 4),
            man.report.best_epoch,
            man.report.history.len(),
            man.report.seconds,
            img(&orig, "originals"),
            img(&rec, "reconstructions")
        );
    }
    body.push_str("</div>");

    if !input.grid.is_empty() {
        body.push_str(&grid_section(&input.grid)?);
    }

    body.push_str("<h2 id=\"all-runs\">Every run</h2><details><summary>table of all runs (the results DataFrame)</summary>");
    body.push_str(&frame_table(&runs_frame(&input.records)?, "runs"));
    body.push_str("</details><details><summary>aggregated DataFrame</summary>");
    body.push_str(&frame_table(&aggregate_frame(&aggs)?, "aggregate-frame"));
    body.push_str("</details>");
    body.push_str("<h2 id=\"configuration\">Configuration and timing</h2><pre>");
    body.push_str(&esc(
        &serde_json::to_string_pretty(&input.config).unwrap_or_default()
    ));
    body.push_str("</pre><ul>");
    for (phase, s) in &input.phases {
        let _ = write!(body, "<li>{}: {:.1} s</li>", esc(phase), s);
    }
    body.push_str("</ul>");
    Ok(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>latent-kmeans report — {}</title><style>{}</style></head><body>{}</body></html>",
        esc(&input.dataset),
        CSS,
        body
    ))
}

fn grid_section(grid: &[CellResult]) -> Result<String, Error> {
    let mut s = String::from("<h2 id=\"grid\">Grid search</h2><div class=\"grid\">");
    let ok: Vec<&CellResult> = grid.iter().filter(|r| r.ok).collect();
    let w_of = |p: &CellParams| match p {
        CellParams::Lsh(l) => Some(l.w as f64),
        CellParams::Cube(c) => Some(c.w as f64),
        CellParams::Classic => None,
    };
    let pts = |y: &dyn Fn(&CellResult) -> Option<f64>| -> Vec<ScatterPoint> {
        ok.iter()
            .filter_map(|r| {
                Some(ScatterPoint {
                    x: w_of(&r.cell.params)?,
                    y: y(r)?,
                    series: format!(
                        "{} / {}",
                        r.cell.model,
                        match r.cell.params {
                            CellParams::Lsh(_) => "lsh",
                            CellParams::Cube(_) => "cube",
                            CellParams::Classic => "classic",
                        }
                    ),
                    baseline: matches!(r.cell.params, CellParams::Cube(_)),
                })
            })
            .collect()
    };
    s.push_str(&figure(
        &scatter(
            "quality against w",
            "w",
            "silhouette latent→initial",
            &pts(&|r| r.silhouette_initial_standard),
        )?,
        "Circles: LSH cells; crosses: CUBE cells.",
    ));
    s.push_str(&figure(
        &scatter(
            "time against w",
            "w",
            "clustering time (s)",
            &pts(&|r| r.time_cluster_s),
        )?,
        "Circles: LSH cells; crosses: CUBE cells.",
    ));
    s.push_str("</div><h3>Best parameters (highest silhouette latent→initial at ≤ CLASSIC's time)</h3><table id=\"grid-best\"><thead><tr><th>model</th><th>method</th><th>parameters</th><th>silhouette</th><th>time (s)</th><th>CLASSIC time (s)</th><th>within CLASSIC's time</th></tr></thead><tbody>");
    for (model, methods) in best_params(grid) {
        for (method, b) in methods {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&model),
                esc(&method),
                esc(&serde_json::to_string(&b.params).unwrap_or_default()),
                sig(b.silhouette_initial_standard, 3),
                sig(b.time_cluster_s, 3),
                b.classic_time_s.map_or("–".into(), |t| sig(t, 3)),
                if b.within_classic_time { "yes" } else { "no" }
            );
        }
    }
    let failed = grid.iter().filter(|r| !r.ok).count();
    let _ = write!(
        s,
        "</tbody></table><p>{} cells, {} failed.</p>",
        grid.len(),
        failed
    );
    Ok(s)
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}\
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}\
th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}.meta{color:#555}\
.grid{display:flex;flex-wrap:wrap;gap:1em}.grid figure{margin:0}figure svg{max-width:100%;height:auto}\
figcaption{font-size:.8em;color:#555;max-width:560px}pre{background:#f7f7f7;padding:.8em;font-size:.8em}\
details{margin:.5em 0}img{image-rendering:pixelated}";

/// Writes `dir/index.html` atomically.
pub fn write_report(input: &ReportInput, dir: &Path) -> Result<std::path::PathBuf, Error> {
    let html = render_report(input)?;
    let path = dir.join("index.html");
    write_atomic(&path, |w| w.write_all(html.as_bytes())).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
