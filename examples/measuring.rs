//! Chapter 0, "Measuring honestly": the seeds' benchmarks re-measured, each
//! table beside the claims it judges, then the chapter's claim table.
//!
//! ```text
//! cargo run --release --example measuring                    # everything
//! cargo run --release --example measuring -- --table pool    # one table
//! cargo run --release --example measuring -- --demo touch    # a workload for perf/strace/valgrind
//! ```

use clap::Parser;
use perf_workbook::claims::{CheckError, Ctx};
use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
use perf_workbook::measuring::elision::ElisionPair;
use perf_workbook::measuring::tables;
use perf_workbook::measuring::tool_workloads::Demo;
use perf_workbook::table::Table;
use std::hint::black_box;

// The counting allocator, installed in *this* binary: it decides what the
// loops defined below can be optimised into (see the elision table).
perf_workbook::count_allocations!();

/// Chapter 0, "Measuring honestly": the seeds' benchmarks, re-measured.
#[derive(Parser, Debug)]
struct Args {
    #[command(flatten)]
    chapter: ChapterArgs,
    /// Run only this small workload, for strace, perf or valgrind, and exit.
    #[arg(long, value_enum, conflicts_with = "table")]
    demo: Option<Demo>,
}

/// Seed 001's loop (`perf_workbook::measuring::seed_port::make_1024_unused`)
/// again, but compiled in this binary, the crate that installs the counting
/// allocator.
#[inline(never)]
fn make_1024_unused_here(iters: u64) {
    for _ in 0..iters {
        let buf = vec![0u8; 1024];
        drop(buf);
        black_box(());
    }
}

/// Its honest twin, also compiled here.
#[inline(never)]
fn make_1024_kept_here(iters: u64) {
    for _ in 0..iters {
        drop(black_box(vec![0u8; 1024]));
    }
}

const HERE: ElisionPair = ElisionPair {
    name: "vec![0u8; 1024]",
    seed: "seed 001 §6.1.1.8.2 L777-784",
    unused: make_1024_unused_here,
    kept: make_1024_kept_here,
};

fn elision(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    tables::elision_with(ctx, HERE)
}

const TABLES: &[ExampleTable] = &[
    // C001-33, D43, D28: an unused allocation is deleted by LLVM in the
    // library; in this binary, beside the counting allocator, the count stays
    // and only the malloc inside it goes.
    table("elision", "an unused allocation, with and without black_box", elision),
    // C003-26, D55: 0.40 ns is at most 2.4 cycles; only an empty loop fits.
    // C000-28, C001-34, D44: a pool beside the allocator it replaces, and a
    // pool that boxes every buffer (Go's sync.Pool of []byte).
    table("pool", "the least work a pool can do, in cycles", tables::pools),
    // The counting allocator itself: what its per-thread, exact counting
    // adds to an alloc + free (target: at most 1.5 ns).
    table("counting", "what the counting allocator adds", tables::counting_cost),
    // Counts instead of times: syscalls, faults and CPU time from the kernel.
    table("counters", "what /proc and getrusage count", tables::counters),
    // C003-08: -benchmem counts repeat exactly; benchstat's U test reads the
    // same code twice as no change, and a real change as one.
    table("compare", "two runs compared, by counts and by timings", tables::compare),
    // C003-41: a CPU profile (SIGPROF on the thread's CPU clock) finds the
    // renderer the timing comparison finds hot.
    table("profile", "where a CPU profile puts the time", tables::profile),
    // C004-16, D63, C004-41: seed 004's buffers in ns, then read in whole ms;
    // like with like, the cost only moved to the first touch.
    table("timer", "seed 004's buffers in nanoseconds and in whole ms", tables::timer),
    // C004-21, D64: five runs with a 66% coefficient of variation, and five
    // runs of a fixed loop here, for scale.
    table("stats", "five runs, and what they can show", tables::stats),
    // C000-27, D27: a client-timed transfer benchmark times the client too.
    table("transfer", "what a client-timed transfer benchmark times", tables::transfer),
];

fn main() {
    perf_workbook::chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let args: Args = cli::parse_example(TABLES);
    if let Some(demo) = args.demo {
        match demo.run() {
            Ok(line) => println!("{line}"),
            Err(e) => cli::fail(&format!("demo {demo:?}: {e}")),
        }
        return;
    }
    let chapter = perf_workbook::cli::named("measuring");
    cli::run_example(chapter, &args.chapter, TABLES);
}
