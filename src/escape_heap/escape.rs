//! The seed's escape-analysis cases (seed 001 §6.1.1.3, L26-95) written in
//! Rust, one function per case, so that the counting allocator can say what
//! each one allocates.
//!
//! Not a model of Go's escape analysis: Rust has none. Where a value lives
//! follows from its type (`i64` in the frame, `Box<i64>` on the heap), and a
//! reference that would outlive its frame is a compile error, not a silent
//! move to the heap. The one thing the programmer does not decide is whether
//! LLVM deletes an allocation whose address never escapes ([`unused_box`]).
//!
//! The seed's `getPointer` ported as written does not compile:
//!
//! ```compile_fail,E0515
#![doc = include_str!("snippets/return_ref_to_local.rs")]
//! ```
//!
//! nor does its `escapeAnalysis` (an undefined `size`, seed defect D30):
//!
//! ```compile_fail,E0425
#![doc = include_str!("snippets/undefined_size.rs")]
//! ```
//!
//! while its `memoryExample` (D29), which Go rejects for an unused variable,
//! compiles in Rust with two `unused_variables` warnings:
//!
//! ```
#![doc = include_str!("snippets/unused_locals.rs")]
//! ```

use smallvec::SmallVec;
use std::alloc::Layout;
use std::any::Any;
use std::hint::black_box;

// ANCHOR: stack_and_box
/// `stackVar := 42`: a local lives in a register or in the stack frame.
#[inline(never)]
pub fn stack_value() -> i64 {
    let stack_var = black_box(42i64);
    stack_var + 1
}

/// `new(int)`: `Box::new` asks the global allocator for 8 bytes.
#[inline(never)]
pub fn boxed_value() -> Box<i64> {
    Box::new(black_box(100))
}

/// A zero-sized value has no bytes to store: `Box::new(())` never allocates.
#[inline(never)]
pub fn boxed_unit() -> Box<()> {
    Box::new(())
}
// ANCHOR_END: stack_and_box

/// Seed 001's `memoryExample` (L45-55) with every variable returned, so it
/// compiles without warnings here: one `i64`, one `Box`, one `vec!`.
#[inline(never)]
pub fn memory_example() -> (i64, Box<i64>, Vec<i64>) {
    let stack_var = black_box(42i64);
    let mut heap_var = Box::new(0i64);
    *heap_var = 100;
    let escape_var = vec![0i64; 1000];
    (stack_var, heap_var, escape_var)
}

// ANCHOR: elision
/// A `Box` whose address never leaves the function. LLVM may delete the
/// `malloc`/`free` pair (and does in release builds, see the bench).
#[inline(never)]
pub fn unused_box() -> i64 {
    let b = Box::new(black_box(100i64));
    *b + 1
}

/// The same `Box`, but its address goes through `black_box`: the optimiser
/// must assume it is used, so the allocation stays.
#[inline(never)]
pub fn opaque_box() -> i64 {
    let b = black_box(Box::new(black_box(100i64)));
    *b + 1
}
// ANCHOR_END: elision

// ANCHOR: returning
/// Rust's `getPointer`: the escape is written in the return type.
#[inline(never)]
pub fn get_pointer() -> Box<i32> {
    Box::new(black_box(42))
}

/// The seed's `noEscape`: the value is copied out to the caller.
#[inline(never)]
#[allow(clippy::let_and_return)] // the seed's shape: a named local, returned
pub fn no_escape() -> i32 {
    let x = black_box(42);
    x
}
// ANCHOR_END: returning

// ANCHOR: closures
/// A capturing closure returned unboxed: its captures live inside the
/// closure value, wherever the caller keeps it.
pub fn adder(n: u64) -> impl Fn(u64) -> u64 {
    move |x| x + n
}

/// The same closure behind `Box<dyn Fn>`: one allocation for the capture.
pub fn boxed_adder(n: u64) -> Box<dyn Fn(u64) -> u64> {
    Box::new(move |x| x + n)
}

/// A closure that captures nothing is zero-sized: boxing it allocates nothing.
pub fn boxed_increment() -> Box<dyn Fn(u64) -> u64> {
    Box::new(|x| x + 1)
}
// ANCHOR_END: closures

