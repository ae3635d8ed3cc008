//! The chapter's measurements, taken once per run and shared by the example's
//! tables and the claim checks, so both print the same numbers.
//!
//! Each set is measured on first use (sizes from [`Ctx`]: full or `--quick`)
//! and kept for the rest of the process. Timing figures are medians of
//! round-robin repetitions ([`timing::round_robin`]); allocation figures are
//! exact differences of two runs of different lengths (setup cancels out).

use super::{elision, first_touch, loopback, timing, tiny_pool};
use crate::claims::{CheckError, Ctx};
use crate::measure::alloc;
use std::sync::OnceLock;

/// Allocator calls per iteration of `body`, exactly: the calls of a run of
/// 2000 iterations minus those of a run of 1000, divided by 1000. `None`
/// when the counting allocator is not installed in this binary.
pub fn allocs_per_op(body: fn(u64)) -> Option<f64> {
    if !alloc::is_installed() {
        return None;
    }
    let (_, short) = alloc::measure(|| body(1000));
    let (_, long) = alloc::measure(|| body(2000));
    Some((long.calls() as f64 - short.calls() as f64) / 1000.0)
}

fn cached<T>(
    cells: &'static [OnceLock<T>; 2],
    ctx: &Ctx,
    f: impl FnOnce() -> T,
) -> &'static T {
    cells[ctx.quick as usize].get_or_init(f)
}

/// One row of the elision table.
#[derive(Clone, Debug)]
pub struct ElisionRow {
    /// The workload.
    pub pair: elision::ElisionPair,
    /// Median ns/op, result unused.
    pub unused_ns: f64,
    /// Median ns/op, result through `black_box`.
    pub kept_ns: f64,
    /// Allocator calls per op, unused (when counted).
    pub unused_allocs: Option<f64>,
    /// Allocator calls per op, kept (when counted).
    pub kept_allocs: Option<f64>,
}

impl ElisionRow {
    /// `kept / unused`: how much work the unused version does not do.
    pub fn ratio(&self) -> f64 {
        self.kept_ns / self.unused_ns
    }

    /// The body of the unused loop was deleted: it makes no allocator call
    /// (when counted), or it runs at least 3× faster than the kept loop.
    pub fn deleted(&self) -> bool {
        self.unused_allocs == Some(0.0) || self.ratio() >= 3.0
    }
}

/// Rounds and iterations per round for timing loops: many short rounds, so
/// that a neighbour's burst of work spoils a few rounds, not the median.
pub fn loop_sizes(ctx: &Ctx) -> (usize, u64) {
    ctx.pick((31, 50_000), (11, 10_000))
}

/// The elision table: every pair of [`elision::PAIRS`] and the empty loop.
pub fn elision_rows(ctx: &Ctx) -> &'static [ElisionRow] {
    static CELLS: [OnceLock<Vec<ElisionRow>>; 2] = [OnceLock::new(), OnceLock::new()];
    let rows: &'static Vec<ElisionRow> = cached(&CELLS, ctx, || {
        let (rounds, iters) = loop_sizes(ctx);
        let bodies: Vec<fn(u64)> =
            elision::PAIRS.iter().flat_map(|p| [p.unused, p.kept]).collect();
        let ns = timing::round_robin(rounds, iters, &bodies);
        elision::PAIRS
            .iter()
            .enumerate()
            .map(|(i, &pair)| ElisionRow {
                pair,
                unused_ns: ns[2 * i],
                kept_ns: ns[2 * i + 1],
                unused_allocs: allocs_per_op(pair.unused),
                kept_allocs: allocs_per_op(pair.kept),
            })
            .collect()
    });
    rows
}

/// One loop of the pool table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoopFigure {
    /// What the loop does per iteration.
    pub name: &'static str,
    /// Median ns/op.
    pub ns: f64,
    /// Allocator calls per op (when counted).
    pub allocs: Option<f64>,
}

