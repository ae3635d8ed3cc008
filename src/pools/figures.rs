//! Every measurement of the chapter, taken once per run and size (a
//! [`PerRun`] each) and read by both the example's tables and the claim
//! checks, so the page and the claim table show one number for one fact.
//!
//! - [`pay_rows`]: "when does a pool pay?": every workload through each pool
//!   and each allocator, interleaved in one race per workload. The checks
//!   read glibc; the example also times mimalloc and jemalloc, registered
//!   with [`also_time`] before anything is measured (they are dev-dependencies,
//!   not the library's).
//! - [`alloc_counts`], [`allocation_cut`], [`elision`]: allocation counts.
//! - The seeds' ports beside their fixes ([`super::stale_data`],
//!   [`super::lifecycle`]), run once with the run's sizes.
//!
//! Allocation counts need the counting allocator in the binary (the CLI, the
//! example and the tests install it); without it these return an error
//! rather than zeros.

use super::lifecycle::{self, BufferPoolCosts, IdleContents, SimpleAllocatorFaults};
use super::lifecycle::{ThreadLocality, ValueReset};
use super::object_pool::{
    BoxRecycler, MutexStore, Obj64, Pool, QueueStore, ShardedStore,
};
use super::seed_port::{SyncPoolModel, process_fresh, process_pooled};
use super::size_class::SizeClassPool;
use super::stale_data::{self, ClassLength, Pipeline, StaleResponse, TruncatedReuse};
use super::thread_local::{bytes_get_empty, bytes_put};
use super::workloads::{self as w, Timed, Variant};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc;
use std::alloc::{GlobalAlloc, System};
use std::hint::black_box;
use std::io::Write;
use std::sync::OnceLock;

type Figure<T> = Result<&'static T, CheckError>;

/// Runs `measure` once per run and size; a failure is kept and returned again.
fn once<T: Send + Sync>(
    cell: &'static PerRun<Result<T, CheckError>>,
    ctx: &Ctx,
    measure: impl FnOnce() -> Result<T, CheckError>,
) -> Figure<T> {
    cell.get(ctx, measure).as_ref().map_err(Clone::clone)
}

/// `Err` unless the counting allocator is installed in this binary.
fn counting() -> Result<(), CheckError> {
    if alloc::is_installed() {
        Ok(())
    } else {
        Err("allocation counts need the counting allocator \
             (perf_workbook::count_allocations!) in this binary"
            .into())
    }
}

// ------------------------------------------------------------ when pools pay

/// An allocator's side of the workloads.
pub struct AllocatorPath {
    /// Its name in reports (`glibc`, `mimalloc`, `jemalloc`).
    pub name: &'static str,
    obj64: Box<dyn Fn(u64) + Send + Sync>,
    buffer: Box<dyn Fn(usize, u64) + Send + Sync>,
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
}

static GLIBC: OnceLock<AllocatorPath> = OnceLock::new();
static ALSO: OnceLock<Vec<AllocatorPath>> = OnceLock::new();

/// Adds allocators to every race of [`pay_rows`], after glibc. Call it before
/// anything is measured (the example does, first thing in `main`); `Err` if
/// the races have already run or the list was already given.
pub fn also_time(allocators: Vec<AllocatorPath>) -> Result<(), CheckError> {
    ALSO.set(allocators).map_err(|_| "allocators were set or measured already".into())
}

/// glibc (`System`) first, then whatever [`also_time`] added.
fn allocators() -> Vec<&'static AllocatorPath> {
    let glibc = GLIBC.get_or_init(|| AllocatorPath::of("glibc", &System));
    std::iter::once(glibc).chain(ALSO.get_or_init(Vec::new).iter()).collect()
}

/// One workload of the table, with the name its speed-up has in the checks.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// E.g. `64 B object, 1 thread`.
    pub name: &'static str,
    /// The evidence figure: glibc's time ÷ the fastest pool's time.
    pub speedup: &'static str,
}

