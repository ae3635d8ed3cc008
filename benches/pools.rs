//! Chapter 4, Pools: our pools, the allocators they compete with, and the
//! pool crates people pick today, side by side in one group per workload.
//!
//!     cargo bench --bench pools                  # everything (a few minutes)
//!     cargo bench --bench pools -- obj64_one     # one group
//!
//! Groups (same object, size and writes within a group):
//! - `obj64_one_thread`: get + write + put of a 64-byte object, vs
//!   `Box::new` (glibc), mimalloc and jemalloc called directly, and opool,
//!   object-pool, lifeguard. `box_new_no_black_box` shows what the optimiser
//!   does to an allocation whose result is unused.
//! - `buffer_public_api_4k`, `buffer_public_api_64`: the buffer path as a
//!   reader writes it, a `thread_local_pool!` declared here (outside the
//!   library) as its documentation shows, `get` and drop, against a fresh
//!   `Vec::with_capacity` (glibc) and mimalloc and jemalloc.
//! - `buffer_4k_touch`, `buffer_64k_touch`: a buffer written once per page.
//! - `obj64_two_threads`, `buffer_64k_two_threads`: two threads at once,
//!   time per operation per thread.
//! - `handoff_4k`: a producer thread hands 4 KiB buffers to a consumer over
//!   a lock-free queue (spinning, no futex waits).
//!
//! Limits, stated plainly:
//! - The global allocator here is glibc malloc (this bench does not install
//!   the counting allocator); mimalloc and jemalloc are called through their
//!   `GlobalAlloc` impls directly, with the same loop.
//! - Our variants time the loops of `perf_workbook::pools::workloads` (the
//!   ones the example and the claim checks use) through `iter_custom`.
//! - Peers are used through their public APIs: object-pool has no reset
//!   hook and keeps every returned object (no bound); lifeguard is
//!   single-threaded; opool's shared pool is an `ArrayQueue`.
//! - Two-thread groups spawn their threads per sample and time from a
//!   barrier; on a shared 2-vCPU VM they show direction, not precise ratios.
//! - Nothing here measures memory footprint or fragmentation.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mimalloc::MiMalloc;
use perf_workbook::pools::thread_local::{self as tls, OBJ64_POOL, TlsKey, TlsPool};
use perf_workbook::pools::workloads::{self as w, PAGE};
use perf_workbook::pools::{
    BoxRecycler, BufferRecycler, LocalStore, MutexStore, Obj64, Pool, QueueStore,
    ShardedStore, SizeClassPool,
};
use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant};
use tikv_jemallocator::Jemalloc;

static MI: MiMalloc = MiMalloc;
static JE: Jemalloc = Jemalloc;

