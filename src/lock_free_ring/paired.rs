//! A noise band for two rows timed side by side: the ratio of row A's time to
//! row B's time *in the same round*, once per round, then the median and the
//! quartiles of those ratios.
//!
//! Pairing cancels a slow round (another process woke up): both rows of a
//! round see it. The quartiles show how much the ratio itself moves from
//! round to round, and that spread is the band: a rule counts a difference
//! only when the middle half of the rounds agrees on its direction (the
//! first quartile above 1, or the third below) and the median moves by its
//! minimum effect.
//!
//! The same idea as zero_copy's `paired` module; kept here because a chapter
//! never imports another, and meant to move into `measure::stats` (see the
//! chapter's report). Not for single figures, nor for samples that were not
//! taken side by side.

/// The distribution of per-round ratios A ÷ B.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// Rounds (pairs).
    pub n: usize,
    /// First quartile of the ratios.
    pub q1: f64,
    /// Median ratio.
    pub median: f64,
    /// Third quartile of the ratios.
    pub q3: f64,
}

impl Paired {
    /// The ratios `a[i] / b[i]`. `None` if the lengths differ, there are
    /// fewer than three pairs, or a ratio is not finite.
    pub fn of(a: &[f64], b: &[f64]) -> Option<Self> {
        if a.len() != b.len() || a.len() < 3 {
            return None;
        }
        let mut r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        if r.iter().any(|x| !x.is_finite()) {
            return None;
        }
        r.sort_by(f64::total_cmp);
        Some(Self {
            n: r.len(),
            q1: quantile(&r, 0.25),
            median: quantile(&r, 0.5),
            q3: quantile(&r, 0.75),
        })
    }

    /// `1.80× (1.62–1.95)`: median and interquartile range.
    pub fn describe(&self) -> String {
        format!("{:.2}× ({:.2}–{:.2})", self.median, self.q1, self.q3)
    }
}

/// Quantile `p` of sorted `v`, linear between neighbours (the "type 7"
/// definition of R and NumPy).
fn quantile(v: &[f64], p: f64) -> f64 {
    let x = p * (v.len() - 1) as f64;
    let i = x.floor() as usize;
    let f = x - i as f64;
    if i + 1 < v.len() { v[i] + f * (v[i + 1] - v[i]) } else { v[i] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_of_known_ratios() {
        let p = Paired::of(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5]).unwrap();
        assert_eq!((p.n, p.q1, p.median, p.q3), (5, 2.0, 3.0, 4.0));
        assert_eq!(p.describe(), "3.00× (2.00–4.00)");
        let p = Paired::of(&[2.0, 4.0, 6.0], &[2.0, 2.0, 2.0]).unwrap();
        assert_eq!((p.q1, p.median, p.q3), (1.5, 2.0, 2.5));
    }

    #[test]
    fn too_few_or_broken_pairs() {
        assert_eq!(Paired::of(&[1.0, 2.0], &[1.0, 1.0]), None);
        assert_eq!(Paired::of(&[1.0, 2.0, 3.0], &[1.0, 1.0]), None);
        assert_eq!(Paired::of(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0]), None);
    }
}
