//! Every measurement of the chapter, taken once per run and size (full or
//! `--quick`) and shared by the example's tables and the claim checks, so a
//! page never shows two numbers for one fact.
//!
//! | figure | what it measures | read by |
//! |---|---|---|
//! | [`agreement`] | the collector against BFS and `H − Unreachable(H)` on random graphs | C001-16, C001-19, D33 |
//! | [`chain`] | a long chain collected by the worklist marker | C001-18 |
//! | [`seed`] | the seed's recursive marker on cycles and chains (child processes) | C001-18, D32 |
//! | [`invariants`] | random mutator schedules under each sound barrier, checker after every event | C001-17 |
//! | [`noscan`] | marking with a 1 GiB pointer-free block, not read and read word by word | C004-05 |
//! | [`throughput`] | stop-the-world marking against a plain BFS and pointer chases over the same heap | the throughput and mlp tables |
//! | [`incremental`] | incremental cycles against stop-the-world, per barrier | the incremental table |
//! | [`paced`] | incremental cycles paced by the clock: pauses and the collector's share | the paced table and chart |
//! | [`pacing`] | GOGC and memory-limit settings over a burst trace | the pacing tables |
//! | [`rust`] | what Rust does instead: `Rc` cycles, drops of large buffers | C001-16, C004-05 |

use super::barrier::Barrier;
use super::graphs::{self, Shape};
use super::ground_truth::{self, Agreement};
use super::heap::{Heap, ObjId};
use super::mutator::{self, IncrementalRun, Workload};
use super::noscan::{BlockHeap, BlockMark, BlockScan};
use super::pacing::{self, PacingRun, Trace};
use super::seed_port::{self, CallBudgetExhausted, LONG_CHAIN, SeedOnBigStack};
use super::{chase, paced, rust_side, stw};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc::{self, AllocCounts};
use crate::measure::child::{self, ChildOutcome};
use crate::measure::{cpu_timed, stats};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The random graphs of [`agreement`]: how many, of how many objects.
pub fn agreement_size(ctx: &Ctx) -> (usize, usize) {
    ctx.pick((40, 20_000), (8, 2_000))
}

/// Stop-the-world mark-sweep against the ground truth on random graphs.
pub fn agreement(ctx: &Ctx) -> &'static Agreement {
    static A: PerRun<Agreement> = PerRun::new();
    A.get(ctx, || {
        let (graphs, objects) = agreement_size(ctx);
        ground_truth::agreement(graphs, objects)
    })
}

/// A chain collected twice: whole, then cut in half.
#[derive(Clone, Copy, Debug)]
pub struct ChainRun {
    /// Objects in the chain.
    pub n: usize,
    /// Time to build it.
    pub build: Duration,
    /// Time to mark it.
    pub mark: Duration,
    /// Time to sweep it.
    pub sweep: Duration,
    /// Objects marked (all of them).
    pub marked: usize,
    /// Survivors of the first collection.
    pub survivors: usize,
    /// Largest gray worklist (a chain needs one slot at a time).
    pub max_gray: usize,
    /// Survivors after the chain is cut in the middle and collected again.
    pub survivors_after_cut: usize,
    /// Objects freed by that second collection.
    pub freed_after_cut: usize,
}

// ANCHOR: chain
/// Builds an `n`-object chain, collects it (everything survives), cuts it in
/// the middle and collects again (the back half is freed).
pub fn collect_chain(n: usize) -> ChainRun {
    let t = Instant::now();
    let mut heap = graphs::chain(n);
    let build = t.elapsed();
    let t = Instant::now();
    let m = stw::mark(&mut heap);
    let mark = t.elapsed();
    let t = Instant::now();
    let s = stw::sweep(&mut heap);
    let sweep = t.elapsed();
    if n >= 2 {
        heap.set_field(ObjId::from_index(n / 2 - 1), 0, None);
    }
    let (_, cut) = stw::collect(&mut heap);
    ChainRun {
        n,
        build,
        mark,
        sweep,
        marked: m.marked,
        survivors: s.survivors,
        max_gray: m.max_gray,
        survivors_after_cut: cut.survivors,
        freed_after_cut: cut.freed_objects,
    }
}
// ANCHOR_END: chain

