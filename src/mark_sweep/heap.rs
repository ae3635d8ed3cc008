//! The simulated heap: objects in an arena addressed by index, each with a
//! color and up to [`FIELDS`] outgoing references; mutator stacks that hold
//! the roots; allocation from a free list; statistics.
//!
//! It is a model of a garbage-collected heap, not an allocator: an object's
//! `bytes` is a number the pacing simulation adds up, no memory of that size
//! exists. What is real is the graph, and the cost of walking it.
//!
//! Colors live in their own array beside the objects, as Go keeps its mark
//! bits in a side bitmap per span (`gcmarkBits`, runtime/mheap.go), so that
//! shading a child does not have to touch the child itself.

use std::fmt;
use std::num::NonZeroU32;

/// Pointer slots per object: a small Go struct with four pointer fields.
pub const FIELDS: usize = 4;

/// The size the simulation gives an object unless told otherwise: four
/// 8-byte pointers.
pub const DEFAULT_BYTES: u32 = 32;

/// The address of an object: its index in the arena, stored plus one so that
/// `Option<ObjId>` (a nullable pointer) is still 4 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjId(NonZeroU32);

impl ObjId {
    /// The object in arena slot `index`. Panics past `u32::MAX - 1` slots.
    pub fn from_index(index: usize) -> Self {
        let raw = u32::try_from(index + 1).expect("arena index fits in u32");
        Self(NonZeroU32::new(raw).expect("index + 1 is not zero"))
    }

    /// The arena slot.
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

impl fmt::Debug for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index())
    }
}

impl fmt::Display for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index())
    }
}

// ANCHOR: color
/// The three colors of seed 001 §6.1.1.4.1 (L185-191).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Color {
    /// Not reached (yet) in this cycle. White objects left after marking are garbage.
    White,
    /// Reached, and on the gray worklist: its fields are not scanned yet.
    Gray,
    /// Reached and scanned: every field was shaded when it was scanned.
    Black,
}
// ANCHOR_END: color

/// One object: its pointer fields and the size the simulation gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// Outgoing references (`None` is a nil pointer).
    pub fields: [Option<ObjId>; FIELDS],
    /// Simulated size in bytes (counted by the statistics and the pacer).
    pub bytes: u32,
    /// Pointer-free payload (a Go `[]byte`): the marker never scans it, and
    /// its fields stay `None`.
    pub noscan: bool,
    live: bool,
}

impl Object {
    const FREE: Object =
        Object { fields: [None; FIELDS], bytes: 0, noscan: false, live: false };
}

/// A mutator's stack: slots that may hold a reference. The roots of the heap
/// are the non-empty slots of all stacks.
pub type Stack = Vec<Option<ObjId>>;

/// Running totals of a heap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Objects allocated and not freed.
    pub live_objects: usize,
    /// Their simulated bytes.
    pub live_bytes: u64,
    /// Objects ever allocated.
    pub allocated_objects: u64,
    /// Bytes ever allocated.
    pub allocated_bytes: u64,
    /// Objects freed by sweeps.
    pub freed_objects: u64,
    /// Bytes freed by sweeps.
    pub freed_bytes: u64,
    /// Completed collections (mark + sweep).
    pub collections: u64,
}

/// The arena of objects, their colors, the free list and the stacks.
/// A clone keeps the original's spare capacity, so allocating in a clone
/// does not start by copying the whole arena.
#[derive(Debug, Default)]
pub struct Heap {
    objects: Vec<Object>,
    /// `colors[i]` is the color of `objects[i]`; free slots are `White`.
    colors: Vec<Color>,
    /// Free arena slots, reused last-freed first.
    free: Vec<u32>,
    stacks: Vec<Stack>,
    stats: HeapStats,
}

impl Clone for Heap {
    fn clone(&self) -> Self {
        fn with_room<T: Clone>(v: &Vec<T>) -> Vec<T> {
            let mut out = Vec::with_capacity(v.capacity());
            out.extend_from_slice(v);
            out
        }
        Self {
            objects: with_room(&self.objects),
            colors: with_room(&self.colors),
            free: with_room(&self.free),
            stacks: self.stacks.clone(),
            stats: self.stats,
        }
    }
}

impl Heap {
    /// An empty heap with no stacks.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty heap with room for `objects` objects before the arena grows.
    pub fn with_capacity(objects: usize) -> Self {
        Self {
            objects: Vec::with_capacity(objects),
            colors: Vec::with_capacity(objects),
            ..Self::default()
        }
    }

    // ANCHOR: alloc
    /// Allocates an object of `bytes` simulated bytes with no references,
    /// colored `color` (white between collections; a collector that is
    /// marking allocates black). Reuses a freed slot when there is one.
    pub fn alloc(&mut self, bytes: u32, color: Color) -> ObjId {
        let obj = Object { fields: [None; FIELDS], bytes, noscan: false, live: true };
        let id = match self.free.pop() {
            Some(slot) => {
                let i = slot as usize;
                debug_assert!(!self.objects[i].live, "free list holds a live slot");
                self.objects[i] = obj;
                self.colors[i] = color;
                ObjId::from_index(i)
            }
            None => {
                self.objects.push(obj);
                self.colors.push(color);
                ObjId::from_index(self.objects.len() - 1)
            }
        };
        self.stats.live_objects += 1;
        self.stats.live_bytes += u64::from(bytes);
        self.stats.allocated_objects += 1;
        self.stats.allocated_bytes += u64::from(bytes);
        id
    }
    // ANCHOR_END: alloc