// ANCHOR: interfaces
/// `&dyn Any` borrows: the value stays where it is.
pub fn is_u64(value: &dyn Any) -> bool {
    value.is::<u64>()
}

/// `Box<dyn Any>` moves the value to the heap (unless it is zero-sized).
pub fn into_any<T: Any>(value: T) -> Box<dyn Any> {
    Box::new(value)
}
// ANCHOR_END: interfaces

// ANCHOR: buffers
/// A constant-size array: in the frame, nothing allocated.
#[inline(never)]
pub fn array_sum() -> i64 {
    let buf = black_box([1i64; 1000]);
    buf.iter().sum()
}

/// A `Vec` always asks the heap, whatever its size.
pub fn vec_of(n: usize) -> Vec<i64> {
    vec![1; n]
}

/// Up to 64 bytes inline, beyond that one heap allocation.
pub fn small_buffer(n: usize) -> SmallVec<[u8; 64]> {
    (0..n).map(|i| i as u8).collect()
}

/// `Box<[T]>`: a `Vec` without spare capacity (two words instead of three).
/// From an exact-size `Vec` the conversion is free; with spare capacity it
/// reallocates to shrink.
pub fn boxed_slice_of(n: usize, spare: usize) -> Box<[i64]> {
    let mut v = Vec::with_capacity(n + spare);
    v.extend(0..n as i64);
    v.into_boxed_slice()
}
// ANCHOR_END: buffers

// ANCHOR: memory_layout
/// Seed 001's `MemoryLayout` (L32-41), with the seed's comments moved to
/// what they really describe.
pub struct MemoryLayout {
    /// Lives wherever the struct lives (the stack only if the struct does).
    pub stack_var: i64,
    /// The `Box` (a pointer) lives in the struct; only its target is on the heap.
    pub heap_var: Box<i64>,
    /// The reference lives in the struct; the bytes live in the binary.
    pub global_var: &'static str,
}

/// The `var globalVar` of L43: a `static` is in the binary's data, not a field.
pub static GLOBAL_VAR: &str = "global";

impl MemoryLayout {
    /// A layout with the seed's values.
    pub fn new() -> Self {
        Self { stack_var: 42, heap_var: Box::new(100), global_var: GLOBAL_VAR }
    }

    /// Addresses of the three fields (not of what they point to).
    pub fn field_addresses(&self) -> [usize; 3] {
        [
            &self.stack_var as *const i64 as usize,
            &self.heap_var as *const Box<i64> as usize,
            &self.global_var as *const &str as usize,
        ]
    }
}
// ANCHOR_END: memory_layout

impl Default for MemoryLayout {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: alignment
/// Allocates `size` bytes aligned to `align` through the global allocator
/// and reports whether the address is a multiple of `align`. Rust's
/// allocation interface takes a size **and an alignment** (a `Layout`), not
/// a type.
pub fn allocation_is_aligned(size: usize, align: usize) -> bool {
    let layout = Layout::from_size_align(size, align).expect("align is a power of two");
    assert!(layout.size() > 0, "zero-size layouts are not allocated");
    // SAFETY: the layout has a non-zero size (asserted above).
    let ptr = unsafe { std::alloc::alloc(layout) };
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    let aligned = (ptr as usize).is_multiple_of(align);
    // SAFETY: `ptr` came from `alloc` with this same layout and is freed once.
    unsafe { std::alloc::dealloc(ptr, layout) };
    aligned
}
// ANCHOR_END: alignment

/// The executable's mapping contains `addr` (read from `/proc/self/maps`).
#[cfg(target_os = "linux")]
pub fn address_is_in_executable(addr: usize) -> std::io::Result<bool> {
    let exe = std::fs::read_link("/proc/self/exe")?;
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    for line in maps.lines() {
        let mut cols = line.split_whitespace();
        let Some(range) = cols.next() else { continue };
        let Some((lo, hi)) = range.split_once('-') else { continue };
        let (Ok(lo), Ok(hi)) =
            (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
        else {
            continue;
        };
        if (lo..hi).contains(&addr) {
            let path = cols.nth(4).unwrap_or("");
            return Ok(std::path::Path::new(path) == exe);
        }
    }
    Ok(false)
}
