//! The chapter's claim checks, in ledger order: what each measures (a
//! function returning evidence) and the rule that decides (a `Rule` beside
//! it).
//!
//! | file | claims |
//! |---|---|
//! | [`layout`] | C000-08, C000-09, C000-10, C001-25, D10 |
//! | [`caches`] | C001-01, C001-02 |
//! | [`go_grammar`] | D11 |

pub mod caches;
pub mod go_grammar;
pub mod layout;

use crate::claims::Check;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured(
        "C000-08",
        layout::c000_08_optimized_is_smaller,
        &layout::REORDERING_SHRINKS,
    ),
    Check::measured("C000-09", layout::c000_09_padding_after_active, &layout::C000_09),
    Check::measured("C000-10", layout::c000_10_padding_before_id, &layout::C000_10),
    Check::measured("C001-01", caches::c001_01_hierarchy, &caches::C001_01),
    Check::measured("C001-02", caches::c001_02_locality, &caches::C001_02),
    Check::measured(
        "C001-25",
        layout::c001_25_reordering_shrinks,
        &layout::REORDERING_SHRINKS,
    ),
    Check::measured("D10", layout::d10_saves_nothing, &layout::D10),
    Check::measured("D11", go_grammar::d11_listing_does_not_compile, &go_grammar::D11),
];
