//! Chapter 8, "Allocator tuning": what Go's GC knobs become without a
//! collector. Freed memory goes back to the OS when the *allocator* decides
//! (glibc at once for a free heap top, jemalloc after a decay, mimalloc on
//! `mi_collect`), a limit is a refusal the program must handle, and the only
//! stalls are the ones reclamation causes to threads that share its lock.
//!
//! ```text
//! cargo run --release --example allocator_tuning                    # every table, then the claims
//! cargo run --release --example allocator_tuning -- --table churn   # one table
//! cargo run --release --example allocator_tuning -- --table plot --plot book/src/allocator_tuning/rss-over-time.svg
//! ```

use clap::Parser;
use defer_drop::DeferDrop;
use perf_workbook::allocator_tuning::background_drop::{BigMap, DropSignal};
use perf_workbook::allocator_tuning::figures::{self, Peers};
use perf_workbook::allocator_tuning::tables;
use perf_workbook::claims::{CheckError, Ctx};
use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
use perf_workbook::table::Table;
use std::path::PathBuf;
use std::sync::OnceLock;

// The checks count allocations through the global allocator (glibc); the
// allocators under test are called directly, in child processes.
perf_workbook::count_allocations!();

// The peers of the targets: defer-drop's background thread, cap's limit.
static CAP: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

fn defer<T: Send + 'static>(value: T) {
    drop(DeferDrop::new(value));
}

#[derive(Parser, Debug)]
#[command(
    about = "Go's GC knobs in a language without a collector: allocators, limits, stalls"
)]
struct Args {
    #[command(flatten)]
    chapter: ChapterArgs,
    /// With `--table plot` (or every table): write the RSS plot (SVG) here.
    #[arg(long, value_name = "PATH")]
    plot: Option<PathBuf>,
}

/// Where `--plot` asked the plot to go.
static PLOT: OnceLock<Option<PathBuf>> = OnceLock::new();

fn plot(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    tables::plot(ctx, PLOT.get().and_then(Option::as_deref))
}

const TABLES: &[ExampleTable] = &[
    // C000-11, C001-20: GOGC's nearest Rust knob is the allocator's: glibc
    // trims a free heap top at once (M_TRIM_THRESHOLD), jemalloc waits for
    // its decay, mimalloc for mi_collect. Target: our Reclaimer's idle RSS ≤
    // 1.2× the best peer setting, per pattern.
    table("churn", "the resident set once idle, per allocator setting", tables::churn),
    // The same runs over time (book/src/allocator_tuning/rss-over-time.svg).
    table("plot", "the resident set over time, per allocator setting", plot),
    // C000-13, C001-22, D12, D34: the seeds' forced runtime.GC() and
    // FreeOSMemory() in the hot path: every cycle faults its pages back in.
    table(
        "forced",
        "forced reclamation each cycle against the Reclaimer",
        tables::forced,
    ),
    // C001-41: a fixed-size pool avoids fragmentation only when long- and
    // short-lived blocks interleave; how much it saves depends on the allocator.
    table(
        "fragmentation",
        "what stays resident, by survival pattern",
        tables::fragmentation,
    ),
    // C000-12, C001-21, C001-42: a limit in Rust is a refusal: try_reserve
    // degrades, an infallible allocation aborts. Target: ≤ 1.1× cap's cost.
    table("limit", "LimitAlloc, RLIMIT_AS, and the cost of a limit", tables::limit),
    // C003-03, C003-40: the pauses are a big drop (moved off the caller by
    // drop_in_background) and a trim seen by a thread sharing its arena.
    table("stalls", "big drops and reclamation seen from another thread", tables::stalls),
    // C003-33, D59: an init()-time mallopt overrides the operator's
    // MALLOC_ARENA_MAX; the fix lets the operator win.
    table("init", "who sets the knobs: start-up code against the operator", tables::init),
];

fn main() {
    perf_workbook::chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let args: Args = cli::parse_example(TABLES);
    PLOT.set(args.plot).expect("set once");
    let peers = Peers {
        defer_map: defer::<BigMap>,
        defer_small: defer::<Vec<u64>>,
        defer_signal: defer::<DropSignal>,
        cap: &CAP,
    };
    if let Err(e) = figures::set_peers(peers) {
        cli::fail(&e.0);
    }
    cli::run_example(cli::named("allocator_tuning"), &args.chapter, TABLES);
}
