//! The data layer end to end: file round trips, every bad-input case as a typed error, a
//! never-panic property over random bytes, and the embedded dataset.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use latent_kmeans::data::idx::{encode_idx, read_idx_from};
use latent_kmeans::data::{
    blobs, load_named, read_idx, write_idx, BlobsConfig, DataError, Dataset, IdxArray, IdxEncoding,
    IdxPayload,
};
use proptest::prelude::*;

fn u8_images(n: usize) -> IdxArray {
    IdxArray {
        dims: vec![n, 28, 28],
        encoding: IdxEncoding::U8,
        payload: IdxPayload::U8((0..n * 784).map(|i| (i * 7 % 256) as u8).collect()),
    }
}

fn labels(n: usize) -> IdxArray {
    IdxArray {
        dims: vec![n],
        encoding: IdxEncoding::U8,
        payload: IdxPayload::U8((0..n).map(|i| (i % 10) as u8).collect()),
    }
}

#[test]
fn round_trips_preserve_every_byte_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("img.idx", u8_images(5), false),
        ("img.idx.gz", u8_images(5), true),
        ("lab.idx", labels(5), false),
        ("lab.idx.gz", labels(5), true),
        (
            "orig.f32",
            IdxArray {
                dims: vec![3, 28, 28],
                encoding: IdxEncoding::OriginalF32,
                payload: IdxPayload::F32((0..3 * 784).map(|i| i as f32 / 2352.0).collect()),
            },
            false,
        ),
        (
            "latent.f32.gz",
            IdxArray {
                dims: vec![4, 1, 25],
                encoding: IdxEncoding::OriginalF32,
                payload: IdxPayload::F32((0..100).map(|i| (i as f32).sin()).collect()),
            },
            true,
        ),
    ];
    for (name, arr, gz) in cases {
        let p = dir.path().join(name);
        write_idx(&p, &arr, gz).unwrap();
        assert_eq!(read_idx(&p).unwrap(), arr, "{name}");
        // Byte-level: the plain file is exactly the encoding.
        if !gz {
            assert_eq!(std::fs::read(&p).unwrap(), encode_idx(&arr).unwrap());
        }
    }
}

#[test]
fn gzip_is_detected_by_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("no-extension");
    write_idx(&p, &u8_images(2), true).unwrap();
    assert_eq!(read_idx(&p).unwrap(), u8_images(2));
}

#[test]
fn dataset_from_files_scales_pixels_and_checks_label_count() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("i.gz");
    let lab = dir.path().join("l.gz");
    write_idx(&img, &u8_images(6), true).unwrap();
    write_idx(&lab, &labels(6), true).unwrap();
    let d = Dataset::load_idx_files(&img, Some(&lab)).unwrap();
    assert_eq!(d.features.dim(), (6, 784));
    assert_eq!(d.image_shape, Some((28, 28)));
    assert_eq!(d.features[[0, 1]], 7.0 / 255.0);
    assert!(d.features.iter().all(|&v| (0.0..=1.0).contains(&v)));

    write_idx(&lab, &labels(5), true).unwrap();
    match Dataset::load_idx_files(&img, Some(&lab)) {
        Err(DataError::LabelCountMismatch {
            labels: 5,
            images: 6,
            ..
        }) => {}
        other => panic!("expected LabelCountMismatch, got {other:?}"),
    }
    // Images given as labels: wrong kind.
    assert!(matches!(
        Dataset::load_idx_files(&img, Some(&img)),
        Err(DataError::WrongKind { .. })
    ));
}

