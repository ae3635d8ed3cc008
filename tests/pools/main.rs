//! Chapter 4, Pools: invariants of the pools and the seeds' defects shown
//! beside their fixes; the exercises are in `exercises.rs`.
//!
//! Every assertion is about counts, lengths, pointers or contents; none is
//! about time, and every count is of the test's own thread (the counting
//! allocator counts per thread), so the tests run in parallel. Under Miri the
//! loops are shorter, and tests that spawn processes or reserve 64 MiB are
//! ignored: `cargo +nightly miri test --test pools`.

use perf_workbook::claims::Ctx;
use perf_workbook::measure::alloc::measure;
use perf_workbook::pools::figures;
use perf_workbook::pools::lifecycle;
use perf_workbook::pools::seed_port::{SyncPoolModel, process_fresh, process_pooled};
use perf_workbook::pools::stale_data;
use perf_workbook::pools::thread_local::{self as tls, OBJ64_POOL};
use perf_workbook::pools::unused_import;
use perf_workbook::pools::{
    BoxRecycler, BufferRecycler, IdleStore, LocalStore, MutexStore, Obj64, Pool,
    QueueStore, ShardedStore, SizeClassPool, WithFns,
};
use std::cell::Cell;
use std::hint::black_box;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

perf_workbook::count_allocations!();

mod exercises;

/// Loop counts: long natively, short under Miri.
pub(crate) fn n(native: u64) -> u64 {
    if cfg!(miri) { native.min(50) } else { native }
}

// ---------------------------------------------------------------- invariants

#[test]
fn local_pool_makes_no_allocations_once_warm() {
    let pool = Pool::new(LocalStore::with_bound(8), BoxRecycler::<Obj64>::new());
    drop(pool.get());
    let ((), c) = measure(|| {
        for i in 0..n(10_000) {
            let mut obj = pool.get();
            obj.words[0] = i;
            black_box(&mut *obj);
        }
    });
    assert_eq!((c.allocs, c.frees), (0, 0));
}

#[test]
fn thread_local_pool_makes_no_allocations_once_warm() {
    drop(OBJ64_POOL.get());
    let ((), c) = measure(|| {
        for i in 0..n(10_000) {
            let mut obj = OBJ64_POOL.get();
            obj.words = [i; 8];
            black_box(&mut *obj);
        }
    });
    assert_eq!((c.allocs, c.frees), (0, 0));
    assert_eq!(OBJ64_POOL.idle(), 1);
}

#[test]
fn direct_allocation_makes_one_allocation_per_object() {
    // The baseline the pool is compared with: black_box keeps every Box.
    let ops = n(1000);
    let ((), c) = measure(|| {
        for i in 0..ops {
            black_box(Box::new(Obj64 { words: [i; 8] }));
        }
    });
    assert_eq!((c.allocs, c.frees), (ops, ops));
}

#[test]
fn a_reused_object_comes_back_reset() {
    let pool = Pool::new(LocalStore::with_bound(8), BoxRecycler::<Obj64>::new());
    let mut obj = pool.get();
    obj.words = [7; 8];
    drop(obj);
    assert_eq!(pool.get().words, [0; 8]);
}

#[test]
fn reset_runs_on_return_not_on_loan() {
    let resets = Rc::new(Cell::new(0));
    let r = Rc::clone(&resets);
    let pool = Pool::new(
        LocalStore::with_bound(4),
        WithFns::new(Vec::<u8>::new, move |v: &mut Vec<u8>| {
            r.set(r.get() + 1);
            v.clear();
        }),
    );
    let mut v = pool.get();
    v.extend_from_slice(b"secret");
    assert_eq!(resets.get(), 0, "lending does not reset");
    drop(v);
    assert_eq!(resets.get(), 1, "returning resets");
    let v = pool.get();
    assert_eq!(resets.get(), 1, "the idle object was already clean");
    assert!(v.is_empty());
}

