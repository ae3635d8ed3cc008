//! Chapter 0, "Measuring honestly": invariants and exercises.
//!
//! Every assertion here is a count, a size or a computed statistic; none is
//! a time. The tests pass in debug and release builds alike, which is the
//! point: a count of a `black_box`ed allocation does not depend on the
//! optimiser, a count of an unused one does (see the elision tests).
//!
//! Exercises: `cargo test --test measuring exercise_` runs them all.

use perf_workbook::measure::alloc::{self, AllocScope};
use perf_workbook::measure::stats::Summary;
use perf_workbook::measuring::figures::allocs_per_op;
use perf_workbook::measuring::seed_numbers::{self, SEED_004_RUNS_MS};
use perf_workbook::measuring::timing::{as_whole_ms, ms_speedup};
use perf_workbook::measuring::tiny_pool::{self, BoxingPool, TinyBytePool};
use perf_workbook::measuring::{counting, elision};
use std::hint::black_box;
use std::time::Duration;

perf_workbook::count_allocations!();

const ITERS: u64 = if cfg!(miri) { 10 } else { 1000 };

#[test]
fn kept_loops_allocate_exactly_once_per_iteration() {
    for pair in elision::PAIRS {
        assert_eq!(allocs_per_op(pair.kept), Some(1.0), "{}", pair.name);
    }
}

#[test]
fn unused_loops_allocate_at_most_once_per_iteration() {
    // 1 in a debug build, 0 in a release build of the library: the count of
    // an allocation nobody observes belongs to the optimiser, so a test can
    // only bound it.
    for pair in elision::PAIRS {
        let a = allocs_per_op(pair.unused).unwrap();
        assert!(a == 0.0 || a == 1.0, "{}: {a}", pair.name);
    }
}

#[test]
fn the_tiny_pool_allocates_nothing_after_warm_up() {
    assert_eq!(allocs_per_op(tiny_pool::tiny_pool_get_put), Some(0.0));
    assert_eq!(allocs_per_op(tiny_pool::tiny_pool_append_put), Some(0.0));
    assert_eq!(allocs_per_op(tiny_pool::malloc_free_1024), Some(1.0));
}

#[test]
fn the_boxing_pool_allocates_one_vec_header_per_put() {
    let mut pool = BoxingPool::new();
    pool.put(Vec::with_capacity(tiny_pool::BUFFER_CAPACITY));
    let ((), c) = alloc::measure(|| {
        for _ in 0..ITERS {
            let buf = pool.get();
            pool.put(black_box(buf));
        }
    });
    assert_eq!((c.allocs, c.frees), (ITERS, ITERS));
    // The box holds a Vec header: pointer, capacity, length.
    assert_eq!(c.bytes_requested, ITERS * std::mem::size_of::<Vec<u8>>() as u64);
}

#[test]
fn a_pool_hands_back_the_buffer_it_was_given() {
    let mut pool = TinyBytePool::new(tiny_pool::BUFFER_CAPACITY, 4);
    let buf = pool.get();
    let ptr = buf.as_ptr();
    pool.put(buf);
    let again = pool.get();
    assert_eq!(again.as_ptr(), ptr);
    assert!(again.is_empty());
}

#[test]
fn allocation_counts_repeat_exactly() {
    let records: Vec<_> = (100..108).map(|id| counting::Record::sample(id, 3)).collect();
    let a = counting::naive_per_op(&records, 80);
    let b = counting::naive_per_op(&records, 80);
    assert_eq!(a, b);
    assert_eq!(counting::reused_per_op(&records, 80).allocs, 0.0);
}

#[test]
fn seed_004_statistics() {
    let s = Summary::of(&SEED_004_RUNS_MS).unwrap();
    assert_eq!(s.mean, 38.0);
    assert!((s.sd - 25.17).abs() < 0.01);
    let (lo, hi) = seed_numbers::mean_ci95(&SEED_004_RUNS_MS).unwrap();
    assert!(lo < seed_numbers::SEED_004_NODE_MS && seed_numbers::SEED_004_NODE_MS < hi);
}

#[test]
fn seed_004_credits_mmap_with_rows_it_never_maps() {
    let rows = seed_numbers::rows_credited_without_mmap();
    assert_eq!(rows.iter().map(|r| r.mib).collect::<Vec<_>>(), [1, 10]);
}

#[test]
fn a_millisecond_timer_turns_microseconds_into_infinity() {
    let before = Duration::from_millis(1595);
    let after = Duration::from_micros(12);
    assert_eq!(ms_speedup(as_whole_ms(before), as_whole_ms(after)), f64::INFINITY);
    let in_ns = before.as_nanos() as f64 / after.as_nanos() as f64;
    assert!(in_ns.is_finite() && in_ns > 100_000.0);
}