/// The pool table: the machine's cycle time and the loops a pool figure
/// should be read against.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolFigures {
    /// Nanoseconds per clock cycle, measured (None on other architectures).
    pub cycle_ns: Option<f64>,
    /// Empty loop, tiny pool, tiny pool unused, seed-000 pool body, boxing
    /// pool, malloc+free, seed-000 direct body kept and unused.
    pub loops: Vec<LoopFigure>,
}

/// A loop and its name in tables.
pub type NamedLoop = (&'static str, fn(u64));

/// Names of [`PoolFigures::loops`], in order.
pub const POOL_LOOPS: [NamedLoop; 8] = [
    ("empty loop (black_box(()) only)", elision::empty_loop),
    ("tiny pool get+put", tiny_pool::tiny_pool_get_put),
    ("tiny pool get+put, nothing observed", tiny_pool::tiny_pool_get_put_unused),
    ("tiny pool get+append 9 B+put", tiny_pool::tiny_pool_append_put),
    ("boxing pool get+put", tiny_pool::boxing_pool_get_put),
    ("malloc+free 1024 B", tiny_pool::malloc_free_1024),
    ("direct with_capacity(1024)+9 B, kept", elision::append_1024_kept),
    ("direct with_capacity(1024)+9 B, unused", elision::append_1024_unused),
];

impl PoolFigures {
    /// The figure of the loop called `name` (one of [`POOL_LOOPS`]).
    pub fn get(&self, name: &str) -> LoopFigure {
        *self.loops.iter().find(|l| l.name == name).expect("a name from POOL_LOOPS")
    }

    /// `ns` in cycles at the measured clock (None without a cycle time).
    pub fn cycles(&self, ns: f64) -> Option<f64> {
        self.cycle_ns.map(|c| ns / c)
    }
}

/// Measures the pool table.
pub fn pool_figures(ctx: &Ctx) -> &'static PoolFigures {
    static CELLS: [OnceLock<PoolFigures>; 2] = [OnceLock::new(), OnceLock::new()];
    cached(&CELLS, ctx, || {
        let (rounds, iters) = loop_sizes(ctx);
        let cycle_ns = timing::cycle_time_ns(rounds, ctx.pick(1_000_000, 100_000));
        let bodies: Vec<fn(u64)> = POOL_LOOPS.iter().map(|(_, f)| *f).collect();
        let ns = timing::round_robin(rounds, iters, &bodies);
        let loops = POOL_LOOPS
            .iter()
            .zip(ns)
            .map(|(&(name, f), ns)| LoopFigure { name, ns, allocs: allocs_per_op(f) })
            .collect();
        PoolFigures { cycle_ns, loops }
    })
}

/// Sizes (MiB) of the first-touch table.
pub fn touch_sizes(ctx: &Ctx) -> &'static [u64] {
    ctx.pick(&[1, 10, 50, 100], &[1, 10, 50])
}

/// The first-touch table (Linux only: page faults come from `getrusage`).
pub fn touch_rows(ctx: &Ctx) -> Result<&'static [first_touch::TouchRow], CheckError> {
    static CELLS: [OnceLock<Result<Vec<first_touch::TouchRow>, String>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    if !cfg!(target_os = "linux") {
        return Err(CheckError::requires_linux("counting page faults"));
    }
    cached(&CELLS, ctx, || {
        first_touch::measure_sizes(touch_sizes(ctx)).map_err(|e| e.to_string())
    })
    .as_deref()
    .map_err(|e| CheckError(e.clone()))
}

/// The loopback transfer split (Linux only: per-thread CPU time).
pub fn transfer(ctx: &Ctx) -> Result<&'static loopback::TransferCpu, CheckError> {
    static CELLS: [OnceLock<Result<loopback::TransferCpu, String>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    if !cfg!(target_os = "linux") {
        return Err(CheckError::requires_linux("per-thread CPU time"));
    }
    cached(&CELLS, ctx, || {
        loopback::measure_transfers(1 << 20, ctx.pick(48, 12)).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| CheckError(e.clone()))
}
