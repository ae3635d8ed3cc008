//! Chapter 6, "Lock-free ring": every queue moving u64 items between threads
//! through capacity 1024, side by side.
//!
//! ```text
//! cargo bench --bench lock_free_ring                    # all groups
//! cargo bench --bench lock_free_ring -- spsc_ablation   # one group
//! ```
//!
//! Groups:
//! - `spsc_u64_cap1024`: one producer thread, one consumer thread. Ours
//!   (single and batch 64), rtrb (single and batch 64), crossbeam
//!   `ArrayQueue`, our MPMC queue, `std::sync::mpsc::sync_channel`,
//!   `Mutex<VecDeque>`, the seed port; baseline: one thread pushing and
//!   popping a `VecDeque` (no second core, no atomics: the floor).
//! - `spsc_ablation`: the same ring with counters adjacent or padded, with
//!   and without the cached index (D18, exercise 3), and with Go's SeqCst
//!   counter stores.
//! - `mpmc_2p2c_u64_cap1024`: 2 producers + 2 consumers; ours, `ArrayQueue`,
//!   `Mutex<VecDeque>`.
//!
//! One element = one item delivered. Every routine is
//! `harness::transfer` / `transfer_mpmc`, which checks that each value
//! arrives once and in order (an error panics the bench), and each queue is
//! checked once more before any timing starts.
//!
//! Limits, honestly: the SPSC groups pin the producer and the consumer to
//! the first two CPUs the process may use (`harness::two_cpus`; on a bigger
//! machine these may be SMT siblings, which share a cache); the MPMC group is
//! not pinned. Every queue waits the same way
//! when full or empty (spin up to 127 pauses, then `yield_now`), which on a
//! loaded machine hands the core to other processes; the MPMC group runs 4
//! threads on what may be 2 cores, so it measures contention *and*
//! time-sharing; each sample spawns its threads (criterion's linear sampling
//! puts that constant in the intercept, not the slope). On a shared 2-core
//! VM, expect ±30% between runs: compare rows of one run, not runs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perf_workbook::lock_free_ring::ablation::{Adjacent, Padded};
use perf_workbook::lock_free_ring::adapters::{
    Ablation, CrossbeamArrayQueue, MutexDeque, OurMpmcAsSpsc, OurSpsc, SeedPort,
    SharedArrayQueue, StdSyncChannel,
};
use perf_workbook::lock_free_ring::harness::{
    SharedQueue, Transfer, transfer, transfer_mpmc,
};
use perf_workbook::lock_free_ring::mpmc;
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[path = "lock_free_ring/peers.rs"]
mod peers;
use peers::Rtrb;

const CAPACITY: usize = 1024;

/// Fails loudly, before timing, if `Q` loses or reorders anything.
fn check_spsc<Q: Transfer>(batch: usize) {
    transfer::<Q>(100_000, CAPACITY, batch)
        .unwrap_or_else(|e| panic!("{} (batch {batch}) is broken: {e}", Q::NAME));
}

fn bench_spsc<Q: Transfer>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    batch: usize,
) {
    check_spsc::<Q>(batch);
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            transfer::<Q>(black_box(iters), CAPACITY, batch)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
    });
}

fn spsc(c: &mut Criterion) {
    let mut g = c.benchmark_group("spsc_u64_cap1024");
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline: VecDeque, one thread", |b| {
        b.iter_custom(|iters| {
            let mut q = VecDeque::with_capacity(CAPACITY);
            let start = Instant::now();
            for i in 0..iters {
                q.push_back(black_box(i));
                black_box(q.pop_front());
            }
            start.elapsed()
        })
    });
    bench_spsc::<OurSpsc>(&mut g, "spsc (ours)", 1);
    bench_spsc::<OurSpsc>(&mut g, "spsc (ours), batch 64", 64);
    bench_spsc::<Rtrb>(&mut g, "rtrb", 1);
    bench_spsc::<Rtrb>(&mut g, "rtrb, batch 64", 64);
    bench_spsc::<CrossbeamArrayQueue>(&mut g, "crossbeam ArrayQueue", 1);
    bench_spsc::<OurMpmcAsSpsc>(&mut g, "mpmc (ours)", 1);
    bench_spsc::<StdSyncChannel>(&mut g, "std sync_channel", 1);
    bench_spsc::<MutexDeque>(&mut g, "Mutex<VecDeque>", 1);
    bench_spsc::<SeedPort>(&mut g, "seed port", 1);
    g.finish();
}

fn spsc_ablation(c: &mut Criterion) {
    let mut g = c.benchmark_group("spsc_ablation");
    g.throughput(Throughput::Elements(1));
    bench_spsc::<Ablation<Padded, true>>(&mut g, "padded, cached", 1);
    bench_spsc::<Ablation<Padded, false>>(&mut g, "padded, uncached", 1);
    bench_spsc::<Ablation<Adjacent, true>>(&mut g, "adjacent, cached", 1);
    bench_spsc::<Ablation<Adjacent, false>>(&mut g, "adjacent, uncached", 1);
    bench_spsc::<Ablation<Adjacent, false, true>>(
        &mut g,
        "adjacent, uncached, SeqCst",
        1,
    );
    g.finish();
}

fn bench_mpmc<Q: SharedQueue>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
) {
    transfer_mpmc::<Q>(2, 2, 50_000, CAPACITY)
        .unwrap_or_else(|e| panic!("{name} is broken: {e}"));
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            // 2 producers × iters/2 items (at least one each).
            let per_producer = (black_box(iters) / 2).max(1);
            let d = transfer_mpmc::<Q>(2, 2, per_producer, CAPACITY)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // Scale to exactly `iters` items when iters is odd or 1.
            Duration::from_secs_f64(
                d.as_secs_f64() * iters as f64 / (2 * per_producer) as f64,
            )
        })
    });
}

fn mpmc_2p2c(c: &mut Criterion) {
    let mut g = c.benchmark_group("mpmc_2p2c_u64_cap1024");
    g.throughput(Throughput::Elements(1));
    bench_mpmc::<mpmc::Queue<u64>>(&mut g, "mpmc (ours)");
    bench_mpmc::<SharedArrayQueue>(&mut g, "crossbeam ArrayQueue");
    bench_mpmc::<(Mutex<VecDeque<u64>>, usize)>(&mut g, "Mutex<VecDeque>");
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = spsc, spsc_ablation, mpmc_2p2c
}
criterion_main!(benches);
