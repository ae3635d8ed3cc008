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
    Check::legacy("C001-27", f::c001_27),
    Check::legacy("C004-01", a::c004_01),
    Check::legacy("C004-02", a::c004_02),
    Check::legacy("C004-03", a::c004_03),
    Check::legacy("C004-04", a::c004_04),
    Check::legacy("C004-06", a::c004_06),
    Check::legacy("C004-07", a::c004_07),
    Check::legacy("C004-08", p::c004_08),
    Check::legacy("C004-09", p::c004_09),
    Check::legacy("C004-10", p::c004_10),
    Check::legacy("C004-11", p::c004_11),
    Check::legacy("C004-12", l::c004_12),
    Check::legacy("C004-13", l::c004_13),
    Check::legacy("C004-14", l::c004_14),
    Check::legacy("C004-15", w::c004_15),
    Check::legacy("C004-17", a::c004_17),
    Check::legacy("C004-22", l::c004_22),
    Check::legacy("C004-23", l::c004_23),
    Check::legacy("C004-24", l::c004_24),
    Check::legacy("C004-25", f::c004_25),
    Check::legacy("C004-26", f::c004_26),
    Check::legacy("C004-29", p::c004_29),
    Check::legacy("C004-30", p::c004_30),
    Check::legacy("C004-31", p::c004_31),
    Check::legacy("C004-32", f::c004_32),
    Check::legacy("C004-33", w::c004_33),
    Check::legacy("C004-34", w::c004_34),
    Check::legacy("C004-35", w::c004_35),
    Check::legacy("C004-36", l::c004_36),
    Check::legacy("C004-37", f::c004_37),
    Check::legacy("C004-38", p::c004_38),
    Check::legacy("C004-39", p::c004_39),
    Check::legacy("C004-40", p::c004_40),
    Check::legacy("D37", f::d37),
    Check::legacy("D60", l::d60),
    Check::legacy("D61", l::d61),
    Check::legacy("D66", l::d66),
    Check::legacy("D67", f::d67),
    Check::legacy("D68", p::d68),
    Check::legacy("D69", p::d69),
    Check::legacy("D70", f::d70),
];

/// Code the checks run in a child process: the crashes and the fresh-glibc loop.
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: recycle::CHILD_RECYCLE, run: recycle::child_recycle },
    ChildMode { name: lifetime::CHILD_FINALIZER, run: lifetime::child_use_after_unmap },
    ChildMode { name: fallback::CHILD_FALLBACK, run: fallback::child_fallback },
    ChildMode { name: file::CHILD_SIGBUS, run: file::child_truncated_file },
];