/// The workloads, in the table's order.
pub const WORKLOADS: [Workload; 8] = [
    Workload {
        name: "64 B object, 1 thread",
        speedup: "speed-up, 64 B object, 1 thread",
    },
    Workload { name: "3-buffer object", speedup: "speed-up, 3-buffer object" },
    Workload { name: "4 KiB buffer", speedup: "speed-up, 4 KiB buffer" },
    Workload { name: "64 KiB buffer", speedup: "speed-up, 64 KiB buffer" },
    Workload { name: "1 MiB buffer", speedup: "speed-up, 1 MiB buffer" },
    Workload { name: "32 MiB buffer", speedup: "speed-up, 32 MiB buffer" },
    Workload {
        name: "64 B object, 2 threads",
        speedup: "speed-up, 64 B object, 2 threads",
    },
    Workload {
        name: "4 KiB, producer → consumer",
        speedup: "speed-up, 4 KiB, producer → consumer",
    },
];

/// The label of the allocator a workload goes through when it must use the
/// global allocator (`String`, `Vec`): glibc, through the counting allocator
/// where a binary installs it.
pub const GLOBAL: &str = "glibc (global)";

/// One pool on one workload, beside every allocator.
#[derive(Clone, Debug)]
pub struct PayRow {
    /// Index into [`WORKLOADS`].
    pub workload: usize,
    /// The pool, e.g. `thread-local pool`.
    pub pool: String,
    /// The pool's median ns per get + put.
    pub pool_ns: f64,
    /// Each allocator's median ns per alloc + free, glibc first.
    pub allocators: Vec<(String, f64)>,
    /// The pool's ns per get + put in each round.
    pub rounds: Vec<f64>,
    /// Each allocator's ns per alloc + free in each round, in the order of
    /// `allocators`.
    pub allocator_rounds: Vec<Vec<f64>>,
}

impl PayRow {
    /// glibc's time ÷ the pool's: above 1, the pool is faster.
    pub fn vs_glibc(&self) -> f64 {
        self.allocators.first().map_or(f64::NAN, |a| a.1) / self.pool_ns
    }

    /// The fastest allocator's time ÷ the pool's.
    pub fn vs_best(&self) -> f64 {
        let best = self.allocators.iter().map(|a| a.1).fold(f64::INFINITY, f64::min);
        best / self.pool_ns
    }
}

/// Rows from one race: the first `pools` results are pools, the rest allocators.
fn rows(workload: usize, t: &[Timed], pools: usize) -> Vec<PayRow> {
    let allocators: Vec<(String, f64)> =
        t[pools..].iter().map(|a| (a.name.clone(), a.ns_per_op)).collect();
    let allocator_rounds: Vec<Vec<f64>> =
        t[pools..].iter().map(|a| a.rounds.clone()).collect();
    let row = |p: &Timed| PayRow {
        workload,
        pool: p.name.clone(),
        pool_ns: p.ns_per_op,
        allocators: allocators.clone(),
        rounds: p.rounds.clone(),
        allocator_rounds: allocator_rounds.clone(),
    };
    t[..pools].iter().map(row).collect()
}

