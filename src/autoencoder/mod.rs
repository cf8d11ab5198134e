//! Dense and convolutional autoencoders in candle: architectures from a serde config, seeded
//! training with early stopping, safetensors weights with a JSON manifest, batched encode and
//! decode, and the invertible latent normalisation.

pub mod config;
pub mod convert;
pub mod error;
pub mod latent;
pub mod model;
pub mod store;
pub mod train;

pub use config::{Activation, AutoencoderConfig, Family};
pub use error::AutoencoderError;
pub use latent::LatentNormaliser;
pub use model::Autoencoder;
pub use store::{list_models, load_model, read_manifest, save_model, Manifest};
pub use train::{train, EpochRecord, LossKind, OptimizerKind, TrainParams, TrainReport};
