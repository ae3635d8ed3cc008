//! Seed 000 §1.2.2 (L216-247), "memory alignment optimisation": an
//! `OptimizedStruct` `{ID int64, Active bool, Name [32]byte, Score float64,
//! Created int64}` beside an `UnoptimizedStruct` that moves `Active` to the
//! front, with padding comments on two fields and a `GetStructSize` that
//! prints both sizes.
//!
//! Here: the pair in `repr(C)` (fields in declaration order, each at the next
//! multiple of its alignment, which is also how Go's gc compiler lays out
//! these fields on amd64) and in Rust's default representation, and the
//! layout facts that are guaranteed, asserted at compile time. The checks
//! that read them (C000-08, C000-09, C000-10, D10) are in `checks/layout.rs`;
//! D11, the listing's import order, is in `checks/go_grammar.rs`.

use crate::struct_layout::field_map::{TypeLayout, type_layout};

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
