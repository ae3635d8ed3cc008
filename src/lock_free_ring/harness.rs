//! The two-thread workloads every queue is timed with: the checks, the
//! example's tables and the criterion bench all call these, so a figure means
//! the same thing everywhere.
//!
//! - [`transfer`]: one producer thread sends `1..=n` (u64) through a fresh
//!   queue to one consumer thread, singly or in batches; the consumer checks
//!   that every value arrives once and in order, so a run that loses or
//!   reorders anything returns an error instead of a time.
//! - [`transfer_mpmc`]: `p` producers and `c` consumers; every value must
//!   arrive exactly once (checked by count and sum) and each producer's values
//!   in order at each consumer.
//! - [`ping_pong`]: latency, not throughput: one thread sends `i` through a
//!   queue, the other sends it back through a second queue, and only then
//!   does `i + 1` go; [`line_ping_pong`] does the same with one bare atomic
//!   per direction, no ring: the cache line's round trip, the floor under
//!   any queue's.
//!
//! Every queue waits the same way when full or empty ([`Backoff`]: spin a
//! little, then yield the CPU), because on a 2-core machine shared with other
//! work a pure spin can burn a whole time slice waiting for a descheduled peer.
//!
//! The queues themselves are fitted to these traits in [`super::adapters`]
//! (which depends on this module, never the other way round).
//!
//! Not a benchmark harness: timing repetitions, interleaving and medians are
//! the caller's job (`measure::stats::interleave`, criterion).

use super::ablation::IndexPair;
use crate::measure::cpu;
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Spin briefly, then yield: the one waiting policy all queues share.
#[derive(Debug, Default)]
pub struct Backoff(u32);

impl Backoff {
    /// Waits a little longer each call: 1, 2, 4 … 64 spins, then yields.
    #[inline]
    pub fn wait(&mut self) {
        if self.0 < 7 {
            for _ in 0..1u32 << self.0 {
                std::hint::spin_loop();
            }
            self.0 += 1;
        } else {
            std::thread::yield_now();
        }
    }

    /// Call after progress.
    #[inline]
    pub fn reset(&mut self) {
        self.0 = 0;
    }
}

/// A queue with a producer end and a consumer end, for [`transfer`].
pub trait Transfer {
    /// Name in tables and bench ids.
    const NAME: &'static str;
    /// The producer end.
    type Tx: Send;
    /// The consumer end.
    type Rx: Send;
    /// A fresh queue holding `capacity` items.
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx);
    /// Sends `v`; false when full.
    fn send(tx: &mut Self::Tx, v: u64) -> bool;
    /// Receives one value; `None` when empty.
    fn recv(rx: &mut Self::Rx) -> Option<u64>;
    /// Sends a prefix of `items`; returns its length. The default sends singly.
    fn send_batch(tx: &mut Self::Tx, items: &[u64]) -> usize {
        items.iter().take_while(|&&v| Self::send(tx, v)).count()
    }
    /// Receives up to `out.len()` values into `out`; returns how many.
    fn recv_batch(rx: &mut Self::Rx, out: &mut [u64]) -> usize {
        let mut n = 0;
        while n < out.len() {
            match Self::recv(rx) {
                Some(v) => out[n] = v,
                None => break,
            }
            n += 1;
        }
        n
    }
}

/// The two CPUs [`transfer`] pins its threads to: the first two the process
/// may run on (`measure::cpu::two_cpus`). `None` with fewer than two, off
/// Linux, or under Miri.
pub fn two_cpus() -> Option<(usize, usize)> {
    cpu::two_cpus()
}

/// How [`transfer`] places its threads, for reports.
pub fn placement() -> String {
    match two_cpus() {
        Some((a, b)) => format!("producer pinned to CPU {a}, consumer to CPU {b}"),
        None => "threads not pinned".to_string(),
    }
}

/// Pins the calling thread to `cpu`, if given; does nothing if that fails.
/// Only for threads [`transfer`] and [`counter_storm`] spawn themselves.
fn pin_current_thread(cpu: Option<usize>) {
    if let Some(c) = cpu {
        let _ = cpu::pin_current_thread(c);
    }
}

