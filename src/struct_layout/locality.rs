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
//! Not a matrix library: the sums exist to be timed (in `figures.rs`), and
//! the cost side of spatial locality, false sharing, is in [`super::false_sharing`].

use super::seed_port::seed_000::OptimizedC;
use crate::measure::rng::SplitMix64;
use std::collections::HashSet;
use std::hint::black_box;

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

/// Elements per block in [`blocked_passes`] as the figures use it:
/// 16 KiB, well inside any L1 data cache.
pub const BLOCK_LEN: usize = (16 << 10) / size_of::<u64>();

/// Data for the two-pass comparison: `bytes / 8` pseudo-random `u64`s.
pub fn pass_data(bytes: usize) -> Vec<u64> {
    let mut rng = SplitMix64::new(0x7E3A_0A11);
    (0..bytes / size_of::<u64>()).map(|_| rng.next_u64()).collect()
}
