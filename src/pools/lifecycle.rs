//! An object's life in the seeds' pools, each port run beside its fix: which
//! thread gets it back (D40), what a double free does (D31), whether a reset
//! reaches the pooled object (D35) and when it runs (D09), what `sync.Pool`
//! of values costs per `Put` and keeps for ever (D08). No timing;
//! [`super::figures`] runs each once per run. Counts need the counting
//! allocator in the binary.

use crate::measure::alloc::measure;
use crate::pools::object_pool::{BufferRecycler, LocalStore, Pool, WithFns};
use crate::pools::seed_port::{
    GoSlice, SeedBufferPool, SeedChanPool, SeedResetOnGetPool, SeedSimpleAllocator,
    SeedStats, SeedThreadLocalPool,
};
use crate::pools::size_class::SizeClassPool;
use crate::pools::thread_local::{bytes_get_empty, bytes_put};
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::{Arc, Mutex};

/// Pointers seen by two threads, seed "thread-local" pool vs `thread_local!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadLocality {
    /// Thread B's `Get` returned the buffer thread A `Put`, seed port.
    pub seed_shared: bool,
    /// Map entries after `Get` of sizes `1 ..= sizes`, seed port.
    pub seed_map_entries: usize,
    /// Sizes requested for that figure.
    pub sizes: usize,
    /// Buffers seen by both threads, `thread_local!` pool.
    pub tls_common_pointers: usize,
    /// Allocations per thread over its `cycles` get/put after one warm-up.
    pub tls_allocs_per_thread: [u64; 2],
    /// Get/put cycles per thread.
    pub cycles: u64,
}

/// Thread A uses the pool, waits; thread B uses it while A is still alive.
pub fn thread_locality(cycles: u64, sizes: usize) -> ThreadLocality {
    let seed = SeedThreadLocalPool::default();
    let barrier = std::sync::Barrier::new(2);
    let (a_ptr, b_ptr) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let buf = seed.get(4096);
            let p = buf.as_ptr() as usize;
            seed.put(buf);
            barrier.wait(); // A has put its buffer back
            barrier.wait(); // B is done
            p
        });
        let b = s.spawn(|| {
            barrier.wait();
            let buf = seed.get(4096);
            let p = buf.as_ptr() as usize;
            seed.put(buf);
            barrier.wait();
            p
        });
        (a.join().expect("thread A"), b.join().expect("thread B"))
    });
    let many = SeedThreadLocalPool::default();
    for n in 1..=sizes {
        many.put(many.get(n));
    }

    let run = || {
        bytes_put(bytes_get_empty(4096)); // warm-up: the first get allocates
        // Room for 64 pointers, made before counting starts.
        let mut ptrs = HashSet::with_capacity(64);
        let ((), c) = measure(|| {
            for _ in 0..cycles {
                let b = bytes_get_empty(4096);
                ptrs.insert(b.as_ptr() as usize);
                bytes_put(b);
            }
        });
        (ptrs, c.allocs)
    };
    let ((pa, ca), (pb, cb)) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let r = run();
            barrier.wait();
            barrier.wait();
            r
        });
        let b = s.spawn(|| {
            barrier.wait();
            let r = run();
            barrier.wait();
            r
        });
        (a.join().expect("thread A"), b.join().expect("thread B"))
    });
    ThreadLocality {
        seed_shared: a_ptr == b_ptr,
        seed_map_entries: many.map_len(),
        sizes,
        tls_common_pointers: pa.intersection(&pb).count(),
        tls_allocs_per_thread: [ca, cb],
        cycles,
    }
}

