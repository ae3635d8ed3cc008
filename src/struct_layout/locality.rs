//! Locality (seed 001 §6.1.1.2.1, L13-16): spatial — data next to what was
//! just used is likely used next, so a cache fetches 64-byte lines; temporal
//! — data just used is likely used again, so a cache keeps it. Measured as
//! what a program gains by following each rule, and, for spatial locality,
//! what it costs when two threads write neighbouring data (false sharing).
//!
//! - spatial: summing a matrix row by row (every byte of each fetched line
//!   used) against column by column (4 of its 64 bytes used);
//! - spatial, in a struct: one field of an array of 64-byte records (AoS)
//!   against the same values in their own array (SoA);
//! - temporal: two passes over a large array, one after the other, against
//!   both passes over each 16 KiB block while it is still in L1.
//!
//! Not a matrix library: the sums exist to be timed.

use super::false_sharing::{self, Padded, SameLine};
use super::seed_000::OptimizedC;
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::cpu_timed;
use crate::measure::stats::{interleave, ratio_of_medians};
use crate::table::format_value;
use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

/// Bytes per cache line on every CPU this workbook targets.
pub const LINE: usize = 64;

/// An `n × n` matrix of `u32`, stored row after row.
pub struct Matrix {
    n: usize,
    cells: Vec<u32>,
}

impl Matrix {
    /// Cell `(r, c)` holds `r * n + c` (wrapping), so every sum is known.
    pub fn new(n: usize) -> Self {
        Self { n, cells: (0..n * n).map(|i| i as u32).collect() }
    }

    /// Side length.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The cells, row after row.
    pub fn cells(&self) -> &[u32] {
        &self.cells
    }

    /// Size in bytes.
    pub fn bytes(&self) -> usize {
        self.cells.len() * size_of::<u32>()
    }

    /// Sums row by row (see [`sum_row_major`]).
    pub fn sum_row_major(&self) -> u64 {
        sum_row_major(&self.cells, self.n)
    }

    /// Sums column by column (see [`sum_column_major`]).
    pub fn sum_column_major(&self) -> u64 {
        sum_column_major(&self.cells, self.n)
    }

    /// The sum both orders must return: `0 + 1 + … + (n² − 1)`, each term
    /// taken as a `u32` (exact while `n² ≤ 2³²`).
    pub fn expected_sum(&self) -> u64 {
        let k = (self.n * self.n) as u64;
        k * (k - 1) / 2
    }
}

// ANCHOR: row_column
/// Sums an `n × n` matrix stored row after row, row by row: consecutive
/// addresses, every byte of each fetched line used.
pub fn sum_row_major(cells: &[u32], n: usize) -> u64 {
    let mut sum = 0u64;
    for r in 0..n {
        for c in 0..n {
            sum += cells[r * n + c] as u64;
        }
    }
    sum
}

/// The same sum, column by column: each step jumps a whole row ahead, so
/// each fetched line gives one `u32` before the loop moves on.
pub fn sum_column_major(cells: &[u32], n: usize) -> u64 {
    let mut sum = 0u64;
    for c in 0..n {
        for r in 0..n {
            sum += cells[r * n + c] as u64;
        }
    }
    sum
}
// ANCHOR_END: row_column

/// Traversal order of a [`Matrix`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Row after row.
    RowMajor,
    /// Column after column.
    ColumnMajor,
}

// ANCHOR: distinct_lines
/// A model, no timing: how many distinct 64-byte lines the first `accesses`
/// loads of an `n × n` matrix of `elem`-byte cells touch in `order`
/// (the matrix starting on a line boundary). Fewer lines, fewer fetches.
pub fn distinct_lines(order: Order, n: usize, elem: usize, accesses: usize) -> usize {
    let index = |k: usize| match order {
        Order::RowMajor => k,
        Order::ColumnMajor => (k % n) * n + k / n,
    };
    let lines: HashSet<usize> = (0..accesses).map(|k| index(k) * elem / LINE).collect();
    lines.len()
}
// ANCHOR_END: distinct_lines

