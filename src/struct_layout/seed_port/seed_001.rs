//! Seed 001 §6.1.1.5.2 (L357-383), "memory alignment": an
//! `UnoptimizedStruct {a bool, b int64, c bool, d int32}` and an
//! `OptimizedStruct {b int64, d int32, a bool, c bool}`, with
//! `alignmentExample` printing both sizes. Unlike seed 000's pair, this
//! reordering does pay in Go: 24 → 16 bytes.
//!
//! Here: the pair in `repr(C)` (Go's rule) and in the default representation,
//! where rustc reorders fields itself so that the two orders cost the same.
//! The check for C001-25 (`checks/layout.rs`) also counts the bytes a `Vec`
//! of 1,000 of each asks the allocator for ([`vec_bytes`]).

use crate::measure::alloc;
use crate::struct_layout::field_map::{TypeLayout, type_layout};
use core::mem::{offset_of, size_of};
use static_assertions::{const_assert, const_assert_eq};

// ANCHOR: seed_001_structs
/// Seed 001's `UnoptimizedStruct`, in Go's field order and layout rule.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UnoptimizedC {
    pub a: bool,
    pub b: i64,
    pub c: bool,
    pub d: i32,
}

/// Seed 001's `OptimizedStruct`: largest alignment first.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OptimizedC {
    pub b: i64,
    pub d: i32,
    pub a: bool,
    pub c: bool,
}

/// `UnoptimizedStruct` in the default representation: no `repr` at all.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UnoptimizedRust {
    pub a: bool,
    pub b: i64,
    pub c: bool,
    pub d: i32,
}
// ANCHOR_END: seed_001_structs

/// `OptimizedStruct` in the default representation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OptimizedRust {
    pub b: i64,
    pub d: i32,
    pub a: bool,
    pub c: bool,
}

// ANCHOR: seed_001_asserts
// Guaranteed by repr(C): 1 + 7 (pad) + 8 + 1 + 3 (pad) + 4 = 24, and
// 8 + 4 + 1 + 1 + 2 (tail pad) = 16.
const_assert_eq!(size_of::<UnoptimizedC>(), 24);
const_assert_eq!(offset_of!(UnoptimizedC, b), 8);
const_assert_eq!(offset_of!(UnoptimizedC, d), 20);
const_assert_eq!(size_of::<OptimizedC>(), 16);
// Guaranteed for the default repr: 14 bytes of fields, alignment ≥ 8.
const_assert!(size_of::<UnoptimizedRust>() >= 16);
// ANCHOR_END: seed_001_asserts

/// The four layouts: `UnoptimizedC`, `OptimizedC`, `UnoptimizedRust`, `OptimizedRust`.
pub fn layouts() -> [TypeLayout; 4] {
    [
        type_layout!("repr(C)", UnoptimizedC { a: bool, b: i64, c: bool, d: i32 }),
        type_layout!("repr(C)", OptimizedC { b: i64, d: i32, a: bool, c: bool }),
        type_layout!(
            "default repr",
            UnoptimizedRust { a: bool, b: i64, c: bool, d: i32 }
        ),
        type_layout!("default repr", OptimizedRust { b: i64, d: i32, a: bool, c: bool }),
    ]
}

/// Elements per `Vec` in the allocation figures (the ledger's "per 1000").
pub const ELEMENTS: usize = 1000;

/// Bytes the allocator is asked for by `Vec::<T>::with_capacity(ELEMENTS)`,
/// measured with the counting allocator (panics if it is not installed).
pub fn vec_bytes<T>() -> u64 {
    let (v, counts) = alloc::measure(|| Vec::<T>::with_capacity(ELEMENTS));
    drop(std::hint::black_box(v));
    counts.bytes_requested
}
