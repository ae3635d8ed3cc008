//! The chapter's measurements, taken once per run and shared by the example's
//! tables and the claim checks, so both print the same numbers.
//!
//! Each set is measured on first use (sizes from [`Ctx`]: full or `--quick`)
//! and kept for the rest of the process in a [`PerRun`]. Timing figures are
//! medians of round-robin repetitions ([`timing::round_robin`]); allocation
//! figures are exact counts under the counting allocator.

use super::comparing::Comparison;
use super::counters::{self, ReadMethod, TempFile, TouchCounts};
use super::counting::{self, ChecklistItem, PerOp};
use super::first_touch::{self, TouchRow};
use super::profile::{self, Profile};
use super::seed_numbers::FASTEST_PLAUSIBLE_GHZ;
use super::{counting_cost, elision, loopback, timing, tiny_pool};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc;
use crate::measure::os::ThreadCounters;
use crate::measure::stats::{self, Summary};
use std::time::Duration;

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

fn need_counting_allocator() -> Result<(), CheckError> {
    if alloc::is_installed() {
        Ok(())
    } else {
        Err(CheckError(
            "this figure counts allocations: the binary must install \
             perf_workbook::count_allocations!()"
                .into(),
        ))
    }
}

/// Rounds and iterations per round for timing loops: many short rounds, so
/// that a neighbour's burst of work spoils a few rounds, not the median.
pub fn loop_sizes(ctx: &Ctx) -> (usize, u64) {
    ctx.pick((31, 50_000), (11, 10_000))
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
}

/// Measures one pair: both loops round-robin, and their allocator calls. For
/// loops compiled outside the library (the example's own), measured each
/// time it is called.
pub fn elision_row(ctx: &Ctx, pair: elision::ElisionPair) -> ElisionRow {
    let (rounds, iters) = loop_sizes(ctx);
    let ns = timing::round_robin(rounds, iters, &[pair.unused, pair.kept]);
    ElisionRow {
        pair,
        unused_ns: ns[0],
        kept_ns: ns[1],
        unused_allocs: allocs_per_op(pair.unused),
        kept_allocs: allocs_per_op(pair.kept),
    }
}

/// The elision table: every pair of [`elision::PAIRS`], timed round-robin
/// together.
pub fn elision_rows(ctx: &Ctx) -> &'static [ElisionRow] {
    static ROWS: PerRun<Vec<ElisionRow>> = PerRun::new();
    ROWS.get(ctx, || {
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
    })
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
    /// One figure per loop of [`POOL_LOOPS`], in order.
    pub loops: Vec<LoopFigure>,
}