/// Sends `1..=n` from one thread to another through a fresh
/// `Q::channel(capacity)`, `batch` values at a time (1 = single operations),
/// and returns the time from the first send to the last receive. Errors if
/// any value is lost, duplicated or out of order.
///
/// Both ends run on threads of their own, pinned to two different CPUs when
/// the process may use two ([`two_cpus`]): the case a ring is built for, and
/// without it the scheduler sometimes puts both threads on one CPU, which
/// makes the same run 2-4 times slower at random.
pub fn transfer<Q: Transfer>(
    n: u64,
    capacity: usize,
    batch: usize,
) -> Result<Duration, String> {
    transfer_placed::<Q>(n, capacity, batch, two_cpus(), 0).map(|p| p.total)
}

/// [`transfer`], with the consumer also noting the time every
/// [`ITEM_CHUNK`] items or so (at the first batch boundary past each mark),
/// so that a run's pace can be taken where both threads ran
/// ([`Paced::at_median_pace`]).
pub fn transfer_paced<Q: Transfer>(
    n: u64,
    capacity: usize,
    batch: usize,
) -> Result<Paced, String> {
    transfer_placed::<Q>(n, capacity, batch, two_cpus(), ITEM_CHUNK)
}

/// [`transfer`] with both threads left wherever the scheduler puts them,
/// which on a 2-core machine is sometimes the same CPU, taking turns.
pub fn transfer_unpinned<Q: Transfer>(
    n: u64,
    capacity: usize,
    batch: usize,
) -> Result<Duration, String> {
    transfer_placed::<Q>(n, capacity, batch, None, 0).map(|p| p.total)
}

fn transfer_placed<Q: Transfer>(
    n: u64,
    capacity: usize,
    batch: usize,
    cpus: Option<(usize, usize)>,
    chunk: u64,
) -> Result<Paced, String> {
    let batch = batch.max(1);
    let (mut tx, mut rx) = Q::channel(capacity);
    warm::<Q>(&mut tx, &mut rx, capacity);
    let ready = AtomicBool::new(false);
    // Set when the consumer stops (done or failed), so a producer facing a
    // full queue that nobody drains any more gives up instead of spinning.
    let stopped = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (ready, stopped) = (&ready, &stopped);
        // Each end moves to its own thread's stack. Two ends in one stack
        // frame would have their private counters share a cache line: false
        // sharing inside the harness.
        let consumer = s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.1));
            let result = receive_in_order::<Q>(rx, n, batch, chunk, ready);
            stopped.store(true, Ordering::Release);
            result
        });
        let producer = s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.0));
            send_in_order::<Q>(tx, n, batch, ready, stopped)
        });
        let start =
            producer.join().map_err(|_| format!("{}: producer panicked", Q::NAME))?;
        let (end, chunk_ns) =
            consumer.join().map_err(|_| format!("{}: consumer panicked", Q::NAME))??;
        Ok(Paced { n, total: end - start, chunk_ns })
    })
}

/// Fills a fresh queue once and empties it, on the calling thread, before
/// anything is timed: a ring of 65,536 `u64` is 512 KiB that the allocator
/// maps untouched, and without this its first lap would time 128 page faults
/// beside the items (a quarter of a short run). Every queue gets the same.
fn warm<Q: Transfer>(tx: &mut Q::Tx, rx: &mut Q::Rx, capacity: usize) {
    let mut sent = 0;
    while sent < capacity && Q::send(tx, 0) {
        sent += 1;
    }
    while Q::recv(rx).is_some() {}
}

/// How a ping-pong side waits for the other: polls, and every 4,096 polls
/// (microseconds, far beyond a round trip) looks whether the other side gave
/// up, and yields the CPU in case the other side is waiting for it. When the
/// process has one CPU, the other side can only move after a yield, so it
/// yields at every poll. A wait that lasts [`STALL`] stops both sides (a
/// queue that lost a value would otherwise wait for it forever).
#[derive(Debug)]
struct Poll {
    polls: u32,
    period: u32,
    since: Option<Instant>,
}

/// The longest a ping-pong side waits for one value.
const STALL: Duration = Duration::from_secs(10);

impl Poll {
    fn new(alone: bool) -> Self {
        Self { polls: 0, period: if alone { 1 } else { 4096 }, since: None }
    }

