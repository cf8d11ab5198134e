//! Autoencoder throughput: encoding with the shipped models and one training epoch of a dense
//! and a conv model on 1000 images. `cargo bench --bench autoencoder`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use latent_kmeans::autoencoder::{list_models, load_model, train, Autoencoder, TrainParams};
use latent_kmeans::data::load_named;
use ndarray::s;

fn bench(c: &mut Criterion) {
    let data = load_named("mnist-10k").unwrap();
    let x = data.features.slice(s![..1000, ..]);
    let mut g = c.benchmark_group("autoencoder");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for dir in list_models(&root).unwrap() {
        let (model, man) = load_model(&dir).unwrap();
        g.bench_function(BenchmarkId::new("encode_1000", &man.name), |b| {
            b.iter(|| model.encode(x).unwrap())
        });
    }
    for dir in list_models(&root).unwrap() {
        let (_, man) = load_model(&dir).unwrap();
        if !["dense_26", "conv_12"].contains(&man.name.as_str()) {
            continue;
        }
        let params = TrainParams {
            max_epochs: 1,
            batch_size: man.training.batch_size,
            ..TrainParams::default()
        };
        g.bench_function(BenchmarkId::new("train_epoch_1000", &man.name), |b| {
            b.iter(|| {
                let mut m = Autoencoder::new(&man.config, 0).unwrap();
                train(&mut m, x, x.slice(s![..100, ..]), &params, &mut |_| {}).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
