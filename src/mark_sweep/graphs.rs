//! Object graphs to collect: chains, cycles, random graphs with garbage, and
//! the two large shapes the benchmark marks (allocation order, random order).
//!
//! Every builder is deterministic: a seed fixes the graph.

use super::heap::{Color, DEFAULT_BYTES, FIELDS, Heap, ObjId};
use crate::measure::rng::SplitMix64;

/// A chain `#0 → #1 → … → #(n-1)` (field 0), rooted at `#0` on stack 0.
pub fn chain(n: usize) -> Heap {
    let mut h = Heap::with_capacity(n);
    let mut prev: Option<ObjId> = None;
    for _ in 0..n {
        let id = h.alloc(DEFAULT_BYTES, Color::White);
        if let Some(p) = prev {
            h.set_field(p, 0, Some(id));
        }
        prev = Some(id);
    }
    if n > 0 {
        h.push_root(ObjId::from_index(0));
    }
    h
}

/// A ring of `n` objects (`#0 → #1 → … → #0`), rooted at `#0`. `ring(2)` is
/// the two-node cycle A ⇄ B; `ring(1)` is an object that points at itself.
pub fn ring(n: usize) -> Heap {
    assert!(n > 0, "a ring needs at least one object");
    let mut h = chain(n);
    let last = ObjId::from_index(n - 1);
    let first = ObjId::from_index(0);
    // A self-loop goes in field 0; a longer ring closes with the last object's field 0.
    h.set_field(last, 0, Some(first));
    h
}

/// Parameters of [`random_graph`].
#[derive(Clone, Copy, Debug)]
pub struct RandomGraph {
    /// Objects to allocate.
    pub objects: usize,
    /// Percentage of fields that hold a reference (the rest are nil).
    pub fill_percent: u32,
    /// Roots to push on stack 0 (random objects).
    pub roots: usize,
    /// Seed of the graph.
    pub seed: u64,
}

/// A random graph: every field of every object points at a random object
/// with probability `fill_percent`, so it has cycles, shared objects and
/// (usually) unreachable garbage.
pub fn random_graph(p: RandomGraph) -> Heap {
    let mut rng = SplitMix64::new(p.seed);
    let mut h = Heap::with_capacity(p.objects);
    let ids: Vec<ObjId> =
        (0..p.objects).map(|_| h.alloc(DEFAULT_BYTES, Color::White)).collect();
    if ids.is_empty() {
        return h;
    }
    for &id in &ids {
        for f in 0..FIELDS {
            if rng.percent(p.fill_percent) {
                h.set_field(id, f, Some(ids[rng.below(ids.len())]));
            }
        }
    }
    h.add_stack(0);
    for _ in 0..p.roots {
        h.push_root(ids[rng.below(ids.len())]);
    }
    h
}

/// How a large benchmark heap is laid out in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Object `i` points at `i + 1` and at `i + 1 + r` with `r < 64`: what a
    /// program that builds a structure front to back leaves behind. Marking
    /// walks memory almost sequentially.
    AllocationOrder,
    /// The same two edges per object, but through a random permutation of the
    /// arena: each step of the walk lands on an unrelated cache line.
    RandomOrder,
}

impl Shape {
    /// `allocation order` or `random order`.
    pub fn name(self) -> &'static str {
        match self {
            Shape::AllocationOrder => "allocation order",
            Shape::RandomOrder => "random order",
        }
    }
}

/// A heap of `n` objects, all reachable from one root, each with two
/// references (one of them to its successor in the walk order), laid out as
/// `shape` says. The same shape as the C baseline in
/// `shared/research/peers-and-limits.md` §5.2.
pub fn shaped(n: usize, shape: Shape, seed: u64) -> Heap {
    let mut rng = SplitMix64::new(seed);
    let mut h = Heap::with_capacity(n);
    for _ in 0..n {
        h.alloc(DEFAULT_BYTES, Color::White);
    }
    if n == 0 {
        return h;
    }
    // order[k] is the arena slot of the k-th object of the walk.
    let mut order: Vec<u32> = (0..n as u32).collect();
    if shape == Shape::RandomOrder {
        rng.shuffle(&mut order);
    }
    for k in 0..n {
        let id = ObjId::from_index(order[k] as usize);
        if k + 1 < n {
            h.set_field(id, 0, Some(ObjId::from_index(order[k + 1] as usize)));
        }
        let side = match shape {
            Shape::AllocationOrder => k + 1 + rng.below(64),
            Shape::RandomOrder => rng.below(n),
        };
        if side < n {
            h.set_field(id, 1, Some(ObjId::from_index(order[side] as usize)));
        }
    }
    h.push_root(ObjId::from_index(order[0] as usize));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_and_ring_have_the_right_edges() {
        let c = chain(3);
        assert_eq!(c.field(ObjId::from_index(0), 0), Some(ObjId::from_index(1)));
        assert_eq!(c.field(ObjId::from_index(2), 0), None);
        let r = ring(2);
        assert_eq!(r.field(ObjId::from_index(1), 0), Some(ObjId::from_index(0)));
        let s = ring(1);
        assert_eq!(s.field(ObjId::from_index(0), 0), Some(ObjId::from_index(0)));
    }

    #[test]
    fn random_graphs_are_reproducible() {
        let p = RandomGraph { objects: 50, fill_percent: 40, roots: 3, seed: 9 };
        let (a, b) = (random_graph(p), random_graph(p));
        for id in a.live_ids() {
            assert_eq!(a.fields(id), b.fields(id));
        }
        assert_eq!(a.roots().count(), 3);
    }
}
