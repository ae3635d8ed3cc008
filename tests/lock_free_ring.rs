//! Chapter 6, "Lock-free ring": invariants of the SPSC ring and the MPMC
//! queue, the seed port's faults, the exercises, and the loom models.
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

use perf_workbook::lock_free_ring::harness::{OurSpsc, transfer, transfer_mpmc};
use perf_workbook::lock_free_ring::seed::{self, SeedRing};
use perf_workbook::lock_free_ring::{CapacityError, mpmc, spsc};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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
fn seed_layout_puts_head_and_tail_8_bytes_apart_and_ours_128() {
    assert_eq!(seed::head_offset_bytes(), 32, "as in Go: 24-byte slice header + mask");
    assert_eq!(seed::index_distance_bytes(), 8);
    assert!(spsc::counter_distance_bytes() >= 128);
}

#[cfg_attr(not(loom), test)]
fn seed_pop_leaves_popped_values_in_their_slots() {
    assert_eq!(perf_workbook::lock_free_ring::race::slots_retained_after_pop(), 3);
}

// ---------------------------------------------------------------- exercises

/// Exercise 1: read the capacities, predict them, then run the test.
#[cfg_attr(not(loom), test)]
fn exercise_1_seed_capacities_surprise() {
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

// ANCHOR: exercise_2
/// Exercise 2: make two consumers pop the same item. Consumer A and consumer
/// B each run `pop_claim`, `pop_read` and `pop_publish` (the three steps of
/// the seed's `Pop`); interleave them and return what each one got.
fn two_consumers_interleaved(ring: &SeedRing) -> (u64, u64) {
    // ANCHOR_END: exercise_2
    let a = ring.pop_claim().expect("not empty"); // A loads tail = 0
    let b = ring.pop_claim().expect("not empty"); // B loads tail = 0 too
    let got_a = ring.pop_read(a);
    let got_b = ring.pop_read(b);
    ring.pop_publish(a); // tail = 1
    ring.pop_publish(b); // tail = 1 again
    (got_a, got_b)
}

#[cfg_attr(not(loom), test)]
fn exercise_2_two_consumers_pop_the_same_item() {
    let ring = SeedRing::new(4);
    assert!(ring.push(7) && ring.push(8));
    let (a, b) = two_consumers_interleaved(&ring);
    assert_eq!((a, b), (7, 7), "both consumers got item 7");
    assert_eq!(ring.pop(), Some(8));
    assert_eq!(ring.pop(), None, "two pops happened, but only one item left the ring");
}

/// A shared counter that counts how often it is loaded.
#[derive(Default)]
struct CountedCounter {
    value: AtomicUsize,
    loads: AtomicUsize,
}

impl CountedCounter {
    fn load(&self, order: Ordering) -> usize {
        self.loads.fetch_add(1, Ordering::Relaxed);
        self.value.load(order)
    }
}

/// A small SPSC ring (same design as `spsc`) whose consumer counter counts
/// its loads. Used from one thread, so only the counting matters.
struct TinyRing {
    slots: Vec<AtomicU64>,
    pushed: AtomicUsize,
    popped: CountedCounter,
}

struct TinyProducer<'a> {
    ring: &'a TinyRing,
    pushed: usize,
    popped_seen: usize,
}

impl TinyProducer<'_> {
    /// Given: the cached push, as in `spsc::Producer::push`.
    fn push_cached(&mut self, v: u64) -> bool {
        let cap = self.ring.slots.len();
        if self.pushed - self.popped_seen == cap {
            self.popped_seen = self.ring.popped.load(Ordering::Acquire);
            if self.pushed - self.popped_seen == cap {
                return false;
            }
        }
        self.ring.slots[self.pushed % cap].store(v, Ordering::Relaxed);
        self.pushed += 1;
        self.ring.pushed.store(self.pushed, Ordering::Release);
        true
    }

    // ANCHOR: exercise_3
    /// Exercise 3: the same push without the cached index: read the
    /// consumer's counter (`self.ring.popped`) on every call.
    fn push_uncached(&mut self, v: u64) -> bool {
        // ANCHOR_END: exercise_3
        let cap = self.ring.slots.len();
        let popped = self.ring.popped.load(Ordering::Acquire);
        if self.pushed - popped == cap {
            return false;
        }
        self.ring.slots[self.pushed % cap].store(v, Ordering::Relaxed);
        self.pushed += 1;
        self.ring.pushed.store(self.pushed, Ordering::Release);
        true
    }
}

