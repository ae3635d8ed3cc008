//! Every measurement of the chapter, taken once per run and size (`PerRun`)
//! and read by both the example's tables (`tables.rs`) and the claim checks
//! (`checks/`), so the page never shows two numbers for one fact.
//!
//! Counts come from the counting allocator, which the binary must install
//! (`perf_workbook::count_allocations!()`: the `workbook` CLI, the example
//! and the tests do); timings are medians of interleaved batches
//! ([`ns_per_call`]), sized by [`Ctx::pick`].
//!
//! Not here: deciding anything (the checks' rules do), or laying out tables.

use super::context::{self as cx, Context, DataId, DataStore, Key};
use super::growth::{self as g, max_reallocs, min_non_zero_cap};
use super::rustc::{self, Diagnostics};
use super::seed_port::{self, GoBytePool};
use super::{bytepool, drop_list, escape as e, races, retention as r, values as v};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc::{AllocCounts, AllocScope, measure};
use crate::measure::child::{self, ChildOutcome};
use crate::measure::ns_per_call;
use crate::measure::rng::SplitMix64;
use bytes::Bytes;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A measurement of this run, or why it could not be taken.
pub type Figure<T> = Result<&'static T, CheckError>;

fn once<T: Send + Sync>(
    cell: &'static PerRun<Result<T, CheckError>>,
    ctx: &Ctx,
    measure: impl FnOnce() -> Result<T, CheckError>,
) -> Figure<T> {
    cell.get(ctx, measure).as_ref().map_err(Clone::clone)
}

/// The allocations `f` makes; its result is dropped after counting.
pub fn count<R>(f: impl FnOnce() -> R) -> AllocCounts {
    let (out, c) = measure(f);
    drop(out);
    c
}

/// Elements in the seeds' slices (seed 003 L228-243, seed 001 L822).
pub const SEED_LEN: usize = 1000;

/// Items in the string-building examples, and their length (the seed's
/// `Grow(len(items) * 10)` expects about 10 bytes each).
pub const ITEMS: usize = 1000;
/// Bytes per item in the string-building examples.
pub const ITEM_LEN: usize = 9;
/// The seed's estimate per item, `Grow(len(items) * 10)` (seed 003 L268).
pub const ESTIMATE: usize = 10;

/// The seed's "large" buffer (seed 001 L853; seed 003's `data` has no size).
pub const MIB: usize = 1 << 20;
/// The head seed 003 keeps (`data[:10]`).
pub const HEAD: usize = 10;

// ------------------------------------------------------------------ escape

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

// ------------------------------------------------------------------ elision

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

// ------------------------------------------------------------------ growth

/// One way of filling a `Vec` of [`SEED_LEN`] `i64`.
#[derive(Debug)]
pub struct Fill {
    /// What it is.
    pub name: &'static str,
    /// Its allocations.
    pub counts: AllocCounts,
    /// Median time per fill …
    pub ns: f64,
    /// … and of `collect` in the same interleaved batches.
    pub collect_ns: f64,
}

impl Fill {
    /// Time relative to `collect`.
    pub fn vs_collect(&self) -> f64 {
        self.ns / self.collect_ns
    }
}

/// Seed 003 策略2 (C001-35, C003-12, C003-13, C003-14).
#[derive(Debug)]
pub struct Growth {
    /// Push from empty.
    pub push: Fill,
    /// `with_capacity` + push.
    pub with_capacity: Fill,
    /// `vec![0; n]` + index assignment.
    pub index: Fill,
    /// `collect()`.
    pub collect: Fill,
    /// Reallocation bound for push from empty (doublings from the first capacity).
    pub bound: u64,
    /// (element, its size, first capacity, reallocations counted, bound) for
    /// 1000 pushes of elements of three sizes.
    pub first_capacity: Vec<(&'static str, usize, usize, u64, u64)>,
}

/// Pushes `n` copies of `item` into an empty `Vec`.
fn pushes<T: Copy>(item: T, n: usize) -> AllocCounts {
    count(|| {
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(black_box(item));
        }
        v
    })
}

