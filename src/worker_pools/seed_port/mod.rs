//! Faithful ports of the seeds' pools and processors, defects included, kept
//! apart from the fixes so each defect can be shown failing beside the code
//! that does not. One file per seed section:
//!
//! | port | seed | defects |
//! |---|---|---|
//! | [`high_performance_pool`] | 000 §1.3.1 L279-377 `HighPerformanceWorkerPool` | D13, D14, D74, D75 |
//! | [`async_io`] | 000 §1.4.1 L447-560 `AsyncIOProcessor`, §1.4.2 L565-610 `BatchIOProcessor` | D19-D23 |
//! | [`pipeline`] | 001 §6.1.1.10.2 L921-960 `MemoryOptimizedPipeline` | D50 |
//! | [`handle_requests`] | 003 最佳实践2 L405-441 `HandleRequests` | D57 |
//!
//! Go's channels and contexts are modelled on crossbeam-channel, keeping the
//! Go behaviours the defects depend on ([`go`]):
//!
//! - `select` picks at random among ready cases, as crossbeam's `select!`
//!   does (its documentation says so; [`go::select_split`] measures it);
//! - a Go channel is never closed by going out of scope: the ports keep a
//!   sender alive for as long as any worker runs, as the goroutines keep
//!   the Go channel alive;
//! - receiving from a closed Go channel yields the zero value at once
//!   (`msg.unwrap_or_default()` here);
//! - `ctx.Done()` is a channel that never carries a message and becomes
//!   ready, for ever, when `cancel` drops its only sender.
//!
//! The seeds leave some pieces undefined (`processJob`, `updateMetrics`,
//! `Job`, `Result`, `process`): the ports take them from the caller, and
//! say where.

pub mod async_io;
pub mod go;
pub mod handle_requests;
pub mod high_performance_pool;
pub mod pipeline;
