//! Small helpers shared by every module: atomic file output and seeded randomness.

pub mod atomic;
pub mod rng;

pub use atomic::write_atomic;
pub use rng::seeded_rng;
