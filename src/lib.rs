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

// On other systems the Linux-only measurements are compiled out, which leaves
// some imports and helpers of the shared code unused there.
#![cfg_attr(not(target_os = "linux"), allow(unused_imports, unused_mut, dead_code))]

pub mod book;
pub mod chapters;
pub mod claims;
pub mod cli;
pub mod go_side;
pub mod measure;
pub mod runner;
pub mod selection;
pub mod table;

pub mod escape_heap;
pub mod lock_free_ring;
pub mod mark_sweep;
pub mod measuring;
pub mod mmap;
pub mod pools;
pub mod struct_layout;
pub mod worker_pools;
pub mod zero_copy;
