//! The chapter's claim checks, in ledger order. Each is two halves: a
//! measure function (`cNNN_NN_what`, `dNN_what`) that reads
//! [`super::figures`] and records evidence, and a rule (`CNNN_NN`, `DNN`)
//! that decides from that evidence alone. Claims that are facts of Go's
//! runtime (its GC percentage, its soft memory limit, its pause targets) are
//! static here, with the Rust analogue measured; the Go side measures Go.
//!
//! | file | claims |
//! |---|---|
//! | [`knobs`] | the GC percentage, knobs in `init()`: C000-11, C001-20, C003-33, D59 |
//! | [`limits`] | the memory limit: C000-12, C001-21, C001-42 |
//! | [`forced`] | `runtime.GC()` and `FreeOSMemory()` by hand: C000-13, C001-22, D12, D34 |
//! | [`fragmentation`] | pools against fragmentation: C001-41 |
//! | [`stalls`] | pauses and stalls: C003-03, C003-40 |

mod forced;
mod fragmentation;
mod knobs;
mod limits;
mod stalls;

use crate::claims::{Check, Ctx, Evidence};
use crate::measure::machine;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::fixed("C000-11", knobs::gc_percent, Some(knobs::trim_threshold_analogue)),
    Check::fixed("C000-12", limits::memory_limit, Some(limits::limit_analogue)),
    Check::measured("C000-13", forced::c000_13_forced_gc, &forced::C000_13),
    Check::fixed("C001-20", knobs::gc_percent, Some(knobs::trim_threshold_analogue)),
    Check::fixed("C001-21", limits::memory_limit, Some(limits::limit_analogue)),
    Check::measured("C001-22", forced::c001_22_free_os_memory, &forced::C001_22),
    Check::measured("C001-41", fragmentation::c001_41_pools, &fragmentation::C001_41),
    Check::fixed("C001-42", limits::memory_limit, Some(limits::limit_analogue)),
    Check::fixed("C003-03", stalls::pause_target, Some(stalls::drop_analogue)),
    Check::fixed("C003-33", knobs::knobs_in_init, Some(knobs::init_analogue)),
    Check::fixed("C003-40", stalls::gc_stalls, Some(stalls::stall_analogue)),
    Check::measured("D12", forced::d12_forced_gc, &forced::D12),
    Check::measured("D34", forced::d34_mislabelled, &forced::D34),
    Check::measured("D59", knobs::d59_init_overrides, &knobs::D59),
];

/// The conditions every check states: build, sizes, and what it adds.
fn evidence(ctx: &Ctx, what: &str) -> Evidence {
    let s = super::figures::sizes(ctx);
    Evidence::new(format!(
        "{what}; {} build, {}, {} blocks of 1000 B{}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        machine::MachineInfo::collect().libc,
        s.blocks,
        if ctx.quick { ", --quick sizes" } else { "" }
    ))
}

/// A yes/no figure.
fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}
