//! Chapter 4, Pools: where a pool beats the allocator in Rust, and the seeds'
//! pool defects shown beside their fixes.
//!
//!     cargo run --release --example pools                 # everything + claim table
//!     cargo run --release --example pools -- --table pays # one table only
//!
//! Tables: `pays` (when does a pool pay), `contention` (1 vs 2 threads),
//! `allocs` (allocations per operation), `stale` (stale data and lengths),
//! `elision` (what happens without `black_box`).

use clap::{Parser, ValueEnum};
use mimalloc::MiMalloc;
use perf_workbook::measure::alloc::measure;
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::pools::pays::{self, AllocatorPath, PayRow};
use perf_workbook::pools::workloads::{self as w, Variant};
use perf_workbook::pools::{
    BoxRecycler, MutexStore, Obj64, Pool, QueueStore, ShardedStore,
};
use perf_workbook::pools::{demos, thread_local as tls};
use perf_workbook::{chapters, claims::Ctx, cli, runner};
use std::hint::black_box;
use tikv_jemallocator::Jemalloc;

// Allocation counts need the counting allocator; the timed allocator paths
// call System / MiMalloc / Jemalloc directly and never pass through it.
perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(
    about = "Chapter 4, Pools: pools against the allocators, and the seeds' pool defects"
)]
struct Args {
    /// Small sizes and few repetitions.
    #[arg(long)]
    quick: bool,
    /// Print only this table (no claim table).
    #[arg(long, value_enum)]
    table: Option<Table>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Table {
    Pays,
    Contention,
    Allocs,
    Stale,
    Elision,
}

fn main() {
    chapters::dispatch_child();
    let args: Args = cli::parse();
    let ctx = Ctx { quick: args.quick };
    println!("machine: {}", MachineInfo::collect());
    let all = args.table.is_none();
    let want = |t: Table| all || args.table == Some(t);
    if want(Table::Pays) {
        pays_table(&ctx);
    }
    if want(Table::Contention) {
        contention_table(&ctx);
    }
    if want(Table::Allocs) {
        allocs_table(&ctx);
    }
    if want(Table::Stale) {
        stale_table();
    }
    if want(Table::Elision) {
        elision_table(&ctx);
    }
    if all {
        let report =
            runner::print_chapter(perf_workbook::chapters::named("pools"), args.quick);
        assert_eq!(report.errors(), 0, "every check of the chapter ran");
    }
}

/// The chapter's main table: each workload through pools and allocators.
fn pays_table(ctx: &Ctx) {
    static MI: MiMalloc = MiMalloc;
    static JE: Jemalloc = Jemalloc;
    let allocs = [
        AllocatorPath::system(),
        AllocatorPath::of("mimalloc", &MI),
        AllocatorPath::of("jemalloc", &JE),
    ];
    // C000-06, C001-36: a pool pays only where the allocator is slow.
    let rows: Vec<PayRow> = pays::measure(ctx, &allocs);
    println!(
        "\nWhen does a pool pay? ns per get+put (pool) or alloc+free (allocator), median"
    );
    print!("{}", pays::render(&rows));
    let overhead = w::counting_overhead_ns(ctx.pick(7, 3), ctx.pick(50_000, 10_000));
    println!(
        "÷ glibc = glibc time ÷ pool time; ÷ best = fastest allocator ÷ pool; pays ≥ {0}×, \
         loses ≤ 1/{0}× (÷ best).\nThe `global` column is glibc through the counting \
         allocator: {overhead:.1} ns per alloc+free pair measured, included in it.",
        pays::PAYS_AT
    );
}

/// Per-operation cost of each shared pool with one thread and with two.
fn contention_table(ctx: &Ctx) {
    let mutex = Pool::new(MutexStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let queue = Pool::new(QueueStore::with_bound(64), BoxRecycler::<Obj64>::new());
    let sharded = Pool::new(ShardedStore::per_cpu(64), BoxRecycler::<Obj64>::new());
    let one = |name: &str, f: &(dyn Fn(u64) + Sync)| {
        let mut v = [
            Variant::timed("1 thread", f),
            Variant::self_timed("2 threads", |n| w::two_threads(n, f)),
        ];
        let t = w::race(ctx.pick(7, 3), ctx.pick(50_000, 10_000), &mut v);
        let ratio = t[1].ns_per_op / t[0].ns_per_op;
        // The target: two threads cost at most 2× one thread.
        println!(
            "{name:<22} {:>10.1} {:>10.1} {:>9.2}×  {}",
            t[0].ns_per_op,
            t[1].ns_per_op,
            ratio,
            if ratio <= 2.0 { "≤ 2×" } else { "> 2×" }
        );
    };
    println!("\nContention: 64 B get+put, ns per operation per thread, median");
    println!("{:<22} {:>10} {:>10} {:>10}", "pool", "1 thread", "2 threads", "ratio");
    one("thread-local pool", &w::obj64_tls);
    one("sharded pool", &|n| w::obj64_pool(&sharded, n));
    one("mutex pool", &|n| w::obj64_pool(&mutex, n));
    one("lock-free queue pool", &|n| w::obj64_pool(&queue, n));
    one("glibc malloc", &|n| w::obj64_alloc(&std::alloc::System, n));
}

/// Allocations per operation, counted, after one warm-up operation.
fn allocs_table(ctx: &Ctx) {
    let ops = ctx.pick(10_000u64, 1_000);
    let count = |f: &dyn Fn(u64)| {
        f(1);
        let ((), c) = measure(|| f(ops));
        c.allocs as f64 / ops as f64
    };
    let rows: [(&str, f64, f64); 4] = [
        (
            "64 B object",
            count(&w::obj64_tls),
            count(&|n| {
                (0..n).for_each(|i| drop(black_box(Box::new(Obj64 { words: [i; 8] }))))
            }),
        ),
        ("3-buffer object", count(&w::scratch_tls), count(&w::scratch_fresh)),
        (
            "4 KiB buffer",
            count(&|n| w::buffer_pool(4096, n, tls::bytes_get_empty, tls::bytes_put)),
            count(&|n| w::buffer_pool(4096, n, Vec::with_capacity, drop)),
        ),
        (
            "64 KiB buffer",
            count(&|n| w::buffer_pool(64 << 10, n, tls::bytes_get_empty, tls::bytes_put)),
            count(&|n| w::buffer_pool(64 << 10, n, Vec::with_capacity, drop)),
        ),
    ];
    println!("\nAllocations per operation ({ops} operations, counting allocator)");
    println!("{:<18} {:>18} {:>16}", "workload", "thread-local pool", "fresh each time");
    for (name, pooled, fresh) in rows {
        // C000-06, C003-25: 0 allocations per operation once warm.
        println!("{name:<18} {pooled:>18.2} {fresh:>16.2}");
    }
}

/// The stale-data defects, side by side with their fixes.
fn stale_table() {
    let r = demos::stale_response(); // D47, C001-43
    let l = demos::class_length(); // D38, C001-28
    let t = demos::truncated_reuse(); // D39
    let p = demos::pipeline(500); // D49, C001-44
    println!("\nStale data and lengths: seed port vs fix");
    println!("{:<50} {:>10} {:>10}", "", "seed port", "fix");
    let row = |what: &str, seed: String, fix: String| {
        println!("{what:<50} {seed:>10} {fix:>10}")
    };
    row(
        "response 2: bytes sent (handler wrote 9)",
        r.seed_len.to_string(),
        r.fixed_len.to_string(),
    );
    row(
        "response 2: contains request 1's token",
        r.seed_leaks.to_string(),
        r.fixed_leaks.to_string(),
    );
    row("get(100): length", l.seed_len.to_string(), l.fixed_len.to_string());
    row(
        "get(100): last user's bytes visible",
        l.seed_stale.to_string(),
        l.fixed_stale.to_string(),
    );
    row(
        "truncated buffer returned: next get allocates",
        t.seed_allocs_next.to_string(),
        t.fixed_allocs_next.to_string(),
    );
    row(
        "pipeline: 100-byte item comes out as (bytes)",
        p.seed_len_of_100.to_string(),
        "100".into(),
    );
    row(
        "pipeline: allocations per 500 items",
        p.seed_allocs.to_string(),
        p.move_allocs.to_string(),
    );
}

/// `Box::new` with and without `black_box`: the optimiser deletes the
/// allocation it can see is unused, and the counting allocator sees nothing.
fn elision_table(ctx: &Ctx) {
    let ops = ctx.pick(1_000_000u64, 100_000);
    let elided = |n: u64| {
        for i in 0..n {
            let b = Box::new(Obj64 { words: [i; 8] });
            assert_eq!(b.words[0], i); // used, but never escapes: may be deleted
        }
    };
    let kept = |n: u64| {
        for i in 0..n {
            black_box(Box::new(Obj64 { words: [i; 8] }));
        }
    };
    let ((), c_elided) = measure(|| elided(ops));
    let ((), c_kept) = measure(|| kept(ops));
    let mut v = [
        Variant::timed("without black_box", elided),
        Variant::timed("with black_box", kept),
    ];
    let t = w::race(ctx.pick(7, 3), ops, &mut v);
    println!("\nWithout black_box: Box::new of a 64 B object ({ops} times)");
    println!("{:<20} {:>12} {:>8}", "", "allocations", "ns/op");
    println!(
        "{:<20} {:>12} {:>8.2}",
        "without black_box", c_elided.allocs, t[0].ns_per_op
    );
    println!("{:<20} {:>12} {:>8.2}", "with black_box", c_kept.allocs, t[1].ns_per_op);
}
