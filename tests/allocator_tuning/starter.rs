//! The exercises of `exercises.rs`, to write: replace each `todo!()`.
#![allow(unused)]

use std::alloc::{GlobalAlloc, Layout};
use std::collections::TryReserveError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

// ANCHOR: exercise_1
/// An allocator that hands out at most `cap` bytes at once: past it,
/// `alloc` returns null (and `try_reserve` would return `Err`).
pub struct Capped<A> {
    inner: A,
    cap: usize,
    used: AtomicUsize,
}

impl<A> Capped<A> {
    /// `inner`, limited to `cap` bytes.
    pub fn new(inner: A, cap: usize) -> Self {
        Self { inner, cap, used: AtomicUsize::new(0) }
    }

    /// Bytes handed out and not freed.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}

// SAFETY: blocks come from `inner` and go back to it unchanged; refusing
// (null) before asking `inner` is allowed by `GlobalAlloc`.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Capped<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // TODO: charge `layout.size()` to `used` with one atomic add; if that
        // takes it past `cap`, take it back and return null. Otherwise ask
        // `inner`, and take the charge back if it returns null.
        todo!()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // TODO: give the block back to `inner`, then its bytes to `used`.
        todo!()
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Decides when a reclaimer gives memory back: once the activity count has
/// not moved for `quiet`, and once per quiet period.
pub struct QuietGate {
    quiet: Duration,
    last: Option<u64>,
    since: Duration,
    owed: bool,
}

impl QuietGate {
    /// A gate that has seen nothing.
    pub fn new(quiet: Duration) -> Self {
        Self { quiet, last: None, since: Duration::ZERO, owed: false }
    }

    /// `count` is the work done so far, `now` the time; `true`: reclaim now.
    pub fn observe(&mut self, count: u64, now: Duration) -> bool {
        // TODO: when `count` moved, remember it and when, and note that a
        // reclaim is owed (unless this is the first look); when it has not
        // moved for `quiet` and a reclaim is owed, pay it: return true once.
        todo!()
    }
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// The arena limit the operator set, if any: `MALLOC_ARENA_MAX=n`, or
/// `glibc.malloc.arena_max=n` among the `:`-separated `GLIBC_TUNABLES`.
pub fn operator_arena_max(env: impl Fn(&str) -> Option<String>) -> Option<u32> {
    // TODO: read MALLOC_ARENA_MAX first (trimmed, parsed); else look for the
    // arena_max tunable in GLIBC_TUNABLES. Anything unparsable is `None`.
    todo!()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// A buffer of `want` bytes of capacity, or of the largest half, quarter …
/// of it the allocator grants, down to `min`; `Err` if not even `min` fits.
pub fn reserve_or_degrade(want: usize, min: usize) -> Result<Vec<u8>, TryReserveError> {
    // TODO: try `Vec::try_reserve_exact(size)` from `want` down, halving
    // after each `Err`; give up with that `Err` once `size / 2 < min`.
    todo!()
}
// ANCHOR_END: exercise_4
