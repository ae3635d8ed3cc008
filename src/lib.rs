//! perf-workbook: the Go performance guides' claims, re-checked in Rust on this machine.
//!
//! The crate has three layers (see `book/src/introduction.md`):
//!
//! - [`measure`]: instruments (counting allocator, per-thread OS counters,
//!   statistics, child processes, machine info). Knows nothing of chapters.
//! - [`claims`]: the ledger of claims and defects, verdicts, and renderers.
//!   Knows nothing of chapters either.
//! - one module per chapter (`measuring`, `struct_layout`, …): the subject and
//!   its claim checks, registered in [`chapters::CHAPTERS`].

pub mod chapters;
pub mod claims;
pub mod cli;
pub mod measure;
pub mod runner;

pub mod lock_free_ring;
pub mod measuring;
pub mod struct_layout;
