//! Chapter 5, tri-color mark-sweep: how fast the simulated collector marks.
//!
//! Groups (`cargo bench --bench mark_sweep`):
//! - `mark/allocation_order`, `mark/random_order`: stop-the-world marking of
//!   a 4,000,000-object heap (two references per object, all reachable)
//!   against a plain BFS reachability pass over the same graph (the lower
//!   bound), and against the same marker with a bare `Vec` stack and no
//!   prefetch window (the cautionary peer), the same marker with its window
//!   off (`stw_mark_no_window`), and 16 pointer chases over the same heap
//!   (`chase_16_chains`, the memory-level-parallelism limit). Targets: mark
//!   ≤ 1.2× BFS; random-order mark ≥ 0.5× the 16-chain load rate.
//! - `paced/hybrid_step`: one budgeted step of the paced cycle (its budget
//!   calibrated to about 16 µs here): the pause it causes (target ≤ 100 µs).
//! - `incremental`: one incremental cycle over a 1,000,000-object heap with
//!   100 mutator operations between steps of 1,000 units, per barrier,
//!   against one stop-the-world collection followed by the same operations.
//! - `barrier`: 100,000 mutator operations while a cycle is marking (the
//!   barrier runs, the collector does not step) against the same operations
//!   with no cycle running (no barrier).
//! - `recursion`: the seed's recursive marker where it does finish (a
//!   1,000,000-object chain, on a 1 GiB thread stack) against the worklist.
//!
//! Limits, admitted: the heap is a simulation (24-byte objects in one
//! `Vec`, colors in a side array), so these are the costs of walking *this*
//! graph, not of Go's collector; mark timings include re-whitening the
//! colors (a 4 MB `fill`, under 1 % of a mark); the incremental group
//! includes the mutator's own work on both sides; `cargo test --benches`
//! runs every bench once on tiny heaps. No counting allocator is installed.

use criterion::{
    BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use perf_workbook::mark_sweep::barrier::Barrier;
use perf_workbook::mark_sweep::graphs::{self, Shape};
use perf_workbook::mark_sweep::heap::{Heap, ObjId};
use perf_workbook::mark_sweep::incremental::Incremental;
use perf_workbook::mark_sweep::mutator::{self, Event};
use perf_workbook::mark_sweep::{chase, paced, seed_port, stw};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Full sizes under `cargo bench`; tiny ones when criterion only tests.
fn full_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test")
}

fn size(full: usize, test: usize) -> usize {
    if full_run() { full } else { test }
}

fn mark(c: &mut Criterion) {
    let n = size(4_000_000, 10_000);
    for shape in [Shape::AllocationOrder, Shape::RandomOrder] {
        let mut heap = graphs::shaped(n, shape, 11);
        // Correctness before timing: all three find every object.
        let mut bfs = stw::Bfs::default();
        assert_eq!(bfs.count_reachable(&heap), n);
        assert_eq!(stw::mark(&mut heap).marked, n);
        heap.whiten_all();
        assert_eq!(stw::mark_plain_lifo(&mut heap), n);
        let mut g = c.benchmark_group(format!("mark/{}", shape.name().replace(' ', "_")));
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_function("bfs_reachability", |b| {
            b.iter(|| black_box(bfs.count_reachable(black_box(&heap))))
        });
        g.bench_function("stw_mark", |b| {
            b.iter(|| {
                heap.whiten_all();
                black_box(stw::mark(black_box(&mut heap)).marked)
            })
        });
        g.bench_function("stw_mark_plain_lifo", |b| {
            b.iter(|| {
                heap.whiten_all();
                black_box(stw::mark_plain_lifo(black_box(&mut heap)))
            })
        });
        g.bench_function("stw_mark_no_window", |b| {
            b.iter(|| {
                heap.whiten_all();
                black_box(stw::mark_with_window(black_box(&mut heap), 0).marked)
            })
        });
        // The limit: 16 pointer chases over the same heap, n loads in all.
        let root = heap.roots().next().expect("a root");
        let starts: [ObjId; 16] =
            chase::chain_starts(&heap, root, 16).try_into().expect("16 starts");
        g.bench_function("chase_16_chains", |b| {
            b.iter(|| black_box(chase::chase(black_box(&heap), &starts, n / 16)))
        });
        g.finish();
    }
}

