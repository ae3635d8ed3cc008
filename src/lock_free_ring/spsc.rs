//! The single-producer single-consumer ring: the safe replacement for seed
//! 000's `LockFreeRingBuffer` (§1.3.2, L383-441).
//!
//! [`channel`] returns a [`Producer`] and a [`Consumer`]. Each is `Send` and
//! not `Clone`, and every operation takes `&mut self`, so the type system
//! admits exactly one producer and one consumer: the contract the seed leaves
//! unstated (D16) is enforced by the compiler. A ring built for `n` items holds
//! exactly `n` (any `n ≥ 1`, no power of two needed, no wasted slot; D15,
//! C000-19), and capacity 0 is an error.
//!
//! Design (as in rtrb and ringbuf, see `book/src/lock_free_ring.md`):
//! free-running counters of items pushed and popped, each written by one side
//! only (Release) and read by the other (Acquire); each side keeps a stale copy
//! of the other side's counter and reloads it only when the ring looks full
//! (or empty); the two counters sit on separate 128-byte blocks (D18).
//!
//! Not for several producers or consumers: that is [`super::mpmc::Queue`].

use super::CapacityError;
use super::sync::{Arc, AtomicUsize, Ordering, UnsafeCell};
use crossbeam_utils::CachePadded;
use std::mem::MaybeUninit;

/// One slot: a `T` that may or may not be initialised, writable through `&`.
type Slot<T> = UnsafeCell<MaybeUninit<T>>;

// ANCHOR: shared
/// The part both handles share.
struct Shared<T> {
    /// Items pushed so far (wrapping). Written only by the producer, with
    /// Release after the slot is written; read by the consumer with Acquire.
    /// Invariant: `pushed - popped` (wrapping) is in `0 ..= capacity`.
    pushed: CachePadded<AtomicUsize>,
    /// Items popped so far (wrapping). Written only by the consumer, with
    /// Release after the slot is read; read by the producer with Acquire.
    popped: CachePadded<AtomicUsize>,
    /// Slot index of the next pop, stored by the consumer when it drops, so
    /// `Drop` can find the items still inside without a division.
    consumer_index: AtomicUsize,
    /// `capacity` slots. The `pushed - popped` slots starting at the
    /// consumer's index (wrapping at the end) hold initialised values; the
    /// rest are uninitialised.
    slots: Box<[Slot<T>]>,
}
// ANCHOR_END: shared

impl<T> Shared<T> {
    /// Slot `index`, which the caller keeps below the capacity.
    #[inline(always)]
    fn slot(&self, index: usize) -> &Slot<T> {
        debug_assert!(index < self.slots.len());
        // SAFETY: both handles keep their `index` in `0 .. capacity` (see
        // `Position::advance`), and `slots.len() == capacity`. Skipping the
        // bounds check removes a compare and a branch from every push and pop.
        unsafe { self.slots.get_unchecked(index) }
    }

    /// The `n` slots from `start` (wrapping at the end), as two runs.
    #[inline]
    fn runs(&self, start: usize, n: usize) -> (&[Slot<T>], &[Slot<T>]) {
        let first = n.min(self.slots.len() - start);
        (&self.slots[start..start + first], &self.slots[..n - first])
    }
}

// SAFETY: a slot is only ever accessed by one handle at a time: the producer
// writes only slots outside `popped .. pushed`, the consumer reads only slots
// inside it, and the Release/Acquire pairs on the two counters order each
// write before the read of the same slot and each read before the next write.
// There is one producer and one consumer because the handles are not `Clone`
// and every method that touches a slot takes `&mut self`. Values of `T` move
// from the producer's thread to the consumer's, hence `T: Send`.
unsafe impl<T: Send> Sync for Shared<T> {}

/// The writing half of a ring made by [`channel`].
#[derive(Debug)]
pub struct Producer<T> {
    shared: Arc<Shared<T>>,
    /// Our own count of pushed items and the slot it maps to: we are the
    /// only writer of `shared.pushed`, so we never need to load it.
    pushed: Position,
    /// A stale copy of `shared.popped`: the consumer has popped at least this
    /// many items, so at least `capacity - (pushed - popped_seen)` slots are free.
    popped_seen: usize,
    capacity: usize,
}

