//! Incremental marking: the collector marks in steps of a fixed work budget,
//! and the mutator runs between steps, allocating and writing pointers
//! through the selected [`Barrier`].
//!
//! Work is counted in units: one per object scanned, and one per reference
//! held by a stack when the stack is scanned (at least one per stack). A
//! step stops before the unit that would take it past its budget, except
//! that it always does at least one indivisible piece (one object, or one
//! whole stack). Stop-the-world pauses (Yuasa's snapshot, Dijkstra's final
//! rescan) are reported apart from steps.
//!
//! Not here: sweeping incrementally (the sweep is one call), concurrency
//! (mutator and collector take turns on one thread), and pacing
//! (`pacing.rs` decides *when* a cycle starts).

use super::barrier::{Barrier, PointerWrite, RootScan, Shade};
use super::heap::{Color, Heap, ObjId};
use super::stw::{self, GrayWorklist, SweepStats};

/// Where the collector is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not collecting: no barrier, new objects are white.
    Idle,
    /// Marking: barrier on, new objects are black.
    Marking,
    /// Marking finished; [`Incremental::finish`] must sweep before the
    /// mutator runs again.
    MarkDone,
}

/// A stop-the-world pause, as opposed to a budgeted step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pause {
    /// Yuasa: every stack scanned at once when the cycle starts.
    StartSnapshot,
    /// Dijkstra: every stack scanned again, and the gray set drained, at the end.
    FinalRescan,
}

/// What one call to [`Incremental::step`] (or the start) did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// Units of work done.
    pub work: usize,
    /// `Some` if this was a stop-the-world pause rather than a step.
    pub pause: Option<Pause>,
    /// Marking is finished: call [`Incremental::finish`].
    pub done: bool,
}

/// Running totals over every cycle of one collector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IncStats {
    /// Completed cycles.
    pub cycles: usize,
    /// Budgeted steps taken.
    pub steps: usize,
    /// Stop-the-world pauses taken.
    pub pauses: usize,
    /// All units of work, steps and pauses.
    pub work: usize,
    /// Objects scanned (turned black by the collector).
    pub objects_scanned: usize,
    /// Units spent scanning stacks.
    pub stack_work: usize,
    /// The largest step.
    pub max_step_work: usize,
    /// The largest pause.
    pub max_pause_work: usize,
    /// Objects the barrier shaded (or re-grayed).
    pub barrier_shades: usize,
    /// Objects allocated black during marking.
    pub allocated_black: usize,
}

/// An incremental tri-color collector over a [`Heap`].
#[derive(Clone, Debug)]
pub struct Incremental {
    barrier: Barrier,
    budget: usize,
    phase: Phase,
    gray: GrayWorklist,
    /// `scanned[g]`: stack `g` has been scanned in this cycle.
    scanned: Vec<bool>,
    rescanned: bool,
    stats: IncStats,
}

impl Incremental {
    /// A collector with `barrier` that does at most `budget` units per step.
    pub fn new(barrier: Barrier, budget: usize) -> Self {
        assert!(budget > 0, "a step needs a budget of at least one unit");
        Self {
            barrier,
            budget,
            phase: Phase::Idle,
            gray: GrayWorklist::new(),
            scanned: Vec::new(),
            rescanned: false,
            stats: IncStats::default(),
        }
    }

    /// The barrier configuration.
    pub fn barrier(&self) -> Barrier {
        self.barrier
    }

    /// The work budget of a step.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The running totals.
    pub fn stats(&self) -> IncStats {
        self.stats
    }

    /// The gray worklist.
    pub fn gray(&self) -> &GrayWorklist {
        &self.gray
    }

    /// Whether stack `g` has been scanned in this cycle.
    pub fn stack_scanned(&self, g: usize) -> bool {
        self.scanned.get(g).copied().unwrap_or(false)
    }

