//! Chapter 2, struct layout: where a struct's bytes go, and what it costs
//! when they leave the cache.
//!
//!     cargo run --release --example struct_layout                  # everything
//!     cargo run --release --example struct_layout -- --table hierarchy
//!     cargo run --release --example struct_layout -- --quick       # small sizes
//!
//! Tables: seed-000, seed-001, sizes, hierarchy, locality, false-sharing, claims.

use clap::{Parser, ValueEnum};
use perf_workbook::claims::Unit;
use perf_workbook::measure::cpu_timed;
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::measure::stats::{interleave, median, ratio_of_medians};
use perf_workbook::struct_layout::false_sharing::{
    self, AdjacentLines, CounterPair, Padded, SameLine,
};
use perf_workbook::struct_layout::hierarchy::{CacheSizes, Chain};
use perf_workbook::struct_layout::locality::{self, Matrix};
use perf_workbook::struct_layout::representations::{self, Guarantee, PackedC};
use perf_workbook::struct_layout::{seed_000, seed_001};
use perf_workbook::table::{format_bytes, format_nanos, format_value};
use perf_workbook::{chapters, cli, runner};
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

// The C001-25 check counts the bytes a Vec asks for.
perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(about = "Chapter 2, struct layout: layouts, the memory hierarchy, locality, \
                   false sharing, and the chapter's claims")]
