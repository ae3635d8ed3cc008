//! The exercises of `exercises.rs`, to write: replace each `todo!()`.
#![allow(unused)]

use super::Parent;
use perf_workbook::monitoring::tracking::Site;
use std::rc::{Rc, Weak};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar};
use std::thread::JoinHandle;
use std::time::Duration;

// ANCHOR: exercise_1
/// Runs `request` a few times and returns the names of the sites whose live
/// bytes grew on every run after the first (the first may fill caches).
pub fn leaking_sites(
    sites: &[&'static Site],
    mut request: impl FnMut(),
) -> Vec<&'static str> {
    // TODO: run `request` once to warm up, then several more times, reading
    // `site.stats().live_bytes()` of every site after each run; keep the
    // sites whose live bytes grew every time.
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// The name of the heartbeat's thread.
pub const HEARTBEAT_THREAD: &str = "heartbeat";

/// Calls a function every interval on a thread of its own, until stopped.
pub struct Heartbeat {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Heartbeat {
    /// Starts beating: `beat` every `interval`.
    pub fn start(interval: Duration, beat: impl Fn() + Send + 'static) -> Self {
        // TODO: spawn a thread named HEARTBEAT_THREAD that waits on the
        // condvar for `interval` (or until stopped) and calls `beat`.
        todo!()
    }

    /// Stops and joins; any number of calls.
    pub fn stop(&mut self) {
        // TODO: set the flag, wake the thread, join it if not joined yet.
        todo!()
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop();
    }
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Holds the newest value published; counts the values replaced unread.
pub struct Latest<T> {
    slot: Mutex<Option<T>>,
    dropped: AtomicU64,
}

impl<T> Latest<T> {
    /// Empty.
    pub fn new() -> Self {
        Self { slot: Mutex::new(None), dropped: AtomicU64::new(0) }
    }

    /// Replaces the value; a value nobody took is counted as dropped.
    pub fn publish(&self, v: T) {
        // TODO: replace the slot's value; count the old one if it was there.
        todo!()
    }

    /// The newest value, once.
    pub fn take(&self) -> Option<T> {
        // TODO: take the value out of the slot.
        todo!()
    }

    /// Values replaced before anyone took them.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// A child that can reach its parent without keeping it alive.
pub struct Child {
    // TODO: how does a child point at its parent without a cycle?
    parent: Rc<Parent>,
}

/// A new child of `parent`.
pub fn child_of(parent: &Rc<Parent>) -> Rc<Child> {
    // TODO: this keeps the parent alive from its own child list: a cycle.
    Rc::new(Child { parent: parent.clone() })
}

/// The length of the parent's data, while the parent lives.
pub fn parent_data_len(child: &Child) -> Option<usize> {
    // TODO: reach the parent through your pointer.
    todo!()
}
// ANCHOR_END: exercise_4