/// The seed `SimpleAllocator`'s bookkeeping and aliasing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleAllocatorFaults {
    /// After a double `Free`, two `Allocate`s return the same array.
    pub double_free_aliases: bool,
    /// What the second of those two reads after the first wrote `alice`.
    pub alias_reads_other_users_data: bool,
    /// `CurrentUsage` after `Allocate(100)` and two `Free`s (correct: 0).
    pub usage_after_double_free: u64,
    /// `CurrentUsage` after `Allocate(100)` and `Free(buf[:10])` (correct: 0).
    pub usage_after_resliced_free: u64,
    /// Allocations the heap made during `hits` warm `Allocate`/`Free` pairs.
    pub heap_allocs_during_hits: u64,
    /// `TotalAllocated` the stats claim for those same pairs.
    pub stats_bytes_during_hits: u64,
    /// Pool hits measured.
    pub hits: u64,
    /// Per-size pools after requesting sizes `1 ..= sizes`.
    pub pools_after_sizes: usize,
    /// Sizes requested.
    pub sizes: usize,
    /// Size classes the size-class pool uses for the same sizes.
    pub classes_for_sizes: usize,
    /// The fix: after one buffer is put back (its `put` takes it by value, so
    /// it cannot be put twice), the next two `get`s return the same buffer.
    pub fixed_two_gets_alias: bool,
}

/// Runs the seed allocator through double free, reslice, hits and many sizes.
pub fn simple_allocator(hits: u64, sizes: usize) -> SimpleAllocatorFaults {
    let sa = SeedSimpleAllocator::default();
    let a = sa.allocate(64);
    sa.free(a.clone()); // a copy of the slice header, as Go passes it
    sa.free(a); // the same buffer again
    let (b, c) = (sa.allocate(64), sa.allocate(64));
    b.copy_from(b"alice");
    let alias_reads = c.bytes().starts_with(b"alice");
    let double_free_aliases = b.same_array(&c);

    let fresh = SeedSimpleAllocator::default();
    let x = fresh.allocate(100);
    fresh.free(x.clone());
    fresh.free(x);
    let usage_after_double_free = fresh.stats().current_usage;
    let fresh = SeedSimpleAllocator::default();
    let x: GoSlice = fresh.allocate(100);
    fresh.free(x.reslice(10));
    let usage_after_resliced_free = fresh.stats().current_usage;

    let warm = SeedSimpleAllocator::default();
    warm.free(warm.allocate(64));
    let before: SeedStats = warm.stats();
    let ((), counts) = measure(|| {
        for _ in 0..hits {
            warm.free(warm.allocate(64));
        }
    });
    let stats_bytes_during_hits = warm.stats().total_allocated - before.total_allocated;

    let many = SeedSimpleAllocator::default();
    for n in 1..=sizes {
        many.free(many.allocate(n));
    }
    let sc = SizeClassPool::local(8, 1 << 20, 1);
    let classes: HashSet<usize> = (1..=sizes).filter_map(|n| sc.class_of(n)).collect();
    sc.put(sc.get(64));
    let (x, y) = (sc.get(64), sc.get(64));
    SimpleAllocatorFaults {
        double_free_aliases,
        alias_reads_other_users_data: alias_reads,
        usage_after_double_free,
        usage_after_resliced_free,
        heap_allocs_during_hits: counts.allocs,
        stats_bytes_during_hits,
        hits,
        pools_after_sizes: many.pools(),
        sizes,
        classes_for_sizes: classes.len(),
        fixed_two_gets_alias: x.as_ptr() == y.as_ptr(),
    }
}

/// Seed 001's channel pool `Buffer`: 1 KiB of data and a fill level.
#[derive(Clone, Debug)]
pub struct ChanBuffer {
    /// The bytes.
    pub data: Vec<u8>,
    /// Bytes in use.
    pub size: usize,
}

fn new_chan_buffer() -> ChanBuffer {
    ChanBuffer { data: vec![0; 1024], size: 0 }
}

/// A Go `*Buffer`: copying it copies the pointer, so a reset that receives a
/// copy still reaches the pooled object.
type BufferPtr = Arc<Mutex<ChanBuffer>>;

fn new_buffer_ptr() -> BufferPtr {
    Arc::new(Mutex::new(new_chan_buffer()))
}

fn reset_through_pointer(p: BufferPtr) {
    p.lock().unwrap_or_else(|e| e.into_inner()).size = 0;
}

