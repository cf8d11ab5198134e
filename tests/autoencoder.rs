//! Autoencoders: shapes, training lowers the loss, early stopping restores the best epoch,
//! save/load round trip, corrupted or mismatched files, and the shipped model zoo.

use latent_kmeans::autoencoder::{
    list_models, load_model, save_model, train, Activation, Autoencoder, AutoencoderConfig,
    AutoencoderError, Family, LatentNormaliser, Manifest, TrainParams,
};
use latent_kmeans::data::load_named;
use ndarray::{s, Array2};

fn dense(widths: &[usize]) -> AutoencoderConfig {
    AutoencoderConfig {
        family: Family::Dense,
        widths: widths.to_vec(),
        activation: Activation::Relu,
    }
}

fn conv(widths: &[usize]) -> AutoencoderConfig {
    AutoencoderConfig {
        family: Family::Conv,
        widths: widths.to_vec(),
        activation: Activation::Elu,
    }
}

fn images(n: usize) -> Array2<f32> {
    load_named("mnist-10k")
        .unwrap()
        .features
        .slice(s![..n, ..])
        .to_owned()
}

#[test]
fn forward_shapes_and_output_range_for_both_families() {
    let x = images(7);
    let cases = [
        (dense(&[64, 16]), 16),
        (conv(&[8, 6, 5, 4, 3]), 3),
        (conv(&[8, 6, 4, 8]), 32),
        (
            AutoencoderConfig {
                activation: Activation::Gelu,
                ..conv(&[4, 4, 2])
            },
            32,
        ),
    ];
    for (cfg, latent) in cases {
        assert_eq!(cfg.latent_dim(), latent);
        let m = Autoencoder::new(&cfg, 1).unwrap();
        let z = m.encode(x.view()).unwrap();
        assert_eq!(z.dim(), (7, latent), "{}", cfg.describe());
        let y = m.decode(z.view()).unwrap();
        assert_eq!(y.dim(), (7, 784));
        assert!(y.iter().all(|&v| v > 0.0 && v < 1.0));
    }
}

#[test]
fn bad_configs_and_inputs_are_errors() {
    assert!(matches!(
        Autoencoder::new(&conv(&[8, 8]), 0),
        Err(AutoencoderError::Config(_))
    ));
    assert!(Autoencoder::new(&dense(&[]), 0).is_err());
    assert!(Autoencoder::new(&dense(&[0]), 0).is_err());
    let m = Autoencoder::new(&dense(&[16]), 0).unwrap();
    assert!(matches!(
        m.encode(Array2::zeros((2, 100)).view()),
        Err(AutoencoderError::InputShape {
            expected: 784,
            got: 100
        })
    ));
    assert!(m.decode(Array2::zeros((2, 3)).view()).is_err());
    let p = TrainParams {
        learning_rate: 0.0,
        ..TrainParams::default()
    };
    let x = images(8);
    let mut m = Autoencoder::new(&dense(&[16]), 0).unwrap();
    assert!(matches!(
        train(&mut m, x.view(), x.view(), &p, &mut |_| {}),
        Err(AutoencoderError::Training(_))
    ));
}

#[test]
fn training_lowers_the_loss_and_is_seeded() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let x = images(256);
        let (tr, va) = (x.slice(s![..192, ..]), x.slice(s![192.., ..]));
        let run = || {
            let mut m = Autoencoder::new(&dense(&[64, 16]), 3).unwrap();
            let before = m.bce(va).unwrap();
            let p = TrainParams {
                max_epochs: 4,
                batch_size: 32,
                seed: 5,
                ..TrainParams::default()
            };
            let r = train(&mut m, tr, va, &p, &mut |_| {}).unwrap();
            (m, before, r)
        };
        let (m, before, r) = run();
        assert!(r.history[0].train_loss > r.history.last().unwrap().train_loss);
        assert!(m.bce(va).unwrap() < before, "validation BCE fell");
        assert!((m.bce(va).unwrap() - r.best_val_loss).abs() < 1e-5);
        let (m2, _, r2) = run();
        assert_eq!(r.history.len(), r2.history.len());
        for (a, b) in r.history.iter().zip(&r2.history) {
            assert_eq!(a.train_loss.to_bits(), b.train_loss.to_bits());
        }
        assert_eq!(m.encode(va).unwrap(), m2.encode(va).unwrap());
    });
}

