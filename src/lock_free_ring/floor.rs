//! The streaming floor: the smallest single-producer single-consumer ring of
//! `u64` that has the two tricks that matter (each side caches the other's
//! index; the two indices sit on 128-byte blocks of their own), and nothing
//! else. Written apart from [`super::spsc`], sharing none of its code, as a
//! reference for how fast a ring can move items between two cores on this
//! machine: the batch table times ours beside it at every batch size and
//! capacity, and the latency table does the same for a round trip.
//!
//! What it leaves out, and [`super::spsc`] has: any `T` (here `u64`, `Copy`,
//! nothing to drop), any capacity (here a power of two, so a slot is
//! `index & mask`), abandonment, `push_iter`. Its batches are two
//! `copy_nonoverlapping`s (a `memcpy` each) and one Release store.
//!
//! Not for use outside measurements; [`super::spsc`] is the ring.

use crossbeam_utils::CachePadded;
use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

// ANCHOR: ring
/// The shared part: two free-running indices, each written by one side only,
/// and `mask + 1` slots.
struct Ring {
    /// Items written (the producer's index).
    head: CachePadded<AtomicUsize>,
    /// Items read (the consumer's index).
    tail: CachePadded<AtomicUsize>,
    mask: usize,
    buf: Box<[UnsafeCell<u64>]>,
}
// ANCHOR_END: ring

// SAFETY: slots `tail .. head` (masked) are only read by the consumer, the
// others only written by the producer; the Release store of `head` after a
// write and the consumer's Acquire load of it order each write before its
// read, and the Release store of `tail` after a read and the producer's
// Acquire load order each read before the slot is written again. There is
// one producer and one consumer: `Tx` and `Rx` are not `Clone` and every
// method that touches a slot takes `&mut self`.
unsafe impl Sync for Ring {}

impl Ring {
    /// A raw pointer to slot `i` (`i <= mask + 1`, one past the end allowed).
    #[inline(always)]
    fn slot(&self, i: usize) -> *mut u64 {
        debug_assert!(i <= self.buf.len());
        // `UnsafeCell<u64>` has the layout of `u64`, so the slots are a plain
        // `[u64]` that may be written through a shared reference.
        UnsafeCell::raw_get(self.buf.as_ptr()).wrapping_add(i)
    }
}

/// The writing end.
pub struct Tx {
    ring: Arc<Ring>,
    /// Our own `head` (we are its only writer).
    head: usize,
    /// A stale copy of `tail`: at least this many items have been read.
    tail_seen: usize,
}

/// The reading end.
pub struct Rx {
    ring: Arc<Ring>,
    /// Our own `tail`.
    tail: usize,
    /// A stale copy of `head`: at least this many items have been written.
    head_seen: usize,
}

/// A ring of `capacity.next_power_of_two()` slots (at least 1), split.
pub fn ring(capacity: usize) -> (Tx, Rx) {
    let slots = capacity.max(1).next_power_of_two();
    let ring = Arc::new(Ring {
        head: CachePadded::new(AtomicUsize::new(0)),
        tail: CachePadded::new(AtomicUsize::new(0)),
        mask: slots - 1,
        buf: (0..slots).map(|_| UnsafeCell::new(0)).collect(),
    });
    (Tx { ring: ring.clone(), head: 0, tail_seen: 0 }, Rx { ring, tail: 0, head_seen: 0 })
}

impl Tx {
    /// Slots the ring has.
    pub fn capacity(&self) -> usize {
        self.ring.mask + 1
    }

    /// Free slots: as far as we know, and if that is fewer than `want`, after
    /// loading the consumer's index.
    #[inline(always)]
    fn free(&mut self, want: usize) -> usize {
        let cap = self.ring.mask + 1;
        let free = cap - self.head.wrapping_sub(self.tail_seen);
        if free >= want {
            return free;
        }
        self.tail_seen = self.ring.tail.load(Ordering::Acquire);
        cap - self.head.wrapping_sub(self.tail_seen)
    }

    /// Writes `v`; false when full.
    #[inline]
    pub fn push(&mut self, v: u64) -> bool {
        if self.free(1) == 0 {
            return false;
        }
        // SAFETY: a free slot: outside `tail .. head`, so the consumer does not
        // read it until the store below publishes it.
        unsafe { self.ring.slot(self.head & self.ring.mask).write(v) };
        self.head = self.head.wrapping_add(1);
        self.ring.head.store(self.head, Ordering::Release);
        true
    }

