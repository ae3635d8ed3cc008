//! The limit a marker works against: pointer chases over the heap it marks.
//!
//! A chase follows field 0 from object to object; each load needs the one
//! before it, so one chain pays a full memory latency per object. `K` chains
//! advanced in turn have `K` loads in flight: their rate is what the memory
//! system delivers to one core with `K`-way memory-level parallelism, and a
//! marker, which must load every object it marks, cannot beat the chase that
//! loads each object once with as many misses in flight as it can keep.
//! (16 chains: about as many misses as a core of this class keeps in flight;
//! `peers-and-limits.md` §9 measured 13 ns per load for 16 chains against
//! 159 ns for one on a 2-core KVM guest.)
//!
//! Not a marker: a chase marks nothing and reads one field of each object.

use super::heap::{Heap, ObjId};
use std::hint::black_box;

/// Starting points of `k` chains spread evenly along the field-0 walk that
/// starts at `from` (every object of a [`super::graphs::shaped`] heap lies on
/// it, in walk order).
pub fn chain_starts(heap: &Heap, from: ObjId, k: usize) -> Vec<ObjId> {
    let mut walk = Vec::with_capacity(heap.slot_count());
    let mut at = Some(from);
    while let Some(id) = at {
        walk.push(id);
        at = heap.field(id, 0);
        if walk.len() > heap.slot_count() {
            break; // a cycle: every object has been seen
        }
    }
    let n = walk.len().max(1);
    (0..k).map(|j| walk[(j * n / k.max(1)).min(walk.len() - 1)]).collect()
}

// ANCHOR: chase
/// Advances `K` cursors `steps` times each, in turn, along field 0 (a cursor
/// at the end of its chain starts again at its chain's start). Returns
/// the loads made, `K × steps`.
pub fn chase<const K: usize>(heap: &Heap, starts: &[ObjId; K], steps: usize) -> usize {
    let mut at = *starts;
    for _ in 0..steps {
        for (cursor, start) in at.iter_mut().zip(starts) {
            *cursor = heap.field(*cursor, 0).unwrap_or(*start);
        }
    }
    black_box(at);
    K * steps
}
// ANCHOR_END: chase