/// The chain of the run: 10,000,000 objects (1,000,000 under `--quick`).
pub fn chain(ctx: &Ctx) -> &'static ChainRun {
    static C: PerRun<ChainRun> = PerRun::new();
    C.get(ctx, || collect_chain(ctx.pick(10_000_000, 1_000_000)))
}

/// The seed's recursive marker where it fails and where it does not, beside
/// the worklist marker on the same graphs.
#[derive(Clone, Debug)]
pub struct SeedRuns {
    /// 2-object cycle, 8 MiB stack (child process).
    pub cycle_8mib: ChildOutcome,
    /// 2-object cycle, 64 MiB stack (child process).
    pub cycle_64mib: ChildOutcome,
    /// An object pointing at itself, 8 MiB stack (child process).
    pub self_loop_8mib: ChildOutcome,
    /// A [`LONG_CHAIN`]-object chain, 8 MiB stack (child process).
    pub chain_8mib: ChildOutcome,
    /// The same chain in process, on a 1 GiB stack.
    pub chain_1gib: SeedOnBigStack,
    /// The call budget given to the counting twin on the 2-object cycle.
    pub budget: u64,
    /// The stack of the counting twin's thread.
    pub counted_stack_bytes: usize,
    /// What the counting twin did with it.
    pub counted_cycle: Result<u64, CallBudgetExhausted>,
    /// Objects the worklist marker marked on the 2-object cycle.
    pub worklist_cycle: usize,
    /// Objects the worklist marker marked on the self-loop.
    pub worklist_self_loop: usize,
}

const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

fn child_outcome(mode: &str) -> Result<ChildOutcome, CheckError> {
    child::run_mode(mode, CHILD_TIMEOUT).map_err(|e| CheckError(format!("{mode}: {e}")))
}