/// Seed 001's channel pool three ways: its example's value `T` (the reset
/// gets a copy), a pointer `T` (the shape that works in Go), and the fix's
/// `fn(&mut T)` reset; plus the pool's reuse and its bound, on the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueReset {
    /// The `size` the user sets before putting the object back.
    pub size_before_put: usize,
    /// `size` after put + get, seed port with `T = Buffer` (a value).
    pub seed_value_size_after_put: usize,
    /// `size` after put + get, seed port with `T = *Buffer` (a pointer).
    pub seed_pointer_size_after_put: usize,
    /// `size` after put + get, the fix's pool with `reset: fn(&mut T)`.
    pub fixed_size_after_put: usize,
    /// Allocations of `Get` on the empty port (makes a new object).
    pub allocs_get_empty: u64,
    /// Allocations of `Get` after a `Put` (reuses it).
    pub allocs_get_reuse: u64,
    /// The port's channel size ([`OVERFILL_BOUND`]).
    pub bound: usize,
    /// Idle objects after putting `bound + 1` into the port.
    pub idle_after_overfill: usize,
    /// Bytes freed by the `Put` past the bound (the object is dropped).
    pub bytes_freed_by_overfill: u64,
}

/// The fill level the user leaves in a buffer before putting it back.
pub const SIZE_BEFORE_PUT: usize = 5;

/// The channel size of the pool [`value_reset`] overfills.
pub const OVERFILL_BOUND: usize = 2;

/// Put `size == 5` back and get it again, in each pool; then overfill the port.
pub fn value_reset() -> ValueReset {
    let by_value = SeedChanPool::new(10, new_chan_buffer, |mut b: ChanBuffer| b.size = 0);
    let mut b = by_value.get();
    b.size = SIZE_BEFORE_PUT;
    by_value.put(b);
    let seed_value_size_after_put = by_value.get().size;

    let port = SeedChanPool::new(OVERFILL_BOUND, new_buffer_ptr, reset_through_pointer);
    let size = |p: &BufferPtr| p.lock().unwrap_or_else(|e| e.into_inner()).size;
    let (p, c_new) = measure(|| port.get());
    p.lock().unwrap_or_else(|e| e.into_inner()).size = SIZE_BEFORE_PUT;
    port.put(p);
    let (p, c_reuse) = measure(|| port.get());
    let seed_pointer_size_after_put = size(&p);
    let (p2, p3) = (port.get(), port.get());
    port.put(p);
    port.put(p2);
    let ((), c_over) = measure(|| port.put(p3));

    let reset = |b: &mut ChanBuffer| b.size = 0;
    let pool = Pool::new(LocalStore::with_bound(4), WithFns::new(new_chan_buffer, reset));
    let mut b = pool.take();
    b.size = SIZE_BEFORE_PUT;
    pool.put(b);
    ValueReset {
        size_before_put: SIZE_BEFORE_PUT,
        seed_value_size_after_put,
        seed_pointer_size_after_put,
        fixed_size_after_put: pool.take().size,
        allocs_get_empty: c_new.allocs,
        allocs_get_reuse: c_reuse.allocs,
        bound: OVERFILL_BOUND,
        idle_after_overfill: port.idle(),
        bytes_freed_by_overfill: c_over.bytes_freed,
    }
}

/// A session object with a secret, put back into a reset-on-get pool
/// (seed 000) and a reset-on-put pool (fix).
#[derive(Clone, Debug, Default)]
pub struct Session {
    /// Who it belongs to.
    pub user: String,
    /// Its payload.
    pub body: Vec<u8>,
}

/// What an idle object holds while it waits in the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdleContents {
    /// The idle object still holds the last user's secret, seed port.
    pub seed_idle_has_secret: bool,
    /// Bytes of the last user's data the idle object keeps, seed port.
    pub seed_idle_data_bytes: usize,
    /// The same for the fix.
    pub fixed_idle_has_secret: bool,
    /// The same for the fix.
    pub fixed_idle_data_bytes: usize,
}

fn fill_session(s: &mut Session) {
    s.user.push_str("alice:token=SECRET");
    s.body.extend_from_slice(&[7; 4096]);
}

