//! `latent-kmeans cluster`: K-Means with one method on one dataset.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use latent_kmeans::autoencoder::load_model;
use latent_kmeans::data::{write_matrix, MatrixFormat};
use latent_kmeans::experiment::{encode_normalised, evaluate_two_spaces, resolve_model};
use latent_kmeans::index::{CubeParams, LshParams};
use latent_kmeans::kmeans::{fit, Clustering, KMeansParams, Method, Seeding};
use latent_kmeans::metrics::{evaluate_space, external_against, Definition};
use latent_kmeans::Error;

use super::args::{parse_cap, DataArgs};
use super::evaluate_cmd::{definitions, print_evaluation, EvaluationOutput};
use super::output::{print_json, write_labels};
use super::progress::with_spinner;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodName {
    Classic,
    Lsh,
    Cube,
    Linfa,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Cluster in this autoencoder's latent space (a folder, or a name under models/);
    /// without it, in pixel space.
    #[arg(long, value_name = "MODEL")]
    pub space: Option<PathBuf>,
    /// Assignment method.
    #[arg(long, value_enum, default_value = "classic")]
    pub method: MethodName,
    /// Number of clusters.
    #[arg(short = 'k', long = "clusters", default_value_t = 10)]
    pub k: usize,
    /// Maximum Lloyd iterations.
    #[arg(long, default_value_t = 300)]
    pub max_iter: usize,
    /// Converged when the largest centroid shift is ≤ this.
    #[arg(long, default_value_t = 1e-4)]
    pub tol: f64,
    /// Seed k-means++ with D weighting, as the original system did (default: D²).
    #[arg(long)]
    pub compat_seeding: bool,
    /// Reverse assignment stops growing balls at this multiple of the largest centroid gap.
    #[arg(long, default_value_t = 4.0)]
    pub radius_limit: f32,
    #[command(flatten)]
    pub lsh: LshArgs,
    #[command(flatten)]
    pub cube: CubeArgs,
    /// Write the labels, one per line, in dataset order.
    #[arg(long, value_name = "FILE")]
    pub labels_out: Option<PathBuf>,
    /// Write the centroids as an IDX float file (.gz compresses), in the space clustered
    /// (normalised latent codes with --space).
    #[arg(long, value_name = "FILE")]
    pub centroids_out: Option<PathBuf>,
    /// Layout of --centroids-out.
    #[arg(long, value_enum, default_value = "idx")]
    pub centroids_format: MatrixFormat,
    /// Also compute silhouette, objective and (with true labels) NMI/ARI/purity.
    #[arg(long)]
    pub evaluate: bool,
    /// Silhouette definition(s) for --evaluate.
    #[arg(long, value_enum, default_value = "both")]
    pub definition: DefinitionChoice,
}

/// `standard`, `compat` or `both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DefinitionChoice {
    Standard,
    Compat,
    Both,
}

#[derive(Debug, Clone, Args)]
pub struct LshArgs {
    /// LSH: number of tables L.
    #[arg(long = "lsh-L", default_value_t = LshParams::default().tables)]
    pub lsh_tables: usize,
    /// LSH: hash functions per table k.
    #[arg(long = "lsh-k", default_value_t = LshParams::default().hashes)]
    pub lsh_hashes: usize,
    /// LSH: window w.
    #[arg(long = "lsh-w", default_value_t = LshParams::default().w)]
    pub lsh_w: f32,
    /// LSH: buckets per table (default n/8).
    #[arg(long = "lsh-table-size")]
    pub lsh_table_size: Option<usize>,
    /// LSH: examine every candidate of the bucket, not only those with the query's full ID.
    #[arg(long = "lsh-no-id-trick")]
    pub lsh_no_id_trick: bool,
    /// LSH: candidate cap per query, or 'off' (default 20·L).
    #[arg(long = "lsh-cap", value_parser = parse_cap)]
    pub lsh_cap: Option<Option<usize>>,
}

#[derive(Debug, Clone, Args)]
pub struct CubeArgs {
    /// CUBE: cube dimension k.
    #[arg(long = "cube-k", default_value_t = CubeParams::default().dims)]
    pub cube_dims: usize,
    /// CUBE: most points examined per query, M.
    #[arg(long = "cube-M", default_value_t = CubeParams::default().max_points)]
    pub cube_max_points: usize,
    /// CUBE: most vertices visited per query.
    #[arg(long = "cube-probes", default_value_t = CubeParams::default().probes)]
    pub cube_probes: usize,
    /// CUBE: window w.
    #[arg(long = "cube-w", default_value_t = CubeParams::default().w)]
    pub cube_w: f32,
}

impl LshArgs {
    pub fn params(&self) -> LshParams {
        LshParams {
            tables: self.lsh_tables,
            hashes: self.lsh_hashes,
            w: self.lsh_w,
            table_size: self.lsh_table_size,
            id_trick: !self.lsh_no_id_trick,
            cap: self.lsh_cap.unwrap_or(Some(20 * self.lsh_tables)),
        }
    }
}

impl CubeArgs {
    pub fn params(&self) -> CubeParams {
        CubeParams {
            dims: self.cube_dims,
            max_points: self.cube_max_points,
            probes: self.cube_probes,
            w: self.cube_w,
        }
    }
}

