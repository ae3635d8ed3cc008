//! Chapter 2, struct layout: where the bytes of a struct go, and why it
//! matters once data leaves the cache.
//!
//! | module | what it shows | claims |
//! |---|---|---|
//! | [`field_map`] | a struct's bytes, field by field, as the compiler placed them | |
//! | [`seed_000`] | seed 000's "optimized" pair: 64 = 64 bytes | C000-08, C000-09, C000-10, D10, D11 |
//! | [`seed_001`] | seed 001's pair: 24 → 16 in `repr(C)`, 16 = 16 by default | C001-25 |
//! | [`representations`] | niches, enums, `repr(packed)`, `repr(align)` | |
//! | [`hierarchy`], [`disk`] | load latency from L1 to RAM, and a disk read | C001-01 |
//! | [`locality`] | row vs column, AoS vs SoA, blocked passes | C001-02 |
//! | [`false_sharing`] | two threads, two counters, one cache line | C001-02 |
//!
//! Not covered: SIMD layout, `repr(transparent)`, the layout of trait
//! objects, and atomics' orderings (the lock-free ring chapter).

pub mod false_sharing;
pub mod field_map;
pub mod hierarchy;
pub mod locality;
pub mod representations;
pub mod seed_000;
pub mod seed_001;

#[cfg(target_os = "linux")]
pub mod disk;

use crate::claims::Check;
use crate::measure::child::ChildMode;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::legacy("C000-08", seed_000::check_c000_08),
    Check::legacy("C000-09", seed_000::check_c000_09),
    Check::legacy("C000-10", seed_000::check_c000_10),
    Check::legacy("C001-01", hierarchy::check_c001_01),
    Check::legacy("C001-02", locality::check_c001_02),
    Check::legacy("C001-25", seed_001::check_c001_25),
    Check::legacy("D10", seed_000::check_d10),
    Check::legacy("D11", seed_000::check_d11),
];

/// Nothing in this chapter crashes on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
