//! Chapter 7, "mmap and large buffers": what a 1 GiB buffer really costs in
//! Rust, and where the cost goes.
//!
//! Seed 004 reports that `make([]byte, 1GB)` takes 1595 ms and an mmap'd
//! buffer 0 ms. In Rust, `vec![0u8; n]` is already lazy (`alloc_zeroed` →
//! `calloc` → fresh zero pages), so allocation costs microseconds either way;
//! the real cost, one page fault per page, arrives at first touch. This
//! module measures that, size by size, and shows what removes or moves it.
//!
//! - [`buf`]: [`MmapBuf`], an owned anonymous mapping (populate, huge pages,
//!   `MADV_DONTNEED`), and [`Reservation`] (address space only).
//! - [`sizes`]: allocation strategies and their cost across sizes.
//! - [`paging`]: zero page, demand paging, prefaulting, huge pages.
//! - [`recycle`]: when glibc does zero at allocation (recycled chunks).
//! - [`lifetime`]: the seed's finalizer bug, RAII, and who sees a leak.
//! - [`fallback`]: failing huge allocations as values, not aborts.
//! - [`file`]: file mappings (memmap2), SIGBUS on truncation.
//! - [`report`]: the example's size table and SVG plot.
//! - [`flags`]: shared vs private, `MAP_FIXED` vs `MAP_FIXED_NOREPLACE`,
//!   reservations, NUMA and portability.
//!
//! Not for: allocator tuning (a later chapter) or zero-copy I/O (chapter 1).
//! Linux is assumed for most experiments; the checks say so elsewhere.

pub mod buf;
mod checks;
pub mod fallback;
pub mod file;
pub mod flags;
pub mod lifetime;
pub mod paging;
pub mod recycle;
pub mod report;
pub mod sizes;

pub use buf::{MapError, MapOptions, MmapBuf, Reservation};
pub use checks::alloc::{Sweep, SweepRow, sweep};

use crate::claims::Check;
use crate::measure::child::ChildMode;
use checks::{alloc as a, api as f, lifetime as l, paging as p, worth as w};

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check { id: "C001-27", run: f::c001_27 },
    Check { id: "C004-01", run: a::c004_01 },
    Check { id: "C004-02", run: a::c004_02 },
    Check { id: "C004-03", run: a::c004_03 },
    Check { id: "C004-04", run: a::c004_04 },
    Check { id: "C004-06", run: a::c004_06 },
    Check { id: "C004-07", run: a::c004_07 },
    Check { id: "C004-08", run: p::c004_08 },
    Check { id: "C004-09", run: p::c004_09 },
    Check { id: "C004-10", run: p::c004_10 },
    Check { id: "C004-11", run: p::c004_11 },
    Check { id: "C004-12", run: l::c004_12 },
    Check { id: "C004-13", run: l::c004_13 },
    Check { id: "C004-14", run: l::c004_14 },
    Check { id: "C004-15", run: w::c004_15 },
    Check { id: "C004-17", run: a::c004_17 },
    Check { id: "C004-22", run: l::c004_22 },
    Check { id: "C004-23", run: l::c004_23 },
    Check { id: "C004-24", run: l::c004_24 },
    Check { id: "C004-25", run: f::c004_25 },
    Check { id: "C004-26", run: f::c004_26 },
    Check { id: "C004-29", run: p::c004_29 },
    Check { id: "C004-30", run: p::c004_30 },
    Check { id: "C004-31", run: p::c004_31 },
    Check { id: "C004-32", run: f::c004_32 },
    Check { id: "C004-33", run: w::c004_33 },
    Check { id: "C004-34", run: w::c004_34 },
    Check { id: "C004-35", run: w::c004_35 },
    Check { id: "C004-36", run: l::c004_36 },
    Check { id: "C004-37", run: f::c004_37 },
    Check { id: "C004-38", run: p::c004_38 },
    Check { id: "C004-39", run: p::c004_39 },
    Check { id: "C004-40", run: p::c004_40 },
    Check { id: "D37", run: f::d37 },
    Check { id: "D60", run: l::d60 },
    Check { id: "D61", run: l::d61 },
    Check { id: "D66", run: l::d66 },
    Check { id: "D67", run: f::d67 },
    Check { id: "D68", run: p::d68 },
    Check { id: "D69", run: p::d69 },
    Check { id: "D70", run: f::d70 },
];

/// Code the checks run in a child process: the crashes and the fresh-glibc loop.
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: recycle::CHILD_RECYCLE, run: recycle::child_recycle },
    ChildMode { name: lifetime::CHILD_FINALIZER, run: lifetime::child_use_after_unmap },
    ChildMode { name: fallback::CHILD_FALLBACK, run: fallback::child_fallback },
    ChildMode { name: file::CHILD_SIGBUS, run: file::child_truncated_file },
];
