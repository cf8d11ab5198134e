//! The K-Means objective `J = Σᵢ |xᵢ − c_{l(i)}|²` and the cluster means that minimise it for
//! a fixed labelling.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::error::MetricsError;
use crate::linalg::{assign_means, cluster_sums, sq_dist};

/// Checks labels against `n` points and `k` clusters.
pub fn check_labels(labels: &[usize], n: usize, k: usize) -> Result<(), MetricsError> {
    if labels.len() != n {
        return Err(MetricsError::Length {
            what: "labels",
            expected: n,
            got: labels.len(),
        });
    }
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &l)| l >= k) {
        return Err(MetricsError::LabelOutOfRange { index, label, k });
    }
    Ok(())
}

/// `Σ |xᵢ − c_{l(i)}|²`, accumulated in f64 in fixed chunks (same value on any thread count).
pub fn objective(
    x: ArrayView2<f32>,
    labels: &[usize],
    centroids: ArrayView2<f32>,
) -> Result<f64, MetricsError> {
    let k = centroids.nrows();
    check_labels(labels, x.nrows(), k)?;
    if centroids.ncols() != x.ncols() {
        return Err(MetricsError::CentroidShape {
            k,
            dim: x.ncols(),
            got_rows: centroids.nrows(),
            got_cols: centroids.ncols(),
        });
    }
    let partials: Vec<f64> = labels
        .par_chunks(1024)
        .enumerate()
        .map(|(b, lab)| {
            lab.iter()
                .enumerate()
                .map(|(i, &l)| sq_dist(x.row(b * 1024 + i), centroids.row(l)) as f64)
                .sum()
        })
        .collect();
    Ok(partials.into_iter().sum())
}

/// The mean of every cluster (`k × d`) and the cluster sizes; an empty cluster's row is 0.
pub fn cluster_means(
    x: ArrayView2<f32>,
    labels: &[usize],
    k: usize,
) -> Result<(Array2<f32>, Vec<usize>), MetricsError> {
    check_labels(labels, x.nrows(), k)?;
    let (sums, counts) = cluster_sums(x, labels, k);
    let mut means = Array2::<f32>::zeros((k, x.ncols()));
    assign_means(&mut means, &sums, &counts);
    Ok((means, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn hand_computed_objective() {
        let x = array![[0.0f32, 0.0], [2.0, 0.0], [10.0, 10.0]];
        let c = array![[1.0f32, 0.0], [10.0, 11.0]];
        // 1 + 1 + 1
        assert_eq!(objective(x.view(), &[0, 0, 1], c.view()).unwrap(), 3.0);
        let (m, counts) = cluster_means(x.view(), &[0, 0, 1], 2).unwrap();
        assert_eq!(m, array![[1.0f32, 0.0], [10.0, 10.0]]);
        assert_eq!(counts, vec![2, 1]);
    }

    #[test]
    fn bad_labels_are_errors() {
        let x = array![[0.0f32], [1.0]];
        let c = array![[0.0f32]];
        assert!(matches!(
            objective(x.view(), &[0, 1], c.view()),
            Err(MetricsError::LabelOutOfRange { index: 1, .. })
        ));
        assert!(matches!(
            objective(x.view(), &[0], c.view()),
            Err(MetricsError::Length { .. })
        ));
    }
}