/// The reading half of a ring made by [`channel`].
#[derive(Debug)]
pub struct Consumer<T> {
    shared: Arc<Shared<T>>,
    /// Our own count of popped items and the slot it maps to (we are the
    /// only writer of `shared.popped`).
    popped: Position,
    /// A stale copy of `shared.pushed`: at least `pushed_seen - popped` items
    /// are ready to pop.
    pushed_seen: usize,
    capacity: usize,
}

/// A ring that holds exactly `capacity` items, split into its two ends.
///
/// Fails for capacity 0 and for a capacity whose slots would not fit in
/// `isize::MAX` bytes.
///
/// Neither half can be cloned, so there is never a second producer or a
/// second consumer:
///
/// ```compile_fail
/// let (producer, _consumer) = perf_workbook::lock_free_ring::spsc::channel::<u64>(4).unwrap();
/// let second_producer = producer.clone();
/// ```
pub fn channel<T>(capacity: usize) -> Result<(Producer<T>, Consumer<T>), CapacityError> {
    CapacityError::check::<T>(capacity)?;
    let slots = (0..capacity).map(|_| UnsafeCell::new(MaybeUninit::uninit())).collect();
    let shared = Arc::new(Shared {
        pushed: CachePadded::new(AtomicUsize::new(0)),
        popped: CachePadded::new(AtomicUsize::new(0)),
        consumer_index: AtomicUsize::new(0),
        slots,
    });
    let producer = Producer {
        shared: shared.clone(),
        pushed: Position::default(),
        popped_seen: 0,
        capacity,
    };
    let consumer =
        Consumer { shared, popped: Position::default(), pushed_seen: 0, capacity };
    Ok((producer, consumer))
}

/// A free-running count, kept as the slot it maps to (`index`, always below
/// the capacity) plus the count at which the current lap of the slots began:
/// `count = lap_start + index`. Moving on is an increment and a predictable
/// compare; no division, whatever the capacity.
#[derive(Clone, Copy, Debug, Default)]
struct Position {
    lap_start: usize,
    index: usize,
}

impl Position {
    /// Items counted so far (wrapping).
    #[inline(always)]
    fn count(self) -> usize {
        self.lap_start.wrapping_add(self.index)
    }

    /// Moves `n <= capacity` slots on.
    #[inline(always)]
    fn advance(&mut self, n: usize, capacity: usize) {
        debug_assert!(self.index < capacity && n <= capacity);
        self.index += n;
        if self.index >= capacity {
            self.index -= capacity;
            self.lap_start = self.lap_start.wrapping_add(capacity);
        }
    }
}

impl<T> Producer<T> {
    /// How many items the ring holds when full.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Free slots as far as this side knows (the true number may be larger).
    #[inline(always)]
    fn free_seen(&self) -> usize {
        self.capacity - self.pushed.count().wrapping_sub(self.popped_seen)
    }

    /// Reloads the consumer's counter and returns the free slots.
    #[inline]
    fn refresh(&mut self) -> usize {
        // Acquire: the consumer's reads of the slots it popped happen before
        // our writes into them.
        self.popped_seen = self.shared.popped.load(Ordering::Acquire);
        self.free_seen()
    }

    /// Free slots now (loads the consumer's counter).
    pub fn free_slots(&mut self) -> usize {
        self.refresh()
    }

    /// True when the consumer has been dropped: nothing pushed now will be read.
    pub fn is_abandoned(&self) -> bool {
        Arc::strong_count(&self.shared) == 1
    }

    // ANCHOR: push
    /// Appends `value`, or gives it back when the ring is full.
    #[inline]
    pub fn push(&mut self, value: T) -> Result<(), T> {
        // Only when the ring *looks* full do we read the consumer's counter,
        // whose cache line the other core keeps writing.
        if self.free_seen() == 0 && self.refresh() == 0 {
            return Err(value);
        }
        let slot = self.shared.slot(self.pushed.index);
        // SAFETY: `pushed - popped_seen < capacity`, so this slot lies outside
        // `popped .. pushed`: the consumer is not reading it and will not until
        // we publish it below. It holds no initialised value (it was never
        // written, or the consumer moved the value out), so writing over it
        // leaks nothing.
        slot.with_mut(|p| unsafe { p.write(MaybeUninit::new(value)) });
        self.pushed.advance(1, self.capacity);
        // Release: the slot write above happens before any read of it by a
        // consumer that loads this counter with Acquire.
        self.shared.pushed.store(self.pushed.count(), Ordering::Release);
        Ok(())
    }
    // ANCHOR_END: push

