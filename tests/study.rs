//! The study end to end on a small subset, parallel = serial, the resumable grid, and the
//! HTML report.

use std::path::{Path, PathBuf};

use latent_kmeans::autoencoder::{
    save_model, train, Activation, Autoencoder, AutoencoderConfig, Family, Manifest, TrainParams,
};
use latent_kmeans::data::{load_named, Dataset};
use latent_kmeans::experiment::grid::{cells, read_results, run_grid, CellParams, GridSpec};
use latent_kmeans::experiment::output::{load_run, save_run, StudyMeta};
use latent_kmeans::experiment::{
    encode_models, encode_normalised, run_study, runs_frame, StudyConfig,
};
use latent_kmeans::index::LshParams;
use latent_kmeans::kmeans::{fit, KMeansParams, Method};
use latent_kmeans::metrics::{evaluate_space, silhouettes, Definition};
use latent_kmeans::report::{render_report, report_input};
use polars::prelude::DataType;

fn subset() -> Dataset {
    load_named("mnist-10k").unwrap().head(600).unwrap()
}

/// Trains a tiny dense model into `dir/tiny` and returns its folder.
fn tiny_model(dir: &Path, data: &Dataset) -> PathBuf {
    let cfg = AutoencoderConfig {
        family: Family::Dense,
        widths: vec![32, 8],
        activation: Activation::Relu,
    };
    let (tr, va) = data.split(0.2, 0).unwrap();
    let mut m = Autoencoder::new(&cfg, 0).unwrap();
    let p = TrainParams {
        max_epochs: 2,
        batch_size: 64,
        ..TrainParams::default()
    };
    let report = train(
        &mut m,
        tr.features.view(),
        va.features.view(),
        &p,
        &mut |_| {},
    )
    .unwrap();
    let man = Manifest {
        name: "tiny".into(),
        config: cfg,
        latent_dim: m.latent_dim(),
        parameters: m.parameter_count(),
        dataset: data.name.clone(),
        n_train: tr.n(),
        n_val: va.n(),
        training: p,
        report,
        threads: 1,
        crate_version: "test".into(),
    };
    let out = dir.join("tiny");
    save_model(&m, &man, &out).unwrap();
    out
}

fn small_config() -> StudyConfig {
    StudyConfig {
        methods: vec!["classic".into(), "lsh".into()],
        pixel_methods: vec!["classic".into()],
        seeds: vec![3],
        lsh: LshParams {
            w: 0.3,
            ..LshParams::default()
        },
        ..StudyConfig::default()
    }
}

#[test]
fn end_to_end_study_matches_the_metrics_module() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset();
    let model_dir = tiny_model(dir.path(), &data);
    let models = encode_models(std::slice::from_ref(&model_dir), &data).unwrap();
    let cfg = small_config();
    let records = run_study(&cfg, &data, &models, &|_| {}).unwrap();
    assert_eq!(records.len(), 3);

    let df = runs_frame(&records).unwrap();
    for name in [
        "space",
        "method",
        "seed",
        "silhouette_initial_standard",
        "silhouette_initial_compat",
        "silhouette_latent_standard",
        "objective_latent",
        "objective_pixel_centroids",
        "objective_pixel_means",
        "nmi",
        "ari",
        "purity",
        "time_cluster_s",
        "range_fraction",
    ] {
        assert!(df.column(name).is_ok(), "column {name}");
    }
    for c in df.columns() {
        if c.dtype() == &DataType::Float64 {
            let s = c.as_materialized_series();
            let ca = s.f64().unwrap();
            assert!(
                (0..ca.len())
                    .filter_map(|i| ca.get(i))
                    .all(|v| v.is_finite()),
                "{}",
                c.name()
            );
        }
    }
    // Latent rows have latent metrics, the pixel row has none.
    assert_eq!(
        df.column("silhouette_latent_standard")
            .unwrap()
            .null_count(),
        1
    );

    // Recompute the latent CLASSIC row directly.
    let r = records
        .iter()
        .find(|r| r.space == "tiny" && r.method == "classic")
        .unwrap();
    let codes = encode_normalised(&models[0].model, data.features.view()).unwrap();
    let c = fit(
        &KMeansParams::builder(10)
            .seed(3)
            .method(Method::Classic)
            .check()
            .unwrap(),
        codes.codes.view(),
    )
    .unwrap();
    let direct = silhouettes(
        data.features.view(),
        &c.labels,
        10,
        None,
        &[Definition::Standard],
    )
    .unwrap();
    assert_eq!(r.silhouette_initial_standard, direct[0].total);
    let e = evaluate_space(
        codes.codes.view(),
        &c.labels,
        10,
        Some(c.centroids.view()),
        &[],
    )
    .unwrap();
    assert_eq!(r.objective_latent, e.objective_centroids);
    assert!(r.objective_pixel_means <= r.objective_pixel_centroids);

    // Pixel baseline: clustering of the pixels.
    let p = records.iter().find(|r| r.space == "pixels").unwrap();
    let pc = fit(
        &KMeansParams::builder(10).seed(3).check().unwrap(),
        data.features.view(),
    )
    .unwrap();
    let ps = silhouettes(
        data.features.view(),
        &pc.labels,
        10,
        None,
        &[Definition::Standard],
    )
    .unwrap();
    assert_eq!(p.silhouette_initial_standard, ps[0].total);
    assert_eq!(p.objective_pixel_centroids, pc.objective);

    // Save, load and render: the report is valid, complete and self-contained.
    let out = dir.path().join("out");
    let meta = StudyMeta {
        dataset: "mnist-10k".into(),
        n: data.n(),
        config: StudyConfig {
            limit: Some(600),
            ..cfg.clone()
        },
        model_paths: vec![model_dir],
        phases: vec![("all".into(), 1.0)],
        crate_version: "test".into(),
    };
    save_run(&out, &meta, &records).unwrap();
    for f in [
        "results.csv",
        "results.json",
        "summary.csv",
        "summary.json",
        "study.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let (meta2, back) = load_run(&out).unwrap();
    assert_eq!(back.len(), records.len());
    assert_eq!(
        back[0].silhouette_initial_standard,
        records[0].silhouette_initial_standard
    );
    let input = report_input(&meta2, back, &data, None).unwrap();
    let html = render_report(&input).unwrap();
    check_report(
        &html,
        &[
            "aggregate",
            "best-silhouette",
            "best-objective",
            "comparison",
            "centroid-images",
            "runs",
        ],
    );
}

