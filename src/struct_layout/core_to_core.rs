//! Core-to-core round trip: how long a cache line takes to go from one CPU
//! to the other and back. False sharing (see [`super::false_sharing`]) is
//! this transfer paid on every write; a lock-free queue pays it for every
//! hand-off. Two threads, pinned to the first two CPUs the process may use
//! (`measure::cpu`), pass a value back and forth, three ways:
//!
//! - [`Handoff::Cas`]: one line, each side compare-and-swaps the counter
//!   from the other side's value to its own (the method of
//!   nviennot/core-to-core-latency);
//! - [`Handoff::StoreLoad`]: one line, each side stores and the other loads;
//! - [`Handoff::TwoLines`]: each side stores into a line of its own and loads
//!   the other's, the way a ring's two counters work.
//!
//! The pinger times its round trips in chunks; a round's figure is the
//! median chunk, so a chunk in which either thread lost its CPU (the
//! machine is shared) does not move it.
//!
//! Not a latency map of every pair of CPUs: the first two only (on a larger
//! machine, choose others with `taskset`).

use crate::measure::cpu;
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// How the two threads hand the value over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// One line; compare-and-swap from the other side's value to ours.
    Cas,
    /// One line; store ours, load until the other's appears.
    StoreLoad,
    /// Two lines, one written by each side.
    TwoLines,
}

impl Handoff {
    /// All three, in table order.
    pub const ALL: [Handoff; 3] = [Handoff::Cas, Handoff::StoreLoad, Handoff::TwoLines];

    /// What the table calls it.
    pub fn name(self) -> &'static str {
        match self {
            Handoff::Cas => "one line, compare-and-swap",
            Handoff::StoreLoad => "one line, store and load",
            Handoff::TwoLines => "two lines, one written by each side",
        }
    }
}

/// What one run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Nanoseconds per round trip, one entry per chunk.
    pub chunks: Vec<f64>,
    /// Round trips made.
    pub round_trips: u64,
    /// The pinger's time for all of them.
    pub total: std::time::Duration,
    /// The line(s) at the end: the one line's value, or the pinger's and the
    /// echo's lines. `2 × round_trips`, or `(round_trips, round_trips)`.
    pub last: (u64, u64),
}

impl Run {
    /// The median chunk, in ns per round trip.
    pub fn median_ns(&self) -> f64 {
        crate::measure::stats::median(&self.chunks).unwrap_or(f64::NAN)
    }
}

/// Waits by polling; every 4,096 polls (or every poll when the two threads
/// share one CPU, where the other must run before anything changes) yields
/// the CPU, so a descheduled partner is not kept waiting a whole time slice.
struct Poll {
    count: u32,
    period: u32,
}

impl Poll {
    fn new(alone: bool) -> Self {
        Self { count: 0, period: if alone { 1 } else { 4096 } }
    }

    #[inline]
    fn wait(&mut self) {
        std::hint::spin_loop();
        self.count += 1;
        if self.count >= self.period {
            self.count = 0;
            std::thread::yield_now();
        }
    }
}

/// Which CPUs a run pins its two threads to, and whether they share one.
fn placement() -> (Option<(usize, usize)>, bool) {
    let cpus = cpu::two_cpus();
    let alone = cpu::allowed_cpus().map_or(true, |c| c.len() < 2);
    (cpus, alone)
}

fn pin(cpu: Option<usize>) {
    if let Some(c) = cpu {
        let _ = cpu::pin_current_thread(c);
    }
}

// ANCHOR: round_trips
/// `chunks × chunk` round trips of `how`, the pinger on the first CPU and
/// the echo on the second.
pub fn round_trips(how: Handoff, chunks: usize, chunk: u64) -> Run {
    let n = chunks as u64 * chunk;
    let one = CachePadded::new(AtomicU64::new(0));
    let (ping, pong) =
        (CachePadded::new(AtomicU64::new(0)), CachePadded::new(AtomicU64::new(0)));
    let ready = AtomicBool::new(false);
    let (cpus, alone) = placement();
    let times = std::thread::scope(|s| {
        let (one, ping, pong, ready) = (&*one, &*ping, &*pong, &ready);
        s.spawn(move || {
            pin(cpus.map(|c| c.1));
            ready.store(true, Ordering::Release);
            let mut poll = Poll::new(alone);
            for i in 0..n {
                match how {
                    Handoff::Cas => {
                        while one
                            .compare_exchange(
                                2 * i + 1,
                                2 * i + 2,
                                Ordering::AcqRel,
                                Ordering::Relaxed,
                            )
                            .is_err()
                        {
                            poll.wait();
                        }
                    }
                    Handoff::StoreLoad => {
                        while one.load(Ordering::Acquire) != 2 * i + 1 {
                            poll.wait();
                        }
                        one.store(2 * i + 2, Ordering::Release);
                    }
                    Handoff::TwoLines => {
                        while ping.load(Ordering::Acquire) != i + 1 {
                            poll.wait();
                        }
                        pong.store(i + 1, Ordering::Release);
                    }
                }
            }
        });
        let pinger = s.spawn(move || {
            pin(cpus.map(|c| c.0));
            while !ready.load(Ordering::Acquire) {
                std::hint::spin_loop();
            }
            let mut poll = Poll::new(alone);
            let mut times = Vec::with_capacity(chunks + 1);
            times.push(Instant::now());
            for i in 0..n {
                match how {
                    Handoff::Cas => {
                        while one
                            .compare_exchange(
                                2 * i,
                                2 * i + 1,
                                Ordering::AcqRel,
                                Ordering::Relaxed,
                            )
                            .is_err()
                        {
                            poll.wait();
                        }
                    }
                    Handoff::StoreLoad => {
                        one.store(2 * i + 1, Ordering::Release);
                        while one.load(Ordering::Acquire) != 2 * i + 2 {
                            poll.wait();
                        }
                    }
                    Handoff::TwoLines => {
                        ping.store(i + 1, Ordering::Release);
                        while pong.load(Ordering::Acquire) != i + 1 {
                            poll.wait();
                        }
                    }
                }
                if (i + 1) % chunk == 0 {
                    times.push(Instant::now());
                }
            }
            times
        });
        pinger.join().expect("the pinger panicked")
    });
    // With compare-and-swap the pinger does not wait inside an iteration:
    // its next swap waits for the echo's, so from one swap of the pinger to
    // its next is one round trip, as for the other two.
    let chunks = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_nanos() as f64 / chunk as f64)
        .collect();
    let last = match how {
        Handoff::TwoLines => (ping.load(Ordering::Relaxed), pong.load(Ordering::Relaxed)),
        _ => (one.load(Ordering::Relaxed), 0),
    };
    let total = times[times.len() - 1] - times[0];
    Run { chunks, round_trips: n, total, last }
}
// ANCHOR_END: round_trips
