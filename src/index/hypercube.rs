//! Random-projection hypercube: `k` p-stable hash functions, each mapped to one bit by a seeded
//! random function `fᵢ: ℤ → {0,1}`; a point lives at the vertex of its `k` bits. A range query
//! visits vertices in increasing Hamming distance from the query's vertex, examining at most
//! `M` points over at most `probes` vertices.
//!
//! The original study reported its best values as "M = 67, probes = 1000" but its tuning passed
//! them to each other's slots; here each parameter means what its name says, and the defaults are
//! the values as they were actually used: at most 1000 points over at most 67 vertices.

use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::hashing::{Buckets, HashFamily};
use super::{Hit, IndexError, RangeIndex};
use crate::linalg::sq_dist;
use crate::util::rng::derive_seed;

/// Largest supported cube dimension (2^24 vertices of offsets = 64 MiB).
pub const MAX_CUBE_DIMS: usize = 24;

/// Parameters of the hypercube index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CubeParams {
    /// `k`: cube dimension (bits per vertex).
    pub dims: usize,
    /// `M`: most points examined per query.
    pub max_points: usize,
    /// Most vertices visited per query.
    pub probes: usize,
    /// `w`: window of each hash function.
    pub w: f32,
}

impl Default for CubeParams {
    fn default() -> Self {
        CubeParams {
            dims: 3,
            max_points: 1000,
            probes: 67,
            w: 0.42,
        }
    }
}

impl CubeParams {
    /// Checks every parameter is in range.
    pub fn validate(&self) -> Result<(), IndexError> {
        let bad = |m: String| Err(IndexError::InvalidParam(m));
        if self.dims == 0 || self.dims > MAX_CUBE_DIMS {
            return bad(format!(
                "cube k must be in 1..={MAX_CUBE_DIMS}, got {}",
                self.dims
            ));
        }
        if self.max_points == 0 {
            return bad("cube M must be ≥ 1".into());
        }
        if self.probes == 0 {
            return bad("cube probes must be ≥ 1".into());
        }
        if !(self.w > 0.0 && self.w.is_finite()) {
            return bad(format!("cube w must be finite and > 0, got {}", self.w));
        }
        Ok(())
    }
}

/// A hypercube index over the rows of a matrix.
pub struct HypercubeIndex<'a> {
    data: ArrayView2<'a, f32>,
    family: HashFamily,
    bit_seeds: Vec<u64>,
    buckets: Buckets,
    params: CubeParams,
}

impl<'a> HypercubeIndex<'a> {
    /// Projects every point onto its vertex; every random choice is drawn from `seed`.
    pub fn build(
        data: ArrayView2<'a, f32>,
        params: &CubeParams,
        seed: u64,
    ) -> Result<Self, IndexError> {
        params.validate()?;
        let family = HashFamily::new(params.dims, data.ncols(), params.w, derive_seed(seed, 1));
        let bit_seeds: Vec<u64> = (0..params.dims)
            .map(|i| derive_seed(seed, 1000 + i as u64))
            .collect();
        let hashes = family.hash_all(data);
        let keys: Vec<usize> = hashes
            .rows()
            .into_iter()
            .map(|h| vertex(h.iter().copied(), &bit_seeds))
            .collect();
        let buckets = Buckets::from_keys(&keys, 1 << params.dims);
        Ok(HypercubeIndex {
            data,
            family,
            bit_seeds,
            buckets,
            params: params.clone(),
        })
    }
}

/// The vertex of a point from its hash values: bit `i` is `fᵢ(hᵢ)`.
fn vertex(hashes: impl Iterator<Item = i64>, bit_seeds: &[u64]) -> usize {
    hashes
        .zip(bit_seeds)
        .enumerate()
        .fold(0usize, |v, (i, (h, &s))| {
            v | (((derive_seed(s, h as u64) & 1) as usize) << i)
        })
}

/// Every `dims`-bit mask with `ones` bits set, in increasing order (Gosper's hack).
fn masks_with_popcount(dims: usize, ones: usize) -> impl Iterator<Item = usize> {
    let limit = 1usize << dims;
    let mut next = if ones == 0 {
        Some(0)
    } else {
        Some((1usize << ones) - 1)
    };
    std::iter::from_fn(move || {
        let cur = next?;
        if cur >= limit {
            return None;
        }
        next = if cur == 0 {
            None
        } else {
            let c = cur & cur.wrapping_neg();
            let r = cur + c;
            Some((((r ^ cur) >> 2) / c) | r)
        };
        Some(cur)
    })
}

impl RangeIndex for HypercubeIndex<'_> {
    fn range_query(&self, q: ArrayView1<f32>, r: f32, out: &mut Vec<Hit>) -> usize {
        let start = vertex(self.family.hash_one(q).into_iter(), &self.bit_seeds);
        let r2 = r * r;
        let mut examined = 0usize;
        let mut visited = 0usize;
        for dist in 0..=self.params.dims {
            for mask in masks_with_popcount(self.params.dims, dist) {
                if visited >= self.params.probes || examined >= self.params.max_points {
                    return examined;
                }
                visited += 1;
                for &p in self.buckets.bucket(start ^ mask) {
                    if examined >= self.params.max_points {
                        return examined;
                    }
                    examined += 1;
                    let d = sq_dist(self.data.row(p as usize), q);
                    if d < r2 {
                        out.push(Hit {
                            index: p,
                            sq_dist: d,
                        });
                    }
                }
            }
        }
        examined
    }

    fn len(&self) -> usize {
        self.data.nrows()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_enumerate_every_vertex_once_by_distance() {
        let all: Vec<usize> = (0..=4).flat_map(|d| masks_with_popcount(4, d)).collect();
        assert_eq!(all.len(), 16);
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 16);
        let pops: Vec<u32> = all.iter().map(|m| m.count_ones()).collect();
        assert!(pops.windows(2).all(|w| w[0] <= w[1]));
    }
}
