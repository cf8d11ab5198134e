//! Evaluation: exact silhouette (two definitions), the objective, latent→initial evaluation and
//! external scores against true labels.

pub mod error;
pub mod evaluation;
pub mod external;
pub mod objective;
pub mod silhouette;

pub use error::MetricsError;
pub use evaluation::{evaluate_space, SpaceEvaluation};
pub use external::{external_against, external_scores, External};
pub use objective::{cluster_means, objective};
pub use silhouette::{silhouette_score, silhouettes, Definition, Silhouette};