    // ANCHOR: push_slice
    /// Copies as many of `items` as fit; returns how many.
    #[inline]
    pub fn push_slice(&mut self, items: &[u64]) -> usize {
        let n = items.len().min(self.free(items.len()));
        let at = self.head & self.ring.mask;
        let first = n.min(self.ring.mask + 1 - at);
        // SAFETY: the `n` slots from `at` (wrapping once) are free, as in
        // `push`; `first` of them lie before the end of the slots and `n -
        // first` at their start; `items` has `n` values and is not the ring.
        unsafe {
            std::ptr::copy_nonoverlapping(items.as_ptr(), self.ring.slot(at), first);
            std::ptr::copy_nonoverlapping(
                items.as_ptr().add(first),
                self.ring.slot(0),
                n - first,
            );
        }
        self.head = self.head.wrapping_add(n);
        self.ring.head.store(self.head, Ordering::Release);
        n
    }
    // ANCHOR_END: push_slice
}

impl Rx {
    /// Items ready: as far as we know, and if that is fewer than `want`,
    /// after loading the producer's index.
    #[inline(always)]
    fn ready(&mut self, want: usize) -> usize {
        let ready = self.head_seen.wrapping_sub(self.tail);
        if ready >= want {
            return ready;
        }
        self.head_seen = self.ring.head.load(Ordering::Acquire);
        self.head_seen.wrapping_sub(self.tail)
    }

    /// Reads the oldest item; `None` when empty.
    #[inline]
    pub fn pop(&mut self) -> Option<u64> {
        if self.ready(1) == 0 {
            return None;
        }
        // SAFETY: a published slot (inside `tail .. head_seen`); the producer
        // does not write it again until the store below frees it.
        let v = unsafe { self.ring.slot(self.tail & self.ring.mask).read() };
        self.tail = self.tail.wrapping_add(1);
        self.ring.tail.store(self.tail, Ordering::Release);
        Some(v)
    }

    /// Copies up to `out.len()` items into `out`; returns how many.
    #[inline]
    pub fn pop_slice(&mut self, out: &mut [u64]) -> usize {
        let n = out.len().min(self.ready(out.len()));
        let at = self.tail & self.ring.mask;
        let first = n.min(self.ring.mask + 1 - at);
        // SAFETY: the `n` slots from `at` (wrapping once) are published, as
        // in `pop`; `out` has room for `n` and is not the ring.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ring.slot(at), out.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(
                self.ring.slot(0),
                out.as_mut_ptr().add(first),
                n - first,
            );
        }
        self.tail = self.tail.wrapping_add(n);
        self.ring.tail.store(self.tail, Ordering::Release);
        n
    }
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("floor::Tx").field("head", &self.head).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Rx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("floor::Rx").field("tail", &self.tail).finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::measure::rng::SplitMix64;
    use std::collections::VecDeque;

    /// Random single and batch calls, against a `VecDeque` bounded at the
    /// rounded capacity, across many wraps.
    #[test]
    fn behaves_like_a_bounded_vecdeque() {
        let (mut tx, mut rx) = ring(5);
        assert_eq!(tx.capacity(), 8);
        let (mut model, mut next, mut rng) = (VecDeque::new(), 0u64, SplitMix64::new(7));
        for _ in 0..5_000 {
            let k = rng.below(11);
            match rng.below(4) {
                0 => {
                    let ok = tx.push(next);
                    assert_eq!(ok, model.len() < 8);
                    if ok {
                        model.push_back(next);
                    }
                    next += 1;
                }
                1 => {
                    let items: Vec<u64> = (next..next + k as u64).collect();
                    let n = tx.push_slice(&items);
                    assert_eq!(n, k.min(8 - model.len()));
                    model.extend(&items[..n]);
                    next += k as u64;
                }
                2 => assert_eq!(rx.pop(), model.pop_front()),
                _ => {
                    let mut out = vec![0; k];
                    let n = rx.pop_slice(&mut out);
                    assert_eq!(n, k.min(model.len()));
                    for &v in &out[..n] {
                        assert_eq!(Some(v), model.pop_front());
                    }
                }
            }
        }
    }
}
