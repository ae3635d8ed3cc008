//! Pacing: *when* a collection starts. A GOGC-style heap goal and a soft
//! memory limit, as the seeds' GC tuning sections set them
//! (`SetGCPercent`, `SetMemoryLimit`: seed 000 §1.2.3, seed 001 §6.1.1.4.2,
//! seed 003 best practice 4), drive the stop-the-world collector of
//! [`super::stw`] over an allocation trace.
//!
//! The goal follows Go's pacer (runtime/mgcpacer.go, Go 1.19+):
//! - GOGC: `goal = live + live × GOGC/100`, at least 4 MiB × GOGC/100
//!   (`defaultHeapMinimum`). The sim has no stacks or globals to add.
//! - Memory limit: `goal = limit − max(3 % of it, 1 MiB)`
//!   (`memoryLimitHeapGoal`), never below the live heap. The sim has no
//!   non-heap memory, so all of the limit is heap.
//! - The goal is the smaller of the two; a cycle starts when the heap reaches it.
//!
//! What the sim simplifies: collections are instantaneous (Go marks
//! concurrently and starts early, at a trigger below the goal); and Go's GC
//! CPU limiter (runtime/mgclimit.go, at most 50 % of CPU for the GC) is
//! modelled with an assumed cost: marking one object costs 1 unit, the
//! program spends [`MUTATOR_UNITS_PER_OBJECT`] units per object it
//! allocates. A cycle the memory limit forces may start only once the
//! program has spent, since the last cycle, at least the units that cycle
//! marked (GC at most half of the time); until then the heap grows past the
//! limit. That is the limit being *soft*.

use super::heap::{Color, Heap, ObjId};
use super::stw;

/// Go's `defaultHeapMinimum`: the smallest goal at GOGC=100.
pub const HEAP_MINIMUM: u64 = 4 << 20;
/// Go's `memoryLimitHeapGoalHeadroomPercent`.
pub const LIMIT_HEADROOM_PERCENT: u64 = 3;
/// Go's `memoryLimitMinHeapGoalHeadroom`.
pub const LIMIT_MIN_HEADROOM: u64 = 1 << 20;
/// Assumed work the program does per object it allocates, in units of
/// "marking one object" (only used by the CPU limiter model).
pub const MUTATOR_UNITS_PER_OBJECT: u64 = 10;

/// A GC configuration: `GOGC` (`None` is `off`) and `GOMEMLIMIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// Label for tables.
    pub label: &'static str,
    /// GOGC percent; `None` for `GOGC=off`.
    pub gogc: Option<u32>,
    /// Soft memory limit in bytes.
    pub limit: Option<u64>,
}

impl Setting {
    // ANCHOR: goal
    /// The heap size at which the next cycle starts, given the live heap
    /// the last cycle left; and whether the memory limit set it.
    pub fn goal(&self, live: u64) -> (u64, bool) {
        let gogc_goal = match self.gogc {
            Some(p) => {
                (live + live * u64::from(p) / 100).max(HEAP_MINIMUM * u64::from(p) / 100)
            }
            None => u64::MAX,
        };
        let limit_goal = match self.limit {
            Some(limit) => {
                let headroom =
                    (limit / 100 * LIMIT_HEADROOM_PERCENT).max(LIMIT_MIN_HEADROOM);
                limit.saturating_sub(headroom).max(headroom).max(live)
            }
            None => u64::MAX,
        };
        (gogc_goal.min(limit_goal), limit_goal < gogc_goal)
    }
    // ANCHOR_END: goal
}

/// The settings the example compares: the default, the seeds' own calls,
/// and the two knobs pushed each way.
pub fn seed_settings() -> Vec<Setting> {
    vec![
        Setting { label: "GOGC=100 (default)", gogc: Some(100), limit: None },
        Setting { label: "GOGC=50", gogc: Some(50), limit: None },
        Setting { label: "GOGC=200", gogc: Some(200), limit: None },
        Setting {
            label: "GOGC=100, limit 1 GiB (seeds 000, 001)",
            gogc: Some(100),
            limit: Some(1 << 30),
        },
        Setting {
            label: "GOGC=50, limit 100 MiB (seed 003)",
            gogc: Some(50),
            limit: Some(100 << 20),
        },
        Setting { label: "GOGC=off, limit 192 MiB", gogc: None, limit: Some(192 << 20) },
    ]
}

/// One phase of a trace: the program keeps `live_bytes` alive while it
/// allocates `alloc_bytes` (each new object replaces the oldest live one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Bytes the program keeps reachable.
    pub live_bytes: u64,
    /// Bytes it allocates in this phase.
    pub alloc_bytes: u64,
}

/// An allocation trace: fixed-size objects, phases of live-set sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Size of every object.
    pub object_bytes: u32,
    /// The phases, in order.
    pub phases: Vec<Phase>,
}

impl Trace {
    /// A service with a 32 MiB live set, a burst to 128 MiB, and back;
    /// 1 GiB allocated in each phase (divided by `scale_down`).
    pub fn burst(scale_down: u64) -> Self {
        let p = |live: u64, alloc: u64| Phase {
            live_bytes: (live << 20) / scale_down,
            alloc_bytes: (alloc << 20) / scale_down,
        };
        Trace {
            object_bytes: 16 << 10,
            phases: vec![p(32, 1024), p(128, 1024), p(32, 1024)],
        }
    }

    /// Total bytes allocated.
    pub fn total_bytes(&self) -> u64 {
        self.phases.iter().map(|p| p.alloc_bytes).sum()
    }
}

