//! Chapter 6, "Lock-free ring": seed 000 §1.3.2's ring, its capacity
//! surprises, its losses with two producers, and every queue raced.
//!
//! ```text
//! cargo run --release --example lock_free_ring                  # everything
//! cargo run --release --example lock_free_ring -- --quick       # small sizes
//! cargo run --release --example lock_free_ring -- --table speed # one table
//! ```

use clap::{Parser, ValueEnum};
use perf_workbook::lock_free_ring::ablation::{Adjacent, Padded};
use perf_workbook::lock_free_ring::harness::{
    self, Ablation, MutexDeque, OurMpmcAsSpsc, OurSpsc, SeedPort, SpeedRow,
    StdSyncChannel, speed_table,
};
use perf_workbook::lock_free_ring::race::{self, RaceCount};
use perf_workbook::lock_free_ring::seed::{self, SeedRing};
use perf_workbook::lock_free_ring::{mpmc, spsc};
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::measure::stats::ratio_of_medians;
use perf_workbook::{cli, runner};
use std::collections::VecDeque;
use std::sync::Mutex;

#[path = "../benches/lock_free_ring/peers.rs"]
mod peers;
use peers::{CrossbeamArrayQueue, Rtrb, SharedArrayQueue};

/// Every queue the chapter times: u64 items, capacity 1024.
const CAPACITY: usize = 1024;

/// The race table's nudge: every 256th operation of each thread pauses
/// between claim and publish (the checks use the same).
const NUDGE: u64 = 256;