/// Runs the seed's marker in child processes (where it crashes) and in
/// process (where it finishes, or where its counting twin stops it).
pub fn seed(ctx: &Ctx) -> Result<&'static SeedRuns, CheckError> {
    static S: PerRun<Result<SeedRuns, CheckError>> = PerRun::new();
    S.get(ctx, || {
        let (budget, counted_stack_bytes) = (100_000, 256 << 20);
        Ok(SeedRuns {
            cycle_8mib: child_outcome("mark_sweep::seed_cycle_8mib")?,
            cycle_64mib: child_outcome("mark_sweep::seed_cycle_64mib")?,
            self_loop_8mib: child_outcome("mark_sweep::seed_self_loop_8mib")?,
            chain_8mib: child_outcome("mark_sweep::seed_chain_1m_8mib")?,
            chain_1gib: seed_port::seed_on_big_stack(LONG_CHAIN, 1 << 30),
            budget,
            counted_stack_bytes,
            counted_cycle: seed_port::on_stack(counted_stack_bytes, move || {
                seed_port::seed_mark_counted(&mut graphs::ring(2), budget)
            }),
            worklist_cycle: stw::mark(&mut graphs::ring(2)).marked,
            worklist_self_loop: stw::mark(&mut graphs::ring(1)).marked,
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// What the invariant checker saw under one barrier.
#[derive(Clone, Copy, Debug)]
pub struct BarrierInvariants {
    /// The barrier (with its root protocol).
    pub barrier: Barrier,
    /// Events after which the checker ran.
    pub checked: usize,
    /// Events after which a black object (or scanned stack) pointed at a white one.
    pub strong_broken: usize,
    /// Events after which a white object was out of the marker's reach.
    pub weak_broken: usize,
    /// Events after which "gray" and "on the worklist" disagreed.
    pub bookkeeping_broken: usize,
    /// Reachable objects freed.
    pub lost: usize,
}

/// Random mutator schedules played under each sound barrier.
#[derive(Clone, Debug)]
pub struct Invariants {
    /// Schedules per barrier.
    pub schedules: usize,
    /// The workload of schedule 0 (the others differ by their seed).
    pub workload: Workload,
    /// Collector step budget.
    pub budget: usize,
    /// One row per barrier of [`Barrier::SOUND`].
    pub rows: Vec<BarrierInvariants>,
}

/// Plays random schedules (60, or 12 under `--quick`) per sound barrier
/// with the checker after every event.
pub fn invariants(ctx: &Ctx) -> &'static Invariants {
    static I: PerRun<Invariants> = PerRun::new();
    I.get(ctx, || {
        let schedules = ctx.pick(60, 12);
        let budget = 3;
        let workload = |seed| Workload {
            objects: 60,
            stacks: 3,
            slots: 4,
            events: 300,
            step_percent: 15,
            seed,
        };
        let rows = Barrier::SOUND
            .into_iter()
            .map(|barrier| {
                let mut row = BarrierInvariants {
                    barrier,
                    checked: 0,
                    strong_broken: 0,
                    weak_broken: 0,
                    bookkeeping_broken: 0,
                    lost: 0,
                };
                for seed in 0..schedules as u64 {
                    let r = mutator::run_random(&workload(seed), barrier, budget);
                    row.checked += r.checked;
                    row.strong_broken += r.strong_broken;
                    row.weak_broken += r.weak_broken;
                    row.bookkeeping_broken += r.bookkeeping_broken;
                    row.lost += r.lost.len();
                }
                row
            })
            .collect();
        Invariants { schedules, workload: workload(0), budget, rows }
    })
}

/// Marking a heap with and without a large pointer-free block.
#[derive(Clone, Copy, Debug)]
pub struct NoscanFigures {
    /// Small objects in the heap.
    pub objects: usize,
    /// Bytes in the block.
    pub block_bytes: usize,
    /// Rounds of the three markings, interleaved.
    pub rounds: usize,
    /// Objects marked, heap alone.
    pub alone_marked: usize,
    /// The marking that does not read the block.
    pub noscan: BlockMark,
    /// The marking that reads every word of it.
    pub scanned: BlockMark,
    /// Median CPU time: heap alone.
    pub alone_ns: f64,
    /// Median CPU time: heap and block, block not read.
    pub noscan_ns: f64,
    /// Median CPU time: heap and block, block read word by word.
    pub scanned_ns: f64,
}

/// The live heap the block sits beside: 1,000,000 objects of 32 simulated
/// bytes (32 MiB, the steady live heap of the pacing trace), 100,000 under
/// `--quick`; the block is seed 004's 1 GiB (64 MiB under `--quick`).
pub fn noscan_size(ctx: &Ctx) -> (usize, usize) {
    ctx.pick((1_000_000, 1 << 30), (100_000, 64 << 20))
}

/// Marks the heap alone, with the block not read, and with the block read
/// word by word, `rounds` times each in turn; CPU time of this thread.
pub fn noscan(ctx: &Ctx) -> &'static NoscanFigures {
    static N: PerRun<NoscanFigures> = PerRun::new();
    N.get(ctx, || {
        let (objects, block_bytes) = noscan_size(ctx);
        let rounds = ctx.pick(7, 5);
        let mut alone = graphs::shaped(objects, Shape::AllocationOrder, 5);
        let mut with_block = BlockHeap::new(alone.clone(), block_bytes, 0x0B10C);
        let mark_alone = |heap: &mut Heap| {
            heap.whiten_all();
            stw::mark(black_box(heap)).marked
        };
        let alone_marked = mark_alone(&mut alone);
        let noscan = with_block.mark(BlockScan::Noscan);
        let scanned = with_block.mark(BlockScan::Conservative);
        let (mut a, mut n, mut s) = (Vec::new(), Vec::new(), Vec::new());
        let ns = |d: Duration| d.as_nanos() as f64;
        for _ in 0..rounds {
            a.push(ns(cpu_timed(|| black_box(mark_alone(&mut alone))).1));
            n.push(ns(cpu_timed(|| black_box(with_block.mark(BlockScan::Noscan))).1));
            s.push(ns(
                cpu_timed(|| black_box(with_block.mark(BlockScan::Conservative))).1
            ));
        }
        let median = |v: &[f64]| stats::median(v).unwrap_or(f64::NAN);
        NoscanFigures {
            objects,
            block_bytes,
            rounds,
            alone_marked,
            noscan,
            scanned,
            alone_ns: median(&a),
            noscan_ns: median(&n),
            scanned_ns: median(&s),
        }
    })
}

/// Stop-the-world marking against the BFS lower bound and against pointer
/// chases over the same heap, on one shape.
#[derive(Clone, Copy, Debug)]
pub struct Throughput {
    /// Objects (all reachable).
    pub objects: usize,
    /// Layout.
    pub shape: Shape,
    /// Median mark time.
    pub mark: Duration,
    /// Median time of the same marker with no prefetch window.
    pub mark_no_window: Duration,
    /// Median BFS time.
    pub bfs: Duration,
    /// Median time of [`CHAINS`] chains, `objects` loads in all.
    pub chase: Duration,
    /// Median time of one chain, `objects / CHAINS` loads.
    pub chase_one: Duration,
}

/// Chains of the chase a marker is held to.
pub const CHAINS: usize = 16;

impl Throughput {
    /// Mark time over BFS time.
    pub fn ratio(&self) -> f64 {
        self.mark.as_secs_f64() / self.bfs.as_secs_f64()
    }

    /// Objects marked per second.
    pub fn mark_rate(&self) -> f64 {
        self.objects as f64 / self.mark.as_secs_f64()
    }

    /// Objects marked per second without the prefetch window.
    pub fn mark_no_window_rate(&self) -> f64 {
        self.objects as f64 / self.mark_no_window.as_secs_f64()
    }

    /// Objects visited per second by the BFS.
    pub fn bfs_rate(&self) -> f64 {
        self.objects as f64 / self.bfs.as_secs_f64()
    }

    /// Loads per second of [`CHAINS`] chains.
    pub fn chase_rate(&self) -> f64 {
        self.objects as f64 / self.chase.as_secs_f64()
    }

    /// Loads per second of one chain.
    pub fn chase_one_rate(&self) -> f64 {
        (self.objects / CHAINS) as f64 / self.chase_one.as_secs_f64()
    }

    /// Mark rate over the [`CHAINS`]-chain load rate.
    pub fn of_chase(&self) -> f64 {
        self.mark_rate() / self.chase_rate()
    }
}

// ANCHOR: throughput_of
/// Times [`stw::mark`] (with and without its prefetch window),
/// [`stw::Bfs::count_reachable`], and pointer chases of [`CHAINS`] chains and
/// of one chain ([`chase::chase`]) on the same `shape` heap, `rounds` times
/// each, interleaved; medians.
pub fn throughput_of(objects: usize, shape: Shape, rounds: usize) -> Throughput {
    let mut heap = graphs::shaped(objects, shape, 11);
    let mut bfs = stw::Bfs::default();
    assert_eq!(bfs.count_reachable(&heap), objects, "every object is reachable");
    let root = heap.roots().next().expect("a shaped heap has a root");
    let starts: [ObjId; CHAINS] =
        chase::chain_starts(&heap, root, CHAINS).try_into().expect("CHAINS starts");
    let steps = objects / CHAINS;
    let mut t: [Vec<f64>; 5] = Default::default();
    let ns = |d: Duration| d.as_nanos() as f64;
    for _ in 0..rounds {
        heap.whiten_all();
        let (m, d) = crate::measure::timed(|| stw::mark(black_box(&mut heap)));
        assert_eq!(m.marked, objects);
        t[0].push(ns(d));
        heap.whiten_all();
        let (m, d) =
            crate::measure::timed(|| stw::mark_with_window(black_box(&mut heap), 0));
        assert_eq!(m.marked, objects);
        t[1].push(ns(d));
        let (_, d) =
            crate::measure::timed(|| black_box(bfs.count_reachable(black_box(&heap))));
        t[2].push(ns(d));
        let (_, d) =
            crate::measure::timed(|| chase::chase(black_box(&heap), &starts, steps));
        t[3].push(ns(d));
        let (_, d) =
            crate::measure::timed(|| chase::chase(black_box(&heap), &[root], steps));
        t[4].push(ns(d));
    }
    let med = |v: &[f64]| Duration::from_nanos(stats::median(v).unwrap_or(0.0) as u64);
    Throughput {
        objects,
        shape,
        mark: med(&t[0]),
        mark_no_window: med(&t[1]),
        bfs: med(&t[2]),
        chase: med(&t[3]),
        chase_one: med(&t[4]),
    }
}
// ANCHOR_END: throughput_of

/// Objects and rounds of [`throughput`]: 4,000,000 and 5 (400,000 and 3
/// under `--quick`).
pub fn throughput_size(ctx: &Ctx) -> (usize, usize) {
    ctx.pick((4_000_000, 5), (400_000, 3))
}

/// Both layouts, sized by [`throughput_size`].
pub fn throughput(ctx: &Ctx) -> &'static [Throughput] {
    static T: PerRun<Vec<Throughput>> = PerRun::new();
    T.get(ctx, || {
        let (n, rounds) = throughput_size(ctx);
        [Shape::AllocationOrder, Shape::RandomOrder]
            .into_iter()
            .map(|shape| throughput_of(n, shape, rounds))
            .collect()
    })
}

/// Incremental cycles against stop-the-world marking, per barrier.
#[derive(Clone, Debug)]
pub struct IncrementalFigures {
    /// Objects in the heap.
    pub objects: usize,
    /// Units of work per step.
    pub budget: usize,
    /// Mutator operations between steps.
    pub ops_per_step: usize,
    /// Rounds of the timing.
    pub rounds: usize,
    /// Per barrier: the work counts, and the median time of the cycle with its
    /// mutator over the median time of stop-the-world plus the same operations.
    pub rows: Vec<(IncrementalRun, f64)>,
}

/// One cycle per barrier over a 1,000,000-object heap (100,000 under
/// `--quick`), 100 mutator operations between steps of 1,000 units.
pub fn incremental(ctx: &Ctx) -> &'static IncrementalFigures {
    static I: PerRun<IncrementalFigures> = PerRun::new();
    I.get(ctx, || {
        let (objects, rounds) = ctx.pick((1_000_000, 5), (100_000, 3));
        let (budget, ops_per_step) = (1_000, 100);
        let (heap, events) =
            mutator::mutator_workload(objects, objects / 5, ops_per_step);
        let rows = Barrier::ALL
            .into_iter()
            .map(|b| {
                let r = mutator::incremental_run(&heap, &events, b, budget);
                let played = &events[..r.events_played];
                let (xs, ys) = stats::interleave(
                    rounds,
                    || {
                        let mut h = heap.clone();
                        let t = Instant::now();
                        black_box(mutator::incremental_cycle(&mut h, &events, b, budget));
                        t.elapsed()
                    },
                    || {
                        let mut h = heap.clone();
                        let t = Instant::now();
                        black_box(mutator::stw_then_mutator(&mut h, played));
                        t.elapsed()
                    },
                );
                (r, stats::ratio_of_medians(&xs, &ys).unwrap_or(f64::NAN))
            })
            .collect();
        IncrementalFigures { objects, budget, ops_per_step, rounds, rows }
    })
}

