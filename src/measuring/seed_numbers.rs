//! The seeds' own figures, as constants with their citations, and the
//! arithmetic that checks them: improvement percentages, speedup ratios,
//! the statistics of seed 004's five runs, and whether its tables agree with
//! its code.
//!
//! Checking a seed's arithmetic is measuring the seed's evidence, not ours:
//! every figure below is typed exactly as the seed prints it, and every
//! conclusion is computed. Line numbers refer to `cat -n` of the seed files
//! in `shared/seeds/`.
//!
//! Not here: anything measured on this machine (see the other modules).

use super::seed_port::seed_004_takes_mmap_path;
use crate::measure::stats::{self, Summary};

/// A "before → after" pair a seed reports, with the improvement it states.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Improvement {
    /// What improved.
    pub what: &'static str,
    /// Where the seed says it.
    pub cite: &'static str,
    /// The figure before.
    pub before: f64,
    /// The figure after (for a target "<200", the bound 200).
    pub after: f64,
    /// The improvement the seed prints, in percent.
    pub stated_percent: f64,
}

impl Improvement {
    /// `(before − after) / before`, as a fraction.
    pub fn computed(&self) -> f64 {
        (self.before - self.after) / self.before
    }

    /// True when the stated percentage is the computed one, rounded to the
    /// nearest (or truncated to the) whole percent, as a report would print it.
    pub fn arithmetic_holds(&self) -> bool {
        let pct = self.computed() * 100.0;
        (pct.round() - self.stated_percent).abs() < 1e-9
            || (pct.floor() - self.stated_percent).abs() < 1e-9
    }
}

/// Seed 003 概述 "优化目标" table, L64-69.
pub const SEED_003_TARGETS: [Improvement; 4] = [
    Improvement {
        what: "bytes per op",
        cite: "seed 003 L66",
        before: 1000.0,
        after: 200.0,
        stated_percent: 80.0,
    },
    Improvement {
        what: "allocations per op",
        cite: "seed 003 L67",
        before: 50.0,
        after: 10.0,
        stated_percent: 80.0,
    },
    Improvement {
        what: "GC pause, ms",
        cite: "seed 003 L68",
        before: 10.0,
        after: 1.0,
        stated_percent: 90.0,
    },
    Improvement {
        what: "peak memory, MB",
        cite: "seed 003 L69",
        before: 500.0,
        after: 100.0,
        stated_percent: 80.0,
    },
];

/// Seed 003 "pkg/http3" table, L483-487.
pub const SEED_003_HTTP3: [Improvement; 3] = [
    Improvement {
        what: "HandleHealth, ns/op",
        cite: "seed 003 L485",
        before: 2000.0,
        after: 1100.0,
        stated_percent: 45.0,
    },
    Improvement {
        what: "HandleData, ns/op",
        cite: "seed 003 L486",
        before: 15000.0,
        after: 150.0,
        stated_percent: 99.0,
    },
    Improvement {
        what: "allocations",
        cite: "seed 003 L487",
        before: 1000.0,
        after: 400.0,
        stated_percent: 60.0,
    },
];

/// Seed 003 策略6 L357 and table L478: "BytePool.Get 0.40 ns/op, 0 B/op,
/// 0 allocs/op".
pub const SEED_003_BYTEPOOL_NS: f64 = 0.40;

/// A clock no shipping CPU sustains on one core (GHz); used to turn a
/// nanosecond figure into the most cycles it could possibly be.
pub const FASTEST_PLAUSIBLE_GHZ: f64 = 6.0;

// ANCHOR: seed_004_runs
/// Seed 004 测试2, L150-154: five runs of `part8_performance.js`, ms.
pub const SEED_004_RUNS_MS: [f64; 5] = [72.0, 21.0, 58.0, 21.0, 18.0];
/// Seed 004 L155: the mean it prints ("平均: ~38ms").
pub const SEED_004_STATED_MEAN_MS: f64 = 38.0;
/// Seed 004 L161: Node.js v25.0.0, one figure, ms.
pub const SEED_004_NODE_MS: f64 = 50.0;
// ANCHOR_END: seed_004_runs
/// Seed 004 L162: Go before any optimisation, ms.
pub const SEED_004_GO_BEFORE_MS: f64 = 2377.0;
/// Seed 004 L163: Go after pooling, min–max ms.
pub const SEED_004_POOLED_MS: (f64, f64) = (63.0, 173.0);
/// Seed 004 L164: Go after mmap, min–max ms.
pub const SEED_004_MMAP_MS: (f64, f64) = (18.0, 72.0);
/// Seed 004 L162-164, L167: the ratios it prints: 47× slower than Node,
/// 13–37× after pooling, 33–132× after mmap.
pub const SEED_004_STATED_RATIOS: [(&str, f64, f64); 4] = [
    ("Go before / Node", SEED_004_GO_BEFORE_MS / SEED_004_NODE_MS, 47.0),
    ("before / pooled max", SEED_004_GO_BEFORE_MS / SEED_004_POOLED_MS.1, 13.0),
    ("before / pooled min", SEED_004_GO_BEFORE_MS / SEED_004_POOLED_MS.0, 37.0),
    ("before / mmap max", SEED_004_GO_BEFORE_MS / SEED_004_MMAP_MS.1, 33.0),
];
/// Seed 004 L164 (and L245): "提升 … 132 倍" for the best mmap run.
pub const SEED_004_BEST_RATIO_STATED: f64 = 132.0;
/// Seed 004 优化历程 L243-245: the 1 GB buffer took 1595 ms in stage 1
/// (pooling), while the whole part8 run took 63–173 ms.
pub const SEED_004_STAGE1_BUFFER_MS: f64 = 1595.0;

