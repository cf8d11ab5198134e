//! K-Means: invariants for every method, Lloyd's monotone objective, recovery of separated
//! blobs, agreement with linfa from the same centres, determinism, the indexes against brute
//! force, and bad parameters.

use latent_kmeans::data::{blobs, load_named, BlobsConfig, Dataset};
use latent_kmeans::index::{
    BruteForceIndex, CubeParams, Hit, HypercubeIndex, LshIndex, LshParams, RangeIndex,
};
use latent_kmeans::kmeans::assign::{Assigner, ClassicAssigner, ReverseAssigner};
use latent_kmeans::kmeans::{fit, initial_centroids, KMeansError, KMeansParams, Method, Seeding};
use latent_kmeans::linalg::row_sq_norms;
use latent_kmeans::metrics::external_scores;
use ndarray::{Array2, ArrayView2};

fn blob_data(n: usize, dim: usize, k: usize, std: f32, seed: u64) -> Dataset {
    blobs(&BlobsConfig {
        n,
        dim,
        k,
        std,
        spread: 10.0,
        seed,
    })
    .unwrap()
}

fn truth(d: &Dataset) -> Vec<usize> {
    d.labels
        .as_ref()
        .unwrap()
        .iter()
        .map(|&l| l as usize)
        .collect()
}

fn all_methods() -> Vec<Method> {
    vec![
        Method::Classic,
        Method::Lsh(LshParams {
            w: 4.0,
            ..LshParams::default()
        }),
        Method::Cube(CubeParams {
            w: 4.0,
            ..CubeParams::default()
        }),
        Method::Linfa,
    ]
}

fn run(x: ArrayView2<f32>, k: usize, method: Method, seed: u64) -> latent_kmeans::Clustering {
    let p = KMeansParams::builder(k)
        .method(method)
        .seed(seed)
        .check()
        .unwrap();
    fit(&p, x).unwrap()
}

fn check_invariants(c: &latent_kmeans::Clustering, n: usize, k: usize) {
    assert_eq!(c.labels.len(), n, "{}", c.method);
    assert!(c.labels.iter().all(|&l| l < k), "{}", c.method);
    assert_eq!(c.sizes.iter().sum::<usize>(), n, "{}", c.method);
    let mut counted = vec![0; k];
    c.labels.iter().for_each(|&l| counted[l] += 1);
    assert_eq!(counted, c.sizes, "{}", c.method);
    assert_eq!(c.centroids.dim().0, k);
    assert!(c.centroids.iter().all(|v| v.is_finite()));
    assert!(c.objective.is_finite() && c.objective >= 0.0);
    if let Some(r) = &c.reverse {
        // Every iteration assigned every point exactly once, by range search or brute force.
        let iters = c.iterations.unwrap() as u64;
        assert_eq!(
            r.range_assigned + r.brute_assigned,
            iters * n as u64,
            "{}",
            c.method
        );
        assert_eq!(r.radii.len() as u64, iters);
    }
}

#[test]
fn separated_blobs_are_recovered_exactly_by_every_method() {
    let d = blob_data(1500, 6, 5, 0.3, 11);
    for m in all_methods() {
        let name = m.name();
        let c = run(d.features.view(), 5, m, 3);
        check_invariants(&c, d.n(), 5);
        let e = external_scores(&truth(&d), &c.labels).unwrap();
        assert!((e.ari - 1.0).abs() < 1e-12, "{name}: ARI {}", e.ari);
    }
}

#[test]
fn invariants_hold_on_mnist_subset_for_every_method() {
    let d = load_named("mnist-10k").unwrap().head(1500).unwrap();
    for m in all_methods() {
        let p = KMeansParams::builder(10)
            .method(m)
            .seed(5)
            .max_iter(25)
            .check()
            .unwrap();
        let c = fit(&p, d.features.view()).unwrap();
        check_invariants(&c, d.n(), 10);
    }
}

#[test]
fn lloyd_objective_never_increases() {
    for seed in 0..5 {
        let d = blob_data(800, 5, 8, 2.5, seed);
        let c = run(d.features.view(), 8, Method::Classic, seed);
        for w in c.objective_history.windows(2) {
            assert!(
                w[1] <= w[0] * (1.0 + 1e-5),
                "seed {seed}: {:?}",
                c.objective_history
            );
        }
        // The final means can only lower it further.
        assert!(c.objective <= c.objective_history.last().unwrap() * (1.0 + 1e-5));
    }
    let mnist = load_named("mnist-10k").unwrap().head(2000).unwrap();
    let c = run(mnist.features.view(), 10, Method::Classic, 1);
    for w in c.objective_history.windows(2) {
        assert!(w[1] <= w[0] * (1.0 + 1e-5));
    }
}

