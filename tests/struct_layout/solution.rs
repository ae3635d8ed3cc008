//! Our answers to chapter 2's exercises (the starter is `starter.rs`).

use crossbeam_utils::CachePadded;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

// ANCHOR: exercise_1
/// A sensor reading: largest alignment first, so no field needs padding
/// before it and the struct ends on a multiple of 8.
#[repr(C)]
pub struct Reading {
    pub timestamp_ns: u64,
    pub value: f32,
    pub sequence: u16,
    pub channel: u8,
    pub valid: bool,
}

impl Reading {
    /// A reading with these values.
    pub fn new(
        timestamp_ns: u64,
        value: f32,
        sequence: u16,
        channel: u8,
        valid: bool,
    ) -> Self {
        Self { timestamp_ns, value, sequence, channel, valid }
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Two counters, each written by its own thread: `CachePadded` puts each in a
/// 128-byte block of its own (two cache lines on x86-64, for the pair
/// prefetcher), so the threads never write the same line.
#[repr(C)]
#[derive(Default)]
pub struct WorkerStats {
    pub sent: CachePadded<AtomicU64>,
    pub received: CachePadded<AtomicU64>,
}

impl WorkerStats {
    /// Counts one message sent (the sending thread only).
    pub fn note_sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one message received (the receiving thread only).
    pub fn note_received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// True when `next` is a single cycle through all of `0..next.len()`:
/// starting at 0 and following `next`, every index is visited exactly once
/// before the walk returns to 0. Any index out of range makes it false.
pub fn is_single_cycle(next: &[usize]) -> bool {
    let n = next.len();
    let mut at = 0;
    for step in 1..=n {
        at = match next.get(at) {
            Some(&i) if i < n => i,
            _ => return false,
        };
        if at == 0 {
            // Back at the start: a single cycle only if it took all n steps
            // (an earlier repeat elsewhere would never reach 0 again).
            return step == n;
        }
    }
    false
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// A user id; 0 is never a valid id. `NonZeroU32` gives `Option` a niche
/// (the value 0), and `repr(transparent)` puts the wrapper under std's
/// guarantee that `Option<NonZeroU32>` is the size of a `u32`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserId(NonZeroU32);

impl UserId {
    /// `None` for 0.
    pub fn new(raw: u32) -> Option<Self> {
        NonZeroU32::new(raw).map(Self)
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}
// ANCHOR_END: exercise_4
