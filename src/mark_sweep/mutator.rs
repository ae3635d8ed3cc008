//! The mutator and the simulation driver: a schedule of mutator operations
//! (allocate, load, store, drop a root) interleaved with collector steps,
//! run against an [`Incremental`] collector with the invariant checker after
//! every event.
//!
//! A mutator reaches objects only through its stack slots, so everything it
//! touches is reachable: if the sweep frees an object a stack can still
//! reach, the collector lost it. That is the only bug this module looks for,
//! and it reports it instead of panicking.

use super::barrier::Barrier;
use super::checker::{self, Edge, InvariantCheck};
use super::graphs::{self, RandomGraph};
use super::heap::{Color, DEFAULT_BYTES, FIELDS, Heap, ObjId};
use super::incremental::{Incremental, Phase, StepReport};
use super::stw::SweepStats;
use crate::measure::rng::SplitMix64;

// ANCHOR: op
/// One mutator operation, done by the mutator that owns stack `g`. Slots
/// are indices into that stack; an operation on an empty slot does nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `slot = new object` (black while marking).
    Alloc { g: usize, slot: usize },
    /// `dst = obj.fields[field]`: a stack write, no barrier.
    Load { g: usize, dst: usize, obj: usize, field: usize },
    /// `obj.fields[field] = val` (`None`: nil): a heap write, through the barrier.
    Store { g: usize, obj: usize, field: usize, val: Option<usize> },
    /// `slot = nil`: the mutator forgets a root. No barrier.
    Drop { g: usize, slot: usize },
}
// ANCHOR_END: op

/// One event of a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A mutator operation.
    Mutate(Op),
    /// One collector step (ignored when no cycle is marking).
    Step,
    /// Collector steps until this object is black (or marking ends).
    StepUntilBlack(ObjId),
}

/// Applies `op`; returns false if it did nothing (an empty or dangling slot).
pub fn apply(heap: &mut Heap, gc: &mut Incremental, op: Op) -> bool {
    let slot = |heap: &Heap, g: usize, s: usize| heap.stacks()[g][s];
    match op {
        Op::Alloc { g, slot: s } => {
            let id = gc.alloc(heap, DEFAULT_BYTES);
            heap.stack_mut(g)[s] = Some(id);
            true
        }
        Op::Load { g, dst, obj, field } => match slot(heap, g, obj) {
            Some(o) if heap.is_live(o) => {
                let v = heap.field(o, field);
                heap.stack_mut(g)[dst] = v;
                true
            }
            _ => false,
        },
        Op::Store { g, obj, field, val } => match slot(heap, g, obj) {
            Some(o) if heap.is_live(o) && !heap.object(o).noscan => {
                let v = val.and_then(|s| slot(heap, g, s));
                gc.write_field(heap, g, o, field, v);
                true
            }
            _ => false,
        },
        Op::Drop { g, slot: s } => heap.stack_mut(g)[s].take().is_some(),
    }
}

/// The first event after which the promised invariant did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Number of the event in the schedule, from 1 (the final steps count on).
    pub event: usize,
    /// What the checker saw.
    pub check: InvariantCheck,
}

/// What a run of a schedule did.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    /// Every step and pause, in order.
    pub steps: Vec<StepReport>,
    /// Events after which the checker ran.
    pub checked: usize,
    /// Events after which the strong invariant was broken.
    pub strong_broken: usize,
    /// Events after which the weak invariant was broken.
    pub weak_broken: usize,
    /// Events after which colors and worklist disagreed.
    pub bookkeeping_broken: usize,
    /// The first event after which the weak invariant did not hold
    /// (whatever the barrier promised): its number and description.
    pub first_weak_break: Option<(usize, String)>,
    /// The first event that broke the barrier's promise, if any.
    pub first_violation: Option<Violation>,
    /// Reachable objects that were white when marking ended: freed by the sweep.
    pub lost: Vec<ObjId>,
    /// References to freed slots after the sweep.
    pub dangling: Vec<Edge>,
    /// Cycles completed.
    pub cycles: usize,
    /// Events of the schedule played (the rest were not reached).
    pub events_played: usize,
    /// The sweeps, added up (`survivors`: of the last one).
    pub sweep: SweepStats,
}

