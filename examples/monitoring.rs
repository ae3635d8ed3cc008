//! Chapter 10, "Monitoring and leak detection": what a metric costs, what a
//! sampler reads and what it costs, and whether a leak detector finds
//! leaks, with the seeds' monitor, detector, profiler and memory monitor
//! ported beside the versions that work.
//!
//! ```text
//! cargo run --release --example monitoring                  # every table, then the claims
//! cargo run --release --example monitoring -- --table counters
//! cargo run --release --example monitoring -- --table load --plot book/src/monitoring/load.svg
//! ```

use clap::Parser;
use perf_workbook::claims::{CheckError, Ctx};
use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
use perf_workbook::measure::alloc::CountingAlloc;
use perf_workbook::monitoring::{TrackingAlloc, tables};
use perf_workbook::table::Table;
use std::path::PathBuf;
use std::sync::OnceLock;

// The tracking allocator over the counting one: live allocations by site
// (the leaks table) and the workbook's per-thread counts (the detector).
#[global_allocator]
static ALLOC: TrackingAlloc<CountingAlloc> = TrackingAlloc::new(CountingAlloc::system());

#[derive(Parser, Debug)]
#[command(about = "Metrics that cost nanoseconds, a sampler that stops, leak detectors")]
struct Args {
    #[command(flatten)]
    chapter: ChapterArgs,
    /// With `--table load` (or every table): write the load plot (SVG) here.
    #[arg(long, value_name = "PATH")]
    plot: Option<PathBuf>,
}

/// Where `--plot` asked the plot to go.
static PLOT: OnceLock<Option<PathBuf>> = OnceLock::new();

fn load(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    tables::load(ctx, PLOT.get().and_then(Option::as_deref))
}

const TABLES: &[ExampleTable] = &[
    // The subject: handles registered once, owned labels, a cap on series.
    table(
        "registry",
        "a registry's snapshot: counters, gauges, histograms",
        tables::registry,
    ),
    // C000-25, the targets: seed 000 takes a global lock and builds a key
    // string per update; a per-thread slot is a load and a store. Totals
    // must be exactly 2 × m for every design that counts.
    table(
        "counters",
        "counter increments from two threads, ours and the peers",
        tables::counters,
    ),
    // D24, C000-25: the seed's exporter reads fields AddMetric is writing;
    // a seqlock'd gauge is never read half-written.
    table("torn", "reads of a metric while it is written", tables::torn),
    // C000-14: ReadMemStats' Rust analogue (mallinfo2) walks the heap under
    // its locks; the sampler reads /proc and getrusage. C001-32, D78: it
    // keeps the newest sample and counts what it drops.
    table("sampler", "what a sample costs, and the sampler's life", tables::sampler),
    // C002-14: speed, memory and CPU, each seen moving under a scripted
    // load (book/src/monitoring/load.svg).
    table("load", "a scripted load, watched by the sampler", load),
    // C003-39, C001-30: Rust's four leaks and seed 003's four causes, each
    // found; their leak-free twins, none.
    table("leaks", "the leak detector on leaky and leak-free workloads", tables::leaks),
    // D25, D26, D41, D42, D48, D77, D78, C000-26, C001-31, C001-32: every
    // seed defect beside its fix.
    table("ports", "the seeds' monitoring code beside the fixes", tables::ports),
];

fn main() {
    perf_workbook::chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let args: Args = cli::parse_example(TABLES);
    PLOT.set(args.plot).expect("set once");
    cli::run_example(perf_workbook::cli::named("monitoring"), &args.chapter, TABLES);
}
