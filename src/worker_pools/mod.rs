//! Chapter 9, "Worker pools, batching and async I/O": the seeds' pools and
//! I/O processors, their lost jobs, and what batching actually amortises.
//!
//! Seed 000 ships a `HighPerformanceWorkerPool` that batches per worker
//! behind a 10 ms ticker (§1.3.1), an `AsyncIOProcessor` and a
//! `BatchIOProcessor` (§1.4); seed 001 a pipeline (§6.1.1.10.2); seed 003 a
//! `HandleRequests` with a semaphore and a racy `append` (最佳实践2). This
//! chapter ports each faithfully, runs it beside a fix, and measures a pool
//! that loses nothing against the pools Rust programs use.
//!
//! | file | what it holds |
//! |---|---|
//! | [`pool`] | [`WorkerPool`]: bounded queue, `try_submit` that hands the job back, `submit_batch`, results to the caller, panics caught, shutdown that drains |
//! | [`batcher`] | [`Batcher`]: flush at size or deadline, an injectable clock, one `write_all` per flush |
//! | [`semaphore`] | [`Bounded`]: a semaphore with an in-flight gauge |
//! | [`requests`], [`stage`] | the fixes of seed 003's `HandleRequests` and seed 001's pipeline |
//! | [`file_io`], [`uring`] | reading a file four ways: sequential, a pool, `spawn_blocking`, io_uring |
//! | [`peers`] | the bare crossbeam pool, the mpsc pool, rayon; the timing loop |
//! | [`seed_port`] | the seeds' code, ported with its defects (one file per section) |
//! | [`lifecycle`], [`io_processors`], [`handoffs`] | each port run beside its fix, counted |
//! | [`writes`] | batched writes, syscalls counted |
//! | [`undefined`] | D75: the seed's undefined pieces, compiled with rustc |
//! | [`figures`] | every measurement, once per run |
//! | [`tables`], [`plot`] | what the example prints, and its SVG |
//! | `checks/` | one check per ledger id: measure, then a rule |
//!
//! Not here: object pools (chapter 4), the lock-free ring (chapter 6),
//! async runtimes beyond `spawn_blocking`.

pub mod batcher;
mod checks;
pub mod figures;
pub mod file_io;
pub mod handoffs;
pub mod io_processors;
pub mod lifecycle;
pub mod peers;
pub mod plot;
pub mod pool;
pub mod requests;
pub mod seed_port;
pub mod semaphore;
pub mod stage;
pub mod tables;
pub mod undefined;
pub mod uring;
pub mod writes;

pub use batcher::{Batcher, Clock, Flush, ManualClock, SystemClock, WriteSink};
pub use checks::CHECKS;
pub use pool::{Closed, JobPanicked, JobResult, PoolStats, TrySubmitError, WorkerPool};
pub use semaphore::{Bounded, Permit};

use crate::measure::child::ChildMode;

/// The seed ports that hang, or count process-wide threads, run here.
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: lifecycle::CHILD_UNDRAINED, run: lifecycle::child_undrained },
    ChildMode { name: lifecycle::CHILD_THREADS, run: lifecycle::child_threads },
    ChildMode {
        name: io_processors::CHILD_BLOCKED_READS,
        run: io_processors::child_blocked_reads,
    },
    ChildMode { name: handoffs::CHILD_PIPELINE, run: handoffs::child_pipeline },
];