struct Args {
    /// Small sizes and few repetitions (the curve stops at 64 MiB).
    #[arg(long)]
    quick: bool,
    /// Print only this table.
    #[arg(long, value_enum)]
    table: Option<Table>,
    /// Largest working set of the pointer-chasing curve [default: 1GiB, or
    /// 64MiB with --quick].
    #[arg(long, value_parser = cli::parse_size)]
    max_set: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Table {
    #[value(name = "seed-000")]
    Seed000,
    #[value(name = "seed-001")]
    Seed001,
    Sizes,
    Hierarchy,
    Locality,
    FalseSharing,
    Claims,
}

fn main() {
    chapters::dispatch_child();
    let args: Args = cli::parse();
    let max_set = args.max_set.unwrap_or(if args.quick { 64 << 20 } else { 1 << 30 });
    if !(16 << 10..=64 << 30).contains(&max_set) {
        cli::fail("--max-set must be between 16KiB and 64GiB");
    }
    let show = |t: Table| args.table.is_none_or(|only| only == t);
    println!("machine: {}", MachineInfo::collect());

    if show(Table::Seed000) {
        seed_000_layouts();
    }
    if show(Table::Seed001) {
        seed_001_layouts();
    }
    if show(Table::Sizes) {
        sizes();
    }
    if show(Table::Hierarchy) {
        hierarchy_curve(max_set as usize, args.quick);
    }
    if show(Table::Locality) {
        locality_ratios(args.quick);
    }
    if show(Table::FalseSharing) {
        false_sharing_ratios(args.quick);
    }
    if show(Table::Claims) {
        let report = runner::print_chapter(
            perf_workbook::chapters::named("struct_layout"),
            args.quick,
        );
        assert_eq!(report.errors(), 0, "a check could not run");
    }
}

fn heading(title: &str) {
    println!("\n== {title} ==");
}

fn seed_000_layouts() {
    heading("seed 000 §1.2.2: OptimizedStruct vs UnoptimizedStruct");
    let ls = seed_000::layouts();
    for l in &ls {
        println!("\n{l}");
    }
    // C000-08 / D10: the "optimized" order is no smaller, in either repr.
    assert_eq!(ls[0].size, ls[1].size);
    // C000-09: no padding follows `active`; C000-10: 7 bytes precede `id`.
    println!(
        "\npadding after `active` in OptimizedC: {} B (the seed's comment says 7); \
         before `id` in UnoptimizedC: {} B",
        ls[0].padding_after("active"),
        ls[1].padding_before("id")
    );
}

fn seed_001_layouts() {
    heading("seed 001 §6.1.1.5.2: reordering {bool, i64, bool, i32}");
    let ls = seed_001::layouts();
    for l in &ls {
        println!("\n{l}");
    }
    // C001-25: 24 → 16 in Go's layout; rustc already chose a 16-byte order.
    println!(
        "\nrepr(C): {} → {} B; default repr: {} → {} B (rustc's order: {})",
        ls[0].size,
        ls[1].size,
        ls[2].size,
        ls[3].size,
        ls[2].memory_order().join(", ")
    );
    println!(
        "repr(C, packed) PackedC: {} B, align {}: no padding, and no references to fields",
        size_of::<PackedC>(),
        align_of::<PackedC>()
    );
}

fn sizes() {
    heading("niches, enums, packed and aligned types");
    println!("{:<24} {:>4} {:>5}  {:<11}  why", "type", "size", "align", "promised?");
    for row in representations::size_table() {
        let promised = match row.guarantee {
            Guarantee::Documented => "documented",
            Guarantee::TodaysRustc => "today only",
        };
        println!(
            "{:<24} {:>4} {:>5}  {:<11}  {}",
            row.ty, row.size, row.align, promised, row.why
        );
    }
}

/// ns per step of `chain`, median of `rounds`.
fn chase_ns(chain: &Chain, steps: usize, rounds: usize) -> f64 {
    let xs: Vec<f64> = (0..rounds).map(|_| chain.ns_per_step(steps)).collect();
    median(&xs).unwrap_or(f64::NAN)
}

fn hierarchy_curve(max_set: usize, quick: bool) {
    heading("the memory hierarchy: one dependent load, working set 16 KiB and up");
    let caches = CacheSizes::detect();
    println!(
        "caches ({}): L1d {}, L2 {}, L3 {}",
        if caches.from_sysfs { "sysfs" } else { "guessed" },
        format_bytes(caches.l1d as f64),
        format_bytes(caches.l2 as f64),
        format_bytes(caches.l3 as f64)
    );
    let (steps, rounds) = if quick { (200_000, 3) } else { (1_000_000, 3) };
    println!(
        "{} steps × {rounds} rounds per size, median thread CPU time per load; \
         one 64-byte line per step\n",
        format_value(steps as f64, Unit::Count)
    );
    println!(
        "{:>10}  {:<5}  {:>11}  {:>11}  {:>6}  random, log scale",
        "set", "fits", "random", "in order", "ratio"
    );
    let mut first = None;
    let mut bytes = 16 << 10;
    while bytes <= max_set {
        // C001-01: the random chase's time per load is the latency of the
        // level the lines live in; the in-order chase lets the prefetcher hide it.
        let random = chase_ns(&Chain::random_bytes(bytes, 1), steps, rounds);
        let in_order = chase_ns(&Chain::sequential(bytes / 64), steps, rounds);
        let base = *first.get_or_insert(random);
        let bar =
            "█".repeat((4.0 * (random / base).log2()).round().max(0.0) as usize + 1);
        println!(
            "{:>10}  {:<5}  {:>11}  {:>11}  {:>5.1}×  {bar}",
            format_bytes(bytes as f64),
            caches.level_of(bytes),
            format_nanos(random),
            format_nanos(in_order),
            random / in_order
        );
        let _ = std::io::stdout().flush();
        bytes *= 2;
    }
}

/// Median CPU times of `rounds` interleaved runs of `a` and `b`, and their ratio.
fn ratio<R>(
    rounds: usize,
    mut a: impl FnMut() -> R,
    mut b: impl FnMut() -> R,
) -> [f64; 3] {
    let (ta, tb) = interleave(
        rounds,
        || cpu_timed(|| black_box(a())).1,
        || cpu_timed(|| black_box(b())).1,
    );
    let (ma, mb) = (median(&ta).unwrap_or(f64::NAN), median(&tb).unwrap_or(f64::NAN));
    [ma, mb, ratio_of_medians(&ta, &tb).unwrap_or(f64::NAN)]
}

fn locality_ratios(quick: bool) {
    heading("locality: the same work in a cache-friendly and a cache-hostile order");
    let rounds = if quick { 3 } else { 7 };
    println!("{rounds} interleaved rounds each, median thread CPU time\n");
    println!("{:<44} {:>10} {:>10} {:>8}", "work", "hostile", "friendly", "ratio");
    let row = |what: &str, [hostile, friendly, r]: [f64; 3]| {
        let (h, f) = (format_nanos(hostile), format_nanos(friendly));
        println!("{what:<44} {h:>10} {f:>10} {r:>7.2}×");
    };

    // C001-02, spatial: the same sum, column by column vs row by row.
    let m = Matrix::new(if quick { 1024 } else { 2048 });
    assert_eq!(m.sum_column_major(), m.sum_row_major());
    let what = format!("sum {0}×{0} u32: column- vs row-major", m.n());
    row(&what, ratio(rounds, || m.sum_column_major(), || m.sum_row_major()));
    drop(m);

    // Spatial, in a struct: one 8-byte field per 64-byte record, or 8 per line.
    let n = if quick { 1 << 18 } else { 1 << 20 };
    let (records, scores) = locality::records_and_scores(n);
    assert_eq!(locality::sum_scores_aos(&records), locality::sum_scores_soa(&scores));
    let what = format!("sum `score` of {n} records: AoS vs SoA");
    row(
        &what,
        ratio(
            rounds,
            || locality::sum_scores_aos(black_box(&records)),
            || locality::sum_scores_soa(black_box(&scores)),
        ),
    );
    drop((records, scores));

    // C001-02, temporal: reuse each 16 KiB block while it is still in L1.
    let data = locality::pass_data(if quick { 32 << 20 } else { 64 << 20 });
    let blocked = || locality::blocked_passes(&data, locality::BLOCK_LEN);
    assert_eq!(locality::two_passes(&data), blocked());
    let what = format!(
        "2 passes over {}: whole vs per block",
        format_bytes(data.len() as f64 * 8.0)
    );
    row(&what, ratio(rounds, || locality::two_passes(&data), blocked));
}

fn false_sharing_ratios(quick: bool) {
    heading("false sharing: two threads, each incrementing its own counter");
    let window = Duration::from_millis(if quick { 1 } else { 2 });
    let (wanted, max_rounds) = if quick { (3, 15) } else { (9, 60) };
    println!(
        "{} ms per run, pinned to two CPUs; a round counts only if both threads ran \
         together ≥ {:.0}% of it\n",
        window.as_millis(),
        false_sharing::MIN_CONCURRENCY * 100.0
    );
    println!(
        "{:<30} {:>12} {:>12} {:>7} {:>8}",
        "placement", "ns/increment", "CachePadded", "ratio", "rounds"
    );
    let print = |name: &str, c: &false_sharing::Comparison| match c.ratio(3) {
        Some(r) => println!(
            "{name:<30} {:>12} {:>12} {r:>6.2}× {:>4}/{}",
            format_nanos(median(&c.a).unwrap_or(f64::NAN)),
            format_nanos(median(&c.b).unwrap_or(f64::NAN)),
            c.a.len(),
            c.rounds
        ),
        None => println!(
            "{name:<30} not measured: both threads ran together in {} of {} rounds",
            c.a.len(),
            c.rounds
        ),
    };
    // The false sharing itself: one line, two writers.
    let same = false_sharing::compare::<SameLine, Padded>(window, wanted, max_rounds);
    print(SameLine::NAME, &same);
    // Does 64 bytes apart suffice here, or does the pair prefetcher bite?
    let adjacent =
        false_sharing::compare::<AdjacentLines, Padded>(window, wanted, max_rounds);
    print(AdjacentLines::NAME, &adjacent);
}
