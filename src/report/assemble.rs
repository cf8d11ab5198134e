//! Gathers what the report shows from a study's records and folders.

use std::path::Path;

use ndarray::s;

use super::html::{ModelView, ReportInput};
use crate::autoencoder::load_model;
use crate::data::Dataset;
use crate::experiment::grid::{read_results, CellResult};
use crate::experiment::output::{first_seed_centroids, StudyMeta};
use crate::experiment::RunRecord;
use crate::Error;

/// Images shown per model as originals vs reconstructions.
pub const SAMPLE_IMAGES: usize = 8;

/// The report's input for a study, its dataset and (optional) grid results file.
pub fn report_input(
    meta: &StudyMeta,
    records: Vec<RunRecord>,
    data: &Dataset,
    grid_file: Option<&Path>,
) -> Result<ReportInput, Error> {
    let sample = data.features.slice(s![..SAMPLE_IMAGES.min(data.n()), ..]);
    let models = meta
        .model_paths
        .iter()
        .map(|p| {
            let (model, manifest) = load_model(p)?;
            Ok(ModelView {
                reconstructions: model.reconstruct(sample)?,
                originals: sample.to_owned(),
                manifest,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let grid: Vec<CellResult> = match grid_file {
        Some(p) if p.exists() => read_results(p)?,
        _ => vec![],
    };
    Ok(ReportInput {
        dataset: meta.dataset.clone(),
        n: meta.n,
        config: meta.config.clone(),
        centroids: first_seed_centroids(&records),
        records,
        models,
        grid,
        phases: meta.phases.clone(),
    })
}