/// The fills, counted and timed against `collect`.
pub fn growth(ctx: &Ctx) -> Figure<Growth> {
    static CELL: PerRun<Result<Growth, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = black_box(SEED_LEN);
        let (rounds, iters) = ctx.pick((9, 2000), (5, 500));
        let fill = |name, f: fn(usize) -> Vec<i64>| {
            let (ns, collect_ns) = ns_per_call(
                rounds,
                iters,
                || drop(black_box(f(black_box(n)))),
                || drop(black_box(g::collect_range(black_box(n)))),
            );
            Fill { name, counts: count(|| f(n)), ns, collect_ns }
        };
        let first_capacity = [
            ("u8", 1, pushes(1u8, n)),
            ("i64", 8, pushes(1i64, n)),
            ("[u8; 2048]", 2048, pushes([1u8; 2048], n)),
        ]
        .into_iter()
        .map(|(name, size, c)| {
            let first = min_non_zero_cap(size);
            (name, size, first, c.reallocs, max_reallocs(first, n))
        })
        .collect();
        Ok(Growth {
            push: fill("push from empty", g::push_from_empty),
            with_capacity: fill("with_capacity + push", g::push_with_capacity),
            index: fill("vec![0; n] + index (\"even better\")", g::zeroed_then_index),
            collect: fill("collect()", g::collect_range),
            bound: max_reallocs(min_non_zero_cap(size_of::<i64>()), n),
            first_capacity,
        })
    })
}

// ------------------------------------------------------------------ strings

/// One way of building a string from the items.
#[derive(Debug)]
pub struct Build {
    /// What it is.
    pub name: &'static str,
    /// Its allocations.
    pub counts: AllocCounts,
    /// Median time per build, and of `concat` in the same batches (`None`
    /// for rows that are not timed).
    pub ns: Option<(f64, f64)>,
}

/// Seed 003 策略3 and seed 001 §6.1.1.9.1 (C001-37, C003-15 … C003-18).
#[derive(Debug)]
pub struct Strings {
    /// The faithful port of Go's `result += item` (immutable strings).
    pub go_plus_assign: Build,
    /// Rust's `String += &str`.
    pub plus_assign: Build,
    /// `s = s + item`.
    pub plus: Build,
    /// `s = format!("{s}{item}")`.
    pub format_loop: Build,
    /// `with_capacity(n × 10)` + `push_str` on items of [`ITEM_LEN`] bytes.
    pub builder: Build,
    /// The same on items of 15 bytes (the estimate is outgrown).
    pub builder_long: Build,
    /// The same on items of 1–19 bytes (10 on average, the seed's estimate).
    pub builder_mixed: Build,
    /// `concat()`.
    pub concat: Build,
    /// `join("")`.
    pub join: Build,
    /// The pooled build, per build after one warm-up build.
    pub pooled: Build,
    /// Bound on `+=`'s allocator calls: 1 + doublings from the first capacity.
    pub plus_assign_bound: u64,
    /// Seed 001 L831-835: `"data"` appended [`SEED_LEN`] times to one buffer.
    pub append_loop: AllocCounts,
    /// Its bound: 1 + doublings from 8 B.
    pub append_bound: u64,
}

impl Strings {
    /// The rows in the order the table prints them.
    pub fn rows(&self) -> [&Build; 10] {
        [
            &self.go_plus_assign,
            &self.plus_assign,
            &self.plus,
            &self.format_loop,
            &self.builder,
            &self.builder_long,
            &self.builder_mixed,
            &self.concat,
            &self.join,
            &self.pooled,
        ]
    }
}

/// Seed of the 1–19 B item lengths (any fixed value: the same list every run).
const MIXED_SEED: u64 = 3;

