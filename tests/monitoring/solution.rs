//! Our answers to the exercises of `exercises.rs`.

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
    let live = || sites.iter().map(|s| s.stats().live_bytes()).collect::<Vec<i64>>();
    request(); // warm-up
    let mut rounds = vec![live()];
    for _ in 0..4 {
        request();
        rounds.push(live());
    }
    sites
        .iter()
        .enumerate()
        .filter(|(i, _)| rounds.windows(2).all(|w| w[1][*i] > w[0][*i]))
        .map(|(_, s)| s.name())
        .collect()
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
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name(HEARTBEAT_THREAD.into())
            .spawn(move || {
                let (lock, wake) = &*s;
                let mut stopped = lock.lock().unwrap();
                // The flag is checked before every wait: a stop that came
                // before this thread first ran must not be missed.
                while !*stopped {
                    let (g, timeout) = wake.wait_timeout(stopped, interval).unwrap();
                    stopped = g;
                    if !*stopped && timeout.timed_out() {
                        beat();
                    }
                }
            })
            .expect("spawn the heartbeat");
        Self { stop, thread: Some(thread) }
    }

    /// Stops and joins; any number of calls.
    pub fn stop(&mut self) {
        *self.stop.0.lock().unwrap() = true;
        self.stop.1.notify_all();
        if let Some(t) = self.thread.take() {
            t.join().expect("the heartbeat panicked");
        }
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
        if self.slot.lock().unwrap().replace(v).is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The newest value, once.
    pub fn take(&self) -> Option<T> {
        self.slot.lock().unwrap().take()
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
    parent: Weak<Parent>,
}

/// A new child of `parent`.
pub fn child_of(parent: &Rc<Parent>) -> Rc<Child> {
    Rc::new(Child { parent: Rc::downgrade(parent) })
}

/// The length of the parent's data, while the parent lives.
pub fn parent_data_len(child: &Child) -> Option<usize> {
    child.parent.upgrade().map(|p| p.data.len())
}
// ANCHOR_END: exercise_4
