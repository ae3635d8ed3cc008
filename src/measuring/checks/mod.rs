//! The chapter's claim checks, one per ledger id, in ledger order: each a
//! measure function and a rule, or a static verdict with its measured
//! analogue.
//!
//! | file | claims |
//! |---|---|
//! | [`benchmarks`] | the seeds' benchmark loops: C000-27, C000-28, C001-33, C001-34, C003-26, D27, D28, D43, D44, D55 |
//! | [`tools`] | seed 003's tooling, targets and tables: C003-01 … C003-42 |
//! | [`seed_004`] | seed 004's measurements: C004-16 … C004-41, D62 … D65 |

pub mod benchmarks;
pub mod seed_004;
pub mod tools;

use crate::claims::Check;
use benchmarks as b;
use seed_004 as s;
use tools as t;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::fixed("C000-27", b::c000_27_helpers_undefined, Some(b::c000_27_analogue)),
    Check::measured("C000-28", b::c000_28_pool_vs_direct, &b::C000_28),
    Check::measured("C001-33", b::c001_33_make_1024, &b::C001_33),
    Check::measured("C001-34", b::c001_34_pools_cheap, &b::C001_34),
    Check::fixed("C003-01", t::c003_01_no_code, Some(t::c003_01_analogue)),
    Check::fixed("C003-02", t::c003_02_no_code, Some(t::c003_02_analogue)),
    Check::fixed("C003-04", t::c003_04_no_service, Some(t::c003_04_analogue)),
    Check::fixed("C003-05", t::c003_05_script_absent, Some(t::c003_05_analogue)),
    Check::fixed("C003-06", t::c003_06_pprof, Some(t::c003_06_analogue)),
    Check::measured("C003-08", t::c003_08_compare_runs, &t::C003_08),
    Check::measured("C003-26", b::c003_26_sub_ns_pool, &b::C003_26),
    Check::measured("C003-29", t::c003_29_checklist, &t::C003_29),
    Check::fixed("C003-32", t::c003_32_schedule, Some(t::c003_32_analogue)),
    Check::fixed("C003-36", t::c003_36_no_code, Some(t::c003_36_analogue)),
    Check::fixed("C003-37", t::c003_37_no_code, Some(t::c003_37_analogue)),
    Check::fixed("C003-38", t::c003_38_no_code, Some(t::c003_38_analogue)),
    Check::measured("C003-41", t::c003_41_baseline_and_profile, &t::C003_41),
    Check::fixed("C003-42", t::c003_42_goals, Some(t::c003_42_analogue)),
    Check::measured("C004-16", s::c004_16_alloc_table, &s::C004_16),
    Check::fixed("C004-18", s::c004_18_no_workload, Some(s::c004_18_analogue)),
    Check::fixed("C004-19", s::c004_19_no_workload, Some(s::c004_19_analogue)),
    Check::fixed("C004-20", s::c004_20_no_workload, Some(s::c004_20_analogue)),
    Check::measured("C004-21", s::c004_21_stability, &s::C004_21),
    Check::measured("C004-27", s::c004_27_history, &s::C004_27),
    Check::fixed("C004-28", s::c004_28_no_workload, Some(s::c004_28_analogue)),
    Check::measured("C004-41", s::c004_41_infinite_gain, &s::C004_41),
    Check::measured("D27", b::d27_client_timed, &b::D27),
    Check::measured("D28", b::d28_direct_deleted, &b::D28),
    Check::measured("D43", b::d43_measures_nothing, &b::D43),
    Check::measured("D44", b::d44_boxing_pool_allocates, &b::D44),
    Check::measured("D55", b::d55_empty_loop, &b::D55),
    Check::measured("D62", s::d62_rows_without_mmap, &s::D62),
    Check::measured("D63", s::d63_ms_timer, &s::D63),
    Check::measured("D64", s::d64_small_sd, &s::D64),
    Check::measured("D65", s::d65_part_exceeds_whole, &s::D65),
];
