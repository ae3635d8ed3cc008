//! "When does a pool pay in Rust?": every workload of the chapter, timed
//! through a pool and through each allocator side by side, one row per pool.
//!
//! The checks run it with glibc malloc (`System`) alone; the example adds
//! mimalloc and jemalloc ([`AllocatorPath::of`]). A row *pays* when the pool
//! is at least [`PAYS_AT`]× faster than the fastest allocator measured, and
//! *loses* when it is at least that much slower.

use super::object_pool::{
    BoxRecycler, MutexStore, Obj64, Pool, QueueStore, ShardedStore,
};
use super::size_class::SizeClassPool;
use super::thread_local::{bytes_get_empty, bytes_put};
use super::workloads::{self as w, Timed, Variant};
use crate::claims::Ctx;
use std::alloc::{GlobalAlloc, System};
use std::sync::OnceLock;

/// Speed-up (either way) beyond which a row counts as a win or a loss.
pub const PAYS_AT: f64 = 1.2;

/// An allocator's side of the workloads.
pub struct AllocatorPath {
    /// Its name in reports (`glibc`, `mimalloc`, `jemalloc`).
    pub name: &'static str,
    obj64: Box<dyn Fn(u64) + Sync>,
    buffer: Box<dyn Fn(usize, u64) + Sync>,
}

impl AllocatorPath {
    /// The workloads through `alloc`, called directly (not the global allocator).
    pub fn of<A: GlobalAlloc + Sync>(name: &'static str, alloc: &'static A) -> Self {
        Self {
            name,
            obj64: Box::new(move |n| w::obj64_alloc(alloc, n)),
            buffer: Box::new(move |size, n| w::buffer_alloc(alloc, size, n)),
        }
    }

    /// glibc malloc through `std::alloc::System`.
    pub fn system() -> Self {
        Self::of("glibc", &System)
    }
}

/// How a row came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Outcome {
    /// The pool is at least [`PAYS_AT`]× faster than the best allocator.
    Pays,
    /// Within [`PAYS_AT`]× either way.
    Even,
    /// The best allocator is at least [`PAYS_AT`]× faster than the pool.
    Loses,
}

/// One pool on one workload, beside every allocator.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PayRow {
    /// The workload, e.g. `64 B object, 1 thread`.
    pub workload: String,
    /// Its short name for one-line summaries, e.g. `64 B`.
    pub short: String,
    /// The pool, e.g. `thread-local pool`.
    pub pool: String,
    /// The pool's median ns per operation.
    pub pool_ns: f64,
    /// Each allocator's median ns per operation, in the order given.
    pub allocators: Vec<(String, f64)>,
    /// The allocator side goes through the global allocator (`Vec`,
    /// `String`), which may be the counting allocator.
    pub via_global: bool,
}

impl PayRow {
    /// The fastest allocator and its ns/op.
    pub fn best_allocator(&self) -> (&str, f64) {
        self.allocators
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, t)| (n.as_str(), *t))
            .unwrap_or(("none", f64::NAN))
    }

    /// Best allocator time ÷ pool time: above 1, the pool is faster.
    pub fn speedup(&self) -> f64 {
        self.best_allocator().1 / self.pool_ns
    }

    /// glibc's time ÷ pool time (the first allocator: glibc, directly or as
    /// the global allocator).
    pub fn speedup_vs_glibc(&self) -> f64 {
        self.allocators.first().map_or(f64::NAN, |a| a.1) / self.pool_ns
    }

    /// Pays, even or loses.
    pub fn outcome(&self) -> Outcome {
        let s = self.speedup();
        if s >= PAYS_AT {
            Outcome::Pays
        } else if s <= 1.0 / PAYS_AT {
            Outcome::Loses
        } else {
            Outcome::Even
        }
    }

    /// `64 B object, 1 thread / thread-local pool`.
    pub fn label(&self) -> String {
        format!("{} / {}", self.workload, self.pool)
    }

    /// `thread-local 64 B`: pool and workload in a few words.
    pub fn short_label(&self) -> String {
        format!("{} {}", self.pool.trim_end_matches(" pool"), self.short)
    }
}

