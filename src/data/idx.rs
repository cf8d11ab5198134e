//! IDX files (the MNIST format) in the three flavours the study meets:
//!
//! * standard IDX: magic `0x0000_TTNN` (type byte `TT`, `NN` dimensions), big-endian header and
//!   big-endian payload — u8 images (`0x803`), u8 labels (`0x801`), f32 (`0xD..`) and f64;
//! * the original system's derived files: magic `0`, three big-endian dimensions
//!   (`n, 28, 28` for images, `n, 1, dim` for latent codes) and a **little-endian f32** payload;
//! * any of the above gzip-compressed, recognised by content (the gzip magic), not by name.
//!
//! Reading never trusts the header for allocation: the payload grows only as bytes arrive, so a
//! 16-byte file claiming 2³² images fails at once with [`DataError::Truncated`].

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::error::DataError;
use crate::util::write_atomic;

/// Refuse payloads above this size (64 GiB) outright: no dataset of this study comes close.
const MAX_PAYLOAD_BYTES: u128 = 64 << 30;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How the numbers of an IDX file are stored on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IdxEncoding {
    /// Standard unsigned bytes (type 0x08).
    U8,
    /// Standard big-endian f32 (type 0x0D).
    F32BigEndian,
    /// Standard big-endian f64 (type 0x0E), read into f32.
    F64BigEndian,
    /// The original system's magic-0 files: little-endian f32 payload, three dimensions.
    OriginalF32,
}

/// The payload of an IDX file.
#[derive(Debug, Clone, PartialEq)]
pub enum IdxPayload {
    U8(Vec<u8>),
    F32(Vec<f32>),
}

/// A decoded IDX file: its dimensions (first = count) and its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxArray {
    pub dims: Vec<usize>,
    pub encoding: IdxEncoding,
    pub payload: IdxPayload,
}

impl IdxArray {
    /// Number of items (the first dimension).
    pub fn count(&self) -> usize {
        self.dims.first().copied().unwrap_or(0)
    }

    /// Values per item (product of the remaining dimensions).
    pub fn item_len(&self) -> usize {
        self.dims.iter().skip(1).product()
    }

    /// A short human name of what the file holds, for error messages.
    pub fn describe(&self) -> String {
        format!("{:?} array of shape {:?}", self.encoding, self.dims)
    }
}

/// Reads an IDX file (plain or gzip) from disk.
pub fn read_idx(path: &Path) -> Result<IdxArray, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    read_idx_from(BufReader::new(file), path)
}

/// Reads an IDX stream (plain or gzip, detected by content); `path` only labels errors.
pub fn read_idx_from<R: Read>(mut reader: R, path: &Path) -> Result<IdxArray, DataError> {
    let mut first = [0u8; 2];
    let got = read_up_to(&mut reader, &mut first, path)?;
    if got == 0 {
        return Err(DataError::Empty { path: path.into() });
    }
    let prefix = std::io::Cursor::new(first[..got].to_vec());
    if got == 2 && first == GZIP_MAGIC {
        let inner = GzDecoder::new(prefix.chain(reader));
        decode_plain(inner, path)
    } else {
        decode_plain(prefix.chain(reader), path)
    }
}

/// Reads into `buf` until it is full or the stream ends; returns the bytes read.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8], path: &Path) -> Result<usize, DataError> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(DataError::io(path, e)),
        }
    }
    Ok(filled)
}

