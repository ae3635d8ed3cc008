//! This thread's CPU time, for timing single-threaded work on a shared
//! machine: while another process holds the CPU, wall time runs on and CPU
//! time does not, so a measurement taken while eight people compile
//! measures our loop, not their compiler.
//!
//! Not a replacement for wall time where waiting is the subject (I/O, locks,
//! two threads that must run together): those use `Instant`.

use std::time::Duration;

/// CPU time this thread has used so far (`CLOCK_THREAD_CPUTIME_ID`).
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant
    // every Unix this crate builds on supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f` and returns its result with the CPU time this thread spent in it.
pub fn cpu_timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = thread_cpu_time();
    let r = f();
    (r, thread_cpu_time() - start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_advances_with_work_and_not_with_sleep() {
        let ((), slept) = cpu_timed(|| std::thread::sleep(Duration::from_millis(20)));
        assert!(slept < Duration::from_millis(10), "{slept:?}");
        let (x, worked) =
            cpu_timed(|| (0..2_000_000u64).map(std::hint::black_box).sum::<u64>());
        assert!(x > 0 && worked > Duration::ZERO);
    }
}