/// Incremental cycles paced by the clock (see [`paced`]).
#[derive(Clone, Debug)]
pub struct PacedFigures {
    /// Objects in the heap.
    pub objects: usize,
    /// Mutator operations available (played again from the start if the
    /// cycle needs more).
    pub ops: usize,
    /// Units per step, calibrated so that a step takes about [`paced::STEP_AIM`].
    pub budget: usize,
    /// One cycle per sound barrier, hybrid last.
    pub runs: Vec<paced::PacedRun>,
}

/// One paced cycle per sound barrier over a 1,000,000-object heap (100,000
/// under `--quick`) with 2,000,000 mutator operations (200,000).
pub fn paced(ctx: &Ctx) -> &'static PacedFigures {
    static P: PerRun<PacedFigures> = PerRun::new();
    P.get(ctx, || {
        let objects = ctx.pick(1_000_000, 100_000);
        let ops = 2 * objects;
        let (heap, events) = mutator::mutator_workload(objects, ops, ops);
        let ops_list = paced::ops_of(&events);
        let budget = paced::calibrate(&heap, Barrier::HYBRID);
        let runs = Barrier::SOUND
            .into_iter()
            .map(|b| paced::paced_cycle(&heap, &ops_list, b, budget))
            .collect();
        PacedFigures { objects, ops, budget, runs }
    })
}

