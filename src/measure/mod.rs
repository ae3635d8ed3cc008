//! Instruments. They measure; they never judge, and they know nothing of
//! chapters or claims.
//!
//! | module | measures |
//! |---|---|
//! | [`alloc`] | allocations, reallocations, frees and bytes, per thread |
//! | [`os`] | page faults, CPU time, I/O syscalls per thread; RSS, threads, mappings |
//! | [`paired`] | per-round ratios of two methods timed side by side: their median, quartiles and noise band |
//! | [`stats`] | median, min/max, sample standard deviation, ratio of medians |
//! | [`child`] | how a re-run of this binary in a given mode (and environment) ended |
//! | [`machine`] | CPU, cores, kernel, THP mode, libc, rustc, build profile |
//! | [`cpu`] | which CPUs a thread may use; pinning a thread to one |
//! | [`procfs`] | `/proc/meminfo` and `/proc/sys` settings |
//! | [`rustc`] | what rustc says about one source file: compiled, error codes, lint names |
//! | [`rng`] | the one seedable random generator (SplitMix64) |
//!
//! Also here: [`cpu_timed`], [`timed`], [`ns_per_call`], and [`serial`], the
//! guard a test holds while it reads a process-wide figure.

pub mod alloc;
pub mod child;
pub mod cpu;
pub mod machine;
pub mod os;
pub mod paired;
pub mod procfs;
pub mod rng;
pub mod rustc;
pub mod stats;

/// A process-wide lock for tests that read or disturb a process-wide figure
/// (RSS, the mapping count, the thread count, faults of other threads): every
/// test of a binary that does either holds it, so the parallel harness runs
/// them one at a time. Tests that cannot name everything that disturbs their
/// figure run in a child process instead ([`child::run_test`]).
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

use std::time::{Duration, Instant};

/// Runs `f` once and returns its result with the CPU time this thread spent
/// in it (`CLOCK_THREAD_CPUTIME_ID`). For single-threaded work on a shared
/// machine: while another process holds the CPU, wall time runs on and CPU
/// time does not. Not for waiting (I/O, locks, two threads that must run
/// together): time those with [`timed`].
pub fn cpu_timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let now = || os::thread_cpu_time().expect("the thread CPU clock");
    let start = now();
    let r = f();
    (r, now() - start)
}

/// Runs `f` once and returns its result with the wall-clock time it took.
pub fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let r = f();
    (r, start.elapsed())
}

/// Median nanoseconds per call of `a` and of `b`, timed by the wall clock in
/// `rounds` alternating batches of `iters` calls each (A B, B A, A B …, see
/// [`stats::interleave`]). For costs of a few nanoseconds, where one call is
/// below the clock's resolution; keep the calls' results alive with
/// `black_box`, or the optimiser may time an empty loop.
pub fn ns_per_call(
    rounds: usize,
    iters: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (f64, f64) {
    let batch = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        t.elapsed()
    };
    let (xs, ys) = stats::interleave(rounds, || batch(&mut a), || batch(&mut b));
    let per = |v: &[f64]| stats::median(v).unwrap_or(f64::NAN) / iters as f64;
    (per(&xs), per(&ys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ns_per_call_calls_each_side_rounds_times_iters_alternately() {
        let log = std::cell::RefCell::new(Vec::new());
        let (a, b) = ns_per_call(
            3,
            2,
            || log.borrow_mut().push('a'),
            || log.borrow_mut().push('b'),
        );
        assert_eq!(log.into_inner().iter().collect::<String>(), "aabbbbaaaabb");
        assert!(a.is_finite() && a >= 0.0 && b.is_finite() && b >= 0.0, "{a} {b}");
    }

    #[test]
    fn cpu_time_advances_with_work_and_not_with_sleep() {
        let ((), slept) = cpu_timed(|| std::thread::sleep(Duration::from_millis(20)));
        assert!(slept < Duration::from_millis(10), "{slept:?}");
        let (x, worked) =
            cpu_timed(|| (0..2_000_000u64).map(std::hint::black_box).sum::<u64>());
        assert!(x > 0 && worked > Duration::ZERO);
    }
}