impl RunReport {
    /// Largest budgeted step (pauses excluded).
    pub fn max_step(&self) -> usize {
        self.steps.iter().filter(|s| s.pause.is_none()).map(|s| s.work).max().unwrap_or(0)
    }

    /// Largest stop-the-world pause (0 if none).
    pub fn max_pause(&self) -> usize {
        self.steps.iter().filter(|s| s.pause.is_some()).map(|s| s.work).max().unwrap_or(0)
    }
}

/// Options of [`run`].
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Run the invariant checker after every event (costly: a heap walk each).
    pub check_every_event: bool,
    /// End the run after the first cycle (the remaining events are not played).
    pub one_cycle: bool,
    /// Before each sweep, look for reachable white objects, and after it for
    /// dangling references (two walks of the whole heap).
    pub find_lost: bool,
}

impl RunOptions {
    /// Checker on, cycles back to back.
    pub const CHECKED: RunOptions =
        RunOptions { check_every_event: true, one_cycle: false, find_lost: true };
    /// Checker off, one cycle, lost objects counted: for work counts.
    pub const ONE_CYCLE: RunOptions =
        RunOptions { check_every_event: false, one_cycle: true, find_lost: true };
    /// Nothing but the cycle itself: for timing.
    pub const TIMED: RunOptions =
        RunOptions { check_every_event: false, one_cycle: true, find_lost: false };
}

/// Called after every event with the heap, the collector and a caption (the
/// SVG frames are drawn from it).
pub type Observer<'a> = &'a mut dyn FnMut(&Heap, &Incremental, &str);

// ANCHOR: run
/// Runs collection cycles over `heap` while playing `events`: a cycle starts
/// at once, and whenever marking ends the driver checks for reachable white
/// objects, sweeps, and starts the next cycle. After the last event it steps
/// the last cycle to its end. A cycle that loses an object ends the run.
pub fn run(
    heap: &mut Heap,
    gc: &mut Incremental,
    events: &[Event],
    opts: RunOptions,
    mut observe: Option<Observer<'_>>,
) -> RunReport {
    let mut r = RunReport::default();
    let observe_some = observe.is_some();
    let mut note =
        |heap: &Heap, gc: &Incremental, r: &mut RunReport, i: usize, cap: &str| {
            if opts.check_every_event && gc.phase() != Phase::Idle {
                let c = checker::check(heap, gc);
                r.checked += 1;
                r.strong_broken += usize::from(!c.strong());
                r.weak_broken += usize::from(!c.weak());
                if !c.weak() && r.first_weak_break.is_none() {
                    r.first_weak_break = Some((i, cap.to_string()));
                }
                r.bookkeeping_broken += usize::from(c.bookkeeping_errors > 0);
                if r.first_violation.is_none() && !c.keeps(gc.barrier().promises) {
                    r.first_violation = Some(Violation { event: i, check: c });
                }
            }
            if let Some(f) = observe.as_mut() {
                f(heap, gc, cap);
            }
        };
    note(heap, gc, &mut r, 0, "before the cycle");
    if let Some(p) = gc.start(heap) {
        r.steps.push(p);
    }
    note(heap, gc, &mut r, 0, "the cycle starts");
    let mut i = 0;
    let mut events = events.iter();
    loop {
        if gc.phase() == Phase::MarkDone {
            if opts.find_lost {
                r.lost = checker::doomed_reachable(heap);
            }
            let s = gc.finish(heap);
            r.sweep.freed_objects += s.freed_objects;
            r.sweep.freed_bytes += s.freed_bytes;
            r.sweep.survivors = s.survivors;
            r.cycles += 1;
            if opts.find_lost {
                r.dangling = checker::dangling(heap);
            }
            note(heap, gc, &mut r, i, "sweep");
            if !r.lost.is_empty() || events.len() == 0 || opts.one_cycle {
                return r;
            }
            if let Some(p) = gc.start(heap) {
                r.steps.push(p);
            }
        }
        i += 1;
        let next = events.next().copied();
        r.events_played += usize::from(next.is_some());
        match next {
            Some(Event::Mutate(op)) => {
                let wanted = opts.check_every_event || observe_some;
                let caption = if wanted { describe(op, heap) } else { String::new() };
                apply(heap, gc, op);
                note(heap, gc, &mut r, i, &caption);
            }
            Some(Event::Step) => {
                r.steps.push(gc.step(heap));
                note(heap, gc, &mut r, i, "collector step");
            }
            Some(Event::StepUntilBlack(id)) => {
                while gc.phase() == Phase::Marking && heap.color(id) != Color::Black {
                    r.steps.push(gc.step(heap));
                    note(heap, gc, &mut r, i, "collector step");
                }
            }
            None => {
                r.steps.push(gc.step(heap));
                note(heap, gc, &mut r, i, "collector step");
            }
        }
    }
}
// ANCHOR_END: run

