//! Stop-the-world mark-sweep with an explicit gray worklist, and the plain
//! breadth-first reachability pass it is measured against.
//!
//! This is the fix for seed 001's recursive marker (D32): the gray set is a
//! `Vec`, not the call stack, so a cycle ends (a gray object is never shaded
//! twice) and a chain of ten million objects needs ten million worklist
//! pushes, not ten million stack frames.
//!
//! Not here: incremental marking and write barriers (`incremental.rs`).

use super::heap::{Color, FIELDS, Heap, ObjId, Object};
use std::collections::VecDeque;

// ANCHOR: worklist
/// Gray objects queued between the stack and the scanner. When an object
/// enters this window its memory is prefetched (both cache lines, when a
/// 24-byte object straddles two), so by the time it is scanned its fields
/// are (usually) in cache: the scans of the objects in the window overlap
/// their cache misses instead of paying them one after another. (Cher,
/// Hosking and Vijaykumar, "Software prefetching for mark-sweep garbage
/// collection", ASPLOS 2004; OCaml's marker prefetches the same way.) The
/// `throughput` figures time the marker with this window and without it
/// (`--table mlp`).
pub const PREFETCH_WINDOW: usize = 16;

/// The gray objects: reached, not yet scanned. A stack (depth-first, so the
/// worklist stays small on chains and trees) drained through a small FIFO
/// prefetch window, a ring of at most [`PREFETCH_WINDOW`] objects.
#[derive(Clone, Debug)]
pub struct GrayWorklist {
    stack: Vec<ObjId>,
    ring: [u32; PREFETCH_WINDOW],
    head: usize,
    queued: usize,
    window: usize,
}

impl Default for GrayWorklist {
    fn default() -> Self {
        Self::new()
    }
}

impl GrayWorklist {
    /// An empty worklist with the full prefetch window.
    pub fn new() -> Self {
        Self::with_window(PREFETCH_WINDOW)
    }

    /// An empty worklist whose window holds `window` objects (at most
    /// [`PREFETCH_WINDOW`]); 0 is a plain stack with no prefetching.
    pub fn with_window(window: usize) -> Self {
        let window = window.min(PREFETCH_WINDOW);
        Self { stack: Vec::new(), ring: [0; PREFETCH_WINDOW], head: 0, queued: 0, window }
    }

    /// Shades `id`: a white object turns gray and joins the worklist; a gray
    /// or black one is left alone. This test is what the seed's marker lacks.
    #[inline]
    pub fn shade(&mut self, colors: &mut [Color], id: ObjId) -> bool {
        let c = &mut colors[id.index()];
        if *c != Color::White {
            return false;
        }
        *c = Color::Gray;
        self.stack.push(id);
        true
    }

    /// Pushes an object already colored gray (a barrier that re-grays a
    /// black object), or marked in a bitmap ([`mark`]).
    #[inline]
    pub(crate) fn push_gray(&mut self, id: ObjId) {
        self.stack.push(id);
    }

    /// The next gray object to scan: refills the window from the stack,
    /// prefetching each object that enters it, and takes the oldest.
    #[inline]
    pub fn pop(&mut self, objects: &[Object]) -> Option<ObjId> {
        while self.queued < self.window {
            let Some(id) = self.stack.pop() else { break };
            prefetch(&objects[id.index()]);
            self.ring[(self.head + self.queued) % PREFETCH_WINDOW] = id.index() as u32;
            self.queued += 1;
        }
        if self.queued == 0 {
            return self.stack.pop(); // no window: a plain stack
        }
        let i = self.ring[self.head];
        self.head = (self.head + 1) % PREFETCH_WINDOW;
        self.queued -= 1;
        Some(ObjId::from_index(i as usize))
    }

    /// Gray objects waiting.
    pub fn len(&self) -> usize {
        self.stack.len() + self.queued
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The waiting objects (for the invariant checker).
    pub fn iter(&self) -> impl Iterator<Item = ObjId> + '_ {
        let ring = (0..self.queued).map(|k| {
            ObjId::from_index(self.ring[(self.head + k) % PREFETCH_WINDOW] as usize)
        });
        ring.chain(self.stack.iter().copied())
    }
}

