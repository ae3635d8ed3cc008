//! The CPU time a server's own threads used, however many came and went:
//! each thread registers its CPU clock when it starts and adds its total
//! to the ledger when it ends, so that [`CpuLedger::total`] counts live
//! threads to the nanosecond and finished ones exactly once. A thread per
//! connection comes and goes with its connection, so reading
//! `/proc/self/task` at two moments would miss the ones in between.
//!
//! Not for: the process's other threads (a load client in the same
//! process), which are not counted.

use std::sync::Mutex;
use std::time::Duration;

/// CPU time of a set of threads: the finished ones' sum, and the clocks of
/// the live ones.
#[derive(Debug, Default)]
pub struct CpuLedger {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    finished: Duration,
    live: Vec<libc::clockid_t>,
}

/// Registration of the calling thread; dropping it (when the thread ends)
/// moves the thread's CPU time into the ledger's finished sum.
#[derive(Debug)]
pub struct Registered<'a> {
    ledger: &'a CpuLedger,
    clock: Option<libc::clockid_t>,
}

impl CpuLedger {
    /// Counts the calling thread from now until the guard is dropped.
    pub fn register(&self) -> Registered<'_> {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: pthread_self() is the calling thread, alive for the call;
        // `clock` is a valid place for the result.
        let rc = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) };
        let clock = (rc == 0).then_some(clock);
        if let Some(c) = clock {
            self.lock().live.push(c);
        }
        Registered { ledger: self, clock }
    }

    /// CPU time (user + system) of every thread ever registered.
    pub fn total(&self) -> Duration {
        let inner = self.lock();
        // Holding the lock: every clock in `live` belongs to a thread that
        // has not yet dropped its guard, so it is still running.
        inner.live.iter().map(|&c| read_clock(c)).sum::<Duration>() + inner.finished
    }

    /// Threads registered now.
    pub fn live_threads(&self) -> usize {
        self.lock().live.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let Some(clock) = self.clock else { return };
        let mut inner = self.ledger.lock();
        // On the thread itself: its clock is valid until it returns.
        inner.finished += read_clock(clock);
        if let Some(i) = inner.live.iter().position(|&c| c == clock) {
            inner.live.swap_remove(i);
        }
    }
}

fn read_clock(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec to write; a stale clock id fails
    // with EINVAL and leaves it zero.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_threads_are_counted_once() {
        let ledger = CpuLedger::default();
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    let _me = ledger.register();
                    // Until this thread itself has used 2 ms of CPU.
                    let cpu = crate::measure::os::thread_cpu_time;
                    let start = cpu().unwrap();
                    while cpu().unwrap() - start < Duration::from_millis(2) {
                        std::hint::black_box(0u64);
                    }
                });
            }
        });
        assert_eq!(ledger.live_threads(), 0);
        let total = ledger.total();
        assert!(total >= Duration::from_millis(6), "{total:?}");
        assert_eq!(ledger.total(), total); // nothing live: it no longer moves
    }
}
