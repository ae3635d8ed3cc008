//! The stop-the-world collector checked against the ground truth on random
//! graphs with cycles: the black set against a breadth-first search, the
//! heap after the sweep against `H − Unreachable(H)`, the survivors against
//! dangling references, and the free list against the next allocations.
//!
//! Counts only, no timing: the same graphs give the same counts on every
//! machine. Used by the checks of C001-16, C001-19 and D33 (through
//! `figures::agreement`, measured once per run).

use super::graphs::{self, RandomGraph};
use super::heap::{Color, ObjId};
use super::stw;

/// Marking compared with the ground truth on random graphs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Agreement {
    /// Graphs tried.
    pub graphs: usize,
    /// Objects per graph.
    pub objects_per_graph: usize,
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
    let mut a = Agreement { objects_per_graph: objects, ..Agreement::default() };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_is_exact_on_small_graphs() {
        let a = agreement(5, 200);
        assert_eq!((a.mark_mismatches, a.sweep_mismatches, a.dangling), (0, 0, 0));
        assert_eq!(a.freed, a.objects - a.reachable);
        assert!(a.freed > 0, "35 % of fields filled leaves garbage");
        assert_eq!(a.reused_slots, a.freed);
    }
}