/// Counts drops of the objects it is attached to.
struct Counted(Rc<Cell<u32>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn guard_returns_on_drop_and_into_inner_keeps_the_object() {
    let drops = Rc::new(Cell::new(0));
    let d = Rc::clone(&drops);
    let pool = Pool::new(
        LocalStore::with_bound(1),
        WithFns::new(move || Counted(Rc::clone(&d)), |_: &mut Counted| {}),
    );
    let a = pool.get();
    drop(a);
    assert_eq!((pool.idle(), drops.get()), (1, 0), "returned, not dropped");
    let b = pool.get();
    let kept = b.into_inner();
    assert_eq!((pool.idle(), drops.get()), (0, 0), "into_inner takes it out of the pool");
    drop(kept);
    assert_eq!(drops.get(), 1, "dropped once, by its owner");
    let (x, y) = (pool.get(), pool.get());
    drop(x);
    drop(y); // the pool holds 1: the second one is dropped
    assert_eq!((pool.idle(), drops.get()), (1, 2));
    drop(pool);
    assert_eq!(drops.get(), 3, "idle objects are dropped with the pool");
}

fn check_bound<S: IdleStore<Item = Vec<u8>>>(store: S, bound: usize) {
    let pool =
        Pool::new(store, BufferRecycler { initial_capacity: 64, max_capacity: 4096 });
    let mut held: Vec<Vec<u8>> = (0..bound + 5).map(|_| pool.take()).collect();
    let ((), c) = measure(|| held.drain(..).for_each(|b| pool.put(b)));
    assert_eq!(pool.idle(), bound);
    assert_eq!(c.frees, 5, "the objects beyond the bound are freed");
}

#[test]
fn every_store_keeps_at_most_its_bound() {
    check_bound(LocalStore::with_bound(3), 3);
    check_bound(MutexStore::with_bound(3), 3);
    check_bound(QueueStore::with_bound(3), 3);
    // One thread reaches its own shard's list and every shard's queue.
    let sharded = ShardedStore::new(2, 3);
    let reach = sharded.bound_per_shard() * (1 + sharded.shards());
    check_bound(sharded, reach);
}

#[test]
#[cfg_attr(miri, ignore = "allocates 64 MiB of address space")]
fn buffers_above_the_cap_are_dropped_not_pooled() {
    let pool = Pool::new(
        LocalStore::with_bound(8),
        BufferRecycler { initial_capacity: 4096, max_capacity: 1 << 20 },
    );
    let big = Vec::<u8>::with_capacity(64 << 20);
    let ((), c) = measure(|| pool.put(big));
    assert_eq!(pool.idle(), 0);
    assert_eq!(c.bytes_freed, 64 << 20);
    let small = pool.take();
    assert!(small.capacity() >= 4096 && small.is_empty());
}

#[test]
fn size_class_get_has_the_requested_length_and_the_class_capacity() {
    let pool = SizeClassPool::local(64, 4096, 4);
    for (len, cap) in [(0, 64), (1, 64), (64, 64), (65, 128), (100, 128), (4096, 4096)] {
        let b = pool.get(len);
        assert_eq!((b.len(), b.capacity()), (len, cap), "get({len})");
        assert!(b.iter().all(|&x| x == 0));
    }
    assert_eq!(pool.class_of(4097), None);
    let big = pool.get(5000);
    assert_eq!(big.len(), 5000, "oversized requests go to the allocator");
    pool.put(big);
    assert_eq!(pool.idle(), 0, "and oversized buffers are not kept");
}

#[test]
fn size_class_never_shows_the_last_users_bytes() {
    let pool = SizeClassPool::local(64, 4096, 4);
    let mut b = pool.get(128);
    b.fill(0xAA);
    let ptr = b.as_ptr();
    pool.put(b);
    let b = pool.get(100);
    assert_eq!(b.as_ptr(), ptr, "the same buffer");
    assert_eq!(b.len(), 100);
    assert!(b.iter().all(|&x| x == 0), "zeroed up to its length");
    // Past the length is spare capacity: safe Rust can only write it.
    let e = pool.get_empty(100);
    assert!(e.is_empty());
}

#[test]
fn truncated_buffers_are_filed_by_capacity_and_reused() {
    let pool = SizeClassPool::local(64, 4096, 4);
    let mut b = pool.get(100);
    let ptr = b.as_ptr();
    b.truncate(10);
    pool.put(b);
    let (b, c) = measure(|| pool.get(100));
    assert_eq!((c.allocs, b.as_ptr()), (0, ptr));
}

#[test]
fn a_grown_buffer_is_filed_in_the_largest_class_it_covers() {
    let pool = SizeClassPool::local(64, 4096, 4);
    let mut b = pool.get_empty(100); // capacity 128
    b.extend_from_slice(&[1; 300]); // grows past 128
    let cap = b.capacity();
    assert!(cap >= 300);
    pool.put(b);
    let class = pool.class_for_capacity(cap).expect("a class");
    assert_eq!(pool.idle_in(class), 1);
    assert!(pool.class_size(class) <= cap);
    let (b, c) = measure(|| pool.get(pool.class_size(class)));
    assert_eq!(c.calls(), 0, "served without growing");
    drop(b);
}

#[test]
fn size_class_pool_makes_no_allocations_once_warm() {
    let pool = SizeClassPool::local(64, 8192, 4);
    let size = |i: u64| (i * 7919 % 8192 + 1) as usize;
    for class in 0..pool.classes() {
        pool.put(pool.get(pool.class_size(class))); // one idle buffer per class
    }
    let ((), c) = measure(|| {
        for i in 0..n(10_000) {
            pool.put(black_box(pool.get(size(i))));
        }
    });
    assert_eq!(c.calls(), 0);
}

#[test]
fn shared_pools_lose_nothing_across_threads() {
    fn run<S: IdleStore<Item = Vec<u8>> + Sync>(store: S) {
        let created = AtomicUsize::new(0);
        let pool = Pool::new(
            store,
            WithFns::new(
                || {
                    created.fetch_add(1, Ordering::Relaxed);
                    Vec::<u8>::with_capacity(64)
                },
                |v: &mut Vec<u8>| v.clear(),
            ),
        );
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for i in 0..n(2000) {
                        let mut v = pool.get();
                        assert!(v.is_empty(), "reset before reuse");
                        v.push(i as u8);
                    }
                });
            }
        });
        let made = created.load(Ordering::Relaxed);
        assert!((1..=2).contains(&made), "{made} objects for two threads");
        assert_eq!(pool.idle(), made, "every object came back");
    }
    run(MutexStore::with_bound(8));
    run(QueueStore::with_bound(8));
    run(ShardedStore::new(2, 8));
}