/// A one-line description of `op`, read from the heap before it runs
/// (objects by arena number, `#3`), for frames and logs.
pub fn describe(op: Op, heap: &Heap) -> String {
    let slot = |g: usize, s: usize| match heap.stacks()[g][s] {
        Some(id) => id.to_string(),
        None => "nil".to_string(),
    };
    match op {
        Op::Alloc { g, slot: s } => format!("stack {g}: s{s} = new object"),
        Op::Load { g, dst, obj, field } => {
            format!("stack {g}: s{dst} = {}.f{field}", slot(g, obj))
        }
        Op::Store { g, obj, field, val } => {
            let v = val.map_or("nil".to_string(), |v| slot(g, v));
            format!("stack {g}: {}.f{field} = {v}", slot(g, obj))
        }
        Op::Drop { g, slot: s } => format!("stack {g}: s{s} = nil"),
    }
}

/// Shape of a random mutator workload.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// Objects in the initial heap.
    pub objects: usize,
    /// Mutator stacks.
    pub stacks: usize,
    /// Slots per stack.
    pub slots: usize,
    /// Events in the schedule.
    pub events: usize,
    /// Percentage of events that are collector steps.
    pub step_percent: u32,
    /// Seed.
    pub seed: u64,
}

/// A random initial heap for `w`: a random graph with cycles and garbage,
/// and every stack slot filled with a random object half of the time.
pub fn random_heap(w: &Workload) -> Heap {
    let mut rng = SplitMix64::new(w.seed ^ 0x5EED);
    let g = RandomGraph { objects: w.objects, fill_percent: 35, roots: 0, seed: w.seed };
    let mut heap = graphs::random_graph(g);
    while heap.stacks().len() < w.stacks {
        heap.add_stack(0);
    }
    for s in 0..w.stacks {
        let slots: Vec<Option<ObjId>> = (0..w.slots)
            .map(|_| {
                (w.objects > 0 && rng.percent(50))
                    .then(|| ObjId::from_index(rng.below(w.objects)))
            })
            .collect();
        *heap.stack_mut(s) = slots;
    }
    heap
}

