//! Chapter 0's exercises: `cargo test --test measuring exercise`. To write
//! them yourself: `cargo test --test measuring --features starter`, then edit
//! tests/measuring/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::measure::alloc::{self, AllocScope};
use perf_workbook::measuring::comparing;
use perf_workbook::measuring::seed_numbers::{self, SEED_004_RUNS_MS};
use perf_workbook::measuring::timing::{as_whole_ms, ms_speedup};
use perf_workbook::measuring::tiny_pool::{BUFFER_CAPACITY, TinyBytePool};
use std::time::Duration;

/// Exercise 1: fill fresh 33 MiB buffers so that no optimiser can delete
/// the work; the kernel's page-fault count proves it happened.
#[cfg(target_os = "linux")]
#[test]
fn exercise_1_make_the_benchmark_honest() {
    use perf_workbook::measure::os;
    let iters = 2;
    let scope = AllocScope::start();
    let ((), d) = os::measure(|| answer::fill_fresh_buffers(iters));
    let c = scope.counts();
    // The counting allocator sees the calls; in a release build it sees them
    // even when the optimiser deleted the malloc and memset inside them.
    assert_eq!(c.allocs, iters);
    // The kernel sees the pages: at least one fault per 2 MiB of each buffer
    // (a transparent huge page), one per 4 KiB without them.
    let at_least = iters * (answer::FILL_LEN as u64 >> 21);
    assert!(
        d.minor_faults >= at_least,
        "{} faults: the fill was deleted",
        d.minor_faults
    );
}

/// Exercise 2: the coefficient of variation of a set of runs.
#[test]
fn exercise_2_coefficient_of_variation() {
    let cv = answer::coefficient_of_variation(&SEED_004_RUNS_MS);
    assert!((cv - 0.662).abs() < 0.001, "{cv}");
    assert!(cv > seed_numbers::SMALL_CV, "seed 004 calls this spread small");
    assert_eq!(answer::coefficient_of_variation(&[20.0, 20.0, 20.0]), 0.0);
}

/// Exercise 3: predict the `read` calls of a read loop; the kernel counts them.
#[cfg(target_os = "linux")]
#[test]
fn exercise_3_count_the_reads() {
    use perf_workbook::measuring::counters::{ReadMethod, TempFile, read_counts};
    for (file_len, buf_len) in [(1 << 20, 16 << 10), (100_000, 4096), (10, 4096)] {
        let file = TempFile::new(file_len).unwrap();
        let (_, d) = read_counts(file.path(), ReadMethod::Loop(buf_len)).unwrap();
        assert_eq!(d.syscr, answer::expected_reads(file_len as u64, buf_len as u64));
    }
}

/// Exercise 4: use a pool so that, after warm-up, no call reaches the
/// allocator: zero allocations, which is not zero nanoseconds.
#[test]
fn exercise_4_a_pool_is_zero_allocations_not_zero_nanoseconds() {
    let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 4);
    assert_eq!(answer::use_pooled_buffer(&mut pool, b"warm-up"), 7);
    let (lens, c) = alloc::measure(|| {
        (0..1000)
            .map(|_| answer::use_pooled_buffer(&mut pool, b"test data"))
            .sum::<usize>()
    });
    assert_eq!(lens, 9000, "each call returns the bytes it appended");
    assert_eq!(c.calls(), 0, "{c:?}");
    assert_eq!(pool.free_len(), 1, "the buffer went back to the pool");
}

/// Exercise 5: what a millisecond timer prints, and the speedup a report
/// computes from it.
#[test]
fn exercise_5_what_a_millisecond_timer_prints() {
    for us in [0, 1, 12, 499, 500, 501, 1499, 1500, 1_595_000] {
        let d = Duration::from_micros(us);
        assert_eq!(answer::millisecond_reading(d), as_whole_ms(d), "{us} µs");
    }
    // Seed 004's 1 GB row: any "after" below half a millisecond prints as 0,
    // and the speedup as infinite.
    let after = answer::millisecond_reading(Duration::from_micros(12));
    assert!(ms_speedup(1595, after).is_infinite());
}

/// Exercise 6: the statistic behind benchstat's test.
#[test]
fn exercise_6_count_the_pairs() {
    let cases: [(&[f64], &[f64]); 4] = [
        (&[3.0, 4.0], &[1.0, 2.0]),
        (&[1.0, 5.0, 2.0], &[3.0, 4.0]),
        (&[2.0, 2.0], &[2.0]),
        (&[10.0], &[]),
    ];
    for (old, new) in cases {
        assert_eq!(
            answer::u_statistic(old, new),
            comparing::u_statistic(old, new),
            "{old:?} vs {new:?}"
        );
    }
}
