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

/// Runs `f` once and returns its result with the wall-clock time it took.
pub fn timed<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let r = f();
    (r, start.elapsed())
}