fn timed(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

// ---- peers' adapters

struct OpoolObj;
impl opool::PoolAllocator<Box<Obj64>> for OpoolObj {
    fn allocate(&self) -> Box<Obj64> {
        Box::default()
    }
    fn reset(&self, o: &mut Box<Obj64>) {
        **o = Obj64::default();
    }
}

struct OpoolBuf(usize);
impl opool::PoolAllocator<Vec<u8>> for OpoolBuf {
    fn allocate(&self) -> Vec<u8> {
        Vec::with_capacity(self.0)
    }
    fn reset(&self, b: &mut Vec<u8>) {
        b.clear();
    }
}

/// lifeguard needs `Recycleable` on the pooled type itself.
struct LgObj(Box<Obj64>);
impl lifeguard::Recycleable for LgObj {
    fn new() -> Self {
        LgObj(Box::default())
    }
    fn reset(&mut self) {
        *self.0 = Obj64::default();
    }
}

// ---- obj64_one_thread

fn obj64_one_thread(c: &mut Criterion) {
    let local = Pool::new(LocalStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let sharded = Pool::new(ShardedStore::per_cpu(64), BoxRecycler::<Obj64>::new());
    let mutex = Pool::new(MutexStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let queue = Pool::new(QueueStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let op_local = opool::LocalPool::new(64, OpoolObj);
    let op_shared = opool::Pool::new(64, OpoolObj);
    let obj_pool = object_pool::Pool::new(64, || Box::new(Obj64::default()));
    let lg = lifeguard::Pool::<LgObj>::with_size_and_max(1, 64);

    // Correctness first: each pool hands back the same, reset object.
    let g = OBJ64_POOL.get();
    let p1 = &**g as *const Obj64;
    drop(g);
    let g = OBJ64_POOL.get();
    assert_eq!(&**g as *const Obj64, p1, "thread-local pool reuses");
    drop(g);
    let mut o = local.get();
    o.words = [9; 8];
    let p = &**o as *const Obj64;
    drop(o);
    let o = local.get();
    assert_eq!(
        (&**o as *const Obj64, o.words),
        (p, [0; 8]),
        "local pool reuses and resets"
    );
    drop(o);

    let mut g = c.benchmark_group("obj64_one_thread");
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline_stack_object", |b| {
        b.iter(|| black_box(Obj64 { words: [black_box(1); 8] }))
    });
    g.bench_function("box_new_no_black_box", |b| {
        b.iter(|| {
            let o = Box::new(Obj64 { words: [7; 8] });
            o.words[0] // the Box never escapes: LLVM deletes the allocation
        })
    });
    g.bench_function("glibc_box_new", |b| {
        b.iter(|| black_box(Box::new(Obj64 { words: [black_box(1); 8] })))
    });
    g.bench_function("mimalloc", |b| b.iter_custom(|n| timed(|| w::obj64_alloc(&MI, n))));
    g.bench_function("jemalloc", |b| b.iter_custom(|n| timed(|| w::obj64_alloc(&JE, n))));
    g.bench_function("ours_thread_local", |b| {
        b.iter_custom(|n| timed(|| w::obj64_tls(n)))
    });
    g.bench_function("ours_local", |b| {
        b.iter_custom(|n| timed(|| w::obj64_pool(&local, n)))
    });
    g.bench_function("ours_sharded", |b| {
        b.iter_custom(|n| timed(|| w::obj64_pool(&sharded, n)))
    });
    g.bench_function("ours_mutex", |b| {
        b.iter_custom(|n| timed(|| w::obj64_pool(&mutex, n)))
    });
    g.bench_function("ours_lock_free_queue", |b| {
        b.iter_custom(|n| timed(|| w::obj64_pool(&queue, n)))
    });
    g.bench_function("opool_local", |b| {
        b.iter(|| {
            let mut o = op_local.get();
            o.words = [black_box(1); 8];
            black_box(&mut **o);
        })
    });
    g.bench_function("opool_shared", |b| {
        b.iter(|| {
            let mut o = op_shared.get();
            o.words = [black_box(1); 8];
            black_box(&mut **o);
        })
    });
    g.bench_function("object_pool", |b| {
        b.iter(|| {
            let mut o = obj_pool.pull(|| Box::new(Obj64::default()));
            o.words = [black_box(1); 8]; // no reset hook: the write overwrites all
            black_box(&mut **o);
        })
    });
    g.bench_function("lifeguard", |b| {
        b.iter(|| {
            let mut o = lg.new();
            o.0.words = [black_box(1); 8];
            black_box(&mut *o.0);
        })
    });
    g.finish();
}

// ---- the buffer path through the public API, as the macro's docs show it

perf_workbook::thread_local_pool! {
    /// This bench's 4 KiB buffers, declared as the `thread_local_pool!` docs do.
    pub Bench4K: BufferRecycler = const {
        Pool::new(
            LocalStore::with_bound(16),
            BufferRecycler { initial_capacity: 4096, max_capacity: 1 << 20 },
        )
    };
}
perf_workbook::thread_local_pool! {
    /// The same for 64-byte buffers.
    pub Bench64: BufferRecycler = const {
        Pool::new(
            LocalStore::with_bound(16),
            BufferRecycler { initial_capacity: 64, max_capacity: 1 << 20 },
        )
    };
}
static BENCH_4K: TlsPool<Bench4K> = TlsPool::new();
static BENCH_64: TlsPool<Bench64> = TlsPool::new();

fn buffer_public_api(c: &mut Criterion) {
    fn group<K: TlsKey<Recycler = BufferRecycler>>(
        c: &mut Criterion,
        name: &str,
        pool: &TlsPool<K>,
        size: usize,
    ) {
        let first = pool.get();
        let p = first.as_ptr();
        drop(first);
        let again = pool.get();
        assert_eq!(again.as_ptr(), p, "the thread_local_pool! reuses its buffer");
        assert!(again.is_empty() && again.capacity() >= size);
        drop(again);
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(1));
        g.bench_function("vec_with_capacity_glibc", |b| {
            b.iter_custom(|n| timed(|| w::buffer_pool(size, n, Vec::with_capacity, drop)))
        });
        g.bench_function("mimalloc", |b| {
            b.iter_custom(|n| timed(|| w::buffer_alloc(&MI, size, n)))
        });
        g.bench_function("jemalloc", |b| {
            b.iter_custom(|n| timed(|| w::buffer_alloc(&JE, size, n)))
        });
        g.bench_function("ours_thread_local_pool_macro", |b| {
            b.iter_custom(|n| {
                timed(|| {
                    for i in 0..n {
                        let mut buf = pool.get();
                        w::touch_pages(&mut buf, size, i as u8);
                        black_box(&mut *buf);
                    }
                })
            })
        });
        g.finish();
    }
    group(c, "buffer_public_api_4k", &BENCH_4K, 4096);
    group(c, "buffer_public_api_64", &BENCH_64, 64);
}

// ---- buffers written once per page

fn buffers(c: &mut Criterion) {
    for size in [4 << 10, 64 << 10] {
        let local = SizeClassPool::local(size, size, 4);
        let op_local = opool::LocalPool::new(4, OpoolBuf(size));
        let obj_pool = object_pool::Pool::new(4, || Vec::<u8>::with_capacity(size));
        let lg = lifeguard::Pool::<Vec<u8>>::with_size_and_max(0, 4);

        let b1 = local.get_empty(size);
        let p = b1.as_ptr();
        assert!(b1.capacity() >= size && b1.is_empty());
        local.put(b1);
        let b2 = local.get_empty(size);
        assert_eq!(b2.as_ptr(), p, "size-class pool reuses");
        local.put(b2);

        let name = if size == 4096 { "buffer_4k_touch" } else { "buffer_64k_touch" };
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(size as u64));
        let mut scratch = vec![0u8; size];
        g.bench_function("baseline_touch_only", |b| {
            b.iter(|| {
                for off in (0..size).step_by(PAGE) {
                    scratch[off] = black_box(1);
                }
                black_box(&mut scratch);
            })
        });
        g.bench_function("glibc_vec_with_capacity", |b| {
            b.iter_custom(|n| timed(|| w::buffer_pool(size, n, Vec::with_capacity, drop)))
        });
        g.bench_function("mimalloc", |b| {
            b.iter_custom(|n| timed(|| w::buffer_alloc(&MI, size, n)))
        });
        g.bench_function("jemalloc", |b| {
            b.iter_custom(|n| timed(|| w::buffer_alloc(&JE, size, n)))
        });
        g.bench_function("ours_size_class", |b| {
            b.iter_custom(|n| {
                timed(|| {
                    w::buffer_pool(size, n, |s| local.get_empty(s), |v| local.put(v))
                })
            })
        });
        g.bench_function("ours_thread_local", |b| {
            b.iter_custom(|n| {
                timed(|| w::buffer_pool(size, n, tls::bytes_get_empty, tls::bytes_put))
            })
        });
        g.bench_function("opool_local", |b| {
            b.iter(|| {
                let mut v = op_local.get();
                w::touch_pages(&mut v, size, black_box(1));
                black_box(&mut *v);
            })
        });
        g.bench_function("object_pool", |b| {
            b.iter(|| {
                let mut v = obj_pool.pull(|| Vec::with_capacity(size));
                v.clear();
                w::touch_pages(&mut v, size, black_box(1));
                black_box(&mut *v);
            })
        });
        g.bench_function("lifeguard", |b| {
            b.iter(|| {
                let mut v = lg.new();
                v.reserve(size);
                w::touch_pages(&mut v, size, black_box(1));
                black_box(&mut *v);
            })
        });
        g.finish();
    }
}