    /// False once either side has stopped (or this wait stalled).
    #[inline]
    fn wait(&mut self, stopped: &AtomicBool) -> bool {
        std::hint::spin_loop();
        self.polls += 1;
        if self.polls >= self.period {
            self.polls = 0;
            if stopped.load(Ordering::Relaxed) {
                return false;
            }
            if self.since.get_or_insert_with(Instant::now).elapsed() > STALL {
                stopped.store(true, Ordering::Relaxed);
                return false;
            }
            std::thread::yield_now();
        }
        true
    }
}

/// True when this process may run on one CPU only.
fn alone() -> bool {
    cpu::allowed_cpus().map_or(true, |c| c.len() < 2)
}

/// Round trips timed per chunk of this many ([`ping_pong`]).
pub const CHUNK: u64 = 500;

/// Items timed per chunk of about this many ([`transfer_paced`]).
pub const ITEM_CHUNK: u64 = 8192;

/// What a run took: in all, and per chunk of its items (round trips, or
/// items received). On a shared machine either thread may lose its CPU for
/// a while, and one such pause in a run moves its total; the median chunk
/// is the pace of the run when both threads ran.
#[derive(Clone, Debug)]
pub struct Paced {
    /// Items (or round trips).
    pub n: u64,
    /// The whole run.
    pub total: Duration,
    /// Nanoseconds per item of each whole chunk.
    pub chunk_ns: Vec<f64>,
}

impl Paced {
    /// `n` items at the median chunk's pace (the total when the run was
    /// shorter than a chunk).
    pub fn at_median_pace(&self) -> Duration {
        match crate::measure::stats::median(&self.chunk_ns) {
            Some(ns) => Duration::from_nanos((ns * self.n as f64) as u64),
            None => self.total,
        }
    }
}

/// The pinger's clock: the start, and a time stamp every [`CHUNK`] round trips.
struct Chunks {
    n: u64,
    start: Instant,
    last: Instant,
    chunk_ns: Vec<f64>,
}

impl Chunks {
    fn start(n: u64) -> Self {
        let now = Instant::now();
        Self {
            n,
            start: now,
            last: now,
            chunk_ns: Vec::with_capacity((n / CHUNK) as usize),
        }
    }

    /// After round trip `i` (counted from 1).
    #[inline]
    fn tick(&mut self, i: u64) {
        if i.is_multiple_of(CHUNK) {
            let now = Instant::now();
            self.chunk_ns.push((now - self.last).as_nanos() as f64 / CHUNK as f64);
            self.last = now;
        }
    }

    fn finish(self) -> Paced {
        Paced { n: self.n, total: self.start.elapsed(), chunk_ns: self.chunk_ns }
    }
}

// ANCHOR: ping_pong
/// `n` round trips over two fresh `Q::channel(capacity)`s: one thread (the
/// pinger) sends `i` through the first and waits for it to come back
/// through the second; the other (the echo) receives it and sends it back.
/// Returns the pinger's time for all `n`; errors if a value comes back
/// wrong. Pinned as in [`transfer`]. With one item in flight, a round trip
/// is the latency of the queue twice over: every push must reach the other
/// core before anything else happens.
pub fn ping_pong<Q: Transfer>(n: u64, capacity: usize) -> Result<Paced, String> {
    let (mut there, mut arrive) = Q::channel(capacity);
    let (mut back, mut home) = Q::channel(capacity);
    warm::<Q>(&mut there, &mut arrive, capacity);
    warm::<Q>(&mut back, &mut home, capacity);
    let (cpus, alone) = (two_cpus(), alone());
    let (ready, stopped) = (AtomicBool::new(false), AtomicBool::new(false));
    std::thread::scope(|s| {
        let (ready, stopped) = (&ready, &stopped);
        let echo = s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.1));
            ready.store(true, Ordering::Release);
            for i in 1..=n {
                let mut poll = Poll::new(alone);
                let v = loop {
                    match Q::recv(&mut arrive) {
                        Some(v) => break v,
                        None if poll.wait(stopped) => {}
                        None => return Ok(()),
                    }
                };
                if v != i {
                    stopped.store(true, Ordering::Relaxed);
                    return Err(format!("{}: echo got {v}, expected {i}", Q::NAME));
                }
                while !Q::send(&mut back, v) {
                    if !poll.wait(stopped) {
                        return Ok(());
                    }
                }
            }
            Ok(())
        });
        let pinger = s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.0));
            while !ready.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
            let mut clock = Chunks::start(n);
            for i in 1..=n {
                let mut poll = Poll::new(alone);
                while !Q::send(&mut there, i) {
                    if !poll.wait(stopped) {
                        return Err(format!("{}: the echo stopped", Q::NAME));
                    }
                }
                let v = loop {
                    match Q::recv(&mut home) {
                        Some(v) => break v,
                        None if poll.wait(stopped) => {}
                        None => return Err(format!("{}: the echo stopped", Q::NAME)),
                    }
                };
                if v != i {
                    stopped.store(true, Ordering::Relaxed);
                    return Err(format!("{}: got {v} back, expected {i}", Q::NAME));
                }
                clock.tick(i);
            }
            Ok(clock.finish())
        });
        let time = pinger.join().map_err(|_| format!("{}: pinger panicked", Q::NAME))?;
        stopped.store(true, Ordering::Relaxed);
        echo.join().map_err(|_| format!("{}: echo panicked", Q::NAME))??;
        time
    })
}
// ANCHOR_END: ping_pong

