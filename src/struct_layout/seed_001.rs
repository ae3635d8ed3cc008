//! Seed 001 §6.1.1.5.2 (L357-383), "memory alignment": an
//! `UnoptimizedStruct {a bool, b int64, c bool, d int32}` and an
//! `OptimizedStruct {b int64, d int32, a bool, c bool}`, with
//! `alignmentExample` printing both sizes. Unlike seed 000's pair, this
//! reordering does pay in Go: 24 → 16 bytes.
//!
//! Here: the pair in `repr(C)` (Go's rule) and in the default representation,
//! where rustc reorders fields itself so that the two orders cost the same,
//! and the check for C001-25, which also counts the bytes a `Vec` of 1,000
//! of each asks the allocator for.

use super::field_map::{TypeLayout, type_layout};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::alloc;
use crate::table::format_value;
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

/// C001-25: reordering `{bool, int64, bool, int32}` to `{int64, int32, bool,
/// bool}` shrinks the struct.
pub fn check_c001_25(_: &Ctx) -> Result<Finding, CheckError> {
    let ls = layouts();
    let mut ev = Evidence::new(format!(
        "size_of of this build; Vec::with_capacity({ELEMENTS}) bytes from the counting \
         allocator; repr(C) is Go's layout rule, the default repr is this rustc's choice"
    ));
    let [uc, oc, ur, or] = ls.each_ref().map(|l| {
        ev.add(format!("size_of {} ({})", l.name, l.repr), l.size as f64, Unit::Bytes)
    });
    let vec_uc = ev.add(
        "Vec of 1000 UnoptimizedC",
        vec_bytes::<UnoptimizedC>() as f64,
        Unit::Bytes,
    );
    let vec_oc =
        ev.add("Vec of 1000 OptimizedC", vec_bytes::<OptimizedC>() as f64, Unit::Bytes);
    let rust_order = ls[2].memory_order().join(", ");
    ev.add(
        "default repr kept the declared order",
        (rust_order == "a, b, c, d") as u8 as f64,
        Unit::Bool,
    );
    let (shrinks_c, shrinks_rust) = (oc < uc, or < ur);
    let verdict = match (shrinks_c, shrinks_rust) {
        (true, true) => Verdict::Confirmed,
        (true, false) => Verdict::unruled_holds_only_when(format!(
            "the struct is repr(C), as in Go ({uc} → {oc} B); under the default repr \
             rustc already reorders the fields (memory order {rust_order}), so both \
             orders are {ur} and {or} B and reordering by hand saves nothing"
        )),
        (false, true) => Verdict::unruled_holds_only_when(format!(
            "the struct uses the default repr ({ur} → {or} B); under repr(C) both are \
             {uc} and {oc} B"
        )),
        (false, false) => Verdict::Refuted,
    };
    let summary = format!(
        "repr(C) {uc} → {oc} B ({} → {} B per {ELEMENTS} in a Vec); default repr \
         {ur} → {or} B",
        format_value(vec_uc, Unit::Count),
        format_value(vec_oc, Unit::Count),
    );
    Ok(Finding::new(verdict, summary, ev))
}
