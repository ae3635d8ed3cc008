//! Experiments shared by the claim checks and the example: each builds its
//! workload, runs it, and returns the figures (counts, and times where the
//! caller prints them). Nothing here judges a claim.

use super::barrier::Barrier;
use super::graphs::{self, RandomGraph, Shape};
use super::heap::{Color, Heap, ObjId};
use super::incremental::Incremental;
use super::mutator::{self, Event, RunOptions, Workload};
use super::seed_port;
use super::stw::{self, Bfs};
use crate::measure::stats;
use std::hint::black_box;
use std::time::{Duration, Instant};

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

/// Marking compared with the ground truth on random graphs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Agreement {
    /// Graphs tried.
    pub graphs: usize,
    /// Objects in all of them.
    pub objects: usize,
    /// Objects reachable (BFS, the ground truth).
    pub reachable: usize,
    /// Graphs where the black set differed from the reachable set.
    pub mark_mismatches: usize,
    /// Graphs where the heap after the sweep was not `H − Unreachable(H)`.
    pub sweep_mismatches: usize,
    /// Objects freed by the sweeps.
    pub freed: usize,
    /// Objects freed that were not white when the sweep began.
    pub freed_not_white: usize,
    /// References to freed slots after the sweeps.
    pub dangling: usize,
    /// Allocations after the sweep that reused a freed slot (of `freed`).
    pub reused_slots: usize,
}

// ANCHOR: agreement
/// On `graphs` random graphs with cycles: marks, compares the black set with
/// a BFS, sweeps, compares the heap with `H − Unreachable(H)`, checks for
/// dangling references, then allocates as many objects as were freed and
/// counts how many landed in freed slots.
pub fn agreement(graphs: usize, objects: usize) -> Agreement {
    let mut a = Agreement::default();
    for seed in 0..graphs as u64 {
        let p = RandomGraph { objects, fill_percent: 35, roots: 4, seed };
        let mut heap = graphs::random_graph(p);
        let reachable = stw::reachable_set(&heap);
        let before: Vec<ObjId> = heap.live_ids().collect();
        stw::mark(&mut heap);
        let black: Vec<bool> = (0..heap.slot_count())
            .map(|i| heap.color(ObjId::from_index(i)) == Color::Black)
            .collect();
        let white_before = black.iter().filter(|&&b| !b).count();
        let s = stw::sweep(&mut heap);
        let expected: Vec<ObjId> =
            before.iter().copied().filter(|id| reachable[id.index()]).collect();
        let after: Vec<ObjId> = heap.live_ids().collect();
        a.graphs += 1;
        a.objects += before.len();
        a.reachable += expected.len();
        a.mark_mismatches += usize::from(black != reachable);
        a.sweep_mismatches += usize::from(after != expected);
        a.freed += s.freed_objects;
        a.freed_not_white += s.freed_objects.saturating_sub(white_before);
        a.dangling += super::checker::dangling(&heap).len();
        let slots = heap.slot_count();
        for _ in 0..s.freed_objects {
            heap.alloc(32, Color::White);
        }
        a.reused_slots += s.freed_objects - (heap.slot_count() - slots);
    }
    a
}
// ANCHOR_END: agreement

/// The seed's recursive marker given enough stack for a long chain.
#[derive(Clone, Copy, Debug)]
pub struct SeedOnBigStack {
    /// Chain length.
    pub n: usize,
    /// Stack given to the thread.
    pub stack_bytes: usize,
    /// Objects black afterwards.
    pub black: usize,
    /// Stack pages first touched per level of recursion, × page size
    /// (Linux: from the thread's minor faults).
    pub stack_bytes_per_level: Option<f64>,
}

/// Runs [`seed_port::seed_mark`] on an `n`-chain on a thread with
/// `stack_bytes` of stack (which must be enough, or the process aborts).
pub fn seed_on_big_stack(n: usize, stack_bytes: usize) -> SeedOnBigStack {
    let (black, faults) = seed_port::on_stack(stack_bytes, move || {
        let mut heap = graphs::chain(n);
        let before = thread_faults();
        seed_port::seed_mark(&mut heap);
        let faults = thread_faults().zip(before).map(|(a, b)| a - b);
        (heap.live_ids().filter(|&id| heap.color(id) == Color::Black).count(), faults)
    });
    let page = crate::measure::machine::page_size() as f64;
    SeedOnBigStack {
        n,
        stack_bytes,
        black,
        stack_bytes_per_level: faults.map(|f| f as f64 * page / n.max(1) as f64),
    }
}