/// A loop and its name in tables.
pub type NamedLoop = (&'static str, fn(u64));

/// The loops of the pool table.
pub const POOL_LOOPS: [NamedLoop; 8] = [
    ("empty loop (black_box(()) only)", elision::empty_loop),
    ("tiny pool get+put", tiny_pool::tiny_pool_get_put),
    ("tiny pool get+put, nothing observed", tiny_pool::tiny_pool_get_put_unused),
    ("tiny pool get+append 9 B+put", super::seed_port::object_pool_append_put),
    ("boxing pool get+put", super::seed_port::memory_pool_get_put),
    ("malloc+free 1024 B", tiny_pool::malloc_free_1024),
    ("direct with_capacity(1024)+9 B, kept", elision::append_1024_kept),
    ("direct with_capacity(1024)+9 B, unused", super::seed_port::append_1024_unused),
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

    /// `ns` in cycles at the measured clock, or at
    /// [`FASTEST_PLAUSIBLE_GHZ`] where the clock is not measured.
    pub fn cycles_or_most(&self, ns: f64) -> f64 {
        self.cycles(ns).unwrap_or(ns * FASTEST_PLAUSIBLE_GHZ)
    }
}

/// Measures the pool table.
pub fn pool_figures(ctx: &Ctx) -> &'static PoolFigures {
    static POOLS: PerRun<PoolFigures> = PerRun::new();
    POOLS.get(ctx, || {
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

/// What the counting allocator adds to a 64-byte alloc + write + free.
#[derive(Clone, Debug, PartialEq)]
pub struct CountingCost {
    /// Rounds, each running both loops (round-robin).
    pub rounds: usize,
    /// Blocks per loop and round.
    pub iters: u64,
    /// glibc called directly: median ns per alloc + free.
    pub glibc_ns: f64,
    /// `CountingAlloc<System>` called directly: median ns per alloc + free.
    pub counting_ns: f64,
    /// Counting minus glibc in the same round, one per round.
    pub added_ns: Vec<f64>,
}

impl CountingCost {
    /// Median of [`CountingCost::added_ns`].
    pub fn added(&self) -> f64 {
        stats::median(&self.added_ns).unwrap_or(f64::NAN)
    }
}

/// The counting allocator's cost: 201 rounds of 20,000 blocks (41 of 10,000
/// under `--quick`): short rounds, so that a neighbour's burst spoils few,
/// and many, so that the median of the per-round differences is firm.
pub fn counting_cost(ctx: &Ctx) -> &'static CountingCost {
    static COST: PerRun<CountingCost> = PerRun::new();
    COST.get(ctx, || {
        let (rounds, iters) = ctx.pick((201, 20_000), (41, 10_000));
        let bodies: [fn(u64); 2] =
            [counting_cost::glibc_loop, counting_cost::counting_loop];
        let s = timing::round_robin_samples(rounds, iters, &bodies);
        let added_ns = s[1].iter().zip(&s[0]).map(|(c, g)| c - g).collect();
        CountingCost {
            rounds,
            iters,
            glibc_ns: stats::median(&s[0]).unwrap_or(f64::NAN),
            counting_ns: stats::median(&s[1]).unwrap_or(f64::NAN),
            added_ns,
        }
    })
}

fn shared<T>(r: &'static Result<T, CheckError>) -> Result<&'static T, CheckError> {
    r.as_ref().map_err(Clone::clone)
}

/// Sizes (MiB) of the first-touch table.
pub fn touch_sizes(ctx: &Ctx) -> &'static [u64] {
    ctx.pick(&[1, 10, 50, 100], &[1, 10, 50])
}

/// The first-touch table (Linux only: page faults come from `getrusage`).
pub fn touch_rows(ctx: &Ctx) -> Result<&'static [TouchRow], CheckError> {
    static ROWS: PerRun<Result<Vec<TouchRow>, CheckError>> = PerRun::new();
    if !cfg!(target_os = "linux") {
        return Err(CheckError::requires_linux("counting page faults"));
    }
    let rows =
        shared(ROWS.get(ctx, || Ok(first_touch::measure_sizes(touch_sizes(ctx))?)))?;
    Ok(rows.as_slice())
}

/// `vec![0u8; n]`, allocation only: medians for 1 GiB and 100 MiB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AllocOnly {
    /// Allocations timed per size.
    pub rounds: usize,
    /// 1 GiB.
    pub gib: Duration,
    /// 100 MiB.
    pub mib100: Duration,
}

/// Measures [`AllocOnly`].
pub fn alloc_only(ctx: &Ctx) -> &'static AllocOnly {
    static ALLOC: PerRun<AllocOnly> = PerRun::new();
    ALLOC.get(ctx, || {
        let rounds = ctx.pick(5, 3);
        AllocOnly {
            rounds,
            gib: first_touch::vec_alloc_only(1 << 30, rounds),
            mib100: first_touch::vec_alloc_only(100 << 20, rounds),
        }
    })
}

/// The loopback transfer split (Linux only: per-thread CPU time).
pub fn transfer(ctx: &Ctx) -> Result<&'static loopback::TransferCpu, CheckError> {
    static TRANSFER: PerRun<Result<loopback::TransferCpu, CheckError>> = PerRun::new();
    if !cfg!(target_os = "linux") {
        return Err(CheckError::requires_linux("per-thread CPU time"));
    }
    shared(
        TRANSFER.get(ctx, || Ok(loopback::measure_transfers(1 << 20, ctx.pick(48, 12))?)),
    )
}

/// Renders counted per run of the allocation workload.
pub const RENDER_OPS: u64 = 800;

/// `-benchmem` in Rust: the naive renderer counted on two runs, and the
/// renderer that reuses its buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderCounts {
    /// [`counting::render_naive`], first run.
    pub naive: PerOp,
    /// The same, second run.
    pub again: PerOp,
    /// [`counting::render_into`] with a reused buffer.
    pub reused: PerOp,
    /// Wall time of the three counted runs together.
    pub took: Duration,
}

