//! Counter increments from two threads at once: ours beside the peers
//! (`prometheus-client`, a `metrics` handle from `metrics-util`'s
//! `DebuggingRecorder`, `prometheus`) and beside the designs the research
//! timed (seed 000's lock + key string, a mutex map, one shared atomic).
//!
//! Both threads increment from the moment both run until a fixed time has
//! passed, so they overlap for the whole round. Each counts its own CPU
//! time (`CLOCK_THREAD_CPUTIME_ID`) over its increments, so a descheduled
//! thread is not charged for the time it waited, and cache-line transfers
//! between the two CPUs are. The two threads are pinned to two CPUs when
//! there are two. Every total is read back and compared with the
//! increments the threads made.

use super::registry::{Counter, LocalCounter};
use super::seed_port::seed_000::{GoLabels, PerformanceMonitor, go_labels};
use crate::measure::{cpu, os, stats};
use metrics::Recorder as _;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A counter implementation under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// [`super::registry::LocalCounter`]: a slot per thread, load + store.
    Local,
    /// [`Counter`]: sharded atomics, `fetch_add` on this thread's shard.
    Sharded,
    /// `prometheus_client::metrics::counter::Counter`.
    PrometheusClient,
    /// A `metrics::Counter` registered with `DebuggingRecorder`.
    Metrics,
    /// `prometheus::IntCounter`.
    Prometheus,
    /// One `AtomicU64` both threads `fetch_add`.
    SharedAtomic,
    /// `Mutex<HashMap<String, u64>>`, looked up by name each time.
    MutexMap,
    /// Seed 000's `AddMetric`: write lock, key string, last value wins.
    Seed,
}

impl Impl {
    /// Every implementation, ours first.
    pub const ALL: [Impl; 8] = [
        Impl::Local,
        Impl::Sharded,
        Impl::PrometheusClient,
        Impl::Metrics,
        Impl::Prometheus,
        Impl::SharedAtomic,
        Impl::MutexMap,
        Impl::Seed,
    ];

    /// Its name in tables and evidence.
    pub fn label(self) -> &'static str {
        match self {
            Impl::Local => "ours: LocalCounter (slot per thread)",
            Impl::Sharded => "ours: Counter (sharded atomics)",
            Impl::PrometheusClient => "prometheus-client Counter",
            Impl::Metrics => "metrics Counter (DebuggingRecorder)",
            Impl::Prometheus => "prometheus IntCounter",
            Impl::SharedAtomic => "one shared AtomicU64",
            Impl::MutexMap => "Mutex<HashMap> by name",
            Impl::Seed => "seed 000 AddMetric (lock + key string)",
        }
    }
}

/// One implementation's result.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CounterRun {
    /// Which.
    #[serde(skip)]
    pub imp: Option<Impl>,
    /// Its label.
    pub label: &'static str,
    /// Median over rounds of the two threads' mean CPU ns per increment.
    pub ns_per_inc: f64,
    /// Every round's figure.
    pub rounds_ns: Vec<f64>,
    /// The total read back after the last round.
    pub total: u64,
    /// The increments the two threads made in that round.
    pub expected: u64,
}

impl CounterRun {
    /// The total read back is exactly what both threads added.
    pub fn exact(&self) -> bool {
        self.total == self.expected
    }
}

/// A counter shared by the two threads, and how each thread increments it.
enum Shared {
    Ours(Counter),
    Pc(prometheus_client::metrics::counter::Counter<u64>),
    Metrics(metrics::Counter, metrics_util::debugging::Snapshotter),
    Prom(prometheus::IntCounter),
    Atomic(Arc<AtomicU64>),
    Map(Arc<Mutex<HashMap<String, u64>>>),
    Seed(PerformanceMonitor),
}

impl Shared {
    fn new(imp: Impl) -> Self {
        match imp {
            Impl::Local | Impl::Sharded => Shared::Ours(Counter::new()),
            Impl::PrometheusClient => Shared::Pc(Default::default()),
            Impl::Metrics => {
                let rec = metrics_util::debugging::DebuggingRecorder::new();
                let snap = rec.snapshotter();
                let meta =
                    metrics::Metadata::new("perf_workbook", metrics::Level::INFO, None);
                let c = rec.register_counter(&metrics::Key::from_name("requests"), &meta);
                Shared::Metrics(c, snap)
            }
            Impl::Prometheus => Shared::Prom(
                prometheus::IntCounter::new("requests", "requests")
                    .expect("a valid name"),
            ),
            Impl::SharedAtomic => Shared::Atomic(Arc::new(AtomicU64::new(0))),
            Impl::MutexMap => Shared::Map(Arc::new(Mutex::new(HashMap::new()))),
            Impl::Seed => {
                Shared::Seed(PerformanceMonitor::new(Duration::from_secs(3600)))
            }
        }
    }

    fn total(&self) -> u64 {
        match self {
            Shared::Ours(c) => c.value(),
            Shared::Pc(c) => c.get(),
            Shared::Metrics(_, snap) => snap
                .snapshot()
                .into_vec()
                .into_iter()
                .find_map(|(_, _, _, v)| match v {
                    metrics_util::debugging::DebugValue::Counter(n) => Some(n),
                    _ => None,
                })
                .unwrap_or(0),
            Shared::Prom(c) => c.get(),
            Shared::Atomic(a) => a.load(Ordering::Relaxed),
            Shared::Map(m) => m
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get("requests")
                .copied()
                .unwrap_or(0),
            // The seed's total is its Count; its Value is the last write (1).
            Shared::Seed(pm) => pm
                .get("requests", &go_labels(&[]))
                .map_or(0, |m| m.count.load(Ordering::Relaxed) as u64),
        }
    }

