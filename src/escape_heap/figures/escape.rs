//! Seed 001 §6.1.1.3's escape cases counted, and what LLVM deletes.

use super::common::{Figure, SEED_LEN, count, once};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::escape_heap::escape as e;
use crate::measure::alloc::AllocCounts;
use crate::measure::ns_per_call;
use std::hint::black_box;

/// Seed 001 §6.1.1.3's cases in Rust, counted (C001-03 … C001-13, C003-07,
/// D29).
#[derive(Debug)]
pub struct Escape {
    /// `let stack_var = 42`.
    pub stack_value: AllocCounts,
    /// `Box::new(100i64)`.
    pub boxed_value: AllocCounts,
    /// `Box::new(())`.
    pub boxed_unit: AllocCounts,
    /// `vec![1i64; 1000]`.
    pub vec_1000: AllocCounts,
    /// `[1i64; 1000]`.
    pub array_1000: AllocCounts,
    /// `-> Box<i32>`.
    pub get_pointer: AllocCounts,
    /// `-> i32`.
    pub no_escape: AllocCounts,
    /// `-> impl Fn` capturing a `u64`.
    pub adder: AllocCounts,
    /// `Box<dyn Fn>` capturing a `u64`.
    pub boxed_adder: AllocCounts,
    /// `Box<dyn Fn>` capturing nothing.
    pub boxed_increment: AllocCounts,
    /// `&dyn Any` of `[u8; 1000]`.
    pub dyn_ref: AllocCounts,
    /// `Box<dyn Any>` of `[u8; 1000]`.
    pub box_dyn: AllocCounts,
    /// `Box<dyn Any>` of `()`.
    pub box_dyn_unit: AllocCounts,
    /// `vec![1i64; n]`, `n` known at run time.
    pub vec_n: AllocCounts,
    /// `SmallVec<[u8; 64]>` with 64 items.
    pub small_64: AllocCounts,
    /// The same with 65 items.
    pub small_65: AllocCounts,
    /// `Vec` → `Box<[i64]>` without spare capacity.
    pub boxed_slice_exact: AllocCounts,
    /// `Vec` → `Box<[i64]>` with spare capacity.
    pub boxed_slice_spare: AllocCounts,
    /// Seed 001's `memoryExample`, every variable returned.
    pub memory_example: AllocCounts,
    /// Layouts allocated by the alignment test (sizes × alignments).
    pub layouts_tried: usize,
    /// Of those, the addresses aligned as asked.
    pub layouts_aligned: usize,
    /// `size_of::<MemoryLayout>()`.
    pub layout_size: usize,
    /// Fields of a boxed `MemoryLayout` inside its heap block.
    pub fields_inside: usize,
    /// The static's bytes are in the executable's mapping (Linux only).
    pub static_in_exe: Option<bool>,
}

impl Escape {
    /// (Go case of seed 001, Rust form, counts), in the seed's order.
    pub fn rows(&self) -> Vec<(&'static str, &'static str, &AllocCounts)> {
        vec![
            ("stackVar := 42", "let x = 42", &self.stack_value),
            ("new(int)", "Box::new(100i64)", &self.boxed_value),
            ("", "Box::new(())", &self.boxed_unit),
            ("make([]int, 1000)", "vec![1i64; 1000]", &self.vec_1000),
            ("", "[1i64; 1000]", &self.array_1000),
            ("return &x", "-> Box<i32>", &self.get_pointer),
            ("return x", "-> i32", &self.no_escape),
            ("closure", "-> impl Fn (captures u64)", &self.adder),
            ("", "Box<dyn Fn> (captures u64)", &self.boxed_adder),
            ("", "Box<dyn Fn> (captures nothing)", &self.boxed_increment),
            ("interface{}", "&dyn Any of [u8; 1000]", &self.dyn_ref),
            ("", "Box<dyn Any> of [u8; 1000]", &self.box_dyn),
            ("", "Box<dyn Any> of ()", &self.box_dyn_unit),
            ("make([]int, size)", "vec![1i64; n]", &self.vec_n),
            ("", "SmallVec<[u8; 64]>, 64 items", &self.small_64),
            ("", "SmallVec<[u8; 64]>, 65 items", &self.small_65),
            ("", "Vec → Box<[i64]>, exact", &self.boxed_slice_exact),
            ("", "Vec → Box<[i64]>, spare capacity", &self.boxed_slice_spare),
        ]
    }
}