#[test]
fn a_sharded_store_recycles_from_one_thread_to_another() {
    let pool = SizeClassPool::sharded(4096, 4096, 16);
    let ptrs: Vec<usize> = std::thread::scope(|s| {
        s.spawn(|| {
            let bufs: Vec<Vec<u8>> = (0..8).map(|_| pool.get_empty(4096)).collect();
            let ptrs = bufs.iter().map(|b| b.as_ptr() as usize).collect();
            bufs.into_iter().for_each(|b| pool.put(b));
            ptrs
        })
        .join()
        .expect("producer")
    });
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut held = Vec::with_capacity(8); // room made before counting
            let ((), c) = measure(|| {
                for _ in 0..8 {
                    let b = pool.get_empty(4096);
                    assert!(ptrs.contains(&(b.as_ptr() as usize)));
                    held.push(b); // keep it out of the pool for this count
                }
            });
            assert_eq!(c.allocs, 0, "all eight came from the other thread");
        });
    });
}

#[test]
fn a_thread_whose_shard_is_owned_gives_its_objects_to_the_queue() {
    // One shard: this thread owns its list; a second thread, alive at the
    // same time, finds the shard owned and keeps its object in the queue,
    // where the owner finds it once its own list is empty.
    let pool = Pool::new(
        ShardedStore::new(1, 4),
        BufferRecycler { initial_capacity: 64, max_capacity: 4096 },
    );
    pool.put(pool.take()); // this thread owns the shard now, one object in its list
    let guest_ptr = std::thread::scope(|s| {
        s.spawn(|| {
            let b = pool.take();
            let ptr = b.as_ptr() as usize;
            pool.put(b);
            ptr
        })
        .join()
        .expect("guest thread")
    });
    assert_eq!(pool.idle(), 2, "one in the owner's list, one in the queue");
    let ((mine, theirs), c) = measure(|| (pool.take(), pool.take()));
    assert_eq!(c.allocs, 0, "both came from the store");
    assert_eq!(theirs.as_ptr() as usize, guest_ptr, "the queue's object, second");
    assert_ne!(mine.as_ptr() as usize, guest_ptr, "the owner's own object first");
    assert_eq!(pool.idle(), 0);
}