#[test]
fn classic_and_linfa_agree_from_the_same_centres() {
    let cases = [
        blob_data(1200, 8, 6, 3.0, 2),
        load_named("mnist-10k").unwrap().head(2000).unwrap(),
    ];
    for d in cases {
        let k = 6;
        let init = initial_centroids(
            &KMeansParams::builder(k).seed(7).check().unwrap(),
            d.features.view(),
        )
        .unwrap();
        let go = |method, start: Array2<f32>| {
            let p = KMeansParams::builder(k)
                .method(method)
                .seeding(Seeding::Precomputed(start))
                .max_iter(500)
                .tol(1e-6)
                .check()
                .unwrap();
            fit(&p, d.features.view()).unwrap()
        };
        let ours = go(Method::Classic, init.clone());
        let linfa = go(Method::Linfa, init.clone());
        // Lloyd is chaotic near ties: f32 rounding in linfa's centroid sums can tip a point on a
        // boundary, so on real data the two may settle in neighbouring fixed points.
        let e = external_scores(&ours.labels, &linfa.labels).unwrap();
        assert!(e.ari > 0.99, "{}: ARI {}", d.name, e.ari);
        let rel = (ours.objective - linfa.objective).abs() / linfa.objective;
        assert!(
            rel < 1e-4,
            "{}: objectives {} vs {}",
            d.name,
            ours.objective,
            linfa.objective
        );
        // linfa's end point is a fixed point of CLASSIC: started there, CLASSIC keeps linfa's
        // partition exactly.
        let from_linfa = go(Method::Classic, linfa.centroids.clone());
        assert_eq!(from_linfa.labels, linfa.labels, "{}", d.name);
        assert_eq!(from_linfa.iterations, Some(1));
    }
}

#[test]
fn same_seed_same_labels_across_runs_and_thread_counts() {
    let d = blob_data(3000, 10, 7, 4.0, 4);
    for m in all_methods() {
        let a = run(d.features.view(), 7, m.clone(), 9);
        let b = run(d.features.view(), 7, m.clone(), 9);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let c = pool.install(|| run(d.features.view(), 7, m.clone(), 9));
        assert_eq!(a.labels, b.labels, "{}", m.name());
        assert_eq!(a.labels, c.labels, "{} with one thread", m.name());
        assert_eq!(a.centroids, c.centroids, "{}", m.name());
        assert_eq!(a.objective.to_bits(), c.objective.to_bits(), "{}", m.name());
    }
}

#[test]
fn reverse_assignment_with_an_exact_index_equals_lloyd() {
    for seed in 0..4 {
        let d = blob_data(600, 4, 5, 3.0, seed);
        let x = d.features.view();
        let c =
            initial_centroids(&KMeansParams::builder(5).seed(seed).check().unwrap(), x).unwrap();
        let n = d.n();
        let (mut l1, mut d1) = (vec![0; n], vec![0.0; n]);
        let (mut l2, mut d2) = (vec![0; n], vec![0.0; n]);
        ClassicAssigner::new(x, row_sq_norms(x)).assign(c.view(), &mut l1, &mut d1);
        let mut rev = ReverseAssigner::new(x, Box::new(BruteForceIndex::new(x)), 4.0);
        rev.assign(c.view(), &mut l2, &mut d2);
        assert_eq!(l1, l2, "seed {seed}");
        let s = rev.reverse_stats().unwrap();
        assert_eq!(s.range_assigned + s.brute_assigned, n as u64);
    }
}

fn sorted(mut hits: Vec<Hit>) -> Vec<u32> {
    let mut v: Vec<u32> = hits.drain(..).map(|h| h.index).collect();
    v.sort_unstable();
    v
}

#[test]
fn indexes_are_exhaustive_when_their_parameters_make_them_so() {
    let d = blob_data(700, 6, 4, 2.0, 8);
    let x = d.features.view();
    let brute = BruteForceIndex::new(x);
    let lsh = LshIndex::build(
        x,
        &LshParams {
            tables: 2,
            hashes: 3,
            w: 1e12,
            table_size: Some(50),
            id_trick: true,
            cap: None,
        },
        1,
    )
    .unwrap();
    let cube = HypercubeIndex::build(
        x,
        &CubeParams {
            dims: 4,
            max_points: 10_000,
            probes: 16,
            w: 0.5,
        },
        1,
    )
    .unwrap();
    for (qi, r) in [(0usize, 3.0f32), (10, 8.0), (99, 40.0), (5, 0.5)] {
        let q = x.row(qi);
        let mut want = Vec::new();
        brute.range_query(q, r, &mut want);
        let want = sorted(want);
        for (name, idx) in [("lsh", &lsh as &dyn RangeIndex), ("cube", &cube)] {
            let mut got = Vec::new();
            idx.range_query(q, r, &mut got);
            assert_eq!(sorted(got), want, "{name} q={qi} r={r}");
        }
    }
}

