//! Chapter 2, struct layout: what layout and access order cost in time.
//!
//!     cargo bench --bench struct_layout                  # all groups
//!     cargo bench --bench struct_layout -- false_sharing # one group
//!
//! One group per workload, peers side by side, a trivial baseline in each:
//!
//! - `seed_001_sum`: summing two fields over a Vec of seed 001's struct in
//!   24-byte (`repr(C)` as declared), 16-byte (reordered) and 14-byte
//!   (packed) layouts, beside a bare `Vec<i64>` of the same values (C001-25);
//! - `pointer_chase`: ns per dependent load along a random single cycle,
//!   beside the same chain in address order, per working set (C001-01);
//! - `matrix_sum`: row- vs column-major, beside a flat slice sum (C001-02);
//! - `aos_vs_soa`: one field of 64-byte records vs its own array (C001-02);
//! - `two_passes`: two whole passes vs per-block passes, beside one pass (C001-02);
//! - `false_sharing`: two threads incrementing counters 8, 64 and 128 bytes
//!   apart, beside one thread alone.
//!
//! Limits, admitted: on a 2-core machine shared with other work, the two
//! false-sharing threads may not run at the same time (they are pinned to
//! two CPUs, but nothing here rejects a sample where they took turns; the
//! claim check and the example do). With 4 KiB pages, chase times past a few
//! MiB include TLB misses. Times are wall-clock on this machine, in this
//! build; compare ratios within a group, not numbers across machines.
//!
//! `cargo test --benches` runs every bench once on tiny inputs; the large
//! inputs are built only under `cargo bench`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use perf_workbook::struct_layout::false_sharing::{
    self, AdjacentLines, CounterPair, Padded, SameLine,
};
use perf_workbook::struct_layout::hierarchy::Chain;
use perf_workbook::struct_layout::locality::{self, Matrix};
use perf_workbook::struct_layout::representations::PackedC;
use perf_workbook::struct_layout::seed_port::seed_001::{OptimizedC, UnoptimizedC};
use std::hint::black_box;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

/// True under `cargo bench`; false under `cargo test --benches`, where
/// criterion runs each routine once and large inputs would only cost time.
fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test")
}

/// `full` under `cargo bench`, `small` in test mode.
fn size(full: usize, small: usize) -> usize {
    if benchmarking() { full } else { small }
}

fn seed_001_sum(c: &mut Criterion) {
    let n = size(4 << 20, 1000);
    let values = |i: usize| (i as i64, (i % 1000) as i32);
    let unopt: Vec<UnoptimizedC> = (0..n)
        .map(|i| UnoptimizedC { a: true, b: values(i).0, c: false, d: values(i).1 })
        .collect();
    let opt: Vec<OptimizedC> = (0..n)
        .map(|i| OptimizedC { b: values(i).0, d: values(i).1, a: true, c: false })
        .collect();
    let packed: Vec<PackedC> = (0..n)
        .map(|i| PackedC { a: true, b: values(i).0, c: false, d: values(i).1 })
        .collect();
    let bare: Vec<(i64, i32)> = (0..n).map(values).collect();
    let expected: i64 = bare.iter().map(|&(b, d)| b + d as i64).sum();
    let sum_unopt = |v: &[UnoptimizedC]| v.iter().map(|x| x.b + x.d as i64).sum::<i64>();
    let sum_opt = |v: &[OptimizedC]| v.iter().map(|x| x.b + x.d as i64).sum::<i64>();
    // Packed fields are copied out, never borrowed (a reference could be misaligned).
    let sum_packed = |v: &[PackedC]| {
        v.iter()
            .map(|x| {
                let (b, d) = (x.b, x.d);
                b + d as i64
            })
            .sum::<i64>()
    };
    let sum_bare = |v: &[(i64, i32)]| v.iter().map(|&(b, d)| b + d as i64).sum::<i64>();
    assert_eq!(sum_unopt(&unopt), expected);
    assert_eq!(sum_opt(&opt), expected);
    assert_eq!(sum_packed(&packed), expected);

    let mut g = c.benchmark_group("seed_001_sum");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("repr(C) as declared, 24 B", |b| {
        b.iter(|| sum_unopt(black_box(&unopt)))
    });
    g.bench_function("repr(C) reordered, 16 B", |b| b.iter(|| sum_opt(black_box(&opt))));
    g.bench_function("repr(C, packed), 14 B", |b| {
        b.iter(|| sum_packed(black_box(&packed)))
    });
    g.bench_function("baseline: (i64, i32) tuples", |b| {
        b.iter(|| sum_bare(black_box(&bare)))
    });
    g.finish();
}