// ANCHOR: aos_soa
/// Sums the `score` field of 64-byte records: one 8-byte value per line.
pub fn sum_scores_aos(records: &[OptimizedC]) -> f64 {
    records.iter().map(|r| r.score).sum()
}

/// Sums the same values kept in their own array: eight per line.
pub fn sum_scores_soa(scores: &[f64]) -> f64 {
    scores.iter().sum()
}
// ANCHOR_END: aos_soa

/// `n` records whose `score` is `0, 1, 2, …` (so sums are exact), and the
/// same scores as their own array.
pub fn records_and_scores(n: usize) -> (Vec<OptimizedC>, Vec<f64>) {
    let records: Vec<OptimizedC> = (0..n)
        .map(|i| OptimizedC {
            id: i as i64,
            active: true,
            name: [0; 32],
            score: i as f64,
            created: 0,
        })
        .collect();
    let scores = records.iter().map(|r| r.score).collect();
    (records, scores)
}

// ANCHOR: passes
/// Two passes over `data`, each over the whole array: by the time the
/// second pass starts, the first has pushed the start of `data` out of cache.
pub fn two_passes(data: &[u64]) -> (u64, u64) {
    let sum = black_box(data).iter().fold(0u64, |s, &x| s.wrapping_add(x));
    let mix = black_box(data).iter().fold(0u64, |m, &x| m ^ x.rotate_left(7));
    (sum, mix)
}

/// The same two passes, block by block: the second pass over a block reads
/// it from L1, where the first pass just left it.
pub fn blocked_passes(data: &[u64], block_len: usize) -> (u64, u64) {
    let (mut sum, mut mix) = (0u64, 0u64);
    for block in data.chunks(block_len) {
        sum = black_box(block).iter().fold(sum, |s, &x| s.wrapping_add(x));
        mix = black_box(block).iter().fold(mix, |m, &x| m ^ x.rotate_left(7));
    }
    (sum, mix)
}
// ANCHOR_END: passes

/// Elements per block in [`blocked_passes`] as the check and example use it:
/// 16 KiB, well inside any L1 data cache.
pub const BLOCK_LEN: usize = (16 << 10) / size_of::<u64>();

/// Data for the two-pass comparison: `bytes / 8` pseudo-random `u64`s.
pub fn pass_data(bytes: usize) -> Vec<u64> {
    let mut rng = super::hierarchy::SplitMix64::new(0x7E3A_0A11);
    (0..bytes / size_of::<u64>()).map(|_| rng.next_u64()).collect()
}

/// `median(a) / median(b)` of the CPU times of `rounds` interleaved runs.
fn interleaved_ratio<R>(
    rounds: usize,
    mut a: impl FnMut() -> R,
    mut b: impl FnMut() -> R,
) -> f64 {
    let (ta, tb) = interleave(
        rounds,
        || cpu_timed(|| black_box(a())).1,
        || cpu_timed(|| black_box(b())).1,
    );
    ratio_of_medians(&ta, &tb).unwrap_or(f64::NAN)
}

/// A locality effect counts when it makes the code at least this much faster.
pub const MIN_SPEEDUP_SPATIAL: f64 = 2.0;
/// See [`MIN_SPEEDUP_SPATIAL`]; temporal reuse saves one memory pass of two.
pub const MIN_SPEEDUP_TEMPORAL: f64 = 1.1;