// ANCHOR: line_ping_pong
/// [`ping_pong`] without a queue: the pinger stores `i` into one atomic and
/// waits for the echo to store `i` into another, each on a 128-byte block
/// of its own; `n` round trips. Two cache-line transfers per round trip, one
/// each way, and nothing else: what any queue's round trip is built on.
pub fn line_ping_pong(n: u64) -> Result<Paced, String> {
    let (ping, pong) =
        (CachePadded::new(AtomicU64::new(0)), CachePadded::new(AtomicU64::new(0)));
    let (cpus, alone) = (two_cpus(), alone());
    let (ready, stopped) = (AtomicBool::new(false), AtomicBool::new(false));
    std::thread::scope(|s| {
        let (ping, pong, ready, stopped) = (&ping, &pong, &ready, &stopped);
        s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.1));
            ready.store(true, Ordering::Release);
            for i in 1..=n {
                let mut poll = Poll::new(alone);
                while ping.load(Ordering::Acquire) != i {
                    if !poll.wait(stopped) {
                        return;
                    }
                }
                pong.store(i, Ordering::Release);
            }
        });
        let pinger = s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.0));
            while !ready.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
            let mut clock = Chunks::start(n);
            for i in 1..=n {
                let mut poll = Poll::new(alone);
                ping.store(i, Ordering::Release);
                while pong.load(Ordering::Acquire) != i {
                    if !poll.wait(stopped) {
                        return Err("cache line: the echo stopped".to_string());
                    }
                }
                clock.tick(i);
            }
            Ok(clock.finish())
        });
        let time =
            pinger.join().map_err(|_| "cache line: pinger panicked".to_string())?;
        stopped.store(true, Ordering::Relaxed);
        time
    })
}
// ANCHOR_END: line_ping_pong

/// False sharing, isolated: two threads (pinned as in [`transfer`]) each
/// store `n` times into their own counter of layout `L` and touch nothing
/// else. The stores are sequentially consistent swaps, the `xchg` that Go's
/// `atomic.StoreUint64` (and so the seed's `head`/`tail` update) compiles to
/// on x86-64; plain stores would not do, since the compiler may merge
/// repeated stores to one atomic into one, and then nothing is measured.
/// Padded, each swap hits a line its core owns; adjacent, the line moves to
/// the other core and back. Returns the time until both are done.
pub fn counter_storm<L: IndexPair>(n: u64) -> Duration {
    let pair = L::default();
    let cpus = two_cpus();
    let start = Instant::now();
    std::thread::scope(|s| {
        let pair = &pair;
        s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.0));
            for i in 0..n {
                std::hint::black_box(pair.pushed().swap(i as usize, Ordering::SeqCst));
            }
        });
        s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.1));
            for i in 0..n {
                std::hint::black_box(pair.popped().swap(i as usize, Ordering::SeqCst));
            }
        });
    });
    start.elapsed()
}

