//! Chapter 7, "mmap and large buffers": what a 1 GiB buffer really costs in
//! Rust. Allocation takes microseconds at every size; the cost, one page
//! fault per page, arrives at the first touch, and an explicit `mmap` moves
//! none of it away.
//!
//! ```text
//! cargo run --release --example mmap                     # every table, then the claims
//! cargo run --release --example mmap -- --table sizes    # one table
//! cargo run --release --example mmap -- --table plot --plot book/src/mmap/first-touch.svg
//! ```

use clap::Parser;
use perf_workbook::claims::{CheckError, Ctx};
use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
use perf_workbook::mmap::tables;
use perf_workbook::table::Table;
use std::path::PathBuf;
use std::sync::OnceLock;

// C004-12, C004-36 and D66 ask what a heap profiler sees: count allocations.
perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(about = "What a large buffer costs: allocation, first touch, page faults")]
struct Args {
    #[command(flatten)]
    chapter: ChapterArgs,
    /// With `--table plot` (or every table): write the first-touch plot
    /// (SVG) to this file.
    #[arg(long, value_name = "PATH")]
    plot: Option<PathBuf>,
}

/// Where `--plot` asked the plot to go.
static PLOT: OnceLock<Option<PathBuf>> = OnceLock::new();

fn plot(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    tables::plot(ctx, PLOT.get().and_then(Option::as_deref))
}

const TABLES: &[ExampleTable] = &[
    // Every timing below depends on these: THP, reserved huge pages, the
    // overcommit policy, and whether the host behind a VM backs memory lazily.
    table("conditions", "the settings and the host's memory", tables::conditions),
    // C004-01, C004-07, C004-17: allocation takes microseconds at every size;
    // the seed's 1595 ms for 1 GB is the first touch, one fault per page
    // (C004-04). C004-03: only an eager fill (vec![1u8; n]) writes at
    // allocation. C004-15, C004-35: an explicit mmap takes the same faults.
    table("sizes", "every strategy at every size, and the seed's timings", tables::sizes),
    // The same figures as a log-log plot (book/src/mmap/first-touch.svg).
    table("plot", "allocation + first touch against size, plotted", plot),
    // C004-08, C004-09: both vec![0u8; n] and mmap only reserve. C004-10,
    // C004-30, C004-31: reads map the shared zero page, writes allocate.
    // C004-11: touch 1 MiB of 1 GiB, pay for 1 MiB.
    table("paging", "lazy allocation, the zero page, demand paging", tables::paging),
    // What a first-touch fault costs: zeroing the page (a memset of 4 KiB)
    // and the rest (the trap, taking a page, the page tables).
    table("fault", "a first-touch fault: zeroing and the rest", tables::fault),
    // C004-02: glibc zeroes at allocation only when it recycles a heap chunk
    // (16 MiB from the third turn); 64 MiB is a fresh lazy mapping every time.
    table("recycle", "glibc's recycled chunks, in a fresh process", tables::recycle),
    // C004-38, D68: the seed's pre-warm loop moves the faults, removes none,
    // and over-touches huge pages; the kernel prefaults faster.
    table(
        "prefault",
        "the seed's pre-warm loop, MAP_POPULATE, MADV_POPULATE_WRITE",
        tables::prefault,
    ),
    // C004-39, D69: MAP_HUGETLB needs reserved pages; THP does not. The TLB
    // row: random reads at 32-way memory-level parallelism, 4 KiB pages
    // against huge pages (far apart in a VM: nested page walks).
    table("thp", "MAP_HUGETLB, transparent huge pages, random reads", tables::thp),
    // C004-14, C004-22, D60: the seed's finalizer unmaps memory still in use;
    // Drop unmaps once. C004-36, D66: RSS and a heap profile miss a leaked
    // mapping; /proc/self/maps does not.
    table(
        "lifetime",
        "the seed's finalizer, Rust ownership, who sees a leak",
        tables::lifetime,
    ),
    // C004-13, C004-24, D61: after ENOMEM the same-size fallback fails too,
    // and in the seed's port it aborts the process.
    table("failure", "absurd sizes, and the seed's fallback to make()", tables::failure),
    // C004-40: binding memory to a node pays only where there is a remote node.
    table("numa", "NUMA nodes, local against remote reads", tables::numa),
];

fn main() {
    perf_workbook::chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let args: Args = cli::parse_example(TABLES);
    PLOT.set(args.plot).expect("set once");
    cli::run_example(perf_workbook::cli::named("mmap"), &args.chapter, TABLES);
}