fn pointer_chase(c: &mut Criterion) {
    let steps = size(100_000, 1_000);
    let sets: &[usize] = if benchmarking() {
        &[16 << 10, 512 << 10, 4 << 20, 64 << 20]
    } else {
        &[16 << 10]
    };
    let mut g = c.benchmark_group("pointer_chase");
    g.throughput(Throughput::Elements(steps as u64));
    for &bytes in sets {
        let random = Chain::random_bytes(bytes, 1);
        let in_order = Chain::sequential(bytes / 64);
        // Correctness: a lap of a single cycle comes back to the start.
        assert_eq!((random.chase(random.len()), in_order.chase(in_order.len())), (0, 0));
        let kib = bytes >> 10;
        g.bench_with_input(
            BenchmarkId::new("random cycle", format!("{kib} KiB")),
            &random,
            |b, ch| b.iter(|| ch.chase(black_box(steps))),
        );
        g.bench_with_input(
            BenchmarkId::new("baseline: address order", format!("{kib} KiB")),
            &in_order,
            |b, ch| b.iter(|| ch.chase(black_box(steps))),
        );
    }
    g.finish();
}

fn matrix_sum(c: &mut Criterion) {
    let m = Matrix::new(size(2048, 64));
    assert_eq!(m.sum_row_major(), m.expected_sum());
    assert_eq!(m.sum_column_major(), m.expected_sum());
    let mut g = c.benchmark_group("matrix_sum");
    g.throughput(Throughput::Bytes(m.bytes() as u64));
    g.bench_function("row-major", |b| b.iter(|| black_box(&m).sum_row_major()));
    g.bench_function("column-major", |b| b.iter(|| black_box(&m).sum_column_major()));
    g.bench_function("baseline: flat slice", |b| {
        b.iter(|| black_box(m.cells()).iter().map(|&x| x as u64).sum::<u64>())
    });
    g.finish();
}

fn aos_vs_soa(c: &mut Criterion) {
    let n = size(1 << 20, 1000);
    let (records, scores) = locality::records_and_scores(n);
    let expected = (n * (n - 1) / 2) as f64;
    assert_eq!(locality::sum_scores_aos(&records), expected);
    assert_eq!(locality::sum_scores_soa(&scores), expected);
    let mut g = c.benchmark_group("aos_vs_soa");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("AoS: score of 64-byte records", |b| {
        b.iter(|| locality::sum_scores_aos(black_box(&records)))
    });
    g.bench_function("SoA: Vec<f64>", |b| {
        b.iter(|| locality::sum_scores_soa(black_box(&scores)))
    });
    g.finish();
}

fn two_passes(c: &mut Criterion) {
    let data = locality::pass_data(size(64 << 20, 64 << 10));
    let expected = locality::two_passes(&data);
    assert_eq!(locality::blocked_passes(&data, locality::BLOCK_LEN), expected);
    let mut g = c.benchmark_group("two_passes");
    g.throughput(Throughput::Bytes((data.len() * 8) as u64));
    g.bench_function("two whole passes", |b| {
        b.iter(|| locality::two_passes(black_box(&data)))
    });
    g.bench_function("two passes per 16 KiB block", |b| {
        b.iter(|| locality::blocked_passes(black_box(&data), locality::BLOCK_LEN))
    });
    g.bench_function("baseline: one pass", |b| {
        b.iter(|| black_box(&data).iter().fold(0u64, |s, &x| s.wrapping_add(x)))
    });
    g.finish();
}

/// Time for one thread alone to do `iters` increments.
fn one_thread(iters: u64) -> Duration {
    let counter = AtomicU64::new(0);
    let start = Instant::now();
    false_sharing::increment(&counter, iters);
    let elapsed = start.elapsed();
    assert_eq!(counter.into_inner(), iters);
    elapsed
}

/// Two threads, `iters` increments each on `P`'s counters; checks that both
/// counters hold exactly that before the time counts.
fn two_threads<P: CounterPair>(iters: u64) -> Duration {
    let run = false_sharing::run_fixed::<P>(iters);
    assert_eq!(run.counts, (iters, iters), "{}", P::NAME);
    run.slowest
}

fn false_sharing(c: &mut Criterion) {
    let mut g = c.benchmark_group("false_sharing");
    // One element = one increment by each of the two threads.
    g.throughput(Throughput::Elements(1));
    g.bench_function(SameLine::NAME, |b| b.iter_custom(two_threads::<SameLine>));
    g.bench_function(AdjacentLines::NAME, |b| {
        b.iter_custom(two_threads::<AdjacentLines>)
    });
    g.bench_function(Padded::NAME, |b| b.iter_custom(two_threads::<Padded>));
    g.bench_function("baseline: one thread alone", |b| b.iter_custom(one_thread));
    g.finish();
}

criterion_group!(
    benches,
    seed_001_sum,
    pointer_chase,
    matrix_sum,
    aos_vs_soa,
    two_passes,
    false_sharing
);
criterion_main!(benches);
