//! Seed 000 §1.2.2 (L216-247), "memory alignment optimisation": an
//! `OptimizedStruct` `{ID int64, Active bool, Name [32]byte, Score float64,
//! Created int64}` beside an `UnoptimizedStruct` that moves `Active` to the
//! front, with padding comments on two fields and a `GetStructSize` that
//! prints both sizes.
//!
//! Here: the pair in `repr(C)` (fields in declaration order, each at the next
//! multiple of its alignment, which is also how Go's gc compiler lays out
//! these fields on amd64) and in Rust's default representation; the layout
//! facts that are guaranteed, asserted at compile time; and the checks for
//! C000-08, C000-09, C000-10, D10 and D11.
//!
//! How a claim is judged: a comment about where the Go struct's padding sits
//! is judged on `repr(C)`, the Rust representation with Go's layout rule.
//! A claim that reordering saves space is judged on both representations,
//! because the default one lets rustc reorder for you.

use super::field_map::{TypeLayout, type_layout};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};

// ANCHOR: seed_000_structs
/// Seed 000's `OptimizedStruct`, in Go's field order and layout rule.
#[repr(C)]
pub struct OptimizedC {
    pub id: i64,
    pub active: bool,
    pub name: [u8; 32],
    pub score: f64,
    pub created: i64,
}

/// Seed 000's `UnoptimizedStruct`: the same fields, `active` first.
#[repr(C)]
pub struct UnoptimizedC {
    pub active: bool,
    pub id: i64,
    pub name: [u8; 32],
    pub score: f64,
    pub created: i64,
}
// ANCHOR_END: seed_000_structs

/// `OptimizedStruct` under Rust's default representation: rustc may reorder.
pub struct OptimizedRust {
    pub id: i64,
    pub active: bool,
    pub name: [u8; 32],
    pub score: f64,
    pub created: i64,
}

/// `UnoptimizedStruct` under Rust's default representation.
pub struct UnoptimizedRust {
    pub active: bool,
    pub id: i64,
    pub name: [u8; 32],
    pub score: f64,
    pub created: i64,
}

// ANCHOR: use_after_items
// The seed imports `unsafe` after its type declarations, which Go rejects
// (D11). Rust accepts a `use` anywhere in a module, even here, after items.
use core::mem::{offset_of, size_of};
use static_assertions::{assert_eq_size, const_assert, const_assert_eq};
// ANCHOR_END: use_after_items

// ANCHOR: seed_000_asserts
// repr(C) guarantees these; the build fails if one is false.
const_assert_eq!(size_of::<OptimizedC>(), 64);
assert_eq_size!(OptimizedC, UnoptimizedC); // D10: the "optimization" saves 0 bytes
const_assert_eq!(offset_of!(OptimizedC, active), 8);
const_assert_eq!(offset_of!(OptimizedC, name), 9); // C000-09: no padding after `active`…
const_assert_eq!(offset_of!(OptimizedC, score), 48); // …the 7 bytes are at 41..48
const_assert_eq!(offset_of!(UnoptimizedC, id), 8); // C000-10: 7 bytes after `active`

// The default representation guarantees only aligned, non-overlapping fields
// and an alignment of at least 8 here. The fields add up to 57 bytes, and a
// size is a multiple of the alignment, so no reordering can go below 64:
const_assert!(size_of::<OptimizedRust>() >= 64);
const_assert!(size_of::<UnoptimizedRust>() >= 64);
// ANCHOR_END: seed_000_asserts

/// The four layouts, in the order `OptimizedC`, `UnoptimizedC`,
/// `OptimizedRust`, `UnoptimizedRust`.
pub fn layouts() -> [TypeLayout; 4] {
    [
        type_layout!(
            "repr(C)",
            OptimizedC {
                id: i64,
                active: bool,
                name: [u8; 32],
                score: f64,
                created: i64
            }
        ),
        type_layout!(
            "repr(C)",
            UnoptimizedC {
                active: bool,
                id: i64,
                name: [u8; 32],
                score: f64,
                created: i64
            }
        ),
        type_layout!(
            "default repr",
            OptimizedRust {
                id: i64,
                active: bool,
                name: [u8; 32],
                score: f64,
                created: i64
            }
        ),
        type_layout!(
            "default repr",
            UnoptimizedRust {
                active: bool,
                id: i64,
                name: [u8; 32],
                score: f64,
                created: i64
            }
        ),
    ]
}

/// The sizes of the four layouts into `ev`; returns them in `layouts()` order.
fn record_sizes(ev: &mut Evidence, ls: &[TypeLayout; 4]) -> [usize; 4] {
    ls.each_ref().map(|l| {
        let name = format!("size_of {} ({})", l.name, l.repr);
        ev.add(name, l.size as f64, Unit::Bytes) as usize
    })
}

const CONDITION: &str = "size_of/offset_of! of this build; repr(C) uses Go's layout \
                         rule (declaration order, natural alignment); the default repr \
                         is whatever this rustc chose";

