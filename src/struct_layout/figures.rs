//! Every measurement of the chapter, taken once per run and size (full or
//! `--quick`) and read by both the example's tables and the claim checks, so
//! the page never shows two numbers for one fact.
//!
//! | figure | what | read by |
//! |---|---|---|
//! | [`levels`] | one dependent load per level (L1d, L2, L3, RAM), and a disk read | C001-01, `--table levels` |
//! | [`curve`] | the same load, working sets 16 KiB and up, random and in order | `--table hierarchy` |
//! | [`locality`] | row vs column, AoS vs SoA, whole vs blocked passes | C001-02, `--table locality` |
//! | [`false_sharing`] | two threads' counters on one line, adjacent lines, padded | C001-02, `--table false-sharing` |
//! | [`vec_bytes`] | bytes a `Vec` of 1,000 of seed 001's structs asks for | C001-25, `--table seed-001` |
//! | [`go_vet`] | what `go vet` says of seed 000's listing order | D11, `--table go-vet` |
//!
//! Layouts (`seed_port`, `representations`) are not here: they are constants
//! of the build, read where they are used.
//!
//! Times are thread CPU time where one thread works alone (a busy machine
//! then costs waiting, not measured time) and wall time where two threads
//! must run together; ratios are of medians of interleaved rounds.

use super::false_sharing::{self, AdjacentLines, Comparison, Padded, SameLine};
use super::go_vet::{self, GoVet};
use super::hierarchy::{CacheSizes, Chain, WorkingSet, working_sets};
use super::locality::{self, Matrix, Order};
use super::seed_port::seed_001;
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc;
use crate::measure::cpu_timed;
use crate::measure::stats::{interleave, median, ratio_of_medians};
use std::hint::black_box;
use std::time::Duration;

/// Medians of a dependent load per level, and of a disk read.
#[derive(Clone, Debug)]
pub struct Levels {
    /// The cache sizes the sets were chosen from.
    pub caches: CacheSizes,
    /// One working set per level: L1d, L2, L3, RAM.
    pub sets: [WorkingSet; 4],
    /// Steps per timed chase.
    pub steps: usize,
    /// Interleaved rounds.
    pub rounds: usize,
    /// Median ns per load, per set.
    pub ns: [f64; 4],
    /// Median ns per 4 KiB `O_DIRECT` read, or why it was not measured.
    pub disk: Result<f64, String>,
    /// Reads timed.
    pub disk_reads: usize,
}

/// C001-01's measurement: the four chases in interleaved rounds (L1 L2 L3
/// RAM, L1 L2 L3 RAM, …, so a slow moment of the machine hits every level),
/// then random 4 KiB reads from a file in the temp directory.
pub fn levels(ctx: &Ctx) -> &'static Levels {
    static CELL: PerRun<Levels> = PerRun::new();
    CELL.get(ctx, || {
        let caches = CacheSizes::detect();
        let sets = working_sets(&caches, ctx.pick(128 << 20, 64 << 20));
        let (steps, rounds) = ctx.pick((200_000, 5), (100_000, 3));
        let chains: Vec<Chain> = (0u64..)
            .zip(&sets)
            .map(|(i, s)| Chain::random_bytes(s.bytes, 0xC001_0001 + i))
            .collect();
        let mut samples = vec![Vec::new(); chains.len()];
        for _ in 0..rounds {
            for (chain, xs) in chains.iter().zip(&mut samples) {
                xs.push(chain.ns_per_step(steps));
            }
        }
        drop(chains);
        let ns = [0, 1, 2, 3].map(|i| median(&samples[i]).unwrap_or(f64::NAN));
        let (file_bytes, disk_reads) = ctx.pick((8 << 20, 15), (1 << 20, 5));
        let disk = disk_latencies(file_bytes, disk_reads)
            .and_then(|xs| median(&xs).ok_or_else(|| "no reads".to_string()));
        Levels { caches, sets, steps, rounds, ns, disk, disk_reads }
    })
}

#[cfg(target_os = "linux")]
fn disk_latencies(file_bytes: usize, reads: usize) -> Result<Vec<f64>, String> {
    super::disk::read_latencies(file_bytes, reads).map_err(|e| e.to_string())
}

#[cfg(not(target_os = "linux"))]
fn disk_latencies(_: usize, _: usize) -> Result<Vec<f64>, String> {
    Err("O_DIRECT reads need Linux".into())
}