fn check_report(html: &str, tables: &[&str]) {
    let doc = scraper::Html::parse_document(html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    for id in tables {
        let sel = scraper::Selector::parse(&format!("table#{id}")).unwrap();
        assert_eq!(doc.select(&sel).count(), 1, "table {id}");
    }
    let svg = scraper::Selector::parse("svg").unwrap();
    assert!(doc.select(&svg).count() >= 4, "charts");
    let img = scraper::Selector::parse("img").unwrap();
    assert!(doc.select(&img).count() >= 2, "image grids");
    let any = scraper::Selector::parse("[src],[href]").unwrap();
    for el in doc.select(&any) {
        for attr in ["src", "href"] {
            if let Some(v) = el.value().attr(attr) {
                assert!(
                    v.starts_with("data:") || v.starts_with('#'),
                    "external resource {v}"
                );
            }
        }
    }
    let link = scraper::Selector::parse("link, script").unwrap();
    assert_eq!(doc.select(&link).count(), 0);
    let conclusions = scraper::Selector::parse("#conclusions + ul li").unwrap();
    assert!(
        doc.select(&conclusions).count() >= 2,
        "computed conclusions"
    );
}

#[test]
fn parallel_and_serial_runs_are_identical() {
    let dir = tempfile::tempdir().unwrap();
    let data = subset();
    let model_dir = tiny_model(dir.path(), &data);
    let models = encode_models(&[model_dir], &data).unwrap();
    let cfg = StudyConfig {
        methods: vec![
            "classic".into(),
            "lsh".into(),
            "cube".into(),
            "linfa".into(),
        ],
        seeds: vec![0, 1],
        ..small_config()
    };
    let par = run_study(&cfg, &data, &models, &|_| {}).unwrap();
    let ser = run_study(
        &StudyConfig {
            parallel: false,
            ..cfg.clone()
        },
        &data,
        &models,
        &|_| {},
    )
    .unwrap();
    let strip = |v: &[latent_kmeans::experiment::RunRecord]| {
        v.iter()
            .map(|r| {
                let mut r = r.clone();
                // Wall times differ run to run; everything else must not.
                r.time_cluster_s = 0.0;
                r.time_evaluation_s = 0.0;
                r.time_seeding_s = None;
                r.time_index_s = None;
                r.time_assignment_s = None;
                r.time_update_s = None;
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&par), strip(&ser));
}

#[test]
fn grid_resumes_without_recomputing_and_records_failures() {
    let dir = tempfile::tempdir().unwrap();
    let data = load_named("mnist-10k").unwrap().head(300).unwrap();
    let model_dir = tiny_model(dir.path(), &data);
    let models = encode_models(&[model_dir], &data).unwrap();
    let spec = GridSpec {
        lsh_tables: vec![2],
        lsh_hashes: vec![3],
        lsh_w: vec![0.5, -1.0],
        lsh_table_size: vec![0],
        lsh_cap_factor: vec![20],
        cube_dims: vec![3],
        cube_max_points: vec![100],
        cube_probes: vec![4],
        cube_w: vec![0.5],
        seeds: vec![0],
        k: 5,
        max_iter: 50,
    };
    let all = cells(&spec, &["tiny".to_string()]);
    assert_eq!(all.len(), 4); // classic + 2 lsh + 1 cube
    let file = dir.path().join("grid.jsonl");
    // First run: half the cells, as if killed.
    let mut calls = 0;
    run_grid(&spec, &data, &models, &all[..2], &file, &mut |_, _| {
        calls += 1
    })
    .unwrap();
    assert_eq!(calls, 2);
    // Simulate a line cut short by the kill.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"cell\": {\"mod"))
        .unwrap();
    let mut calls = 0;
    let results = run_grid(&spec, &data, &models, &all, &file, &mut |_, _| calls += 1).unwrap();
    assert_eq!(calls, 2, "only the remaining cells run");
    assert_eq!(results.len(), 4);
    let mut keys: Vec<String> = results.iter().map(|r| r.cell.key()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 4, "each cell once");
    let failed: Vec<_> = results.iter().filter(|r| !r.ok).collect();
    assert_eq!(failed.len(), 1);
    assert!(matches!(&failed[0].cell.params, CellParams::Lsh(p) if p.w < 0.0));
    assert!(failed[0].error.as_ref().unwrap().contains("w"));
    // A third run computes nothing.
    let mut calls = 0;
    run_grid(&spec, &data, &models, &all, &file, &mut |_, _| calls += 1).unwrap();
    assert_eq!(calls, 0);
    assert_eq!(read_results(&file).unwrap().len(), 4);
    let df = latent_kmeans::experiment::grid::grid_frame(&results).unwrap();
    assert_eq!(df.height(), 4);
    assert_eq!(df.column("ok").unwrap().null_count(), 0);
    let best = latent_kmeans::experiment::grid::best_params(&results);
    assert!(best["tiny"].contains_key("lsh") && best["tiny"].contains_key("cube"));
}
