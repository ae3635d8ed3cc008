//! The loom models (only under `RUSTFLAGS="--cfg loom"`): every interleaving
//! of small models of the real code, whose atomics and cells switch to loom's
//! under `cfg(loom)` (`src/lock_free_ring/sync.rs`).

use loom::thread;
use perf_workbook::lock_free_ring::seed_port::{PlainSlots, SeedRing};
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
