//! Our answers to the exercises of `exercises.rs`.

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
        let size = layout.size();
        let before = self.used.fetch_add(size, Ordering::Relaxed);
        if before + size > self.cap {
            self.used.fetch_sub(size, Ordering::Relaxed);
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout meets `alloc`'s contract.
        let p = unsafe { self.inner.alloc(layout) };
        if p.is_null() {
            self.used.fetch_sub(size, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `inner` (through `alloc`) with `layout`.
        unsafe { self.inner.dealloc(ptr, layout) };
        self.used.fetch_sub(layout.size(), Ordering::Relaxed);
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
        if self.last != Some(count) {
            self.owed = self.last.is_some(); // work since the last look
            self.last = Some(count);
            self.since = now;
            return false;
        }
        if self.owed && now - self.since >= self.quiet {
            self.owed = false;
            return true;
        }
        false
    }
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// The arena limit the operator set, if any: `MALLOC_ARENA_MAX=n`, or
/// `glibc.malloc.arena_max=n` among the `:`-separated `GLIBC_TUNABLES`.
pub fn operator_arena_max(env: impl Fn(&str) -> Option<String>) -> Option<u32> {
    if let Some(n) = env("MALLOC_ARENA_MAX").and_then(|v| v.trim().parse().ok()) {
        return Some(n);
    }
    env("GLIBC_TUNABLES")?
        .split(':')
        .find_map(|t| t.strip_prefix("glibc.malloc.arena_max="))?
        .trim()
        .parse()
        .ok()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// A buffer of `want` bytes of capacity, or of the largest half, quarter …
/// of it the allocator grants, down to `min`; `Err` if not even `min` fits.
pub fn reserve_or_degrade(want: usize, min: usize) -> Result<Vec<u8>, TryReserveError> {
    let mut size = want;
    loop {
        let mut v = Vec::new();
        match v.try_reserve_exact(size) {
            Ok(()) => return Ok(v),
            Err(e) if size / 2 < min => return Err(e),
            Err(_) => size /= 2,
        }
    }
}
// ANCHOR_END: exercise_4
