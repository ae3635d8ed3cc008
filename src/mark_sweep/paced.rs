//! An incremental cycle paced by the clock, as Go paces its collector: the
//! collector may take a quarter of the thread's time
//! (`gcBackgroundUtilization` = 0.25, runtime/mgcpacer.go), and each of its
//! steps is short. Before each step the mutator runs until its CPU time since
//! the cycle began is at least three times the collector's, counting the
//! step about to run as long as the longest so far, so the collector's share
//! stays at or under 25% after every step; a step's
//! budget (units of work) is set once, from the time a unit takes here, so
//! that a step takes about [`STEP_AIM`].
//!
//! Both sides are timed with this thread's CPU clock: a step's CPU time is
//! the pause the collector itself causes. Its wall time is recorded too, and
//! on a shared machine it is longer whenever the scheduler or the hypervisor
//! takes the CPU away in the middle of a step, which no collector controls.
//!
//! Not here: the sweep (one call after marking, outside the pacing: Go
//! sweeps concurrently and lazily), and several threads (the mutator and the
//! collector take turns on one).

use super::barrier::Barrier;
use super::heap::Heap;
use super::incremental::{Incremental, Phase};
use super::mutator::{self, Event, Op};
use crate::measure::os::thread_cpu_time;
use std::time::{Duration, Instant};

/// The collector's share of the thread's time that Go's pacer aims at.
pub const COLLECTOR_SHARE: f64 = 0.25;

/// The longest pause the cycle should cause (issue 18's target; Go's
/// proposal 17503 aimed at STW pauses under 50 µs).
pub const MAX_PAUSE: Duration = Duration::from_micros(100);

/// What a step should take: a sixth of [`MAX_PAUSE`], so that the slowest
/// steps (a run of cache misses, caches shared with a busy neighbour) still
/// fit under it.
pub const STEP_AIM: Duration = Duration::from_micros(16);

/// Mutator operations between two reads of the clock: enough that the read
/// (a system call for the thread's CPU clock) is a small part of the chunk.
const OPS_PER_CHUNK: usize = 512;

/// One collector step (or stop-the-world pause) of a paced cycle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepSample {
    /// When it started, wall time since the cycle began (ns).
    pub at_ns: f64,
    /// Its CPU time (ns).
    pub cpu_ns: f64,
    /// Its wall time (ns).
    pub wall_ns: f64,
    /// Units of work it did.
    pub work: usize,
    /// A stop-the-world pause of the root protocol (a snapshot or a rescan),
    /// not a budgeted step.
    pub stop_the_world: bool,
    /// The collector's share of the thread's CPU time so far.
    pub share_so_far: f64,
}

/// One paced cycle.
#[derive(Clone, Debug)]
pub struct PacedRun {
    /// The barrier.
    pub barrier: Barrier,
    /// Units per step.
    pub budget: usize,
    /// Every step and pause, in order.
    pub steps: Vec<StepSample>,
    /// Collector CPU time, marking phase (ns).
    pub collector_ns: f64,
    /// Mutator CPU time, marking phase (ns).
    pub mutator_ns: f64,
    /// Mutator operations run while marking.
    pub mutator_ops: usize,
    /// Wall time from start to the end of marking (ns).
    pub wall_ns: f64,
    /// The sweep after marking (ns, wall), outside the pacing.
    pub sweep_ns: f64,
    /// Objects freed by that sweep.
    pub freed: usize,
}

impl PacedRun {
    /// The collector's share of the thread's CPU time while marking.
    pub fn share(&self) -> f64 {
        self.collector_ns / (self.collector_ns + self.mutator_ns)
    }

    /// The longest step or pause, CPU time (ns).
    pub fn max_cpu_ns(&self) -> f64 {
        self.steps.iter().map(|s| s.cpu_ns).fold(0.0, f64::max)
    }

    /// The 99th percentile of the steps' and pauses' CPU time (ns).
    pub fn p99_cpu_ns(&self) -> f64 {
        let mut v: Vec<f64> = self.steps.iter().map(|s| s.cpu_ns).collect();
        v.sort_by(f64::total_cmp);
        v.get((v.len() * 99 / 100).min(v.len().saturating_sub(1))).copied().unwrap_or(0.0)
    }

    /// The longest step or pause, wall time (ns).
    pub fn max_wall_ns(&self) -> f64 {
        self.steps.iter().map(|s| s.wall_ns).fold(0.0, f64::max)
    }

