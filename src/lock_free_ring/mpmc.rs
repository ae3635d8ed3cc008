//! A bounded multi-producer multi-consumer queue after Dmitry Vyukov's
//! design ("Bounded MPMC queue", 1024cores.net), the one crossbeam's
//! `ArrayQueue` also follows: what the seed's ring would need to be to allow
//! several producers and consumers (D16).
//!
//! Each slot carries a *stamp* saying whose turn it is. A producer claims a
//! position by advancing `tail` with compare-and-swap, so two producers never
//! get the same slot (the seed's lost items); it then writes the value and
//! publishes it by bumping the slot's stamp with Release. Consumers mirror
//! this on `head`. Stamps hold a lap number in their high bits and a slot
//! index in their low bits, so any capacity `n ≥ 1` works without a division
//! and holds exactly `n` items.
//!
//! **Progress, honestly.** No operation ever waits: `push` and `pop` retry
//! only after a failed compare-and-swap, which means another thread
//! succeeded, so the operations are lock-free. The *queue* is not: a producer
//! preempted between its claim (the CAS on `tail`) and its publish (the stamp
//! store) leaves a hole. Until it runs again, `pop` reports empty at that
//! slot even when later pushes have completed, and once the producers wrap
//! around to the hole, `push` reports full. A consumer preempted mid-pop
//! likewise makes `push` report full. Nothing is lost or duplicated; items
//! behind the hole are delayed. `tests/lock_free_ring/loom_models.rs`
//! (`loom_mpmc_pop_can_miss_a_completed_push`) shows the first case with loom.
//! heapless deprecated its MPMC queue over this very property (issue #583).
//!
//! Not the fastest choice for one producer and one consumer: that is
//! [`super::spsc`], which needs no compare-and-swap at all.

use super::CapacityError;
use super::sync::{AtomicUsize, Ordering, UnsafeCell};
use crossbeam_utils::CachePadded;
use std::mem::MaybeUninit;

// ANCHOR: slot
/// One slot and its turn.
struct Slot<T> {
    /// For the operation whose position stamp is `s` (lap `L`, index `i`):
    /// `s` means free for the push of lap `L`; `s + 1` means written by that
    /// push, ready for the pop; `s + one_lap` means popped, free for lap `L + 1`.
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}
// ANCHOR_END: slot

/// A bounded queue any number of threads can push to and pop from (`&self`).
pub struct Queue<T> {
    /// Position stamp of the next pop: `lap | index`.
    head: CachePadded<AtomicUsize>,
    /// Position stamp of the next push: `lap | index`.
    tail: CachePadded<AtomicUsize>,
    slots: Box<[Slot<T>]>,
    /// The smallest power of two above the capacity: adding it to a stamp
    /// moves to the next lap; `one_lap - 1` masks out the index.
    one_lap: usize,
}

