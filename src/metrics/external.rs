//! Agreement with the true labels: NMI (arithmetic normalisation, as scikit-learn's default),
//! ARI and purity, all from one contingency table. No maintained Rust crate offers these for
//! plain label slices (linfa's confusion matrix covers classification scores only).

use serde::Serialize;

use super::error::MetricsError;

/// NMI, ARI and purity of a clustering against reference labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct External {
    pub nmi: f64,
    pub ari: f64,
    pub purity: f64,
}

/// Contingency table `n_ij` (true class i, cluster j) of two labellings.
fn contingency(truth: &[usize], pred: &[usize]) -> Vec<Vec<u64>> {
    let compact = |v: &[usize]| -> (Vec<usize>, usize) {
        let mut seen = std::collections::BTreeMap::new();
        for &x in v {
            let next = seen.len();
            seen.entry(x).or_insert(next);
        }
        let mut order: Vec<usize> = seen.keys().copied().collect();
        order.sort_unstable();
        let map: std::collections::HashMap<usize, usize> =
            order.iter().enumerate().map(|(i, &x)| (x, i)).collect();
        (v.iter().map(|x| map[x]).collect(), order.len())
    };
    let (t, nt) = compact(truth);
    let (p, np) = compact(pred);
    let mut table = vec![vec![0u64; np]; nt];
    for (&a, &b) in t.iter().zip(&p) {
        table[a][b] += 1;
    }
    table
}

fn comb2(x: u64) -> f64 {
    (x as f64) * (x as f64 - 1.0) / 2.0
}

/// NMI, ARI and purity of `pred` against `truth`.
pub fn external_scores(truth: &[usize], pred: &[usize]) -> Result<External, MetricsError> {
    if truth.len() != pred.len() {
        return Err(MetricsError::Length {
            what: "predicted labels",
            expected: truth.len(),
            got: pred.len(),
        });
    }
    if truth.is_empty() {
        return Err(MetricsError::Empty);
    }
    let n = truth.len() as f64;
    let table = contingency(truth, pred);
    let rows: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<u64> = (0..table[0].len())
        .map(|j| table.iter().map(|r| r[j]).sum())
        .collect();

    // ARI
    let sum_cells: f64 = table.iter().flatten().map(|&v| comb2(v)).sum();
    let sum_rows: f64 = rows.iter().map(|&v| comb2(v)).sum();
    let sum_cols: f64 = cols.iter().map(|&v| comb2(v)).sum();
    let expected = sum_rows * sum_cols / comb2(truth.len() as u64).max(f64::MIN_POSITIVE);
    let max_index = (sum_rows + sum_cols) / 2.0;
    let ari = if (max_index - expected).abs() < 1e-12 {
        1.0
    } else {
        (sum_cells - expected) / (max_index - expected)
    };

    // NMI (arithmetic mean of the entropies)
    let entropy = |v: &[u64]| -> f64 {
        v.iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                -p * p.ln()
            })
            .sum()
    };
    let (hu, hv) = (entropy(&rows), entropy(&cols));
    let mut mi = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            if c > 0 {
                let c = c as f64;
                mi += c / n * (n * c / (rows[i] as f64 * cols[j] as f64)).ln();
            }
        }
    }
    let nmi = if hu == 0.0 && hv == 0.0 {
        1.0
    } else {
        (mi / ((hu + hv) / 2.0)).clamp(0.0, 1.0)
    };

    // Purity
    let purity = (0..cols.len())
        .map(|j| table.iter().map(|r| r[j]).max().unwrap_or(0))
        .sum::<u64>() as f64
        / n;
    Ok(External { nmi, ari, purity })
}

/// Scores against a dataset's `u8` labels, when it has them (the common call site).
pub fn external_against(
    truth: Option<&[u8]>,
    pred: &[usize],
) -> Result<Option<External>, MetricsError> {
    truth
        .map(|t| {
            let t: Vec<usize> = t.iter().map(|&v| v as usize).collect();
            external_scores(&t, pred)
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_up_to_renaming_is_perfect() {
        let t = [0, 0, 1, 1, 2, 2];
        let p = [5, 5, 3, 3, 9, 9];
        let e = external_scores(&t, &p).unwrap();
        assert!((e.nmi - 1.0).abs() < 1e-12);
        assert!((e.ari - 1.0).abs() < 1e-12);
        assert_eq!(e.purity, 1.0);
    }

    #[test]
    fn hand_computed_example() {
        // truth [0,0,0,1,1,1], pred [0,0,1,1,2,2]: contingency [[2,1,0],[0,1,2]].
        let t = [0, 0, 0, 1, 1, 1];
        let p = [0, 0, 1, 1, 2, 2];
        let e = external_scores(&t, &p).unwrap();
        // ARI: Σcomb(n_ij)=2, Σcomb(a)=6, Σcomb(b)=3, expected=6·3/15=1.2, max=4.5
        // → (2 − 1.2)/(4.5 − 1.2) = 0.242424…
        assert!((e.ari - 0.8 / 3.3).abs() < 1e-12);
        // purity: (2 + 1 + 2)/6
        assert!((e.purity - 5.0 / 6.0).abs() < 1e-12);
        // NMI: MI = (2/6)ln(2·6/(3·2))·2 + 2·(1/6)ln(6/(3·2)) = (2/3)ln 2
        // H(U) = ln 2, H(V) = −(2·(1/3)ln(1/3) + (1/3)ln(1/3)) = ln 3
        let expected = (2.0 / 3.0) * 2f64.ln() / ((2f64.ln() + 3f64.ln()) / 2.0);
        assert!((e.nmi - expected).abs() < 1e-12);
    }

    #[test]
    fn independent_labellings_score_near_zero_ari() {
        let t = [0, 1, 0, 1];
        let p = [0, 0, 1, 1];
        let e = external_scores(&t, &p).unwrap();
        assert!(e.ari <= 0.0);
        assert!(e.nmi.abs() < 1e-12);
    }
}