#[test]
fn approximate_queries_are_duplicate_free_subsets_of_brute_force() {
    let d = blob_data(900, 8, 6, 2.0, 21);
    let x = d.features.view();
    let brute = BruteForceIndex::new(x);
    for seed in 0..3 {
        let lsh = LshIndex::build(
            x,
            &LshParams {
                w: 2.0,
                ..LshParams::default()
            },
            seed,
        )
        .unwrap();
        let lsh_nocap = LshIndex::build(
            x,
            &LshParams {
                w: 3.0,
                id_trick: false,
                cap: None,
                tables: 6,
                ..LshParams::default()
            },
            seed,
        )
        .unwrap();
        let cube = HypercubeIndex::build(
            x,
            &CubeParams {
                dims: 5,
                max_points: 150,
                probes: 6,
                w: 3.0,
            },
            seed,
        )
        .unwrap();
        for qi in [0usize, 17, 300, 899] {
            for r in [1.0f32, 4.0, 12.0, 60.0] {
                let q = x.row(qi);
                let mut want = Vec::new();
                brute.range_query(q, r, &mut want);
                let want = sorted(want);
                for idx in [&lsh as &dyn RangeIndex, &lsh_nocap, &cube] {
                    let mut got = Vec::new();
                    idx.range_query(q, r, &mut got);
                    for h in &got {
                        let exact: f32 = x
                            .row(h.index as usize)
                            .iter()
                            .zip(q.iter())
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum();
                        assert!((h.sq_dist - exact).abs() <= 1e-3 * (1.0 + exact));
                    }
                    let got = sorted(got);
                    let mut dedup = got.clone();
                    dedup.dedup();
                    assert_eq!(dedup, got, "duplicates");
                    assert!(
                        got.iter().all(|p| want.binary_search(p).is_ok()),
                        "false positive"
                    );
                }
            }
        }
    }
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    let x = Array2::<f32>::zeros((5, 2));
    assert_eq!(
        KMeansParams::builder(0).check().unwrap_err(),
        KMeansError::ZeroClusters
    );
    let p = KMeansParams::builder(6).check().unwrap();
    assert_eq!(
        fit(&p, x.view()).unwrap_err(),
        KMeansError::TooManyClusters { k: 6, n: 5 }
    );
    assert!(matches!(
        KMeansParams::builder(2).tol(0.0).check(),
        Err(KMeansError::InvalidTolerance(_))
    ));
    assert!(matches!(
        KMeansParams::builder(2).tol(f64::NAN).check(),
        Err(KMeansError::InvalidTolerance(_))
    ));
    assert_eq!(
        KMeansParams::builder(2).max_iter(0).check().unwrap_err(),
        KMeansError::ZeroMaxIter
    );
    for w in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        let lsh = Method::Lsh(LshParams {
            w,
            ..LshParams::default()
        });
        assert!(matches!(
            KMeansParams::builder(2).method(lsh).check(),
            Err(KMeansError::Index(_))
        ));
        let cube = Method::Cube(CubeParams {
            w,
            ..CubeParams::default()
        });
        assert!(KMeansParams::builder(2).method(cube).check().is_err());
    }
    let l0 = Method::Lsh(LshParams {
        tables: 0,
        ..LshParams::default()
    });
    assert!(KMeansParams::builder(2).method(l0).check().is_err());
    let c0 = Method::Cube(CubeParams {
        dims: 0,
        ..CubeParams::default()
    });
    assert!(KMeansParams::builder(2).method(c0).check().is_err());
    let mut nan = Array2::<f32>::zeros((5, 2));
    nan[[3, 1]] = f32::NAN;
    let p = KMeansParams::builder(2).check().unwrap();
    assert_eq!(
        fit(&p, nan.view()).unwrap_err(),
        KMeansError::NonFinite { row: 3, col: 1 }
    );
    let wrong = KMeansParams::builder(2)
        .seeding(Seeding::Precomputed(Array2::zeros((2, 3))))
        .check()
        .unwrap();
    assert!(matches!(
        fit(&wrong, x.view()),
        Err(KMeansError::CentroidShape { .. })
    ));
}

#[test]
fn degenerate_data_still_partitions() {
    // All points identical, k = 3: every point in exactly one cluster, no NaN.
    let x = Array2::<f32>::from_elem((20, 3), 1.5);
    for m in all_methods() {
        let c = run(x.view(), 3, m, 0);
        check_invariants(&c, 20, 3);
    }
    // k = n.
    let d = blob_data(12, 2, 3, 1.0, 0);
    let c = run(d.features.view(), 12, Method::Classic, 0);
    check_invariants(&c, 12, 12);
    assert!(c.sizes.iter().all(|&s| s == 1));
    // k = 1.
    let c = run(d.features.view(), 1, Method::Lsh(LshParams::default()), 0);
    check_invariants(&c, 12, 1);
}
