//! False sharing: two threads, each incrementing only its own counter, slow
//! each other down when the counters share a cache line, because a core must
//! own the whole line to write any byte of it, and the line bounces between
//! the cores on every write. Spatial locality's cost, beside its benefit.
//!
//! Three placements of the same two `AtomicU64`s: on one line, on adjacent
//! lines (64 bytes apart), and 128 bytes apart with crossbeam's
//! `CachePadded`. The measurement only counts when both threads really ran
//! at the same time: on a busy 2-core machine they often take turns on one
//! core, and then there is nothing to share falsely.
//!
//! Not a study of atomics (see the lock-free ring chapter for orderings).

use crate::measure::cpu;
use crate::measure::os::thread_cpu_time;
use crossbeam_utils::CachePadded;
use static_assertions::const_assert_eq;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

// ANCHOR: placements
/// Two counters 8 bytes apart. `align(64)` makes the pair start a cache
/// line, so both are guaranteed to be on that one line.
#[repr(C, align(64))]
#[derive(Default)]
pub struct SameLine {
    pub a: AtomicU64,
    pub b: AtomicU64,
}

/// Two counters 64 bytes apart: separate lines, but one 128-byte pair.
#[repr(C, align(128))]
#[derive(Default)]
pub struct AdjacentLines {
    pub a: AtomicU64,
    _gap: [u64; 7],
    pub b: AtomicU64,
}

/// Two counters 128 bytes apart, as crossbeam pads them on x86-64.
#[repr(C)]
#[derive(Default)]
pub struct Padded {
    pub a: CachePadded<AtomicU64>,
    pub b: CachePadded<AtomicU64>,
}
// ANCHOR_END: placements

const_assert_eq!(core::mem::offset_of!(SameLine, b), 8);
const_assert_eq!(core::mem::offset_of!(AdjacentLines, b), 64);
#[cfg(target_arch = "x86_64")]
const_assert_eq!(core::mem::offset_of!(Padded, b), 128);

/// Two counters, one per thread.
pub trait CounterPair: Default + Sync {
    /// What the table calls this placement.
    const NAME: &'static str;
    /// The two counters.
    fn counters(&self) -> (&AtomicU64, &AtomicU64);
}

impl CounterPair for SameLine {
    const NAME: &'static str = "same line (8 B apart)";
    fn counters(&self) -> (&AtomicU64, &AtomicU64) {
        (&self.a, &self.b)
    }
}

impl CounterPair for AdjacentLines {
    const NAME: &'static str = "adjacent lines (64 B apart)";
    fn counters(&self) -> (&AtomicU64, &AtomicU64) {
        (&self.a, &self.b)
    }
}

impl CounterPair for Padded {
    const NAME: &'static str = "CachePadded (128 B apart)";
    fn counters(&self) -> (&AtomicU64, &AtomicU64) {
        (&self.a, &self.b)
    }
}

// ANCHOR: increment
/// What each thread does: increment its own counter, in batches of
/// [`BATCH`], until `window` has passed. Returns how many increments it made.
pub fn increment_for(counter: &AtomicU64, window: Duration) -> u64 {
    let start = Instant::now();
    let mut done = 0;
    while start.elapsed() < window {
        for _ in 0..BATCH {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        done += BATCH;
    }
    done
}
// ANCHOR_END: increment

/// Increments between two looks at the clock.
pub const BATCH: u64 = 1000;

/// `iters` increments of `counter` (the criterion bench's fixed-size work).
pub fn increment(counter: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// One thread's view of a run.
#[derive(Clone, Copy, Debug)]
struct ThreadRun {
    start: Instant,
    end: Instant,
    cpu: Duration,
    increments: u64,
}

/// One run of two threads over the same window of time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairRun {
    /// Wall time per increment, per thread: the two threads' loop times
    /// added, over their increments added. About 5 ns on a modern core when
    /// nothing is shared.
    pub ns_per_op: f64,
    /// How much the two threads really ran at the same time, from 0 to 1:
    /// the share of the window both were inside their loops, times the
    /// smaller share of its loop time a thread spent on a CPU.
    pub concurrency: f64,
    /// Increments by the first thread and by the second.
    pub increments: (u64, u64),
}

/// Pins the calling thread to `cpu`, if there is one to pin to: the two
/// threads of a run sit on different cores. Without it, the kernel often
/// starts the second thread on the first one's core and the two take turns
/// for the whole (millisecond-long) run.
fn pin(cpu: Option<usize>) {
    if let Some(c) = cpu {
        let _ = cpu::pin_current_thread(c);
    }
}

fn worker(
    counter: &AtomicU64,
    window: Duration,
    cpu: Option<usize>,
    go: &Barrier,
) -> ThreadRun {
    pin(cpu);
    go.wait();
    let cpu0 = thread_cpu_time().expect("the thread CPU clock");
    let start = Instant::now();
    let increments = increment_for(counter, window);
    let end = Instant::now();
    ThreadRun {
        start,
        end,
        cpu: thread_cpu_time().expect("the thread CPU clock") - cpu0,
        increments,
    }
}

// ANCHOR: run_pair
/// Two threads, pinned to different CPUs, each incrementing its own counter
/// of `P` for `window` (each watches the clock itself: a third thread to
/// say "stop" would need a CPU of its own, and steal one from the pair);
/// checks that each counter holds exactly what its thread counted.
pub fn run_pair<P: CounterPair>(window: Duration) -> PairRun {
    let pair = P::default();
    let (a, b) = pair.counters();
    let go = Barrier::new(2);
    let cpus = cpu::two_cpus();
    let (x, y) = std::thread::scope(|s| {
        let first = s.spawn(|| worker(a, window, cpus.map(|c| c.0), &go));
        let second = s.spawn(|| worker(b, window, cpus.map(|c| c.1), &go));
        let join = |h: std::thread::ScopedJoinHandle<'_, ThreadRun>| {
            h.join().expect("counter thread panicked")
        };
        (join(first), join(second))
    });
    assert_eq!(
        (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)),
        (x.increments, y.increments)
    );
    let span = x.end.max(y.end) - x.start.min(y.start);
    let both = x.end.min(y.end).saturating_duration_since(x.start.max(y.start));
    let on_cpu = |t: &ThreadRun| t.cpu.as_secs_f64() / (t.end - t.start).as_secs_f64();
    let overlap = both.as_secs_f64() / span.as_secs_f64();
    let walls = (x.end - x.start) + (y.end - y.start);
    PairRun {
        ns_per_op: walls.as_nanos() as f64 / (x.increments + y.increments).max(1) as f64,
        concurrency: (overlap * on_cpu(&x).min(on_cpu(&y))).min(1.0),
        increments: (x.increments, y.increments),
    }
}
// ANCHOR_END: run_pair