// ---------------------------------------------------------------- defects

#[test]
fn d47_seed_server_leaks_the_previous_response() {
    let r = stale_data::stale_response();
    assert_eq!(r.seed_len, 4096);
    assert!(r.seed_leaks, "bob's response carries alice's token");
    assert_eq!(r.fixed_len, stale_data::HELLO.len());
    assert!(!r.fixed_leaks && r.fixed_exact);
}

#[test]
fn d38_seed_pool_hands_out_the_class_length() {
    let l = stale_data::class_length();
    assert_eq!(l.requested, 100);
    assert_eq!((l.seed_len, l.seed_stale), (128, 28));
    assert_eq!((l.fixed_len, l.fixed_capacity, l.fixed_stale), (100, 128, 0));
}

#[test]
fn d39_seed_pool_drops_a_truncated_buffer() {
    let t = stale_data::truncated_reuse();
    assert_eq!((t.seed_idle_after_free, t.seed_allocs_next), (0, 1));
    assert_eq!((t.fixed_idle_after_put, t.fixed_allocs_next), (1, 0));
    assert!(t.fixed_same_buffer);
}

#[test]
fn d49_seed_pipeline_allocates_per_item_and_pads_the_output() {
    let items = n(300);
    let p = stale_data::pipeline(items);
    assert_eq!((p.seed_len_of_100, p.seed_stale_of_100), (128, 28));
    assert!(p.seed_allocs >= items, "at least one allocation per item");
    assert!(p.seed_wrong_len > 0);
    assert_eq!((p.move_allocs, p.move_wrong_len), (0, 0));
    assert_eq!(p.move_len_of_100, 100);
}

#[test]
fn d40_seed_thread_local_pool_is_one_global_map() {
    let t = lifecycle::thread_locality(n(200), 100);
    assert!(t.seed_shared, "thread B received thread A's buffer");
    assert_eq!(t.seed_map_entries, 100, "one entry per exact size");
    assert_eq!(t.tls_common_pointers, 0);
    assert_eq!(t.tls_allocs_per_thread, [0, 0]);
}

#[test]
fn d31_seed_allocator_double_free_aliases_two_callers() {
    let d = lifecycle::simple_allocator(n(100), 50);
    assert!(d.double_free_aliases && d.alias_reads_other_users_data);
    assert_eq!(d.usage_after_double_free, 0u64.wrapping_sub(100));
    assert_eq!(d.usage_after_resliced_free, 90);
    assert_eq!(d.heap_allocs_during_hits, 0);
    assert_eq!(d.stats_bytes_during_hits, 64 * d.hits);
    assert_eq!((d.pools_after_sizes, d.classes_for_sizes), (50, 4));
    assert!(!d.fixed_two_gets_alias, "the fix never hands one buffer to two callers");
}

#[test]
fn d09_reset_on_get_keeps_the_secret_while_idle() {
    let d = lifecycle::idle_contents();
    assert!(d.seed_idle_has_secret);
    assert_eq!(d.seed_idle_data_bytes, "alice:token=SECRET".len() + 4096);
    assert!(!d.fixed_idle_has_secret);
    assert_eq!(d.fixed_idle_data_bytes, 0);
}

