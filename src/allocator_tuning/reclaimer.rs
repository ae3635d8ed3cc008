//! The [`Reclaimer`]: gives free memory back to the OS when the program has
//! gone quiet, on a thread of its own, once per quiet period.
//!
//! It is what the seeds' `runtime.GC()` and `debug.FreeOSMemory()` calls
//! want to be. Go's collector decides *when* to collect from the heap's
//! growth (`GOGC`); a Rust program frees at once, so the only question left
//! is when to hand the freed pages back to the OS. Doing it in the hot path
//! (the seeds' forced calls) makes every later allocation fault its pages
//! back in; never doing it leaves a burst's peak resident. The Reclaimer
//! waits until the work has been quiet for a while, then calls the
//! allocator's reclaim ([`Allocator::reclaim`](super::allocators::Allocator::reclaim)).
//!
//! The program says it is working by bumping an [`Activity`] counter; the
//! decision is [`IdleGate`], a pure state machine over (count, time), which
//! the tests drive with made-up times.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Work the program reports: one bump per unit of work (a request, a batch).
#[derive(Debug, Default)]
pub struct Activity(AtomicU64);

impl Activity {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// Records a unit of work.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Units of work so far.
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

// ANCHOR: idle_gate
/// Decides when to reclaim: once the activity count has stayed the same for
/// `quiet`, and only once per quiet period (nothing is freed while nothing
/// runs, so a second reclaim would find nothing).
#[derive(Clone, Copy, Debug)]
pub struct IdleGate {
    /// How long the work must have been quiet.
    pub quiet: Duration,
    seen: Option<u64>,
    changed_at: Duration,
    pending: bool,
}

impl IdleGate {
    /// A gate that has seen nothing yet.
    pub fn new(quiet: Duration) -> Self {
        Self { quiet, seen: None, changed_at: Duration::ZERO, pending: false }
    }

    /// Called on every poll with the activity count and the time since some
    /// fixed start; `true` when the caller should reclaim now.
    pub fn observe(&mut self, count: u64, now: Duration) -> bool {
        match self.seen {
            None => self.seen = Some(count),
            Some(c) if c != count => {
                self.seen = Some(count);
                self.changed_at = now;
                self.pending = true;
            }
            Some(_) => {
                if self.pending && now.saturating_sub(self.changed_at) >= self.quiet {
                    self.pending = false;
                    return true;
                }
            }
        }
        false
    }
}
// ANCHOR_END: idle_gate

/// One reclaim the Reclaimer made.
#[derive(Clone, Copy, Debug)]
pub struct ReclaimEvent {
    /// When it started.
    pub start: Instant,
    /// How long the reclaim call took.
    pub took: Duration,
}

/// A thread that reclaims when the program's [`Activity`] goes quiet.
#[derive(Debug)]
pub struct Reclaimer {
    stop: Arc<AtomicBool>,
    events: Arc<Mutex<Vec<ReclaimEvent>>>,
    handle: Option<JoinHandle<()>>,
}

impl Reclaimer {
    // ANCHOR: spawn
    /// Starts the thread: every `poll` it reads `activity`, and calls
    /// `reclaim` when [`IdleGate`] says so.
    pub fn spawn(
        activity: Arc<Activity>,
        quiet: Duration,
        poll: Duration,
        reclaim: fn(),
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let events = Arc::new(Mutex::new(Vec::new()));
        let (s, e) = (Arc::clone(&stop), Arc::clone(&events));
        // The count when spawned, not when the thread first runs: work done
        // in between is work to reclaim after.
        let initial = activity.count();
        let handle =
            std::thread::Builder::new().name("reclaimer".into()).spawn(move || {
                let start = Instant::now();
                let mut gate = IdleGate::new(quiet);
                gate.observe(initial, Duration::ZERO);
                while !s.load(Ordering::Relaxed) {
                    if gate.observe(activity.count(), start.elapsed()) {
                        let t = Instant::now();
                        reclaim();
                        let event = ReclaimEvent { start: t, took: t.elapsed() };
                        e.lock().unwrap_or_else(|p| p.into_inner()).push(event);
                    }
                    std::thread::sleep(poll);
                }
            })?;
        Ok(Self { stop, events, handle: Some(handle) })
    }
    // ANCHOR_END: spawn

    /// The reclaims so far.
    pub fn events(&self) -> Vec<ReclaimEvent> {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits up to `limit` for the first reclaim; `None` if none came.
    pub fn wait_for_reclaim(&self, limit: Duration) -> Option<ReclaimEvent> {
        self.wait_for_reclaims(1, limit)
    }

    /// Waits up to `limit` until `n` reclaims were made; the `n`th, or `None`.
    pub fn wait_for_reclaims(&self, n: usize, limit: Duration) -> Option<ReclaimEvent> {
        let t = Instant::now();
        loop {
            if let Some(e) = self.events().get(n.saturating_sub(1)) {
                return Some(*e);
            }
            if t.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Stops the thread and returns every reclaim it made.
    pub fn stop(mut self) -> Vec<ReclaimEvent> {
        self.shut_down();
        self.events()
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Reclaimer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_gate_opens_once_per_quiet_period() {
        let mut g = IdleGate::new(ms(100));
        assert!(!g.observe(0, ms(0)), "nothing happened yet");
        assert!(!g.observe(0, ms(500)), "no work, nothing to give back");
        assert!(!g.observe(5, ms(510)));
        assert!(!g.observe(5, ms(600)), "quiet for 90 ms only");
        assert!(g.observe(5, ms(610)), "quiet for 100 ms");
        assert!(!g.observe(5, ms(900)), "once per quiet period");
        assert!(!g.observe(6, ms(910)));
        assert!(!g.observe(7, ms(1000)), "busy again");
        assert!(g.observe(7, ms(1100)));
    }

    #[test]
    fn the_thread_reclaims_after_the_work_goes_quiet() {
        static CALLS: AtomicU64 = AtomicU64::new(0);
        fn count() {
            CALLS.fetch_add(1, Ordering::Relaxed);
        }
        let activity = Arc::new(Activity::new());
        let r = Reclaimer::spawn(Arc::clone(&activity), ms(20), ms(1), count).unwrap();
        std::thread::sleep(ms(5));
        activity.bump();
        assert!(r.wait_for_reclaim(Duration::from_secs(10)).is_some());
        let events = r.stop();
        assert_eq!(events.len(), 1);
        assert_eq!(CALLS.load(Ordering::Relaxed), 1);
    }
}
