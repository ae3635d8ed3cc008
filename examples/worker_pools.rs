//! Chapter 9, "Worker pools, batching and async I/O": seed 000's pools and
//! I/O processors, ported, lose jobs, hang and block; a pool that loses
//! nothing, batches that share a real cost, and I/O that is asynchronous.
//!
//! ```text
//! cargo run --release --example worker_pools                    # every table, then the claims
//! cargo run --release --example worker_pools -- --table targets # one table
//! cargo run --release --example worker_pools -- --table plot --plot book/src/worker_pools/throughput.svg
//! ```

use clap::Parser;
use perf_workbook::claims::{CheckError, Ctx};
use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
use perf_workbook::table::Table;
use perf_workbook::worker_pools::tables;
use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Parser, Debug)]
#[command(about = "Worker pools, batching and async I/O: the seeds' pools against ours")]
struct Args {
    #[command(flatten)]
    chapter: ChapterArgs,
    /// With `--table plot` (or every table): write the throughput plot
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
    // Every speed ratio depends on these: CPUs, load, io_uring, tmpfs.
    table("conditions", "the machine's state", tables::conditions),
    // C000-17, D13: our pool's promises, counted; the seed's pool loses
    // queued jobs at cancel() (select! picks at random, as Go's select).
    table("contract", "what WorkerPool promises, counted", tables::contract),
    // C000-15: empty and 1 µs jobs through every pool; the seed's batches
    // share no cost, so they buy nothing.
    table("throughput", "jobs per second, 2 workers, every pool", tables::throughput),
    // C000-15, C000-16: a lone job waits for the seed's 10 ms ticker; an
    // idle worker wakes 100 times a second.
    table("latency", "latency at low load, idle wake-ups", tables::latency),
    // The same sweep at four job sizes, as a plot.
    table("plot", "throughput against job size, plotted", plot),
    // What batching does amortise: one write(2) per batch, one sync_data.
    table("writes", "batched writes: syscalls and sync_data", tables::writes),
    // C000-21: a pool of blocking reads is not async I/O; io_uring is. An
    // offload pays against a slow device, not the page cache.
    table("io", "file reads four ways, two devices", tables::io),
    // D13, D14, D19-D23, D50, D57, D74, D75: each port beside its fix.
    table("seed", "the seeds' code, ported, beside the fixes", tables::seed),
    // C003-30, C003-31, D57: the 100-slot semaphore holds; the append races.
    table("requests", "seed 003's HandleRequests", tables::requests),
    // Every target of the chapter in one place.
    table("targets", "the chapter's targets, measured", tables::targets),
];

fn main() {
    perf_workbook::chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let args: Args = cli::parse_example(TABLES);
    PLOT.set(args.plot).expect("set once");
    cli::run_example(perf_workbook::cli::named("worker_pools"), &args.chapter, TABLES);
}