/// What a setting did over a trace.
#[derive(Clone, Debug, PartialEq)]
pub struct PacingRun {
    /// The setting.
    pub setting: Setting,
    /// Collections run.
    pub collections: u64,
    /// Of those, the ones whose goal the memory limit set.
    pub limit_driven: u64,
    /// Times a limit-driven cycle was due but the CPU limiter held it back.
    pub limiter_delays: u64,
    /// Largest heap (live + garbage not yet collected).
    pub peak_heap: u64,
    /// Heap averaged over allocations.
    pub mean_heap: f64,
    /// Objects marked, all cycles.
    pub mark_work: u64,
    /// Mark work over (mark work + mutator work), with the assumed costs.
    pub gc_share: f64,
    /// Largest heap in each of the timeline's equal slices of allocation.
    pub timeline: Vec<u64>,
    /// `(bytes allocated so far, heap)` just before and just after every
    /// cycle, and at the end.
    pub sawtooth: Vec<(u64, u64)>,
}

// ANCHOR: simulate
/// Runs `trace` under `setting`; the timeline has `slices` entries.
pub fn simulate(trace: &Trace, setting: Setting, slices: usize) -> PacingRun {
    let obj = u64::from(trace.object_bytes);
    let max_live =
        trace.phases.iter().map(|p| p.live_bytes / obj).max().unwrap_or(0) as usize;
    let mut heap = Heap::with_capacity(2 * max_live + 1024);
    let g = heap.add_stack(max_live.max(1));
    let slice_bytes = trace.total_bytes().div_ceil(slices.max(1) as u64).max(1);
    let mut run = PacingRun {
        setting,
        collections: 0,
        limit_driven: 0,
        limiter_delays: 0,
        peak_heap: 0,
        mean_heap: 0.0,
        mark_work: 0,
        gc_share: 0.0,
        timeline: vec![0; slices],
        sawtooth: Vec::new(),
    };
    let (mut goal, mut by_limit) = setting.goal(0);
    let (mut allocated, mut allocations, mut heap_sum, mut cursor) =
        (0u64, 0u64, 0f64, 0usize);
    let (mut since_cycle, mut last_marked) = (0u64, 0u64);
    for phase in &trace.phases {
        let keep = ((phase.live_bytes / obj) as usize).clamp(1, max_live.max(1));
        for slot in &mut heap.stack_mut(g)[keep..] {
            *slot = None; // the live set shrinks: these become garbage
        }
        for _ in 0..phase.alloc_bytes / obj {
            let id: ObjId = heap.alloc(trace.object_bytes, Color::White);
            heap.stack_mut(g)[cursor % keep] = Some(id); // the oldest dies
            cursor += 1;
            allocated += obj;
            allocations += 1;
            let size = heap.stats().live_bytes;
            since_cycle += 1;
            if size >= goal {
                // The limiter: a cycle the limit forces waits until the
                // program has done as much work as the last cycle marked.
                if !by_limit || since_cycle * MUTATOR_UNITS_PER_OBJECT >= last_marked {
                    run.sawtooth.push((allocated, size));
                    let (m, _) = stw::collect(&mut heap);
                    run.collections += 1;
                    run.limit_driven += u64::from(by_limit);
                    run.mark_work += m.marked as u64;
                    last_marked = m.marked as u64;
                    since_cycle = 0;
                    let live = heap.stats().live_bytes;
                    run.sawtooth.push((allocated, live));
                    (goal, by_limit) = setting.goal(live);
                } else {
                    run.limiter_delays += 1;
                }
            }
            let size = heap.stats().live_bytes;
            run.peak_heap = run.peak_heap.max(size);
            heap_sum += size as f64;
            let s =
                (((allocated - 1) / slice_bytes) as usize).min(slices.saturating_sub(1));
            if let Some(t) = run.timeline.get_mut(s) {
                *t = (*t).max(size);
            }
        }
    }
    run.sawtooth.push((allocated, heap.stats().live_bytes));
    run.mean_heap = heap_sum / allocations.max(1) as f64;
    let mutator = (allocations * MUTATOR_UNITS_PER_OBJECT) as f64;
    run.gc_share = run.mark_work as f64 / (run.mark_work as f64 + mutator).max(1.0);
    run
}
// ANCHOR_END: simulate

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_follow_gogc_and_the_limit() {
        let mib = 1u64 << 20;
        let d = Setting { label: "", gogc: Some(100), limit: None };
        assert_eq!(d.goal(10 * mib), (20 * mib, false));
        assert_eq!(d.goal(0), (4 * mib, false), "the heap minimum");
        let l = Setting { label: "", gogc: Some(100), limit: Some(100 * mib) };
        assert_eq!(l.goal(10 * mib), (20 * mib, false));
        assert_eq!(l.goal(60 * mib), (97 * mib, true), "limit minus 3 %");
        assert_eq!(l.goal(120 * mib), (120 * mib, true), "never below live");
        let off = Setting { label: "", gogc: None, limit: None };
        assert_eq!(off.goal(mib).0, u64::MAX);
    }

    #[test]
    fn higher_gogc_means_fewer_collections_and_a_bigger_heap() {
        let t = Trace::burst(16);
        let runs: Vec<PacingRun> = [50, 100, 200]
            .map(|p| simulate(&t, Setting { label: "", gogc: Some(p), limit: None }, 8))
            .into();
        assert!(runs[0].collections > runs[1].collections);
        assert!(runs[1].collections > runs[2].collections);
        assert!(
            runs[0].peak_heap < runs[1].peak_heap
                && runs[1].peak_heap < runs[2].peak_heap
        );
    }
}
