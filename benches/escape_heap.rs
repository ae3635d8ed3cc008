//! Chapter 3 benches: growth strategies, string building (Go's `+=` ported
//! beside Rust's builders), box against
//! stack, LLVM deleting an allocation, values against boxes, passing large
//! values, and dropping a long list.
//!
//! `cargo bench --bench escape_heap` (one group: `cargo bench --bench
//! escape_heap -- elision`).
//!
//! Limits, stated up front:
//! - This bench does **not** install the counting allocator: it times glibc
//!   malloc as a program would use it. The chapter's counts come from the
//!   tests and the example, never from these times.
//! - The `elision` group exists to show that a timing alone can measure
//!   nothing: the unused `Box` costs what the baseline costs because LLVM
//!   deleted its `malloc` and `free`. Everything else passes its inputs and
//!   outputs through `black_box`.
//! - malloc timings depend on the allocator's state (tcache, top chunk,
//!   mmap threshold); a loop that allocates and frees the same size is its
//!   best case. The 2-core shared machine makes differences under ~10% noise.
//! - Every output is checked against the expected value before timing.

use criterion::{
    BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use perf_workbook::escape_heap::{
    bytepool, drop_list, escape as e, growth as g, seed_port, values as v,
};
use std::hint::black_box;

fn vec_fill(c: &mut Criterion) {
    let mut group = c.benchmark_group("vec_fill");
    for n in [1_000usize, 1_000_000] {
        let want: Vec<i64> = (0..n as i64).collect();
        assert_eq!(g::push_from_empty(n), want);
        assert_eq!(g::push_with_capacity(n), want);
        assert_eq!(g::zeroed_then_index(n), want);
        assert_eq!(g::collect_range(n), want);
        group.throughput(Throughput::Elements(n as u64));
        // Baseline: refill a Vec that already has the capacity (no allocation).
        let mut reused: Vec<i64> = Vec::with_capacity(n);
        group.bench_function(BenchmarkId::new("baseline_refill_reused", n), |b| {
            b.iter(|| {
                reused.clear();
                reused.extend(0..black_box(n) as i64);
                black_box(&reused);
            })
        });
        group.bench_function(BenchmarkId::new("push_from_empty", n), |b| {
            b.iter(|| black_box(g::push_from_empty(black_box(n))))
        });
        group.bench_function(BenchmarkId::new("push_with_capacity", n), |b| {
            b.iter(|| black_box(g::push_with_capacity(black_box(n))))
        });
        group.bench_function(BenchmarkId::new("zeroed_then_index", n), |b| {
            b.iter(|| black_box(g::zeroed_then_index(black_box(n))))
        });
        group.bench_function(BenchmarkId::new("collect", n), |b| {
            b.iter(|| black_box(g::collect_range(black_box(n))))
        });
    }
    group.finish();
}

fn string_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("string_build");
    let owned = g::items(1000, 9);
    let items = g::as_strs(&owned);
    let want = items.concat();
    let mut pool = bytepool::BytePool::default();
    type Builder<'a> = (&'a str, Box<dyn Fn(&[&str]) -> String + 'a>);
    let builders: Vec<Builder> = vec![
        // The port of Go's `+=` on immutable strings: a new string per item.
        (
            "go_plus_assign_port",
            Box::new(|i: &[&str]| seed_port::go_plus_assign(i).as_str().to_owned()),
        ),
        ("plus_assign", Box::new(g::plus_assign)),
        ("plus", Box::new(g::plus)),
        ("format_loop", Box::new(g::format_loop)),
        ("with_capacity_n_x_10", Box::new(|i: &[&str]| g::with_estimate(i, 10))),
        ("concat", Box::new(g::concat)),
        ("join", Box::new(g::join)),
    ];
    for (_, f) in &builders {
        assert_eq!(f(&items), want);
    }
    assert_eq!(bytepool::build_string_pooled(&mut pool, &items), want);
    group.throughput(Throughput::Bytes(want.len() as u64));
    // Baseline: add up the lengths, build nothing.
    group.bench_function("baseline_sum_lengths", |b| {
        b.iter(|| black_box(black_box(&items).iter().map(|s| s.len()).sum::<usize>()))
    });
    for (name, f) in &builders {
        group.bench_function(*name, |b| b.iter(|| black_box(f(black_box(&items)))));
    }
    group.bench_function("pooled_buffer", |b| {
        b.iter(|| black_box(bytepool::build_string_pooled(&mut pool, black_box(&items))))
    });
    group.finish();
}

fn box_vs_stack(c: &mut Criterion) {
    let mut group = c.benchmark_group("box_vs_stack");
    assert_eq!(e::stack_value(), 43);
    assert_eq!(*e::boxed_value(), 100);
    group.throughput(Throughput::Elements(1));
    group.bench_function("stack_i64", |b| b.iter(|| black_box(e::stack_value())));
    group.bench_function("box_i64_returned", |b| b.iter(|| black_box(e::boxed_value())));
    group.bench_function("box_unit", |b| b.iter(|| black_box(e::boxed_unit())));
    group.finish();
}

