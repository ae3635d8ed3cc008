//! Chapter 5's exercises, to write: each function below is called by a test
//! in tests/mark_sweep/exercises.rs. Run them with
//! `cargo test --test mark_sweep --features starter` and replace each
//! `todo!()` until they pass. Our answers are in tests/mark_sweep/solution.rs.
#![allow(unused)]

use perf_workbook::mark_sweep::barrier::{PointerWrite, Shade};
use perf_workbook::mark_sweep::heap::{Color, Heap, ObjId};
use perf_workbook::mark_sweep::mutator::{Event, Op};
use perf_workbook::mark_sweep::pacing::{self, Setting, Trace};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

// ANCHOR: exercise_1
/// Steele's "backward" barrier (as in Lua and gc-arena): when a pointer to
/// a white object is stored into a black object, turn the *black object*
/// gray again so the collector rescans it. Stack writes have no barrier, so
/// it needs the final rescan, like Dijkstra's.
pub fn backward_barrier(write: &PointerWrite, gc: &mut Shade<'_>) {
    // TODO: if `write.new` is white and `write.object` is black, re-gray
    // `write.object` (`gc.color`, `gc.regray`).
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Marks every object reachable from the heap's stacks black, with an
/// explicit stack of gray objects instead of recursion, and returns how many
/// it marked. Every live object is white on entry.
pub fn mark_with_worklist(heap: &mut Heap) -> usize {
    // TODO: shade the roots (`heap.roots()`) gray onto a `Vec`; pop one at a
    // time, shade its white children (`heap.fields(id)`, skip a `noscan`
    // object), paint it black (`heap.set_color`), and count it.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// A node of a tree: strong edges down to the children, a weak edge up.
pub struct TreeNode {
    /// Counts drops.
    pub drops: Rc<Cell<usize>>,
    /// The children, owned.
    pub children: RefCell<Vec<Rc<TreeNode>>>,
    /// The parent, not owned.
    pub parent: RefCell<Weak<TreeNode>>,
}

impl Drop for TreeNode {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

/// Builds a parent with `n` children, each of which can reach its parent.
/// Returns the parent. Dropping it must drop all `1 + n` nodes.
pub fn family(drops: &Rc<Cell<usize>>, n: usize) -> Rc<TreeNode> {
    // TODO: make the parent, then each child with `parent` set to
    // `Rc::downgrade(&parent)`, pushed into `parent.children`.
    todo!()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// The largest GOGC of `candidates` whose heap never goes past `cap_bytes`
/// over `trace` (no memory limit), or `None` when none of them keeps it
/// there. Simulate each with `pacing::simulate`.
pub fn largest_gogc_under(
    trace: &Trace,
    cap_bytes: u64,
    candidates: &[u32],
) -> Option<u32> {
    // TODO: for each candidate, simulate
    // `Setting { label: "", gogc: Some(gogc), limit: None }` over `trace`
    // and keep it when its `peak_heap` is at most `cap_bytes`; return the largest.
    todo!()
}
// ANCHOR_END: exercise_4

// ANCHOR: exercise_5
/// Events for the heap stack 0 → A → B → W (stack 0 has three slots, A in
/// slot 0; the collector's budget is one unit per step) that make Dijkstra's
/// barrier without its final rescan free W while the program can reach it.
pub fn hide_from_dijkstra() -> Vec<Event> {
    // TODO: let the collector scan stack 0 and A (`Event::StepUntilBlack`),
    // then load W into a stack slot and delete the heap's only reference to
    // it (`Event::Mutate(Op::Load { .. })`, `Op::Store { val: None, .. }`).
    todo!()
}
// ANCHOR_END: exercise_5
