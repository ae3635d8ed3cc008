//! Chapter 2, struct layout: where a struct's bytes go (the seeds' pairs, niches,
//! packed and aligned types), then what it costs when they leave the cache.
//!
//!     cargo run --release --example struct_layout                  # everything
//!     cargo run --release --example struct_layout -- --table levels
//!     cargo run --release --example struct_layout -- --quick       # small sizes
use perf_workbook::cli::{chapter_main, table};
use perf_workbook::struct_layout::tables;

// C001-25 counts the bytes a Vec asks the allocator for.
perf_workbook::count_allocations!();

fn main() {
    chapter_main(
        "struct_layout",
        &[
            // C000-08, C000-09, C000-10, D10: seed 000's "optimized" pair is 64
            // bytes either way; the padding moves, and one comment puts it in
            // the wrong place.
            table(
                "seed-000",
                "seed 000 §1.2.2: OptimizedStruct vs UnoptimizedStruct",
                tables::seed_000,
            ),
            // C001-25: seed 001's reordering pays in Go's layout (repr(C)); the
            // default repr has already done it.
            table(
                "seed-001",
                "seed 001 §6.1.1.5.2: reordering {bool, i64, bool, i32}",
                tables::seed_001,
            ),
            // Not a seed claim: what else decides a Rust type's size.
            table("sizes", "niches, enums, packed and aligned types", tables::sizes),
            // C001-01: one dependent load per level, then a read from disk.
            table(
                "levels",
                "the memory hierarchy, level by level (C001-01)",
                tables::levels,
            ),
            // C001-01, the whole curve: plateaus and cliffs, and what the
            // prefetcher hides when the order is predictable.
            table(
                "hierarchy",
                "one dependent load, working set 16 KiB and up",
                tables::hierarchy,
            ),
            // C001-02: spatial and temporal locality, each as a ratio of the
            // same work done two ways.
            table(
                "locality",
                "the same work in a cache-hostile and a cache-friendly order",
                tables::locality,
            ),
            // C001-02's cost side: two threads writing one cache line.
            table(
                "false-sharing",
                "two threads, each incrementing its own counter",
                tables::false_sharing,
            ),
            // D11: the seed's import order, put to Go's own toolchain.
            table("go-vet", "seed 000's listing order, by go vet (D11)", tables::go_vet),
        ],
    );
}
