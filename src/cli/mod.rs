//! The command-line interface: parse, call the library, print or write. No algorithm here.

pub mod args;
pub mod cluster_cmd;
pub mod data_cmd;
pub mod evaluate_cmd;
pub mod model_cmd;
pub mod output;
pub mod progress;
pub mod study_cmd;

use clap::{Parser, Subcommand};
use latent_kmeans::Error;

/// K-Means in the latent space of autoencoders, judged back in pixel space.
#[derive(Debug, Parser)]
#[command(name = "latent-kmeans", version, about, long_about = None)]
pub struct Cli {
    /// Machine-readable results (JSON) on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seed for every random choice (same seed, same result).
    #[arg(long, global = true, default_value_t = 0)]
    pub seed: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect datasets.
    #[command(subcommand)]
    Data(data_cmd::DataCommand),
    /// Run K-Means (classic, lsh, cube or linfa) on a dataset.
    Cluster(Box<cluster_cmd::ClusterArgs>),
    /// Silhouette, objective and NMI/ARI/purity of a labels file.
    Evaluate(evaluate_cmd::EvaluateArgs),
    /// Train an autoencoder and save it (weights + manifest).
    Train(Box<model_cmd::TrainArgs>),
    /// Encode a dataset with a trained autoencoder.
    Encode(model_cmd::EncodeArgs),
    /// The main job: every model × method × seed, latent vs pixel space, results and report.
    Run(Box<study_cmd::RunArgs>),
    /// Grid search over the LSH and CUBE parameters (resumable).
    Grid(study_cmd::GridArgs),
    /// Re-render the HTML report of a study folder.
    Report(study_cmd::ReportArgs),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Data(cmd) => data_cmd::run(cmd, cli.json),
        Command::Cluster(a) => cluster_cmd::run(a, cli.seed, cli.json),
        Command::Evaluate(a) => evaluate_cmd::run(a, cli.json),
        Command::Train(a) => model_cmd::run_train(a, cli.seed, cli.json),
        Command::Encode(a) => model_cmd::run_encode(a, cli.json),
        Command::Run(a) => study_cmd::run_study_cmd(a, cli.json),
        Command::Grid(a) => study_cmd::run_grid_cmd(a, cli.json),
        Command::Report(a) => study_cmd::run_report_cmd(a),
    }
}