fn decode_plain<R: Read>(mut reader: R, path: &Path) -> Result<IdxArray, DataError> {
    let mut magic = [0u8; 4];
    let got = read_up_to(&mut reader, &mut magic, path)?;
    if got == 0 {
        return Err(DataError::Empty { path: path.into() });
    }
    if got < 4 {
        return Err(DataError::ShortHeader {
            path: path.into(),
            len: got,
            need: 4,
        });
    }
    let magic_u32 = u32::from_be_bytes(magic);
    let (encoding, ndims) = match magic {
        [0, 0, 0, 0] => (IdxEncoding::OriginalF32, 3usize),
        [0, 0, 0x08, n] if (1..=4).contains(&n) => (IdxEncoding::U8, n as usize),
        [0, 0, 0x0D, n] if (1..=4).contains(&n) => (IdxEncoding::F32BigEndian, n as usize),
        [0, 0, 0x0E, n] if (1..=4).contains(&n) => (IdxEncoding::F64BigEndian, n as usize),
        _ => {
            return Err(DataError::UnknownMagic {
                path: path.into(),
                magic: magic_u32,
            })
        }
    };
    let mut header = vec![0u8; 4 * ndims];
    let got = read_up_to(&mut reader, &mut header, path)?;
    if got < header.len() {
        return Err(DataError::ShortHeader {
            path: path.into(),
            len: 4 + got,
            need: 4 + header.len(),
        });
    }
    let dims: Vec<usize> = header
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    if dims.contains(&0) {
        return Err(DataError::ZeroDimension {
            path: path.into(),
            dims,
        });
    }
    let elem_size: u128 = match encoding {
        IdxEncoding::U8 => 1,
        IdxEncoding::F32BigEndian | IdxEncoding::OriginalF32 => 4,
        IdxEncoding::F64BigEndian => 8,
    };
    let declared = dims.iter().fold(elem_size, |acc, &d| acc * d as u128);
    if declared > MAX_PAYLOAD_BYTES {
        return Err(DataError::TooLarge {
            path: path.into(),
            declared,
        });
    }
    let expected = declared as usize;
    // `take` bounds the read; the vector grows with the bytes actually present.
    let mut payload = Vec::new();
    (&mut reader)
        .take(expected as u64 + 1)
        .read_to_end(&mut payload)
        .map_err(|e| DataError::io(path, e))?;
    if payload.len() < expected {
        return Err(DataError::Truncated {
            path: path.into(),
            expected,
            found: payload.len(),
        });
    }
    if payload.len() > expected {
        let rest = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_or(0) as usize;
        return Err(DataError::TrailingBytes {
            path: path.into(),
            extra: payload.len() - expected + rest,
        });
    }
    let payload = match encoding {
        IdxEncoding::U8 => IdxPayload::U8(payload),
        IdxEncoding::F32BigEndian => IdxPayload::F32(
            payload
                .chunks_exact(4)
                .map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        IdxEncoding::OriginalF32 => IdxPayload::F32(
            payload
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        IdxEncoding::F64BigEndian => IdxPayload::F32(
            payload
                .chunks_exact(8)
                .map(|c| f64::from_be_bytes(c.try_into().expect("chunk of 8")) as f32)
                .collect(),
        ),
    };
    if let IdxPayload::F32(values) = &payload {
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DataError::NonFinite {
                path: path.into(),
                index,
                value,
            });
        }
    }
    Ok(IdxArray {
        dims,
        encoding,
        payload,
    })
}

/// Encodes an array into IDX bytes (no compression).
pub fn encode_idx(array: &IdxArray) -> Result<Vec<u8>, DataError> {
    let n_values: usize = array.dims.iter().product();
    let (len, ok) = match &array.payload {
        IdxPayload::U8(v) => (v.len(), array.encoding == IdxEncoding::U8),
        IdxPayload::F32(v) => (v.len(), array.encoding != IdxEncoding::U8),
    };
    if !ok {
        return Err(DataError::Invalid(format!(
            "payload type does not match encoding {:?}",
            array.encoding
        )));
    }
    if len != n_values || array.dims.is_empty() || array.dims.len() > 4 {
        return Err(DataError::Shape(format!(
            "dims {:?} do not describe {len} values",
            array.dims
        )));
    }
    if array.encoding == IdxEncoding::OriginalF32 && array.dims.len() != 3 {
        return Err(DataError::Shape(
            "the original format needs exactly three dimensions (n, rows, cols)".into(),
        ));
    }
    let mut out = Vec::with_capacity(16 + len * 4);
    let type_byte = match array.encoding {
        IdxEncoding::U8 => 0x08,
        IdxEncoding::F32BigEndian => 0x0D,
        IdxEncoding::F64BigEndian => 0x0E,
        IdxEncoding::OriginalF32 => 0,
    };
    if array.encoding == IdxEncoding::OriginalF32 {
        out.extend_from_slice(&[0, 0, 0, 0]);
    } else {
        out.extend_from_slice(&[0, 0, type_byte, array.dims.len() as u8]);
    }
    for &d in &array.dims {
        let d = u32::try_from(d)
            .map_err(|_| DataError::Shape(format!("dimension {d} does not fit in u32")))?;
        out.extend_from_slice(&d.to_be_bytes());
    }
    match (&array.payload, array.encoding) {
        (IdxPayload::U8(v), _) => out.extend_from_slice(v),
        (IdxPayload::F32(v), IdxEncoding::OriginalF32) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        (IdxPayload::F32(v), IdxEncoding::F64BigEndian) => v
            .iter()
            .for_each(|&x| out.extend_from_slice(&(x as f64).to_be_bytes())),
        (IdxPayload::F32(v), _) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
    }
    Ok(out)
}