fn elision(c: &mut Criterion) {
    let mut group = c.benchmark_group("elision");
    assert_eq!(e::unused_box(), 101);
    assert_eq!(e::opaque_box(), 101);
    group.throughput(Throughput::Elements(1));
    // Baseline: the same arithmetic without any Box.
    group.bench_function("baseline_no_box", |b| {
        b.iter(|| black_box(black_box(100i64) + 1))
    });
    // The allocation LLVM deletes: costs about the baseline.
    group.bench_function("box_unused", |b| b.iter(|| black_box(e::unused_box())));
    // The same allocation kept alive by black_box: malloc + free.
    group.bench_function("box_through_black_box", |b| {
        b.iter(|| black_box(e::opaque_box()))
    });
    group.bench_function("vec_with_capacity_1024_unused", |b| {
        b.iter(|| {
            let v: Vec<u8> = Vec::with_capacity(1024);
            black_box(v.capacity())
        })
    });
    // With a size LLVM cannot see, the same unused Vec was not deleted here:
    // elision is an optimisation, never a guarantee.
    group.bench_function("vec_with_capacity_opaque_size_unused", |b| {
        b.iter(|| {
            let v: Vec<u8> = Vec::with_capacity(black_box(1024));
            black_box(v.capacity())
        })
    });
    group.bench_function("vec_with_capacity_1024_through_black_box", |b| {
        b.iter(|| {
            let v: Vec<u8> = Vec::with_capacity(1024);
            black_box(black_box(v).capacity())
        })
    });
    group.finish();
}

fn points_sum(c: &mut Criterion) {
    let mut group = c.benchmark_group("points_sum");
    let n = 1_000_000;
    let values = v::points_by_value(n);
    let boxes = v::points_boxed(n);
    let fields = v::points_boxed_fields(n);
    assert_eq!(v::sum_by_value(&values), 0);
    assert_eq!(v::sum_boxed(&boxes), 0);
    assert_eq!(v::sum_boxed_fields(&fields), 0);
    group.throughput(Throughput::Elements(n as u64));
    // Vec<Point> is the baseline.
    group.bench_function("vec_point", |b| {
        b.iter(|| black_box(v::sum_by_value(black_box(&values))))
    });
    group.bench_function("vec_box_point", |b| {
        b.iter(|| black_box(v::sum_boxed(black_box(&boxes))))
    });
    group.bench_function("boxed_fields", |b| {
        b.iter(|| black_box(v::sum_boxed_fields(black_box(&fields))))
    });
    group.finish();
}

fn pass_large(c: &mut Criterion) {
    let mut group = c.benchmark_group("pass_large");
    macro_rules! size {
        ($n:expr) => {{
            let a = black_box([1u8; $n]);
            assert_eq!(v::first_byte_by_value(a).0, 1);
            assert_eq!(v::first_byte_by_ref(&a).0, 1);
            group.throughput(Throughput::Bytes($n));
            group.bench_function(BenchmarkId::new("by_reference", $n), |b| {
                b.iter(|| black_box(v::first_byte_by_ref(black_box(&a))))
            });
            group.bench_function(BenchmarkId::new("by_value", $n), |b| {
                b.iter(|| black_box(v::first_byte_by_value(a)))
            });
        }};
    }
    size!(64);
    size!(1024);
    size!(4096);
    size!(65536);
    group.finish();
}

fn drop_list(c: &mut Criterion) {
    let mut group = c.benchmark_group("drop_list");
    for n in [1_000usize, 10_000, 100_000] {
        assert_eq!(drop_list::IterativeList::with_len(n).len(), n);
        group.throughput(Throughput::Elements(n as u64));
        // Baseline: one free for n values stored contiguously.
        group.bench_function(BenchmarkId::new("baseline_vec_u64", n), |b| {
            b.iter_batched(|| vec![1u64; n], drop, BatchSize::LargeInput)
        });
        group.bench_function(BenchmarkId::new("iterative_list", n), |b| {
            b.iter_batched(
                || drop_list::IterativeList::with_len(n),
                drop,
                BatchSize::LargeInput,
            )
        });
        // The recursive drop glue only where it surely fits the main thread's
        // stack, in debug builds too (`cargo test --benches`).
        if n <= 10_000 {
            group.bench_function(BenchmarkId::new("recursive_list", n), |b| {
                b.iter_batched(
                    || drop_list::RecursiveList::with_len(n),
                    drop,
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    vec_fill,
    string_build,
    box_vs_stack,
    elision,
    points_sum,
    pass_large,
    drop_list
);
criterion_main!(benches);