/// Asks the CPU to start loading `obj`'s cache lines (its first and last
/// byte: a 24-byte object can straddle two). A hint only.
#[inline(always)]
fn prefetch(obj: &Object) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` needs the `sse` target feature, which every
    // x86-64 CPU has (it is part of the x86_64 baseline). A prefetch never
    // faults and changes no program state; both addresses lie inside `obj`.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let first = (obj as *const Object).cast::<i8>();
        _mm_prefetch::<_MM_HINT_T0>(first);
        _mm_prefetch::<_MM_HINT_T0>(first.add(size_of::<Object>() - 1));
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = obj;
}
// ANCHOR_END: worklist

/// What one marking did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarkStats {
    /// Objects scanned (turned black): the live objects found.
    pub marked: usize,
    /// Root slots scanned.
    pub roots_scanned: usize,
    /// Pointer fields examined (a pointer-free object has none to examine).
    pub fields_scanned: usize,
    /// Largest number of gray objects waiting at once.
    pub max_gray: usize,
}

// ANCHOR: mark
/// Marks every object reachable from the stacks black. Expects every live
/// object white on entry (sweep leaves them so).
///
/// While it runs, "reached" is one bit per object in a bitmap beside the
/// heap, as Go keeps its mark bits (`gcmarkBits`): gray is "bit set, on the
/// worklist", black "bit set, scanned". Half a megabyte of bits for four
/// million objects stays in the cache where a byte per object does not; the
/// colors are written once at the end, in arena order.
pub fn mark(heap: &mut Heap) -> MarkStats {
    mark_with_window(heap, PREFETCH_WINDOW)
}

/// [`mark`] with a prefetch window of `window` objects (0: a plain stack).
pub fn mark_with_window(heap: &mut Heap, window: usize) -> MarkStats {
    let mut gray = GrayWorklist::with_window(window);
    let mut stats = MarkStats::default();
    let mut reached = MarkBits::new(heap.slot_count());
    let roots: Vec<ObjId> = heap.roots().collect();
    let (objects, colors) = heap.objects_and_colors();
    for root in roots {
        stats.roots_scanned += 1;
        if reached.set(root) {
            gray.push_gray(root);
        }
    }
    stats.max_gray = gray.len();
    while let Some(id) = gray.pop(objects) {
        let obj = &objects[id.index()];
        if !obj.noscan {
            stats.fields_scanned += FIELDS;
            for child in obj.fields.into_iter().flatten() {
                if reached.set(child) {
                    gray.push_gray(child);
                }
            }
        }
        stats.marked += 1;
        stats.max_gray = stats.max_gray.max(gray.len());
    }
    for i in reached.ones() {
        colors[i] = Color::Black;
    }
    stats
}

/// One bit per arena slot: set once the object is reached.
struct MarkBits(Vec<u64>);

impl MarkBits {
    fn new(slots: usize) -> Self {
        Self(vec![0; slots.div_ceil(64)])
    }

    /// Sets `id`'s bit; true if it was clear (the object is newly reached).
    #[inline]
    fn set(&mut self, id: ObjId) -> bool {
        let i = id.index();
        let (word, bit) = (&mut self.0[i / 64], 1u64 << (i % 64));
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }

    /// The slots whose bit is set, in order.
    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let b = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + b
                })
            })
        })
    }
}
// ANCHOR_END: mark

// ANCHOR: plain_lifo
/// [`mark`] with a bare `Vec` stack and no prefetch window: each pop takes
/// the object whose address the previous scan just loaded, so on a heap laid
/// out in random order every scan waits for the one before it. Kept as the
/// benchmark's cautionary peer.
pub fn mark_plain_lifo(heap: &mut Heap) -> usize {
    let roots: Vec<ObjId> = heap.roots().collect();
    let (objects, colors) = heap.objects_and_colors();
    let mut stack = Vec::new();
    let mut marked = 0;
    for root in roots {
        if colors[root.index()] == Color::White {
            colors[root.index()] = Color::Gray;
            stack.push(root);
        }
    }
    while let Some(id) = stack.pop() {
        let obj = &objects[id.index()];
        if !obj.noscan {
            for child in obj.fields.into_iter().flatten() {
                if colors[child.index()] == Color::White {
                    colors[child.index()] = Color::Gray;
                    stack.push(child);
                }
            }
        }
        colors[id.index()] = Color::Black;
        marked += 1;
    }
    marked
}
// ANCHOR_END: plain_lifo

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepStats {
    /// White objects freed.
    pub freed_objects: usize,
    /// Their simulated bytes.
    pub freed_bytes: u64,
    /// Black objects kept (and turned white for the next cycle).
    pub survivors: usize,
}

// ANCHOR: sweep
/// Frees every white object (its slot goes on the free list) and turns every
/// black one white again for the next cycle. Panics on a gray object:
/// sweeping before marking finished is a collector bug.
pub fn sweep(heap: &mut Heap) -> SweepStats {
    let mut stats = SweepStats::default();
    for i in 0..heap.slot_count() {
        let id = ObjId::from_index(i);
        if !heap.is_live(id) {
            continue;
        }
        match heap.color(id) {
            Color::White => {
                stats.freed_objects += 1;
                stats.freed_bytes += u64::from(heap.object(id).bytes);
                heap.free_object(id);
            }
            Color::Black => {
                stats.survivors += 1;
                heap.set_color(id, Color::White);
            }
            Color::Gray => panic!("sweep found gray {id}: marking did not finish"),
        }
    }
    heap.count_collection();
    stats
}
// ANCHOR_END: sweep

/// Mark, then sweep: one stop-the-world collection.
pub fn collect(heap: &mut Heap) -> (MarkStats, SweepStats) {
    let m = mark(heap);
    let s = sweep(heap);
    (m, s)
}

// ANCHOR: bfs
/// A plain breadth-first reachability pass with a visited bitmap: no colors,
/// no sweep, nothing written to the heap. The lower bound for marking the
/// same graph, and the "mark bit" a stop-the-world collector really needs.
#[derive(Clone, Debug, Default)]
pub struct Bfs {
    visited: Vec<u64>,
    queue: VecDeque<ObjId>,
}

impl Bfs {
    /// Counts the objects reachable from the stacks of `heap`.
    pub fn count_reachable(&mut self, heap: &Heap) -> usize {
        self.visited.clear();
        self.visited.resize(heap.slot_count().div_ceil(64), 0);
        self.queue.clear();
        let mut count = 0;
        for root in heap.roots() {
            if visit(&mut self.visited, root) {
                self.queue.push_back(root);
            }
        }
        while let Some(id) = self.queue.pop_front() {
            count += 1;
            let obj = heap.object(id);
            if obj.noscan {
                continue;
            }
            for child in obj.fields.into_iter().flatten() {
                if visit(&mut self.visited, child) {
                    self.queue.push_back(child);
                }
            }
        }
        count
    }

    /// Whether the last pass reached `id`.
    pub fn reached(&self, id: ObjId) -> bool {
        let i = id.index();
        self.visited.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

#[inline]
fn visit(bits: &mut [u64], id: ObjId) -> bool {
    let i = id.index();
    let (word, bit) = (i / 64, 1u64 << (i % 64));
    let fresh = bits[word] & bit == 0;
    bits[word] |= bit;
    fresh
}
// ANCHOR_END: bfs

/// The set of objects reachable from the stacks, as a `Vec<bool>` by arena
/// slot: the ground truth the tests and the invariant checker compare with.
pub fn reachable_set(heap: &Heap) -> Vec<bool> {
    let mut bfs = Bfs::default();
    bfs.count_reachable(heap);
    (0..heap.slot_count()).map(|i| bfs.reached(ObjId::from_index(i))).collect()
}

#[cfg(test)]
mod tests {
    use super::super::graphs;
    use super::*;

    #[test]
    fn cycles_end_and_everything_reachable_is_black() {
        for n in [1, 2, 3, 10] {
            let mut h = graphs::ring(n);
            let m = mark(&mut h);
            assert_eq!(m.marked, n);
            assert!(h.live_ids().all(|id| h.color(id) == Color::Black));
        }
    }

    #[test]
    fn sweep_frees_exactly_the_unreachable() {
        let p = graphs::RandomGraph { objects: 300, fill_percent: 20, roots: 2, seed: 4 };
        let mut h = graphs::random_graph(p);
        let reach = reachable_set(&h);
        let expected = reach.iter().filter(|&&r| r).count();
        let (m, s) = collect(&mut h);
        assert_eq!(m.marked, expected);
        assert_eq!(s.survivors, expected);
        assert_eq!(s.freed_objects, 300 - expected);
        assert!(h.live_ids().all(|id| reach[id.index()] && h.color(id) == Color::White));
    }

    #[test]
    fn bfs_counts_what_mark_marks() {
        let mut h = graphs::shaped(1000, graphs::Shape::RandomOrder, 1);
        let n = Bfs::default().count_reachable(&h);
        assert_eq!(n, 1000);
        assert_eq!(mark(&mut h).marked, 1000);
    }
}
