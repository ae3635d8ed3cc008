//! Chapter 4, Pools: where a pool beats the allocator in Rust, and the seeds'
//! pool defects shown beside their fixes.
//!
//!     cargo run --release --example pools                 # every table, then the claims
//!     cargo run --release --example pools -- --table pays # one table
//!
//! The tables read the chapter's figures (`perf_workbook::pools::figures`),
//! the same the claim table is decided on; this example only adds mimalloc
//! and jemalloc to the allocators the `pays` table races.
use mimalloc::MiMalloc;
use perf_workbook::cli::{chapter_main, table};
use perf_workbook::pools::figures::{self, AllocatorPath};
use perf_workbook::pools::tables;
use tikv_jemallocator::Jemalloc;

// Allocation counts need the counting allocator; the timed allocator paths
// call System, MiMalloc and Jemalloc directly and never pass through it.
perf_workbook::count_allocations!();

static MI: MiMalloc = MiMalloc;
static JE: Jemalloc = Jemalloc;

fn main() {
    let others =
        vec![AllocatorPath::of("mimalloc", &MI), AllocatorPath::of("jemalloc", &JE)];
    if let Err(e) = figures::also_time(others) {
        perf_workbook::cli::fail(&e.0);
    }
    chapter_main(
        "pools",
        &[
            // C000-06, C001-36: a pool pays only where the allocator is slow:
            // an object that takes three allocations to build, a 32 MiB buffer
            // glibc maps and unmaps each time. Where glibc's tcache does the
            // same work as the pool (a small object), the pool is even or loses,
            // and every shared pool loses. Under it, the same 64-byte rows on one
            // thread against two: a shared mutex or queue is one cache line that
            // both cores write on every operation.
            table("pays", "when does a pool pay? pools against allocators", tables::pays),
            // The pools' own limits: the buffer path a reader writes with
            // thread_local_pool! against a fresh buffer (≥ 4× at 4 KiB, never
            // slower at 64 B), the thread-local pool against jemalloc, the
            // sharded pool on one thread against the thread-local one.
            table("limits", "the fast paths against their targets", tables::limits),
            // C000-06, C003-25: once warm, every pool makes 0 allocations per
            // get + put where the direct path makes one per object.
            table("allocs", "allocations per operation", tables::allocs),
            // C003-11: seed 003's own process(), with and without its pool.
            // The cut is the share of allocations the pool covers: all of them
            // when the bytes are written out, all but the copy when they are
            // copied out. Seed 003 says 60–80%.
            table(
                "cut",
                "seed 003's process(): the allocations a pool cuts",
                tables::cut,
            ),
            // D47, D38, D39, D49 (C001-43, C001-28, C001-44): the seeds' ports
            // leak a previous response, hand out class lengths, drop truncated
            // buffers and pad pipeline items; the fixes do none of it.
            table(
                "stale",
                "stale data and lengths: seed port against fix",
                tables::stale,
            ),
            // Without black_box, LLVM deletes an allocation it can see is
            // unused, and a benchmark of it measures nothing.
            table("elision", "Box::new with and without black_box", tables::elision),
        ],
    );
}