/// The builders, counted and timed against `concat`.
pub fn strings(ctx: &Ctx) -> Figure<Strings> {
    static CELL: PerRun<Result<Strings, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let owned = g::items(ITEMS, ITEM_LEN);
        let items = g::as_strs(&owned);
        let long_owned = g::items(ITEMS, 15);
        let long = g::as_strs(&long_owned);
        let mixed_owned = g::items_of_lengths(ITEMS, 1..=19, MIXED_SEED);
        let mixed = g::as_strs(&mixed_owned);
        let (rounds, batch) = ctx.pick((9, 5), (5, 2));
        let timed = |name, f: &dyn Fn() -> String| Build {
            name,
            counts: count(f),
            ns: Some(ns_per_call(
                rounds,
                batch,
                || drop(black_box(f())),
                || drop(black_box(g::concat(black_box(&items)))),
            )),
        };
        let go = timed("Go's `result += item`, ported (seed: bad)", &|| {
            seed_port::go_plus_assign(black_box(&items)).as_str().to_owned()
        });
        // The port's own allocations, without the final copy out.
        let go_counts = count(|| seed_port::go_plus_assign(black_box(&items)));
        let mut pool = bytepool::BytePool::default();
        drop(bytepool::build_string_pooled(&mut pool, &items)); // warm-up
        let pooled =
            count(|| bytepool::build_string_pooled(&mut pool, black_box(&items)));
        Ok(Strings {
            go_plus_assign: Build { counts: go_counts, ..go },
            plus_assign: timed("Rust's s += item", &|| g::plus_assign(black_box(&items))),
            plus: timed("s = s + item", &|| g::plus(black_box(&items))),
            format_loop: timed("s = format!(\"{s}{item}\")", &|| {
                g::format_loop(black_box(&items))
            }),
            builder: timed("with_capacity(n × 10) (seed: good)", &|| {
                g::with_estimate(black_box(&items), ESTIMATE)
            }),
            builder_long: timed("with_capacity(n × 10), 15 B items", &|| {
                g::with_estimate(black_box(&long), ESTIMATE)
            }),
            builder_mixed: timed("with_capacity(n × 10), 1–19 B items", &|| {
                g::with_estimate(black_box(&mixed), ESTIMATE)
            }),
            concat: timed("concat()", &|| g::concat(black_box(&items))),
            join: timed("join(\"\")", &|| g::join(black_box(&items))),
            pooled: Build {
                name: "pooled buffer, after warm-up",
                counts: pooled,
                ns: None,
            },
            plus_assign_bound: 1 + max_reallocs(
                ITEM_LEN.max(min_non_zero_cap(1)),
                ITEMS * ITEM_LEN,
            ),
            append_loop: count(|| g::append_to_one_buffer(black_box(SEED_LEN))),
            append_bound: 1 + max_reallocs(min_non_zero_cap(1), 4 * SEED_LEN),
        })
    })
}

/// Allocator calls of three builds at one list length (C003-18).
#[derive(Debug)]
pub struct Cut {
    /// Items in the list.
    pub items: usize,
    /// The Go `+=` port.
    pub go_plus_assign: u64,
    /// Rust's `String +=`.
    pub plus_assign: u64,
    /// `with_capacity(n × 10)`.
    pub builder: u64,
}

impl Cut {
    /// The builder's cut against the Go port.
    pub fn against_go(&self) -> f64 {
        1.0 - self.builder as f64 / self.go_plus_assign as f64
    }
    /// The builder's cut against Rust's `+=`.
    pub fn against_rust(&self) -> f64 {
        1.0 - self.builder as f64 / self.plus_assign as f64
    }
}

/// List lengths at which C003-18's cut is measured.
pub const CUT_LENGTHS: [usize; 3] = [10, 100, 1000];

