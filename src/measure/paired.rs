//! Deciding whether two methods differ, from paired samples: the ratio of
//! method A's sample to method B's sample *taken in the same round*, once
//! per round, then the median and the quartiles of those ratios.
//!
//! Pairing cancels a slow round (another process woke up, the page cache was
//! being written back): both methods of a round see it. The quartiles show
//! how much the ratio itself moves from round to round, and that spread is
//! the noise band: a difference counts only when the middle half of the
//! rounds agrees on its direction (the interquartile range excludes 1.0)
//! and the median moves by at least [`MIN_EFFECT`].
//!
//! Not for: a single pair of figures (there is no spread to judge), nor
//! samples that were not taken side by side.
//!
//! Used by zero_copy's timing verdicts and lock_free_ring's speed verdicts;
//! the minimum effect is a rule's threshold where a rule decides on it
//! ([`Paired::effect_beyond`]).

/// The smallest change a verdict treats as a difference, even when the
/// rounds agree on it: ±5%. Below it, a difference is too small to matter
/// to the claims checked here, however steady.
pub const MIN_EFFECT: f64 = 0.05;

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

/// How A compares with B, beyond the noise band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A is lower: the ratios' interquartile range lies below 1.0 and the
    /// median below 1 / (1 + [`MIN_EFFECT`]).
    Lower,
    /// No measurable difference: the rounds disagree, or the change is
    /// smaller than [`MIN_EFFECT`].
    Within,
    /// A is higher: the interquartile range lies above 1.0 and the median
    /// above 1 + [`MIN_EFFECT`].
    Higher,
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

    /// The direction of the difference, if it is beyond the noise band and
    /// [`MIN_EFFECT`].
    pub fn effect(&self) -> Effect {
        self.effect_beyond(MIN_EFFECT)
    }

    // ANCHOR: effect
    /// The direction of the difference, if it is beyond the noise band (the
    /// middle half of the rounds agree on it) and the median moves by at
    /// least `min_effect` (0.05 = 5%).
    pub fn effect_beyond(&self, min_effect: f64) -> Effect {
        if self.q3 < 1.0 && self.median <= 1.0 / (1.0 + min_effect) {
            Effect::Lower
        } else if self.q1 > 1.0 && self.median >= 1.0 + min_effect {
            Effect::Higher
        } else {
            Effect::Within
        }
    }
    // ANCHOR_END: effect

    /// True when the middle half of the rounds reached `ratio ≤ limit`.
    pub fn all_at_most(&self, limit: f64) -> bool {
        self.q3 <= limit
    }

    /// True when the middle half of the rounds reached `ratio ≥ limit`.
    pub fn all_at_least(&self, limit: f64) -> bool {
        self.q1 >= limit
    }

    /// `0.80× (0.74–0.86)`: median and interquartile range.
    pub fn describe(&self) -> String {
        format!("{:.2}× ({:.2}–{:.2})", self.median, self.q1, self.q3)
    }
}

/// Quantile `p` of sorted `v`, linear between neighbours (the usual
/// "type 7" definition, as in R and NumPy).
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
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [1.0; 5];
        let p = Paired::of(&a, &b).unwrap();
        assert_eq!((p.q1, p.median, p.q3), (2.0, 3.0, 4.0));
        assert_eq!(p.effect(), Effect::Higher);
    }

    #[test]
    fn disagreeing_rounds_are_within_noise() {
        // Half the rounds say faster, half slower: no verdict either way.
        let a = [0.8, 1.2, 0.9, 1.1, 0.7, 1.3];
        let p = Paired::of(&a, &[1.0; 6]).unwrap();
        assert_eq!(p.effect(), Effect::Within);
    }

    #[test]
    fn steady_but_tiny_change_is_within_noise() {
        let a = [1.02, 1.021, 1.019, 1.02, 1.022];
        let p = Paired::of(&a, &[1.0; 5]).unwrap();
        assert!(p.q1 > 1.0);
        assert_eq!(p.effect(), Effect::Within);
    }

    #[test]
    fn steady_saving_is_lower() {
        let a = [0.70, 0.72, 0.71, 0.69, 0.75, 0.9, 0.71];
        let p = Paired::of(&a, &[1.0; 7]).unwrap();
        assert_eq!(p.effect(), Effect::Lower);
        assert!(p.all_at_most(0.75));
        assert!(!p.all_at_most(0.70));
    }

    #[test]
    fn too_few_or_broken_pairs() {
        assert_eq!(Paired::of(&[1.0, 2.0], &[1.0, 1.0]), None);
        assert_eq!(Paired::of(&[1.0, 2.0, 3.0], &[1.0, 1.0]), None);
        assert_eq!(Paired::of(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0]), None);
    }
}
