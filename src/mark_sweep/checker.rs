//! The invariant checker: after any step of a simulation it says whether the
//! strong and the weak tri-color invariant hold, whether the colors agree
//! with the worklist, and, before a sweep, which reachable objects are about
//! to be freed.
//!
//! Stacks count as nodes of the graph: a scanned stack is black, a stack
//! still to be scanned is gray (see [`Incremental::stack_color`]).
//!
//! It walks the whole heap on every call: for tests and small simulations,
//! never for timing.

use super::barrier::Invariant;
use super::heap::{Color, Heap, ObjId};
use super::incremental::Incremental;
use super::stw;
use std::fmt;

/// A node that can hold a reference: an object or a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A heap object.
    Object(ObjId),
    /// Mutator stack `g`.
    Stack(usize),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Object(id) => write!(f, "{id}"),
            Node::Stack(g) => write!(f, "stack {g}"),
        }
    }
}

/// A reference from a node to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Who holds the reference.
    pub from: Node,
    /// The object referred to.
    pub to: ObjId,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}", self.from, self.to)
    }
}

/// What [`check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvariantCheck {
    /// References from a black node to a white object (the strong invariant
    /// forbids them).
    pub black_to_white: Vec<Edge>,
    /// Of those, the ones whose white target no gray node reaches through
    /// white objects (the weak invariant forbids them): the marker will
    /// never find these objects.
    pub unprotected: Vec<Edge>,
    /// Gray objects missing from the worklist, plus worklist entries that
    /// are not gray: the colors do not mean what they say.
    pub bookkeeping_errors: usize,
}

impl InvariantCheck {
    /// No black → white reference.
    pub fn strong(&self) -> bool {
        self.black_to_white.is_empty()
    }

    /// Every white object a black node refers to is gray-protected.
    pub fn weak(&self) -> bool {
        self.unprotected.is_empty()
    }

    /// Whether the invariant `promise` holds (and the bookkeeping is right).
    pub fn keeps(&self, promise: Invariant) -> bool {
        self.bookkeeping_errors == 0
            && match promise {
                Invariant::Strong => self.strong(),
                Invariant::Weak => self.weak(),
                Invariant::NoGuarantee => true,
            }
    }
}

fn node_color(heap: &Heap, gc: &Incremental, n: Node) -> Color {
    match n {
        Node::Object(id) => heap.color(id),
        Node::Stack(g) => gc.stack_color(g),
    }
}

/// Every reference in the heap: stack slots, then object fields.
pub fn edges(heap: &Heap) -> impl Iterator<Item = Edge> + '_ {
    let from_stacks = heap.stacks().iter().enumerate().flat_map(|(g, s)| {
        s.iter().flatten().map(move |&to| Edge { from: Node::Stack(g), to })
    });
    let from_objects = heap.live_ids().flat_map(move |id| {
        heap.fields(id)
            .into_iter()
            .flatten()
            .map(move |to| Edge { from: Node::Object(id), to })
    });
    from_stacks.chain(from_objects)
}

// ANCHOR: check
/// Checks the invariants of a marking cycle in progress.
pub fn check(heap: &Heap, gc: &Incremental) -> InvariantCheck {
    let white = |id: ObjId| heap.is_live(id) && heap.color(id) == Color::White;
    // White objects a gray node reaches through white objects only.
    let mut protected = vec![false; heap.slot_count()];
    let mut todo: Vec<ObjId> = edges(heap)
        .filter(|e| node_color(heap, gc, e.from) == Color::Gray && white(e.to))
        .map(|e| e.to)
        .collect();
    while let Some(id) = todo.pop() {
        if std::mem::replace(&mut protected[id.index()], true) {
            continue;
        }
        todo.extend(heap.fields(id).into_iter().flatten().filter(|&c| white(c)));
    }
    let mut out = InvariantCheck::default();
    for e in edges(heap) {
        if node_color(heap, gc, e.from) == Color::Black && white(e.to) {
            out.black_to_white.push(e);
            if !protected[e.to.index()] {
                out.unprotected.push(e);
            }
        }
    }
    let gray_objects =
        heap.live_ids().filter(|&id| heap.color(id) == Color::Gray).count();
    let listed = gc.gray().len();
    let listed_not_gray =
        gc.gray().iter().filter(|&id| heap.color(id) != Color::Gray).count();
    out.bookkeeping_errors =
        gray_objects.abs_diff(listed - listed_not_gray) + listed_not_gray;
    out
}
// ANCHOR_END: check

// ANCHOR: doomed
/// Objects the sweep is about to free although the mutator can still reach
/// them: reachable from a stack, and white when marking is done. A correct
/// collector always returns an empty list here.
pub fn doomed_reachable(heap: &Heap) -> Vec<ObjId> {
    let reachable = stw::reachable_set(heap);
    heap.live_ids()
        .filter(|&id| reachable[id.index()] && heap.color(id) == Color::White)
        .collect()
}
// ANCHOR_END: doomed

/// References that point at freed slots (after a sweep that freed a
/// reachable object): the use-after-free a real collector would cause.
pub fn dangling(heap: &Heap) -> Vec<Edge> {
    edges(heap).filter(|e| !heap.is_live(e.to)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::barrier::Barrier;
    use super::super::graphs;
    use super::*;

    #[test]
    fn a_black_to_white_edge_without_a_gray_path_breaks_both_invariants() {
        // stack 0 → A; A and B are separate; scan everything, then hide B in A.
        let mut h = Heap::new();
        let a = h.alloc(32, Color::White);
        let b = h.alloc(32, Color::White);
        h.push_root(a);
        h.push_root(b);
        let mut gc = Incremental::new(Barrier::NONE, 1);
        gc.start(&mut h);
        gc.step(&mut h); // scans stack 0: A and B gray
        gc.step(&mut h); // scans B (last pushed)
        assert!(check(&h, &gc).strong());
        gc.write_field(&mut h, 0, b, 0, Some(a)); // black B → gray A: fine
        assert!(check(&h, &gc).strong());
        assert_eq!(check(&h, &gc).bookkeeping_errors, 0);
        let mut h2 = graphs::chain(1);
        assert!(doomed_reachable(&h2).len() == 1, "white and reachable");
        crate::mark_sweep::stw::mark(&mut h2);
        assert!(doomed_reachable(&h2).is_empty());
    }
}
