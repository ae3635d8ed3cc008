//! Seed 000's `LockFreeRingBuffer` (§1.3.2, L383-441), ported statement by
//! statement so its defects can be shown rather than told.
//!
//! What is kept from the Go: the fields and their order (`buffer`, `mask`,
//! `head`, `tail`, `#[repr(C)]`, so `head` and `tail` sit 8 bytes apart as in
//! Go; D18), the size rounding with its edge cases (size 0 and 1; D15,
//! C000-19), the full test `(head+1)&mask == tail&mask` that wastes a slot,
//! the load → check → write → store sequence of `Push` and `Pop` with no
//! compare-and-swap (D16), and Go's sequentially consistent `atomic.Load/
//! StoreUint64` (Rust `SeqCst`).
//!
//! The one change: Go's slots are plain memory, which several producers write
//! at once (a data race; D17). Here the items are `u64` in `AtomicU64` slots
//! accessed with `Relaxed`, so the port has no undefined behaviour and every
//! lost or duplicated item it produces is the algorithm's logic bug, counted,
//! not UB. Under `cfg(loom)`, [`PlainSlots`] restores Go's plain memory so
//! loom can point at the race itself.
//!
//! `push` and `pop` are split into the seed's three steps (claim, access,
//! publish), each one Go statement or two, so a test can replay an exact
//! interleaving of two threads ([`super::race::scripted`]).
//!
//! Not for use: it is correct only with one producer and one consumer, and
//! even then it holds one item fewer than it was built for.

use super::sync::{AtomicU64, Ordering};

/// Where the port keeps its items.
pub trait SlotStore: Sync {
    /// `len` slots holding 0 (Go's `make([]T, size)` zeroes).
    fn with_len(len: usize) -> Self;
    /// Number of slots (`len(rb.buffer)`).
    fn len(&self) -> usize;
    /// True when there are no slots.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// `rb.buffer[i] = item`; panics when `i` is out of range, as Go does.
    fn write(&self, i: usize, item: u64);
    /// `rb.buffer[i]`; panics when `i` is out of range.
    fn read(&self, i: usize) -> u64;
}

/// Atomic slots accessed with `Relaxed`: no data race, so the port's only
/// faults are logical. `repr(transparent)` keeps Go's field offsets.
#[derive(Debug)]
#[repr(transparent)]
pub struct AtomicSlots(Vec<AtomicU64>);

impl SlotStore for AtomicSlots {
    fn with_len(len: usize) -> Self {
        Self((0..len).map(|_| AtomicU64::new(0)).collect())
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn write(&self, i: usize, item: u64) {
        self.0[i].store(item, Ordering::Relaxed);
    }
    fn read(&self, i: usize) -> u64 {
        self.0[i].load(Ordering::Relaxed)
    }
}

/// Go's plain-memory slots, only under loom, whose `UnsafeCell` checks each
/// access against the happens-before relation and fails the model on a data
/// race instead of performing it.
#[cfg(loom)]
#[derive(Debug)]
pub struct PlainSlots(Vec<loom::cell::UnsafeCell<u64>>);

// SAFETY: loom runs one model thread at a time, and its `UnsafeCell` panics
// on any pair of accesses not ordered by happens-before, so no racy access
// is ever performed; detecting them is the point of this type.
#[cfg(loom)]
unsafe impl Sync for PlainSlots {}

#[cfg(loom)]
impl SlotStore for PlainSlots {
    fn with_len(len: usize) -> Self {
        Self((0..len).map(|_| loom::cell::UnsafeCell::new(0)).collect())
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn write(&self, i: usize, item: u64) {
        // SAFETY: see `impl Sync`: loom checks this write for a race first.
        self.0[i].with_mut(|p| unsafe { *p = item });
    }
    fn read(&self, i: usize) -> u64 {
        // SAFETY: see `impl Sync`: loom checks this read for a race first.
        self.0[i].with(|p| unsafe { *p })
    }
}

// ANCHOR: layout
/// The seed's ring, field for field (seed 000 L384-389).
#[derive(Debug)]
#[repr(C)]
pub struct SeedRing<S: SlotStore = AtomicSlots> {
    buffer: S,
    mask: u64,
    /// Written by producers: the next position to write.
    head: AtomicU64,
    /// Written by consumers: the next position to read. 8 bytes after `head`.
    tail: AtomicU64,
}
// ANCHOR_END: layout

impl SeedRing {
    /// `NewLockFreeRingBuffer(size)` with atomic slots; see [`Self::with_slots`].
    pub fn new(size: usize) -> Self {
        Self::with_slots(size)
    }
}

impl<S: SlotStore> SeedRing<S> {
    // ANCHOR: new
    /// `NewLockFreeRingBuffer` (L392-402): rounds `size` up to a power of two,
    /// and does not reject 0.
    pub fn with_slots(size: usize) -> Self {
        let mut size = size as u64;
        // 0 & (0 - 1) == 0 passes as "a power of two"; so does 1.
        if size & size.wrapping_sub(1) != 0 {
            // Go's `1 << 64` is 0; Rust's would overflow, so spell it out.
            size = 1u64.checked_shl(64 - size.leading_zeros()).unwrap_or(0);
        }
        Self {
            buffer: S::with_len(size as usize),
            // size 0 gives mask = 2^64 - 1; size 1 gives mask = 0.
            mask: size.wrapping_sub(1),
            head: AtomicU64::new(0),
            tail: AtomicU64::new(0),
        }
    }
    // ANCHOR_END: new