/// The producer side of [`transfer`]: waits for the consumer to be ready,
/// then sends `1..=n`; returns when it started.
fn send_in_order<Q: Transfer>(
    mut tx: Q::Tx,
    n: u64,
    batch: usize,
    ready: &AtomicBool,
    stopped: &AtomicBool,
) -> Instant {
    while !ready.load(Ordering::Acquire) {
        std::hint::spin_loop();
    }
    let start = Instant::now();
    let mut backoff = Backoff::default();
    let mut next = 1u64;
    let mut items = vec![0u64; batch];
    while next <= n {
        if batch == 1 {
            if Q::send(&mut tx, next) {
                next += 1;
                backoff.reset();
            } else if stopped.load(Ordering::Relaxed) {
                break;
            } else {
                backoff.wait();
            }
            continue;
        }
        let k = batch.min((n - next + 1) as usize);
        for (i, slot) in items[..k].iter_mut().enumerate() {
            *slot = next + i as u64;
        }
        let mut sent = 0;
        while sent < k {
            let m = Q::send_batch(&mut tx, &items[sent..k]);
            if m > 0 {
                backoff.reset();
            } else if stopped.load(Ordering::Relaxed) {
                return start;
            } else {
                backoff.wait();
            }
            sent += m;
        }
        next += k as u64;
    }
    start
}

/// The consumer side of [`transfer`]: receives until `n` values have arrived
/// in order, and returns when the last one did, and (if `chunk > 0`) the ns
/// per item of each chunk of about `chunk` items, from the first arrival.
fn receive_in_order<Q: Transfer>(
    mut rx: Q::Rx,
    n: u64,
    batch: usize,
    chunk: u64,
    ready: &AtomicBool,
) -> Result<(Instant, Vec<f64>), String> {
    ready.store(true, Ordering::Release);
    let mut chunk_ns = Vec::new();
    // (time, items received) at the last mark.
    let mut mark: Option<(Instant, u64)> = None;
    let mut expected = 1u64;
    let mut backoff = Backoff::default();
    let mut buf = vec![0u64; batch];
    while expected <= n {
        let got = if batch == 1 {
            match Q::recv(&mut rx) {
                Some(v) => {
                    buf[0] = v;
                    1
                }
                None => 0,
            }
        } else {
            Q::recv_batch(&mut rx, &mut buf)
        };
        if got == 0 {
            backoff.wait();
            continue;
        }
        backoff.reset();
        for &v in &buf[..got] {
            if v != expected {
                return Err(format!("{}: got {v}, expected {expected}", Q::NAME));
            }
            expected += 1;
        }
        if chunk > 0 {
            let received = expected - 1;
            match mark {
                None => mark = Some((Instant::now(), received)),
                Some((t, at)) if received - at >= chunk => {
                    let now = Instant::now();
                    chunk_ns.push((now - t).as_nanos() as f64 / (received - at) as f64);
                    mark = Some((now, received));
                }
                Some(_) => {}
            }
        }
    }
    Ok((Instant::now(), chunk_ns))
}

/// A queue any thread can push to and pop from, for [`transfer_mpmc`].
pub trait SharedQueue: Sync {
    /// Name in tables and bench ids.
    const NAME: &'static str;
    /// A fresh queue holding `capacity` items.
    fn with_capacity(capacity: usize) -> Self;
    /// Pushes `v`; false when full.
    fn push(&self, v: u64) -> bool;
    /// Pops one value; `None` when empty.
    fn pop(&self) -> Option<u64>;
}

/// Tag of producer `p`'s values: producer in the high 16 bits, sequence
/// number `1..=n` in the low 48 (0 is never sent).
pub fn tagged(p: usize, i: u64) -> u64 {
    ((p as u64) << 48) | i
}

const STOP: u64 = u64::MAX;

