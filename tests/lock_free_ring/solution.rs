//! Our answers to chapter 6's exercises (the starter is `starter.rs`).

use super::TinyProducer;
use perf_workbook::lock_free_ring::seed_port::SeedRing;
use std::sync::atomic::Ordering;

// ANCHOR: exercise_1
/// How many items the seed's `NewLockFreeRingBuffer(size)` holds, derived
/// from its code: `None` when the first push panics.
pub fn seed_capacity(size: usize) -> Option<usize> {
    // 0 passes `size&(size-1) == 0` as a power of two: no slots, mask
    // 2^64-1, and the first push indexes slot 0 of 0.
    if size == 0 {
        return None;
    }
    // Rounded up to a power of two; the full test `(head+1)&mask ==
    // tail&mask` keeps one slot empty to tell full from empty.
    Some(size.next_power_of_two() - 1)
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Consumers A and B each run the seed's three pop steps (`pop_claim`,
/// `pop_read`, `pop_publish`), interleaved so that both read the same slot;
/// returns what A got and what B got.
pub fn two_consumers_interleaved(ring: &SeedRing) -> (u64, u64) {
    let a = ring.pop_claim().expect("not empty"); // A loads tail = 0
    let b = ring.pop_claim().expect("not empty"); // B loads tail = 0 too
    let got_a = ring.pop_read(a);
    let got_b = ring.pop_read(b);
    ring.pop_publish(a); // tail = 1
    ring.pop_publish(b); // tail = 1 again
    (got_a, got_b)
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// The producer's push without the cached index: it loads the consumer's
/// counter (`p.ring.popped`) on every call.
pub fn push_uncached(p: &mut TinyProducer<'_>, v: u64) -> bool {
    let cap = p.ring.slots.len();
    let popped = p.ring.popped.load(Ordering::Acquire);
    if p.pushed - popped == cap {
        return false;
    }
    p.ring.slots[p.pushed % cap].store(v, Ordering::Relaxed);
    p.pushed += 1;
    p.ring.pushed.store(p.pushed, Ordering::Release);
    true
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Items in a ring whose counters run free (they only grow, wrapping at
/// `usize::MAX`): the distance from `popped` to `pushed`, modulo 2^64.
pub fn occupied(pushed: usize, popped: usize) -> usize {
    pushed.wrapping_sub(popped)
}

/// Full when `capacity` items are in: every slot is usable, none is wasted.
pub fn is_full(pushed: usize, popped: usize, capacity: usize) -> bool {
    occupied(pushed, popped) == capacity
}
// ANCHOR_END: exercise_4