/// C001-02: temporal and spatial locality.
pub fn check_c001_02(ctx: &Ctx) -> Result<Finding, CheckError> {
    let rounds = ctx.pick(5, 3);
    let m = Matrix::new(ctx.pick(2048, 1024));
    let data = pass_data(ctx.pick(64 << 20, 32 << 20));
    // Correctness before timing: both orders, both pass shapes agree.
    let (row, col) = (m.sum_row_major(), m.sum_column_major());
    if row != m.expected_sum() || col != row {
        return Err(format!("matrix sums disagree: {row} vs {col}").into());
    }
    if two_passes(&data) != blocked_passes(&data, BLOCK_LEN) {
        return Err("blocked passes disagree with two passes".into());
    }

    let mut ev = Evidence::new(format!(
        "{rounds} interleaved rounds, ratios of median thread CPU times; {n}×{n} u32 \
         matrix ({}); two passes (sum, xor) over {} of u64 vs the same per 16 KiB \
         block; false sharing: 2 pinned threads, Relaxed fetch_add for {} ms per run, rounds kept only when both \
         threads ran together (≥ {:.0}%)",
        format_value(m.bytes() as f64, Unit::Bytes),
        format_value((data.len() * 8) as f64, Unit::Bytes),
        false_sharing_window(ctx).as_millis(),
        false_sharing::MIN_CONCURRENCY * 100.0,
        n = m.n(),
    ));
    let lines_row = distinct_lines(Order::RowMajor, m.n(), 4, 1024);
    let lines_col = distinct_lines(Order::ColumnMajor, m.n(), 4, 1024);
    ev.add("lines per 1,024 loads, row-major (model)", lines_row as f64, Unit::Count);
    ev.add("lines per 1,024 loads, column-major (model)", lines_col as f64, Unit::Count);
    let spatial = ev.add(
        "column-major / row-major time",
        interleaved_ratio(rounds, || m.sum_column_major(), || m.sum_row_major()),
        Unit::Ratio,
    );
    let temporal = ev.add(
        "two passes / blocked passes time",
        interleaved_ratio(
            rounds,
            || two_passes(&data),
            || blocked_passes(&data, BLOCK_LEN),
        ),
        Unit::Ratio,
    );
    drop(data);

    let fs = false_sharing::compare::<SameLine, Padded>(
        false_sharing_window(ctx),
        ctx.pick(5, 3),
        ctx.pick(24, 8),
    );
    ev.add("false sharing: rounds kept", fs.a.len() as f64, Unit::Count);
    ev.add("false sharing: rounds run", fs.rounds as f64, Unit::Count);
    let fs_note = match fs.ratio(3) {
        Some(r) => {
            ev.add("same line / CachePadded time", r, Unit::Ratio);
            format!(
                "; the cost: two threads writing neighbours on one line ran {} slower \
                 than CachePadded ({} of {} rounds concurrent)",
                format_value(r, Unit::Ratio),
                fs.a.len(),
                fs.rounds
            )
        }
        None => format!(
            "; false sharing not measured: the two threads ran together in only {} of \
             {} rounds (machine busy)",
            fs.a.len(),
            fs.rounds
        ),
    };

    let (spatial_pays, temporal_pays) =
        (spatial >= MIN_SPEEDUP_SPATIAL, temporal >= MIN_SPEEDUP_TEMPORAL);
    let verdict = match (spatial_pays, temporal_pays) {
        (true, true) => Verdict::Confirmed,
        (false, false) => Verdict::Refuted,
        (true, false) => Verdict::unruled_holds_only_when(format!(
            "the locality is spatial; reusing a 16 KiB block while cached gained only {}",
            format_value(temporal, Unit::Ratio)
        )),
        (false, true) => Verdict::unruled_holds_only_when(format!(
            "the locality is temporal; row- vs column-major order differed only {}",
            format_value(spatial, Unit::Ratio)
        )),
    };
    let summary = format!(
        "row-major sum {} faster than column-major ({lines_row} vs {lines_col} lines \
         per 1,024 loads); blocked passes {} faster than two full passes{fs_note}",
        format_value(spatial, Unit::Ratio),
        format_value(temporal, Unit::Ratio),
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// How long each false-sharing run lasts: short enough that both threads
/// often get the whole window on their own cores, even on a busy machine.
fn false_sharing_window(ctx: &Ctx) -> Duration {
    Duration::from_millis(ctx.pick(2, 1))
}