/// Measures [`RenderCounts`] (needs the counting allocator).
pub fn render_counts(ctx: &Ctx) -> Result<&'static RenderCounts, CheckError> {
    static COUNTS: PerRun<Result<RenderCounts, CheckError>> = PerRun::new();
    shared(COUNTS.get(ctx, || {
        need_counting_allocator()?;
        let records = counting::sample_records();
        let ((naive, again, reused), took) = crate::measure::timed(|| {
            (
                counting::naive_per_op(&records, RENDER_OPS),
                counting::naive_per_op(&records, RENDER_OPS),
                counting::reused_per_op(&records, RENDER_OPS),
            )
        });
        Ok(RenderCounts { naive, again, reused, took })
    }))
}

/// `-alloc_space` and `-inuse_space` of collecting [`RENDER_OPS`] lines.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CollectCounts {
    /// Bytes requested while collecting.
    pub requested: u64,
    /// Bytes still live when the lines are returned.
    pub live: i64,
    /// Bytes the collected lines hold, computed from their capacities.
    pub held: u64,
}

/// Measures [`CollectCounts`] (needs the counting allocator).
pub fn collect_counts(ctx: &Ctx) -> Result<&'static CollectCounts, CheckError> {
    static COLLECT: PerRun<Result<CollectCounts, CheckError>> = PerRun::new();
    shared(COLLECT.get(ctx, || {
        need_counting_allocator()?;
        let records = counting::sample_records();
        let (lines, c) = alloc::measure(|| {
            (0..RENDER_OPS)
                .map(|i| counting::render_naive(&records[i as usize % records.len()]))
                .collect::<Vec<_>>()
        });
        let held = lines.iter().map(String::capacity).sum::<usize>()
            + lines.capacity() * std::mem::size_of::<String>();
        Ok(CollectCounts {
            requested: c.bytes_requested,
            live: c.live_bytes(),
            held: held as u64,
        })
    }))
}

/// Seed 003's checklist, counted (needs the counting allocator).
pub fn checklist(ctx: &Ctx) -> Result<&'static [ChecklistItem], CheckError> {
    static ITEMS: PerRun<Result<Vec<ChecklistItem>, CheckError>> = PerRun::new();
    let items = shared(ITEMS.get(ctx, || {
        need_counting_allocator()?;
        Ok(counting::checklist())
    }))?;
    Ok(items.as_slice())
}

/// The scripted peak: (expected, counted) bytes (needs the counting allocator).
pub fn scripted_peak(ctx: &Ctx) -> Result<(u64, u64), CheckError> {
    static PEAK: PerRun<Result<(u64, u64), CheckError>> = PerRun::new();
    shared(PEAK.get(ctx, || {
        need_counting_allocator()?;
        Ok(counting::scripted_peak())
    }))
    .copied()
}

// ANCHOR: baseline_comparison
/// Two comparisons of runs, as `benchstat old.txt new.txt` makes them: the
/// same code against itself (A/A: nothing changed), and the naive renderer
/// against the one that reuses its buffer (A/B: a real change). All three
/// loops run round-robin, `rounds` samples each.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineComparison {
    /// Renders per sample.
    pub iters: u64,
    /// render_naive against render_naive.
    pub aa: Comparison,
    /// render_naive against render_into.
    pub ab: Comparison,
}

/// Measures [`BaselineComparison`].
pub fn baseline_comparison(ctx: &Ctx) -> &'static BaselineComparison {
    static COMPARISON: PerRun<BaselineComparison> = PerRun::new();
    COMPARISON.get(ctx, || {
        let (rounds, iters) = ctx.pick((20, 2_000), (10, 500));
        let bodies: [fn(u64); 3] = [
            counting::render_naive_loop,
            counting::render_naive_loop,
            counting::render_into_loop,
        ];
        let samples = timing::round_robin_samples(rounds, iters, &bodies);
        BaselineComparison {
            iters,
            aa: Comparison::of(&samples[0], &samples[1]).expect("rounds > 0"),
            ab: Comparison::of(&samples[0], &samples[2]).expect("rounds > 0"),
        }
    })
}
// ANCHOR_END: baseline_comparison

