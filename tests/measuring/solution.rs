//! Our answers to chapter 0's exercises (see exercises.rs).

use perf_workbook::measure::stats::Summary;
use perf_workbook::measuring::tiny_pool::TinyBytePool;
use std::hint::black_box;
use std::time::Duration;

/// Above glibc's largest mmap threshold (32 MiB): every allocation of this
/// size gets fresh pages from the kernel, so filling it must page-fault.
pub const FILL_LEN: usize = 33 << 20;

// ANCHOR: exercise_1
/// Each of `iters` iterations fills a fresh `FILL_LEN`-byte buffer with
/// ones, and no optimiser may delete it.
pub fn fill_fresh_buffers(iters: u64) {
    for _ in 0..iters {
        drop(black_box(vec![1u8; FILL_LEN]));
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// The coefficient of variation (sample standard deviation over the mean)
/// of a set of runs, with the workbook's `Summary`.
pub fn coefficient_of_variation(runs: &[f64]) -> f64 {
    let s = Summary::of(runs).expect("at least one finite run");
    s.sd / s.mean
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// How many `read` calls a loop makes to read a `file_len`-byte file with a
/// `buf_len`-byte buffer, stopping at the read that returns 0.
pub fn expected_reads(file_len: u64, buf_len: u64) -> u64 {
    file_len.div_ceil(buf_len) + 1
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Gets a buffer from `pool`, appends `data`, lets the caller see it
/// (`black_box`), puts it back, and returns how many bytes it held.
pub fn use_pooled_buffer(pool: &mut TinyBytePool, data: &[u8]) -> usize {
    let mut buf = pool.get();
    buf.extend_from_slice(data);
    let len = black_box(&buf).len();
    pool.put(buf);
    len
}
// ANCHOR_END: exercise_4

// ANCHOR: exercise_5
/// What a timer with millisecond resolution prints for `d`: whole
/// milliseconds, rounded to the nearest (half a millisecond rounds up).
pub fn millisecond_reading(d: Duration) -> u64 {
    ((d.as_micros() + 500) / 1000) as u64
}
// ANCHOR_END: exercise_5

// ANCHOR: exercise_6
/// The Mann–Whitney U statistic: over every pair (o from `old`, n from
/// `new`), count 1 when o > n and ½ when they are equal.
pub fn u_statistic(old: &[f64], new: &[f64]) -> f64 {
    old.iter()
        .flat_map(|o| new.iter().map(move |n| (o, n)))
        .map(|(o, n)| {
            if o > n {
                1.0
            } else if o == n {
                0.5
            } else {
                0.0
            }
        })
        .sum()
}
// ANCHOR_END: exercise_6
