//! Small statistics for small samples: median, min/max, mean, sample standard
//! deviation, coefficient of variation, and the ratio of two medians.
//!
//! Not a benchmark harness (that is criterion's job): these helpers summarise
//! the handful of repetitions an example or a claim check takes side by side,
//! and check the seeds' own arithmetic (seed 004's "small" standard deviation).

/// Summary of a sample.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Smallest value.
    pub min: f64,
    /// Median (mean of the two middle values for even `n`).
    pub median: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divides by `n − 1`); 0 for `n < 2`.
    pub sd: f64,
}

impl Summary {
    /// Summarises `values`. Returns `None` for an empty sample or one that
    /// contains NaN.
    pub fn of(values: &[f64]) -> Option<Self> {
        Some(Self {
            n: values.len(),
            min: min(values)?,
            median: median(values)?,
            max: max(values)?,
            mean: mean(values)?,
            sd: sample_sd(values).unwrap_or(0.0),
        })
    }

    /// Coefficient of variation, `sd / mean`.
    pub fn cv(&self) -> f64 {
        self.sd / self.mean
    }
}

fn sorted(values: &[f64]) -> Option<Vec<f64>> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v)
}

/// Median; `None` for an empty sample or NaN.
pub fn median(values: &[f64]) -> Option<f64> {
    let v = sorted(values)?;
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 })
}

/// Smallest value; `None` for an empty sample or NaN.
pub fn min(values: &[f64]) -> Option<f64> {
    sorted(values).map(|v| v[0])
}

/// Largest value; `None` for an empty sample or NaN.
pub fn max(values: &[f64]) -> Option<f64> {
    sorted(values).map(|v| v[v.len() - 1])
}

/// Arithmetic mean; `None` for an empty sample.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (Bessel's correction, `n − 1`); `None` for `n < 2`.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// Population standard deviation (divides by `n`); `None` for an empty sample.
pub fn population_sd(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / values.len() as f64).sqrt())
}

/// `median(a) / median(b)`: how many times larger `a` is than `b`, robust to a
/// single outlier on either side. `None` if either is empty or `b`'s median is 0.
pub fn ratio_of_medians(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ma, mb) = (median(a)?, median(b)?);
    (mb != 0.0).then_some(ma / mb)
}

/// Runs `a` and `b` alternately `rounds` times (A B, then B A, …) and returns each
/// one's durations in nanoseconds. Alternating spreads a drift of the machine's
/// speed over both sides, so their ratio is fairer than two separate runs.
pub fn interleave(
    rounds: usize,
    mut a: impl FnMut() -> std::time::Duration,
    mut b: impl FnMut() -> std::time::Duration,
) -> (Vec<f64>, Vec<f64>) {
    let mut xs = Vec::with_capacity(rounds);
    let mut ys = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // A B, then B A: neither side always runs first (in a warmer cache,
        // right after the other's frees), which alone made an A/A comparison
        // read as a difference in 4 runs of 20 (chapter 0, C003-08).
        if round % 2 == 0 {
            xs.push(a().as_nanos() as f64);
            ys.push(b().as_nanos() as f64);
        } else {
            ys.push(b().as_nanos() as f64);
            xs.push(a().as_nanos() as f64);
        }
    }
    (xs, ys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seed 004 §测试3 reports five runs (72, 21, 58, 21, 18 ms) and calls
    /// their standard deviation "small".
    const SEED_004_RUNS_MS: [f64; 5] = [72.0, 21.0, 58.0, 21.0, 18.0];

    #[test]
    fn seed_004_runs() {
        let s = Summary::of(&SEED_004_RUNS_MS).unwrap();
        assert_eq!(s.mean, 38.0);
        assert_eq!(s.median, 21.0);
        assert_eq!((s.min, s.max), (18.0, 72.0));
        assert!((s.sd - 25.17).abs() < 0.01, "{}", s.sd);
        assert!((s.cv() - 0.662).abs() < 0.001, "{}", s.cv());
        let pop = population_sd(&SEED_004_RUNS_MS).unwrap();
        assert!((pop - 22.51).abs() < 0.01, "{pop}");
    }

    #[test]
    fn median_of_even_and_odd_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn sd_needs_two_values() {
        assert_eq!(sample_sd(&[5.0]), None);
        assert_eq!(sample_sd(&[5.0, 5.0]), Some(0.0));
        assert_eq!(Summary::of(&[5.0]).unwrap().sd, 0.0);
    }

    #[test]
    fn ratio_of_medians_ignores_one_outlier() {
        let a = [10.0, 11.0, 1000.0];
        let b = [5.0, 5.0, 6.0];
        assert_eq!(ratio_of_medians(&a, &b), Some(11.0 / 5.0));
        assert_eq!(ratio_of_medians(&a, &[0.0]), None);
    }

    #[test]
    fn interleave_alternates_which_side_goes_first() {
        use std::cell::RefCell;
        let order = RefCell::new(String::new());
        let (xs, ys) = interleave(
            3,
            || {
                order.borrow_mut().push('a');
                std::time::Duration::from_nanos(2)
            },
            || {
                order.borrow_mut().push('b');
                std::time::Duration::from_nanos(1)
            },
        );
        assert_eq!(order.into_inner(), "abbaab");
        assert_eq!((xs, ys), (vec![2.0; 3], vec![1.0; 3]));
    }
}
