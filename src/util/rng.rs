//! One seeded RNG type for the whole crate: ChaCha8 is portable (same stream on every platform)
//! and implements rand 0.8's traits, which linfa's `params_with_rng` needs.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as Rng;

/// The crate's RNG from a user seed; the same seed gives the same stream everywhere.
pub fn seeded_rng(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Derives an independent sub-seed (splitmix64) so that components seeded from one user seed
/// (index tables, hash functions, shuffles) do not share a stream.
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
