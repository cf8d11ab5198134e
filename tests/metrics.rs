//! Metrics against a naive O(n²) double-precision reference and hand-computed values.

use latent_kmeans::data::load_named;
use latent_kmeans::metrics::silhouette::{cluster_distance_sums, standard_from_sums};
use latent_kmeans::metrics::{
    cluster_means, evaluate_space, objective, silhouettes, Definition, MetricsError,
};
use ndarray::{array, Array2};
use rand::{Rng, SeedableRng};

fn dist(x: &Array2<f32>, i: usize, j: usize) -> f64 {
    x.row(i)
        .iter()
        .zip(x.row(j))
        .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// The definitions written out literally, in f64.
fn naive(
    x: &Array2<f32>,
    labels: &[usize],
    k: usize,
    centroids: &Array2<f32>,
) -> (Vec<f64>, Vec<f64>) {
    let n = x.nrows();
    let size = |c: usize| labels.iter().filter(|&&l| l == c).count();
    let mean_to = |i: usize, c: usize, exclude_self: bool| -> f64 {
        let members: Vec<usize> = (0..n)
            .filter(|&j| labels[j] == c && !(exclude_self && j == i))
            .collect();
        members.iter().map(|&j| dist(x, i, j)).sum::<f64>() / members.len() as f64
    };
    let s = |a: f64, b: f64| {
        if a.max(b) > 0.0 {
            (b - a) / a.max(b)
        } else {
            0.0
        }
    };
    let mut standard = vec![];
    let mut compat = vec![];
    for i in 0..n {
        let l = labels[i];
        let others: Vec<usize> = (0..k).filter(|&c| c != l && size(c) > 0).collect();
        if size(l) == 1 {
            standard.push(0.0);
        } else {
            let a = mean_to(i, l, true);
            let b = others
                .iter()
                .map(|&c| mean_to(i, c, false))
                .fold(f64::INFINITY, f64::min);
            standard.push(s(a, b));
        }
        let a = (0..n)
            .filter(|&j| labels[j] == l)
            .map(|j| dist(x, i, j))
            .sum::<f64>()
            / size(l) as f64;
        let nb = *others
            .iter()
            .min_by(|&&p, &&q| {
                let dp: f64 = x
                    .row(i)
                    .iter()
                    .zip(centroids.row(p))
                    .map(|(&u, &v)| (u as f64 - v as f64).powi(2))
                    .sum();
                let dq: f64 = x
                    .row(i)
                    .iter()
                    .zip(centroids.row(q))
                    .map(|(&u, &v)| (u as f64 - v as f64).powi(2))
                    .sum();
                dp.partial_cmp(&dq).unwrap()
            })
            .unwrap();
        compat.push(s(a, mean_to(i, nb, false)));
    }
    (standard, compat)
}

fn random_case(seed: u64) -> (Array2<f32>, Vec<usize>, usize) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let n = rng.gen_range(3..120);
    let d = rng.gen_range(1..40);
    let k = rng.gen_range(2..=n.min(6));
    let mut x = Array2::from_shape_fn((n, d), |_| rng.gen_range(-3.0f32..3.0));
    // Duplicate points.
    for _ in 0..rng.gen_range(0..4) {
        let (a, b) = (rng.gen_range(0..n), rng.gen_range(0..n));
        let row = x.row(a).to_owned();
        x.row_mut(b).assign(&row);
    }
    // Labels covering every cluster; some clusters become singletons.
    let mut labels: Vec<usize> = (0..n)
        .map(|i| if i < k { i } else { rng.gen_range(0..k) })
        .collect();
    if seed.is_multiple_of(3) && n > k + 1 {
        // Force cluster k-1 to be a singleton.
        for l in labels.iter_mut().skip(k) {
            if *l == k - 1 {
                *l = 0;
            }
        }
    }
    (x, labels, k)
}

#[test]
fn both_silhouettes_match_the_naive_reference_on_random_data() {
    for seed in 0..60 {
        let (x, labels, k) = random_case(seed);
        let (means, _) = cluster_means(x.view(), &labels, k).unwrap();
        let got = silhouettes(
            x.view(),
            &labels,
            k,
            None,
            &[Definition::Standard, Definition::Compat],
        )
        .unwrap();
        let (std_ref, compat_ref) = naive(&x, &labels, k, &means);
        for (s, reference) in [(&got[0], &std_ref), (&got[1], &compat_ref)] {
            for (i, (a, b)) in s.per_point.iter().zip(reference.iter()).enumerate() {
                assert!(
                    (a - b).abs() < 1e-5,
                    "seed {seed} {:?} point {i}: {a} vs {b}",
                    s.definition
                );
                assert!((-1.0..=1.0).contains(a));
            }
            let total: f64 = reference.iter().sum::<f64>() / reference.len() as f64;
            assert!((s.total - total).abs() < 1e-5, "seed {seed}");
        }
    }
}

#[test]
fn compat_uses_the_given_centroids_for_the_neighbour() {
    for seed in 100..110 {
        let (x, labels, k) = random_case(seed);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let cents = Array2::from_shape_fn((k, x.ncols()), |_| rng.gen_range(-3.0f32..3.0));
        let got = silhouettes(
            x.view(),
            &labels,
            k,
            Some(cents.view()),
            &[Definition::Compat],
        )
        .unwrap();
        let (_, reference) = naive(&x, &labels, k, &cents);
        for (a, b) in got[0].per_point.iter().zip(&reference) {
            assert!((a - b).abs() < 1e-5, "seed {seed}: {a} vs {b}");
        }
    }
}

