//! [`Bounded`]: a counting semaphore that also measures itself. At most
//! `limit` [`Permit`]s exist at once; `acquire` waits for one. A gauge
//! records how many are out now and the most ever out at once, which is how
//! the chapter checks seed 003's claim that a 100-slot channel caps
//! concurrency at 100 (C003-31).
//!
//! The same thing as Go's `sem := make(chan struct{}, 100)`, with the
//! release tied to a value's lifetime (`Drop`), so a panicking holder still
//! gives its slot back. Not for: fairness (a waiter may be overtaken).

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Condvar, Mutex};

// ANCHOR: bounded
/// At most `limit` holders at once.
pub struct Bounded {
    limit: usize,
    out: Mutex<usize>,
    freed: Condvar,
    in_flight: AtomicUsize,
    most: AtomicUsize,
}

/// One slot of a [`Bounded`]; dropping it gives the slot back.
pub struct Permit<'a>(&'a Bounded);

impl Bounded {
    /// A semaphore of `limit` slots.
    ///
    /// # Panics
    /// If `limit` is 0 (nothing could ever run).
    pub fn new(limit: usize) -> Self {
        assert!(limit > 0, "a semaphore needs at least one slot");
        Self {
            limit,
            out: Mutex::new(0),
            freed: Condvar::new(),
            in_flight: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
        }
    }

    /// Waits for a slot.
    pub fn acquire(&self) -> Permit<'_> {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        while *out == self.limit {
            out = self.freed.wait(out).unwrap_or_else(|p| p.into_inner());
        }
        *out += 1;
        drop(out);
        let now = self.in_flight.fetch_add(1, Relaxed) + 1;
        self.most.fetch_max(now, Relaxed);
        Permit(self)
    }

    /// Permits out now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Relaxed)
    }

    /// The most permits ever out at once.
    pub fn most_in_flight(&self) -> usize {
        self.most.load(Relaxed)
    }

    /// The number of slots.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let s = self.0;
        s.in_flight.fetch_sub(1, Relaxed);
        *s.out.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        s.freed.notify_one();
    }
}
// ANCHOR_END: bounded

/// A gauge for code that bounds itself some other way (the seed's channel
/// semaphore): call [`Gauge::enter`] where the bounded work starts.
#[derive(Default)]
pub struct Gauge {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// Leaves the gauge when dropped.
pub struct Inside<'a>(&'a Gauge);

impl Gauge {
    /// Counts one more inside until the guard drops.
    pub fn enter(&self) -> Inside<'_> {
        let now = self.now.fetch_add(1, Relaxed) + 1;
        self.most.fetch_max(now, Relaxed);
        Inside(self)
    }

    /// The most ever inside at once.
    pub fn most(&self) -> usize {
        self.most.load(Relaxed)
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Relaxed);
    }
}
