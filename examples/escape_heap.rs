//! Chapter 3, "Escape and heap behavior": where Rust values live, counted
//! allocation by allocation, beside ports of the seeds' Go code.
//!
//! `cargo run --release --example escape_heap` prints every table, then the
//! chapter's claim table; `--table NAME` prints one, `--quick` uses small
//! sizes. Counts come from the counting allocator installed below; times are
//! medians of interleaved batches, printed as ratios where they are compared.
use perf_workbook::cli::{chapter_main, table};
use perf_workbook::escape_heap::tables;
use std::hint::black_box;

perf_workbook::count_allocations!();

/// An unused `Box` compiled in *this* crate, the one that defines the
/// counting allocator: LLVM inlines the allocator here, deletes its `malloc`
/// and `free`, and keeps its counter updates (the `elision` table).
#[inline(never)]
fn unused_box_here() -> i64 {
    let b = Box::new(black_box(100i64));
    *b + 1
}

fn main() {
    chapter_main(
        "escape_heap",
        &[
            // C001-04 … C001-13: each escape case of seed 001 §6.1.1.3 costs the
            // allocations its Rust type asks for; Go's escape rules themselves
            // (C001-06 … C001-10) are static here, their analogues counted.
            table("escape", "each escape case of seed 001, counted", tables::escape),
            // C001-05: an unused Box is deleted by LLVM; in the crate that
            // defines the counting allocator, it is still counted.
            table("elision", "what LLVM deletes", |ctx| {
                tables::elision(ctx, unused_box_here)
            }),
            // C001-35, C003-12 … C003-14: preallocation saves the doublings;
            // index assignment makes the same one allocation, faster.
            table("growth", "filling a Vec", tables::growth),
            // C003-15 … C003-18, C001-37: Go's `+=` (ported) allocates per item,
            // Rust's `+=` is amortised; the builder allocates once.
            table("strings", "building a String", tables::strings),
            // C003-17, D53: the pooled build still allocates its result, and the
            // seed's `defer Put(buf)` puts back the header from before the appends.
            table("defer", "the seed's pooled build and its defer", tables::defer),
            // C003-19 … C003-21, D54, C001-39, D46: a view pins its parent;
            // only a copy frees it; `drop` frees at its line.
            table("retention", "what keeps a buffer alive", tables::retention),
            // C001-23: no GC pause, but freeing a list is a pause of its own,
            // and the recursive drop glue overflows the stack.
            table("drop", "freeing a million-node list", tables::drop),
            // C003-22 … C003-24: values against boxes, timed; copies against a
            // heap allocation either side of the seed's 1 KB.
            table("values", "values, boxes and large values", tables::values),
            // C003-27, C003-28, D56: a value in a context is copied, an Arc or
            // an id is not; string keys collide.
            table("context", "large values and keys in a context", tables::context),
            // D57 and D24 (later chapters' claims): the seeds' races, fixed.
            table("races", "the seeds' races, fixed", tables::races),
            // C001-08, C001-09, C003-19, D29, D30, D45, D46: what rustc says
            // about the seeds' code ported line by line.
            table("ports", "the seeds' code compiled by rustc", tables::ports),
        ],
    );
}