/// The burst trace and the seeds' pacing settings run over it.
#[derive(Clone, Debug)]
pub struct PacingFigures {
    /// The trace.
    pub trace: Trace,
    /// One run per setting of [`pacing::seed_settings`].
    pub runs: Vec<PacingRun>,
}

/// Slices of the heap-over-time table.
pub const TIMELINE_SLICES: usize = 24;

/// The pacing simulation (the trace scaled down 8× under `--quick`).
pub fn pacing(ctx: &Ctx) -> &'static PacingFigures {
    static P: PerRun<PacingFigures> = PerRun::new();
    P.get(ctx, || {
        let trace = Trace::burst(ctx.pick(1, 8));
        let runs = pacing::seed_settings()
            .into_iter()
            .map(|s| pacing::simulate(&trace, s, TIMELINE_SLICES))
            .collect();
        PacingFigures { trace, runs }
    })
}

/// What Rust does instead of tracing.
#[derive(Clone, Copy, Debug)]
pub struct RustFigures {
    /// A two-node `Rc` cycle after its handles went out of scope.
    pub strong_cycle: rust_side::CycleOutcome,
    /// The same with a `Weak` back edge.
    pub weak_back_edge: rust_side::CycleOutcome,
    /// Bytes in the large buffer.
    pub buffer_bytes: usize,
    /// Allocator calls to make and drop `vec![0u8; buffer_bytes]`.
    pub buffer: AllocCounts,
    /// Boxes in the `Vec<Box<u64>>`.
    pub boxes: usize,
    /// Allocator calls to make and drop it.
    pub boxed: AllocCounts,
}