    /// Steps whose wall time exceeded their CPU time by more than
    /// [`STEP_AIM`]: the thread lost the CPU in the middle of them.
    pub fn preempted(&self) -> usize {
        let aim = STEP_AIM.as_nanos() as f64;
        self.steps.iter().filter(|s| s.wall_ns - s.cpu_ns > aim).count()
    }
}

fn cpu_ns() -> f64 {
    thread_cpu_time().map_or(f64::NAN, |d| d.as_nanos() as f64)
}

/// The budget whose step takes about [`STEP_AIM`] of CPU here: forty steps
/// of 1,000 units on a copy of `heap`, timed.
pub fn calibrate(heap: &Heap, barrier: Barrier) -> usize {
    const PROBE: usize = 1_000;
    let mut h = heap.clone();
    let mut gc = Incremental::new(barrier, PROBE);
    gc.start(&mut h);
    let (mut work, t0) = (0, cpu_ns());
    for _ in 0..40 {
        if gc.phase() != Phase::Marking {
            break;
        }
        work += gc.step(&mut h).work;
    }
    let per_unit = (cpu_ns() - t0) / work.max(1) as f64;
    let budget = STEP_AIM.as_nanos() as f64 / per_unit;
    if budget.is_finite() { (budget as usize).clamp(100, 100_000) } else { PROBE }
}

/// The mutator operations of a schedule (its steps left out).
pub fn ops_of(events: &[Event]) -> Vec<Op> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Mutate(op) => Some(*op),
            _ => None,
        })
        .collect()
}

// ANCHOR: paced_cycle
/// One incremental cycle over a copy of `heap` with `barrier`, steps of
/// `budget` units, the mutator playing `ops` (from the start again when they
/// run out) before each step until it has had three times the collector's
/// CPU time, that step included.
pub fn paced_cycle(heap: &Heap, ops: &[Op], barrier: Barrier, budget: usize) -> PacedRun {
    let mut h = heap.clone();
    let mut gc = Incremental::new(barrier, budget);
    let mutator_per_collector = (1.0 - COLLECTOR_SHARE) / COLLECTOR_SHARE;
    let (mut steps, mut next_op, mut mutator_ops) = (Vec::new(), 0, 0);
    let (mut collector_ns, mut mutator_ns) = (0.0, 0.0);
    let start = Instant::now();
    let mut record =
        |work: usize, stw: bool, at: Instant, cpu: f64, c: &mut f64, m: f64| {
            *c += cpu;
            steps.push(StepSample {
                at_ns: (at - start).as_nanos() as f64,
                cpu_ns: cpu,
                wall_ns: at.elapsed().as_nanos() as f64,
                work,
                stop_the_world: stw,
                share_so_far: *c / (*c + m),
            });
        };
    let (at, c0) = (Instant::now(), cpu_ns());
    if let Some(pause) = gc.start(&mut h) {
        record(pause.work, true, at, cpu_ns() - c0, &mut collector_ns, mutator_ns);
    }
    let mut longest = STEP_AIM.as_nanos() as f64;
    while gc.phase() == Phase::Marking {
        // The mutator runs first, paying for the step about to run (as long
        // as the longest so far), so the share holds after every step.
        let due = (collector_ns + longest) * mutator_per_collector;
        while mutator_ns < due && !ops.is_empty() {
            let c0 = cpu_ns();
            for _ in 0..OPS_PER_CHUNK {
                mutator::apply(&mut h, &mut gc, ops[next_op]);
                next_op = (next_op + 1) % ops.len();
            }
            mutator_ops += OPS_PER_CHUNK;
            mutator_ns += cpu_ns() - c0;
        }
        let (at, c0) = (Instant::now(), cpu_ns());
        let r = gc.step(&mut h);
        let step = cpu_ns() - c0;
        longest = longest.max(step);
        record(r.work, r.pause.is_some(), at, step, &mut collector_ns, mutator_ns);
    }
    let wall_ns = start.elapsed().as_nanos() as f64;
    let t = Instant::now();
    let swept = gc.finish(&mut h);
    PacedRun {
        barrier,
        budget,
        steps,
        collector_ns,
        mutator_ns,
        mutator_ops,
        wall_ns,
        sweep_ns: t.elapsed().as_nanos() as f64,
        freed: swept.freed_objects,
    }
}
// ANCHOR_END: paced_cycle