/// The escape cases, counted once per run.
pub fn escape(ctx: &Ctx) -> Figure<Escape> {
    static CELL: PerRun<Result<Escape, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = black_box(SEED_LEN);
        let big = black_box([1u8; 1000]);
        let (mut tried, mut aligned) = (0, 0);
        for size in [1, 24, 1000] {
            for shift in 0..=12 {
                tried += 1;
                aligned += usize::from(e::allocation_is_aligned(size, 1 << shift));
            }
        }
        let boxed = Box::new(e::MemoryLayout::new());
        let start = &*boxed as *const e::MemoryLayout as usize;
        let block = start..start + size_of::<e::MemoryLayout>();
        let fields_inside =
            boxed.field_addresses().iter().filter(|a| block.contains(a)).count();
        #[cfg(target_os = "linux")]
        let static_in_exe =
            Some(e::address_is_in_executable(e::GLOBAL_VAR.as_ptr() as usize)?);
        #[cfg(not(target_os = "linux"))]
        let static_in_exe = None;
        Ok(Escape {
            stack_value: count(e::stack_value),
            boxed_value: count(e::boxed_value),
            boxed_unit: count(e::boxed_unit),
            vec_1000: count(|| e::vec_of(n)),
            array_1000: count(e::array_sum),
            get_pointer: count(e::get_pointer),
            no_escape: count(e::no_escape),
            adder: count(|| black_box(e::adder(black_box(5)))),
            boxed_adder: count(|| black_box(e::boxed_adder(black_box(5)))),
            boxed_increment: count(|| black_box(e::boxed_increment())),
            dyn_ref: count(|| e::is_u64(black_box(&big))),
            box_dyn: count(|| black_box(e::into_any(big))),
            box_dyn_unit: count(|| black_box(e::into_any(()))),
            vec_n: count(|| e::vec_of(black_box(n))),
            small_64: count(|| e::small_buffer(black_box(64))),
            small_65: count(|| e::small_buffer(black_box(65))),
            boxed_slice_exact: count(|| e::boxed_slice_of(n, 0)),
            boxed_slice_spare: count(|| e::boxed_slice_of(n, 100)),
            memory_example: count(e::memory_example),
            layouts_tried: tried,
            layouts_aligned: aligned,
            layout_size: block.len(),
            fields_inside,
            static_in_exe,
        })
    })
}

/// An unused `Box` against one passed through `black_box` (C001-05).
#[derive(Debug)]
pub struct Elision {
    /// Allocations the counting allocator saw for the unused `Box`.
    pub unused_counted: u64,
    /// The same for the `black_box`'d one.
    pub opaque_counted: u64,
    /// Median time per call of the unused `Box`.
    pub unused_ns: f64,
    /// Median time per call of the `black_box`'d one: a `malloc` + `free`.
    pub opaque_ns: f64,
}

fn elision_timing(ctx: &Ctx) -> (usize, usize) {
    ctx.pick((9, 200_000), (5, 50_000))
}

/// What LLVM deletes, in the library (where the allocator is a declaration).
pub fn elision(ctx: &Ctx) -> Figure<Elision> {
    static CELL: PerRun<Result<Elision, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let (rounds, iters) = elision_timing(ctx);
        let (unused_ns, opaque_ns) = ns_per_call(
            rounds,
            iters,
            || {
                black_box(e::unused_box());
            },
            || {
                black_box(e::opaque_box());
            },
        );
        Ok(Elision {
            unused_counted: count(e::unused_box).allocs,
            opaque_counted: count(e::opaque_box).allocs,
            unused_ns,
            opaque_ns,
        })
    })
}

/// An unused `Box` compiled in the crate that defines the counting
/// allocator (the caller passes its own function).
#[derive(Debug)]
pub struct ElisionInCaller {
    /// Allocations counted.
    pub counted: u64,
    /// Median time per call.
    pub ns: f64,
}

/// Counts and times `probe`, an unused-`Box` function of the calling binary.
pub fn elision_in_caller(ctx: &Ctx, probe: fn() -> i64) -> Figure<ElisionInCaller> {
    static CELL: PerRun<Result<ElisionInCaller, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let (rounds, iters) = elision_timing(ctx);
        let (ns, _) = ns_per_call(
            rounds,
            iters,
            || {
                black_box(probe());
            },
            || {
                black_box(e::opaque_box());
            },
        );
        Ok(ElisionInCaller { counted: count(probe).allocs, ns })
    })
}