    /// Makes room for `additional` more objects before the arena grows.
    pub fn reserve(&mut self, additional: usize) {
        self.objects.reserve(additional);
        self.colors.reserve(additional);
    }

    /// Allocates a pointer-free object (a Go `[]byte` of `bytes` bytes).
    pub fn alloc_noscan(&mut self, bytes: u32, color: Color) -> ObjId {
        let id = self.alloc(bytes, color);
        self.objects[id.index()].noscan = true;
        id
    }

    /// Frees a live object: the slot goes on the free list, white and empty.
    pub(crate) fn free_object(&mut self, id: ObjId) {
        let i = id.index();
        debug_assert!(self.objects[i].live, "double free of {id}");
        let bytes = self.objects[i].bytes;
        self.objects[i] = Object::FREE;
        self.colors[i] = Color::White;
        self.free.push(i as u32);
        self.stats.live_objects -= 1;
        self.stats.live_bytes -= u64::from(bytes);
        self.stats.freed_objects += 1;
        self.stats.freed_bytes += u64::from(bytes);
    }

    /// True if `id` is an allocated (not freed) object.
    pub fn is_live(&self, id: ObjId) -> bool {
        self.objects.get(id.index()).is_some_and(|o| o.live)
    }

    /// The object `id` (a freed slot reads as an empty object).
    pub fn object(&self, id: ObjId) -> &Object {
        &self.objects[id.index()]
    }

    /// Field `f` of object `id`.
    pub fn field(&self, id: ObjId, f: usize) -> Option<ObjId> {
        self.objects[id.index()].fields[f]
    }

    /// All fields of object `id`.
    pub fn fields(&self, id: ObjId) -> [Option<ObjId>; FIELDS] {
        self.objects[id.index()].fields
    }

    /// Writes field `f` of `id` **without** any write barrier. Mutators in a
    /// marking cycle go through [`crate::mark_sweep::incremental::Incremental`].
    pub fn set_field(&mut self, id: ObjId, f: usize, value: Option<ObjId>) {
        let obj = &mut self.objects[id.index()];
        debug_assert!(obj.live, "write into freed {id}");
        debug_assert!(!obj.noscan || value.is_none(), "pointer stored in noscan {id}");
        obj.fields[f] = value;
    }

    /// The color of `id`.
    pub fn color(&self, id: ObjId) -> Color {
        self.colors[id.index()]
    }

    /// Sets the color of `id` (collectors, and the barrier exercise, use it).
    pub fn set_color(&mut self, id: ObjId, color: Color) {
        self.colors[id.index()] = color;
    }

    /// Objects and colors at once, for the tight loop of a marker.
    pub(crate) fn objects_and_colors(&mut self) -> (&[Object], &mut [Color]) {
        (&self.objects, &mut self.colors)
    }

    /// Colors every live object white (the seed's `mark` does this first).
    pub fn whiten_all(&mut self) {
        self.colors.fill(Color::White);
    }

    /// Number of arena slots (live and free).
    pub fn slot_count(&self) -> usize {
        self.objects.len()
    }

    /// The live objects, in arena order.
    pub fn live_ids(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.live)
            .map(|(i, _)| ObjId::from_index(i))
    }

    /// Adds a stack of `slots` empty slots and returns its number.
    pub fn add_stack(&mut self, slots: usize) -> usize {
        self.stacks.push(vec![None; slots]);
        self.stacks.len() - 1
    }

    /// Pushes `id` on stack 0 (created if missing): the simplest way to root it.
    pub fn push_root(&mut self, id: ObjId) {
        if self.stacks.is_empty() {
            self.stacks.push(Vec::new());
        }
        self.stacks[0].push(Some(id));
    }

    /// All stacks.
    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    /// Stack `g`, to change its slots (stack writes have no barrier).
    pub fn stack_mut(&mut self, g: usize) -> &mut Stack {
        &mut self.stacks[g]
    }

    /// Every root: the non-empty slots of every stack, in order.
    pub fn roots(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.stacks.iter().flatten().flatten().copied()
    }

    /// The running totals.
    pub fn stats(&self) -> HeapStats {
        self.stats
    }

    /// Counts a finished collection.
    pub(crate) fn count_collection(&mut self) {
        self.stats.collections += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_of_objid_is_four_bytes_and_object_is_small() {
        assert_eq!(size_of::<Option<ObjId>>(), 4);
        assert_eq!(size_of::<Object>(), 24);
        assert_eq!(size_of::<Color>(), 1);
    }

    #[test]
    fn freed_slots_are_reused_and_stats_add_up() {
        let mut h = Heap::new();
        let a = h.alloc(10, Color::White);
        let b = h.alloc(20, Color::White);
        h.free_object(a);
        assert!(!h.is_live(a));
        let c = h.alloc(30, Color::Black);
        assert_eq!(c, a, "the freed slot is reused");
        assert_eq!(h.color(c), Color::Black);
        let s = h.stats();
        assert_eq!((s.live_objects, s.live_bytes), (2, 50));
        assert_eq!((s.allocated_objects, s.freed_objects, s.freed_bytes), (3, 1, 10));
        assert_eq!(h.live_ids().collect::<Vec<_>>(), vec![c, b]);
    }
}
