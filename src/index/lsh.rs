//! Euclidean LSH (p-stable): `L` tables of `k` concatenated hash functions.
//!
//! The `k` hash values of a point are combined into an ID `(Σ rᵢ hᵢ) mod (2³² − 5)` and the
//! bucket is `ID mod table_size`. A range query unions the query's buckets over all tables.
//! Two options follow the original system: the *ID trick* (only candidates whose full ID equals
//! the query's, so bucket collisions of different IDs are skipped) and a *candidate cap* (stop a
//! table's scan once more than `cap` candidates were collected — the original's
//! `limit_queries` used `20·L`).

use ndarray::{ArrayView1, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::hashing::{Buckets, HashFamily};
use super::{Hit, IndexError, RangeIndex};
use crate::linalg::sq_dist;
use crate::util::{rng::derive_seed, seeded_rng};

/// The prime modulus of the ID combination.
const ID_MODULUS: u64 = (1u64 << 32) - 5;

/// Parameters of the LSH index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LshParams {
    /// `L`: number of hash tables.
    pub tables: usize,
    /// `k`: hash functions per table.
    pub hashes: usize,
    /// `w`: window of each hash function, in data units.
    pub w: f32,
    /// Buckets per table; `None` = `max(1, n / 8)`.
    pub table_size: Option<usize>,
    /// Keep only candidates whose full ID equals the query's.
    pub id_trick: bool,
    /// Stop scanning once more than this many candidates were collected; `None` = no cap.
    pub cap: Option<usize>,
}

impl Default for LshParams {
    /// The original study's best values: L = 4, k = 7, w = 0.6, cap on (20·L).
    fn default() -> Self {
        LshParams {
            tables: 4,
            hashes: 7,
            w: 0.6,
            table_size: None,
            id_trick: true,
            cap: Some(80),
        }
    }
}

impl LshParams {
    /// Checks every parameter is in range.
    pub fn validate(&self) -> Result<(), IndexError> {
        let bad = |m: String| Err(IndexError::InvalidParam(m));
        if self.tables == 0 || self.tables > 1024 {
            return bad(format!("LSH L must be in 1..=1024, got {}", self.tables));
        }
        if self.hashes == 0 || self.hashes > 64 {
            return bad(format!("LSH k must be in 1..=64, got {}", self.hashes));
        }
        if !(self.w > 0.0 && self.w.is_finite()) {
            return bad(format!("LSH w must be finite and > 0, got {}", self.w));
        }
        if self.table_size == Some(0) {
            return bad("LSH table size must be ≥ 1".into());
        }
        if self.cap == Some(0) {
            return bad("LSH candidate cap must be ≥ 1 (or off)".into());
        }
        Ok(())
    }

    /// The table size used for `n` points.
    pub fn effective_table_size(&self, n: usize) -> usize {
        self.table_size.unwrap_or((n / 8).max(1))
    }
}

struct Table {
    family: HashFamily,
    multipliers: Vec<u64>,
    buckets: Buckets,
    /// Full ID of every point, for the ID trick.
    ids: Vec<u32>,
}

impl Table {
    fn id(&self, hashes: impl Iterator<Item = i64>) -> u32 {
        let mut acc = 0u64;
        for (h, &r) in hashes.zip(&self.multipliers) {
            let h = h.rem_euclid(ID_MODULUS as i64) as u64;
            acc = (acc + (r * h) % ID_MODULUS) % ID_MODULUS;
        }
        acc as u32
    }
}

/// An LSH index over the rows of a matrix.
pub struct LshIndex<'a> {
    data: ArrayView2<'a, f32>,
    tables: Vec<Table>,
    table_size: usize,
    params: LshParams,
}

impl<'a> LshIndex<'a> {
    /// Builds the `L` tables over `data`; every random choice is drawn from `seed`.
    pub fn build(
        data: ArrayView2<'a, f32>,
        params: &LshParams,
        seed: u64,
    ) -> Result<Self, IndexError> {
        params.validate()?;
        let table_size = params.effective_table_size(data.nrows());
        let tables = (0..params.tables)
            .map(|t| {
                let tseed = derive_seed(seed, t as u64);
                let family = HashFamily::new(params.hashes, data.ncols(), params.w, tseed);
                let mut rng = seeded_rng(derive_seed(tseed, 0xA11CE));
                let multipliers: Vec<u64> = (0..params.hashes)
                    .map(|_| rng.gen_range(1..ID_MODULUS))
                    .collect();
                let hashes = family.hash_all(data);
                let mut table = Table {
                    family,
                    multipliers,
                    buckets: Buckets {
                        offsets: vec![],
                        points: vec![],
                    },
                    ids: Vec::with_capacity(data.nrows()),
                };
                for row in hashes.rows() {
                    let id = table.id(row.iter().copied());
                    table.ids.push(id);
                }
                let keys: Vec<usize> = table
                    .ids
                    .iter()
                    .map(|&id| id as usize % table_size)
                    .collect();
                table.buckets = Buckets::from_keys(&keys, table_size);
                table
            })
            .collect();
        Ok(LshIndex {
            data,
            tables,
            table_size,
            params: params.clone(),
        })
    }

    /// Buckets per table actually used.
    pub fn table_size(&self) -> usize {
        self.table_size
    }
}

impl RangeIndex for LshIndex<'_> {
    fn range_query(&self, q: ArrayView1<f32>, r: f32, out: &mut Vec<Hit>) -> usize {
        let mut candidates: Vec<u32> = Vec::new();
        let mut examined = 0usize;
        'tables: for table in &self.tables {
            let qid = table.id(table.family.hash_one(q).into_iter());
            for &p in table.buckets.bucket(qid as usize % self.table_size) {
                examined += 1;
                if self.params.id_trick && table.ids[p as usize] != qid {
                    continue;
                }
                candidates.push(p);
                if self.params.cap.is_some_and(|cap| candidates.len() > cap) {
                    break 'tables;
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let r2 = r * r;
        for p in candidates {
            let d = sq_dist(self.data.row(p as usize), q);
            if d < r2 {
                out.push(Hit {
                    index: p,
                    sq_dist: d,
                });
            }
        }
        examined
    }

    fn len(&self) -> usize {
        self.data.nrows()
    }
}
