//! Parameters in linfa's style: a builder of raw values whose [`KMeansBuilder::check`] yields
//! [`KMeansParams`], so an algorithm never runs on parameters nobody checked.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::error::KMeansError;
use crate::index::{CubeParams, LshParams};

/// How the assignment step is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Method {
    /// Exact nearest centroid (batch Lloyd).
    Classic,
    /// Reverse assignment by range search in an LSH index.
    Lsh(LshParams),
    /// Reverse assignment by range search in a hypercube index.
    Cube(CubeParams),
    /// linfa-clustering's KMeans, the reference implementation.
    Linfa,
}

impl Method {
    /// Short name for tables: `classic`, `lsh`, `cube`, `linfa`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Classic => "classic",
            Method::Lsh(_) => "lsh",
            Method::Cube(_) => "cube",
            Method::Linfa => "linfa",
        }
    }
}

/// How the initial centres are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Seeding {
    /// k-means++ with probability ∝ D(x)².
    KMeansPlusPlus,
    /// The original system's variant: probability ∝ D(x).
    KMeansPlusPlusCompat,
    /// Given centres (`k × d`).
    Precomputed(Array2<f32>),
}

/// Validated parameters; build them with [`KMeansParams::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansParams {
    pub(crate) k: usize,
    pub(crate) max_iter: usize,
    pub(crate) tol: f64,
    pub(crate) seed: u64,
    pub(crate) method: Method,
    pub(crate) seeding: Seeding,
    pub(crate) radius_limit_factor: f32,
}

impl KMeansParams {
    /// A builder with defaults: CLASSIC, k-means++, max_iter 300, tol 1e-4, seed 0.
    pub fn builder(k: usize) -> KMeansBuilder {
        KMeansBuilder {
            k,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
            method: Method::Classic,
            seeding: Seeding::KMeansPlusPlus,
            radius_limit_factor: 4.0,
        }
    }

    pub fn k(&self) -> usize {
        self.k
    }
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }
    pub fn tol(&self) -> f64 {
        self.tol
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn method(&self) -> &Method {
        &self.method
    }
    pub fn seeding(&self) -> &Seeding {
        &self.seeding
    }
    /// Reverse assignment stops doubling the radius at this multiple of the largest gap
    /// between centroids.
    pub fn radius_limit_factor(&self) -> f32 {
        self.radius_limit_factor
    }
}

/// Unchecked parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansBuilder {
    k: usize,
    max_iter: usize,
    tol: f64,
    seed: u64,
    method: Method,
    seeding: Seeding,
    radius_limit_factor: f32,
}

impl KMeansBuilder {
    pub fn max_iter(mut self, v: usize) -> Self {
        self.max_iter = v;
        self
    }
    /// Converged when the largest centroid shift (Euclidean) is ≤ `tol`.
    pub fn tol(mut self, v: f64) -> Self {
        self.tol = v;
        self
    }
    pub fn seed(mut self, v: u64) -> Self {
        self.seed = v;
        self
    }
    pub fn method(mut self, v: Method) -> Self {
        self.method = v;
        self
    }
    pub fn seeding(mut self, v: Seeding) -> Self {
        self.seeding = v;
        self
    }
    pub fn radius_limit_factor(mut self, v: f32) -> Self {
        self.radius_limit_factor = v;
        self
    }

    /// Validates everything that does not depend on the data (k ≤ n is checked at fit time).
    pub fn check(self) -> Result<KMeansParams, KMeansError> {
        if self.k == 0 {
            return Err(KMeansError::ZeroClusters);
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(KMeansError::InvalidTolerance(self.tol));
        }
        if self.max_iter == 0 {
            return Err(KMeansError::ZeroMaxIter);
        }
        if !(self.radius_limit_factor > 0.0 && self.radius_limit_factor.is_finite()) {
            return Err(KMeansError::InvalidRadiusFactor(self.radius_limit_factor));
        }
        match &self.method {
            Method::Lsh(p) => p.validate()?,
            Method::Cube(p) => p.validate()?,
            Method::Classic | Method::Linfa => {}
        }
        if let Seeding::Precomputed(c) = &self.seeding {
            if c.nrows() != self.k {
                return Err(KMeansError::CentroidShape {
                    k: self.k,
                    dim: c.ncols(),
                    got_rows: c.nrows(),
                    got_cols: c.ncols(),
                });
            }
        }
        Ok(KMeansParams {
            k: self.k,
            max_iter: self.max_iter,
            tol: self.tol,
            seed: self.seed,
            method: self.method,
            seeding: self.seeding,
            radius_limit_factor: self.radius_limit_factor,
        })
    }
}
