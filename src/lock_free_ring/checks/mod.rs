//! The claim checks of chapter 6, in ledger order: what each measures (a
//! function returning evidence, reading `figures.rs`) and the rule that
//! decides (a `Rule` beside it).
//!
//! | file | claims |
//! |---|---|
//! | [`safety`] | C000-18, D16, D17: one producer and one consumer, or several |
//! | [`capacity`] | C000-19, D15: what a fresh ring holds |
//! | [`speed`] | C000-20, D18: faster than locking; head and tail on one line |

pub mod capacity;
pub mod safety;
pub mod speed;

use crate::claims::Check;

/// Claim checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C000-18", safety::c000_18_only_spsc_is_safe, &safety::C000_18),
    Check::measured("C000-19", capacity::c000_19_capacity, &capacity::C000_19),
    Check::measured("C000-20", speed::c000_20_faster_than_locking, &speed::C000_20),
    Check::measured("D15", capacity::d15_size_zero_and_one, &capacity::D15),
    Check::measured("D16", safety::d16_two_producers, &safety::D16),
    Check::measured("D17", safety::d17_slot_access, &safety::D17),
    Check::measured("D18", speed::d18_false_sharing, &speed::D18),
];
