//! What else decides a type's size: niches (invalid bit patterns an enum can
//! use as its tag), enum layout, `repr(packed)` and `repr(align(N))`. The
//! seeds say nothing about these; a Rust reader needs them to read the sizes
//! the other modules print.
//!
//! Only documented guarantees are asserted at compile time. Sizes that are
//! merely what today's rustc does are listed as such by [`size_table`], and
//! the test file checks them in tests named `todays_rustc_…`.

use core::mem::{align_of, offset_of, size_of};
use core::num::NonZeroU32;
use crossbeam_utils::CachePadded;
use static_assertions::{assert_eq_size, const_assert_eq};
use std::sync::atomic::AtomicU64;

// ANCHOR: niches
// Documented (std::option, "Representation"): `Option<T>` is the size of `T`
// for references, Box, NonNull, NonZero* and fn pointers. `None` is the
// bit pattern `T` can never hold (null, or zero), so no tag is needed.
assert_eq_size!(Option<Box<u64>>, Box<u64>);
assert_eq_size!(Option<&u64>, &u64);
assert_eq_size!(Option<NonZeroU32>, u32);
// ANCHOR_END: niches

/// A fieldless enum with a fixed tag type: `repr(u8)` guarantees one byte.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Low,
    Mid,
    High,
}
const_assert_eq!(size_of::<Level>(), 1);

// ANCHOR: enum_with_payload
/// An enum whose largest variant holds a `String`: no separate tag today,
/// because a `String`'s capacity never exceeds `isize::MAX`, and rustc
/// stores which variant it is in the capacity's unused values.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Quit,
    Move { x: i32, y: i32 },
    Write(String),
}
// ANCHOR_END: enum_with_payload

// ANCHOR: packed
/// Seed 001's unoptimized field order, packed: no padding, alignment 1.
///
/// A packed field may sit at any address, so Rust never hands out a
/// reference to one (a reference promises alignment). Reading by value
/// copies it out; that compiles:
///
/// ```
/// use perf_workbook::struct_layout::representations::PackedC;
/// let p = PackedC { a: true, b: 7, c: false, d: 1 };
/// let b = { p.b }; // a copy: fine
/// let also_b = unsafe { core::ptr::addr_of!(p.b).read_unaligned() }; // fine
/// assert_eq!((b, also_b), (7, 7));
/// ```
///
/// Borrowing the field does not (error E0793):
///
/// ```compile_fail,E0793
/// use perf_workbook::struct_layout::representations::PackedC;
/// let p = PackedC { a: true, b: 7, c: false, d: 1 };
/// let b: &i64 = &p.b; // `b` is at offset 1: not aligned for an i64
/// ```
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct PackedC {
    pub a: bool,
    pub b: i64,
    pub c: bool,
    pub d: i32,
}
const_assert_eq!(size_of::<PackedC>(), 14);
const_assert_eq!(align_of::<PackedC>(), 1);
const_assert_eq!(offset_of!(PackedC, b), 1);
// ANCHOR_END: packed

// ANCHOR: align
/// One `u64` on a cache line of its own: `align(64)` rounds the size up to 64.
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug, Default)]
pub struct CacheAligned {
    pub value: u64,
}
const_assert_eq!(size_of::<CacheAligned>(), 64);
const_assert_eq!(align_of::<CacheAligned>(), 64);
// 8 bytes of data, 64 of memory: an array of them is 8× larger.
const_assert_eq!(size_of::<[CacheAligned; 4]>(), 256);

// crossbeam pads to 128 bytes on x86-64: Intel's L2 "spatial prefetcher"
// fetches cache lines in 128-byte-aligned pairs, so two values 64 bytes
// apart can still disturb each other (see the false-sharing section).
#[cfg(target_arch = "x86_64")]
const_assert_eq!(size_of::<CachePadded<AtomicU64>>(), 128);
// ANCHOR_END: align

/// Whether a size is promised by the language and std, or only observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarantee {
    /// Documented; asserted at compile time in this module.
    Documented,
    /// What this rustc does; may change. Tested as `todays_rustc_…`.
    TodaysRustc,
}