/// One row of seed 004 测试1 (L134-142): buffer size in MiB (the seed's
/// "MB": its code writes sizes as `n*1024*1024`), ms before, ms after.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AllocRow {
    /// Buffer size, MiB.
    pub mib: u64,
    /// "优化前", ms.
    pub before_ms: u64,
    /// "优化后", ms.
    pub after_ms: u64,
}

/// Seed 004 测试1, L134-142.
pub const SEED_004_ALLOC_TABLE: [AllocRow; 7] = [
    AllocRow { mib: 1, before_ms: 3, after_ms: 1 },
    AllocRow { mib: 10, before_ms: 3, after_ms: 0 },
    AllocRow { mib: 50, before_ms: 27, after_ms: 0 },
    AllocRow { mib: 100, before_ms: 184, after_ms: 0 },
    AllocRow { mib: 200, before_ms: 395, after_ms: 0 },
    AllocRow { mib: 500, before_ms: 571, after_ms: 0 },
    AllocRow { mib: 1024, before_ms: 1595, after_ms: 0 },
];

// ANCHOR: credited_rows
/// Rows of 测试1 credited with a speedup (after < before) although, by the
/// seed's own code, they never reach `allocLargeBuffer`.
pub fn rows_credited_without_mmap() -> Vec<AllocRow> {
    SEED_004_ALLOC_TABLE
        .into_iter()
        .filter(|r| r.after_ms < r.before_ms && !seed_004_takes_mmap_path(r.mib << 20))
        .collect()
}
// ANCHOR_END: credited_rows

/// Two-sided 95% quantiles of Student's t distribution for 1 … 30 degrees of
/// freedom (standard tables).
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
    2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
    2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

// ANCHOR: stats
/// 95% confidence interval of the mean of a small sample (Student's t; the
/// normal 1.96 beyond 30 degrees of freedom). `None` for fewer than 2 values.
pub fn mean_ci95(values: &[f64]) -> Option<(f64, f64)> {
    let s = Summary::of(values)?;
    if s.n < 2 {
        return None;
    }
    let t = T_975.get(s.n - 2).copied().unwrap_or(1.96);
    let half = t * s.sd / (s.n as f64).sqrt();
    Some((s.mean - half, s.mean + half))
}

/// If `n` runs in a row showed no spike, the largest per-run spike
/// probability still compatible with that at 95% confidence:
/// `1 − 0.05^(1/n)` (no spike in `n` runs has probability `(1 − p)^n`).
pub fn spike_probability_bound(n: usize) -> f64 {
    1.0 - 0.05f64.powf(1.0 / n as f64)
}
// ANCHOR_END: stats

/// The summary of seed 004's five runs.
pub fn seed_004_summary() -> Summary {
    Summary::of(&SEED_004_RUNS_MS).expect("five finite runs")
}

/// Coefficient of variation under which we would call a spread "small":
/// 10% of the mean.
pub const SMALL_CV: f64 = 0.10;

/// Population standard deviation of seed 004's runs (the other reading of
/// "standard deviation"; still not small).
pub fn seed_004_population_sd() -> f64 {
    stats::population_sd(&SEED_004_RUNS_MS).expect("non-empty")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improvement_percentages() {
        assert!(SEED_003_TARGETS.iter().all(Improvement::arithmetic_holds));
        assert!(SEED_003_HTTP3.iter().all(Improvement::arithmetic_holds));
        let wrong = Improvement { stated_percent: 70.0, ..SEED_003_TARGETS[0] };
        assert!(!wrong.arithmetic_holds());
    }

    #[test]
    fn ci_and_spikes_for_seed_004() {
        let (lo, hi) = mean_ci95(&SEED_004_RUNS_MS).unwrap();
        assert!((lo - 6.75).abs() < 0.05 && (hi - 69.25).abs() < 0.05, "{lo} {hi}");
        assert!((spike_probability_bound(5) - 0.4507).abs() < 1e-3);
        assert_eq!(mean_ci95(&[1.0]), None);
    }

    #[test]
    fn two_rows_are_credited_without_mmap() {
        let rows = rows_credited_without_mmap();
        assert_eq!(rows.iter().map(|r| r.mib).collect::<Vec<_>>(), [1, 10]);
    }
}
