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
use std::sync::atomic::{AtomicBool, Ordering};
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
    transfer_placed::<Q>(n, capacity, batch, two_cpus())
}

/// [`transfer`] with both threads left wherever the scheduler puts them,
/// which on a 2-core machine is sometimes the same CPU, taking turns.
pub fn transfer_unpinned<Q: Transfer>(
    n: u64,
    capacity: usize,
    batch: usize,
) -> Result<Duration, String> {
    transfer_placed::<Q>(n, capacity, batch, None)
}

fn transfer_placed<Q: Transfer>(
    n: u64,
    capacity: usize,
    batch: usize,
    cpus: Option<(usize, usize)>,
) -> Result<Duration, String> {
    let batch = batch.max(1);
    let (tx, rx) = Q::channel(capacity);
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
            let result = receive_in_order::<Q>(rx, n, batch, ready);
            stopped.store(true, Ordering::Release);
            result
        });
        let producer = s.spawn(move || {
            pin_current_thread(cpus.map(|c| c.0));
            send_in_order::<Q>(tx, n, batch, ready, stopped)
        });
        let start =
            producer.join().map_err(|_| format!("{}: producer panicked", Q::NAME))?;
        let end =
            consumer.join().map_err(|_| format!("{}: consumer panicked", Q::NAME))??;
        Ok(end - start)
    })
}

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
/// in order, and returns when the last one did.
fn receive_in_order<Q: Transfer>(
    mut rx: Q::Rx,
    n: u64,
    batch: usize,
    ready: &AtomicBool,
) -> Result<Instant, String> {
    ready.store(true, Ordering::Release);
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
    }
    Ok(Instant::now())
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
            let d = (row.run)(n)?;
            row.ns_per_item.push(d.as_nanos() as f64 / n as f64);
        }
    }
    Ok(())
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::lock_free_ring::ablation::{Adjacent, Padded};
    use crate::lock_free_ring::adapters::{
        Ablation, MutexDeque, OurMpmcAsSpsc, OurSpsc, SeedPort, StdSyncChannel,
    };
    use crate::lock_free_ring::{mpmc, spsc};
    use std::collections::VecDeque;
    use std::sync::Mutex;

    #[test]
    fn every_in_crate_queue_passes_the_transfer_check() {
        transfer::<OurSpsc>(10_000, 16, 1).unwrap();
        transfer::<OurSpsc>(10_000, 16, 7).unwrap();
        transfer::<SeedPort>(10_000, 16, 1).unwrap();
        transfer::<MutexDeque>(10_000, 16, 1).unwrap();
        transfer::<MutexDeque>(10_000, 16, 5).unwrap();
        transfer::<StdSyncChannel>(10_000, 16, 1).unwrap();
        transfer::<OurMpmcAsSpsc>(10_000, 16, 1).unwrap();
        transfer::<Ablation<Adjacent, false>>(10_000, 16, 1).unwrap();
        transfer::<Ablation<Padded, true>>(10_000, 16, 1).unwrap();
        transfer_mpmc::<mpmc::Queue<u64>>(2, 2, 10_000, 16).unwrap();
        transfer_mpmc::<(Mutex<VecDeque<u64>>, usize)>(2, 2, 10_000, 16).unwrap();
    }

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
}