/// C000-08: is `OptimizedStruct` better laid out (smaller) than `UnoptimizedStruct`?
pub fn check_c000_08(_: &Ctx) -> Result<Finding, CheckError> {
    let ls = layouts();
    let mut ev = Evidence::new(CONDITION);
    let [oc, uc, or, ur] = record_sizes(&mut ev, &ls);
    let pad_c =
        ev.add("padding in OptimizedC", ls[0].padding_bytes() as f64, Unit::Bytes);
    let smaller = oc < uc || or < ur;
    let summary = if smaller {
        format!(
            "the reordering saves bytes: {uc} → {oc} B (repr(C)), {ur} → {or} B (default)"
        )
    } else {
        format!(
            "OptimizedStruct {oc} B vs UnoptimizedStruct {uc} B under repr(C) (Go's rule), \
             {or} vs {ur} B under the default repr: the reordering moves the {pad_c} \
             padding bytes instead of removing them"
        )
    };
    Ok(Finding::new(Verdict::confirmed_if(smaller), summary, ev))
}

/// C000-09: the comment says 7 bytes of padding follow `Active` in `OptimizedStruct`.
pub fn check_c000_09(_: &Ctx) -> Result<Finding, CheckError> {
    let opt_c = &layouts()[0];
    let mut ev = Evidence::new(CONDITION);
    ev.add("offset of active", opt_c.offset("active") as f64, Unit::Bytes);
    let name_at = ev.add("offset of name", opt_c.offset("name") as f64, Unit::Bytes);
    let after_active =
        ev.add("padding after active", opt_c.padding_after("active") as f64, Unit::Bytes);
    let after_name =
        ev.add("padding after name", opt_c.padding_after("name") as f64, Unit::Bytes);
    let name_end = opt_c.field("name").map_or(0, |f| f.bytes.end);
    let summary = format!(
        "`name` ([u8; 32], align 1) starts at offset {name_at}, so {after_active} bytes \
         of padding follow `active`; the {after_name} padding bytes sit after `name` \
         ({name_end}..{})",
        name_end + after_name as usize
    );
    Ok(Finding::new(Verdict::confirmed_if(after_active == 7.0), summary, ev))
}

/// C000-10: the comment says `ID` needs 7 bytes of padding in `UnoptimizedStruct`.
pub fn check_c000_10(_: &Ctx) -> Result<Finding, CheckError> {
    let ls = layouts();
    let (unopt_c, unopt_rust) = (&ls[1], &ls[3]);
    let mut ev = Evidence::new(CONDITION);
    let id_at =
        ev.add("offset of id (repr(C))", unopt_c.offset("id") as f64, Unit::Bytes);
    let before = ev.add(
        "padding before id (repr(C))",
        unopt_c.padding_before("id") as f64,
        Unit::Bytes,
    );
    let id_rust = ev.add(
        "offset of id (default repr)",
        unopt_rust.offset("id") as f64,
        Unit::Bytes,
    );
    let before_rust = ev.add(
        "padding before id (default repr)",
        unopt_rust.padding_before("id") as f64,
        Unit::Bytes,
    );
    let summary = format!(
        "in Go's layout (repr(C)) `id` sits at offset {id_at} after {before} bytes of \
         padding; under the default repr rustc put `id` at {id_rust} with {before_rust} \
         bytes before it"
    );
    Ok(Finding::new(Verdict::confirmed_if(before == 7.0), summary, ev))
}

/// D10: the "optimized" struct is no smaller than the "unoptimized" one.
pub fn check_d10(_: &Ctx) -> Result<Finding, CheckError> {
    let ls = layouts();
    let mut ev = Evidence::new(CONDITION);
    let [oc, uc, or, ur] = record_sizes(&mut ev, &ls);
    let saved_c = ev.add("bytes saved (repr(C))", uc as f64 - oc as f64, Unit::Bytes);
    let saved_rust =
        ev.add("bytes saved (default repr)", ur as f64 - or as f64, Unit::Bytes);
    let reproduced = saved_c <= 0.0 && saved_rust <= 0.0;
    let summary = format!(
        "the \"optimization\" saves {saved_c} bytes in Go's layout ({uc} → {oc} B) and \
         {saved_rust} under the default repr ({ur} → {or} B); seed 001's pair (C001-25) \
         is where reordering pays"
    );
    Ok(Finding::new(Verdict::confirmed_if(reproduced), summary, ev))
}

/// D11: the seed's listing puts `import "unsafe"` after its type declarations
/// and uses `fmt` without importing it. A Go syntax error: nothing to run.
pub fn check_d11(_: &Ctx) -> Result<Finding, CheckError> {
    let verdict = Verdict::not_applicable(
        "A Go compile error: the Go spec's SourceFile grammar puts every import \
         before the first top-level declaration, and `fmt` is never imported. The \
         workbook compiles no Go, so nothing here can reproduce it.",
        "Rust accepts a `use` after items (src/struct_layout/seed_000.rs has one, on \
         purpose, and compiles); an unused import is a warning, a missing one an error.",
    );
    let ev = Evidence::new("no measurement: a statement about Go's grammar");
    Ok(Finding::new(
        verdict,
        "not reproducible without a Go compiler; see the reason",
        ev,
    ))
}
