//! Chapter 6, "Lock-free ring": invariants of the SPSC ring and the MPMC
//! queue and the seed port's faults (this file), the exercises
//! (`exercises.rs`), and the loom models (`loom_models.rs`).
//!
//! - `cargo test --test lock_free_ring`: everything but the loom models.
//! - `cargo +nightly miri test --test lock_free_ring`: the same under Miri,
//!   with counts scaled down (`cfg!(miri)`).
//! - `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release
//!   --test lock_free_ring loom`: only the loom models, which explore every
//!   interleaving. Under `cfg(loom)` the other tests are not registered
//!   (`#[cfg_attr(not(loom), test)]`): loom's atomics only work inside a model.
//!
//! No test here asserts a duration or a count that depends on the scheduler.

#![cfg_attr(loom, allow(dead_code, unused_imports))]

mod exercises;
#[cfg(loom)]
mod loom_models;

use perf_workbook::lock_free_ring::adapters::OurSpsc;
use perf_workbook::lock_free_ring::harness::{transfer, transfer_mpmc};
use perf_workbook::lock_free_ring::seed_port::{self as seed, SeedRing};
use perf_workbook::lock_free_ring::{CapacityError, mpmc, spsc};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

perf_workbook::count_allocations!();

/// Values moved through each queue by the stress tests.
const STRESS: u64 = if cfg!(miri) { 2_000 } else { 10_000_000 };

/// A value that counts its drops, and carries a heap allocation so Miri's
/// leak check notices one that is never dropped.
#[derive(Debug)]
struct Counted<'a> {
    drops: &'a AtomicUsize,
    _payload: String,
}