#[cfg(target_os = "linux")]
fn thread_faults() -> Option<u64> {
    crate::measure::os::ThreadCounters::try_now().ok().map(|c| c.minor_faults)
}

#[cfg(not(target_os = "linux"))]
fn thread_faults() -> Option<u64> {
    None
}

/// Marking a heap with and without a large pointer-free object.
#[derive(Clone, Copy, Debug)]
pub struct NoscanRun {
    /// Objects in the heap without the block.
    pub objects: usize,
    /// Simulated size of the block.
    pub block_bytes: u32,
    /// Objects marked without / with the block.
    pub marked: (usize, usize),
    /// Pointer fields examined without / with the block.
    pub fields: (usize, usize),
    /// Median mark time with the block over median without.
    pub time_ratio: f64,
}

/// Marks an `objects`-object heap, and the same heap plus one rooted
/// pointer-free block of `block_bytes`, `rounds` times each, interleaved.
pub fn noscan(objects: usize, block_bytes: u32, rounds: usize) -> NoscanRun {
    let mut plain = graphs::shaped(objects, Shape::AllocationOrder, 5);
    let mut with_block = plain.clone();
    let block = with_block.alloc_noscan(block_bytes, Color::White);
    with_block.push_root(block);
    let (a, b) = (stw::mark(&mut plain), stw::mark(&mut with_block));
    let time = |heap: &mut Heap| {
        heap.whiten_all();
        let t = Instant::now();
        black_box(stw::mark(black_box(heap)));
        t.elapsed()
    };
    let (xs, ys) =
        stats::interleave(rounds, || time(&mut with_block), || time(&mut plain));
    NoscanRun {
        objects,
        block_bytes,
        marked: (a.marked, b.marked),
        fields: (a.fields_scanned, b.fields_scanned),
        time_ratio: stats::ratio_of_medians(&xs, &ys).unwrap_or(f64::NAN),
    }
}

/// Stop-the-world marking against the BFS lower bound on one shape.
#[derive(Clone, Copy, Debug)]
pub struct Throughput {
    /// Objects (all reachable).
    pub objects: usize,
    /// Layout.
    pub shape: Shape,
    /// Median mark time.
    pub mark: Duration,
    /// Median BFS time.
    pub bfs: Duration,
}

impl Throughput {
    /// Mark time over BFS time.
    pub fn ratio(&self) -> f64 {
        self.mark.as_secs_f64() / self.bfs.as_secs_f64()
    }

    /// Objects marked per second.
    pub fn mark_rate(&self) -> f64 {
        self.objects as f64 / self.mark.as_secs_f64()
    }

    /// Objects visited per second by the BFS.
    pub fn bfs_rate(&self) -> f64 {
        self.objects as f64 / self.bfs.as_secs_f64()
    }
}

/// Times [`stw::mark`] and [`Bfs::count_reachable`] on the same `shape`
/// heap, `rounds` times each, interleaved; medians.
pub fn throughput(objects: usize, shape: Shape, rounds: usize) -> Throughput {
    let mut heap = graphs::shaped(objects, shape, 11);
    let mut bfs = Bfs::default();
    assert_eq!(bfs.count_reachable(&heap), objects, "every object is reachable");
    // Alternate A B A B (as `stats::interleave` does; both sides use `heap`).
    let (mut xs, mut ys) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        heap.whiten_all();
        let t = Instant::now();
        let m = stw::mark(black_box(&mut heap));
        xs.push(t.elapsed().as_nanos() as f64);
        assert_eq!(m.marked, objects);
        let t = Instant::now();
        black_box(bfs.count_reachable(black_box(&heap)));
        ys.push(t.elapsed().as_nanos() as f64);
    }
    let ns = |v: &[f64]| Duration::from_nanos(stats::median(v).unwrap_or(0.0) as u64);
    Throughput { objects, shape, mark: ns(&xs), bfs: ns(&ys) }
}

/// Incremental marking with a mutator compared with stop-the-world marking
/// of the same initial heap.
#[derive(Clone, Copy, Debug)]
pub struct IncrementalRun {
    /// The barrier.
    pub barrier: Barrier,
    /// Budget per step, in units.
    pub budget: usize,
    /// Units of work the stop-the-world collector needs for the initial heap.
    pub stw_work: usize,
    /// Units the incremental cycle did (steps and pauses).
    pub work: usize,
    /// Largest step.
    pub max_step: usize,
    /// Largest stop-the-world pause (0: none).
    pub max_pause: usize,
    /// Objects the barrier shaded.
    pub barrier_shades: usize,
    /// Reachable objects lost.
    pub lost: usize,
    /// Schedule events the cycle consumed.
    pub events_played: usize,
}