    /// Publishes `n` slots written after `index`, with one Release store.
    #[inline]
    fn commit(&mut self, n: usize) {
        self.pushed.advance(n, self.capacity);
        self.shared.pushed.store(self.pushed.count(), Ordering::Release);
    }

    // ANCHOR: push_slice
    /// Copies as many of `items` as fit (from the front) and returns how many.
    /// One Release store publishes the whole batch.
    pub fn push_slice(&mut self, items: &[T]) -> usize
    where
        T: Copy,
    {
        let mut free = self.free_seen();
        if free < items.len() {
            free = self.refresh();
        }
        let n = items.len().min(free);
        let (a, b) = self.shared.runs(self.pushed.index, n);
        let (items_a, items_b) = items[..n].split_at(a.len());
        // Two plain loops (not one chained iterator), so each compiles to a
        // straight copy.
        for (run, items) in [(a, items_a), (b, items_b)] {
            for (slot, &v) in run.iter().zip(items) {
                // SAFETY: `n <= free_seen()`, so all `n` slots from `index`
                // (wrapping) lie outside `popped .. pushed` and hold no value,
                // as in `push`; none is published before `commit`.
                slot.with_mut(|p| unsafe { p.write(MaybeUninit::new(v)) });
            }
        }
        if n > 0 {
            self.commit(n);
        }
        n
    }
    // ANCHOR_END: push_slice

    /// Moves items from `iter` into the ring until it is full or `iter` ends;
    /// returns how many. Takes no more items from `iter` than fit, so none is
    /// lost; one Release store publishes the whole batch.
    pub fn push_iter<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> usize {
        let free = self.refresh();
        let mut staged = 0;
        let (a, b) = self.shared.runs(self.pushed.index, free);
        for slot in a.iter().chain(b) {
            let Some(v) = iter.next() else { break };
            // SAFETY: fewer than `free` slots written so far, so this one is
            // free as in `push`; it stays unpublished until `commit`.
            slot.with_mut(|p| unsafe { p.write(MaybeUninit::new(v)) });
            staged += 1;
        }
        if staged > 0 {
            self.commit(staged);
        }
        staged
    }
}

impl<T> Consumer<T> {
    /// How many items the ring holds when full.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items ready as far as this side knows (the true number may be larger).
    #[inline(always)]
    fn ready_seen(&self) -> usize {
        self.pushed_seen.wrapping_sub(self.popped.count())
    }

    /// Reloads the producer's counter and returns the items ready.
    #[inline]
    fn refresh(&mut self) -> usize {
        // Acquire: the producer's writes of the slots it published happen
        // before our reads of them.
        self.pushed_seen = self.shared.pushed.load(Ordering::Acquire);
        self.ready_seen()
    }

    /// Items ready to pop now (loads the producer's counter).
    pub fn len(&mut self) -> usize {
        self.refresh()
    }

    /// True when no item is ready now.
    pub fn is_empty(&mut self) -> bool {
        self.len() == 0
    }

    /// True when the producer has been dropped: once empty, it stays empty.
    pub fn is_abandoned(&self) -> bool {
        Arc::strong_count(&self.shared) == 1
    }

    // ANCHOR: pop
    /// Removes the oldest item, or returns `None` when the ring is empty.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.ready_seen() == 0 && self.refresh() == 0 {
            return None;
        }
        let slot = self.shared.slot(self.popped.index);
        // SAFETY: `popped < pushed_seen`, and the Acquire load that produced
        // `pushed_seen` synchronised with the producer's Release store after it
        // initialised this slot. The producer will not write it again until we
        // publish the new `popped` below, so we may move the value out.
        let value = slot.with(|p| unsafe { p.read().assume_init() });
        self.popped.advance(1, self.capacity);
        // Release: our read above happens before the producer's next write
        // into this slot (it loads `popped` with Acquire).
        self.shared.popped.store(self.popped.count(), Ordering::Release);
        Some(value)
    }
    // ANCHOR_END: pop

    /// Frees `n` slots read after `index`, with one Release store.
    #[inline]
    fn release(&mut self, n: usize) {
        self.popped.advance(n, self.capacity);
        self.shared.popped.store(self.popped.count(), Ordering::Release);
    }

    // ANCHOR: pop_slice
    /// Copies up to `out.len()` items into the front of `out`; returns how many.
    /// One Release store frees the whole batch.
    pub fn pop_slice(&mut self, out: &mut [T]) -> usize
    where
        T: Copy,
    {
        let mut ready = self.ready_seen();
        if ready < out.len() {
            ready = self.refresh();
        }
        let n = out.len().min(ready);
        let (a, b) = self.shared.runs(self.popped.index, n);
        let (out_a, out_b) = out[..n].split_at_mut(a.len());
        for (run, out) in [(a, out_a), (b, out_b)] {
            for (slot, o) in run.iter().zip(out) {
                // SAFETY: `n <= ready_seen()`, so these slots lie in
                // `popped .. pushed_seen` and were published, as in `pop`;
                // each is read once, and `release` moves `popped` past them.
                *o = slot.with(|p| unsafe { p.read().assume_init() });
            }
        }
        if n > 0 {
            self.release(n);
        }
        n
    }
    // ANCHOR_END: pop_slice

    /// Appends up to `max` items to `out`; returns how many.
    pub fn pop_into(&mut self, out: &mut Vec<T>, max: usize) -> usize {
        let n = self.refresh().min(max);
        out.reserve(n);
        let (a, b) = self.shared.runs(self.popped.index, n);
        for slot in a.iter().chain(b) {
            // SAFETY: as in `pop_slice`: published, read once, then released.
            out.push(slot.with(|p| unsafe { p.read().assume_init() }));
        }
        if n > 0 {
            self.release(n);
        }
        n
    }
}

