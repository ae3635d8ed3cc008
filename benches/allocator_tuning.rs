//! Chapter 8, "Allocator tuning": criterion benches for the two targets that
//! are costs per call, each with its peer in the same group.
//!
//! Groups, in the order they run:
//! - `handoff`: the caller's cost to get rid of a small `Vec<u64>` (16
//!   elements): dropped inline (the baseline: one free), handed to
//!   `drop_in_background`, handed to `defer-drop`. Target: ours ≤ 1.1× defer-drop.
//! - `drop_map`: the same three ways for a `HashMap<u64, String>` of 100,000
//!   entries (one heap block per entry): the pause the caller sees.
//! - `limit_64B`: alloc + free of 64 bytes through glibc (the baseline),
//!   `LimitAlloc<System>` and `cap::Cap<System>`. Target: ours ≤ 1.1× cap.
//!
//! Limits, admitted:
//! - The background threads drop while the next iterations hand off: on two
//!   cores they run beside the caller, on one they take its CPU. Criterion
//!   times wall clock; the example (`--table stalls`) times the caller's CPU.
//! - `iter_batched` builds each value outside the timed region; for the
//!   inline baseline the timed part is the drop itself.
//! - The resident set and the stall another thread sees are not criterion
//!   figures: the example measures them in child processes.
//! - No counting allocator is installed: it would add its own cost.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use defer_drop::DeferDrop;
use perf_workbook::allocator_tuning::LimitAlloc;
use perf_workbook::allocator_tuning::background_drop::{
    self as bg, BigMap, DropSignal, big_map, drop_in_background,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static LIMIT: LimitAlloc<System> = LimitAlloc::new(System, usize::MAX);
static CAP: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

fn defer<T: Send + 'static>(value: T) {
    drop(DeferDrop::new(value));
}

fn small() -> Vec<u64> {
    vec![7; 16]
}

/// Counts its drops, to check each way drops every value exactly once.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Each way drops what it is given, once, before anything is timed.
fn check_handoffs() {
    for hand_off in [drop_in_background::<Counted>, defer::<Counted>] {
        let n = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            hand_off(Counted(Arc::clone(&n)));
        }
        bg::flush(bg::ours);
        bg::flush(defer::<DropSignal>);
        assert_eq!(n.load(Ordering::Relaxed), 100);
    }
}

fn handoff(c: &mut Criterion) {
    check_handoffs();
    let mut g = c.benchmark_group("handoff");
    g.bench_function("inline drop (baseline)", |b| {
        b.iter_batched(small, |v| drop(black_box(v)), BatchSize::SmallInput)
    });
    g.bench_function("drop_in_background (ours)", |b| {
        b.iter_batched(small, |v| drop_in_background(black_box(v)), BatchSize::SmallInput)
    });
    g.bench_function("defer-drop", |b| {
        b.iter_batched(small, |v| defer(black_box(v)), BatchSize::SmallInput)
    });
    g.finish();
    bg::flush(bg::ours);
    bg::flush(defer::<DropSignal>);
}

fn drop_map(c: &mut Criterion) {
    let n = 100_000;
    assert_eq!(big_map(n).len(), n);
    let mut g = c.benchmark_group("drop_map");
    g.sample_size(10);
    g.bench_function("inline drop", |b| {
        b.iter_batched(|| big_map(n), |m| drop(black_box(m)), BatchSize::PerIteration)
    });
    g.bench_function("drop_in_background (ours)", |b| {
        b.iter_batched(
            || {
                bg::flush(bg::ours); // the last map is gone before the next
                big_map(n)
            },
            |m| drop_in_background(black_box(m)),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("defer-drop", |b| {
        b.iter_batched(
            || {
                bg::flush(defer::<DropSignal>);
                big_map(n)
            },
            |m: BigMap| defer(black_box(m)),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn alloc_free(a: &dyn GlobalAlloc) {
    let layout = Layout::from_size_align(64, 8).expect("small");
    // SAFETY: a non-zero layout; the block is written within its size and
    // freed once, with it, by the allocator that gave it.
    unsafe {
        let p = black_box(a.alloc(layout));
        assert!(!p.is_null());
        p.write(1);
        a.dealloc(p, layout);
    }
}

fn limit(c: &mut Criterion) {
    alloc_free(&LIMIT);
    alloc_free(&CAP);
    assert_eq!(LIMIT.used(), 0, "every byte refunded");
    assert_eq!(CAP.allocated(), 0);
    let mut g = c.benchmark_group("limit_64B");
    g.bench_function("glibc (baseline)", |b| b.iter(|| alloc_free(black_box(&System))));
    g.bench_function("LimitAlloc (ours)", |b| b.iter(|| alloc_free(black_box(&LIMIT))));
    g.bench_function("cap", |b| b.iter(|| alloc_free(black_box(&CAP))));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = handoff, drop_map, limit
}
criterion_main!(benches);
