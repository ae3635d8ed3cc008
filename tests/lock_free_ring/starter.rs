//! Chapter 6's exercises, to write yourself: `cargo test --test
//! lock_free_ring --features starter` runs the tests of `exercises.rs`
//! against this file.
#![allow(unused)]

use super::TinyProducer;
use perf_workbook::lock_free_ring::seed_port::SeedRing;
use std::sync::atomic::Ordering;

// ANCHOR: exercise_1
/// How many items the seed's `NewLockFreeRingBuffer(size)` holds, derived
/// from its code: `None` when the first push panics.
pub fn seed_capacity(size: usize) -> Option<usize> {
    // TODO: read `SeedRing::with_slots` and `push_claim` in
    // src/lock_free_ring/seed_port.rs: what does the rounding give, and how
    // many slots does the full test leave usable? What does size 0 do?
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Consumers A and B each run the seed's three pop steps (`pop_claim`,
/// `pop_read`, `pop_publish`), interleaved so that both read the same slot;
/// returns what A got and what B got.
pub fn two_consumers_interleaved(ring: &SeedRing) -> (u64, u64) {
    // TODO: call the six steps in an order two threads could run them in,
    // such that both consumers get the first item.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// The producer's push without the cached index: it loads the consumer's
/// counter (`p.ring.popped`) on every call.
pub fn push_uncached(p: &mut TinyProducer<'_>, v: u64) -> bool {
    // TODO: `push_cached` in tests/lock_free_ring/exercises.rs, without
    // `popped_seen`: load `p.ring.popped` (Acquire), give up when full, write
    // the slot, then publish `pushed` (Release).
    todo!()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Items in a ring whose counters run free (they only grow, wrapping at
/// `usize::MAX`): the distance from `popped` to `pushed`, modulo 2^64.
pub fn occupied(pushed: usize, popped: usize) -> usize {
    // TODO: `pushed - popped` overflows once `pushed` has wrapped and
    // `popped` has not.
    todo!()
}

/// Full when `capacity` items are in: every slot is usable, none is wasted.
pub fn is_full(pushed: usize, popped: usize, capacity: usize) -> bool {
    todo!()
}
// ANCHOR_END: exercise_4