impl<'a> Counted<'a> {
    fn new(drops: &'a AtomicUsize, i: usize) -> Self {
        Self { drops, _payload: format!("item {i}") }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------- SPSC ring

#[cfg_attr(not(loom), test)]
fn spsc_holds_exactly_its_capacity() {
    for n in (1..=17).chain([1000]) {
        let (mut p, mut c) = spsc::channel::<usize>(n).unwrap();
        for i in 0..n {
            assert_eq!(p.push(i), Ok(()), "capacity {n}, item {i}");
        }
        assert_eq!(p.push(n), Err(n), "capacity {n} must be full");
        assert_eq!(c.pop(), Some(0));
        assert_eq!(p.push(n), Ok(()));
        assert_eq!(c.len(), n);
        assert_eq!((p.capacity(), c.capacity()), (n, n));
    }
}

#[cfg_attr(not(loom), test)]
fn spsc_and_mpmc_reject_capacity_zero_with_a_clear_error() {
    let err = spsc::channel::<u64>(0).unwrap_err();
    assert_eq!(err, CapacityError::Zero);
    assert!(err.to_string().contains("at least 1"), "{err}");
    assert_eq!(mpmc::Queue::<u64>::new(0).unwrap_err(), CapacityError::Zero);
    assert!(matches!(
        spsc::channel::<u64>(usize::MAX / 4),
        Err(CapacityError::TooLarge(_))
    ));
}

#[cfg_attr(not(loom), test)]
fn spsc_carries_zero_sized_items() {
    let (mut p, mut c) = spsc::channel::<()>(3).unwrap();
    assert!(p.push(()).is_ok() && p.push(()).is_ok() && p.push(()).is_ok());
    assert!(p.push(()).is_err());
    assert_eq!(
        (c.pop(), c.pop(), c.pop(), c.pop()),
        (Some(()), Some(()), Some(()), None)
    );
}

#[cfg_attr(not(loom), test)]
fn spsc_push_and_pop_allocate_nothing() {
    let (mut p, mut c) = spsc::channel::<u64>(64).unwrap();
    let mut out = [0u64; 16];
    let ((), counts) = perf_workbook::measure::alloc::measure(|| {
        for i in 0..1000 {
            p.push(i).unwrap();
            assert_eq!(c.pop(), Some(i));
            assert_eq!(p.push_slice(&[i; 16]), 16);
            assert_eq!(c.pop_slice(&mut out), 16);
        }
    });
    assert_eq!(counts.allocs + counts.reallocs, 0, "{counts:?}");
}

#[cfg_attr(not(loom), test)]
fn spsc_abandonment_is_visible_to_the_other_half() {
    let (p, c) = spsc::channel::<u64>(2).unwrap();
    assert!(!p.is_abandoned() && !c.is_abandoned());
    drop(c);
    assert!(p.is_abandoned());
}

/// One step of the single-threaded model test.
#[derive(Clone, Debug)]
enum Op {
    Push(u8),
    Pop(u8),
    PushSlice(u8),
    PopSlice(u8),
    PushIter(u8),
    PopInto(u8),
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        (0u8..8).prop_map(Op::Push),
        (0u8..8).prop_map(Op::Pop),
        (0u8..12).prop_map(Op::PushSlice),
        (0u8..12).prop_map(Op::PopSlice),
        (0u8..12).prop_map(Op::PushIter),
        (0u8..12).prop_map(Op::PopInto),
    ]
}

fn proptest_config() -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: if cfg!(miri) { 8 } else { 256 },
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

proptest::proptest! {
    #![proptest_config(proptest_config())]

    /// Every mix of single and batch operations behaves like a `VecDeque`
    /// bounded at the capacity.
    #[cfg_attr(not(loom), test)]
    fn spsc_behaves_like_a_bounded_vecdeque(
        capacity in 1usize..9,
        ops in proptest::collection::vec(op(), 0..60),
    ) {
        let (mut p, mut c) = spsc::channel::<u64>(capacity).unwrap();
        let mut model = VecDeque::new();
        let mut next = 0u64;
        let mut fresh = |k: u8| -> Vec<u64> {
            (0..k).map(|_| { next += 1; next }).collect()
        };
        for op in ops {
            match op {
                Op::Push(k) => for v in fresh(k) {
                    let r = p.push(v);
                    if model.len() < capacity {
                        proptest::prop_assert_eq!(r, Ok(()));
                        model.push_back(v);
                    } else {
                        proptest::prop_assert_eq!(r, Err(v));
                    }
                },
                Op::Pop(k) => for _ in 0..k {
                    proptest::prop_assert_eq!(c.pop(), model.pop_front());
                },
                Op::PushSlice(k) => {
                    let items = fresh(k);
                    let n = p.push_slice(&items);
                    proptest::prop_assert_eq!(n, items.len().min(capacity - model.len()));
                    model.extend(&items[..n]);
                }
                Op::PopSlice(k) => {
                    let mut out = vec![0; k as usize];
                    let n = c.pop_slice(&mut out);
                    let want: Vec<u64> = model.drain(..n.min(model.len())).collect();
                    proptest::prop_assert_eq!(&out[..n], &want[..]);
                    proptest::prop_assert!(n == k as usize || model.is_empty());
                }
                Op::PushIter(k) => {
                    let items = fresh(k);
                    let mut it = items.iter().copied();
                    let n = p.push_iter(&mut it);
                    proptest::prop_assert_eq!(n, items.len().min(capacity - model.len()));
                    proptest::prop_assert_eq!(it.next(), items.get(n).copied());
                    model.extend(&items[..n]);
                }
                Op::PopInto(k) => {
                    let mut out = Vec::new();
                    let n = c.pop_into(&mut out, k as usize);
                    let want: Vec<u64> = model.drain(..n.min(model.len())).collect();
                    proptest::prop_assert_eq!(out, want);
                    proptest::prop_assert!(n == k as usize || model.is_empty());
                }
            }
        }
    }

    /// The MPMC queue, used from one thread, is a bounded FIFO too.
    #[cfg_attr(not(loom), test)]
    fn mpmc_behaves_like_a_bounded_vecdeque(
        capacity in 1usize..9,
        ops in proptest::collection::vec((proptest::bool::ANY, 0u8..6), 0..60),
    ) {
        let q = mpmc::Queue::<u64>::new(capacity).unwrap();
        let mut model = VecDeque::new();
        let mut next = 0u64;
        for (push, k) in ops {
            for _ in 0..k {
                if push {
                    next += 1;
                    let r = q.push(next);
                    if model.len() < capacity {
                        proptest::prop_assert_eq!(r, Ok(()));
                        model.push_back(next);
                    } else {
                        proptest::prop_assert_eq!(r, Err(next));
                    }
                } else {
                    proptest::prop_assert_eq!(q.pop(), model.pop_front());
                }
            }
        }
    }
}

#[cfg_attr(not(loom), test)]
fn stress_spsc_moves_ten_million_values_in_order() {
    // `transfer` errors on the first value lost, duplicated or out of order.
    transfer::<OurSpsc>(STRESS, 1024, 1).unwrap();
}

#[cfg_attr(not(loom), test)]
fn stress_spsc_batches_move_ten_million_values_in_order() {
    transfer::<OurSpsc>(STRESS, 1024, 64).unwrap();
    transfer::<OurSpsc>(STRESS / 10, 7, 5).unwrap();
}

#[cfg_attr(not(loom), test)]
fn stress_mpmc_two_by_two_moves_ten_million_values_exactly_once() {
    // Each of 2 producers sends STRESS / 2; `transfer_mpmc` checks count,
    // sum, and per-producer order at each consumer.
    transfer_mpmc::<mpmc::Queue<u64>>(2, 2, STRESS / 2, 1024).unwrap();
    transfer_mpmc::<mpmc::Queue<u64>>(2, 2, STRESS / 20, 1).unwrap();
}

// ---------------------------------------------------------------- MPMC queue

#[cfg_attr(not(loom), test)]
fn mpmc_holds_exactly_its_capacity() {
    for n in (1..=17).chain([1000]) {
        let q = mpmc::Queue::<usize>::new(n).unwrap();
        for i in 0..n {
            assert_eq!(q.push(i), Ok(()), "capacity {n}, item {i}");
        }
        assert_eq!(q.push(n), Err(n));
        // Several laps, to cross the stamp's lap boundary.
        for lap in 0..3 {
            for i in 0..n {
                assert_eq!(q.pop(), Some(lap * n + i));
                assert_eq!(q.push(lap * n + i + n), Ok(()));
            }
        }
        assert_eq!(q.capacity(), n);
    }
}

// ---------------------------------------------------------------- seed port

#[cfg_attr(not(loom), test)]
fn seed_port_is_a_correct_fifo_with_one_producer_and_one_consumer() {
    // The seed's ring is fine in the one use it silently assumes.
    let ring = SeedRing::new(16);
    let n = if cfg!(miri) { 500 } else { 200_000 };
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 1..=n {
                while !ring.push(i) {
                    std::hint::spin_loop();
                }
            }
        });
        let mut expected = 1;
        while expected <= n {
            if let Some(v) = ring.pop() {
                assert_eq!(v, expected);
                expected += 1;
            }
        }
    });
}