/// Writes an IDX file atomically, gzip-compressed when `gzip` is true.
pub fn write_idx(path: &Path, array: &IdxArray, gzip: bool) -> Result<(), DataError> {
    let bytes = encode_idx(array)?;
    write_atomic(path, |w| {
        if gzip {
            let mut enc = GzEncoder::new(w, flate2::Compression::default());
            enc.write_all(&bytes)?;
            enc.finish()?;
            Ok(())
        } else {
            w.write_all(&bytes)
        }
    })
    .map_err(|e| DataError::io(path, e))
}

/// Whether a path name asks for gzip (`.gz`), the convention for choosing output compression.
pub fn wants_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("test.idx")
    }

    #[test]
    fn u8_images_round_trip_plain_and_gzip() {
        let arr = IdxArray {
            dims: vec![3, 2, 2],
            encoding: IdxEncoding::U8,
            payload: IdxPayload::U8((0..12).collect()),
        };
        let dir = tempfile::tempdir().unwrap();
        for gz in [false, true] {
            let path = dir.path().join(if gz { "a.gz" } else { "a" });
            write_idx(&path, &arr, gz).unwrap();
            let raw = std::fs::read(&path).unwrap();
            assert_eq!(raw.starts_with(&GZIP_MAGIC), gz);
            assert_eq!(read_idx(&path).unwrap(), arr);
        }
    }

    #[test]
    fn original_f32_is_little_endian_with_magic_zero() {
        let arr = IdxArray {
            dims: vec![2, 1, 3],
            encoding: IdxEncoding::OriginalF32,
            payload: IdxPayload::F32(vec![0.5, -1.25, 3.0, 1e-7, 0.0, 42.0]),
        };
        let bytes = encode_idx(&arr).unwrap();
        assert_eq!(&bytes[..4], &[0, 0, 0, 0]);
        assert_eq!(&bytes[4..8], &2u32.to_be_bytes());
        assert_eq!(&bytes[16..20], &0.5f32.to_le_bytes());
        assert_eq!(read_idx_from(&bytes[..], p()).unwrap(), arr);
    }

    #[test]
    fn standard_f32_and_f64() {
        for enc in [IdxEncoding::F32BigEndian, IdxEncoding::F64BigEndian] {
            let arr = IdxArray {
                dims: vec![2, 2],
                encoding: enc,
                payload: IdxPayload::F32(vec![1.5, -2.0, 0.25, 8.0]),
            };
            let bytes = encode_idx(&arr).unwrap();
            assert_eq!(read_idx_from(&bytes[..], p()).unwrap(), arr);
        }
    }

    #[test]
    fn huge_header_fails_fast_as_truncated() {
        let mut bytes = vec![0, 0, 8, 3];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        bytes.extend_from_slice(&1u32.to_be_bytes());
        bytes.extend_from_slice(&1u32.to_be_bytes());
        assert!(matches!(
            read_idx_from(&bytes[..], p()),
            Err(DataError::Truncated { found: 0, .. })
        ));
    }

    #[test]
    fn bad_headers_are_typed_errors() {
        assert!(matches!(
            read_idx_from(&[][..], p()),
            Err(DataError::Empty { .. })
        ));
        assert!(matches!(
            read_idx_from(&[0, 0][..], p()),
            Err(DataError::ShortHeader { .. })
        ));
        assert!(matches!(
            read_idx_from(&[1, 2, 3, 4, 5][..], p()),
            Err(DataError::UnknownMagic {
                magic: 0x01020304,
                ..
            })
        ));
        assert!(matches!(
            read_idx_from(&[0, 0, 8, 1, 0, 0][..], p()),
            Err(DataError::ShortHeader { .. })
        ));
        assert!(matches!(
            read_idx_from(&[0, 0, 8, 1, 0, 0, 0, 0][..], p()),
            Err(DataError::ZeroDimension { .. })
        ));
        assert!(matches!(
            read_idx_from(&[0, 0, 8, 1, 0, 0, 0, 1, 7, 7][..], p()),
            Err(DataError::TrailingBytes { extra: 1, .. })
        ));
    }

    #[test]
    fn nan_in_float_file_is_rejected() {
        let arr = IdxArray {
            dims: vec![1, 2],
            encoding: IdxEncoding::F32BigEndian,
            payload: IdxPayload::F32(vec![1.0, f32::NAN]),
        };
        let bytes = encode_idx(&arr).unwrap();
        assert!(matches!(
            read_idx_from(&bytes[..], p()),
            Err(DataError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let arr = IdxArray {
            dims: vec![100],
            encoding: IdxEncoding::U8,
            payload: IdxPayload::U8((0..100).collect()),
        };
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&encode_idx(&arr).unwrap()).unwrap();
        let gz = enc.finish().unwrap();
        let cut = &gz[..gz.len() / 2];
        assert!(read_idx_from(cut, p()).is_err());
    }
}