/// Rows from one race: the first `pools` results are pools, the rest allocators.
fn rows(
    workload: &str,
    short: &str,
    t: &[Timed],
    pools: usize,
    via_global: bool,
) -> Vec<PayRow> {
    let allocators: Vec<(String, f64)> =
        t[pools..].iter().map(|a| (a.name.clone(), a.ns_per_op)).collect();
    t[..pools]
        .iter()
        .map(|p| PayRow {
            workload: workload.to_string(),
            short: short.to_string(),
            pool: p.name.clone(),
            pool_ns: p.ns_per_op,
            allocators: allocators.clone(),
            via_global,
        })
        .collect()
}

/// 64-byte objects on one thread: four pools against each allocator.
pub fn obj64_one_thread(ctx: &Ctx, allocs: &[AllocatorPath]) -> Vec<PayRow> {
    let mutex = Pool::new(MutexStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let queue = Pool::new(QueueStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let sharded = Pool::new(ShardedStore::per_cpu(64), BoxRecycler::<Obj64>::new());
    let mut v = vec![
        Variant::timed("thread-local pool", w::obj64_tls),
        Variant::timed("sharded pool", |n| w::obj64_pool(&sharded, n)),
        Variant::timed("mutex pool", |n| w::obj64_pool(&mutex, n)),
        Variant::timed("lock-free queue pool", |n| w::obj64_pool(&queue, n)),
    ];
    let pools = v.len();
    v.extend(allocs.iter().map(|a| Variant::timed(a.name, |n| (a.obj64)(n))));
    let t = w::race(ctx.pick(7, 3), ctx.pick(50_000, 10_000), &mut v);
    rows("64 B object, 1 thread", "64 B", &t, pools, false)
}

/// 64-byte objects, two threads churning at once (per-thread time per op).
pub fn obj64_two_threads(ctx: &Ctx, allocs: &[AllocatorPath]) -> Vec<PayRow> {
    let mutex = Pool::new(MutexStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let queue = Pool::new(QueueStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let sharded = Pool::new(ShardedStore::per_cpu(64), BoxRecycler::<Obj64>::new());
    let mut v = vec![
        Variant::self_timed("thread-local pool", |n| w::two_threads(n, &w::obj64_tls)),
        Variant::self_timed("sharded pool", |n| {
            w::two_threads(n, &|k| w::obj64_pool(&sharded, k))
        }),
        Variant::self_timed("mutex pool", |n| {
            w::two_threads(n, &|k| w::obj64_pool(&mutex, k))
        }),
        Variant::self_timed("lock-free queue pool", |n| {
            w::two_threads(n, &|k| w::obj64_pool(&queue, k))
        }),
    ];
    let pools = v.len();
    v.extend(
        allocs
            .iter()
            .map(|a| Variant::self_timed(a.name, |n| w::two_threads(n, &*a.obj64))),
    );
    let t = w::race(ctx.pick(5, 3), ctx.pick(50_000, 10_000), &mut v);
    rows("64 B object, 2 threads", "64 B × 2 threads", &t, pools, false)
}

/// The three-buffer [`w::Scratch`] object: pooled vs made fresh.
pub fn scratch(ctx: &Ctx) -> Vec<PayRow> {
    let mut v = vec![
        Variant::timed("thread-local pool", w::scratch_tls),
        Variant::timed("global allocator", w::scratch_fresh),
    ];
    let t = w::race(ctx.pick(7, 3), ctx.pick(20_000, 4_000), &mut v);
    rows("3-buffer object (3 allocs to build)", "3-buffer object", &t, 1, true)
}

/// Buffers of `size` bytes written once per page, one thread.
pub fn buffer(ctx: &Ctx, size: usize, ops: u64, allocs: &[AllocatorPath]) -> Vec<PayRow> {
    let pool = SizeClassPool::local(size, size, 4);
    let mut v = vec![Variant::timed("size-class pool", |n| {
        w::buffer_pool(size, n, |s| pool.get_empty(s), |b| pool.put(b))
    })];
    v.extend(allocs.iter().map(|a| Variant::timed(a.name, move |n| (a.buffer)(size, n))));
    let t = w::race(ctx.pick(5, 3), ops, &mut v);
    let bytes = crate::table::format_bytes(size as f64);
    rows(&format!("{bytes}, 1 write per page"), &bytes, &t, 1, false)
}

/// One producer → consumer variant.
fn handoff<'a>(
    name: &str,
    source: &'a (dyn Fn(usize) -> Vec<u8> + Sync),
    sink: &'a (dyn Fn(Vec<u8>) + Sync),
) -> Variant<'a> {
    Variant::self_timed(name, move |n| {
        w::producer_consumer(n, HANDOFF_SIZE, source, sink)
    })
}

const HANDOFF_SIZE: usize = 4096;

/// 4 KiB buffers from a producer thread to a consumer thread.
pub fn producer_consumer(ctx: &Ctx) -> Vec<PayRow> {
    let sharded = SizeClassPool::sharded(HANDOFF_SIZE, HANDOFF_SIZE, 128);
    let queue = SizeClassPool::lock_free(HANDOFF_SIZE, HANDOFF_SIZE, 128);
    let s_get = |s: usize| sharded.get_empty(s);
    let s_put = |b: Vec<u8>| sharded.put(b);
    let q_get = |s: usize| queue.get_empty(s);
    let q_put = |b: Vec<u8>| queue.put(b);
    let fresh_get = |s: usize| Vec::with_capacity(s);
    let fresh_put = |b: Vec<u8>| drop(b);
    let mut v = vec![
        handoff("sharded pool", &s_get, &s_put),
        handoff("lock-free queue pool", &q_get, &q_put),
        handoff("thread-local pool", &bytes_get_empty, &bytes_put),
        handoff("global allocator", &fresh_get, &fresh_put),
    ];
    let t = w::race(ctx.pick(5, 3), ctx.pick(10_000, 1_000), &mut v);
    rows("4 KiB, producer → consumer", "4 KiB handoff", &t, 3, true)
}

/// Every workload; `allocs` are the allocators to compare with.
pub fn measure(ctx: &Ctx, allocs: &[AllocatorPath]) -> Vec<PayRow> {
    let mut out = obj64_one_thread(ctx, allocs);
    out.extend(scratch(ctx));
    out.extend(buffer(ctx, 4 << 10, ctx.pick(4000, 1000), allocs));
    out.extend(buffer(ctx, 64 << 10, ctx.pick(300, 100), allocs));
    out.extend(buffer(ctx, 1 << 20, ctx.pick(30, 10), allocs));
    if !ctx.quick {
        out.extend(buffer(ctx, 32 << 20, 2, allocs));
    }
    out.extend(obj64_two_threads(ctx, allocs));
    out.extend(producer_consumer(ctx));
    out
}

/// [`measure`] with glibc alone, measured once per process and size.
pub fn measured_with_glibc(ctx: &Ctx) -> &'static [PayRow] {
    static FULL: OnceLock<Vec<PayRow>> = OnceLock::new();
    static QUICK: OnceLock<Vec<PayRow>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    cell.get_or_init(|| measure(ctx, &[AllocatorPath::system()]))
}

/// The table as text: one line per row, one column per allocator seen.
pub fn render(rows: &[PayRow]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for (n, _) in rows.iter().flat_map(|r| &r.allocators) {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let mut s = format!("{:<36} {:<21} {:>8}", "workload", "pool", "pool ns");
    for n in &names {
        let short = if *n == "global allocator" { "global" } else { n };
        s.push_str(&format!(" {:>11}", format!("{short} ns")));
    }
    s.push_str(&format!(" {:>8} {:>8}  {}\n", "÷ glibc", "÷ best", "pays?"));
    for r in rows {
        s.push_str(&format!("{:<36} {:<21} {:>8.1}", r.workload, r.pool, r.pool_ns));
        for n in &names {
            match r.allocators.iter().find(|(a, _)| a == n) {
                Some((_, t)) => s.push_str(&format!(" {t:>11.1}")),
                None => s.push_str(&format!(" {:>11}", "-")),
            }
        }
        let mark = match r.outcome() {
            Outcome::Pays => "pays",
            Outcome::Even => "even",
            Outcome::Loses => "loses",
        };
        s.push_str(&format!(
            " {:>7.2}× {:>7.2}×  {mark}\n",
            r.speedup_vs_glibc(),
            r.speedup()
        ));
    }
    s
}
