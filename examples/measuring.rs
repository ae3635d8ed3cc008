//! Chapter 0, "Measuring honestly": how each figure of this workbook is
//! taken, shown on the seeds' own benchmarks.
//!
//! ```text
//! cargo run --release --example measuring                  # everything
//! cargo run --release --example measuring -- --table pool  # one table
//! cargo run --release --example measuring -- --demo touch  # a workload for perf/strace/valgrind
//! ```

use clap::{Parser, ValueEnum};
use perf_workbook::claims::Ctx;
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::measuring::elision::{self, ElisionPair};
use perf_workbook::measuring::figures::{self, ElisionRow};
use perf_workbook::measuring::{counters, tables, timing};
use std::hint::black_box;

// The counting allocator, installed in *this* binary: it decides what the
// loops defined below can be optimised into (see the elision table).
perf_workbook::count_allocations!();

/// Chapter 0, "Measuring honestly": the seeds' benchmarks, re-measured.
#[derive(Parser, Debug)]
struct Args {
    /// Small sizes and few repetitions (for CI).
    #[arg(long)]
    quick: bool,
    /// Print only this table.
    #[arg(long, value_enum)]
    table: Option<Table>,
    /// Run only this small workload, for strace, perf or valgrind, and exit.
    #[arg(long, value_enum, conflicts_with = "table")]
    demo: Option<Demo>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Table {
    Elision,
    Pool,
    Counters,
    Timer,
    Stats,
    Transfer,
    Claims,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Demo {
    /// Read a 1 MiB file with a 64 KiB buffer.
    ReadLoop,
    /// Write once to every page of 64 MiB of fresh memory.
    Touch,
    /// 1,000,000 iterations of `vec![0u8; 1024]`, never used.
    AllocUnused,
    /// The same with `black_box`.
    AllocKept,
}

/// Seed 001's loop again, but compiled in this binary, the crate that
/// installs the counting allocator.
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

fn elision_here(ctx: &Ctx) -> ElisionRow {
    let pair = ElisionPair {
        name: "vec![0u8; 1024]",
        seed: "seed 001 §6.1.1.8.2 L777-784",
        unused: make_1024_unused_here,
        kept: make_1024_kept_here,
    };
    let (rounds, iters) = figures::loop_sizes(ctx);
    let ns = timing::round_robin(rounds, iters, &[pair.unused, pair.kept]);
    ElisionRow {
        pair,
        unused_ns: ns[0],
        kept_ns: ns[1],
        unused_allocs: figures::allocs_per_op(pair.unused),
        kept_allocs: figures::allocs_per_op(pair.kept),
    }
}

fn demo(d: Demo) -> std::io::Result<()> {
    match d {
        Demo::ReadLoop => {
            let file = counters::TempFile::new(1 << 20)?;
            let (bytes, c) =
                counters::read_counts(file.path(), counters::ReadMethod::Loop(64 << 10))?;
            println!(
                "demo read-loop: {bytes} bytes, syscr {} (own /proc reads excluded)",
                c.syscr
            );
        }
        Demo::Touch => {
            let t = counters::touch_counts(64 << 20)?;
            println!(
                "demo touch: 64 MiB, {} minor faults on this thread",
                t.minor_faults
            );
        }
        Demo::AllocUnused => {
            elision::make_1024_unused(1_000_000);
            println!("demo alloc-unused: 1000000 iterations");
        }
        Demo::AllocKept => {
            elision::make_1024_kept(1_000_000);
            println!("demo alloc-kept: 1000000 iterations");
        }
    }
    Ok(())
}

fn main() {
    perf_workbook::chapters::dispatch_child();
    let args: Args = perf_workbook::cli::parse();
    if let Some(d) = args.demo {
        if let Err(e) = demo(d) {
            perf_workbook::cli::fail(&format!("demo {d:?}: {e}"));
        }
        return;
    }
    let ctx = Ctx { quick: args.quick };
    let show = |t: Table| args.table.is_none() || args.table == Some(t);
    println!("machine: {}", MachineInfo::collect());

    if show(Table::Elision) {
        // C001-33, D43, D28: an unused allocation is deleted by LLVM, unless the
        // loop is compiled beside the counting allocator, which keeps it.
        println!("\n## An unused allocation, with and without black_box\n");
        print!("{}", tables::elision(&ctx));
        let here = elision_here(&ctx);
        print!("{}", tables::elision_line(here.pair.name, "example", &here));
        print!("{}", tables::elision_note(&here));
    }
    if show(Table::Pool) {
        // C003-26, D55, C000-28, C001-34, D44: what a pool figure should be read against.
        println!("\n## The least work a pool can do, in cycles\n");
        print!("{}", tables::pools(&ctx));
    }
    if show(Table::Counters) {
        // Counts instead of times: syscalls, faults and CPU time from the kernel.
        println!("\n## What /proc and getrusage count\n");
        match tables::counters(&ctx) {
            Ok(t) => print!("{t}"),
            Err(e) => println!("counters unavailable: {e}"),
        }
    }
    if show(Table::Timer) {
        // C004-16, D63, C004-41: seed 004's experiment in ns, then read in whole ms.
        println!(
            "\n## Seed 004's buffers in nanoseconds, and as a ms timer reads them\n"
        );
        match tables::timer(&ctx) {
            Ok(t) => print!("{t}"),
            Err(e) => println!("first-touch table unavailable: {e}"),
        }
    }
    if show(Table::Stats) {
        // C004-21, D64: five runs with a 66% coefficient of variation.
        println!("\n## Five runs, and what they can show\n");
        print!("{}", tables::stats(&ctx));
    }
    if show(Table::Transfer) {
        // C000-27, D27: a client-timed transfer benchmark times the client too.
        println!("\n## What a client-timed transfer benchmark times\n");
        match tables::transfer(&ctx) {
            Ok(t) => print!("{t}"),
            Err(e) => println!("transfer table unavailable: {e}"),
        }
    }
    if show(Table::Claims) {
        println!();
        let report = perf_workbook::runner::print_chapter(
            perf_workbook::chapters::named("measuring"),
            args.quick,
        );
        assert_eq!(report.errors(), 0, "every check of the chapter ran");
    }
}