    /// The color a stack has for the invariants: black once scanned for
    /// good, gray while it still has to be scanned (Dijkstra's stacks stay
    /// gray until the final rescan, since their writes are not barriered).
    pub fn stack_color(&self, g: usize) -> Color {
        let rescan_due =
            self.barrier.roots == RootScan::IncrementalThenRescan && !self.rescanned;
        if self.stack_scanned(g) && !rescan_due { Color::Black } else { Color::Gray }
    }

    /// Starts a cycle. Every live object must be white. Returns the pause
    /// report if the root protocol stops the world to snapshot the stacks.
    pub fn start(&mut self, heap: &mut Heap) -> Option<StepReport> {
        assert_eq!(self.phase, Phase::Idle, "a cycle is already running");
        debug_assert!(heap.live_ids().all(|id| heap.color(id) == Color::White));
        self.phase = Phase::Marking;
        self.scanned = vec![false; heap.stacks().len()];
        self.rescanned = false;
        if self.barrier.roots != RootScan::SnapshotAtStart {
            return None;
        }
        let work = (0..heap.stacks().len()).map(|g| self.scan_stack(heap, g)).sum();
        Some(self.record_pause(work, Pause::StartSnapshot))
    }

    // ANCHOR: step
    /// One budgeted step: scan unscanned stacks, then gray objects, until the
    /// budget is spent or nothing is left. When nothing is left, marking is
    /// done (after Dijkstra's final rescan, which this call then performs
    /// as a pause).
    pub fn step(&mut self, heap: &mut Heap) -> StepReport {
        assert_eq!(self.phase, Phase::Marking, "step outside a marking cycle");
        let mut work = 0;
        // Stacks first, each one whole, as long as it fits the budget.
        while let Some(g) = self.scanned.iter().position(|s| !s) {
            let cost = stack_cost(&heap.stacks()[g]);
            if work > 0 && work + cost > self.budget {
                break;
            }
            work += self.scan_stack(heap, g);
        }
        // Then gray objects, one unit each, with what is left of the budget.
        if self.scanned.iter().all(|&s| s) {
            work += self.drain(heap, self.budget.saturating_sub(work));
        }
        let finished = self.scanned.iter().all(|&s| s) && self.gray.is_empty();
        self.stats.steps += 1;
        self.stats.work += work;
        self.stats.max_step_work = self.stats.max_step_work.max(work);
        if !finished {
            return StepReport { work, pause: None, done: false };
        }
        if self.barrier.roots == RootScan::IncrementalThenRescan && !self.rescanned {
            // The world stops: every stack again, then drain what it found.
            let mut pause =
                (0..heap.stacks().len()).map(|g| self.scan_stack(heap, g)).sum();
            pause += self.drain(heap, usize::MAX);
            self.rescanned = true;
            self.phase = Phase::MarkDone;
            let mut report = self.record_pause(pause, Pause::FinalRescan);
            report.work += work;
            return report;
        }
        self.phase = Phase::MarkDone;
        StepReport { work, pause: None, done: true }
    }
    // ANCHOR_END: step

    /// Steps until marking is done; returns the work done.
    pub fn mark_to_end(&mut self, heap: &mut Heap) -> usize {
        let mut work = 0;
        while self.phase == Phase::Marking {
            work += self.step(heap).work;
        }
        work
    }

    /// Sweeps (white objects are freed) and ends the cycle.
    pub fn finish(&mut self, heap: &mut Heap) -> SweepStats {
        assert_eq!(self.phase, Phase::MarkDone, "finish before marking is done");
        let s = stw::sweep(heap);
        self.phase = Phase::Idle;
        self.stats.cycles += 1;
        s
    }

    /// Allocates for the mutator: black while marking (it cannot be garbage
    /// yet, and it has no fields to scan), white otherwise.
    pub fn alloc(&mut self, heap: &mut Heap, bytes: u32) -> ObjId {
        debug_assert_ne!(self.phase, Phase::MarkDone, "sweep before the mutator runs");
        if self.phase == Phase::Marking {
            self.stats.allocated_black += 1;
            heap.alloc(bytes, Color::Black)
        } else {
            heap.alloc(bytes, Color::White)
        }
    }

