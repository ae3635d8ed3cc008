//! The chapter's checks, one per ledger id, in ledger order: what the
//! seeds say about monitoring ([`claims`]) and their defects ([`defects`]).
//! Each measured check reads [`super::figures`] and is decided by the rule
//! beside it; the one static check (a Go runtime API) measures its Rust
//! analogue.

mod claims;
mod defects;

use crate::claims::Check;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::fixed(
        "C000-14",
        claims::c000_14_read_mem_stats,
        Some(claims::c000_14_analogue),
    ),
    Check::measured("C000-25", claims::c000_25_thread_safe, &claims::C000_25),
    Check::measured("C000-26", claims::c000_26_ticker_export, &claims::C000_26),
    Check::measured("C001-30", claims::c001_30_leak_detector, &claims::C001_30),
    Check::measured("C001-31", claims::c001_31_profiler, &claims::C001_31),
    Check::measured("C001-32", claims::c001_32_monitor_drops, &claims::C001_32),
    Check::measured("C002-14", claims::c002_14_watch_load, &claims::C002_14),
    Check::measured("C003-39", claims::c003_39_leak_causes, &claims::C003_39),
    Check::measured("D24", defects::d24_shallow_copy, &defects::D24),
    Check::measured("D25", defects::d25_no_stop, &defects::D25),
    Check::measured("D26", defects::d26_label_aliasing, &defects::D26),
    Check::measured("D41", defects::d41_detector_leaks, &defects::D41),
    Check::measured("D42", defects::d42_second_stop, &defects::D42),
    Check::measured("D48", defects::d48_no_get_stats, &defects::D48),
    Check::measured("D77", defects::d77_last_write_wins, &defects::D77),
    Check::measured("D78", defects::d78_newest_dropped, &defects::D78),
];

/// 1.0 for true, 0.0 for false.
pub(crate) fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}