/// One row of [`size_table`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeRow {
    /// The type, as written.
    pub ty: &'static str,
    /// `size_of`.
    pub size: usize,
    /// `align_of`.
    pub align: usize,
    /// Promised or observed.
    pub guarantee: Guarantee,
    /// Why it is that size.
    pub why: String,
}

macro_rules! row {
    ($t:ty, $g:ident, $why:expr) => {
        SizeRow {
            ty: stringify!($t),
            size: size_of::<$t>(),
            align: align_of::<$t>(),
            guarantee: Guarantee::$g,
            why: $why.to_string(),
        }
    };
}

/// The byte values rustc chose for the one-byte `Option`s of the table.
///
/// Which spare value `None` gets is not promised: rustc 1.95 stores
/// `None::<Option<bool>>` as 3, while nightly 1.97 (May 2026) stores it as
/// 255. So the table reads these bytes instead of stating them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NicheBytes {
    /// `Some(false)`, `Some(true)` and `None` as an `Option<bool>`.
    pub option_bool: [u8; 3],
    /// `Some(None)` and `None` as an `Option<Option<bool>>`.
    pub option_option_bool: [u8; 2],
    /// `Some(Level::High)` and `None` as an `Option<Level>`.
    pub option_level: [u8; 2],
}

/// Reads the bytes behind the niche rows of [`size_table`].
pub fn niche_bytes() -> NicheBytes {
    // SAFETY: `transmute` checks at compile time that each of these types is
    // one byte. A one-byte enum has no padding: its only byte is the tag or
    // the `bool`, always initialised, and every initialised byte is a u8.
    let b = |x: Option<bool>| unsafe { core::mem::transmute::<Option<bool>, u8>(x) };
    // SAFETY: as above, for `Option<Option<bool>>`.
    let bb = |x: Option<Option<bool>>| unsafe { core::mem::transmute::<_, u8>(x) };
    // SAFETY: as above, for `Option<Level>`.
    let l = |x: Option<Level>| unsafe { core::mem::transmute::<Option<Level>, u8>(x) };
    NicheBytes {
        option_bool: [b(Some(false)), b(Some(true)), b(None)],
        option_option_bool: [bb(Some(None)), bb(None)],
        option_level: [l(Some(Level::High)), l(None)],
    }
}

/// Sizes worth knowing, each with its reason and whether it is guaranteed.
pub fn size_table() -> Vec<SizeRow> {
    let n = niche_bytes();
    let [_, _, bool_none] = n.option_bool;
    let [some_none, none] = n.option_option_bool;
    let [_, level_none] = n.option_level;
    vec![
        row!(Box<u64>, Documented, "a non-null pointer"),
        row!(Option<Box<u64>>, Documented, "None is the null pointer"),
        row!(Option<&u64>, Documented, "None is the null pointer"),
        row!(NonZeroU32, Documented, "a u32 that is never 0"),
        row!(Option<NonZeroU32>, Documented, "None is 0"),
        row!(Option<u32>, TodaysRustc, "every u32 is valid: a tag, padded to align 4"),
        row!(Option<bool>, TodaysRustc, format!("None is the byte {bool_none}")),
        row!(
            Option<Option<bool>>,
            TodaysRustc,
            format!("Some(None) is {some_none}, None is {none}")
        ),
        row!(Option<char>, TodaysRustc, "None is a value above char::MAX"),
        row!(Level, Documented, "repr(u8): a one-byte tag"),
        row!(Option<Level>, TodaysRustc, format!("None is the tag value {level_none}")),
        row!(String, TodaysRustc, "pointer, capacity, length"),
        row!(Option<String>, TodaysRustc, "None is a capacity above isize::MAX"),
        row!(Message, TodaysRustc, "the tag lives in String's capacity niche"),
        row!(Result<u64, ()>, TodaysRustc, "u64 has no niche: 8-byte tag slot"),
        row!(PackedC, Documented, "repr(packed): 14 bytes of fields, align 1"),
        row!(CacheAligned, Documented, "repr(align(64)): 8 bytes of data"),
        row!(CachePadded<AtomicU64>, Documented, "crossbeam: 128 on x86-64"),
    ]
}