#[test]
fn hand_computed_silhouette() {
    // Points on a line: 0, 1 | 4, 6.
    let x = array![[0.0f32], [1.0], [4.0], [6.0]];
    let labels = [0, 0, 1, 1];
    let s = &silhouettes(x.view(), &labels, 2, None, &[Definition::Standard]).unwrap()[0];
    // point 0: a = 1, b = (4 + 6)/2 = 5 → 0.8; point 1: a = 1, b = 4 → 0.75
    // point 2: a = 2, b = 3.5 → 1.5/3.5; point 3: a = 2, b = 5.5 → 3.5/5.5
    let want = [0.8, 0.75, 1.5 / 3.5, 3.5 / 5.5];
    for (g, w) in s.per_point.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{g} vs {w}");
    }
    assert!((s.per_cluster[0].unwrap() - 0.775).abs() < 1e-9);
    assert!((s.total - want.iter().sum::<f64>() / 4.0).abs() < 1e-9);
}

#[test]
fn degenerate_inputs_are_defined_or_errors_never_nan() {
    // All points identical: every s(i) is 0, defined as in scikit-learn.
    let x = Array2::<f32>::from_elem((6, 3), 2.0);
    let s = &silhouettes(
        x.view(),
        &[0, 0, 1, 1, 2, 2],
        3,
        None,
        &[Definition::Standard, Definition::Compat],
    )
    .unwrap();
    for v in s {
        assert!(v.per_point.iter().all(|&p| p == 0.0));
        assert_eq!(v.total, 0.0);
    }
    // One cluster: an error.
    assert_eq!(
        silhouettes(x.view(), &[0; 6], 1, None, &[Definition::Standard]).unwrap_err(),
        MetricsError::TooFewClusters(1)
    );
    // One non-empty cluster among three.
    assert!(matches!(
        silhouettes(x.view(), &[2; 6], 3, None, &[Definition::Standard]),
        Err(MetricsError::TooFewClusters(1))
    ));
    // Empty clusters are reported as None.
    let y = array![[0.0f32], [1.0], [5.0], [6.0]];
    let s = &silhouettes(y.view(), &[0, 0, 2, 2], 3, None, &[Definition::Standard]).unwrap()[0];
    assert_eq!(s.per_cluster[1], None);
    // NaN data and bad labels.
    let mut z = y.clone();
    z[[1, 0]] = f32::NAN;
    assert!(matches!(
        silhouettes(z.view(), &[0, 0, 1, 1], 2, None, &[Definition::Standard]),
        Err(MetricsError::NonFinite { row: 1, col: 0 })
    ));
    assert!(silhouettes(y.view(), &[0, 0, 1], 2, None, &[Definition::Standard]).is_err());
    assert!(silhouettes(y.view(), &[0, 0, 1, 7], 2, None, &[Definition::Standard]).is_err());
}

#[test]
fn silhouette_is_exact_and_thread_independent_on_real_data() {
    // Two tiles' worth of real images, so the tiled path (including off-diagonal tiles) runs.
    let d = load_named("mnist-10k").unwrap().head(1100).unwrap();
    let labels: Vec<usize> = d
        .labels
        .as_ref()
        .unwrap()
        .iter()
        .map(|&l| l as usize)
        .collect();
    let sums = cluster_distance_sums(d.features.view(), &labels, 10).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = pool.install(|| cluster_distance_sums(d.features.view(), &labels, 10).unwrap());
    assert_eq!(sums.sums, serial.sums, "bit-identical across thread counts");
    // Spot-check rows against the direct f64 computation.
    let x = d.features.clone();
    for i in [0usize, 511, 512, 777, 1099] {
        for c in 0..10 {
            let want: f64 = (0..d.n())
                .filter(|&j| labels[j] == c && j != i)
                .map(|j| dist(&x, i, j))
                .sum();
            let got = sums.sums[[i, c]];
            assert!(
                (got - want).abs() <= 1e-6 * want.max(1.0),
                "row {i} cluster {c}: {got} vs {want}"
            );
        }
    }
    let s = standard_from_sums(&sums, &labels).unwrap();
    assert!(s.per_point.iter().all(|v| (-1.0..=1.0).contains(v)));
}

#[test]
fn means_minimise_the_objective_for_fixed_labels() {
    let d = load_named("mnist-10k").unwrap().head(500).unwrap();
    let labels: Vec<usize> = d
        .labels
        .as_ref()
        .unwrap()
        .iter()
        .map(|&l| l as usize)
        .collect();
    let (means, _) = cluster_means(d.features.view(), &labels, 10).unwrap();
    let best = objective(d.features.view(), &labels, means.view()).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for _ in 0..20 {
        let mut other = means.clone();
        other.mapv_inplace(|v| v + rng.gen_range(-0.05f32..0.05));
        assert!(best <= objective(d.features.view(), &labels, other.view()).unwrap());
    }
    let e = evaluate_space(d.features.view(), &labels, 10, Some(means.view()), &[]).unwrap();
    assert!((e.objective_means - best).abs() < 1e-9 * best);
    assert_eq!(e.objective_centroids, Some(best));
}