#[cfg(target_os = "linux")]
#[test]
fn first_touch_costs_one_fault_per_page() {
    use perf_workbook::measuring::counters::touch_counts;
    let t = touch_counts(8 << 20).unwrap();
    let pages = (8 << 20) / 4096;
    // With transparent huge pages one fault can map 512 pages.
    assert!(t.minor_faults >= pages / 512 && t.minor_faults <= pages + 16, "{t:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_loop_makes_one_syscall_per_call() {
    use perf_workbook::measuring::counters::{ReadMethod, TempFile, read_counts};
    let file = TempFile::new(1 << 20).unwrap();
    let (bytes, d) = read_counts(file.path(), ReadMethod::Loop(64 << 10)).unwrap();
    assert_eq!(bytes, 1 << 20);
    assert_eq!((d.syscr, d.rchar), (17, 1 << 20)); // 16 full reads + the one returning 0
    let (_, d) = read_counts(file.path(), ReadMethod::BufReaderLines).unwrap();
    assert_eq!(d.syscr, 129); // 128 refills of 8 KiB + end of file
}

// ---------------------------------------------------------------- exercises

/// Above glibc's largest mmap threshold (32 MiB): every allocation of this
/// size gets fresh pages from the kernel, so filling it must page-fault.
const FILL_LEN: usize = 33 << 20;

// ANCHOR: exercise_1
/// Exercise 1: make the benchmark honest. Each of `iters` iterations fills a
/// fresh `FILL_LEN`-byte buffer with ones, and no optimiser may delete it.
fn fill_fresh_buffers(iters: u64) {
    // ANCHOR_END: exercise_1
    for _ in 0..iters {
        drop(black_box(vec![1u8; FILL_LEN]));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn exercise_1_make_the_benchmark_honest() {
    use perf_workbook::measure::os;
    let iters = 2;
    let scope = AllocScope::start();
    let ((), d) = os::measure(|| fill_fresh_buffers(iters));
    let c = scope.counts();
    // The counting allocator sees the calls; in a release build it sees them
    // even when the optimiser deleted the malloc and memset inside them.
    assert_eq!(c.allocs, iters);
    // The kernel sees the pages: at least one fault per 2 MiB of each buffer
    // (a transparent huge page), one per 4 KiB without them.
    let at_least = iters * (FILL_LEN as u64 >> 21);
    assert!(
        d.minor_faults >= at_least,
        "{} faults: the fill was deleted",
        d.minor_faults
    );
}

// ANCHOR: exercise_2
/// Exercise 2: the coefficient of variation (sample standard deviation over
/// the mean) of a set of runs, with the workbook's `Summary`.
fn coefficient_of_variation(runs: &[f64]) -> f64 {
    // ANCHOR_END: exercise_2
    let s = Summary::of(runs).expect("at least one finite run");
    s.sd / s.mean
}

#[test]
fn exercise_2_coefficient_of_variation() {
    let cv = coefficient_of_variation(&SEED_004_RUNS_MS);
    assert!((cv - 0.662).abs() < 0.001, "{cv}");
    assert!(cv > seed_numbers::SMALL_CV, "seed 004 calls this spread small");
    assert_eq!(coefficient_of_variation(&[20.0, 20.0, 20.0]), 0.0);
}

// ANCHOR: exercise_3
/// Exercise 3: how many `read` calls a loop makes to read a `file_len`-byte
/// file with a `buf_len`-byte buffer, stopping at the read that returns 0.
fn expected_reads(file_len: u64, buf_len: u64) -> u64 {
    // ANCHOR_END: exercise_3
    file_len.div_ceil(buf_len) + 1
}

#[cfg(target_os = "linux")]
#[test]
fn exercise_3_count_the_reads() {
    use perf_workbook::measuring::counters::{ReadMethod, TempFile, read_counts};
    for (file_len, buf_len) in [(1 << 20, 16 << 10), (100_000, 4096), (10, 4096)] {
        let file = TempFile::new(file_len).unwrap();
        let (_, d) = read_counts(file.path(), ReadMethod::Loop(buf_len)).unwrap();
        assert_eq!(d.syscr, expected_reads(file_len as u64, buf_len as u64));
    }
}

#[test]
fn exercise_4_a_pool_is_zero_allocations_not_zero_nanoseconds() {
    // Warm the pool, then count 1000 get+put cycles: the allocator is never
    // called. This holds in every build; the seed's "0.40 ns/op" does not.
    let mut pool = TinyBytePool::new(tiny_pool::BUFFER_CAPACITY, 4);
    let first = pool.get();
    pool.put(first);
    let ((), c) = alloc::measure(|| {
        for _ in 0..ITERS {
            let mut buf = pool.get();
            buf.extend_from_slice(b"test data");
            pool.put(black_box(buf));
        }
    });
    assert_eq!(c.calls(), 0, "{c:?}");
}

#[test]
fn exercise_5_what_a_millisecond_timer_prints() {
    // Seed 004's 1 GB row: 1595 ms before, "0 ms" after. Any "after" below
    // half a millisecond prints as 0 and the ratio as infinite.
    for after_us in [1, 12, 499] {
        let after = Duration::from_micros(after_us);
        assert_eq!(as_whole_ms(after), 0);
        assert!(ms_speedup(1595, as_whole_ms(after)).is_infinite());
    }
    assert_eq!(ms_speedup(1595, as_whole_ms(Duration::from_micros(500))), 1595.0);
}
