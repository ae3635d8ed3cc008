//! Comparing two runs the way `benchstat` does: each run is a set of timing
//! samples, and a difference is reported only when a Mann–Whitney U test
//! says it is unlikely to be noise (benchstat's default test, at its default
//! significance level α = 0.05).
//!
//! The U statistic counts, over every pair (old sample, new sample), how
//! often the old one is larger (a tie counts one half). If both runs come
//! from the same distribution every ordering of the pooled samples is equally
//! likely, so the distribution of U can be counted exactly; the p-value is
//! the chance of a U at least as far from its middle as the one observed.
//! Nothing is assumed about the shape of the timings (they are skewed: a
//! preempted round is much slower, never much faster).
//!
//! One consequence needs no machine: with one sample per side (what
//! `go test -bench` writes without `-count`), U is 0 or 1 with equal
//! chances, and the smallest possible p-value is 1. Two single runs can
//! never show a difference.
//!
//! Not here: how the samples are taken ([`super::timing`]).

use crate::measure::stats;

// ANCHOR: u_statistic
/// The Mann–Whitney U statistic of `old` against `new`: the number of pairs
/// `(o, n)` with `o > n`, ties counting ½.
pub fn u_statistic(old: &[f64], new: &[f64]) -> f64 {
    let mut u = 0.0;
    for o in old {
        for n in new {
            if o > n {
                u += 1.0;
            } else if o == n {
                u += 0.5;
            }
        }
    }
    u
}
// ANCHOR_END: u_statistic

/// How many orderings of `n1` old and `n2` new samples give each value of U
/// (index `u`, from 0 to `n1 × n2`), counted with the recurrence on the
/// largest sample: if it is an old one it beats all `n2` new ones.
fn u_counts(n1: usize, n2: usize) -> Vec<f64> {
    // counts[i][j] is the distribution for i old and j new samples.
    let mut counts: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n2 + 1]; n1 + 1];
    for i in 0..=n1 {
        for j in 0..=n2 {
            counts[i][j] = if i == 0 || j == 0 {
                vec![1.0]
            } else {
                let mut c = vec![0.0; i * j + 1];
                for (u, x) in counts[i - 1][j].iter().enumerate() {
                    c[u + j] += x;
                }
                for (u, x) in counts[i][j - 1].iter().enumerate() {
                    c[u] += x;
                }
                c
            };
        }
    }
    std::mem::take(&mut counts[n1][n2])
}

// ANCHOR: p_value
/// Two-sided p-value of the U test of `old` against `new`, from the exact
/// distribution of U (ties are rare in nanosecond timings; with ties the
/// value is slightly conservative). `None` when a side is empty.
pub fn u_test_p_value(old: &[f64], new: &[f64]) -> Option<f64> {
    let (n1, n2) = (old.len(), new.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let u = u_statistic(old, new);
    let max = (n1 * n2) as f64;
    // The tail on the side of the observed U, rounded towards the middle.
    let tail_u = u.min(max - u).ceil() as usize;
    let counts = u_counts(n1, n2);
    let total: f64 = counts.iter().sum();
    let tail: f64 = counts[..=tail_u].iter().sum();
    Some((2.0 * tail / total).min(1.0))
}
// ANCHOR_END: p_value

/// Two runs compared: their medians and the test's verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Samples per side.
    pub n: usize,
    /// Median of the old run.
    pub old_median: f64,
    /// Median of the new run.
    pub new_median: f64,
    /// Two-sided p-value of the U test.
    pub p_value: f64,
}

impl Comparison {
    /// Compares `old` with `new` (`None` when a side is empty or they differ
    /// in length).
    pub fn of(old: &[f64], new: &[f64]) -> Option<Self> {
        if old.len() != new.len() {
            return None;
        }
        Some(Self {
            n: old.len(),
            old_median: stats::median(old)?,
            new_median: stats::median(new)?,
            p_value: u_test_p_value(old, new)?,
        })
    }

    /// `new / old`, of the medians.
    pub fn ratio(&self) -> f64 {
        self.new_median / self.old_median
    }

    /// What benchstat prints at significance level `alpha`: a change, or `~`.
    pub fn reads_as_change(&self, alpha: f64) -> bool {
        self.p_value < alpha
    }
}

/// benchstat's default significance level.
pub const BENCHSTAT_ALPHA: f64 = 0.05;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_counts_pairs_and_halves_ties() {
        assert_eq!(u_statistic(&[3.0, 4.0], &[1.0, 2.0]), 4.0);
        assert_eq!(u_statistic(&[1.0, 2.0], &[3.0, 4.0]), 0.0);
        assert_eq!(u_statistic(&[2.0], &[2.0]), 0.5);
    }

    #[test]
    fn the_exact_distribution_has_every_ordering() {
        // 2 old and 2 new samples: C(4, 2) = 6 orderings, U = 0,1,2,2,3,4.
        assert_eq!(u_counts(2, 2), [1.0, 1.0, 2.0, 1.0, 1.0]);
        let total: f64 = u_counts(5, 7).iter().sum();
        assert_eq!(total, 792.0); // C(12, 5)
    }

    #[test]
    fn one_sample_a_side_can_never_show_a_difference() {
        assert_eq!(u_test_p_value(&[10.0], &[1.0]), Some(1.0));
        assert_eq!(u_test_p_value(&[], &[1.0]), None);
    }

    #[test]
    fn separated_runs_give_small_p_values() {
        let old: Vec<f64> = (0..10).map(|i| 100.0 + i as f64).collect();
        let new: Vec<f64> = (0..10).map(|i| 50.0 + i as f64).collect();
        let p = u_test_p_value(&old, &new).unwrap();
        // Complete separation of 10 and 10: 2 / C(20, 10).
        assert!((p - 2.0 / 184_756.0).abs() < 1e-12, "{p}");
        let c = Comparison::of(&old, &new).unwrap();
        assert!(c.reads_as_change(BENCHSTAT_ALPHA));
        assert!((c.ratio() - 54.5 / 104.5).abs() < 1e-12);
        // Interleaved values: no change.
        let a: Vec<f64> = (0..10).map(|i| (2 * i) as f64).collect();
        let b: Vec<f64> = (0..10).map(|i| (2 * i + 1) as f64).collect();
        assert!(u_test_p_value(&a, &b).unwrap() > 0.5);
    }
}