    // ANCHOR: write_field
    /// The mutator on stack `writer` stores `new` into field `field` of
    /// `object`: while marking, the barrier sees the write first.
    pub fn write_field(
        &mut self,
        heap: &mut Heap,
        writer: usize,
        object: ObjId,
        field: usize,
        new: Option<ObjId>,
    ) {
        debug_assert_ne!(self.phase, Phase::MarkDone, "sweep before the mutator runs");
        if self.phase == Phase::Marking {
            let write = PointerWrite {
                object,
                field,
                old: heap.field(object, field),
                new,
                stack_scanned: self.stack_scanned(writer),
            };
            let (_, colors) = heap.objects_and_colors();
            let mut gc =
                Shade::new(colors, &mut self.gray, &mut self.stats.barrier_shades);
            (self.barrier.write)(&write, &mut gc);
        }
        heap.set_field(object, field, new);
    }
    // ANCHOR_END: write_field

    fn scan_stack(&mut self, heap: &mut Heap, g: usize) -> usize {
        let slots: Vec<ObjId> = heap.stacks()[g].iter().flatten().copied().collect();
        let (_, colors) = heap.objects_and_colors();
        for id in &slots {
            self.gray.shade(colors, *id);
        }
        self.scanned[g] = true;
        let cost = slots.len().max(1);
        self.stats.stack_work += cost;
        cost
    }

    /// Scans up to `limit` gray objects; returns how many it scanned.
    fn drain(&mut self, heap: &mut Heap, limit: usize) -> usize {
        let (objects, colors) = heap.objects_and_colors();
        let mut n = 0;
        while n < limit {
            let Some(id) = self.gray.pop(objects) else { break };
            let obj = &objects[id.index()];
            if !obj.noscan {
                for child in obj.fields.into_iter().flatten() {
                    self.gray.shade(colors, child);
                }
            }
            colors[id.index()] = Color::Black;
            n += 1;
        }
        self.stats.objects_scanned += n;
        n
    }

    fn record_pause(&mut self, work: usize, pause: Pause) -> StepReport {
        self.stats.pauses += 1;
        self.stats.work += work;
        self.stats.max_pause_work = self.stats.max_pause_work.max(work);
        StepReport { work, pause: Some(pause), done: false }
    }
}

/// Units to scan a stack: one per reference it holds, at least one.
fn stack_cost(stack: &[Option<ObjId>]) -> usize {
    stack.iter().flatten().count().max(1)
}

#[cfg(test)]
mod tests {
    use super::super::graphs;
    use super::*;

    #[test]
    fn without_a_mutator_incremental_marks_what_stw_marks() {
        for barrier in Barrier::ALL {
            let p =
                graphs::RandomGraph { objects: 400, fill_percent: 30, roots: 3, seed: 2 };
            let mut a = graphs::random_graph(p);
            let mut b = a.clone();
            let stw_marked = stw::mark(&mut a).marked;
            let mut gc = Incremental::new(barrier, 7);
            gc.start(&mut b);
            gc.mark_to_end(&mut b);
            assert_eq!(gc.stats().objects_scanned, stw_marked, "{}", barrier.name);
            assert!(gc.stats().max_step_work <= 7, "{}", barrier.name);
            for id in a.live_ids() {
                assert_eq!(a.color(id), b.color(id));
            }
        }
    }

    #[test]
    fn an_object_cut_off_before_marking_is_freed() {
        let mut h = graphs::chain(2);
        let mut gc = Incremental::new(Barrier::NONE, 100);
        gc.start(&mut h);
        let (a, b) = (ObjId::from_index(0), ObjId::from_index(1));
        h.set_field(a, 0, None);
        gc.step(&mut h);
        assert_eq!(h.color(a), Color::Black);
        assert_eq!(h.color(b), Color::White);
        // nothing is left, so the collector is done and b would be freed
        assert_eq!(gc.phase(), Phase::MarkDone);
        assert_eq!(gc.finish(&mut h).freed_objects, 1);
    }
}
