//! `latent-kmeans evaluate`: metrics of a labelling given as a file.

use std::path::PathBuf;

use clap::Args;
use latent_kmeans::data::read_matrix;
use latent_kmeans::metrics::{
    evaluate_space, external_against, Definition, External, SpaceEvaluation,
};
use latent_kmeans::Error;

use super::args::EvalDataArgs;
use super::cluster_cmd::DefinitionChoice;
use super::output::{print_json, read_labels};
use super::progress::with_spinner;

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub data: EvalDataArgs,
    /// Labels file: one cluster index per line, in dataset order.
    #[arg(long = "labels", value_name = "FILE")]
    pub labels_file: PathBuf,
    /// Centroids (IDX float file) in the dataset's space, e.g. decoded latent centroids.
    #[arg(long, value_name = "FILE")]
    pub centroids: Option<PathBuf>,
    /// Silhouette definition(s).
    #[arg(long, value_enum, default_value = "both")]
    pub definition: DefinitionChoice,
}

/// Scalar metrics for printing.
#[derive(Debug, serde::Serialize)]
pub struct EvaluationOutput {
    pub silhouette_standard: Option<f64>,
    pub silhouette_standard_per_cluster: Option<Vec<Option<f64>>>,
    pub silhouette_compat: Option<f64>,
    pub silhouette_compat_per_cluster: Option<Vec<Option<f64>>>,
    pub objective_centroids: Option<f64>,
    pub objective_means: f64,
    pub external: Option<External>,
    /// Wall time of the evaluation (dominated by the exact silhouette), seconds.
    pub evaluation_s: f64,
}

impl EvaluationOutput {
    pub fn new(e: &SpaceEvaluation, external: Option<External>, evaluation_s: f64) -> Self {
        EvaluationOutput {
            silhouette_standard: e.silhouette_standard.as_ref().map(|s| s.total),
            silhouette_standard_per_cluster: e
                .silhouette_standard
                .as_ref()
                .map(|s| s.per_cluster.clone()),
            silhouette_compat: e.silhouette_compat.as_ref().map(|s| s.total),
            silhouette_compat_per_cluster: e
                .silhouette_compat
                .as_ref()
                .map(|s| s.per_cluster.clone()),
            objective_centroids: e.objective_centroids,
            objective_means: e.objective_means,
            external,
            evaluation_s,
        }
    }
}

pub fn definitions(choice: DefinitionChoice) -> Vec<Definition> {
    match choice {
        DefinitionChoice::Standard => vec![Definition::Standard],
        DefinitionChoice::Compat => vec![Definition::Compat],
        DefinitionChoice::Both => vec![Definition::Standard, Definition::Compat],
    }
}

pub fn print_evaluation(e: &EvaluationOutput) {
    let per = |v: &Option<Vec<Option<f64>>>| -> String {
        v.as_ref().map_or(String::new(), |v| {
            v.iter()
                .map(|x| x.map_or("-".into(), |x| format!("{x:.3}")))
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    if let Some(s) = e.silhouette_standard {
        println!(
            "silhouette  standard {s:.4}   per cluster: {}",
            per(&e.silhouette_standard_per_cluster)
        );
    }
    if let Some(s) = e.silhouette_compat {
        println!(
            "silhouette  compat   {s:.4}   per cluster: {}",
            per(&e.silhouette_compat_per_cluster)
        );
    }
    if let Some(o) = e.objective_centroids {
        println!("objective   {o:.6e} with the given centroids");
    }
    println!(
        "objective   {:.6e} with the cluster means",
        e.objective_means
    );
    if let Some(x) = &e.external {
        println!(
            "external    NMI {:.4}  ARI {:.4}  purity {:.4}",
            x.nmi, x.ari, x.purity
        );
    }
}

pub fn run(a: &EvaluateArgs, json: bool) -> Result<(), Error> {
    let ds = a.data.load()?;
    let labels = read_labels(&a.labels_file)?;
    let centroids = a.centroids.as_deref().map(read_matrix).transpose()?;
    let k_labels = labels.iter().max().map_or(0, |m| m + 1);
    let k = centroids
        .as_ref()
        .map_or(k_labels, |c| c.nrows().max(k_labels));
    if labels.len() != ds.n() {
        return Err(Error::Invalid(format!(
            "{} holds {} labels but the dataset has {} points",
            a.labels_file.display(),
            labels.len(),
            ds.n()
        )));
    }
    let defs = definitions(a.definition);
    let t = std::time::Instant::now();
    let eval = with_spinner("evaluating (exact silhouette)", || {
        evaluate_space(
            ds.features.view(),
            &labels,
            k,
            centroids.as_ref().map(|c| c.view()),
            &defs,
        )
    })?;
    let external = external_against(ds.labels.as_deref(), &labels)?;
    let out = EvaluationOutput::new(&eval, external, t.elapsed().as_secs_f64());
    if json {
        return print_json(&out);
    }
    println!(
        "dataset     {} ({} × {}), k = {k}",
        ds.name,
        ds.n(),
        ds.dim()
    );
    print_evaluation(&out);
    Ok(())
}