/// One working set of the curve.
#[derive(Clone, Debug)]
pub struct CurvePoint {
    /// Working-set bytes.
    pub bytes: usize,
    /// The level it fits in, by the reported cache sizes.
    pub level: &'static str,
    /// Median ns per load along a random single cycle.
    pub random_ns: f64,
    /// Median ns per load along the same lines in address order.
    pub in_order_ns: f64,
}

/// The latency curve: working sets from 16 KiB up, doubling.
#[derive(Clone, Debug)]
pub struct Curve {
    /// Cache sizes, for the "fits" column.
    pub caches: CacheSizes,
    /// Steps per timed chase.
    pub steps: usize,
    /// Rounds per size (median).
    pub rounds: usize,
    /// One point per size.
    pub points: Vec<CurvePoint>,
}

/// The curve, from 16 KiB to 1 GiB (64 MiB with `--quick`).
pub fn curve(ctx: &Ctx) -> &'static Curve {
    static CELL: PerRun<Curve> = PerRun::new();
    CELL.get(ctx, || {
        let caches = CacheSizes::detect();
        let max: usize = ctx.pick(1 << 30, 64 << 20);
        let (steps, rounds) = ctx.pick((1_000_000, 3), (200_000, 3));
        let chase = |chain: &Chain| {
            let xs: Vec<f64> = (0..rounds).map(|_| chain.ns_per_step(steps)).collect();
            median(&xs).unwrap_or(f64::NAN)
        };
        let mut points = Vec::new();
        let mut bytes = 16 << 10;
        while bytes <= max {
            points.push(CurvePoint {
                bytes,
                level: caches.level_of(bytes),
                random_ns: chase(&Chain::random_bytes(bytes, 1)),
                in_order_ns: chase(&Chain::sequential(bytes / 64)),
            });
            bytes *= 2;
        }
        Curve { caches, steps, rounds, points }
    })
}

/// The same work done in a cache-hostile and a cache-friendly way: thread
/// CPU time of each round, interleaved (hostile, friendly, hostile, …).
#[derive(Clone, Debug, Default)]
pub struct HostileFriendly {
    /// Nanoseconds per round, hostile.
    pub hostile: Vec<f64>,
    /// Nanoseconds per round, friendly.
    pub friendly: Vec<f64>,
}

impl HostileFriendly {
    fn time<R>(
        rounds: usize,
        mut hostile: impl FnMut() -> R,
        mut friendly: impl FnMut() -> R,
    ) -> Self {
        let (hostile, friendly) = interleave(
            rounds,
            || cpu_timed(|| black_box(hostile())).1,
            || cpu_timed(|| black_box(friendly())).1,
        );
        Self { hostile, friendly }
    }

    /// `median(hostile) / median(friendly)`.
    pub fn ratio(&self) -> f64 {
        ratio_of_medians(&self.hostile, &self.friendly).unwrap_or(f64::NAN)
    }

    /// Median ns of the hostile way.
    pub fn hostile_ns(&self) -> f64 {
        median(&self.hostile).unwrap_or(f64::NAN)
    }

    /// Median ns of the friendly way.
    pub fn friendly_ns(&self) -> f64 {
        median(&self.friendly).unwrap_or(f64::NAN)
    }
}

/// Spatial and temporal locality, timed.
#[derive(Clone, Debug)]
pub struct Locality {
    /// Interleaved rounds per row.
    pub rounds: usize,
    /// Matrix side.
    pub matrix_n: usize,
    /// Column-major (hostile) vs row-major (friendly) sum.
    pub matrix: HostileFriendly,
    /// The line model: distinct lines per 1,024 loads, row- then column-major.
    pub lines_per_1024: (usize, usize),
    /// Records in the AoS/SoA row.
    pub records: usize,
    /// One field of 64-byte records (hostile) vs its own array (friendly).
    pub aos_soa: HostileFriendly,
    /// Bytes of the two-pass array.
    pub pass_bytes: usize,
    /// Two whole passes (hostile) vs both passes per 16 KiB block (friendly).
    pub passes: HostileFriendly,
}

