//! Chapter 10, Monitoring and leak detection: metrics that cost
//! nanoseconds, a sampler that stops, and leak detectors that find leaks.
//!
//! Seed 000 §1.5.1 ships a `PerformanceMonitor` that takes a global lock and
//! builds a key string on every update; seed 001 §6.1.1.7-8 a
//! `LeakDetector` that leaks, a `MemoryProfiler`, and a `MemoryMonitor`
//! that stops the world on every tick and cannot be stopped twice. Here
//! each is ported, measured, and set beside a version that works.
//!
//! | file | what it holds |
//! |---|---|
//! | [`registry`] | pre-registered handles: sharded and per-thread counters, f64 gauges, log histograms, owned labels, a cap on series |
//! | [`seqlock`] | the sequence lock that keeps a gauge's words together (checked with loom) |
//! | [`sampler`] | the sampling thread: `/proc`, `getrusage`, live bytes; latest sample kept, drops counted, stops and joins |
//! | [`tracking`] | a tracking global allocator: live allocations by site, no allocation inside `alloc` |
//! | [`leaks`] | eight leaks (Rust's four, seed 003's four causes), six leak-free twins, and the detector |
//! | [`seed_port`] | the seeds' monitor, detector, profiler and memory monitor, defects included; and their fixes |
//! | [`snippets`] | the ports that must not compile, compiled with `rustc` |
//! | [`peers`] | counter increments from two threads: ours, prometheus-client, metrics, prometheus, the seed's |
//! | [`load`] | a scripted load watched by the sampler (the plot) |
//! | [`figures`] | every measurement, once per run |
//! | [`tables`], [`plot`] | what the example prints and draws |
//! | `checks` | one check per ledger id: measure, then a rule |
//!
//! The `workbook` binary uses [`sampler::Sampler`] on itself: its JSON
//! report carries each chapter's peak resident set and CPU time.

pub mod figures;
pub mod leaks;
pub mod load;
pub mod peers;
pub mod plot;
pub mod registry;
pub mod sampler;
pub mod seed_port;
pub mod seqlock;
pub mod snippets;
pub mod tables;
pub mod tracking;

mod checks;
pub(crate) mod sync;

pub use checks::CHECKS;
pub use registry::{Counter, Gauge, Histogram, Labels, LocalCounter, Registry, Snapshot};
pub use sampler::{Sample, Sampler, Usage};
pub use tracking::{Site, TrackingAlloc};

use crate::measure::child::ChildMode;

/// Code the checks run in a child process: the seed's memory monitor,
/// whose `range` over its channel never ends (D42), beside the fix; and an
/// `Rc` cycle for valgrind to find.
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode {
        name: "monitoring::memmon_port_shutdown",
        run: figures::child_port_shutdown,
    },
    ChildMode {
        name: "monitoring::chanmon_fix_shutdown",
        run: figures::child_fix_shutdown,
    },
    ChildMode { name: "monitoring::rc_cycle_leak", run: figures::child_rc_cycle },
];