/// A random schedule for `w`: mostly loads and stores (which move references
/// around and cut them), some allocations and drops, and collector steps.
pub fn random_schedule(w: &Workload) -> Vec<Event> {
    let mut rng = SplitMix64::new(w.seed.wrapping_mul(31) ^ 0xC0FFEE);
    (0..w.events)
        .map(|_| {
            if rng.percent(w.step_percent) {
                return Event::Step;
            }
            let g = rng.below(w.stacks);
            let slot = |rng: &mut SplitMix64| rng.below(w.slots);
            let op = match rng.below(10) {
                0 => Op::Alloc { g, slot: slot(&mut rng) },
                1 => Op::Drop { g, slot: slot(&mut rng) },
                2..=5 => Op::Load {
                    g,
                    dst: slot(&mut rng),
                    obj: slot(&mut rng),
                    field: rng.below(FIELDS),
                },
                _ => Op::Store {
                    g,
                    obj: slot(&mut rng),
                    field: rng.below(FIELDS),
                    val: (!rng.percent(25)).then(|| slot(&mut rng)),
                },
            };
            Event::Mutate(op)
        })
        .collect()
}

/// Plays a random workload with `barrier`, checker on.
pub fn run_random(w: &Workload, barrier: Barrier, budget: usize) -> RunReport {
    let mut heap = random_heap(w);
    let mut gc = Incremental::new(barrier, budget);
    let events = random_schedule(w);
    run(&mut heap, &mut gc, &events, RunOptions::CHECKED, None)
}

/// A large random heap with eight stacks, and a schedule of `ops` mutator
/// operations with a collector step after every `ops_per_step` of them.
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
    let mut heap = random_heap(&w);
    heap.reserve(ops); // room for every allocation the schedule can make
    let mut events = Vec::with_capacity(ops + ops / ops_per_step.max(1) + 1);
    for (i, e) in random_schedule(&w).into_iter().enumerate() {
        events.push(e);
        if (i + 1) % ops_per_step.max(1) == 0 {
            events.push(Event::Step);
        }
    }
    (heap, events)
}

/// Incremental marking with a mutator compared with stop-the-world marking
/// of the same initial heap: work counts, no timing.
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

/// Runs one incremental cycle over a copy of `heap` with the schedule,
/// checker off, and counts its work against stop-the-world marking.
pub fn incremental_run(
    heap: &Heap,
    events: &[Event],
    barrier: Barrier,
    budget: usize,
) -> IncrementalRun {
    let stw_work = {
        let mut h = heap.clone();
        let m = super::stw::mark(&mut h);
        m.marked
            + heap
                .stacks()
                .iter()
                .map(|s| s.iter().flatten().count().max(1))
                .sum::<usize>()
    };
    let mut h = heap.clone();
    let mut gc = Incremental::new(barrier, budget);
    let r = run(&mut h, &mut gc, events, RunOptions::ONE_CYCLE, None);
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
) -> (RunReport, super::incremental::IncStats) {
    let mut gc = Incremental::new(barrier, budget);
    let r = run(heap, &mut gc, events, RunOptions::TIMED, None);
    (r, gc.stats())
}

/// The baseline: one stop-the-world collection of the heap as it is, then
/// the same mutator operations with no collection running (steps skipped,
/// no barrier). It marks what the incremental cycle marks, the heap at the
/// start, minus the floating garbage the incremental cycle keeps.
pub fn stw_then_mutator(heap: &mut Heap, events: &[Event]) -> usize {
    let marked = super::stw::collect(heap).0.marked;
    let mut idle = Incremental::new(Barrier::NONE, 1);
    for e in events {
        if let Event::Mutate(op) = e {
            apply(heap, &mut idle, *op);
        }
    }
    marked
}
// ANCHOR_END: incremental_cycle

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_barriers_lose_nothing_on_random_schedules() {
        for seed in 0..40 {
            let w = Workload {
                objects: 60,
                stacks: 3,
                slots: 4,
                events: 300,
                step_percent: 15,
                seed,
            };
            for b in Barrier::SOUND {
                let r = run_random(&w, b, 3);
                assert!(r.lost.is_empty(), "{} seed {seed}: lost {:?}", b.name, r.lost);
                assert!(r.first_violation.is_none(), "{} seed {seed}", b.name);
                assert!(r.dangling.is_empty());
            }
        }
    }
}