    // ANCHOR: push
    /// `Push` (L405-420): false when full.
    pub fn push(&self, item: u64) -> bool {
        let Some(head) = self.push_claim() else { return false };
        self.push_write(head, item);
        self.push_publish(head);
        true
    }

    /// L406-412: load `head` and `tail`, test for full. Two producers can both
    /// pass here with the same `head`.
    pub fn push_claim(&self) -> Option<u64> {
        let head = self.head.load(Ordering::SeqCst);
        let tail = self.tail.load(Ordering::SeqCst);
        if head.wrapping_add(1) & self.mask == tail & self.mask {
            return None;
        }
        Some(head)
    }

    /// L415: `rb.buffer[head&rb.mask] = item`.
    pub fn push_write(&self, head: u64, item: u64) {
        self.buffer.write((head & self.mask) as usize, item);
    }

    /// L418: `atomic.StoreUint64(&rb.head, head+1)`: a plain store, so a late
    /// producer can move `head` backwards.
    pub fn push_publish(&self, head: u64) {
        self.head.store(head.wrapping_add(1), Ordering::SeqCst);
    }
    // ANCHOR_END: push

    /// `Pop` (L423-440): `None` when empty.
    pub fn pop(&self) -> Option<u64> {
        let tail = self.pop_claim()?;
        let item = self.pop_read(tail);
        self.pop_publish(tail);
        Some(item)
    }

    /// L426-432: load `tail` and `head`, test for empty.
    pub fn pop_claim(&self) -> Option<u64> {
        let tail = self.tail.load(Ordering::SeqCst);
        let head = self.head.load(Ordering::SeqCst);
        if tail & self.mask == head & self.mask {
            return None;
        }
        Some(tail)
    }

    /// L435: `item := rb.buffer[tail&rb.mask]`; the slot is not cleared.
    pub fn pop_read(&self, tail: u64) -> u64 {
        self.buffer.read((tail & self.mask) as usize)
    }

    /// L438: `atomic.StoreUint64(&rb.tail, tail+1)`.
    pub fn pop_publish(&self, tail: u64) {
        self.tail.store(tail.wrapping_add(1), Ordering::SeqCst);
    }

    /// The current `head` (an observer's load, not part of the seed's API).
    pub fn head(&self) -> u64 {
        self.head.load(Ordering::SeqCst)
    }

    /// The current `tail`.
    pub fn tail(&self) -> u64 {
        self.tail.load(Ordering::SeqCst)
    }

    /// `len(rb.buffer)`: slots allocated, after rounding.
    pub fn slot_count(&self) -> usize {
        self.buffer.len()
    }

    /// What slot `i` holds now (a popped item stays there: D17).
    pub fn peek_slot(&self, i: usize) -> u64 {
        self.buffer.read(i)
    }
}

/// How many items a fresh ring of `size` accepts before `push` says full
/// (stops counting at `limit`). Single-threaded; may panic, as `new(0)` does.
pub fn usable_capacity(size: usize, limit: usize) -> usize {
    let ring = SeedRing::new(size);
    (0..limit).take_while(|&i| ring.push(i as u64 + 1)).count()
}

/// Bytes from `head` to `tail` in the port's layout (Go's too): 8.
pub fn index_distance_bytes() -> usize {
    std::mem::offset_of!(SeedRing, tail) - std::mem::offset_of!(SeedRing, head)
}

/// Offset of `head` in the port (32, as in Go, after a 24-byte slice header
/// and the 8-byte mask).
pub fn head_offset_bytes() -> usize {
    std::mem::offset_of!(SeedRing, head)
}