// ---- two threads

/// Runs `f(n)` on two threads from a barrier; the slower thread's time.
fn on_two_threads(n: u64, f: &(dyn Fn(u64) + Sync)) -> Duration {
    w::two_threads(n, f)
}

fn obj64_two_threads(c: &mut Criterion) {
    let sharded = Pool::new(ShardedStore::per_cpu(64), BoxRecycler::<Obj64>::new());
    let mutex = Pool::new(MutexStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let queue = Pool::new(QueueStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let op_shared = opool::Pool::new(64, OpoolObj);
    let obj_pool = object_pool::Pool::new(64, || Box::new(Obj64::default()));
    let mut g = c.benchmark_group("obj64_two_threads");
    g.throughput(Throughput::Elements(2));
    g.bench_function("glibc", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::obj64_alloc(&System, k)))
    });
    g.bench_function("mimalloc", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::obj64_alloc(&MI, k)))
    });
    g.bench_function("jemalloc", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::obj64_alloc(&JE, k)))
    });
    g.bench_function("ours_thread_local", |b| {
        b.iter_custom(|n| on_two_threads(n, &w::obj64_tls))
    });
    g.bench_function("ours_sharded", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::obj64_pool(&sharded, k)))
    });
    g.bench_function("ours_mutex", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::obj64_pool(&mutex, k)))
    });
    g.bench_function("ours_lock_free_queue", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::obj64_pool(&queue, k)))
    });
    g.bench_function("opool_shared", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                for i in 0..k {
                    let mut o = op_shared.get();
                    o.words = [i; 8];
                    black_box(&mut **o);
                }
            })
        })
    });
    g.bench_function("object_pool", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                for i in 0..k {
                    let mut o = obj_pool.pull(|| Box::new(Obj64::default()));
                    o.words = [i; 8];
                    black_box(&mut **o);
                }
            })
        })
    });
    g.finish();
}

