//! The chapter's workloads and the loop that times them side by side.
//!
//! Each workload exists twice, with the same object, size and writes: once
//! through a pool and once through an allocator. The allocator side calls a
//! [`GlobalAlloc`] directly (`System` = glibc malloc here, or mimalloc and
//! jemalloc from the example), so the counting allocator the CLI and the
//! example install is **not** on that path and cannot slow it down. The few
//! workloads that must allocate through `Vec`/`String` (the expensive object,
//! the producer → consumer buffers) go through the global allocator; where
//! that is the counting allocator, [`counting_overhead_ns`] measures its
//! cost so the report can state it.
//!
//! Timing is wall-clock over a batch of operations, interleaved across
//! variants (A B C A B C …), median of the rounds. It is for the printed
//! reports and the claim checks; criterion does the careful version in
//! `benches/pools.rs`. No test asserts any of these numbers.

use super::object_pool::{BufferRecycler, LocalStore, Obj64, Pool, Recycle};
use super::thread_local::{OBJ64_POOL, TlsKey, TlsPool};
use crate::measure::stats;
use crossbeam_queue::ArrayQueue;
use crossbeam_utils::Backoff;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Page size the buffer workloads write once per page.
pub const PAGE: usize = 4096;

/// A named loop: runs `ops` operations of one variant.
pub struct Variant<'a> {
    /// Label in reports.
    pub name: String,
    /// Runs `ops` operations and returns the elapsed wall time.
    pub run: Box<dyn FnMut(u64) -> Duration + 'a>,
}

impl<'a> Variant<'a> {
    /// A variant whose loop is timed here, on this thread.
    pub fn timed(name: impl Into<String>, mut f: impl FnMut(u64) + 'a) -> Self {
        Self {
            name: name.into(),
            run: Box::new(move |ops| {
                let t = Instant::now();
                f(ops);
                t.elapsed()
            }),
        }
    }

    /// A variant that times itself (e.g. on other threads).
    pub fn self_timed(
        name: impl Into<String>,
        f: impl FnMut(u64) -> Duration + 'a,
    ) -> Self {
        Self { name: name.into(), run: Box::new(f) }
    }
}

/// Median nanoseconds per operation of each variant.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Timed {
    /// The variant's label.
    pub name: String,
    /// Median over the rounds, ns per operation.
    pub ns_per_op: f64,
    /// Fastest round, ns per operation.
    pub min_ns_per_op: f64,
    /// Every round, ns per operation, in the order run.
    pub rounds: Vec<f64>,
}