impl ClusterArgs {
    fn method(&self) -> Method {
        match self.method {
            MethodName::Classic => Method::Classic,
            MethodName::Lsh => Method::Lsh(self.lsh.params()),
            MethodName::Cube => Method::Cube(self.cube.params()),
            MethodName::Linfa => Method::Linfa,
        }
    }

    fn params(&self, seed: u64) -> Result<KMeansParams, Error> {
        Ok(KMeansParams::builder(self.k)
            .max_iter(self.max_iter)
            .tol(self.tol)
            .seed(seed)
            .method(self.method())
            .seeding(if self.compat_seeding {
                Seeding::KMeansPlusPlusCompat
            } else {
                Seeding::KMeansPlusPlus
            })
            .radius_limit_factor(self.radius_limit)
            .check()?)
    }
}

#[derive(serde::Serialize)]
struct ClusterOutput<'a> {
    dataset: &'a str,
    /// `pixels` or the model's name.
    space: String,
    n: usize,
    dim: usize,
    seed: u64,
    clustering: latent_kmeans::kmeans::ClusteringSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation: Option<EvaluationOutput>,
    /// Latent runs: the same labels judged in pixel space with the decoded centroids.
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation_latent_to_initial: Option<EvaluationOutput>,
}

pub fn run(a: &ClusterArgs, seed: u64, json: bool) -> Result<(), Error> {
    let params = a.params(seed)?;
    let ds = a.data.load()?;
    let model = a
        .space
        .as_deref()
        .map(|m| load_model(&resolve_model(m)))
        .transpose()?;
    let codes = match &model {
        Some((m, man)) => Some(with_spinner(format!("encoding with {}", man.name), || {
            encode_normalised(m, ds.features.view())
        })?),
        None => None,
    };
    let space = codes
        .as_ref()
        .map_or(ds.features.view(), |c| c.codes.view());
    let c: Clustering = with_spinner(
        format!(
            "clustering {} ({} × {}) with {}",
            ds.name,
            space.nrows(),
            space.ncols(),
            params.method().name()
        ),
        || fit(&params, space),
    )?;
    if let Some(p) = &a.labels_out {
        write_labels(p, &c.labels)?;
    }
    if let Some(p) = &a.centroids_out {
        write_matrix(p, &c.centroids, a.centroids_format)?;
    }
    let defs: Vec<Definition> = definitions(a.definition);
    let (evaluation, evaluation_latent_to_initial) = match (a.evaluate, &model, &codes) {
        (false, _, _) => (None, None),
        (true, Some((m, _)), Some(codes)) => {
            let t = std::time::Instant::now();
            let e = with_spinner("evaluating in latent and pixel space", || {
                evaluate_two_spaces(
                    m,
                    codes,
                    ds.features.view(),
                    ds.labels.as_deref(),
                    &c,
                    &defs,
                )
            })?;
            let s = t.elapsed().as_secs_f64();
            (
                Some(EvaluationOutput::new(&e.latent, e.external, s)),
                Some(EvaluationOutput::new(&e.initial, e.external, s)),
            )
        }
        (true, _, _) => {
            let t = std::time::Instant::now();
            let eval = with_spinner("evaluating (exact silhouette)", || {
                evaluate_space(space, &c.labels, c.k, Some(c.centroids.view()), &defs)
            })?;
            let external = external_against(ds.labels.as_deref(), &c.labels)?;
            (
                Some(EvaluationOutput::new(
                    &eval,
                    external,
                    t.elapsed().as_secs_f64(),
                )),
                None,
            )
        }
    };
    let out = ClusterOutput {
        dataset: &ds.name,
        space: model
            .as_ref()
            .map_or("pixels".to_string(), |(_, man)| man.name.clone()),
        n: space.nrows(),
        dim: space.ncols(),
        seed,
        clustering: c.summary(),
        evaluation,
        evaluation_latent_to_initial,
    };
    if json {
        return print_json(&out);
    }
    let s = &out.clustering;
    println!(
        "dataset     {} in {} space ({} × {})",
        out.dataset, out.space, out.n, out.dim
    );
    println!("method      {}  k = {}  seed = {}", s.method, s.k, seed);
    match (s.iterations, s.converged) {
        (Some(i), Some(conv)) => println!(
            "iterations  {i}{}",
            if conv {
                " (converged)"
            } else {
                " (max_iter reached)"
            }
        ),
        _ => println!("iterations  not reported by this implementation"),
    }
    println!("objective   {:.6e}  (Σ squared distances)", s.objective);
    let t = &s.timings;
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3} s"));
    println!(
        "time        total {:.3} s  (seeding {}, index {}, assignment {}, update {})",
        t.total_s,
        fmt(t.seeding_s),
        fmt(t.index_build_s),
        fmt(t.assignment_s),
        fmt(t.update_s)
    );
    if let (Some(f), Some(q)) = (s.range_assigned_fraction, s.range_queries) {
        println!(
            "reverse     {:.1} % of assignments by range search, {q} range queries",
            100.0 * f
        );
    }
    println!("sizes       {:?}", s.sizes);
    if let Some(e) = &out.evaluation {
        if out.evaluation_latent_to_initial.is_some() {
            println!("— in latent space");
        }
        print_evaluation(e);
    }
    if let Some(e) = &out.evaluation_latent_to_initial {
        println!("— latent → initial (pixel distances, decoded centroids)");
        print_evaluation(e);
    }
    Ok(())
}