/// `producers` threads each push `n` tagged values, `consumers` threads pop
/// them; returns the time until the last consumer is done. Errors unless
/// every value arrives exactly once and each consumer sees each producer's
/// values in increasing order.
pub fn transfer_mpmc<Q: SharedQueue>(
    producers: usize,
    consumers: usize,
    n: u64,
    capacity: usize,
) -> Result<Duration, String> {
    let q = Q::with_capacity(capacity);
    // Set by a consumer that found an error, so nobody waits for it forever.
    let abort = AtomicBool::new(false);
    let start = Instant::now();
    let results: Vec<Result<(u64, u64), String>> = std::thread::scope(|s| {
        let (q, abort) = (&q, &abort);
        let cons: Vec<_> = (0..consumers)
            .map(|_| {
                s.spawn(move || {
                    let fail = |msg: String| {
                        abort.store(true, Ordering::Relaxed);
                        Err(msg)
                    };
                    let mut last = vec![0u64; producers];
                    let (mut count, mut sum) = (0u64, 0u64);
                    let mut backoff = Backoff::default();
                    loop {
                        let Some(v) = q.pop() else {
                            if abort.load(Ordering::Relaxed) {
                                return Err("aborted".to_string());
                            }
                            backoff.wait();
                            continue;
                        };
                        backoff.reset();
                        if v == STOP {
                            return Ok((count, sum));
                        }
                        let (p, i) = ((v >> 48) as usize, v & ((1 << 48) - 1));
                        if p >= producers || i <= last[p] {
                            return fail(format!(
                                "{}: {v:#x} out of order or foreign",
                                Q::NAME
                            ));
                        }
                        last[p] = i;
                        count += 1;
                        sum = sum.wrapping_add(v);
                    }
                })
            })
            .collect();
        let prods: Vec<_> = (0..producers)
            .map(|p| {
                s.spawn(move || {
                    let mut backoff = Backoff::default();
                    for i in 1..=n {
                        while !q.push(tagged(p, i)) {
                            if abort.load(Ordering::Relaxed) {
                                return;
                            }
                            backoff.wait();
                        }
                        backoff.reset();
                    }
                })
            })
            .collect();
        for h in prods {
            h.join().expect("producer panicked");
        }
        // Queues are FIFO: once every consumer has taken a STOP, every value
        // pushed before the STOPs has been taken.
        let mut backoff = Backoff::default();
        for _ in 0..consumers {
            while !q.push(STOP) && !abort.load(Ordering::Relaxed) {
                backoff.wait();
            }
        }
        cons.into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("consumer panicked".into())))
            .collect()
    });
    let elapsed = start.elapsed();
    let (mut count, mut sum) = (0u64, 0u64);
    for r in results {
        let (c, s) = r?;
        count += c;
        sum = sum.wrapping_add(s);
    }
    let expected_sum = (0..producers)
        .map(|p| (1..=n).map(|i| tagged(p, i)).fold(0u64, u64::wrapping_add))
        .fold(0u64, u64::wrapping_add);
    if count != producers as u64 * n || sum != expected_sum {
        return Err(format!(
            "{}: received {count} values (sum {sum:#x}), expected {} (sum {expected_sum:#x})",
            Q::NAME,
            producers as u64 * n
        ));
    }
    Ok(elapsed)
}

/// One queue to time in [`speed_table`]: a name and a run that moves `n`
/// items in all and returns the time it took.
pub struct SpeedRow {
    /// Name in tables.
    pub name: String,
    run: Box<dyn Fn(u64) -> Result<Duration, String> + Send + Sync>,
    /// Nanoseconds per item, one entry per round.
    pub ns_per_item: Vec<f64>,
}

impl std::fmt::Debug for SpeedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeedRow")
            .field("name", &self.name)
            .field("ns_per_item", &self.ns_per_item)
            .finish_non_exhaustive()
    }
}

impl SpeedRow {
    /// A row that times `run(n)`.
    pub fn new(
        name: impl Into<String>,
        run: impl Fn(u64) -> Result<Duration, String> + Send + Sync + 'static,
    ) -> Self {
        Self { name: name.into(), run: Box::new(run), ns_per_item: Vec::new() }
    }

    /// [`transfer`] through `Q` with `capacity`, `batch` items per call.
    pub fn spsc<Q: Transfer>(
        name: impl Into<String>,
        capacity: usize,
        batch: usize,
    ) -> Self {
        Self::new(name, move |n| transfer::<Q>(n, capacity, batch))
    }

    /// [`ping_pong`] through two `Q`s of `capacity`; one "item" is one
    /// round trip.
    /// The run's time is taken at its median chunk's pace
    /// ([`Paced::at_median_pace`]).
    pub fn ping_pong<Q: Transfer>(name: impl Into<String>, capacity: usize) -> Self {
        Self::new(name, move |n| ping_pong::<Q>(n, capacity).map(|r| r.at_median_pace()))
    }