/// The builder against both `+=` at [`CUT_LENGTHS`].
pub fn string_cuts(ctx: &Ctx) -> Figure<Vec<Cut>> {
    static CELL: PerRun<Result<Vec<Cut>, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        Ok(CUT_LENGTHS
            .iter()
            .map(|&n| {
                let owned = g::items(n, ITEM_LEN);
                let items = g::as_strs(&owned);
                Cut {
                    items: n,
                    go_plus_assign: count(|| {
                        seed_port::go_plus_assign(black_box(&items))
                    })
                    .calls(),
                    plus_assign: count(|| g::plus_assign(black_box(&items))).calls(),
                    builder: count(|| g::with_estimate(black_box(&items), ESTIMATE))
                        .calls(),
                }
            })
            .collect())
    })
}

/// The seed's pooled build with its `defer`, on a model of Go slices (D53).
#[derive(Debug)]
pub struct DeferredPut {
    /// Items (of [`ITEM_LEN`] bytes) and the estimate `Get` was asked for.
    pub items: usize,
    /// `Get(n)` returns length n: output bytes, wanted bytes, leading zeros,
    /// length of the slice put back.
    pub len_n: (usize, usize, usize, usize),
    /// `Get(n)` returns length 0, 15 B items: output correct, output bytes,
    /// capacity put back.
    pub len_0: (bool, usize, usize),
    /// The Rust build, 15 B items: output correct, capacity put back.
    pub rust: (bool, usize),
}

/// The D53 port, run once per run.
pub fn deferred_put(ctx: &Ctx) -> Figure<DeferredPut> {
    static CELL: PerRun<Result<DeferredPut, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = 100;
        let owned = g::items(n, ITEM_LEN);
        let items = g::as_strs(&owned);
        let mut pool = GoBytePool::new(true);
        let out = seed_port::build_string_seed_port(&mut pool, &items);
        let zeros = out.bytes().take_while(|&b| b == 0).count();
        let put_back = pool.pooled().first().map_or(0, |s| s.len());
        let long_owned = g::items(n, 15);
        let long = g::as_strs(&long_owned);
        let mut pool = GoBytePool::new(false);
        let out0 = seed_port::build_string_seed_port(&mut pool, &long);
        let cap0 = pool.pooled().first().map_or(0, |s| s.cap());
        let mut rust_pool = bytepool::BytePool::default();
        let rust_out = bytepool::build_string_pooled(&mut rust_pool, &long);
        let rust_ok = rust_out == long.concat();
        if !rust_ok {
            return Err("the Rust pooled build gave a wrong string".into());
        }
        Ok(DeferredPut {
            items: n,
            len_n: (out.len(), items.concat().len(), zeros, put_back),
            len_0: (out0 == long.concat(), out0.len(), cap0),
            rust: (rust_ok, rust_pool.capacities().first().copied().unwrap_or(0)),
        })
    })
}

// ------------------------------------------------------------------ retention