/// The renderers under a CPU profile: samples in each, and the share of the
/// time each takes by the round-robin timing of [`baseline_comparison`].
#[derive(Clone, Debug, PartialEq)]
pub struct RenderProfile {
    /// The profile: phase 0 is render_naive, phase 1 render_into.
    pub profile: Profile,
    /// Renders per phase and round.
    pub iters: u64,
    /// render_naive's share of the time of one render of each, from the
    /// timing comparison's medians.
    pub timed_naive_share: f64,
}

/// Measures [`RenderProfile`] (Linux only: a per-thread CPU timer).
pub fn render_profile(ctx: &Ctx) -> Result<&'static RenderProfile, CheckError> {
    static PROFILE: PerRun<Result<RenderProfile, CheckError>> = PerRun::new();
    shared(PROFILE.get(ctx, || {
        let iters = 200;
        let profile = profile::profile_phases(
            &[counting::render_naive_loop, counting::render_into_loop],
            iters,
            Duration::from_millis(1),
            ctx.pick(60, 25),
            ctx.pick(Duration::from_millis(1500), Duration::from_millis(500)),
        )?;
        let ab = &baseline_comparison(ctx).ab;
        let timed_naive_share = ab.old_median / (ab.old_median + ab.new_median);
        Ok(RenderProfile { profile, iters, timed_naive_share })
    }))
}

/// What the kernel counts for reads, first touches and CPU time.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterFigures {
    /// Each read method: its name, bytes read, and this thread's counters.
    pub reads: Vec<(&'static str, usize, ThreadCounters)>,
    /// MiB of fresh memory touched.
    pub touch_mib: usize,
    /// What touching it did.
    pub touch: TouchCounts,
    /// CPU time burned while watching getrusage.
    pub getrusage_cpu: Duration,
    /// getrusage's CPU time per change, by its own account.
    pub getrusage_step: Duration,
    /// How many times it changed.
    pub getrusage_changes: u32,
}

/// The read methods of the counters table.
pub const READ_METHODS: [(&str, ReadMethod); 4] = [
    ("read loop, 64 KiB buffer", ReadMethod::Loop(64 << 10)),
    ("read loop, 4 KiB buffer", ReadMethod::Loop(4 << 10)),
    ("std::fs::read", ReadMethod::FsRead),
    ("BufReader (8 KiB), read_until", ReadMethod::BufReaderLines),
];

/// Measures [`CounterFigures`] (Linux only).
pub fn counter_figures(ctx: &Ctx) -> Result<&'static CounterFigures, CheckError> {
    static COUNTERS: PerRun<Result<CounterFigures, CheckError>> = PerRun::new();
    if !cfg!(target_os = "linux") {
        return Err(CheckError::requires_linux("/proc/thread-self/io and RUSAGE_THREAD"));
    }
    shared(COUNTERS.get(ctx, || {
        let file = TempFile::new(1 << 20)?;
        let mut reads = Vec::new();
        for (name, m) in READ_METHODS {
            let (bytes, d) = counters::read_counts(file.path(), m)?;
            reads.push((name, bytes, d));
        }
        let touch_mib = ctx.pick(64, 16);
        let touch = counters::touch_counts(touch_mib << 20)?;
        let getrusage_cpu = Duration::from_millis(ctx.pick(40, 12));
        let (getrusage_step, getrusage_changes) =
            counters::getrusage_resolution(getrusage_cpu)?;
        Ok(CounterFigures {
            reads,
            touch_mib,
            touch,
            getrusage_cpu,
            getrusage_step,
            getrusage_changes,
        })
    }))
}

/// Five runs of one fixed loop (malloc+free of 1 KiB), back to back: the
/// spread of a simple loop on this machine, beside seed 004's five runs.
#[derive(Clone, Debug, PartialEq)]
pub struct FiveRuns {
    /// Iterations per run.
    pub iters: u64,
    /// ns/op of each run.
    pub runs: Vec<f64>,
    /// Their summary.
    pub summary: Summary,
}

/// Measures [`FiveRuns`].
pub fn five_runs(ctx: &Ctx) -> &'static FiveRuns {
    static RUNS: PerRun<FiveRuns> = PerRun::new();
    RUNS.get(ctx, || {
        let iters = ctx.pick(200_000, 20_000);
        let runs: Vec<f64> = (0..5)
            .map(|_| timing::ns_per_op(iters, tiny_pool::malloc_free_1024))
            .collect();
        let summary = Summary::of(&runs).expect("five finite runs");
        FiveRuns { iters, runs, summary }
    })
}
