//! Our answers to chapter 5's exercises (tests/mark_sweep/exercises.rs).
//! The starting point is tests/mark_sweep/starter.rs.

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
    if let Some(new) = write.new
        && gc.color(write.object) == Color::Black
        && gc.color(new) == Color::White
    {
        gc.regray(write.object);
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Marks every object reachable from the heap's stacks black, with an
/// explicit stack of gray objects instead of recursion, and returns how many
/// it marked. Every live object is white on entry.
pub fn mark_with_worklist(heap: &mut Heap) -> usize {
    let mut gray: Vec<ObjId> = Vec::new();
    let roots: Vec<ObjId> = heap.roots().collect();
    for root in roots {
        if heap.color(root) == Color::White {
            heap.set_color(root, Color::Gray);
            gray.push(root);
        }
    }
    let mut marked = 0;
    while let Some(id) = gray.pop() {
        if !heap.object(id).noscan {
            for child in heap.fields(id).into_iter().flatten() {
                // Gray or black: already found. This test ends cycles.
                if heap.color(child) == Color::White {
                    heap.set_color(child, Color::Gray);
                    gray.push(child);
                }
            }
        }
        heap.set_color(id, Color::Black);
        marked += 1;
    }
    marked
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
    let node = || TreeNode {
        drops: Rc::clone(drops),
        children: RefCell::new(Vec::new()),
        parent: RefCell::new(Weak::new()),
    };
    let parent = Rc::new(node());
    for _ in 0..n {
        let child = Rc::new(node());
        *child.parent.borrow_mut() = Rc::downgrade(&parent);
        parent.children.borrow_mut().push(child);
    }
    parent
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
    candidates
        .iter()
        .copied()
        .filter(|&gogc| {
            let setting = Setting { label: "", gogc: Some(gogc), limit: None };
            pacing::simulate(trace, setting, 8).peak_heap <= cap_bytes
        })
        .max()
}
// ANCHOR_END: exercise_4

// ANCHOR: exercise_5
/// Events for the heap stack 0 → A → B → W (stack 0 has three slots, A in
/// slot 0; the collector's budget is one unit per step) that make Dijkstra's
/// barrier without its final rescan free W while the program can reach it.
pub fn hide_from_dijkstra() -> Vec<Event> {
    let (g, a) = (0, ObjId::from_index(0));
    vec![
        // Let the collector scan stack 0 and A: the stack is black now.
        Event::StepUntilBlack(a),
        Event::Mutate(Op::Load { g, dst: 1, obj: 0, field: 0 }), // s1 = A.f0 (B)
        Event::Mutate(Op::Load { g, dst: 2, obj: 1, field: 0 }), // s2 = B.f0 (W)
        // Delete the heap's only reference to W: Dijkstra shades stores, not deletions.
        Event::Mutate(Op::Store { g, obj: 1, field: 0, val: None }),
        Event::Mutate(Op::Drop { g, slot: 1 }),
    ]
}
// ANCHOR_END: exercise_5
