//! Chapter 5, tri-color mark-sweep: a simulated collector, the seed's
//! recursive marker failing beside it, incremental marking and its barriers,
//! GOGC pacing, and what Rust does instead.
//!
//! `cargo run --release --example mark_sweep` prints every table, then the
//! chapter's claim table. `--table NAME` prints one; `--barrier NAME` picks
//! the barrier of the step-by-step log; `--chain N` collects an N-object
//! chain; `--svg DIR` writes the pictures (`--book-set`: the book's only).

use clap::Parser;
use perf_workbook::chapters;
use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
use perf_workbook::mark_sweep::{figures, svg, tables};
use perf_workbook::measure::machine::MachineInfo;
use std::path::PathBuf;

perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(
    about = "Tri-color mark-sweep: a simulated collector, its barriers, its pacing"
)]
struct Args {
    #[command(flatten)]
    chapter: ChapterArgs,
    /// Barrier of the step-by-step log: none, dijkstra, yuasa, hybrid.
    #[arg(long, default_value = "none")]
    barrier: String,
    /// Only build and collect an N-object chain.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    chain: Option<u32>,
    /// Only write the SVG frames and charts into DIR.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    /// With --svg: only the pictures the book shows.
    #[arg(long)]
    book_set: bool,
}

fn tables(log: cli::BuildTables) -> Vec<ExampleTable> {
    vec![
        // C001-16, C001-19, D33: the collector against BFS and H − Unreachable(H).
        table("agreement", "the collector against the ground truth", tables::agreement),
        // C001-18: a worklist marks a chain of any length with one gray entry.
        table("chain", "a long chain, stop-the-world, worklist marker", tables::chain),
        // C001-18, D32: the seed's recursion never ends on a cycle, and
        // overflows on a long chain unless the stack is huge.
        table("seed", "the seed's recursive marker on cycles and chains", tables::seed),
        // How fast the worklist marks, against a plain BFS (target: ≤ 1.2×).
        table("throughput", "stop-the-world mark vs plain BFS", tables::throughput),
        // The marker's limit: memory-level parallelism. Random-layout marking
        // against 16 pointer chases over the same heap (target ≥ 0.5×), with
        // and without the prefetch window.
        table("mlp", "the marker against 16 pointer chases", tables::mlp),
        // D33, C001-17: four writes in the wrong order free an object the
        // program still reaches; the colors matter only because the mutator
        // runs between steps. `--barrier` picks the barrier.
        table("log", "the lost object, step by step", log),
        // Each barrier is sound only with its root protocol (rescan, snapshot).
        table("scenarios", "scripted interleavings × barriers", tables::scenarios),
        // C001-17: "black = children done" holds under Dijkstra's barrier only.
        table(
            "invariants",
            "what the colors mean under each barrier",
            tables::invariants,
        ),
        // Incremental marking's cost: work ≤ 1.3× stop-the-world, no step over budget.
        table(
            "incremental",
            "incremental marking vs stop-the-world",
            tables::incremental,
        ),
        // Paced by the clock as Go paces it: steps under 100 µs while the
        // collector takes at most 25% of the thread (the paced chart).
        table("paced", "incremental cycles paced by the clock", tables::paced),
        // The seeds' GOGC and memory-limit settings (C000-11, C000-12, C003-33),
        // simulated; their checks belong to the allocator-tuning chapter.
        table("pacing", "GOGC and the memory limit over a burst", tables::pacing),
        table("timeline", "the heap over time under each setting", tables::timeline),
        // C004-05: seed 004's 1 GiB []byte costs the marker nothing unless it reads it.
        table("noscan", "marking beside a large pointer-free block", tables::noscan),
        // C001-16, C004-05: Rc cycles leak; a Vec<u8> is one free at any size.
        table("rust", "what Rust does instead", tables::rust),
    ]
}

fn main() {
    chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let placeholder = tables(tables::log_for("none").expect("the none barrier"));
    let args: Args = cli::parse_example(&placeholder);
    let Some(log) = tables::log_for(&args.barrier) else {
        cli::fail(&format!(
            "unknown barrier {:?} (one of: none, dijkstra, yuasa, hybrid)",
            args.barrier
        ));
    };
    if args.book_set && args.svg.is_none() {
        cli::fail("--book-set needs --svg DIR");
    }
    let ctx = args.chapter.ctx();
    if let Some(dir) = &args.svg {
        let p = figures::pacing(&ctx);
        let paced = figures::paced(&ctx).runs.last().expect("a hybrid cycle");
        let total = p.trace.total_bytes();
        match svg::write_pictures(dir, &p.runs, total, paced, args.book_set) {
            Ok(n) => println!("wrote {n} SVG files into {}", dir.display()),
            Err(e) => cli::fail(&format!("{}: {e}", dir.display())),
        }
        return;
    }
    if let Some(n) = args.chain {
        println!("machine: {}", MachineInfo::collect());
        print!("{}", tables::chain_of(n as usize));
        return;
    }
    cli::run_example(cli::named("mark_sweep"), &args.chapter, &tables(log));
}