/// One budgeted step of the paced cycle's size (its pause), hybrid barrier.
fn paced_step(c: &mut Criterion) {
    let n = size(1_000_000, 5_000);
    let (heap, _) = mutator::mutator_workload(n, 1, 1);
    let budget = paced::calibrate(&heap, Barrier::HYBRID);
    let mut g = c.benchmark_group("paced");
    g.throughput(Throughput::Elements(budget as u64));
    g.bench_function("hybrid_step", |b| {
        b.iter_batched(
            || {
                let mut h = heap.clone();
                let mut gc = Incremental::new(Barrier::HYBRID, budget);
                gc.start(&mut h);
                gc.step(&mut h); // the stacks, then objects from here on
                (h, gc)
            },
            |(mut h, mut gc)| {
                let r = gc.step(&mut h);
                assert!(r.work <= budget);
                black_box(r)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn incremental(c: &mut Criterion) {
    let n = size(1_000_000, 5_000);
    let budget = 1_000;
    let (heap, events) = mutator::mutator_workload(n, n / 5, 100);
    let mut g = c.benchmark_group("incremental");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    let mut longest = 0;
    for barrier in Barrier::ALL {
        // Correctness and work before timing.
        let r = mutator::incremental_run(&heap, &events, barrier, budget);
        assert!(r.max_step <= budget, "{}: step {} > budget", barrier.name, r.max_step);
        if barrier.name != "none" {
            assert_eq!(r.lost, 0, "{} lost objects", barrier.name);
        }
        longest = longest.max(r.events_played);
        g.bench_function(BenchmarkId::new("cycle", barrier.name), |b| {
            b.iter_batched(
                || heap.clone(),
                |mut h| {
                    black_box(mutator::incremental_cycle(
                        &mut h, &events, barrier, budget,
                    ))
                },
                BatchSize::PerIteration,
            )
        });
    }
    let played = &events[..longest];
    g.bench_function(BenchmarkId::new("cycle", "stw_then_mutator"), |b| {
        b.iter_batched(
            || heap.clone(),
            |mut h| black_box(mutator::stw_then_mutator(&mut h, played)),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// A heap and a collector in the marking phase that never steps.
fn marking(heap: &Heap, barrier: Barrier) -> (Heap, Incremental) {
    let mut h = heap.clone();
    let mut gc = Incremental::new(barrier, 1);
    gc.start(&mut h);
    (h, gc)
}

fn barrier(c: &mut Criterion) {
    let ops = size(100_000, 1_000);
    let (heap, events) = mutator::mutator_workload(size(100_000, 1_000), ops, usize::MAX);
    let events: Vec<Event> =
        events.into_iter().filter(|e| matches!(e, Event::Mutate(_))).collect();
    let play = |h: &mut Heap, gc: &mut Incremental| {
        for e in &events {
            if let Event::Mutate(op) = e {
                mutator::apply(h, gc, *op);
            }
        }
    };
    let mut g = c.benchmark_group("barrier");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("idle_no_barrier", |b| {
        b.iter_batched(
            || (heap.clone(), Incremental::new(Barrier::NONE, 1)),
            |(mut h, mut gc)| {
                play(&mut h, &mut gc);
                black_box(h)
            },
            BatchSize::LargeInput,
        )
    });
    for barrier in Barrier::ALL {
        g.bench_function(BenchmarkId::new("marking", barrier.name), |b| {
            b.iter_batched(
                || marking(&heap, barrier),
                |(mut h, mut gc)| {
                    play(&mut h, &mut gc);
                    black_box((h, gc))
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// Times `iters` runs of `f` on a chain, on a thread with a 1 GiB stack.
fn on_big_stack(iters: u64, chain: &Heap, f: fn(&mut Heap)) -> Duration {
    let chain = chain.clone();
    seed_port::on_stack(1 << 30, move || {
        let mut heap = chain;
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            heap.whiten_all();
            let t = Instant::now();
            f(black_box(&mut heap));
            total += t.elapsed();
        }
        total
    })
}

fn recursion(c: &mut Criterion) {
    let n = size(1_000_000, 1_000);
    let chain = graphs::chain(n);
    assert_eq!(seed_port::seed_on_big_stack(n, 1 << 30).black, n);
    let mut g = c.benchmark_group("recursion");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("seed_recursive_mark", |b| {
        b.iter_custom(|iters| on_big_stack(iters, &chain, seed_port::seed_mark))
    });
    g.bench_function("worklist_mark", |b| {
        b.iter_custom(|iters| {
            on_big_stack(iters, &chain, |h| {
                stw::mark(h);
            })
        })
    });
    g.finish();
}

criterion_group!(benches, mark, incremental, paced_step, barrier, recursion);
criterion_main!(benches);