/// The `Rc` cycles, and the allocator calls of a 1 GiB `Vec<u8>` and of a
/// `Vec` of 1,000,000 boxes (100,000 under `--quick`). Needs the counting
/// allocator.
pub fn rust(ctx: &Ctx) -> Result<&'static RustFigures, CheckError> {
    static R: PerRun<Result<RustFigures, CheckError>> = PerRun::new();
    R.get(ctx, || {
        if !alloc::is_installed() {
            return Err(CheckError(
                "the Rust figures count allocations: install the counting allocator"
                    .into(),
            ));
        }
        let buffer_bytes = 1 << 30;
        let boxes = ctx.pick(1_000_000, 100_000);
        let ((), buffer) = alloc::measure(|| drop(black_box(vec![0u8; buffer_bytes])));
        let ((), boxed) = alloc::measure(|| {
            drop(black_box((0..boxes as u64).map(Box::new).collect::<Vec<_>>()))
        });
        Ok(RustFigures {
            strong_cycle: rust_side::strong_cycle(),
            weak_back_edge: rust_side::weak_back_edge(),
            buffer_bytes,
            buffer,
            boxes,
            boxed,
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_collects_and_halves() {
        let c = collect_chain(1000);
        assert_eq!((c.marked, c.survivors, c.max_gray), (1000, 1000, 1));
        assert_eq!((c.survivors_after_cut, c.freed_after_cut), (500, 500));
    }
}
