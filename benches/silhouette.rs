//! Exact silhouette (standard) on 10000 × 784 (mnist-10k), 60000 × 32 (latent-sized blobs) and
//! 60000 × 784 (Fashion-MNIST train, where installed). `cargo bench --bench silhouette`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use latent_kmeans::data::{blobs, load_named, BlobsConfig, Dataset};
use latent_kmeans::metrics::silhouette_score;
use std::time::Duration;

fn labelled(d: &Dataset) -> Vec<usize> {
    d.labels
        .as_ref()
        .unwrap()
        .iter()
        .map(|&l| l as usize)
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("silhouette_standard");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let mut sets = vec![
        load_named("mnist-10k").unwrap(),
        blobs(&BlobsConfig {
            n: 60000,
            dim: 32,
            k: 10,
            std: 0.1,
            spread: 0.5,
            seed: 1,
        })
        .unwrap(),
    ];
    if std::env::var_os("BENCH_FULL").is_some() {
        if let Ok(f) = load_named("fashion-mnist") {
            sets.push(f);
        }
    }
    for d in sets {
        let labels = labelled(&d);
        g.bench_function(
            BenchmarkId::from_parameter(format!("{}x{}", d.n(), d.dim())),
            |b| b.iter(|| silhouette_score(d.features.view(), &labels, 10).unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