/// Runs every variant once to warm it up, then `rounds` rounds of `ops`
/// operations each, interleaved, and returns each one's median ns/op.
pub fn race(rounds: usize, ops: u64, variants: &mut [Variant<'_>]) -> Vec<Timed> {
    for v in variants.iter_mut() {
        (v.run)(ops.div_ceil(10).max(1));
    }
    let mut samples = vec![Vec::with_capacity(rounds); variants.len()];
    for _ in 0..rounds {
        for (v, s) in variants.iter_mut().zip(&mut samples) {
            s.push((v.run)(ops).as_nanos() as f64 / ops as f64);
        }
    }
    variants
        .iter()
        .zip(&samples)
        .map(|(v, s)| Timed {
            name: v.name.clone(),
            ns_per_op: stats::median(s).unwrap_or(f64::NAN),
            min_ns_per_op: stats::min(s).unwrap_or(f64::NAN),
            rounds: s.clone(),
        })
        .collect()
}

// ANCHOR: obj64_loops
/// 64-byte object through an allocator: alloc, write, use, free.
pub fn obj64_alloc<A: GlobalAlloc>(a: &A, ops: u64) {
    let layout = Layout::new::<Obj64>();
    for i in 0..ops {
        // SAFETY: `layout` has non-zero size; the pointer is checked for null,
        // written as an `Obj64` before use and freed once with its layout.
        unsafe {
            let p = a.alloc(layout).cast::<Obj64>();
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            p.write(Obj64 { words: [i; 8] });
            black_box(&mut *p);
            a.dealloc(p.cast(), layout);
        }
    }
}

/// 64-byte object from the thread-local pool: get, write, use, give back.
pub fn obj64_tls(ops: u64) {
    for i in 0..ops {
        let mut obj = OBJ64_POOL.get(); // reset to zero when it came back
        obj.words = [i; 8];
        black_box(&mut **obj);
    } // the guard's drop puts it back
}
// ANCHOR_END: obj64_loops

/// 64-byte object from any [`Pool`].
pub fn obj64_pool<S, R>(pool: &Pool<S, R>, ops: u64)
where
    S: super::object_pool::IdleStore<Item = Box<Obj64>>,
    R: Recycle<Item = Box<Obj64>>,
{
    for i in 0..ops {
        let mut obj = pool.get();
        obj.words = [i; 8];
        black_box(&mut **obj);
    }
}

// ANCHOR: buffer_loops
/// A buffer of `size` bytes through an allocator, written once per page.
pub fn buffer_alloc<A: GlobalAlloc>(a: &A, size: usize, ops: u64) {
    let layout = Layout::from_size_align(size, 1).expect("size fits a layout");
    for i in 0..ops {
        // SAFETY: `size > 0` (callers pass page multiples); every write is at
        // an offset below `size`; the block is freed once with its layout.
        unsafe {
            let p = a.alloc(layout);
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            for off in (0..size).step_by(PAGE) {
                p.add(off).write(i as u8);
            }
            black_box(p);
            a.dealloc(p, layout);
        }
    }
}

/// A buffer from a pool (`get` → empty buffer of capacity `>= size`),
/// written once per page through its spare capacity, then given back.
pub fn buffer_pool(
    size: usize,
    ops: u64,
    get: impl Fn(usize) -> Vec<u8>,
    put: impl Fn(Vec<u8>),
) {
    for i in 0..ops {
        let mut buf = get(size);
        touch_pages(&mut buf, size, i as u8);
        black_box(&mut buf);
        put(buf);
    }
}
// ANCHOR_END: buffer_loops

// ANCHOR: public_buffers
crate::thread_local_pool! {
    /// Each thread's 4 KiB buffers, declared as the `thread_local_pool!`
    /// documentation declares its pool: at most 16 idle.
    pub Buffers4K: BufferRecycler = const {
        Pool::new(
            LocalStore::with_bound(16),
            BufferRecycler { initial_capacity: 4096, max_capacity: 1 << 20 },
        )
    };
}

crate::thread_local_pool! {
    /// The same for 64-byte buffers.
    pub Buffers64: BufferRecycler = const {
        Pool::new(
            LocalStore::with_bound(16),
            BufferRecycler { initial_capacity: 64, max_capacity: 1 << 20 },
        )
    };
}

/// The handle on [`Buffers4K`].
pub static BUFFERS_4K: TlsPool<Buffers4K> = TlsPool::new();
/// The handle on [`Buffers64`].
pub static BUFFERS_64: TlsPool<Buffers64> = TlsPool::new();

/// A buffer as a reader's program takes it from a `thread_local_pool!`:
/// `get`, write once per page (once for 64 B), use, drop the guard.
pub fn buffer_tls<K: TlsKey<Recycler = BufferRecycler>>(
    pool: &TlsPool<K>,
    size: usize,
    ops: u64,
) {
    for i in 0..ops {
        let mut buf = pool.get();
        touch_pages(&mut buf, size, i as u8);
        black_box(&mut *buf);
    } // the guard's drop clears it and puts it back
}
// ANCHOR_END: public_buffers

/// Writes `value` once per page into the first `size` bytes of `buf`'s spare
/// capacity (safe: `MaybeUninit::write`; the length stays as it is).
#[inline]
pub fn touch_pages(buf: &mut Vec<u8>, size: usize, value: u8) {
    let spare = buf.spare_capacity_mut();
    for off in (0..size.min(spare.len())).step_by(PAGE) {
        spare[off].write(value);
    }
}

/// A request's scratch state: three buffers, so making one costs three
/// allocations and dropping it three frees. The "expensive to construct"
/// object of the chapter.
#[derive(Debug)]
pub struct Scratch {
    /// A path or key.
    pub path: String,
    /// Parsed numbers.
    pub fields: Vec<u64>,
    /// A body.
    pub body: Vec<u8>,
}

impl Scratch {
    /// Allocates all three buffers.
    pub fn new() -> Self {
        Self {
            path: String::with_capacity(256),
            fields: Vec::with_capacity(64),
            body: Vec::with_capacity(4096),
        }
    }

    /// The work one request does with it.
    pub fn fill(&mut self, i: u64) {
        self.path.push_str("/static/index.html");
        self.fields.extend(i..i + 16);
        self.body.extend_from_slice(&[i as u8; 512]);
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// Pools [`Scratch`]: reset clears the three buffers (keeping their
/// capacity); a body grown past 64 KiB is not kept.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScratchRecycler;

impl Recycle for ScratchRecycler {
    type Item = Scratch;
    fn create(&self) -> Scratch {
        Scratch::new()
    }
    fn reset(&self, s: &mut Scratch) {
        s.path.clear();
        s.fields.clear();
        s.body.clear();
    }
    fn keep(&self, s: &Scratch) -> bool {
        s.body.capacity() <= 64 << 10
    }
}

/// [`Scratch`] made and dropped for each request (global allocator).
pub fn scratch_fresh(ops: u64) {
    for i in 0..ops {
        let mut s = Scratch::new();
        s.fill(i);
        black_box(&mut s);
    }
}

crate::thread_local_pool! {
    /// Each thread's pool of [`Scratch`] objects.
    pub ScratchPool: ScratchRecycler = const { Pool::new(LocalStore::with_bound(16), ScratchRecycler) };
}

/// The handle on [`ScratchPool`].
pub static SCRATCH_POOL: TlsPool<ScratchPool> = TlsPool::new();

/// [`Scratch`] from a thread-local pool.
pub fn scratch_tls(ops: u64) {
    for i in 0..ops {
        let mut s = SCRATCH_POOL.get();
        s.fill(i);
        black_box(&mut *s);
    }
}

/// Runs `f(ops)` on two threads released together, returns the slower
/// thread's time. Each thread does `ops` operations.
pub fn two_threads(ops: u64, f: &(dyn Fn(u64) + Sync)) -> Duration {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    let t = Instant::now();
                    f(ops);
                    t.elapsed()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("worker thread")).max()
    })
    .unwrap_or_default()
}