/// Seed 003 策略4 and seed 001 §6.1.1.9.2 (C001-39, C003-19 … C003-21, D46, D54).
#[derive(Debug)]
pub struct Retention {
    /// (form, kept length, live bytes while the head is alive), for a
    /// [`HEAD`]-byte head of a [`MIB`] buffer.
    pub heads: Vec<(&'static str, usize, i64)>,
    /// Bytes freed at the line of `drop(vec)` of [`MIB`].
    pub drop_freed: u64,
    /// Bytes freed at the port's `large_data = Vec::new()`.
    pub reassign_freed: u64,
    /// (buffer bytes, RSS before drop, RSS after drop) in bytes, every page
    /// written (Linux only).
    pub rss: Vec<(usize, u64, u64)>,
}

impl Retention {
    /// Live bytes of the head kept by `form` (a name of [`Retention::heads`]).
    pub fn live(&self, form: &str) -> i64 {
        self.heads.iter().find(|h| h.0 == form).map_or(i64::MAX, |h| h.2)
    }
}

/// Head forms, by their names in [`Retention::heads`].
pub mod head {
    /// `truncate(10)`.
    pub const TRUNCATE: &str = "truncate(10)";
    /// `truncate(10)` + `shrink_to_fit()`.
    pub const SHRINK: &str = "truncate(10) + shrink_to_fit()";
    /// `data[..10].to_vec()`.
    pub const COPY: &str = "data[..10].to_vec()";
    /// `Bytes::slice(..10)`.
    pub const VIEW: &str = "Bytes::slice(..10)  (~ data[:10], data[:10:10])";
    /// `Bytes::copy_from_slice`.
    pub const BYTES_COPY: &str = "Bytes::copy_from_slice(&data[..10])";
}

/// What stays allocated, and what `drop` gives back.
pub fn retention(ctx: &Ctx) -> Figure<Retention> {
    static CELL: PerRun<Result<Retention, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        // Each head is counted while it is alive: its live bytes are what it pins.
        let vec_head = |f: fn(Vec<u8>, usize) -> Vec<u8>| {
            let (head, c) = measure(|| f(black_box(vec![1u8; MIB]), HEAD));
            (head.len(), c.live_bytes())
        };
        let bytes_head = |f: fn(Bytes, usize) -> Bytes| {
            let (head, c) = measure(|| f(Bytes::from(black_box(vec![1u8; MIB])), HEAD));
            (head.len(), c.live_bytes())
        };
        let heads = [
            (head::TRUNCATE, vec_head(r::head_by_truncate)),
            (head::SHRINK, vec_head(r::head_by_shrink)),
            (head::COPY, vec_head(r::head_by_copy)),
            (head::VIEW, bytes_head(r::head_by_bytes_slice)),
            (head::BYTES_COPY, bytes_head(r::head_by_bytes_copy)),
        ]
        .into_iter()
        .map(|(name, (len, live))| (name, len, live))
        .collect();
        let large = black_box(vec![1u8; MIB]);
        let scope = AllocScope::start();
        drop(large);
        let drop_freed = scope.counts().bytes_freed;
        // The port's `large_data = Vec::new()` (snippets/reassign_large.rs).
        let mut large_data = vec![0u8; MIB];
        black_box(&mut large_data);
        let scope = AllocScope::start();
        large_data = black_box(Vec::new());
        let reassign_freed = scope.counts().bytes_freed;
        drop(large_data);
        #[cfg(target_os = "linux")]
        let rss = [MIB, ctx.pick(64 * MIB, 40 * MIB)]
            .into_iter()
            .map(|size| {
                let (before, after) = r::drop_releases_rss(size)?;
                Ok((size, before * 1024, after * 1024))
            })
            .collect::<Result<Vec<_>, std::io::Error>>()?;
        #[cfg(not(target_os = "linux"))]
        let rss = {
            let _ = ctx;
            Vec::new()
        };
        Ok(Retention { heads, drop_freed, reassign_freed, rss })
    })
}

// ------------------------------------------------------------------ drops

/// Freeing a long `Box` list (C001-23).
#[derive(Debug)]
pub struct Drops {
    /// (nodes, frees, time) of the iterative drop.
    pub iterative: Vec<(usize, u64, Duration)>,
    /// A million nodes dropped by the compiler's drop glue, in a child.
    pub recursive_million: ChildOutcome,
    /// The same dropped by the iterative `Drop`, in a child.
    pub iterative_million: ChildOutcome,
}

/// Runs the child `modes` at the same time and returns their outcomes in order.
pub fn run_children<const N: usize>(
    modes: [&str; N],
) -> Result<[ChildOutcome; N], CheckError> {
    let outcomes: Vec<Result<ChildOutcome, CheckError>> = std::thread::scope(|s| {
        let handles: Vec<_> = modes
            .iter()
            .map(|m| s.spawn(move || child::run_mode(m, Duration::from_secs(120))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| CheckError::from("child runner panicked"))?
                    .map_err(Into::into)
            })
            .collect()
    });
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, _>>()?;
    for (mode, o) in modes.iter().zip(&outcomes) {
        if o.exit_code == Some(3) {
            return Err(CheckError(format!(
                "child mode {mode} is not dispatched by this binary (call \
                 chapters::dispatch_child() first in main)"
            )));
        }
    }
    Ok(outcomes.try_into().expect("one outcome per mode"))
}

