//! Chapter 7, "mmap and large buffers": what a 1 GiB buffer really costs in
//! Rust, and where the cost goes.
//!
//! Seed 004 reports that `make([]byte, 1GB)` takes 1595 ms and an mmap'd
//! buffer 0 ms. In Rust, `vec![0u8; n]` is already lazy (`alloc_zeroed` →
//! `calloc` → fresh zero pages), so allocation costs microseconds either way;
//! the real cost, one page fault per page, arrives at first touch. This
//! chapter measures that, size by size, and shows what removes or moves it.
//!
//! | file | what |
//! |---|---|
//! | [`buf`] | [`MmapBuf`], an owned anonymous mapping (populate, huge pages, `MADV_DONTNEED`), and [`Reservation`] (address space only) |
//! | [`sizes`] | six ways to get a buffer, the touch loop, their cost across sizes |
//! | [`paging`] | the zero page, demand paging, prefaulting, huge pages |
//! | [`residency`] | which pages of one range are resident (`mincore`, `/proc/self/pagemap`) |
//! | [`recycle`] | when glibc does zero at allocation (recycled chunks), short-lived buffers |
//! | [`lifetime`] | Rust ownership of a mapping, and who sees a leak |
//! | [`fallback`] | failing huge allocations as values, not aborts |
//! | [`file`] | file mappings (memmap2), SIGBUS on truncation |
//! | [`flags`] | shared vs private, `MAP_FIXED` vs `MAP_FIXED_NOREPLACE`, reservations, `#[cfg]` |
//! | [`numa`] | binding memory to a node; local against remote reads |
//! | [`seed_port`] | the seeds' code, ported faithfully (the finalizer, the fallback, the pre-warm loop, the file snippet) |
//! | [`figures`] | every measurement, once per run, for the tables and the checks |
//! | [`tables`] | what the example prints |
//! | [`plot`] | the first-touch SVG |
//! | `checks/` | the claim checks: a measure function and a rule each |
//!
//! Not for: allocator tuning (a later chapter) or zero-copy I/O (chapter 1).
//! Linux is assumed for most experiments; elsewhere they say "requires Linux".

pub mod buf;
mod checks;
pub mod fallback;
pub mod figures;
pub mod file;
pub mod flags;
pub mod lifetime;
pub mod numa;
pub mod paging;
pub mod plot;
pub mod recycle;
pub mod residency;
pub mod seed_port;
pub mod sizes;
pub mod tables;

pub use buf::{MapError, MapOptions, MmapBuf, Reservation};
pub use checks::CHECKS;

use crate::measure::child::ChildMode;

/// Code the checks run in a child process: the crashes and the fresh-glibc loop.
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: recycle::CHILD_RECYCLE, run: recycle::child_recycle },
    ChildMode { name: seed_port::CHILD_FINALIZER, run: seed_port::child_use_after_unmap },
    ChildMode { name: seed_port::CHILD_FALLBACK, run: seed_port::child_fallback },
    ChildMode { name: file::CHILD_SIGBUS, run: file::child_truncated_file },
];
