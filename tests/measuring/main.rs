//! Chapter 0, "Measuring honestly": invariants. The exercises are in
//! `exercises.rs` (`cargo test --test measuring exercise`).
//!
//! Every assertion here is a count, a size or a computed statistic; none is
//! a time. The tests pass in debug and release builds alike, which is the
//! point: a count of a `black_box`ed allocation does not depend on the
//! optimiser, a count of an unused one does (see the elision tests). The
//! figures they read are per thread (this thread's allocator calls, faults
//! and syscalls), so the parallel harness cannot disturb them.

mod exercises;

use perf_workbook::claims::Ctx;
use perf_workbook::measure::alloc;
use perf_workbook::measure::stats::Summary;
use perf_workbook::measuring::checks::{benchmarks, seed_004};
use perf_workbook::measuring::figures::{self, allocs_per_op};
use perf_workbook::measuring::seed_numbers::{self, SEED_004_RUNS_MS};
use perf_workbook::measuring::timing::{as_whole_ms, ms_speedup};
use perf_workbook::measuring::tiny_pool::{self, BoxingPool, TinyBytePool};
use perf_workbook::measuring::{comparing, counting, elision, seed_port, tables};
use perf_workbook::table::format_nanos;
use std::hint::black_box;
use std::time::Duration;

perf_workbook::count_allocations!();

const ITERS: u64 = if cfg!(miri) { 10 } else { 1000 };
const QUICK: Ctx = Ctx { quick: true };

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
fn owned_buffer_pools_allocate_nothing_after_warm_up() {
    assert_eq!(allocs_per_op(tiny_pool::tiny_pool_get_put), Some(0.0));
    assert_eq!(allocs_per_op(seed_port::object_pool_append_put), Some(0.0));
    assert_eq!(allocs_per_op(tiny_pool::malloc_free_1024), Some(1.0));
}

#[test]
fn the_ported_memory_pool_allocates_once_per_get_and_put() {
    assert_eq!(allocs_per_op(seed_port::memory_pool_get_put), Some(1.0));
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
    let records = counting::sample_records();
    let a = counting::naive_per_op(&records, 80);
    let b = counting::naive_per_op(&records, 80);
    assert_eq!(a, b);
    assert_eq!(counting::reused_per_op(&records, 80).allocs, 0.0);
}

#[test]
fn the_timed_renderers_allocate_as_the_counted_ones() {
    // The comparison times these loops; the counts say they are the two
    // renderers -benchmem counts (setup excluded by allocs_per_op).
    let naive = counting::naive_per_op(&counting::sample_records(), 80).allocs;
    assert_eq!(allocs_per_op(counting::render_naive_loop), Some(naive));
    assert_eq!(allocs_per_op(counting::render_into_loop), Some(0.0));
}

#[test]
fn two_single_runs_can_never_show_a_difference() {
    // What `go test -bench` writes without -count: one sample per side.
    assert_eq!(comparing::u_test_p_value(&[1.0], &[1000.0]), Some(1.0));
    // Four samples a side, completely separated, already can.
    let p =
        comparing::u_test_p_value(&[9.0, 8.0, 7.0, 6.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    assert!(p < comparing::BENCHSTAT_ALPHA, "{p}");
}

#[test]
fn seed_004_statistics() {
    let s = Summary::of(&SEED_004_RUNS_MS).unwrap();
    assert_eq!(s.mean, 38.0);
    assert!((s.sd - 25.17).abs() < 0.01);
    let (lo, hi) = seed_numbers::mean_ci95(&SEED_004_RUNS_MS).unwrap();
    assert!(lo < seed_numbers::SEED_004_NODE_MS && seed_numbers::SEED_004_NODE_MS < hi);
    // Five clean runs cannot exclude spikes in 45% of runs; 29 can exclude 10%.
    assert!((seed_numbers::spike_probability_bound(5) - 0.451).abs() < 1e-3);
    assert!(seed_numbers::spike_probability_bound(29) < 0.1);
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

/// D64: the spread of five runs here is one figure, shown by the stats table
/// and read by the check.
#[test]
fn the_stats_table_and_d64_read_one_set_of_five_runs() {
    let stats = tables::stats(&QUICK).unwrap();
    let note = stats[1].to_string();
    let m = seed_004::d64_small_sd(&QUICK).unwrap();
    let cv = m.evidence.get("five runs here: coefficient of variation").unwrap();
    assert!(note.contains(&format!("CV {:.1}%", cv * 100.0)), "{note} vs {cv}");
    assert_eq!(figures::five_runs(&QUICK).summary.cv(), cv);
}

/// D55: the summary states the empty loop's measured time and cycles, not
/// the seed's figure as if it were this machine's.
#[test]
fn the_d55_summary_prints_what_was_measured() {
    let m = benchmarks::d55_empty_loop(&QUICK).unwrap();
    let p = figures::pool_figures(&QUICK);
    let empty = p.get("empty loop (black_box(()) only)").ns;
    let cycles = m.evidence.get("empty loop: cycles/op").unwrap();
    assert_eq!(cycles, p.cycles_or_most(empty));
    for measured in [format_nanos(empty), format!("({cycles:.1} cycles)")] {
        assert!(m.summary.contains(&measured), "{measured} not in {}", m.summary);
    }
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