#[cfg_attr(not(loom), test)]
fn seed_rounds_up_then_wastes_a_slot_and_ours_holds_exactly_n() {
    // The seed rounds up to a power of two, then wastes one slot.
    assert_eq!(SeedRing::new(5).slot_count(), 8);
    assert_eq!(seed::usable_capacity(5, 100), 7);
    assert_eq!(seed::usable_capacity(8, 100), 7);
    // Size 1: mask 0, so `(head+1)&0 == tail&0` is always "full".
    assert_eq!(seed::usable_capacity(1, 100), 0);
    // Size 0: mask 2^64-1 and no slots: the first push indexes slot 0 of 0.
    let zero = std::panic::catch_unwind(|| SeedRing::new(0).push(1));
    assert!(zero.is_err());
    // Ours: exactly n, and 0 is an error, not a panic later.
    for n in [1, 5, 8] {
        let (mut p, _c) = spsc::channel::<u64>(n).unwrap();
        assert_eq!((0..100).take_while(|&i| p.push(i).is_ok()).count(), n);
    }
    assert!(spsc::channel::<u64>(0).is_err());
}

#[cfg_attr(not(loom), test)]
fn seed_layout_puts_head_and_tail_8_bytes_apart_and_ours_128() {
    assert_eq!(seed::head_offset_bytes(), 32, "as in Go: 24-byte slice header + mask");
    assert_eq!(seed::index_distance_bytes(), 8);
    assert!(spsc::counter_distance_bytes() >= 128);
}

#[cfg_attr(not(loom), test)]
fn seed_pop_leaves_popped_values_in_their_slots() {
    assert_eq!(perf_workbook::lock_free_ring::race::slots_retained_after_pop(), 3);
}

// ---------------------------------------------------------------- dropping

/// Every item is dropped exactly once, in every order the halves can go,
/// with leftovers straddling the end of the slots (was exercise 4; it asks
/// the reader to write nothing, so it is an invariant now).
#[cfg_attr(not(loom), test)]
fn every_item_is_dropped_exactly_once() {
    for producer_first in [true, false] {
        let drops = AtomicUsize::new(0);
        let (mut p, mut c) = spsc::channel(4).unwrap();
        // Wrap around once so the leftovers straddle the end of the slots.
        for i in 0..3 {
            p.push(Counted::new(&drops, i)).unwrap();
        }
        drop(c.pop());
        drop(c.pop());
        assert_eq!(
            drops.load(Ordering::Relaxed),
            2,
            "popped items drop with their owner"
        );
        for i in 3..6 {
            p.push(Counted::new(&drops, i)).unwrap();
        }
        let popped = c.pop(); // kept alive outside the ring
        if producer_first {
            drop(p);
            drop(c);
        } else {
            drop(c);
            drop(p);
        }
        assert_eq!(
            drops.load(Ordering::Relaxed),
            5,
            "3 left inside dropped with the ring"
        );
        drop(popped);
        assert_eq!(drops.load(Ordering::Relaxed), 6);
    }
    let drops = AtomicUsize::new(0);
    let q = mpmc::Queue::new(3).unwrap();
    for i in 0..3 {
        q.push(Counted::new(&drops, i)).unwrap();
    }
    drop(q.pop());
    q.push(Counted::new(&drops, 3)).unwrap();
    drop(q);
    assert_eq!(drops.load(Ordering::Relaxed), 4);
}
