//! Chapter 8, "Allocator tuning": what Go's GC knobs become in a language
//! without a garbage collector.
//!
//! The seeds tune Go's collector with `debug.SetGCPercent`,
//! `debug.SetMemoryLimit`, `runtime.GC()`, `debug.FreeOSMemory()` and
//! `ReadMemStats`. A Rust program frees every block the moment its owner
//! goes, so there is nothing to collect; the questions stay: when does freed
//! memory go back to the OS, what does a limit look like, what stalls the
//! program, and who may set the knobs. The answers are the allocator's:
//! glibc, jemalloc or mimalloc, each with knobs read once at start-up, so
//! every experiment runs in a child process started with its settings.
//!
//! | file | what |
//! |---|---|
//! | [`glibc`] | `mallopt`, `malloc_trim`, `mallinfo2`, the arena count |
//! | [`allocators`] | glibc, jemalloc, mimalloc called directly; their settings |
//! | [`churn`] | the churn workload, survival patterns, a fixed-size pool, the resident set over time |
//! | [`reclaimer`] | [`Reclaimer`]: trims when the work goes quiet |
//! | [`forced`] | the seeds' forced reclamation in the hot path, against the Reclaimer |
//! | [`stall`] | what reclamation does to another thread (a heartbeat) |
//! | [`background_drop`] | [`drop_in_background`]: a big drop off the caller's thread |
//! | [`limit`] | [`LimitAlloc`], `try_reserve`, `RLIMIT_AS` |
//! | [`knobs`] | who sets the knobs: `init()` against the operator |
//! | [`seed_port`] | `optimizeGC`, `gcTuning`, `memoryUsageOptimization`, `init`, ported |
//! | [`experiment`] | one child mode running any of the experiments above |
//! | [`figures`] | every measurement, once per run |
//! | [`tables`] | what the example prints |
//! | [`plot`] | the resident-set-over-time SVG |
//! | `checks/` | the claim checks: a measure function and a rule each |
//!
//! Not for: pools as such (chapter 4), mmap (chapter 7), monitoring live
//! bytes (chapter 10). Linux with glibc is assumed; elsewhere the glibc
//! experiments fail with a clear error.

pub mod allocators;
pub mod background_drop;
mod checks;
pub mod churn;
pub mod experiment;
pub mod figures;
pub mod forced;
pub mod glibc;
pub mod knobs;
pub mod limit;
pub mod plot;
pub mod reclaimer;
pub mod seed_port;
pub mod stall;
pub mod tables;

pub use allocators::{Allocator, Setting};
pub use background_drop::drop_in_background;
pub use checks::CHECKS;
pub use limit::LimitAlloc;
pub use reclaimer::{Activity, IdleGate, Reclaimer};

use crate::measure::child::ChildMode;

/// Code the checks run in a child process: every knob experiment, and the
/// two `RLIMIT_AS` demonstrations (one aborts on purpose).
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: experiment::CHILD_EXPERIMENT, run: experiment::child_experiment },
    ChildMode { name: limit::CHILD_DEGRADE, run: limit::child_degrade },
    ChildMode { name: limit::CHILD_ABORT, run: limit::child_abort },
];
