//! The seed's ring with more than one producer or consumer (D16, D17,
//! C000-18): real threads, with every value accounted for, and exact
//! interleavings replayed step by step on one thread.
//!
//! The threaded runs count what went wrong (lost, duplicated, phantom and
//! out-of-order values, `head` moving backwards, positions two producers
//! both wrote); how many depends on the scheduler, so these numbers belong in
//! reports, never in test assertions. The scripted runs are deterministic:
//! they are the interleavings loom finds (`tests/lock_free_ring/loom_models.rs`), executed
//! with the port's own steps.

use super::harness::{Backoff, tagged};
use super::mpmc;
use super::seed_port::SeedRing;
use std::sync::atomic::{AtomicBool, Ordering};

/// What happened to the values of one threaded run.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RaceCount {
    /// Producer threads.
    pub producers: usize,
    /// Consumer threads.
    pub consumers: usize,
    /// Values pushed (push said yes).
    pub sent: u64,
    /// Values popped.
    pub received: u64,
    /// Values pushed and never popped.
    pub lost: u64,
    /// Extra pops of a value already popped.
    pub duplicated: u64,
    /// Pops of a value nobody pushed (a slot never written, still 0).
    pub phantom: u64,
    /// Pops of a producer's value after a later value of the same producer
    /// (at the same consumer).
    pub out_of_order: u64,
    /// Times a consumer saw `head` smaller than it had seen before.
    pub head_regressions: u64,
    /// Positions claimed by two or more producers, each one two writes into
    /// one slot that nothing orders.
    pub shared_positions: u64,
    /// Every this many operations, each thread paused between its claim and
    /// its publish step, as a preemption there would (0: never).
    pub preempt_every: u64,
}

impl RaceCount {
    /// Values that did not arrive exactly once and in order.
    pub fn faults(&self) -> u64 {
        self.lost + self.duplicated + self.phantom + self.out_of_order
    }
}

/// What one push attempt did.
enum Pushed {
    /// The queue was full.
    Full,
    /// Pushed at this position.
    At(u64),
    /// Pushed; the queue does not say where.
    Somewhere,
}

/// Runs `producers` threads that each push `n` tagged values through `q` and
/// `consumers` threads that pop until the producers are done and `q` is
/// empty, then accounts for every value. `push` and `pop` get `true` every
/// `preempt_every`-th operation (never if 0): their cue to yield mid-way.
#[allow(clippy::too_many_arguments)]
fn race<Q: Sync>(
    q: &Q,
    producers: usize,
    consumers: usize,
    n: u64,
    preempt_every: u64,
    push: impl Fn(&Q, u64, bool) -> Pushed + Sync,
    pop: impl Fn(&Q, bool) -> Option<u64> + Sync,
    head: impl Fn(&Q) -> Option<u64> + Sync,
) -> RaceCount {
    let cue = |op: u64| preempt_every != 0 && op.is_multiple_of(preempt_every);
    let done = AtomicBool::new(false);
    // A consumer of a broken ring could in principle chase stale positions
    // for ever; cap its pops well above anything a correct run needs.
    let cap = 4 * producers as u64 * n + 1_000_000;
    let (positions, received, regressions) = std::thread::scope(|s| {
        let (push, pop, head, done, cue) = (&push, &pop, &head, &done, &cue);
        let cons: Vec<_> = (0..consumers)
            .map(|_| {
                s.spawn(move || {
                    let mut got = Vec::new();
                    let (mut max_head, mut regressions) = (0u64, 0u64);
                    let mut backoff = Backoff::default();
                    while (got.len() as u64) < cap {
                        if let Some(v) = pop(q, cue(got.len() as u64 + 1)) {
                            got.push(v);
                            backoff.reset();
                            if let Some(h) = head(q) {
                                if h < max_head {
                                    regressions += 1;
                                }
                                max_head = max_head.max(h);
                            }
                        } else if done.load(Ordering::Acquire) {
                            match pop(q, false) {
                                Some(v) => got.push(v),
                                None => break,
                            }
                        } else {
                            backoff.wait();
                        }
                    }
                    (got, regressions)
                })
            })
            .collect();
        let prods: Vec<_> = (0..producers)
            .map(|p| {
                s.spawn(move || {
                    let mut claimed = Vec::with_capacity(n as usize);
                    let mut backoff = Backoff::default();
                    for i in 1..=n {
                        loop {
                            match push(q, tagged(p, i), cue(i)) {
                                Pushed::Full => backoff.wait(),
                                Pushed::At(pos) => {
                                    claimed.push(pos);
                                    break;
                                }
                                Pushed::Somewhere => break,
                            }
                        }
                        backoff.reset();
                    }
                    claimed
                })
            })
            .collect();
        let positions: Vec<_> =
            prods.into_iter().map(|h| h.join().expect("producer panicked")).collect();
        done.store(true, Ordering::Release);
        let mut regressions = 0;
        let received: Vec<Vec<u64>> = cons
            .into_iter()
            .map(|h| {
                let (got, r) = h.join().expect("consumer panicked");
                regressions += r;
                got
            })
            .collect();
        (positions, received, regressions)
    });
    let mut count = account(producers, n, &received);
    count.consumers = consumers;
    count.sent = producers as u64 * n;
    count.head_regressions = regressions;
    count.shared_positions = shared_positions(&positions);
    count.preempt_every = preempt_every;
    count
}