impl<T> Drop for Consumer<T> {
    fn drop(&mut self) {
        // Tell `Shared::drop` where the items still inside start. The Arc's
        // own release/acquire orders this store before that drop.
        self.shared.consumer_index.store(self.popped.index, Ordering::Relaxed);
    }
}

// ANCHOR: drop
impl<T> Drop for Shared<T> {
    /// Runs when the second handle is dropped: drops every item still inside,
    /// exactly once (popped items were moved out, so they are not here).
    fn drop(&mut self) {
        if !std::mem::needs_drop::<T>() {
            return;
        }
        // Both handles are gone; dropping the last `Arc` made their writes
        // visible here, so Relaxed loads see the final counts.
        let pushed = self.pushed.load(Ordering::Relaxed);
        let popped = self.popped.load(Ordering::Relaxed);
        let mut index = self.consumer_index.load(Ordering::Relaxed);
        for _ in 0..pushed.wrapping_sub(popped) {
            // SAFETY: the slots from the consumer's index, `pushed - popped` of
            // them, hold initialised values that nobody else can reach now;
            // each is dropped once.
            self.slots[index].with_mut(|p| unsafe { (*p).assume_init_drop() });
            index = if index + 1 == self.slots.len() { 0 } else { index + 1 };
        }
    }
}
// ANCHOR_END: drop

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("pushed", &self.pushed.load(Ordering::Relaxed))
            .field("popped", &self.popped.load(Ordering::Relaxed))
            .field("capacity", &self.slots.len())
            .finish_non_exhaustive()
    }
}

/// Byte distance between the two counters' cache blocks, for the D18 layout
/// check: at least 128 on x86-64, where `CachePadded` aligns to 128 bytes
/// because the adjacent-line prefetcher fetches 64-byte lines in pairs
/// (crossbeam-utils `cache_padded.rs`; Intel optimization manual, "spatial
/// prefetcher").
pub fn counter_distance_bytes() -> usize {
    let a = std::mem::offset_of!(Shared<u64>, pushed);
    let b = std::mem::offset_of!(Shared<u64>, popped);
    a.abs_diff(b)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    static_assertions::assert_impl_all!(Producer<u64>: Send);
    static_assertions::assert_impl_all!(Consumer<u64>: Send);
    static_assertions::assert_not_impl_any!(Producer<u64>: Clone);
    static_assertions::assert_not_impl_any!(Consumer<u64>: Clone);
    static_assertions::assert_not_impl_any!(Producer<std::rc::Rc<u8>>: Send);

    #[test]
    fn positions_wrap_without_dividing() {
        let mut p = Position::default();
        p.advance(2, 3);
        assert_eq!((p.index, p.count()), (2, 2));
        p.advance(1, 3);
        assert_eq!((p.index, p.count()), (0, 3));
        p.advance(3, 3);
        assert_eq!((p.index, p.count()), (0, 6));
        p.advance(2, 3);
        p.advance(2, 3);
        assert_eq!((p.index, p.count()), (1, 10));
    }

    #[test]
    fn counters_sit_on_separate_128_byte_blocks() {
        assert!(counter_distance_bytes() >= 128, "{}", counter_distance_bytes());
    }
}
