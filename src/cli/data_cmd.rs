//! `latent-kmeans data info`.

use clap::{Args, Subcommand};
use latent_kmeans::Error;

use super::args::DataArgs;
use super::output::print_json;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Size, value range and label histogram of a dataset.
    Info(InfoArgs),
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run(cmd: &DataCommand, json: bool) -> Result<(), Error> {
    match cmd {
        DataCommand::Info(a) => {
            let ds = a.data.load()?;
            let s = ds.summary();
            if json {
                return print_json(&s);
            }
            println!("dataset      {}", s.name);
            println!("points       {}", s.n);
            match s.image_shape {
                Some((r, c)) => println!("dimensions   {} ({r} × {c} images)", s.dim),
                None => println!("dimensions   {}", s.dim),
            }
            println!("value range  [{}, {}]  mean {:.4}", s.min, s.max, s.mean);
            match &s.label_counts {
                Some(h) => {
                    println!("labels       {} classes", h.len());
                    for (label, count) in h {
                        println!("  {label:>3}  {count:>7}");
                    }
                }
                None => println!("labels       none"),
            }
            Ok(())
        }
    }
}
