//! Matrices (centroids, latent codes) as IDX float files: standard big-endian f32 (`n × d`,
//! magic 0xD02) or the original system's magic-0 little-endian f32 (`n, 1, d`).

use std::path::Path;

use ndarray::Array2;

use super::error::DataError;
use super::idx::{read_idx, wants_gzip, write_idx, IdxArray, IdxEncoding, IdxPayload};

/// On-disk layout of a float matrix.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum MatrixFormat {
    /// Standard IDX, big-endian f32, dims `(n, d)`.
    Idx,
    /// The original system's files: magic 0, dims `(n, 1, d)`, little-endian f32.
    Original,
}

/// Writes `m` atomically; a `.gz` name is gzip-compressed.
pub fn write_matrix(path: &Path, m: &Array2<f32>, format: MatrixFormat) -> Result<(), DataError> {
    let (dims, encoding) = match format {
        MatrixFormat::Idx => (vec![m.nrows(), m.ncols()], IdxEncoding::F32BigEndian),
        MatrixFormat::Original => (vec![m.nrows(), 1, m.ncols()], IdxEncoding::OriginalF32),
    };
    let arr = IdxArray {
        dims,
        encoding,
        payload: IdxPayload::F32(m.iter().copied().collect()),
    };
    write_idx(path, &arr, wants_gzip(path))
}

/// Reads a float (or u8, scaled to [0,1]) IDX file as an `n × (product of other dims)` matrix.
pub fn read_matrix(path: &Path) -> Result<Array2<f32>, DataError> {
    let arr = read_idx(path)?;
    if arr.dims.len() < 2 {
        return Err(DataError::WrongKind {
            path: path.into(),
            expected: "a matrix (at least two dimensions)",
            found: arr.describe(),
        });
    }
    let (n, d) = (arr.count(), arr.item_len());
    let values = match arr.payload {
        IdxPayload::F32(v) => v,
        IdxPayload::U8(v) => v.into_iter().map(|b| b as f32 / 255.0).collect(),
    };
    Array2::from_shape_vec((n, d), values).map_err(|e| DataError::Shape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let m = Array2::from_shape_fn((3, 5), |(i, j)| i as f32 * 0.5 - j as f32 * 1.25);
        for (name, fmt) in [
            ("a.idx", MatrixFormat::Idx),
            ("b.gz", MatrixFormat::Original),
        ] {
            let p = dir.path().join(name);
            write_matrix(&p, &m, fmt).unwrap();
            assert_eq!(read_matrix(&p).unwrap(), m);
        }
    }
}
