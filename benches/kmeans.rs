//! The K-Means hot paths: one CLASSIC pass (assignment + update) against one linfa iteration
//! on the same data and centres, and the reverse-assignment step with LSH and CUBE.
//!
//! `cargo bench --bench kmeans`. Fashion-MNIST cases run where the Debian package is installed.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use latent_kmeans::data::{blobs, load_named, BlobsConfig, Dataset};
use latent_kmeans::index::{CubeParams, HypercubeIndex, LshIndex, LshParams};
use latent_kmeans::kmeans::assign::{Assigner, ClassicAssigner, ReverseAssigner};
use latent_kmeans::kmeans::{initial_centroids, KMeansParams};
use latent_kmeans::linalg::row_sq_norms;
use linfa::prelude::*;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::Array2;

fn datasets() -> Vec<Dataset> {
    let mut v = vec![load_named("mnist-10k").unwrap()];
    if let Ok(f) = load_named("fashion-mnist") {
        v.push(f);
    }
    v
}

fn centres(d: &Dataset, k: usize) -> Array2<f32> {
    initial_centroids(
        &KMeansParams::builder(k).seed(1).check().unwrap(),
        d.features.view(),
    )
    .unwrap()
}

fn classic_vs_linfa(c: &mut Criterion) {
    let mut g = c.benchmark_group("kmeans_pass");
    g.sample_size(20);
    for d in datasets() {
        let x = d.features.view();
        let init = centres(&d, 10);
        let n = d.n();
        let mut assigner = ClassicAssigner::new(x, row_sq_norms(x));
        let (mut labels, mut d2) = (vec![0usize; n], vec![0f32; n]);
        g.bench_function(BenchmarkId::new("classic", &d.name), |b| {
            // The assignment pass also returns the per-cluster sums (the update's input).
            b.iter(|| assigner.assign(init.view(), &mut labels, &mut d2))
        });
        let ds = DatasetBase::from(d.features.clone());
        g.bench_function(BenchmarkId::new("linfa_one_iteration", &d.name), |b| {
            b.iter(|| {
                KMeans::params_with_rng(10, latent_kmeans::util::seeded_rng(0))
                    .n_runs(1)
                    .max_n_iterations(1)
                    .init_method(KMeansInit::Precomputed(init.clone()))
                    .fit(&ds)
                    .unwrap()
            })
        });
    }
    g.finish();
}

fn reverse_assignment(c: &mut Criterion) {
    let mut g = c.benchmark_group("reverse_assign");
    g.sample_size(10);
    // A latent-sized space (32-d, values like normalised codes) and the pixel space.
    let latent = blobs(&BlobsConfig {
        n: 10000,
        dim: 32,
        k: 10,
        std: 0.08,
        spread: 0.5,
        seed: 3,
    })
    .unwrap();
    let pixels = load_named("mnist-10k").unwrap();
    for d in [&latent, &pixels] {
        let x = d.features.view();
        let init = centres(d, 10);
        let n = d.n();
        let (mut labels, mut d2) = (vec![0usize; n], vec![0f32; n]);
        let mut classic = ClassicAssigner::new(x, row_sq_norms(x));
        g.bench_function(BenchmarkId::new("classic", &d.name), |b| {
            b.iter(|| classic.assign(init.view(), &mut labels, &mut d2))
        });
        for w in [0.6f32, 2.0] {
            let p = LshParams {
                w,
                ..LshParams::default()
            };
            g.bench_function(BenchmarkId::new(format!("lsh_build_w{w}"), &d.name), |b| {
                b.iter(|| LshIndex::build(x, &p, 0).unwrap())
            });
            let idx = LshIndex::build(x, &p, 0).unwrap();
            let mut rev = ReverseAssigner::new(x, Box::new(idx), 4.0);
            g.bench_function(BenchmarkId::new(format!("lsh_assign_w{w}"), &d.name), |b| {
                b.iter(|| rev.assign(init.view(), &mut labels, &mut d2))
            });
        }
        for (m, probes) in [(1000usize, 67usize), (67, 1000)] {
            let p = CubeParams {
                max_points: m,
                probes,
                ..CubeParams::default()
            };
            let idx = HypercubeIndex::build(x, &p, 0).unwrap();
            let mut rev = ReverseAssigner::new(x, Box::new(idx), 4.0);
            g.bench_function(
                BenchmarkId::new(format!("cube_assign_M{m}_p{probes}"), &d.name),
                |b| b.iter(|| rev.assign(init.view(), &mut labels, &mut d2)),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, classic_vs_linfa, reverse_assignment);
criterion_main!(benches);
