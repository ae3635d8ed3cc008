//! Chapter 10, Monitoring and leak detection: a counter increment from two
//! threads at once, ours beside the peers, and what one sample costs beside
//! the seed's `ReadMemStats` analogue.
//!
//!     cargo bench --bench monitoring                   # everything (a minute)
//!     cargo bench --bench monitoring -- counter        # one group
//!
//! Groups:
//! - `counter_increment_2_threads`: two threads each increment one counter
//!   `iters` times from a barrier; the time is the slower thread's, per
//!   increment. Ours (`LocalCounter`: a slot per thread; `Counter`: sharded
//!   atomics) beside `prometheus-client`, a `metrics` handle from
//!   `metrics-util`'s `DebuggingRecorder`, `prometheus`, one shared
//!   `AtomicU64` (the baseline every peer builds on) and seed 000's
//!   `AddMetric` (a write lock and a key string per update). Every total is
//!   checked exact before anything is timed.
//! - `sample`: one sampler reading (status, io, getrusage; `smaps_rollup`
//!   on every 10th, as the sampler reads it) against `mallinfo2`, the
//!   analogue of the seed's `ReadMemStats`, on this process's heap.
//!
//! Limits: on a shared 2-vCPU VM the two threads may not overlap for a whole
//! sample, so contended designs look better than they are under load; the
//! example's `--table counters` times overlapping threads by CPU time.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perf_workbook::monitoring::peers::{self, Impl};
use perf_workbook::monitoring::sampler::{ROLLUP_EVERY, Reader};
use perf_workbook::monitoring::seed_port::seed_001::read_mem_stats;
use std::hint::black_box;
use std::time::Duration;

fn counters(c: &mut Criterion) {
    // Correctness before timing: every design's total is exact.
    for imp in Impl::ALL {
        let (_, total, made) = peers::two_threads(imp, 10_000);
        assert_eq!(total, made, "{} lost increments", imp.label());
    }
    let mut g = c.benchmark_group("counter_increment_2_threads");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.throughput(Throughput::Elements(1));
    for imp in Impl::ALL {
        g.bench_function(imp.label(), |b| {
            b.iter_custom(|iters| {
                let (t, total, made) = peers::two_threads(black_box(imp), iters);
                black_box((total, made));
                t
            })
        });
    }
    g.finish();
}

fn sample(c: &mut Criterion) {
    let mut g = c.benchmark_group("sample");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    let mut r = Reader::open(ROLLUP_EVERY).expect("/proc/self/status");
    g.bench_function("sampler: /proc + getrusage", |b| {
        b.iter(|| black_box(r.sample().expect("a sample")))
    });
    g.bench_function("mallinfo2 (ReadMemStats' analogue)", |b| {
        b.iter(|| black_box(read_mem_stats()))
    });
    g.finish();
}

criterion_group!(benches, counters, sample);
criterion_main!(benches);