#[test]
#[cfg_attr(miri, ignore = "allocates 64 MiB of address space")]
fn d08_sync_pool_of_values_boxes_every_put_and_keeps_huge_buffers() {
    let puts = n(500);
    let d = lifecycle::buffer_pool_costs(puts);
    assert_eq!(d.seed_allocs, puts, "one box per Put");
    assert_eq!(d.fixed_allocs, 0);
    assert_eq!(d.seed_retained_after_big, lifecycle::BIG);
    assert_eq!(d.fixed_freed_on_big_put, lifecycle::BIG as u64);
    assert_eq!(d.fixed_idle_after_big, 0);
}

#[test]
fn d35_value_reset_is_lost_and_mut_reset_works() {
    let d = lifecycle::value_reset();
    assert_eq!(
        d.seed_value_size_after_put, d.size_before_put,
        "the reset changed a copy"
    );
    assert_ne!(d.size_before_put, 0);
    assert_eq!(d.fixed_size_after_put, 0);
}

#[test]
fn c001_24_the_channel_pool_works_with_a_pointer_type() {
    let d = lifecycle::value_reset();
    assert_eq!(d.seed_pointer_size_after_put, 0, "the reset reached the object");
    assert!(d.allocs_get_empty >= 1, "an empty pool makes an object");
    assert_eq!(d.allocs_get_reuse, 0, "a pooled object is reused");
    assert_eq!(d.idle_after_overfill, d.bound);
    assert!(d.bytes_freed_by_overfill >= 1024, "the object past the bound is freed");
}

// ---------------------------------------------------------------- seed 003, D07

#[test]
#[cfg_attr(miri, ignore = "500 requests of 4 KiB each way: minutes under Miri")]
fn c003_11_the_pool_removes_every_allocation_it_covers() {
    let c = figures::allocation_cut(&Ctx { quick: true }).expect("counted");
    // Written out, a warm pooled buffer allocates nothing; copied out, only
    // the copy remains: one allocation per request.
    assert_eq!((c.pooled_written, c.pooled_copied), (0.0, 1.0));
    // A fresh buffer grows to 4 KiB in several steps, and the copy adds one.
    assert!(c.fresh_written >= 2.0, "{c:?}");
    assert_eq!(c.fresh_copied, c.fresh_written + 1.0);
    assert_eq!(c.cut_written(), 1.0);
}

#[test]
fn seed_003_process_resets_and_reuses_its_buffer() {
    let pool = SyncPoolModel::default();
    let first = process_pooled(&pool, |b| {
        b.extend_from_slice(b"alice");
        b.as_ptr() as usize
    });
    let (second, len) = process_pooled(&pool, |b| (b.as_ptr() as usize, b.len()));
    assert_eq!((second, len), (first, 0), "the same buffer, reset");
    assert_eq!(pool.len(), 1);
    assert_eq!(process_fresh(|b| b.capacity()), 0, "a fresh buffer starts empty");
}

#[test]
#[cfg_attr(miri, ignore = "runs rustc")]
fn d07_an_unused_import_is_a_warning_in_rust_and_an_error_under_deny() {
    let o = unused_import::compile().expect("rustc runs");
    assert!(o.compiles_by_default && o.warns_unused_import, "{o:?}");
    assert!(!o.compiles_denying_warnings, "{o:?}");
}

#[test]
fn thread_local_pools_do_not_recycle_across_threads() {
    let items = n(100);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(items as usize);
    let producer_allocs = std::thread::scope(|s| {
        let producer = s.spawn(move || {
            let ((), c) = measure(|| {
                for _ in 0..items {
                    tx.send(tls::bytes_get_empty(4096)).expect("consumer alive");
                }
            });
            c.allocs
        });
        let consumer = s.spawn(move || {
            for buf in rx.iter() {
                tls::bytes_put(buf); // into the *consumer's* pool
            }
            tls::bytes_idle()
        });
        let consumer_idle = consumer.join().expect("consumer");
        assert_eq!(consumer_idle, tls::BYTES_IDLE_PER_CLASS.min(items as usize));
        producer.join().expect("producer")
    });
    // The producer's own pool never gets a buffer back: it allocates every
    // time (plus one allocation to set up its thread's pool).
    assert_eq!(producer_allocs, items + 1);
}