/// The drops, timed in this process and crashed in children.
pub fn drops(ctx: &Ctx) -> Figure<Drops> {
    static CELL: PerRun<Result<Drops, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let sizes: &[usize] = ctx
            .pick::<&[usize]>(&[10_000, 100_000, drop_list::MILLION], &[10_000, 100_000]);
        let iterative = sizes
            .iter()
            .map(|&n| {
                let list = black_box(drop_list::IterativeList::with_len(n));
                let t = Instant::now();
                let ((), c) = measure(|| drop(list));
                (n, c.frees, t.elapsed())
            })
            .collect();
        let [recursive_million, iterative_million] =
            run_children(["escape_heap::recursive_drop", "escape_heap::iterative_drop"])?;
        Ok(Drops { iterative, recursive_million, iterative_million })
    })
}

// ------------------------------------------------------------------ values

/// Values against boxes (C003-22, C003-23).
#[derive(Debug)]
pub struct Points {
    /// `Vec<Point>`, `Vec<Box<Point>>`, boxed fields: allocations for
    /// [`SEED_LEN`] points.
    pub counts: [AllocCounts; 3],
    /// Points in the timed runs.
    pub timed: usize,
    /// Build (allocate and fill): by value, boxed.
    pub build_ns: (f64, f64),
    /// Sum of x + y in allocation order: by value, boxed.
    pub sum_ns: (f64, f64),
    /// Sum of x + y with the boxes visited in a shuffled order: by value, boxed.
    pub shuffled_sum_ns: (f64, f64),
}

/// The layouts counted, and built and summed side by side.
pub fn points(ctx: &Ctx) -> Figure<Points> {
    static CELL: PerRun<Result<Points, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = black_box(SEED_LEN);
        let counts = [
            count(|| v::points_by_value(n)),
            count(|| v::points_boxed(n)),
            count(|| v::points_boxed_fields(n)),
        ];
        let timed = ctx.pick(300_000, 50_000);
        let rounds = ctx.pick(9, 5);
        let build_ns = ns_per_call(
            rounds,
            1,
            || drop(black_box(v::points_by_value(black_box(timed)))),
            || drop(black_box(v::points_boxed(black_box(timed)))),
        );
        let mut values = v::points_by_value(timed);
        let mut boxes = v::points_boxed(timed);
        let sum = |values: &[v::Point], boxes: &[Box<v::Point>]| {
            ns_per_call(
                rounds,
                1,
                || {
                    black_box(v::sum_by_value(black_box(values)));
                },
                || {
                    black_box(v::sum_boxed(black_box(boxes)));
                },
            )
        };
        let sum_ns = sum(&values, &boxes);
        // The same permutation for both: the values stay contiguous, the
        // boxes are visited out of the order they were allocated in.
        SplitMix64::new(11).shuffle(&mut values);
        SplitMix64::new(11).shuffle(&mut boxes);
        let shuffled_sum_ns = sum(&values, &boxes);
        Ok(Points { counts, timed, build_ns, sum_ns, shuffled_sum_ns })
    })
}

/// Passing `[u8; N]` by value and by reference (C003-24).
#[derive(Debug)]
pub struct PassLarge {
    /// (bytes, by value, by reference) median time per call.
    pub sizes: Vec<(usize, f64, f64)>,
    /// A by-value call of 4 KiB sees a copy when the caller keeps the array …
    pub copied_kept: bool,
    /// … and when it moves it.
    pub copied_moved: bool,
    /// A [`v::LARGE_VALUE`] array built on a [`v::SMALL_STACK`] thread: in a frame …
    pub via_stack: ChildOutcome,
    /// … and on the heap.
    pub via_heap: ChildOutcome,
}