/// What [`run_fixed`] did: the slower thread's time, and what each counter
/// holds afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedRun {
    /// The slower thread's time.
    pub slowest: Duration,
    /// The two counters' final values.
    pub counts: (u64, u64),
}

/// Two threads doing `iters` increments each on `P`'s counters, pinned as in
/// [`run_pair`]. For the criterion bench, which picks `iters` itself.
pub fn run_fixed<P: CounterPair>(iters: u64) -> FixedRun {
    let pair = P::default();
    let (a, b) = pair.counters();
    let go = Barrier::new(2);
    let cpus = cpu::two_cpus();
    let timed = |counter: &AtomicU64, cpu: Option<usize>| {
        pin(cpu);
        go.wait();
        let start = Instant::now();
        increment(counter, iters);
        start.elapsed()
    };
    let (ta, tb) = std::thread::scope(|s| {
        let first = s.spawn(|| timed(a, cpus.map(|c| c.0)));
        let second = s.spawn(|| timed(b, cpus.map(|c| c.1)));
        (first.join().expect("counter thread"), second.join().expect("counter thread"))
    });
    FixedRun {
        slowest: ta.max(tb),
        counts: (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)),
    }
}

/// A run counts only when both threads were on a CPU together for at least
/// this share of it.
pub const MIN_CONCURRENCY: f64 = 0.8;

/// Placement `A` against placement `B`, in rounds of one run each (order
/// alternating), keeping only rounds in which both runs were concurrent.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// ns per increment of `A`, in the kept rounds.
    pub a: Vec<f64>,
    /// ns per increment of `B`, in the kept rounds.
    pub b: Vec<f64>,
    /// Rounds run, kept or not.
    pub rounds: usize,
}

impl Comparison {
    /// `median(A) / median(B)`, if at least `min_kept` rounds were kept.
    pub fn ratio(&self, min_kept: usize) -> Option<f64> {
        if self.a.len() < min_kept {
            return None;
        }
        crate::measure::stats::ratio_of_medians(&self.a, &self.b)
    }
}

// ANCHOR: compare
/// Runs rounds until `wanted` rounds are kept, or `max_rounds` have run.
pub fn compare<A: CounterPair, B: CounterPair>(
    window: Duration,
    wanted: usize,
    max_rounds: usize,
) -> Comparison {
    let mut c = Comparison::default();
    while c.a.len() < wanted && c.rounds < max_rounds {
        let (ra, rb) = if c.rounds % 2 == 0 {
            let ra = run_pair::<A>(window);
            (ra, run_pair::<B>(window))
        } else {
            let rb = run_pair::<B>(window);
            (run_pair::<A>(window), rb)
        };
        c.rounds += 1;
        if ra.concurrency >= MIN_CONCURRENCY && rb.concurrency >= MIN_CONCURRENCY {
            c.a.push(ra.ns_per_op);
            c.b.push(rb.ns_per_op);
        }
    }
    c
}
// ANCHOR_END: compare