/// Pushes until full, then pops everything, `laps` times; returns how many
/// times the producer loaded the consumer's counter, and the push calls made.
fn lockstep(laps: usize, cached: bool) -> (usize, usize) {
    let ring = TinyRing {
        slots: (0..16).map(|_| AtomicU64::new(0)).collect(),
        pushed: AtomicUsize::new(0),
        popped: CountedCounter::default(),
    };
    let mut producer = TinyProducer { ring: &ring, pushed: 0, popped_seen: 0 };
    let (mut calls, mut popped, mut next) = (0, 0, 0u64);
    for _ in 0..laps {
        loop {
            calls += 1;
            next += 1;
            let ok = if cached {
                producer.push_cached(next)
            } else {
                producer.push_uncached(next)
            };
            if !ok {
                break;
            }
        }
        // The consumer side, inline: pop all that was pushed.
        let pushed = ring.pushed.load(Ordering::Acquire);
        while popped < pushed {
            assert_ne!(ring.slots[popped % 16].load(Ordering::Relaxed), 0);
            popped += 1;
        }
        ring.popped.value.store(popped, Ordering::Release);
    }
    (ring.popped.loads.load(Ordering::Relaxed), calls)
}

#[cfg_attr(not(loom), test)]
fn exercise_3_producer_without_cached_index() {
    let (uncached_loads, calls) = lockstep(10, false);
    let (cached_loads, cached_calls) = lockstep(10, true);
    assert_eq!(calls, cached_calls);
    // Without the cache, every push reads the line the consumer writes.
    assert_eq!(uncached_loads, calls, "{calls} push calls");
    // With it, only the pushes that find the ring apparently full do:
    // about two per lap here (16 slots), not 17.
    assert!(cached_loads <= 2 * 10, "{cached_loads} loads");
    // Now time it: cargo bench --bench lock_free_ring -- spsc_ablation
}