/// Counts lost, duplicated, phantom and out-of-order values.
fn account(producers: usize, n: u64, received: &[Vec<u64>]) -> RaceCount {
    let mut seen = vec![vec![0u32; n as usize + 1]; producers];
    let mut c = RaceCount { producers, ..RaceCount::default() };
    for got in received {
        let mut last = vec![0u64; producers];
        for &v in got {
            c.received += 1;
            let (p, i) = ((v >> 48) as usize, v & ((1 << 48) - 1));
            if p >= producers || i == 0 || i > n {
                c.phantom += 1;
                continue;
            }
            seen[p][i as usize] += 1;
            if i < last[p] {
                c.out_of_order += 1;
            }
            last[p] = last[p].max(i);
        }
    }
    for per in &seen {
        for &k in &per[1..] {
            match k {
                0 => c.lost += 1,
                k => c.duplicated += u64::from(k - 1),
            }
        }
    }
    c
}

/// Positions that more than one producer claimed.
fn shared_positions(per_producer: &[Vec<u64>]) -> u64 {
    let mut all: Vec<u64> = Vec::new();
    for claimed in per_producer {
        let mut mine = claimed.clone();
        mine.sort_unstable();
        mine.dedup();
        all.extend(mine);
    }
    all.sort_unstable();
    all.chunk_by(|a, b| a == b).filter(|run| run.len() > 1).count() as u64
}

// ANCHOR: threaded
/// The seed's ring of `size` slots under `producers` × `consumers` threads,
/// `n` values per producer.
///
/// With `nudge_every = k > 0`, every k-th push (pop) of each thread pauses
/// between its claim and its publish until another thread has moved the same
/// index, or 200 µs have passed: what a preemption at that point does. The
/// port's code is unchanged; only the schedule is nudged, so that a 2-core
/// machine busy with other work still shows the interleaving that, in
/// production, a rare preemption produces.
pub fn seed_ring(
    producers: usize,
    consumers: usize,
    n: u64,
    size: usize,
    nudge_every: u64,
) -> RaceCount {
    let ring = SeedRing::new(size);
    let push = |r: &SeedRing, v, nudge| {
        // `push`, step by step, to learn which position it claimed.
        let Some(head) = r.push_claim() else { return Pushed::Full };
        if nudge {
            pause_until(|| r.head() != head);
        }
        r.push_write(head, v);
        r.push_publish(head);
        Pushed::At(head)
    };
    let pop = |r: &SeedRing, nudge| {
        let tail = r.pop_claim()?;
        let item = r.pop_read(tail);
        if nudge {
            pause_until(|| r.tail() != tail);
        }
        r.pop_publish(tail);
        Some(item)
    };
    race(&ring, producers, consumers, n, nudge_every, push, pop, |r| Some(r.head()))
}

/// Yields until `moved()` or 200 µs have passed.
fn pause_until(moved: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !moved() && start.elapsed() < std::time::Duration::from_micros(200) {
        std::thread::yield_now();
    }
}
// ANCHOR_END: threaded

/// The fix, [`mpmc::Queue`], under the same accounting (its claim and
/// publish are inside `push`/`pop`, so there is nothing to nudge).
pub fn mpmc_queue(
    producers: usize,
    consumers: usize,
    n: u64,
    capacity: usize,
) -> RaceCount {
    let q = mpmc::Queue::new(capacity).expect("capacity >= 1");
    let push = |q: &mpmc::Queue<u64>, v, _| match q.push(v) {
        Ok(()) => Pushed::Somewhere,
        Err(_) => Pushed::Full,
    };
    race(&q, producers, consumers, n, 0, push, |q, _| q.pop(), |_| None)
}

/// What a scripted interleaving did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scripted {
    /// Values the producers pushed (their pushes all said yes).
    pub sent: Vec<u64>,
    /// Values the consumer popped, in order.
    pub received: Vec<u64>,
    /// `head` after each step that stored it.
    pub head_trace: Vec<u64>,
    /// Positions claimed by both producers.
    pub shared_positions: usize,
}

impl Scripted {
    /// Sent values never received.
    pub fn lost(&self) -> usize {
        self.sent.iter().filter(|v| !self.received.contains(v)).count()
    }

    /// Receptions beyond the first of each value.
    pub fn duplicated(&self) -> usize {
        let mut r = self.received.clone();
        r.sort_unstable();
        r.chunk_by(|a, b| a == b).map(|run| run.len() - 1).sum()
    }

