//! Chapter 6's exercises: `cargo test --test lock_free_ring exercise`. To
//! write them yourself: `cargo test --test lock_free_ring --features
//! starter`, then edit tests/lock_free_ring/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::lock_free_ring::seed_port::{self, SeedRing};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Exercise 1: the seed's capacity, from its code alone.
#[cfg_attr(not(loom), test)]
fn exercise_1_seed_capacity_from_its_code() {
    let sizes = if cfg!(miri) { 1..=40 } else { 1..=1100 };
    for size in sizes {
        let held = seed_port::usable_capacity(size, 4096);
        assert_eq!(answer::seed_capacity(size), Some(held), "new({size}) holds {held}");
    }
    // Size 0 passes the power-of-two test and panics at the first push.
    assert!(std::panic::catch_unwind(|| SeedRing::new(0).push(1)).is_err());
    assert_eq!(answer::seed_capacity(0), None, "new(0) holds nothing: it panics");
}

/// Exercise 2: make two consumers pop the same item.
#[cfg_attr(not(loom), test)]
fn exercise_2_two_consumers_pop_the_same_item() {
    let ring = SeedRing::new(4);
    assert!(ring.push(7) && ring.push(8));
    let (a, b) = answer::two_consumers_interleaved(&ring);
    assert_eq!((a, b), (7, 7), "both consumers got item 7");
    assert_eq!(ring.pop(), Some(8));
    assert_eq!(ring.pop(), None, "two pops happened, but only one item left the ring");
}

/// A shared counter that counts how often it is loaded.
#[derive(Default)]
pub struct CountedCounter {
    value: AtomicUsize,
    loads: AtomicUsize,
}

impl CountedCounter {
    /// Loads the value, and counts the load.
    pub fn load(&self, order: Ordering) -> usize {
        self.loads.fetch_add(1, Ordering::Relaxed);
        self.value.load(order)
    }
}

/// A small SPSC ring (the design of `spsc`) whose consumer counter counts
/// its loads. Used from one thread, so only the counting matters.
pub struct TinyRing {
    /// The slots.
    pub slots: Vec<AtomicU64>,
    /// Items pushed, written by the producer.
    pub pushed: AtomicUsize,
    /// Items popped, written by the consumer; counts its loads.
    pub popped: CountedCounter,
}

/// The producer's end of a [`TinyRing`].
pub struct TinyProducer<'a> {
    /// The ring.
    pub ring: &'a TinyRing,
    /// Items this producer pushed (its own copy of `ring.pushed`).
    pub pushed: usize,
    /// The last value of `ring.popped` it loaded.
    pub popped_seen: usize,
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
                answer::push_uncached(&mut producer, next)
            };
            if !ok {
                break;
            }
        }
        // The consumer side, inline: pop all that was pushed, in order.
        let pushed = ring.pushed.load(Ordering::Acquire);
        while popped < pushed {
            let v = ring.slots[popped % 16].load(Ordering::Relaxed);
            assert_eq!(v, popped as u64 + 1 + (popped / 16) as u64, "slot {popped}");
            popped += 1;
        }
        ring.popped.value.store(popped, Ordering::Release);
    }
    (ring.popped.loads.load(Ordering::Relaxed), calls)
}

/// Exercise 3: the producer without the cached index.
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

/// Exercise 4: free-running counters across the wrap of `usize`.
#[cfg_attr(not(loom), test)]
fn exercise_4_free_running_counters_wrap() {
    assert_eq!(answer::occupied(5, 2), 3);
    assert_eq!(answer::occupied(2, usize::MAX), 3, "pushed wrapped, popped did not yet");
    // A ring of 4 whose counters start just below the wrap, against a VecDeque.
    let cap = 4;
    let (mut pushed, mut popped) = (usize::MAX - 5, usize::MAX - 5);
    let mut model = VecDeque::new();
    for step in 0..40usize {
        let push = step % 3 != 2;
        if push && !answer::is_full(pushed, popped, cap) {
            model.push_back(step);
            pushed = pushed.wrapping_add(1);
        } else if !push && answer::occupied(pushed, popped) > 0 {
            model.pop_front();
            popped = popped.wrapping_add(1);
        }
        assert_eq!(answer::occupied(pushed, popped), model.len(), "step {step}");
        assert_eq!(
            answer::is_full(pushed, popped, cap),
            model.len() == cap,
            "step {step}"
        );
    }
    assert!(pushed < 100, "the counters did wrap: pushed = {pushed}");
}