/// Exercise 4: count the drops, in every order the halves can go.
#[cfg_attr(not(loom), test)]
fn exercise_4_every_item_is_dropped_exactly_once() {
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

// ---------------------------------------------------------------- loom models

#[cfg(loom)]
mod loom_models {
    use loom::thread;
    use perf_workbook::lock_free_ring::seed::{PlainSlots, SeedRing};
    use perf_workbook::lock_free_ring::{mpmc, spsc};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// A value that counts its drops (the counter is a plain std atomic:
    /// loom runs one thread at a time, and the count is read after joins).
    struct Counted(u32, Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Producer pushes 3 items through capacity 2 while the consumer pops 2;
    /// then both halves drop. Every interleaving: FIFO order, no race on a
    /// slot (loom checks every access), each item dropped exactly once.
    #[test]
    fn loom_spsc_push_pop_drop() {
        loom::model(|| {
            let drops = Arc::new(AtomicUsize::new(0));
            let (mut p, mut c) = spsc::channel::<Counted>(2).unwrap();
            let d = drops.clone();
            let producer = thread::spawn(move || {
                for i in 0..3 {
                    let mut item = Counted(i, d.clone());
                    while let Err(back) = p.push(item) {
                        item = back;
                        thread::yield_now();
                    }
                }
            });
            let mut got = Vec::new();
            while got.len() < 2 {
                match c.pop() {
                    Some(item) => got.push(item.0),
                    None => thread::yield_now(),
                }
            }
            assert_eq!(got, [0, 1]);
            producer.join().unwrap();
            drop(c);
            assert_eq!(drops.load(Ordering::Relaxed), 3);
        });
    }

    /// Batch operations across the wrap, capacity 2.
    #[test]
    fn loom_spsc_batches() {
        loom::model(|| {
            let (mut p, mut c) = spsc::channel::<u32>(2).unwrap();
            let producer = thread::spawn(move || {
                let items = [1, 2, 3];
                let mut sent = 0;
                while sent < 3 {
                    let n = p.push_slice(&items[sent..]);
                    if n == 0 {
                        thread::yield_now();
                    }
                    sent += n;
                }
            });
            let mut got = Vec::new();
            let mut buf = [0u32; 2];
            while got.len() < 3 {
                let n = c.pop_slice(&mut buf);
                if n == 0 {
                    thread::yield_now();
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, [1, 2, 3]);
            producer.join().unwrap();
        });
    }

    /// Two producers and two consumers at once, one item each, capacity 2,
    /// starting one slot before the end so the pushes wrap into the next
    /// lap. Consumers pop once (no spinning: loom would explore every spin);
    /// whatever they miss is drained after the joins. Every interleaving:
    /// each item exactly once, no race on a slot.
    #[test]
    fn loom_mpmc_two_producers_two_consumers() {
        let mut builder = loom::model::Builder::new();
        // Bound 2 keeps this model to seconds (3 takes minutes on 2 cores);
        // it still fails at once if a stamp store is weakened to Relaxed.
        builder.preemption_bound = Some(2);
        builder.check(|| {
            let q = loom::sync::Arc::new(mpmc::Queue::<u32>::new(2).unwrap());
            q.push(0).unwrap();
            assert_eq!(q.pop(), Some(0));
            let producers: Vec<_> = (1..=2)
                .map(|v| {
                    let q = q.clone();
                    thread::spawn(move || q.push(v).unwrap())
                })
                .collect();
            let consumers: Vec<_> = (0..2)
                .map(|_| {
                    let q = q.clone();
                    thread::spawn(move || q.pop())
                })
                .collect();
            for p in producers {
                p.join().unwrap();
            }
            let mut got: Vec<u32> =
                consumers.into_iter().filter_map(|c| c.join().unwrap()).collect();
            while let Some(v) = q.pop() {
                got.push(v);
            }
            got.sort_unstable();
            assert_eq!(got, [1, 2]);
        });
    }

    /// The progress property: producer A has claimed slot 0 but not published
    /// it when producer B's push into slot 1 completes, so a pop right after
    /// B's push reports empty. Loom must find that interleaving.
    #[test]
    fn loom_mpmc_pop_can_miss_a_completed_push() {
        static MISSED: AtomicBool = AtomicBool::new(false);
        loom::model(|| {
            let q = loom::sync::Arc::new(mpmc::Queue::<u32>::new(2).unwrap());
            let qa = q.clone();
            let a = thread::spawn(move || qa.push(1).unwrap());
            q.push(2).unwrap(); // B, on this thread: completes
            if q.pop().is_none() {
                MISSED.store(true, Ordering::Relaxed); // item 2 is inside, yet "empty"
            }
            a.join().unwrap();
        });
        assert!(MISSED.load(Ordering::Relaxed), "loom found no such interleaving");
    }

    /// The seed's ring, two producers pushing one item each: loom finds the
    /// interleaving where both claim position 0 and one item is lost.
    #[test]
    fn loom_seed_two_producers_lose_an_item() {
        static LOST: AtomicBool = AtomicBool::new(false);
        loom::model(|| {
            let ring = loom::sync::Arc::new(SeedRing::new(4));
            let handles: Vec<_> = (1..=2)
                .map(|v| {
                    let r = ring.clone();
                    thread::spawn(move || assert!(r.push(v)))
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            let mut got = Vec::new();
            while let Some(v) = ring.pop() {
                got.push(v);
            }
            if got.len() < 2 {
                LOST.store(true, Ordering::Relaxed);
            }
        });
        assert!(LOST.load(Ordering::Relaxed), "loom found no losing interleaving");
    }

    /// With Go's plain-memory slots, one producer and one consumer never race
    /// on a slot: the seed is correct for SPSC.
    #[test]
    fn loom_seed_plain_slots_one_producer_one_consumer_is_race_free() {
        loom::model(|| {
            let ring = loom::sync::Arc::new(SeedRing::<PlainSlots>::with_slots(2));
            let r = ring.clone();
            let producer = thread::spawn(move || {
                for v in 1..=2 {
                    while !r.push(v) {
                        thread::yield_now();
                    }
                }
            });
            let mut got = Vec::new();
            while got.len() < 2 {
                match ring.pop() {
                    Some(v) => got.push(v),
                    None => thread::yield_now(),
                }
            }
            assert_eq!(got, [1, 2]);
            producer.join().unwrap();
        });
    }

    /// With Go's plain-memory slots and two producers, loom reports the data
    /// race on the slot (D17) instead of letting it happen.
    #[test]
    #[should_panic(expected = "Causality violation")]
    fn loom_seed_plain_slots_two_producers_race() {
        loom::model(|| {
            let ring = loom::sync::Arc::new(SeedRing::<PlainSlots>::with_slots(4));
            let handles: Vec<_> = (1..=2)
                .map(|v| {
                    let r = ring.clone();
                    thread::spawn(move || assert!(r.push(v)))
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
        });
    }
}