    /// `k` increments on this thread.
    #[inline]
    fn batch(&self, local: Option<&LocalCounter>, labels: &GoLabels, k: u64) {
        match self {
            Shared::Ours(c) => match local {
                Some(l) => (0..k).for_each(|_| black_box(l).inc()),
                None => (0..k).for_each(|_| black_box(c).inc()),
            },
            Shared::Pc(c) => (0..k).for_each(|_| {
                black_box(black_box(c).inc());
            }),
            Shared::Metrics(c, _) => (0..k).for_each(|_| black_box(c).increment(1)),
            Shared::Prom(c) => (0..k).for_each(|_| black_box(c).inc()),
            Shared::Atomic(a) => (0..k).for_each(|_| {
                black_box(a).fetch_add(1, Ordering::Relaxed);
            }),
            Shared::Map(map) => (0..k).for_each(|_| {
                let mut g = black_box(map).lock().unwrap_or_else(|p| p.into_inner());
                *g.entry("requests".to_string()).or_insert(0) += 1;
            }),
            Shared::Seed(pm) => {
                (0..k).for_each(|_| black_box(pm).add_metric("requests", 1.0, labels))
            }
        }
    }

    fn local(&self, imp: Impl) -> Option<LocalCounter> {
        match self {
            Shared::Ours(c) if imp == Impl::Local => Some(c.local()),
            _ => None,
        }
    }

    /// Increments in batches of [`BATCH`] until `stop`; returns (CPU ns,
    /// increments made).
    fn run(&self, imp: Impl, stop: &AtomicBool) -> (f64, u64) {
        let now = || os::thread_cpu_time().unwrap_or_default();
        let labels = go_labels(&[]);
        let local = self.local(imp);
        let mut n = 0u64;
        let t0 = now();
        while !stop.load(Ordering::Relaxed) {
            self.batch(local.as_ref(), &labels, BATCH);
            n += BATCH;
        }
        ((now() - t0).as_nanos() as f64, n)
    }
}

/// For the bench: two threads (pinned to two CPUs when there are two) each
/// make `iters` increments of one fresh counter of `imp`, from a barrier.
/// Returns the slower thread's wall time, the total read back and the
/// increments made.
pub fn two_threads(imp: Impl, iters: u64) -> (Duration, u64, u64) {
    let shared = Shared::new(imp);
    let cpus = cpu::two_cpus();
    let barrier = std::sync::Barrier::new(2);
    let times: Vec<Duration> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let (shared, barrier) = (&shared, &barrier);
                s.spawn(move || {
                    if let Some((a, b)) = cpus {
                        let _ = cpu::pin_current_thread(if i == 0 { a } else { b });
                    }
                    let labels = go_labels(&[]);
                    let local = shared.local(imp);
                    barrier.wait();
                    let t = std::time::Instant::now();
                    shared.batch(local.as_ref(), &labels, iters);
                    t.elapsed()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    (times.into_iter().max().unwrap_or_default(), shared.total(), 2 * iters)
}

/// Increments between two looks at the stop flag.
pub const BATCH: u64 = 1024;

/// One round of `imp`: two threads (pinned to two CPUs when there are two)
/// increment from the moment both are running until `length` has passed.
/// Returns (CPU ns per increment, averaged over the two threads; the total
/// read back; the increments made).
pub fn one_round(imp: Impl, length: Duration) -> (f64, u64, u64) {
    let shared = Shared::new(imp);
    let cpus = cpu::two_cpus();
    let started = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let per_thread: Vec<(f64, u64)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let (shared, started, stop) = (&shared, &started, &stop);
                s.spawn(move || {
                    if let Some((a, b)) = cpus {
                        let _ = cpu::pin_current_thread(if i == 0 { a } else { b });
                    }
                    started.fetch_add(1, Ordering::SeqCst);
                    while started.load(Ordering::SeqCst) < 2 {
                        std::thread::yield_now();
                    }
                    shared.run(imp, stop)
                })
            })
            .collect();
        while started.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        std::thread::sleep(length);
        stop.store(true, Ordering::Relaxed);
        hs.into_iter().map(|h| h.join().unwrap_or((f64::NAN, 0))).collect()
    });
    let made: u64 = per_thread.iter().map(|p| p.1).sum();
    let ns = per_thread.iter().map(|(ns, n)| ns / (*n).max(1) as f64).sum::<f64>() / 2.0;
    (ns, shared.total(), made)
}

/// Every implementation, `rounds` interleaved rounds of `length` each.
pub fn counters(length: Duration, rounds: usize) -> Vec<CounterRun> {
    let mut runs: Vec<CounterRun> = Impl::ALL
        .iter()
        .map(|&imp| CounterRun {
            imp: Some(imp),
            label: imp.label(),
            ns_per_inc: f64::NAN,
            rounds_ns: Vec::new(),
            total: 0,
            expected: 0,
        })
        .collect();
    for _ in 0..rounds.max(1) {
        for r in &mut runs {
            let (ns, total, expected) = one_round(r.imp.expect("set above"), length);
            r.rounds_ns.push(ns);
            r.total = total;
            r.expected = expected;
        }
    }
    for r in &mut runs {
        r.ns_per_inc = stats::median(&r.rounds_ns).unwrap_or(f64::NAN);
    }
    runs
}
