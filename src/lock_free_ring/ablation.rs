//! The SPSC ring reduced to `u64` items, with its performance choices as
//! switches: whether the two counters share a cache line ([`Adjacent`]) or
//! sit 128 bytes apart ([`Padded`]), whether each side caches the other
//! side's counter (`CACHED`), and whether the counters are stored with
//! Release or, as Go's `atomic.StoreUint64` does and the seed inherits, with
//! sequentially consistent stores (`SEQ_CST`; an `xchg` on x86-64).
//! Everything else is as in [`super::spsc`]: free-running counters, Acquire
//! loads, no wasted slot.
//!
//! For measuring what padding and caching each buy (D18, C000-20, the bench's
//! `spsc_ablation` group, exercise 3), not for use: [`super::spsc`] is the ring.
//! Slots are `AtomicU64` with `Relaxed` access, which compiles to the same
//! plain moves as the `UnsafeCell` slots of the real ring on x86-64, and
//! needs no `unsafe`.

use crossbeam_utils::CachePadded;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Where the two counters live.
pub trait IndexPair: Default + Send + Sync + 'static {
    /// For tables: `adjacent` or `padded`.
    const NAME: &'static str;
    /// Items pushed (written by the producer).
    fn pushed(&self) -> &AtomicUsize;
    /// Items popped (written by the consumer).
    fn popped(&self) -> &AtomicUsize;
}

// ANCHOR: pairs
/// Both counters in one cache line, 8 bytes apart, as in the seed.
#[derive(Debug, Default)]
#[repr(C)]
pub struct Adjacent {
    pushed: AtomicUsize,
    popped: AtomicUsize,
}

/// Each counter alone in a 128-byte block.
#[derive(Debug, Default)]
pub struct Padded {
    pushed: CachePadded<AtomicUsize>,
    popped: CachePadded<AtomicUsize>,
}
// ANCHOR_END: pairs

impl IndexPair for Adjacent {
    const NAME: &'static str = "adjacent";
    fn pushed(&self) -> &AtomicUsize {
        &self.pushed
    }
    fn popped(&self) -> &AtomicUsize {
        &self.popped
    }
}

impl IndexPair for Padded {
    const NAME: &'static str = "padded";
    fn pushed(&self) -> &AtomicUsize {
        &self.pushed
    }
    fn popped(&self) -> &AtomicUsize {
        &self.popped
    }
}

/// The shared part: slots, then the counters (with [`Adjacent`], the slot
/// pointer shares their line too, as the seed's `buffer` does).
#[derive(Debug)]
#[repr(C)]
struct Ring<L> {
    slots: Box<[AtomicU64]>,
    counters: L,
}

/// The producer end.
#[derive(Debug)]
pub struct Writer<L: IndexPair, const CACHED: bool, const SEQ_CST: bool = false> {
    ring: Arc<Ring<L>>,
    /// Items pushed when the current lap of the slots began.
    lap_start: usize,
    /// Next slot to write; `pushed = lap_start + index`.
    index: usize,
    popped_seen: usize,
    capacity: usize,
}

/// The consumer end.
#[derive(Debug)]
pub struct Reader<L: IndexPair, const CACHED: bool, const SEQ_CST: bool = false> {
    ring: Arc<Ring<L>>,
    lap_start: usize,
    index: usize,
    pushed_seen: usize,
    capacity: usize,
}

/// A ring of `capacity ≥ 1` items with counter layout `L`, caching or not.
pub fn channel<L: IndexPair, const CACHED: bool, const SEQ_CST: bool>(
    capacity: usize,
) -> (Writer<L, CACHED, SEQ_CST>, Reader<L, CACHED, SEQ_CST>) {
    assert!(capacity >= 1, "capacity must be at least 1");
    let ring = Arc::new(Ring {
        slots: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
        counters: L::default(),
    });
    (
        Writer { ring: ring.clone(), lap_start: 0, index: 0, popped_seen: 0, capacity },
        Reader { ring, lap_start: 0, index: 0, pushed_seen: 0, capacity },
    )
}

/// The ordering of the counter stores: Release, or SeqCst as in Go.
const fn store_order(seq_cst: bool) -> Ordering {
    if seq_cst { Ordering::SeqCst } else { Ordering::Release }
}

impl<L: IndexPair, const CACHED: bool, const SEQ_CST: bool> Writer<L, CACHED, SEQ_CST> {
    // ANCHOR: writer_push
    /// Appends `v`; false when full.
    #[inline]
    pub fn push(&mut self, v: u64) -> bool {
        let (cap, pushed) = (self.capacity, self.lap_start.wrapping_add(self.index));
        // Without the cache, every push reads the consumer's counter.
        if !CACHED || pushed.wrapping_sub(self.popped_seen) == cap {
            self.popped_seen = self.ring.counters.popped().load(Ordering::Acquire);
            if pushed.wrapping_sub(self.popped_seen) == cap {
                return false;
            }
        }
        self.ring.slots[self.index].store(v, Ordering::Relaxed);
        self.index += 1;
        if self.index == cap {
            self.index = 0;
            self.lap_start = self.lap_start.wrapping_add(cap);
        }
        let pushed = self.lap_start.wrapping_add(self.index);
        self.ring.counters.pushed().store(pushed, store_order(SEQ_CST));
        true
    }
    // ANCHOR_END: writer_push
}

impl<L: IndexPair, const CACHED: bool, const SEQ_CST: bool> Reader<L, CACHED, SEQ_CST> {
    /// Removes the oldest item; `None` when empty.
    #[inline]
    pub fn pop(&mut self) -> Option<u64> {
        let (cap, popped) = (self.capacity, self.lap_start.wrapping_add(self.index));
        if !CACHED || self.pushed_seen == popped {
            self.pushed_seen = self.ring.counters.pushed().load(Ordering::Acquire);
            if self.pushed_seen == popped {
                return None;
            }
        }
        let v = self.ring.slots[self.index].load(Ordering::Relaxed);
        self.index += 1;
        if self.index == cap {
            self.index = 0;
            self.lap_start = self.lap_start.wrapping_add(cap);
        }
        let popped = self.lap_start.wrapping_add(self.index);
        self.ring.counters.popped().store(popped, store_order(SEQ_CST));
        Some(v)
    }
}

/// Bytes between the two counters for layout `L`.
pub fn counter_distance_bytes<L: IndexPair>() -> usize {
    let ring = Ring { slots: Box::new([]), counters: L::default() };
    let a = ring.counters.pushed() as *const AtomicUsize as usize;
    let b = ring.counters.popped() as *const AtomicUsize as usize;
    a.abs_diff(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_what_they_say() {
        assert_eq!(counter_distance_bytes::<Adjacent>(), 8);
        assert!(counter_distance_bytes::<Padded>() >= 128);
    }

    #[test]
    fn every_variant_is_a_fifo_of_exact_capacity() {
        fn check<L: IndexPair, const C: bool, const S: bool>() {
            let (mut w, mut r) = channel::<L, C, S>(3);
            assert!(w.push(1) && w.push(2) && w.push(3));
            assert!(!w.push(4));
            assert_eq!(r.pop(), Some(1));
            assert!(w.push(4));
            assert_eq!(
                (r.pop(), r.pop(), r.pop(), r.pop()),
                (Some(2), Some(3), Some(4), None)
            );
        }
        check::<Adjacent, false, false>();
        check::<Adjacent, true, false>();
        check::<Padded, false, false>();
        check::<Padded, true, false>();
        check::<Adjacent, false, true>();
    }
}