/// Alice's session goes back; what does the idle object contain?
pub fn idle_contents() -> IdleContents {
    let seed = SeedResetOnGetPool::new(Session::default, |mut s: Session| {
        s.user.clear();
        s.body.clear();
        s
    });
    let mut s = seed.get();
    fill_session(&mut s);
    seed.put(s);
    let (seed_idle_has_secret, seed_idle_data_bytes) = seed.inspect_idle(|idle| {
        (idle[0].user.contains("SECRET"), idle[0].user.len() + idle[0].body.len())
    });

    let reset = |s: &mut Session| {
        s.user.clear();
        s.body.clear();
    };
    let pool =
        Pool::new(LocalStore::with_bound(4), WithFns::new(Session::default, reset));
    let mut s = pool.take();
    fill_session(&mut s);
    pool.put(s);
    let idle = pool.take(); // the object exactly as it waited
    IdleContents {
        seed_idle_has_secret,
        seed_idle_data_bytes,
        fixed_idle_has_secret: idle.user.contains("SECRET"),
        fixed_idle_data_bytes: idle.user.len() + idle.body.len(),
    }
}

/// `sync.Pool` of `[]byte` values (seed 000 `BufferPool`) against the capped
/// typed pool: allocations per `Put`, and what a 64 MiB buffer does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferPoolCosts {
    /// `Put`s measured.
    pub puts: u64,
    /// Allocations made by those `Put`s, seed port (one box each).
    pub seed_allocs: u64,
    /// Allocations made by the same `put`s, typed pool.
    pub fixed_allocs: u64,
    /// Capacity a new buffer gets, typed pool.
    pub fixed_new_capacity: usize,
    /// Length and reuse after a `put`: `(len, same buffer)`.
    pub fixed_after_put: (usize, bool),
    /// Bytes the seed pool keeps because of a 64 MiB buffer put into it.
    pub seed_retained_after_big: usize,
    /// Bytes freed when the same buffer is put into the capped pool.
    pub fixed_freed_on_big_put: u64,
    /// Idle buffers in the capped pool after that put.
    pub fixed_idle_after_big: usize,
}

/// The size of the oversized buffer in [`buffer_pool_costs`].
pub const BIG: usize = 64 << 20;

/// Runs `puts` get/put pairs on each pool, then puts a 64 MiB buffer.
pub fn buffer_pool_costs(puts: u64) -> BufferPoolCosts {
    let seed = SeedBufferPool::default();
    seed.put(seed.get());
    let ((), c_seed) = measure(|| {
        for _ in 0..puts {
            let b = seed.get();
            seed.put(black_box(b));
        }
    });
    let recycler = BufferRecycler { initial_capacity: 4096, max_capacity: 1 << 20 };
    let pool = Pool::new(LocalStore::with_bound(8), recycler);
    let b = pool.take();
    let fixed_new_capacity = b.capacity();
    pool.put(b);
    let ((), c_fixed) = measure(|| {
        for _ in 0..puts {
            let b = pool.take();
            pool.put(black_box(b));
        }
    });
    let mut b = pool.take();
    let ptr = b.as_ptr();
    b.extend_from_slice(&[1; 1000]);
    pool.put(b);
    let b = pool.take();
    let fixed_after_put = (b.len(), b.as_ptr() == ptr);
    pool.put(b);

    let retained_before = seed.pool.retained_bytes();
    seed.put(Vec::with_capacity(BIG)); // untouched: costs address space only
    let seed_retained_after_big = seed.pool.retained_bytes() - retained_before;
    let idle_before = pool.idle();
    let big = Vec::<u8>::with_capacity(BIG);
    let ((), c_big) = measure(|| pool.put(big));
    BufferPoolCosts {
        puts,
        seed_allocs: c_seed.allocs,
        fixed_allocs: c_fixed.allocs,
        fixed_new_capacity,
        fixed_after_put,
        seed_retained_after_big,
        fixed_freed_on_big_put: c_big.bytes_freed,
        fixed_idle_after_big: pool.idle() - idle_before,
    }
}