#[derive(Parser, Debug)]
#[command(
    about = "Chapter 6: the seed's lock-free ring, its faults, and every queue raced"
)]
struct Args {
    /// Small sizes and few rounds.
    #[arg(long)]
    quick: bool,
    /// Print only this table (no claim table).
    #[arg(long, value_enum)]
    table: Option<Table>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Table {
    /// How many items each ring holds.
    Capacity,
    /// The seed's ring with several producers or consumers.
    Race,
    /// SPSC throughput of every queue.
    Speed,
    /// What padding and caching buy.
    Ablation,
    /// Two producers and two consumers.
    Mpmc,
}

fn main() {
    perf_workbook::chapters::dispatch_child();
    let args: Args = cli::parse();
    println!("machine: {}", MachineInfo::collect());
    let all = args.table.is_none();
    let want = |t| all || args.table == Some(t);
    if want(Table::Capacity) {
        capacity_table();
    }
    if want(Table::Race) {
        race_table(args.quick);
    }
    if want(Table::Speed) {
        speed(args.quick);
    }
    if want(Table::Ablation) {
        ablation(args.quick);
    }
    if want(Table::Mpmc) {
        mpmc_speed(args.quick);
    }
    if all {
        println!();
        let report = runner::print_chapter(
            perf_workbook::chapters::named("lock_free_ring"),
            args.quick,
        );
        assert_eq!(report.errors(), 0, "every claim check ran");
    }
}

fn capacity_table() {
    println!("\nitems a fresh ring accepts before push fails (C000-19, D15)");
    println!(
        "{:>8} {:>12} {:>12} {:>12}",
        "size", "seed slots", "seed holds", "ours holds"
    );
    for size in [1usize, 2, 3, 5, 8, 1000, 1024] {
        // C000-19: the seed rounds up to a power of two, then wastes a slot.
        let slots = SeedRing::new(size).slot_count();
        let seed_holds = seed::usable_capacity(size, 4096);
        let (mut p, _c) = spsc::channel::<u64>(size).expect("size >= 1");
        let ours = (0..4096).take_while(|&i| p.push(i).is_ok()).count();
        println!("{size:>8} {slots:>12} {seed_holds:>12} {ours:>12}");
        assert_eq!(ours, size);
    }
    // D15: size 0 is accepted, and the first push indexes slot 0 of 0.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panic = std::panic::catch_unwind(|| SeedRing::new(0).push(1)).err();
    std::panic::set_hook(hook);
    let message = panic
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no panic".into());
    println!("{:>8}   seed: push panics: {message}", 0);
    let err = spsc::channel::<u64>(0).expect_err("capacity 0 is rejected");
    println!("{:>8}   ours: channel(0) is an error: {err}", 0);
}

fn race_row(label: &str, c: &RaceCount) {
    let nudge =
        if c.preempt_every > 0 { format!("1/{}", c.preempt_every) } else { "-".into() };
    println!(
        "{label:<22} {nudge:>6} {:>9} {:>7} {:>10} {:>8} {:>9} {:>10} {:>10}",
        c.sent,
        c.lost,
        c.duplicated,
        c.phantom,
        c.out_of_order,
        c.head_regressions,
        c.shared_positions
    );
}

fn race_table(quick: bool) {
    let n = if quick { 30_000 } else { 200_000 };
    println!(
        "\nthe seed's ring (2048 slots) with threads, {n} values per producer; nudge 1/k: \
         every k-th operation of each thread pauses between claim and publish until another \
         thread moves the index (at most 200 µs), as a preemption would (C000-18, D16, D17)"
    );
    println!(
        "{:<22} {:>6} {:>9} {:>7} {:>10} {:>8} {:>9} {:>10} {:>10}",
        "threads",
        "nudge",
        "sent",
        "lost",
        "duplicated",
        "phantom",
        "reordered",
        "head back",
        "same slot"
    );
    for (p, c) in [(1, 1), (2, 1), (1, 2), (2, 2)] {
        // C000-18: 1 + 1 is the only safe use; D16: any more loses or repeats.
        for nudge in [0, NUDGE] {
            let label = format!("seed, {p} + {c}");
            race_row(&label, &race::seed_ring(p, c, n, CAPACITY + 1, nudge));
        }
    }
    race_row("ours (mpmc), 2 + 2", &race::mpmc_queue(2, 2, n, CAPACITY));
    let lost = race::scripted_lost_item();
    let back = race::scripted_head_backwards();
    println!(
        "scripted: both producers claim position 0 → received {:?} of sent {:?} ({} lost)",
        lost.received,
        lost.sent,
        lost.lost()
    );
    println!(
        "scripted: a late publish moves head {:?} → the consumer re-reads {} items",
        back.head_trace,
        back.duplicated()
    );
    // D17: Pop copies the item and leaves it in the slot.
    println!(
        "seed Pop left {} of 3 popped values in their slots",
        race::slots_retained_after_pop()
    );
}

/// Prints `rows` as a table; ratios are against `base` (a row name).
fn print_speed(rows: &[SpeedRow], base: &str) {
    let base_ns = &rows.iter().find(|r| r.name == base).expect("base row").ns_per_item;
    println!(
        "{:<34} {:>10} {:>10} {:>12} {:>10}",
        "queue",
        "ns/item",
        "min",
        "M items/s",
        format!("vs {base}")
    );
    for r in rows {
        let min = r.ns_per_item.iter().copied().fold(f64::INFINITY, f64::min);
        let speedup = ratio_of_medians(base_ns, &r.ns_per_item).unwrap_or(f64::NAN);
        println!(
            "{:<34} {:>10.2} {:>10.2} {:>12.1} {:>9.2}×",
            r.name,
            r.median_ns(),
            min,
            r.items_per_sec() / 1e6,
            speedup
        );
    }
}

/// `a` is this many times faster than `b` (ratio of median ns per item).
fn faster(rows: &[SpeedRow], a: &str, b: &str) -> f64 {
    let ns = |name: &str| &rows.iter().find(|r| r.name == name).expect("row").ns_per_item;
    ratio_of_medians(ns(b), ns(a)).unwrap_or(f64::NAN)
}

fn target(what: &str, ratio: f64, goal: f64) {
    let verdict = if ratio >= goal { "met" } else { "MISSED" };
    println!("{what:<44} {ratio:>6.2}×  (target ≥ {goal}: {verdict})");
}

fn speed(quick: bool) {
    let (n, rounds) = if quick { (100_000, 3) } else { (1_000_000, 5) };
    println!(
        "\n2 threads ({}), u64 items, capacity {CAPACITY}, {n} items per run, {rounds} \
         interleaved rounds (C000-20)",
        harness::placement()
    );
    let mut rows = vec![
        SpeedRow::spsc::<OurSpsc>("spsc (ours)", CAPACITY, 1),
        SpeedRow::spsc::<OurSpsc>("spsc (ours), batch 64", CAPACITY, 64),
        SpeedRow::spsc::<Rtrb>("rtrb", CAPACITY, 1),
        SpeedRow::spsc::<Rtrb>("rtrb, batch 64", CAPACITY, 64),
        SpeedRow::spsc::<CrossbeamArrayQueue>("crossbeam ArrayQueue", CAPACITY, 1),
        SpeedRow::spsc::<OurMpmcAsSpsc>("mpmc (ours), 1 and 1", CAPACITY, 1),
        SpeedRow::spsc::<StdSyncChannel>("std sync_channel", CAPACITY, 1),
        SpeedRow::spsc::<MutexDeque>("Mutex<VecDeque>", CAPACITY, 1),
        SpeedRow::spsc::<SeedPort>("seed port", CAPACITY, 1),
        // The same two queues with the threads left to the scheduler.
        SpeedRow::spsc_unpinned::<OurSpsc>("spsc (ours), unpinned", CAPACITY),
        SpeedRow::spsc_unpinned::<MutexDeque>("Mutex<VecDeque>, unpinned", CAPACITY),
    ];
    // Each run checks every value arrives once and in order before it counts.
    speed_table(&mut rows, n, rounds).expect("every queue delivers in order");
    print_speed(&rows, "rtrb");
    // C000-20: the lock-free ring against locking, and against its peers.
    target("spsc (ours) vs rtrb", faster(&rows, "spsc (ours)", "rtrb"), 1.0);
    target("spsc (ours) vs seed port", faster(&rows, "spsc (ours)", "seed port"), 3.0);
    target(
        "spsc (ours) batch 64 vs single",
        faster(&rows, "spsc (ours), batch 64", "spsc (ours)"),
        4.0,
    );
    target(
        "spsc (ours) vs crossbeam ArrayQueue",
        faster(&rows, "spsc (ours)", "crossbeam ArrayQueue"),
        2.0,
    );
    target(
        "spsc (ours) vs Mutex<VecDeque>",
        faster(&rows, "spsc (ours)", "Mutex<VecDeque>"),
        1.0,
    );
}

fn ablation(quick: bool) {
    let (n, rounds) = if quick { (100_000, 3) } else { (1_000_000, 5) };
    println!(
        "\nwhat padding and caching buy: 2 threads ({}), u64, capacity {CAPACITY}, {n} \
         items, {rounds} rounds (D18)",
        harness::placement()
    );
    let mut rows = vec![
        SpeedRow::spsc::<OurSpsc>("spsc (ours)", CAPACITY, 1),
        SpeedRow::spsc::<Ablation<Padded, true>>("padded, cached", CAPACITY, 1),
        SpeedRow::spsc::<Ablation<Padded, false>>("padded, uncached", CAPACITY, 1),
        SpeedRow::spsc::<Ablation<Adjacent, true>>("adjacent, cached", CAPACITY, 1),
        SpeedRow::spsc::<Ablation<Adjacent, false>>("adjacent, uncached", CAPACITY, 1),
        // The seed's choices but its wasted slot: Go's atomic stores are SeqCst.
        SpeedRow::spsc::<Ablation<Adjacent, false, true>>(
            "adjacent, uncached, SeqCst stores",
            CAPACITY,
            1,
        ),
        SpeedRow::spsc::<SeedPort>("seed port", CAPACITY, 1),
    ];
    speed_table(&mut rows, n, rounds).expect("every variant delivers in order");
    print_speed(&rows, "spsc (ours)");
    // D18: the same ring with its counters 8 bytes apart.
    target(
        "padding, with caching",
        faster(&rows, "padded, cached", "adjacent, cached"),
        1.0,
    );
    target(
        "padding, without caching",
        faster(&rows, "padded, uncached", "adjacent, uncached"),
        1.0,
    );
    target(
        "caching, with padding",
        faster(&rows, "padded, cached", "padded, uncached"),
        1.0,
    );
    target(
        "Release instead of SeqCst stores (adjacent, uncached)",
        faster(&rows, "adjacent, uncached", "adjacent, uncached, SeqCst stores"),
        1.0,
    );
}

fn mpmc_speed(quick: bool) {
    let (n, rounds) = if quick { (100_000, 3) } else { (1_000_000, 5) };
    println!(
        "\n2 producers + 2 consumers, u64, capacity {CAPACITY}, {n} items in all, {rounds} rounds"
    );
    let mut rows = vec![
        SpeedRow::mpmc::<mpmc::Queue<u64>>("mpmc (ours)", 2, 2, CAPACITY),
        SpeedRow::mpmc::<SharedArrayQueue>("crossbeam ArrayQueue", 2, 2, CAPACITY),
        SpeedRow::mpmc::<(Mutex<VecDeque<u64>>, usize)>(
            "Mutex<VecDeque>",
            2,
            2,
            CAPACITY,
        ),
    ];
    // Each run checks that every value arrives exactly once.
    speed_table(&mut rows, n, rounds).expect("every queue delivers exactly once");
    print_speed(&rows, "crossbeam ArrayQueue");
    target(
        "mpmc (ours) vs crossbeam ArrayQueue",
        faster(&rows, "mpmc (ours)", "crossbeam ArrayQueue"),
        0.9,
    );
}