fn obj64(ctx: &Ctx, workload: usize, two_threads: bool) -> Vec<PayRow> {
    let mutex = Pool::new(MutexStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let queue = Pool::new(QueueStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let sharded = Pool::new(ShardedStore::per_cpu(64), BoxRecycler::<Obj64>::new());
    let loops: [(&str, &(dyn Fn(u64) + Sync)); 4] = [
        ("thread-local pool", &w::obj64_tls),
        ("sharded pool", &|n| w::obj64_pool(&sharded, n)),
        ("mutex pool", &|n| w::obj64_pool(&mutex, n)),
        ("lock-free queue pool", &|n| w::obj64_pool(&queue, n)),
    ];
    let mut v: Vec<Variant<'_>> = Vec::new();
    let allocs = allocators().into_iter().map(|a| {
        let f: &(dyn Fn(u64) + Sync) = &*a.obj64;
        (a.name, f)
    });
    let all = loops.iter().copied().chain(allocs);
    for (name, f) in all {
        v.push(if two_threads {
            Variant::self_timed(name, move |n| w::two_threads(n, f))
        } else {
            Variant::timed(name, f)
        });
    }
    let t = w::race(ctx.pick(7, 3), ctx.pick(50_000, 10_000), &mut v);
    rows(workload, &t, loops.len())
}

fn scratch(ctx: &Ctx) -> Vec<PayRow> {
    let mut v = vec![
        Variant::timed("thread-local pool", w::scratch_tls),
        Variant::timed(GLOBAL, w::scratch_fresh),
    ];
    let t = w::race(ctx.pick(7, 3), ctx.pick(20_000, 4_000), &mut v);
    rows(1, &t, 1)
}

/// The pool of the 4 KiB row declared with `thread_local_pool!`, used as the
/// macro's documentation shows (`get`, drop): the reader's buffer path.
pub const PUBLIC_BUFFERS: &str = "thread_local_pool! (get, drop)";

fn buffer(ctx: &Ctx, workload: usize, size: usize, ops: u64) -> Vec<PayRow> {
    let pool = SizeClassPool::local(size, size, 4);
    let mut v = vec![Variant::timed("size-class pool", |n| {
        w::buffer_pool(size, n, |s| pool.get_empty(s), |b| pool.put(b))
    })];
    if size == 4 << 10 {
        v.push(Variant::timed(PUBLIC_BUFFERS, |n| {
            w::buffer_tls(&w::BUFFERS_4K, size, n)
        }));
    }
    let pools = v.len();
    let allocs = allocators().into_iter();
    v.extend(allocs.map(|a| Variant::timed(a.name, move |n| (a.buffer)(size, n))));
    let t = w::race(ctx.pick(5, 3), ops, &mut v);
    rows(workload, &t, pools)
}

/// Size of the small buffers of [`small_buffer`].
pub const SMALL_BUFFER: usize = 64;

/// A 64-byte buffer: the `thread_local_pool!` path against every allocator,
/// one interleaved race. Not a workload of the `pays` table (and not read by
/// its claims): it shows the pool's floor where malloc is at its fastest.
pub fn small_buffer(ctx: &Ctx) -> Figure<Vec<PayRow>> {
    static ROWS: PerRun<Result<Vec<PayRow>, CheckError>> = PerRun::new();
    once(&ROWS, ctx, || {
        let size = SMALL_BUFFER;
        let mut v = vec![Variant::timed(PUBLIC_BUFFERS, |n| {
            w::buffer_tls(&w::BUFFERS_64, size, n)
        })];
        let allocs = allocators().into_iter();
        v.extend(allocs.map(|a| Variant::timed(a.name, move |n| (a.buffer)(size, n))));
        let t = w::race(ctx.pick(9, 5), ctx.pick(200_000, 40_000), &mut v);
        Ok(rows(usize::MAX, &t, 1))
    })
}

/// A ratio of two variants of one race, round by round: `a[i] / b[i]`.
#[derive(Clone, Copy, Debug)]
pub struct Paired {
    /// Median of the per-round ratios.
    pub median: f64,
    /// Smallest per-round ratio.
    pub lo: f64,
    /// Largest per-round ratio.
    pub hi: f64,
    /// Rounds.
    pub rounds: usize,
}

/// `a[i] / b[i]` for each round `i` of one race.
pub fn paired(a: &[f64], b: &[f64]) -> Paired {
    let r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
    Paired {
        median: crate::measure::stats::median(&r).unwrap_or(f64::NAN),
        lo: crate::measure::stats::min(&r).unwrap_or(f64::NAN),
        hi: crate::measure::stats::max(&r).unwrap_or(f64::NAN),
        rounds: r.len(),
    }
}

/// Size of the buffers handed from producer to consumer.
pub const HANDOFF_SIZE: usize = 4096;

fn producer_consumer(ctx: &Ctx) -> Vec<PayRow> {
    let sharded = SizeClassPool::sharded(HANDOFF_SIZE, HANDOFF_SIZE, 128);
    let queue = SizeClassPool::lock_free(HANDOFF_SIZE, HANDOFF_SIZE, 128);
    type Source<'a> = &'a (dyn Fn(usize) -> Vec<u8> + Sync);
    type Sink<'a> = &'a (dyn Fn(Vec<u8>) + Sync);
    let ends: [(&str, Source<'_>, Sink<'_>); 4] = [
        ("sharded pool", &|s| sharded.get_empty(s), &|b| sharded.put(b)),
        ("lock-free queue pool", &|s| queue.get_empty(s), &|b| queue.put(b)),
        ("thread-local pool", &bytes_get_empty, &bytes_put),
        (GLOBAL, &Vec::with_capacity, &drop),
    ];
    let mut v: Vec<Variant<'_>> = ends
        .iter()
        .map(|&(name, source, sink)| {
            Variant::self_timed(name, move |n| {
                w::producer_consumer(n, HANDOFF_SIZE, source, sink)
            })
        })
        .collect();
    let t = w::race(ctx.pick(5, 3), ctx.pick(10_000, 1_000), &mut v);
    rows(7, &t, 3)
}

/// Every workload of [`WORKLOADS`] through its pools and the allocators,
/// measured once per run and size.
pub fn pay_rows(ctx: &Ctx) -> Figure<Vec<PayRow>> {
    static ROWS: PerRun<Result<Vec<PayRow>, CheckError>> = PerRun::new();
    once(&ROWS, ctx, || {
        let mut out = obj64(ctx, 0, false);
        out.extend(scratch(ctx));
        out.extend(buffer(ctx, 2, 4 << 10, ctx.pick(4000, 1000)));
        out.extend(buffer(ctx, 3, 64 << 10, ctx.pick(300, 100)));
        out.extend(buffer(ctx, 4, 1 << 20, ctx.pick(30, 10)));
        out.extend(buffer(ctx, 5, 32 << 20, ctx.pick(2, 1)));
        out.extend(obj64(ctx, 6, true));
        out.extend(producer_consumer(ctx));
        Ok(out)
    })
}

/// glibc's time ÷ the fastest pool's, per workload of [`WORKLOADS`].
pub fn best_speedups(rows: &[PayRow]) -> [f64; WORKLOADS.len()] {
    std::array::from_fn(|i| {
        rows.iter()
            .filter(|r| r.workload == i)
            .map(PayRow::vs_glibc)
            .fold(f64::NAN, f64::max)
    })
}

/// Nanoseconds the global allocator adds to an alloc + free pair of a 64-byte
/// block over calling `System` directly: the counting allocator's cost where
/// it is installed, about 0 where it is not.
pub fn counting_overhead_ns(ctx: &Ctx) -> Figure<f64> {
    static NS: PerRun<Result<f64, CheckError>> = PerRun::new();
    once(&NS, ctx, || {
        Ok(w::counting_overhead_ns(ctx.pick(7, 3), ctx.pick(50_000, 10_000)))
    })
}

// ------------------------------------------------------------ allocation counts

/// Allocations per operation of one workload, pooled and fresh.
#[derive(Clone, Copy, Debug)]
pub struct AllocRow {
    /// The workload.
    pub workload: &'static str,
    /// Allocations per get + put from the thread-local pool, once warm.
    pub pooled: f64,
    /// Allocations per operation making the object fresh each time.
    pub fresh: f64,
}

/// Allocations per operation, thread-local pool against fresh objects, after
/// one warm-up operation; the first row is the 64-byte object of C000-06.
pub fn alloc_counts(ctx: &Ctx) -> Figure<Vec<AllocRow>> {
    static ROWS: PerRun<Result<Vec<AllocRow>, CheckError>> = PerRun::new();
    once(&ROWS, ctx, || {
        counting()?;
        let ops = ctx.pick(10_000u64, 1_000);
        let per_op = |f: &dyn Fn(u64)| {
            f(1);
            let ((), c) = alloc::measure(|| f(ops));
            c.allocs as f64 / ops as f64
        };
        let boxed = |n: u64| {
            (0..n).for_each(|i| drop(black_box(Box::new(Obj64 { words: [i; 8] }))))
        };
        let tls_buf = |size| move |n| w::buffer_pool(size, n, bytes_get_empty, bytes_put);
        let fresh_buf = |size| move |n| w::buffer_pool(size, n, Vec::with_capacity, drop);
        Ok(vec![
            AllocRow {
                workload: "64 B object",
                pooled: per_op(&w::obj64_tls),
                fresh: per_op(&boxed),
            },
            AllocRow {
                workload: "3-buffer object",
                pooled: per_op(&w::scratch_tls),
                fresh: per_op(&w::scratch_fresh),
            },
            AllocRow {
                workload: "4 KiB buffer",
                pooled: per_op(&tls_buf(4 << 10)),
                fresh: per_op(&fresh_buf(4 << 10)),
            },
            AllocRow {
                workload: "64 KiB buffer",
                pooled: per_op(&tls_buf(64 << 10)),
                fresh: per_op(&fresh_buf(64 << 10)),
            },
        ])
    })
}

/// Lines of the response seed 003's `process()` writes, and their length:
/// 4 KiB in all, the size seed 000's `BufferPool` makes its buffers for
/// (§1.2.1 L199).
pub const RESPONSE_LINES: usize = 64;
/// Bytes per response line.
pub const LINE: usize = 64;

/// What "use buf" does in [`allocation_cut`]: writes the response line by line.
fn write_response(buf: &mut Vec<u8>, request: u64) {
    let mut line = [b'.'; LINE];
    line[LINE - 1] = b'\n';
    for i in 0..RESPONSE_LINES {
        line[0] = b'a' + ((request as usize + i) % 26) as u8;
        buf.extend_from_slice(&line);
    }
}

/// Allocator calls per call of seed 003's `process()` (strategy 1), with
/// and without its `sync.Pool`, for the two ways a `bytes.Buffer` is used:
/// written out (`w.Write(buf.Bytes())`) or copied out (`buf.String()`).
#[derive(Clone, Copy, Debug)]
pub struct AllocationCut {
    /// Calls measured per variant, after one warm-up call.
    pub requests: u64,
    /// Allocator calls per request: fresh buffer, written out.
    pub fresh_written: f64,
    /// Pooled buffer, written out.
    pub pooled_written: f64,
    /// Fresh buffer, copied out.
    pub fresh_copied: f64,
    /// Pooled buffer, copied out.
    pub pooled_copied: f64,
}

impl AllocationCut {
    /// Fraction of the allocator calls the pool removes, written out.
    pub fn cut_written(&self) -> f64 {
        1.0 - self.pooled_written / self.fresh_written
    }

    /// Fraction of the allocator calls the pool removes, copied out.
    pub fn cut_copied(&self) -> f64 {
        1.0 - self.pooled_copied / self.fresh_copied
    }
}

/// Seed 003's `process()` with and without its pool (C003-11).
pub fn allocation_cut(ctx: &Ctx) -> Figure<AllocationCut> {
    static CUT: PerRun<Result<AllocationCut, CheckError>> = PerRun::new();
    once(&CUT, ctx, || {
        counting()?;
        let requests = ctx.pick(2_000u64, 500);
        let pool = SyncPoolModel::default();
        let written = |buf: &mut Vec<u8>, i| {
            write_response(buf, i);
            std::io::sink().write_all(buf).expect("sink accepts everything");
        };
        let copied = |buf: &mut Vec<u8>, i| {
            write_response(buf, i);
            drop(black_box(buf.clone())); // buf.String()
        };
        let per_call = |f: &dyn Fn(u64)| {
            f(0);
            let ((), c) = alloc::measure(|| (1..=requests).for_each(f));
            c.calls() as f64 / requests as f64
        };
        Ok(AllocationCut {
            requests,
            fresh_written: per_call(&|i| process_fresh(|b| written(b, i))),
            pooled_written: per_call(&|i| process_pooled(&pool, |b| written(b, i))),
            fresh_copied: per_call(&|i| process_fresh(|b| copied(b, i))),
            pooled_copied: per_call(&|i| process_pooled(&pool, |b| copied(b, i))),
        })
    })
}

/// `Box::new` of a 64-byte object with and without `black_box`.
#[derive(Clone, Copy, Debug)]
pub struct Elision {
    /// Boxes made per loop.
    pub ops: u64,
    /// Allocations counted without `black_box`.
    pub allocs_without: u64,
    /// Allocations counted with it.
    pub allocs_with: u64,
    /// Median ns per box without `black_box`.
    pub ns_without: f64,
    /// Median ns per box with it.
    pub ns_with: f64,
}

fn boxes_unused(n: u64) {
    for i in 0..n {
        let b = Box::new(Obj64 { words: [i; 8] });
        assert_eq!(b.words[0], i); // used, but never escapes: may be deleted
    }
}

fn boxes_kept(n: u64) {
    for i in 0..n {
        black_box(Box::new(Obj64 { words: [i; 8] }));
    }
}

/// What the optimiser does to an allocation whose result never escapes.
pub fn elision(ctx: &Ctx) -> Figure<Elision> {
    static ELISION: PerRun<Result<Elision, CheckError>> = PerRun::new();
    once(&ELISION, ctx, || {
        counting()?;
        let ops = ctx.pick(1_000_000u64, 100_000);
        let ((), without) = alloc::measure(|| boxes_unused(ops));
        let ((), with) = alloc::measure(|| boxes_kept(ops));
        let mut v = [
            Variant::timed("without black_box", boxes_unused),
            Variant::timed("with black_box", boxes_kept),
        ];
        let t = w::race(ctx.pick(7, 3), ops, &mut v);
        Ok(Elision {
            ops,
            allocs_without: without.allocs,
            allocs_with: with.allocs,
            ns_without: t[0].ns_per_op,
            ns_with: t[1].ns_per_op,
        })
    })
}

// ------------------------------------------------------------ ports beside fixes

macro_rules! per_run {
    ($(#[$doc:meta])* $name:ident -> $ty:ty = $measure:expr) => {
        $(#[$doc])*
        pub fn $name(ctx: &Ctx) -> Figure<$ty> {
            static CELL: PerRun<Result<$ty, CheckError>> = PerRun::new();
            once(&CELL, ctx, || {
                counting()?;
                let f: fn(&Ctx) -> $ty = $measure;
                Ok(f(ctx))
            })
        }
    };
}

per_run! {
    /// D47, C001-43: two requests through the seed's server and the fix.
    stale_response -> StaleResponse = |_| stale_data::stale_response()
}
per_run! {
    /// D38, C001-28: `Allocate(100)` after a 128-byte user.
    class_length -> ClassLength = |_| stale_data::class_length()
}
per_run! {
    /// D39, C001-28: a truncated buffer returned, then 100 bytes requested.
    truncated_reuse -> TruncatedReuse = |_| stale_data::truncated_reuse()
}
per_run! {
    /// D49, C001-44: items of 1 … 5000 bytes through each pipeline stage.
    pipeline -> Pipeline = |ctx| stale_data::pipeline(ctx.pick(2000, 500))
}
per_run! {
    /// D40, C001-29: two live threads and each pool.
    thread_locality -> ThreadLocality =
        |ctx| lifecycle::thread_locality(ctx.pick(1000, 200), ctx.pick(1000, 100))
}
per_run! {
    /// D31, C001-14, C001-15: the seed's `SimpleAllocator`.
    simple_allocator -> SimpleAllocatorFaults =
        |ctx| lifecycle::simple_allocator(ctx.pick(1000, 200), ctx.pick(1000, 200))
}
per_run! {
    /// D35, C001-24: reset on a copy against reset through `&mut`.
    value_reset -> ValueReset = |_| lifecycle::value_reset()
}
per_run! {
    /// D09: what an idle object holds.
    idle_contents -> IdleContents = |_| lifecycle::idle_contents()
}
per_run! {
    /// D08, C000-07, C003-09: `sync.Pool` of `[]byte` values against the
    /// capped typed pool.
    buffer_pool_costs -> BufferPoolCosts =
        |ctx| lifecycle::buffer_pool_costs(ctx.pick(1000, 200))
}