/// C001-02's measurement. Each pair is checked to compute the same result
/// before it is timed.
pub fn locality(ctx: &Ctx) -> Result<&'static Locality, CheckError> {
    static CELL: PerRun<Result<Locality, CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        let rounds = ctx.pick(7, 3);
        let m = Matrix::new(ctx.pick(2048, 1024));
        let (row, col) = (m.sum_row_major(), m.sum_column_major());
        if row != m.expected_sum() || col != row {
            return Err(format!("matrix sums disagree: {row} vs {col}").into());
        }
        let matrix =
            HostileFriendly::time(rounds, || m.sum_column_major(), || m.sum_row_major());
        let lines_per_1024 = (
            locality::distinct_lines(Order::RowMajor, m.n(), 4, 1024),
            locality::distinct_lines(Order::ColumnMajor, m.n(), 4, 1024),
        );
        let matrix_n = m.n();
        drop(m);

        let records = ctx.pick(1 << 20, 1 << 18);
        let (recs, scores) = locality::records_and_scores(records);
        if locality::sum_scores_aos(&recs) != locality::sum_scores_soa(&scores) {
            return Err("AoS and SoA sums disagree".into());
        }
        let aos_soa = HostileFriendly::time(
            rounds,
            || locality::sum_scores_aos(black_box(&recs)),
            || locality::sum_scores_soa(black_box(&scores)),
        );
        drop((recs, scores));

        let data = locality::pass_data(ctx.pick(64 << 20, 32 << 20));
        let blocked = || locality::blocked_passes(&data, locality::BLOCK_LEN);
        if locality::two_passes(&data) != blocked() {
            return Err("blocked passes disagree with two passes".into());
        }
        let passes =
            HostileFriendly::time(rounds, || locality::two_passes(&data), blocked);
        Ok(Locality {
            rounds,
            matrix_n,
            matrix,
            lines_per_1024,
            records,
            aos_soa,
            pass_bytes: data.len() * size_of::<u64>(),
            passes,
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Two placements of two threads' counters against padded ones.
#[derive(Clone, Debug)]
pub struct FalseSharing {
    /// How long each run lasts.
    pub window: Duration,
    /// Concurrent rounds wanted per comparison.
    pub wanted: usize,
    /// Rounds run at most.
    pub max_rounds: usize,
    /// Counters 8 bytes apart, against `CachePadded`.
    pub same_line: Comparison,
    /// Counters 64 bytes apart, against `CachePadded`.
    pub adjacent: Comparison,
}

/// Fewest concurrent rounds a false-sharing ratio is reported from.
pub const MIN_KEPT: usize = 3;

/// False sharing's measurement: runs short enough that both threads often
/// get the whole window on their own cores, even on a busy machine.
pub fn false_sharing(ctx: &Ctx) -> &'static FalseSharing {
    static CELL: PerRun<FalseSharing> = PerRun::new();
    CELL.get(ctx, || {
        let window = Duration::from_millis(ctx.pick(2, 1));
        let (wanted, max_rounds) = ctx.pick((9, 60), (3, 15));
        FalseSharing {
            window,
            wanted,
            max_rounds,
            same_line: false_sharing::compare::<SameLine, Padded>(
                window, wanted, max_rounds,
            ),
            adjacent: false_sharing::compare::<AdjacentLines, Padded>(
                window, wanted, max_rounds,
            ),
        }
    })
}

/// Bytes `Vec::with_capacity(1000)` asks for, of seed 001's `UnoptimizedC`
/// and `OptimizedC`; an error when this binary does not count allocations.
pub fn vec_bytes(ctx: &Ctx) -> Result<[u64; 2], CheckError> {
    static CELL: PerRun<Result<[u64; 2], CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        if !alloc::is_installed() {
            return Err(CheckError(
                "the counting allocator is not installed in this binary".into(),
            ));
        }
        Ok([
            seed_001::vec_bytes::<seed_001::UnoptimizedC>(),
            seed_001::vec_bytes::<seed_001::OptimizedC>(),
        ])
    })
    .clone()
}

/// D11's measurement: `go vet` on three listings, once per run.
pub fn go_vet(ctx: &Ctx) -> Result<&'static GoVet, CheckError> {
    static CELL: PerRun<Result<GoVet, CheckError>> = PerRun::new();
    // The same listings whatever the size: one run serves both.
    let _ = ctx;
    CELL.get(&Ctx { quick: false }, || go_vet::run().map_err(CheckError::from))
        .as_ref()
        .map_err(Clone::clone)
}
