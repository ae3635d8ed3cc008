//! Instruments. They measure; they never judge, and they know nothing of
//! chapters or claims.
//!
//! | module | measures |
//! |---|---|
//! | [`alloc`] | allocations, reallocations, frees and bytes, per thread |
//! | [`os`] | page faults, CPU time, I/O syscalls per thread; RSS, threads, mappings |
//! | [`stats`] | median, min/max, sample standard deviation, ratio of medians |
//! | [`child`] | how a re-run of this binary in a given mode ended (exit code, signal) |
//! | [`machine`] | CPU, cores, kernel, THP mode, libc, rustc, build profile |

pub mod alloc;
pub mod child;
pub mod machine;
pub mod os;
pub mod stats;

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