impl PassLarge {
    /// The copy a by-value call costs at `bytes`: by value − by reference.
    pub fn copy_ns(&self, bytes: usize) -> f64 {
        self.sizes
            .iter()
            .find(|s| s.0 == bytes)
            .map_or(f64::NAN, |&(_, val, refr)| val - refr)
    }
}

/// Sizes passed by value and by reference.
pub const PASS_SIZES: [usize; 5] = [64, 256, 1024, 4096, 65536];

/// By value against by reference, side by side, at [`PASS_SIZES`].
pub fn pass_large(ctx: &Ctx) -> Figure<PassLarge> {
    static CELL: PerRun<Result<PassLarge, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let rounds = ctx.pick(9, 5);
        let mut sizes = Vec::new();
        macro_rules! time_size {
            ($n:expr) => {{
                let a = black_box([1u8; $n]);
                // About 1 MiB copied per batch (fewer calls for larger arrays).
                let iters = ctx.pick((1 << 20) / $n, (1 << 18) / $n).max(2000);
                let (val, refr) = ns_per_call(
                    rounds,
                    iters,
                    || {
                        black_box(v::first_byte_by_value(a));
                    },
                    || {
                        black_box(v::first_byte_by_ref(black_box(&a)));
                    },
                );
                sizes.push(($n, val, refr));
            }};
        }
        time_size!(64);
        time_size!(256);
        time_size!(1024);
        time_size!(4096);
        time_size!(65536);
        debug_assert_eq!(sizes.iter().map(|s| s.0).collect::<Vec<_>>(), PASS_SIZES);
        let (copied_kept, copied_moved) = v::by_value_makes_a_copy::<4096>();
        let [via_stack, via_heap] = run_children([
            "escape_heap::large_value_via_stack",
            "escape_heap::large_value_via_heap",
        ])?;
        Ok(PassLarge { sizes, copied_kept, copied_moved, via_stack, via_heap })
    })
}

// ------------------------------------------------------------------ context

/// Seed 003 策略7 (C003-27, C003-28, D56).
#[derive(Debug)]
pub struct Contexts {
    /// `WithValue` of bigData by value, of an `Arc<bigData>`, of an id.
    pub by_value: AllocCounts,
    /// See [`Contexts::by_value`].
    pub by_arc: AllocCounts,
    /// See [`Contexts::by_value`].
    pub by_id: AllocCounts,
    /// `DataStore::get`.
    pub store_get: AllocCounts,
    /// What package `users` reads back with string keys, and with key types.
    pub users_reads: (String, String),
}

/// The context ports, counted.
pub fn contexts(ctx: &Ctx) -> Figure<Contexts> {
    static CELL: PerRun<Result<Contexts, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let root = Context::background();
        let shared: Arc<cx::BigData> = Arc::from(cx::big_data());
        let by_value = count(|| root.with_value(Key::Str("data"), cx::big_data()));
        let by_arc =
            count(|| root.with_value(Key::Str("data"), Box::new(Arc::clone(&shared))));
        let by_id = count(|| root.with_value(Key::Str("dataID"), Box::new(DataId(123))));
        let store = DataStore::new(16);
        store.insert(DataId(123), Arc::clone(&shared));
        let store_get = count(|| store.get(DataId(123)));
        let strings = cx::traces::attach(&cx::users::attach(&root, "alice"), "trace-42");
        let typed = cx::traces::attach_typed(
            &cx::users::attach_typed(&root, "alice"),
            "trace-42",
        );
        let read = |s: Option<&String>| s.cloned().unwrap_or_default();
        Ok(Contexts {
            by_value,
            by_arc,
            by_id,
            store_get,
            users_reads: (
                read(cx::users::current(&strings)),
                read(cx::users::current_typed(&typed)),
            ),
        })
    })
}

// ------------------------------------------------------------------ races

