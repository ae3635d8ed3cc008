//! Chapter 2, struct layout: where the bytes of a struct go, and why it
//! matters once data leaves the cache.
//!
//! | module | what it is | claims |
//! |---|---|---|
//! | [`field_map`] | a struct's bytes, field by field, as the compiler placed them | |
//! | [`seed_port`] | seed 000's "optimized" pair and seed 001's reordering | C000-08..10, C001-25, D10 |
//! | [`representations`] | niches, enums, `repr(packed)`, `repr(align)` | |
//! | [`hierarchy`], [`disk`] | load latency from L1 to RAM, and a disk read | C001-01 |
//! | [`locality`] | row vs column, AoS vs SoA, blocked passes | C001-02 |
//! | [`false_sharing`] | two threads, two counters, one cache line | C001-02 |
//! | [`go_vet`] | seed 000's import order, put to Go's toolchain | D11 |
//! | [`figures`] | every measurement, once per run | |
//! | [`tables`] | what the example prints | |
//! | [`checks`] | the claim checks and their rules | all |
//!
//! Not covered: SIMD layout, `repr(transparent)` beyond exercise 4, the
//! layout of trait objects, and atomics' orderings (the lock-free ring
//! chapter).

pub mod checks;
pub mod false_sharing;
pub mod field_map;
pub mod figures;
pub mod go_vet;
pub mod hierarchy;
pub mod locality;
pub mod representations;
pub mod seed_port;
pub mod tables;

#[cfg(target_os = "linux")]
pub mod disk;

use crate::measure::child::ChildMode;

pub use checks::CHECKS;

/// Nothing in this chapter crashes on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