fn write_raw(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

#[test]
fn every_bad_input_is_the_right_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = encode_idx(&u8_images(2)).unwrap();
    type Case = (&'static str, Vec<u8>, fn(&DataError) -> bool);
    let cases: Vec<Case> = vec![
        ("empty", vec![], |e| matches!(e, DataError::Empty { .. })),
        ("short", vec![0, 0, 8], |e| {
            matches!(e, DataError::ShortHeader { .. })
        }),
        ("magic", vec![0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1], |e| {
            matches!(e, DataError::UnknownMagic { .. })
        }),
        ("truncated", good[..good.len() - 10].to_vec(), |e| {
            matches!(e, DataError::Truncated { .. })
        }),
        ("trailing", [good.clone(), vec![1, 2, 3]].concat(), |e| {
            matches!(e, DataError::TrailingBytes { extra: 3, .. })
        }),
        (
            "huge",
            [
                vec![0, 0, 8, 3],
                u32::MAX.to_be_bytes().to_vec(),
                vec![0, 0, 0, 28, 0, 0, 0, 28],
            ]
            .concat(),
            |e| matches!(e, DataError::TooLarge { .. }),
        ),
        (
            "claims4g",
            [
                vec![0, 0, 8, 1],
                u32::MAX.to_be_bytes().to_vec(),
                vec![1, 2],
            ]
            .concat(),
            |e| matches!(e, DataError::Truncated { found: 2, .. }),
        ),
        (
            "zerodim",
            vec![0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28],
            |e| matches!(e, DataError::ZeroDimension { .. }),
        ),
    ];
    for (name, bytes, check) in cases {
        let p = write_raw(dir.path(), name, &bytes);
        let err = read_idx(&p).unwrap_err();
        assert!(check(&err), "{name}: got {err:?}");
        assert!(
            err.to_string().contains(name),
            "{name}: message {err} names the file"
        );
    }
    // NaN in a float file.
    let nan = IdxArray {
        dims: vec![1, 2],
        encoding: IdxEncoding::F32BigEndian,
        payload: IdxPayload::F32(vec![0.0, f32::INFINITY]),
    };
    let p = write_raw(dir.path(), "nan", &encode_idx(&nan).unwrap());
    assert!(matches!(
        read_idx(&p),
        Err(DataError::NonFinite { index: 1, .. })
    ));
    // Missing file.
    assert!(matches!(
        read_idx(&dir.path().join("missing")),
        Err(DataError::Io { .. })
    ));
}

#[test]
fn embedded_dataset_has_documented_shape_and_counts() {
    let d = load_named("mnist-10k").unwrap();
    assert_eq!(d.features.dim(), (10000, 784));
    let s = d.summary();
    let counts: Vec<usize> = s.label_counts.unwrap().values().copied().collect();
    assert_eq!(
        counts,
        vec![1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    );
    assert_eq!((s.min, s.max), (0.0, 1.0));
}

#[test]
fn unknown_dataset_is_an_error() {
    assert!(matches!(
        load_named("imagenet"),
        Err(DataError::UnknownDataset { .. })
    ));
}

#[test]
fn shuffle_and_split_are_deterministic_partitions() {
    let d = blobs(&BlobsConfig {
        n: 100,
        ..BlobsConfig::default()
    })
    .unwrap();
    assert_eq!(d.shuffled(3), d.shuffled(3));
    assert_ne!(d.shuffled(3), d.shuffled(4));
    let (tr, va) = d.split(0.2, 9).unwrap();
    assert_eq!((tr.n(), va.n()), (80, 20));
    let mut rows: Vec<Vec<u32>> = tr
        .features
        .rows()
        .into_iter()
        .chain(va.features.rows())
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    let mut orig: Vec<Vec<u32>> = d
        .features
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    rows.sort();
    orig.sort();
    assert_eq!(rows, orig);
    assert!(d.split(0.0, 1).is_err());
    assert!(d.head(0).is_err());
    assert_eq!(d.head(7).unwrap().n(), 7);
}

#[test]
fn blobs_are_seeded_and_validated() {
    let cfg = BlobsConfig::default();
    assert_eq!(blobs(&cfg).unwrap(), blobs(&cfg).unwrap());
    assert!(blobs(&BlobsConfig {
        k: 0,
        ..cfg.clone()
    })
    .is_err());
    assert!(blobs(&BlobsConfig { n: 2, k: 3, ..cfg }).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = read_idx_from(&bytes[..], Path::new("fuzz"));
    }

    #[test]
    fn truncated_valid_files_never_panic(cut in 0usize..3200, gz in any::<bool>()) {
        let arr = u8_images(4);
        let mut bytes = encode_idx(&arr).unwrap();
        if gz {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&bytes).unwrap();
            bytes = enc.finish().unwrap();
        }
        let cut = cut.min(bytes.len());
        let res = read_idx_from(&bytes[..cut], Path::new("cut"));
        if cut < bytes.len() {
            prop_assert!(res.is_err());
        } else {
            prop_assert_eq!(res.unwrap(), arr);
        }
    }

    #[test]
    fn headers_claiming_anything_fail_fast(n in any::<u32>(), r in any::<u32>(), c in any::<u32>()) {
        let mut bytes = vec![0, 0, 8, 3];
        for d in [n, r, c] { bytes.extend_from_slice(&d.to_be_bytes()); }
        bytes.extend_from_slice(&[1, 2, 3]);
        let _ = read_idx_from(&bytes[..], Path::new("hdr"));
    }
}

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_latent-kmeans"))
}

#[test]
fn cli_data_info_json_and_errors() {
    let out = cli().args(["data", "info", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 10000);
    assert_eq!(v["dim"], 784);
    assert_eq!(v["label_counts"]["5"], 863);

    let dir = tempfile::tempdir().unwrap();
    let bad = write_raw(dir.path(), "bad.idx", &[0xca, 0xfe, 0xba, 0xbe]);
    let out = cli()
        .args(["data", "info", "--images"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error:") && err.contains("bad.idx") && err.contains("magic"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let out = cli()
        .args(["data", "info", "--dataset", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn fashion_mnist_loads_where_the_debian_package_is_installed() {
    let dir = std::path::Path::new(latent_kmeans::data::registry::FASHION_MNIST_DIR);
    match load_named("fashion-mnist-test") {
        Ok(d) => {
            assert_eq!(d.features.dim(), (10000, 784));
            let counts = d.summary().label_counts.unwrap();
            assert!(counts.values().all(|&c| c == 1000));
        }
        Err(DataError::NotInstalled { hint, .. }) => {
            assert!(!dir.join("t10k-images-idx3-ubyte.gz").exists());
            assert!(hint.contains("apt-get install dataset-fashion-mnist"));
            eprintln!("fashion-mnist not installed here; only the error path was checked");
        }
        Err(e) => panic!("unexpected error: {e}"),
    }
}
