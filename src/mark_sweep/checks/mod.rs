//! The chapter's claim checks, in ledger order. Each measures (through
//! [`super::figures`], once per run) and a rule beside it decides.
//!
//! | file | claims |
//! |---|---|
//! | [`tracing`] | C001-16 (GC(H) = H − Unreachable(H)), C001-19 (sweep frees white) |
//! | [`colors`] | C001-17 (what the three colors mean), D33 (tri-color without a barrier is a mark bit) |
//! | [`recursion`] | C001-18 (the recursive marker), D32 (it never ends on a cycle) |
//! | [`noscan`] | C004-05 (the GC has to scan a large `[]byte`) |

pub mod colors;
pub mod noscan;
pub mod recursion;
pub mod tracing;

use crate::claims::Check;

/// The checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C001-16", tracing::c001_16_gc_definition, &tracing::C001_16),
    Check::measured("C001-17", colors::c001_17_color_definitions, &colors::C001_17),
    Check::measured("C001-18", recursion::c001_18_recursive_marker, &recursion::C001_18),
    Check::measured("C001-19", tracing::c001_19_sweep_frees_white, &tracing::C001_19),
    Check::measured("C004-05", noscan::c004_05_gc_scans_large_block, &noscan::C004_05),
    Check::measured("D32", recursion::d32_recursion_on_cycles, &recursion::D32),
    Check::measured("D33", colors::d33_tri_color_without_barrier, &colors::D33),
];
