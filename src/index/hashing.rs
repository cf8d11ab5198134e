//! The p-stable hash family both approximate indexes share:
//! `h(p) = ⌊(p·v + t) / w⌋`, `v ~ N(0, I)`, `t ~ U[0, w)`.
//!
//! All projections of all points are computed at once as one GEMM (`X · Vᵀ`).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand_distr::{Distribution, Normal, Uniform};

use crate::util::seeded_rng;

/// `m` hash functions over `dim`-dimensional points.
#[derive(Debug, Clone)]
pub struct HashFamily {
    /// `m × dim`, one direction per row.
    directions: Array2<f32>,
    offsets: Array1<f32>,
    w: f32,
}

impl HashFamily {
    /// Draws `m` functions with window `w` from `seed`.
    pub fn new(m: usize, dim: usize, w: f32, seed: u64) -> Self {
        let mut rng = seeded_rng(seed);
        let normal = Normal::new(0.0f32, 1.0).expect("unit normal");
        let directions = Array2::from_shape_fn((m, dim), |_| normal.sample(&mut rng));
        let uni = Uniform::new(0.0f32, w);
        let offsets = Array1::from_shape_fn(m, |_| uni.sample(&mut rng));
        HashFamily {
            directions,
            offsets,
            w,
        }
    }

    /// Number of functions.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Whether the family is empty.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Hash values of every row of `x`: an `n × m` matrix.
    pub fn hash_all(&self, x: ArrayView2<f32>) -> Array2<i64> {
        let proj = x.dot(&self.directions.t());
        let mut out = Array2::<i64>::zeros(proj.raw_dim());
        for ((i, j), &p) in proj.indexed_iter() {
            out[[i, j]] = self.bucket(p, j);
        }
        out
    }

    /// Hash values of one point.
    pub fn hash_one(&self, q: ArrayView1<f32>) -> Vec<i64> {
        self.directions
            .rows()
            .into_iter()
            .enumerate()
            .map(|(j, v)| self.bucket(v.dot(&q), j))
            .collect()
    }

    #[inline]
    fn bucket(&self, projection: f32, j: usize) -> i64 {
        let v = ((projection + self.offsets[j]) / self.w).floor();
        // Clamp keeps absurd windows from overflowing; such points share the extreme bucket.
        v.clamp(-(1i64 << 40) as f32, (1i64 << 40) as f32) as i64
    }
}

/// Compressed bucket storage: the points of bucket `b` are `points[offsets[b]..offsets[b+1]]`,
/// in increasing point order.
#[derive(Debug, Clone)]
pub struct Buckets {
    pub offsets: Vec<u32>,
    pub points: Vec<u32>,
}

impl Buckets {
    /// Groups point `i` into bucket `keys[i]` (every key `< n_buckets`).
    pub fn from_keys(keys: &[usize], n_buckets: usize) -> Self {
        let mut offsets = vec![0u32; n_buckets + 1];
        for &k in keys {
            offsets[k + 1] += 1;
        }
        for b in 0..n_buckets {
            offsets[b + 1] += offsets[b];
        }
        let mut fill = offsets.clone();
        let mut points = vec![0u32; keys.len()];
        for (i, &k) in keys.iter().enumerate() {
            points[fill[k] as usize] = i as u32;
            fill[k] += 1;
        }
        Buckets { offsets, points }
    }

    /// The points of bucket `b`.
    pub fn bucket(&self, b: usize) -> &[u32] {
        &self.points[self.offsets[b] as usize..self.offsets[b + 1] as usize]
    }
}
