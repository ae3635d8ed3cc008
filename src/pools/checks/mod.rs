//! The chapter's checks, one per ledger id, in ledger order: whether pooling
//! pays ([`pay`]), what the seeds' pool code does ([`seed_code`]), and the
//! seed defects ([`defects`]). Each measured check reads [`super::figures`]
//! and is decided by the rule beside it; the static ones (a Go-runtime fact,
//! code the seed does not contain) carry their reason and measure the Rust
//! analogue where there is one.

mod defects;
mod pay;
mod seed_code;

pub(crate) use pay::PAYS_AT;

use crate::claims::Check;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C000-06", pay::c000_06_pool_reduces_allocations, &pay::POOL_PAYS),
    Check::measured("C000-07", seed_code::c000_07_buffer_pool_reset, &seed_code::C000_07),
    Check::measured("C001-14", seed_code::c001_14_not_tcmalloc, &seed_code::C001_14),
    Check::measured("C001-15", seed_code::c001_15_allocator_stats, &seed_code::C001_15),
    Check::measured("C001-24", seed_code::c001_24_channel_pool, &seed_code::C001_24),
    Check::measured("C001-28", seed_code::c001_28_tiered_pool, &seed_code::C001_28),
    Check::measured("C001-29", seed_code::c001_29_thread_local_pool, &seed_code::C001_29),
    Check::measured("C001-36", pay::c001_36_use_a_pool, &pay::POOL_PAYS),
    Check::fixed("C001-38", pay::c001_38_sync_pool, Some(pay::c001_38_analogue)),
    Check::fixed("C001-40", pay::c001_40_gc_pressure, Some(pay::c001_40_analogue)),
    Check::measured("C001-43", seed_code::c001_43_http_server, &seed_code::C001_43),
    Check::measured("C001-44", seed_code::c001_44_pipeline, &seed_code::C001_44),
    Check::fixed("C003-09", pay::c003_09_gc_pressure, Some(pay::c003_09_analogue)),
    Check::fixed("C003-10", pay::c003_10_generic_pool, Some(pay::c003_10_analogue)),
    Check::measured("C003-11", pay::c003_11_allocation_cut, &pay::C003_11),
    Check::fixed("C003-25", pay::c003_25_byte_pool, Some(pay::c003_25_analogue)),
    Check::fixed("C003-34", pay::c003_34_generic_pool_speed, Some(pay::c003_34_analogue)),
    Check::fixed("C003-35", pay::c003_35_pool_manager_speed, Some(pay::c003_35_analogue)),
    Check::fixed("D07", defects::d07_unused_import, Some(defects::d07_analogue)),
    Check::measured("D08", defects::d08_boxing_and_no_cap, &defects::D08),
    Check::measured("D09", defects::d09_reset_on_get, &defects::D09),
    Check::measured("D31", defects::d31_double_free, &defects::D31),
    Check::measured("D35", defects::d35_reset_on_a_copy, &defects::D35),
    Check::measured("D38", defects::d38_class_length, &defects::D38),
    Check::measured("D39", defects::d39_exact_length_free, &defects::D39),
    Check::measured("D40", defects::d40_global_thread_local_pool, &defects::D40),
    Check::measured("D47", defects::d47_stale_response, &defects::D47),
    Check::measured("D49", defects::d49_pipeline_length, &defects::D49),
    Check::fixed("D58", defects::d58_placeholder_snippet, None),
];