    /// True if `head` ever decreased.
    pub fn head_went_back(&self) -> bool {
        self.head_trace.windows(2).any(|w| w[1] < w[0])
    }
}

fn drain(ring: &SeedRing, into: &mut Vec<u64>) {
    while let Some(v) = ring.pop() {
        into.push(v);
    }
}

// ANCHOR: scripted_lost
/// Two producers interleave between load and store: both claim position 0,
/// both write slot 0, both store `head = 1`. One item is lost.
pub fn scripted_lost_item() -> Scripted {
    let ring = SeedRing::new(4);
    let mut s = Scripted { sent: vec![1, 2], ..Scripted::default() };
    let a = ring.push_claim().expect("empty ring"); // producer A loads head = 0
    let b = ring.push_claim().expect("empty ring"); // producer B loads head = 0
    s.shared_positions = usize::from(a == b);
    ring.push_write(a, 1); // A: buffer[0] = 1
    ring.push_write(b, 2); // B: buffer[0] = 2, over A's item
    ring.push_publish(a); // A: head = 1
    s.head_trace.push(ring.head());
    ring.push_publish(b); // B: head = 1 again
    s.head_trace.push(ring.head());
    drain(&ring, &mut s.received); // [2]: item 1 is gone
    s
}
// ANCHOR_END: scripted_lost

// ANCHOR: scripted_back
/// Producer A is preempted between its claim and its publish while B pushes
/// twice and the consumer pops both; A's late store moves `head` from 5 back
/// to 4, and the consumer, now "behind" by the mask, re-reads two slots it
/// already consumed on the previous lap.
pub fn scripted_head_backwards() -> Scripted {
    let ring = SeedRing::new(4); // 4 slots, 3 usable
    let mut s = Scripted::default();
    for v in [11, 12, 13] {
        assert!(ring.push(v));
        s.sent.push(v);
    }
    drain(&ring, &mut s.received); // one lap: slots hold 11, 12, 13
    let a = ring.push_claim().expect("not full"); // A loads head = 3
    for v in [21, 22] {
        assert!(ring.push(v)); // B: slots 3 and 0, head = 5
        s.sent.push(v);
    }
    s.head_trace.push(ring.head());
    drain(&ring, &mut s.received); // 21, 22; tail = 5
    ring.push_write(a, 31); // A: buffer[3] = 31
    ring.push_publish(a); // A: head = 4, down from 5
    s.sent.push(31);
    s.head_trace.push(ring.head());
    drain(&ring, &mut s.received); // tail&3 = 1 != head&3 = 0: 12, 13, 31
    s
}
// ANCHOR_END: scripted_back

/// Pushes 1, 2, 3 into a fresh seed ring, pops them, and counts the slots
/// that still hold a popped value (Go's `Pop` copies and leaves the slot as
/// it was; with pointer items the garbage collector keeps them alive).
pub fn slots_retained_after_pop() -> usize {
    let ring = SeedRing::new(4);
    for v in [1, 2, 3] {
        assert!(ring.push(v));
    }
    let mut out = Vec::new();
    drain(&ring, &mut out);
    (0..ring.slot_count()).filter(|&i| out.contains(&ring.peek_slot(i))).count()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn scripted_interleavings_lose_and_duplicate() {
        let lost = scripted_lost_item();
        assert_eq!((lost.lost(), lost.duplicated(), lost.shared_positions), (1, 0, 1));
        assert_eq!(lost.received, vec![2]);
        let back = scripted_head_backwards();
        assert!(back.head_went_back(), "{:?}", back.head_trace);
        assert_eq!(back.head_trace, vec![5, 4]);
        assert_eq!(back.received, vec![11, 12, 13, 21, 22, 12, 13, 31]);
        assert_eq!((back.lost(), back.duplicated()), (0, 2));
        assert_eq!(slots_retained_after_pop(), 3);
    }

    #[test]
    fn accounting_sees_every_kind_of_fault() {
        let t = |p, i| tagged(p, i);
        let got = vec![vec![t(0, 1), t(0, 3), t(0, 3), t(0, 2), 0, t(1, 1)]];
        let c = account(2, 3, &got);
        assert_eq!((c.lost, c.duplicated, c.phantom, c.out_of_order), (2, 1, 1, 1));
        assert_eq!(shared_positions(&[vec![0, 1, 2, 2], vec![2, 3], vec![3]]), 2);
    }

    #[test]
    fn one_producer_and_one_consumer_are_safe_even_with_the_seed_ring() {
        let c = seed_ring(1, 1, 20_000, 8, 64);
        assert_eq!(c.faults(), 0, "{c:?}");
        assert_eq!(c.received, 20_000);
    }

    #[test]
    fn the_fix_passes_the_same_accounting() {
        let c = mpmc_queue(2, 2, 20_000, 8);
        assert_eq!(c.faults(), 0, "{c:?}");
        assert_eq!(c.received, 40_000);
    }
}
