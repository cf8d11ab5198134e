//! # latent-kmeans
//!
//! K-Means on image datasets in the latent space of autoencoders, judged back in pixel space.
//!
//! Data flows `data` → (`autoencoder` encode) → `kmeans` (CLASSIC | LSH | CUBE | linfa) →
//! `metrics` (silhouette, objective, NMI/ARI/purity — in latent space and latent→initial).
//! Everything the CLI, the notebooks and the tests do goes through this library; it never prints
//! and returns typed errors instead of panicking on input.

pub mod autoencoder;
pub mod data;
pub mod error;
pub mod experiment;
pub mod index;
pub mod kmeans;
pub mod linalg;
pub mod metrics;
pub mod report;
pub mod util;

pub use data::{Dataset, DatasetSource};
pub use error::Error;
pub use kmeans::{fit, Clustering, KMeansParams, Method};