#[test]
fn early_stopping_stops_and_restores_the_best_epoch() {
    let x = images(96);
    let (tr, va) = (x.slice(s![..64, ..]), x.slice(s![64.., ..]));
    let mut m = Autoencoder::new(&dense(&[32, 8]), 0).unwrap();
    // A huge learning rate makes the validation loss get worse after the first epochs.
    let p = TrainParams {
        max_epochs: 40,
        batch_size: 8,
        learning_rate: 0.05,
        patience: 2,
        min_delta: 0.0,
        ..TrainParams::default()
    };
    let r = train(&mut m, tr, va, &p, &mut |_| {}).unwrap();
    let best = r
        .history
        .iter()
        .min_by(|a, b| a.val_loss.partial_cmp(&b.val_loss).unwrap())
        .unwrap();
    assert_eq!(best.epoch, r.best_epoch);
    // It did stop early, exactly `patience` epochs after the best one, before max_epochs.
    assert!(r.stopped_early, "{:?}", r.history);
    assert_eq!(r.history.len(), r.best_epoch + p.patience);
    assert!(r.history.len() < p.max_epochs);
    // The weights in the model are the best epoch's, not the last one's.
    assert!((m.bce(va).unwrap() - r.best_val_loss).abs() < 1e-5);
    assert!(r.history.last().unwrap().val_loss > r.best_val_loss);
}

fn manifest(m: &Autoencoder, report: latent_kmeans::autoencoder::TrainReport) -> Manifest {
    Manifest {
        name: "t".into(),
        config: m.config().clone(),
        latent_dim: m.latent_dim(),
        parameters: m.parameter_count(),
        dataset: "mnist-10k".into(),
        n_train: 64,
        n_val: 32,
        training: TrainParams::default(),
        report,
        threads: rayon::current_num_threads(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
    }
}

#[test]
fn save_load_round_trip_is_bit_identical_and_corruption_is_an_error() {
    let x = images(96);
    let mut m = Autoencoder::new(&conv(&[4, 4, 4, 2, 2]), 0).unwrap();
    let p = TrainParams {
        max_epochs: 1,
        batch_size: 32,
        ..TrainParams::default()
    };
    let r = train(
        &mut m,
        x.slice(s![..64, ..]),
        x.slice(s![64.., ..]),
        &p,
        &mut |_| {},
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("m");
    save_model(&m, &manifest(&m, r), &md).unwrap();
    let (back, man) = load_model(&md).unwrap();
    assert_eq!(man.latent_dim, 2);
    assert_eq!(m.encode(x.view()).unwrap(), back.encode(x.view()).unwrap());
    assert_eq!(list_models(dir.path()).unwrap(), vec![md.clone()]);

    // Truncated weights.
    let w = md.join("model.safetensors");
    let bytes = std::fs::read(&w).unwrap();
    std::fs::write(&w, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        load_model(&md),
        Err(AutoencoderError::Model { .. })
    ));
    // Weights of another architecture.
    std::fs::write(&w, &bytes).unwrap();
    let mut man2 = man.clone();
    man2.config.widths = vec![4, 4, 4, 2, 3];
    man2.latent_dim = 3;
    std::fs::write(
        md.join("manifest.json"),
        serde_json::to_string(&man2).unwrap(),
    )
    .unwrap();
    let err = load_model(&md).unwrap_err();
    assert!(err.to_string().contains("tensor"), "{err}");
    // Manifest that lies about the latent size.
    man2.config.widths = vec![4, 4, 4, 2, 2];
    man2.latent_dim = 9;
    std::fs::write(
        md.join("manifest.json"),
        serde_json::to_string(&man2).unwrap(),
    )
    .unwrap();
    assert!(load_model(&md).is_err());
    // Missing weights.
    std::fs::remove_file(&w).unwrap();
    std::fs::write(
        md.join("manifest.json"),
        serde_json::to_string(&man).unwrap(),
    )
    .unwrap();
    assert!(load_model(&md).unwrap_err().to_string().contains("missing"));
    // Missing model folder.
    assert!(load_model(&dir.path().join("nope")).is_err());
}

#[test]
fn normalised_centroids_decode_after_denormalisation() {
    let x = images(32);
    let m = Autoencoder::new(&dense(&[32, 8]), 2).unwrap();
    let z = m.encode(x.view()).unwrap();
    let norm = LatentNormaliser::fit(&z);
    let zn = norm.normalise(&z);
    let back = norm.denormalise(&zn);
    let a = m.decode(z.view()).unwrap();
    let b = m.decode(back.view()).unwrap();
    for (p, q) in a.iter().zip(b.iter()) {
        assert!((p - q).abs() < 1e-4);
    }
}

/// Every model shipped in models/ loads and reconstructs its held-out validation images with
/// BCE no worse than its manifest's best validation loss + 5 %.
#[test]
fn shipped_models_reconstruct_as_their_manifests_say() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let models = list_models(&root).unwrap();
    let data = load_named("mnist-10k").unwrap();
    for dir in models {
        let (m, man) = load_model(&dir).unwrap();
        let (_, val) = data
            .split(man.n_val as f64 / data.n() as f64, man.training.seed)
            .unwrap();
        let bce = m.bce(val.features.view()).unwrap();
        assert!(
            bce <= man.report.best_val_loss * 1.05,
            "{}: BCE {bce} vs manifest {}",
            man.name,
            man.report.best_val_loss
        );
    }
}