/// A large random heap with `stacks` stacks, and a schedule that mostly
/// mutates, stepping every `ops_per_step` operations.
pub fn mutator_workload(
    objects: usize,
    ops: usize,
    ops_per_step: usize,
) -> (Heap, Vec<Event>) {
    let w = Workload {
        objects,
        stacks: 8,
        slots: 16,
        events: ops,
        step_percent: 0,
        seed: 17,
    };
    let mut heap = mutator::random_heap(&w);
    heap.reserve(ops); // room for every allocation the schedule can make
    let mut events = Vec::with_capacity(ops + ops / ops_per_step.max(1) + 1);
    for (i, e) in mutator::random_schedule(&w).into_iter().enumerate() {
        events.push(e);
        if (i + 1) % ops_per_step.max(1) == 0 {
            events.push(Event::Step);
        }
    }
    (heap, events)
}

/// Runs one incremental cycle over `heap` with the schedule, checker off.
pub fn incremental(
    heap: &Heap,
    events: &[Event],
    barrier: Barrier,
    budget: usize,
) -> IncrementalRun {
    let stw_work = {
        let mut h = heap.clone();
        let m = stw::mark(&mut h);
        m.marked
            + heap
                .stacks()
                .iter()
                .map(|s| s.iter().flatten().count().max(1))
                .sum::<usize>()
    };
    let mut h = heap.clone();
    let mut gc = Incremental::new(barrier, budget);
    let r = mutator::run(&mut h, &mut gc, events, RunOptions::ONE_CYCLE, None);
    let st = gc.stats();
    IncrementalRun {
        barrier,
        budget,
        stw_work,
        work: st.work,
        max_step: r.max_step(),
        max_pause: r.max_pause(),
        barrier_shades: st.barrier_shades,
        lost: r.lost.len(),
        events_played: r.events_played,
    }
}

// ANCHOR: incremental_cycle
/// One incremental cycle over `heap` while the mutator plays `events`
/// (no checker, no search for lost objects: what the benchmark times).
pub fn incremental_cycle(
    heap: &mut Heap,
    events: &[Event],
    barrier: Barrier,
    budget: usize,
) -> (mutator::RunReport, super::incremental::IncStats) {
    let mut gc = Incremental::new(barrier, budget);
    let r = mutator::run(heap, &mut gc, events, RunOptions::TIMED, None);
    (r, gc.stats())
}

/// The baseline: one stop-the-world collection of the heap as it is, then
/// the same mutator operations with no collection running (steps skipped,
/// no barrier). It marks what the incremental cycle marks, the heap at the
/// start, minus the floating garbage the incremental cycle keeps.
pub fn stw_then_mutator(heap: &mut Heap, events: &[Event]) -> usize {
    let marked = stw::collect(heap).0.marked;
    let mut idle = Incremental::new(Barrier::NONE, 1);
    for e in events {
        if let Event::Mutate(op) = e {
            mutator::apply(heap, &mut idle, *op);
        }
    }
    marked
}
// ANCHOR_END: incremental_cycle

/// Median time of an incremental cycle with `barrier` over the median time
/// of [`stw_then_mutator`] on the events it played; interleaved, `rounds` each.
pub fn incremental_time_ratio(
    heap: &Heap,
    events: &[Event],
    barrier: Barrier,
    budget: usize,
    rounds: usize,
) -> f64 {
    let played = incremental(heap, events, barrier, budget).events_played;
    let (xs, ys) = stats::interleave(
        rounds,
        || {
            let mut h = heap.clone();
            let t = Instant::now();
            black_box(incremental_cycle(black_box(&mut h), events, barrier, budget));
            t.elapsed()
        },
        || {
            let mut h = heap.clone();
            let t = Instant::now();
            black_box(stw_then_mutator(black_box(&mut h), &events[..played]));
            t.elapsed()
        },
    );
    stats::ratio_of_medians(&xs, &ys).unwrap_or(f64::NAN)
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

    #[test]
    fn agreement_is_exact_on_small_graphs() {
        let a = agreement(5, 200);
        assert_eq!((a.mark_mismatches, a.sweep_mismatches, a.dangling), (0, 0, 0));
        assert_eq!(a.freed, a.objects - a.reachable);
        assert_eq!(a.reused_slots, a.freed);
    }

    #[test]
    fn a_noscan_block_adds_one_object_and_no_fields() {
        let r = noscan(1000, 1 << 30, 1);
        assert_eq!(r.marked.1, r.marked.0 + 1);
        assert_eq!(r.fields.1, r.fields.0);
    }
}
