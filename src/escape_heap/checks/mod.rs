//! The chapter's claim checks, in ledger order: each a measuring function
//! (reading [`super::figures`]) and a rule that decides from its evidence
//! alone, or a static verdict with its measured Rust analogue.
//!
//! | file | claims |
//! |---|---|
//! | [`escape`] | C001-03 … C001-13, C003-07, D29, D30: escape cases, allocation |
//! | [`growth`] | C001-35, C001-37, C003-12 … C003-18, D45, D53: growth, strings |
//! | [`retention`] | C001-39, C003-19 … C003-21, C003-27, C003-28, D46, D54, D56 |
//! | [`values`] | C001-23, C003-22 … C003-24: values, boxes, drops |
//!
//! The binary that runs them must install the counting allocator (the
//! `workbook` CLI and the chapter's example do); a check panics otherwise.

pub mod escape;
pub mod growth;
pub mod retention;
pub mod values;

use crate::claims::Check;
use escape as e;
use growth as g;
use retention as r;
use values as v;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C001-03", e::c001_03_alignment, &e::C001_03),
    Check::measured("C001-04", e::c001_04_local, &e::C001_04),
    Check::measured("C001-05", e::c001_05_box, &e::C001_05),
    Check::fixed("C001-06", e::c001_06_go_escape_analysis, Some(e::c001_06_analogue)),
    Check::fixed("C001-07", e::c001_07_go_storage, Some(e::c001_07_analogue)),
    Check::fixed("C001-08", e::c001_08_go_definition, Some(e::c001_08_analogue)),
    Check::fixed("C001-09", e::c001_09_go_return_pointer, Some(e::c001_09_analogue)),
    Check::fixed("C001-10", e::c001_10_go_closures, Some(e::c001_10_analogue)),
    Check::measured("C001-11", e::c001_11_trait_objects, &e::C001_11),
    Check::measured("C001-12", e::c001_12_runtime_size, &e::C001_12),
    Check::measured("C001-13", e::c001_13_return_value, &e::C001_13),
    Check::fixed("C001-23", v::c001_23_go_gc_stats, Some(v::c001_23_analogue)),
    Check::measured("C001-35", g::c001_35_preallocate, &g::C001_35),
    Check::measured("C001-37", g::c001_37_one_buffer, &g::C001_37),
    Check::fixed("C001-39", r::c001_39_go_nil, Some(r::c001_39_analogue)),
    Check::fixed("C003-07", e::c003_07_go_gcflags, Some(e::c003_07_analogue)),
    Check::measured("C003-12", g::c003_12_repeated_growth, &g::C003_12),
    Check::measured("C003-13", g::c003_13_index_fill, &g::C003_13),
    Check::measured("C003-14", g::c003_14_cut, &g::C003_14),
    Check::measured("C003-15", g::c003_15_plus_assign, &g::C003_15),
    Check::measured("C003-16", g::c003_16_builder, &g::C003_16),
    Check::measured("C003-17", g::c003_17_pooled, &g::C003_17),
    Check::measured("C003-18", g::c003_18_string_cut, &g::C003_18),
    Check::measured("C003-19", r::c003_19_view_pins, &r::C003_19),
    Check::measured("C003-20", r::c003_20_copy_frees, &r::C003_20),
    Check::measured("C003-21", r::c003_21_capped_view, &r::C003_21),
    Check::fixed("C003-22", v::c003_22_go_gc_scan, Some(v::c003_22_analogue)),
    Check::measured("C003-23", v::c003_23_values_faster, &v::C003_23),
    Check::measured("C003-24", v::c003_24_pass_by_pointer, &v::C003_24),
    Check::measured("C003-27", r::c003_27_big_value, &r::C003_27),
    Check::measured("C003-28", r::c003_28_pointer_or_id, &r::C003_28),
    Check::fixed("D29", e::d29_go_compiler, Some(e::d29_analogue)),
    Check::measured("D30", e::d30_undefined_size, &e::D30),
    Check::measured("D45", g::d45_no_reset, &g::D45),
    Check::fixed("D46", r::d46_go_unused, Some(r::d46_analogue)),
    Check::measured("D53", g::d53_deferred_put, &g::D53),
    Check::measured("D54", r::d54_wrong_fix, &r::D54),
    Check::measured("D56", r::d56_string_keys, &r::D56),
];