fn buffer_64k_two_threads(c: &mut Criterion) {
    const SIZE: usize = 64 << 10;
    let sharded = SizeClassPool::sharded(SIZE, SIZE, 4);
    let queue = SizeClassPool::lock_free(SIZE, SIZE, 8);
    let op_shared = opool::Pool::new(8, OpoolBuf(SIZE));
    let obj_pool = object_pool::Pool::new(8, || Vec::<u8>::with_capacity(SIZE));
    let mut g = c.benchmark_group("buffer_64k_two_threads");
    g.throughput(Throughput::Bytes(2 * SIZE as u64));
    g.bench_function("glibc_vec_with_capacity", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| w::buffer_pool(SIZE, k, Vec::with_capacity, drop))
        })
    });
    g.bench_function("mimalloc", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::buffer_alloc(&MI, SIZE, k)))
    });
    g.bench_function("jemalloc", |b| {
        b.iter_custom(|n| on_two_threads(n, &|k| w::buffer_alloc(&JE, SIZE, k)))
    });
    g.bench_function("ours_thread_local", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                w::buffer_pool(SIZE, k, tls::bytes_get_empty, tls::bytes_put)
            })
        })
    });
    g.bench_function("ours_sharded", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                w::buffer_pool(SIZE, k, |s| sharded.get_empty(s), |v| sharded.put(v))
            })
        })
    });
    g.bench_function("ours_lock_free_queue", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                w::buffer_pool(SIZE, k, |s| queue.get_empty(s), |v| queue.put(v))
            })
        })
    });
    g.bench_function("opool_shared", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                for i in 0..k {
                    let mut v = op_shared.get();
                    w::touch_pages(&mut v, SIZE, i as u8);
                    black_box(&mut *v);
                }
            })
        })
    });
    g.bench_function("object_pool", |b| {
        b.iter_custom(|n| {
            on_two_threads(n, &|k| {
                for i in 0..k {
                    let mut v = obj_pool.pull(|| Vec::with_capacity(SIZE));
                    v.clear();
                    w::touch_pages(&mut v, SIZE, i as u8);
                    black_box(&mut *v);
                }
            })
        })
    });
    g.finish();
}

// ---- producer → consumer

fn handoff_4k(c: &mut Criterion) {
    const SIZE: usize = 4096;
    let touch = |v: &mut Vec<u8>, x: u64| w::touch_pages(v, SIZE, x as u8);
    let sharded = SizeClassPool::sharded(SIZE, SIZE, 128);
    let queue = SizeClassPool::lock_free(SIZE, SIZE, 128);
    let op_shared = opool::Pool::new(128, OpoolBuf(SIZE)).to_rc();
    let obj_pool = std::sync::Arc::new(object_pool::Pool::new(128, || {
        Vec::<u8>::with_capacity(SIZE)
    }));
    let mut g = c.benchmark_group("handoff_4k");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.bench_function("glibc_vec_with_capacity", |b| {
        b.iter_custom(|n| w::handoff(n, &|| Vec::with_capacity(SIZE), &touch, &drop))
    });
    g.bench_function("ours_sharded", |b| {
        b.iter_custom(|n| {
            w::handoff(n, &|| sharded.get_empty(SIZE), &touch, &|v| sharded.put(v))
        })
    });
    g.bench_function("ours_lock_free_queue", |b| {
        b.iter_custom(|n| {
            w::handoff(n, &|| queue.get_empty(SIZE), &touch, &|v| queue.put(v))
        })
    });
    g.bench_function("ours_thread_local", |b| {
        b.iter_custom(|n| {
            w::handoff(n, &|| tls::bytes_get_empty(SIZE), &touch, &tls::bytes_put)
        })
    });
    g.bench_function("opool_shared", |b| {
        b.iter_custom(|n| {
            w::handoff(
                n,
                &|| op_shared.clone().get_rc(),
                &|v, x| w::touch_pages(v, SIZE, x as u8),
                &drop,
            )
        })
    });
    g.bench_function("object_pool", |b| {
        b.iter_custom(|n| {
            w::handoff(
                n,
                &|| {
                    let mut v = obj_pool.pull_owned(|| Vec::with_capacity(SIZE));
                    v.clear();
                    v
                },
                &|v, x| w::touch_pages(v, SIZE, x as u8),
                &drop,
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = obj64_one_thread, buffer_public_api, buffers, obj64_two_threads,
        buffer_64k_two_threads, handoff_4k
}
criterion_main!(benches);