/// A producer thread makes `ops` items with `make`, writes each with
/// `touch` and hands it over a bounded lock-free queue (64 slots); a consumer
/// thread takes each and gives it to `sink`. Both sides spin, then yield, when
/// the queue is full or empty, so no futex sleep/wake lands in the figure.
/// Returns the consumer's time to see every item.
pub fn handoff<T: Send>(
    ops: u64,
    make: &(dyn Fn() -> T + Sync),
    touch: &(dyn Fn(&mut T, u64) + Sync),
    sink: &(dyn Fn(T) + Sync),
) -> Duration {
    let queue = ArrayQueue::new(64);
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            barrier.wait();
            for i in 0..ops {
                let mut item = make();
                touch(&mut item, i);
                let backoff = Backoff::new();
                while let Err(back) = queue.push(item) {
                    item = back;
                    backoff.snooze();
                }
            }
        });
        barrier.wait();
        let t = Instant::now();
        for _ in 0..ops {
            let backoff = Backoff::new();
            let item = loop {
                match queue.pop() {
                    Some(item) => break item,
                    None => backoff.snooze(),
                }
            };
            sink(black_box(item));
        }
        t.elapsed()
    })
}

/// [`handoff`] of `size`-byte buffers from `source`, each written once per page.
pub fn producer_consumer(
    ops: u64,
    size: usize,
    source: &(dyn Fn(usize) -> Vec<u8> + Sync),
    sink: &(dyn Fn(Vec<u8>) + Sync),
) -> Duration {
    handoff(ops, &|| source(size), &|buf, i| touch_pages(buf, size, i as u8), sink)
}

/// Nanoseconds the global allocator adds per alloc + free pair of a 64-byte
/// block over calling `System` directly: about 0 when the global allocator
/// is `System`, the counting cost when it is the counting allocator.
pub fn counting_overhead_ns(rounds: usize, ops: u64) -> f64 {
    let mut v = [
        Variant::timed("global", |n| {
            for i in 0..n {
                black_box(Box::new(Obj64 { words: [i; 8] }));
            }
        }),
        Variant::timed("system", |n| obj64_alloc(&System, n)),
    ];
    let t = race(rounds, ops, &mut v);
    t[0].ns_per_op - t[1].ns_per_op
}