    /// [`line_ping_pong`], at the median chunk's pace.
    pub fn line_ping_pong(name: impl Into<String>) -> Self {
        Self::new(name, |n| line_ping_pong(n).map(|r| r.at_median_pace()))
    }

    /// Runs `n` items once and records the time per item.
    pub fn time_round(&mut self, n: u64) -> Result<(), String> {
        let d = (self.run)(n)?;
        self.ns_per_item.push(d.as_nanos() as f64 / n as f64);
        Ok(())
    }

    /// The fastest round's nanoseconds per item (NaN before any round).
    pub fn min_ns(&self) -> f64 {
        crate::measure::stats::min(&self.ns_per_item).unwrap_or(f64::NAN)
    }

    /// [`transfer_paced`] through `Q` with `capacity`, `batch` items per
    /// call; the run's time is taken at its median chunk's pace.
    pub fn spsc_paced<Q: Transfer>(
        name: impl Into<String>,
        capacity: usize,
        batch: usize,
    ) -> Self {
        Self::new(name, move |n| {
            transfer_paced::<Q>(n, capacity, batch).map(|p| p.at_median_pace())
        })
    }

    /// [`transfer_unpinned`] through `Q` with `capacity`, single items.
    pub fn spsc_unpinned<Q: Transfer>(name: impl Into<String>, capacity: usize) -> Self {
        Self::new(name, move |n| transfer_unpinned::<Q>(n, capacity, 1))
    }

    /// [`transfer_mpmc`] through `Q` with `producers` and `consumers`
    /// threads; `n` items in all.
    pub fn mpmc<Q: SharedQueue>(
        name: impl Into<String>,
        producers: usize,
        consumers: usize,
        capacity: usize,
    ) -> Self {
        Self::new(name, move |n| {
            transfer_mpmc::<Q>(producers, consumers, n / producers as u64, capacity)
        })
    }

    /// Median nanoseconds per item (NaN before any round).
    pub fn median_ns(&self) -> f64 {
        crate::measure::stats::median(&self.ns_per_item).unwrap_or(f64::NAN)
    }

    /// Median items per second.
    pub fn items_per_sec(&self) -> f64 {
        1e9 / self.median_ns()
    }
}

/// Times every row `rounds` times with `n` items, interleaved (all rows in
/// round 1, then all rows in round 2 …), so a drift in the machine's speed
/// spreads over all of them. Stops at the first run that fails its check.
pub fn speed_table(rows: &mut [SpeedRow], n: u64, rounds: usize) -> Result<(), String> {
    for _ in 0..rounds {
        for row in rows.iter_mut() {
            row.time_round(n)?;
        }
    }
    Ok(())
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::lock_free_ring::spsc;

    /// A queue that silently drops value 1000 must fail the check.
    struct Lossy;
    impl Transfer for Lossy {
        const NAME: &'static str = "lossy";
        type Tx = spsc::Producer<u64>;
        type Rx = spsc::Consumer<u64>;
        fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
            spsc::channel(capacity).unwrap()
        }
        fn send(tx: &mut Self::Tx, v: u64) -> bool {
            v == 1000 || tx.push(v).is_ok()
        }
        fn recv(rx: &mut Self::Rx) -> Option<u64> {
            rx.pop()
        }
    }

    #[test]
    fn a_lossy_queue_fails_the_transfer_check() {
        let err = transfer::<Lossy>(5_000, 16, 1).unwrap_err();
        assert!(err.contains("expected 1000"), "{err}");
    }

    /// A queue that hands back 1001 for 1000 must fail the ping-pong check.
    struct Corrupting;
    impl Transfer for Corrupting {
        const NAME: &'static str = "corrupting";
        type Tx = spsc::Producer<u64>;
        type Rx = spsc::Consumer<u64>;
        fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
            spsc::channel(capacity).unwrap()
        }
        fn send(tx: &mut Self::Tx, v: u64) -> bool {
            tx.push(if v == 1000 { 1001 } else { v }).is_ok()
        }
        fn recv(rx: &mut Self::Rx) -> Option<u64> {
            rx.pop()
        }
    }

    #[test]
    fn a_corrupting_queue_fails_the_ping_pong_check() {
        let err = ping_pong::<Corrupting>(2_000, 16).unwrap_err();
        assert!(err.contains("expected 1000"), "{err}");
    }
}
