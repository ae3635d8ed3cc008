//! The chapter's claim checks, one function per ledger id, grouped by topic.
//! Each measures, records its figures as evidence, and computes its verdict
//! from them. Experiments several checks read (the size sweep, the zero-page
//! run) are measured once per process and size class and shared.

pub(super) mod alloc;
pub(super) mod api;
pub(super) mod lifetime;
pub(super) mod paging;
pub(super) mod worth;

use crate::claims::{CheckError, Ctx, Evidence};
use crate::measure::machine;

/// 1 MiB.
pub(super) const MIB: usize = 1 << 20;
/// 1 GiB.
pub(super) const GIB: usize = 1 << 30;

/// Base pages in `n` bytes.
pub(super) fn pages(n: usize) -> u64 {
    n.div_ceil(machine::page_size() as usize) as u64
}

/// The first touch of `n` bytes was lazy: at least one fault per 2 MiB
/// (transparent huge pages) and at most one per page plus slack.
pub(super) fn faults_look_lazy(faults: u64, n: usize) -> bool {
    let (lo, hi) = super::paging::fault_bounds(n, 64);
    faults >= lo.max(1) && faults <= hi
}

/// Nothing was faulted in: under 64 faults, whatever the size.
pub(super) fn untouched(faults: u64) -> bool {
    faults < 64
}

/// `n` bytes as `1 GiB`, `64 MiB`, …
pub(super) fn size(n: usize) -> String {
    crate::table::format_bytes(n as f64)
}

/// `1.50 µs`, …
pub(super) fn nanos(ns: f64) -> String {
    crate::table::format_nanos(ns)
}

/// The conditions every check states: build, page size, THP mode, and what
/// the check adds.
pub(super) fn condition(ctx: &Ctx, what: &str) -> String {
    let thp = machine::thp_mode().unwrap_or_else(|| "n/a".into());
    format!(
        "{what}; {} build, page {} B, THP {thp}{}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        machine::page_size(),
        if ctx.quick { ", --quick sizes" } else { "" }
    )
}

/// Starts evidence with [`condition`].
pub(super) fn evidence(ctx: &Ctx, what: &str) -> Evidence {
    Evidence::new(condition(ctx, what))
}

/// A non-Linux stub for checks that need Linux.
#[allow(dead_code)]
pub(super) fn linux_only(what: &str) -> CheckError {
    CheckError::requires_linux(what)
}

/// `23.5 GiB`, `640.0 MiB`: a size that need not be round.
pub(super) fn approx_size(bytes: f64) -> String {
    if bytes >= GIB as f64 {
        format!("{:.1} GiB", bytes / GIB as f64)
    } else {
        format!("{:.1} MiB", bytes / MIB as f64)
    }
}

/// `1 fault`, `2 faults`.
pub(super) fn faults(n: u64) -> String {
    if n == 1 { "1 fault".into() } else { format!("{n} faults") }
}