/// The race fixes (D57's and D24's, shown; their claims belong to later chapters).
#[derive(Debug)]
pub struct Races {
    /// Requests answered.
    pub requests: usize,
    /// Workers.
    pub workers: usize,
    /// (fix, all answers in order, caller's allocations, workers' allocations).
    pub fixes: Vec<(&'static str, bool, u64, u64)>,
    /// Metrics in the snapshot, and the snapshot's allocations.
    pub snapshot: (usize, u64),
}

/// The fixes, run and counted.
pub fn races(ctx: &Ctx) -> Figure<Races> {
    static CELL: PerRun<Result<Races, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let (n, workers) = (1000u32, 4);
        let requests: Vec<u32> = (0..n).collect();
        let want: Vec<u32> = requests.iter().map(|&x| races::process(x)).collect();
        let fixes = [
            (
                "scoped threads, own slots",
                races::answer_with_scoped_slots(&requests, workers),
            ),
            (
                "channel of (index, answer)",
                races::answer_with_channel(&requests, workers),
            ),
            ("Mutex<Vec> + sort", races::answer_with_mutex(&requests, workers)),
        ]
        .into_iter()
        .map(|(name, a)| (name, a.responses == want, a.caller.allocs, a.workers.allocs))
        .collect();
        let registry = races::MetricRegistry::default();
        let metrics = 10;
        for i in 0..metrics {
            registry.add(&format!("metric-{i}"), 1.0);
        }
        let snapshot = (metrics, count(|| registry.snapshot()).allocs);
        Ok(Races { requests: n as usize, workers, fixes, snapshot })
    })
}

// ------------------------------------------------------------------ ports

/// A seed snippet ported line by line, and what rustc said about it.
#[derive(Debug)]
pub struct Port {
    /// The snippet's name (its file under `snippets/`, without `.rs`).
    pub name: &'static str,
    /// Where in the seeds it comes from.
    pub seed: &'static str,
    /// What rustc said.
    pub rustc: Diagnostics,
}

/// Every port, compiled once per run.
pub fn ports(ctx: &Ctx) -> Figure<Vec<Port>> {
    static CELL: PerRun<Result<Vec<Port>, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        [
            ("return_ref_to_local", "001 §6.1.1.3.2 L84-87"),
            ("undefined_size", "001 §6.1.1.3.2 L68-82 (D30)"),
            ("unused_locals", "001 §6.1.1.3.1 L45-55 (D29)"),
            ("buffer_reset", "001 §6.1.1.9.1 L820-843 (D45)"),
            ("reassign_large", "001 §6.1.1.9.2 L851-862 (D46)"),
            ("slice_outlives_data", "003 strategy 4 L292-296"),
            ("shared_append", "003 best practice 2 L407-440 (D57)"),
            ("metric_snapshot", "000 §1.5.1 L695-709 (D24)"),
        ]
        .into_iter()
        .map(|(name, seed)| {
            Ok(Port { name, seed, rustc: rustc::diagnostics(name).map_err(CheckError)? })
        })
        .collect()
    })
}

/// What rustc said about port `name`, whatever it was.
pub fn port_as_is(ctx: &Ctx, name: &str) -> Result<&'static Diagnostics, CheckError> {
    ports(ctx)?
        .iter()
        .find(|p| p.name == name)
        .map(|p| &p.rustc)
        .ok_or_else(|| CheckError(format!("no port {name}")))
}

/// What rustc said about port `name`, checked against what the chapter
/// expects of it (an error when it says something else: the port would no
/// longer show its point).
pub fn port(ctx: &Ctx, name: &str) -> Result<&'static Diagnostics, CheckError> {
    let d = port_as_is(ctx, name)?;
    let expect = rustc::snippet(name).expect;
    if !d.meets(expect) {
        return Err(CheckError(format!(
            "rustc did not report {expect:?} for the port {name}.rs: {}",
            d.describe()
        )));
    }
    Ok(d)
}