// SAFETY: a slot's value is accessed only by the thread whose CAS on `tail`
// (push) or `head` (pop) claimed that position, and the slot's stamp, stored
// with Release after the access and loaded with Acquire before the next one,
// orders the accesses of successive owners. Values move between threads, so
// `T: Send` is required; `T: Sync` is not, since no `&T` is ever shared.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: as above; every method that touches a value claims it first.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T> Queue<T> {
    /// A queue that holds exactly `capacity` items. Fails for capacity 0 and
    /// for a capacity whose slots would not fit in `isize::MAX` bytes.
    pub fn new(capacity: usize) -> Result<Self, CapacityError> {
        CapacityError::check::<Slot<T>>(capacity)?;
        let one_lap = (capacity + 1).next_power_of_two();
        let slots = (0..capacity)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Ok(Self {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            slots,
            one_lap,
        })
    }

    /// How many items the queue holds when full.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The stamp of the position after `stamp`.
    #[inline(always)]
    fn next(&self, stamp: usize) -> usize {
        let index = stamp & (self.one_lap - 1);
        if index + 1 < self.slots.len() {
            stamp + 1
        } else {
            (stamp & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    // ANCHOR: push
    /// Appends `value`, or gives it back when the slot the next push needs has
    /// not been released by a pop yet (the queue is full, or a pop of that
    /// slot is in flight).
    pub fn push(&self, value: T) -> Result<(), T> {
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            let slot = &self.slots[tail & (self.one_lap - 1)];
            // Acquire: the pop that freed this slot finished reading it.
            let stamp = slot.stamp.load(Ordering::Acquire);
            match stamp.wrapping_sub(tail) as isize {
                0 => {
                    // Free for our lap: claim the position. Exactly one
                    // producer's CAS from `tail` succeeds.
                    let next = self.next(tail);
                    match self.tail.compare_exchange_weak(
                        tail,
                        next,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => {
                            // SAFETY: our CAS made this position ours alone,
                            // and the stamp said the previous value (if any)
                            // was moved out; no one reads the slot before the
                            // Release store below.
                            slot.value.with_mut(|p| unsafe {
                                p.write(MaybeUninit::new(value))
                            });
                            slot.stamp.store(tail.wrapping_add(1), Ordering::Release);
                            return Ok(());
                        }
                        Err(current) => tail = current,
                    }
                }
                // Still holds the value pushed one lap ago.
                d if d < 0 => return Err(value),
                // Another producer took this position: our `tail` is stale.
                _ => tail = self.tail.load(Ordering::Relaxed),
            }
        }
    }
    // ANCHOR_END: push

    // ANCHOR: pop
    /// Removes the oldest published item, or returns `None` when the slot the
    /// next pop needs has not been published (the queue is empty, or a push of
    /// that slot is in flight).
    pub fn pop(&self) -> Option<T> {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let slot = &self.slots[head & (self.one_lap - 1)];
            // Acquire: the push that published this slot finished writing it.
            let stamp = slot.stamp.load(Ordering::Acquire);
            match stamp.wrapping_sub(head.wrapping_add(1)) as isize {
                0 => {
                    let next = self.next(head);
                    match self.head.compare_exchange_weak(
                        head,
                        next,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => {
                            // SAFETY: our CAS made this position ours alone and
                            // the stamp said it was published, so the value is
                            // initialised; we move it out once, and the Release
                            // store hands the slot to the next lap's push.
                            let value =
                                slot.value.with(|p| unsafe { p.read().assume_init() });
                            slot.stamp.store(
                                head.wrapping_add(self.one_lap),
                                Ordering::Release,
                            );
                            return Some(value);
                        }
                        Err(current) => head = current,
                    }
                }
                // Not yet published for this lap.
                d if d < 0 => return None,
                // Another consumer took this position: our `head` is stale.
                _ => head = self.head.load(Ordering::Relaxed),
            }
        }
    }
    // ANCHOR_END: pop
}

impl<T> Drop for Queue<T> {
    /// Drops every item still inside, exactly once. `&mut self` means no push
    /// or pop is in flight, so every position between `head` and `tail` is
    /// published.
    fn drop(&mut self) {
        if !std::mem::needs_drop::<T>() {
            return;
        }
        let tail = self.tail.load(Ordering::Relaxed);
        let mut pos = self.head.load(Ordering::Relaxed);
        while pos != tail {
            let slot = &self.slots[pos & (self.one_lap - 1)];
            // SAFETY: positions in `head .. tail` were pushed and not popped,
            // and no thread can reach the queue any more; each is dropped once.
            slot.value.with_mut(|p| unsafe { (*p).assume_init_drop() });
            pos = self.next(pos);
        }
    }
}

impl<T> std::fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    static_assertions::assert_impl_all!(Queue<u64>: Send, Sync);
    static_assertions::assert_not_impl_any!(Queue<std::rc::Rc<u8>>: Send, Sync);

    #[test]
    fn stamps_wrap_to_the_next_lap_at_the_capacity() {
        let q = Queue::<u8>::new(3).unwrap();
        assert_eq!(q.one_lap, 4);
        assert_eq!(q.next(0), 1);
        assert_eq!(q.next(2), 4);
        assert_eq!(q.next(4 + 2), 8);
    }
}
