//! K-Means with three assignment methods (CLASSIC, LSH, CUBE) sharing one loop, plus
//! linfa-clustering's KMeans as the reference.

pub mod algorithm;
pub mod assign;
pub mod error;
pub mod init;
pub mod linfa_baseline;
pub mod params;
pub mod result;

pub use algorithm::{fit, initial_centroids};
pub use error::KMeansError;
pub use params::{KMeansBuilder, KMeansParams, Method, Seeding};
pub use result::{Clustering, ClusteringSummary, PhaseTimes, ReverseStats};
