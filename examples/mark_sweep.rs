//! Chapter 5, tri-color mark-sweep: a garbage collector to study.
//!
//! `cargo run --release --example mark_sweep` prints every table, then the
//! chapter's claim table. `--table NAME` prints one table; `--chain N`
//! collects an N-object chain; `--svg DIR` writes the pictures;
//! `--barrier NAME` picks the barrier of the step-by-step log.

use clap::Parser;
use perf_workbook::chapters;
use perf_workbook::cli;
use perf_workbook::mark_sweep::barrier::Barrier;
use perf_workbook::mark_sweep::experiments::{self, Throughput};
use perf_workbook::mark_sweep::graphs::Shape;
use perf_workbook::mark_sweep::heap::{Color, ObjId};
use perf_workbook::mark_sweep::incremental::{Incremental, Phase};
use perf_workbook::mark_sweep::mutator::{self, RunOptions};
use perf_workbook::mark_sweep::{checker, pacing, rust_side, scenarios, svg};
use perf_workbook::measure::alloc;
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::runner;
use std::hint::black_box;
use std::path::PathBuf;

perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(
    about = "Tri-color mark-sweep: a simulated collector, its barriers, its pacing"
)]
struct Args {
    /// Small sizes (CI).
    #[arg(long)]
    quick: bool,
    /// Print only this table.
    #[arg(long, value_enum)]
    table: Option<Table>,
    /// Only build and collect an N-object chain.
    #[arg(long, value_name = "N")]
    chain: Option<usize>,
    /// Only write the SVG frames and charts into DIR.
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    /// With --svg: only the pictures the book shows.
    #[arg(long)]
    book_set: bool,
    /// Barrier of the step-by-step log: none, dijkstra, yuasa, hybrid.
    #[arg(long, default_value = "none")]
    barrier: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Table {
    Log,
    Scenarios,
    Chain,
    Throughput,
    Incremental,
    Pacing,
    Timeline,
    Rust,
    Claims,
}

fn main() {
    chapters::dispatch_child();
    let args: Args = cli::parse();
    let Some(barrier) = Barrier::by_name(&args.barrier) else {
        cli::fail(&format!(
            "unknown barrier {:?} (none, dijkstra, yuasa, hybrid)",
            args.barrier
        ));
    };
    if args.book_set && args.svg.is_none() {
        cli::fail("--book-set needs --svg DIR");
    }
    if args.chain == Some(0) {
        cli::fail("--chain needs at least one object");
    }
    println!("machine: {}", MachineInfo::collect());
    if let Some(dir) = &args.svg {
        write_pictures(dir, args.quick, args.book_set);
        return;
    }
    if let Some(n) = args.chain {
        chain(n);
        return;
    }
    let q = args.quick;
    let want = |t: Table| args.table.is_none_or(|x| x == t);
    if want(Table::Log) {
        log(barrier);
    }
    if want(Table::Scenarios) {
        scenario_table();
    }
    if want(Table::Chain) {
        chain(if q { 1_000_000 } else { 10_000_000 });
    }
    if want(Table::Throughput) {
        throughput(if q { 400_000 } else { 4_000_000 }, if q { 3 } else { 5 });
    }
    if want(Table::Incremental) {
        incremental(if q { 100_000 } else { 1_000_000 }, if q { 3 } else { 5 });
    }
    if want(Table::Pacing) || want(Table::Timeline) {
        pacing_tables(q, want(Table::Pacing), want(Table::Timeline));
    }
    if want(Table::Rust) {
        rust();
    }
    if want(Table::Claims) {
        println!();
        let report =
            runner::print_chapter(perf_workbook::chapters::named("mark_sweep"), q);
        assert_eq!(report.errors(), 0, "every check of the chapter ran");
    }
}

/// The lost-object interleaving, event by event, with the checker's view.
fn log(barrier: Barrier) {
    let s = scenarios::lost_object();
    println!("\n## The lost object, step by step (barrier: {})", barrier.name);
    println!("stack 0 → A → B → C; D ⇄ E is garbage. Budget: 1 unit per step.\n");
    println!(
        "{:>3}  {:<24} {:^11} {:<9} invariants",
        "#", "event", "A B C D E", "stack 0"
    );
    let mut heap = s.heap.clone();
    let mut gc = Incremental::new(barrier, s.budget);
    let mut n = 0;
    let mut print = |heap: &perf_workbook::mark_sweep::heap::Heap,
                     gc: &Incremental,
                     caption: &str| {
        let colors: String = s
            .objects
            .iter()
            .map(|o| match (heap.is_live(o.0), heap.color(o.0)) {
                (false, _) => '·',
                (true, Color::White) => 'W',
                (true, Color::Gray) => 'G',
                (true, Color::Black) => 'B',
            })
            .map(|c| format!("{c} "))
            .collect();
        let stack = if gc.phase() == Phase::Idle {
            "-"
        } else if gc.stack_color(0) == Color::Black {
            "scanned"
        } else {
            "gray"
        };
        let inv = if gc.phase() == Phase::Idle {
            String::new()
        } else {
            let c = checker::check(heap, gc);
            match (c.strong(), c.weak()) {
                (true, _) => "strong ok".into(),
                (false, true) => "strong BROKEN, weak ok".into(),
                (false, false) => "weak BROKEN".to_string(),
            }
        };
        let caption = scenarios::with_names(&s, caption);
        println!("{n:>3}  {caption:<24} {colors:<11} {stack:<9} {inv}");
        n += 1;
    };
    // D33, C001-17: the colors only matter because the mutator runs between steps.
    let r = mutator::run(
        &mut heap,
        &mut gc,
        &s.events,
        RunOptions { check_every_event: false, one_cycle: true, find_lost: true },
        Some(&mut print),
    );
    let names = |ids: &[ObjId]| {
        ids.iter().map(|&id| scenarios::name_of(&s, id)).collect::<Vec<_>>().join(", ")
    };
    println!(
        "\nreachable objects freed: {} [{}]; dangling references after the sweep: {}",
        r.lost.len(),
        names(&r.lost),
        r.dangling.len()
    );
}

/// Every scenario under every configuration.
fn scenario_table() {
    println!("\n## Scripted interleavings × barrier configurations");
    println!(
        "lost: reachable objects the sweep freed · weak broken by: the first event after which\n\
         a white object was out of the marker's reach · strong brk: events with a black → white\n\
         edge · steps and pauses in work units\n"
    );
    println!(
        "{:<16} {:<20} {:>4} {:<22} {:>10} {:>8} {:>9}",
        "scenario",
        "barrier",
        "lost",
        "weak broken by",
        "strong brk",
        "max step",
        "max pause"
    );
    for s in scenarios::all() {
        for b in scenarios::configurations() {
            // D33: only here, with marking interleaved, do colors and barriers matter.
            let r = scenarios::play(&s, b);
            let first = r
                .first_weak_break
                .as_ref()
                .map_or("-".to_string(), |(_, what)| scenarios::with_names(&s, what));
            println!(
                "{:<16} {:<20} {:>4} {:<22} {:>10} {:>8} {:>9}",
                s.name,
                b.name,
                r.lost.len(),
                first,
                r.strong_broken,
                r.max_step(),
                r.max_pause()
            );
        }
    }
}

/// C001-18, D32: the worklist collects a chain the seed's recursion cannot.
fn chain(n: usize) {
    println!("\n## A chain of {n} objects, stop-the-world, worklist marker");
    // C001-18, D32: as deep as the chain; the seed's recursion dies at ~1/10 of 1M.
    // C001-19: the second collection frees exactly the half the cut left white.
    let c = experiments::collect_chain(n);
    println!(
        "build {:.1} ms · mark {:.1} ms ({:.1} M objects/s) · sweep {:.1} ms · marked {} · \
         survivors {} · largest gray worklist {}",
        c.build.as_secs_f64() * 1e3,
        c.mark.as_secs_f64() * 1e3,
        c.n as f64 / c.mark.as_secs_f64() / 1e6,
        c.sweep.as_secs_f64() * 1e3,
        c.marked,
        c.survivors,
        c.max_gray
    );
    if n >= 2 {
        println!(
            "cut after object {}: survivors {}, freed {}",
            n / 2 - 1,
            c.survivors_after_cut,
            c.freed_after_cut
        );
    }
    assert_eq!((c.marked, c.survivors), (n, n), "every object of the chain survives");
}

fn throughput_row(t: &Throughput) {
    println!(
        "{:<17} {:>10} {:>10.1} {:>9.1} {:>10.1} {:>9.1} {:>8.2}×",
        t.shape.name(),
        t.objects,
        t.mark.as_secs_f64() * 1e3,
        t.mark_rate() / 1e6,
        t.bfs.as_secs_f64() * 1e3,
        t.bfs_rate() / 1e6,
        t.ratio()
    );
}

/// Marking throughput against the plain BFS pass over the same graph.
fn throughput(n: usize, rounds: usize) {
    println!(
        "\n## Stop-the-world mark vs plain BFS reachability ({rounds} rounds interleaved, medians)"
    );
    println!("target: mark within 1.2× of BFS\n");
    println!(
        "{:<17} {:>10} {:>10} {:>9} {:>10} {:>9} {:>9}",
        "layout", "objects", "mark ms", "M obj/s", "BFS ms", "M obj/s", "mark/BFS"
    );
    for shape in [Shape::AllocationOrder, Shape::RandomOrder] {
        // Target: mark ≤ 1.2× the BFS lower bound on the same graph.
        throughput_row(&experiments::throughput(n, shape, rounds));
    }
}

/// Incremental marking with each barrier vs stop-the-world.
fn incremental(n: usize, rounds: usize) {
    let budget = 1_000;
    let (heap, events) = experiments::mutator_workload(n, n / 5, 100);
    println!(
        "\n## Incremental marking, budget {budget} units, 100 mutator operations between steps, \
         {n}-object heap"
    );
    println!("targets: total work ≤ 1.3× stop-the-world; no step over budget\n");
    println!(
        "{:<9} {:>9} {:>9} {:>7} {:>9} {:>9} {:>8} {:>5} {:>10}",
        "barrier",
        "STW work",
        "work",
        "ratio",
        "max step",
        "max pause",
        "shades",
        "lost",
        "time/STW"
    );
    for b in Barrier::ALL {
        let r = experiments::incremental(&heap, &events, b, budget);
        let t = experiments::incremental_time_ratio(&heap, &events, b, budget, rounds);
        println!(
            "{:<9} {:>9} {:>9} {:>6.3}× {:>9} {:>9} {:>8} {:>5} {:>9.2}×",
            b.name,
            r.stw_work,
            r.work,
            r.work as f64 / r.stw_work as f64,
            r.max_step,
            r.max_pause,
            r.barrier_shades,
            r.lost,
            t
        );
    }
    println!(
        "(time/STW: one incremental cycle with its mutator operations, over one stop-the-world \
         collection followed by the same operations)"
    );
}

/// GOGC and the memory limit over the burst trace.
fn pacing_tables(quick: bool, summary: bool, timeline: bool) {
    let trace = pacing::Trace::burst(if quick { 8 } else { 1 });
    let mib = |b: f64| b / (1u64 << 20) as f64;
    // The seeds' SetGCPercent / SetMemoryLimit calls (C000-11, C000-12, C003-33),
    // simulated; their checks belong to the allocator-tuning chapter.
    let runs: Vec<pacing::PacingRun> = pacing::seed_settings()
        .into_iter()
        .map(|s| pacing::simulate(&trace, s, 24))
        .collect();
    let live: Vec<String> =
        trace.phases.iter().map(|p| format!("{:.0}", mib(p.live_bytes as f64))).collect();
    if summary {
        println!(
            "\n## Pacing: live heap {} MiB in three phases, {:.0} MiB allocated in {} KiB objects",
            live.join(" → "),
            mib(trace.total_bytes() as f64),
            trace.object_bytes >> 10
        );
        println!(
            "{:<40} {:>6} {:>6} {:>7} {:>9} {:>9} {:>8}",
            "setting", "GCs", "limit", "delays", "peak MiB", "mean MiB", "GC share"
        );
        for r in &runs {
            println!(
                "{:<40} {:>6} {:>6} {:>7} {:>9.0} {:>9.0} {:>7.1}%",
                r.setting.label,
                r.collections,
                r.limit_driven,
                r.limiter_delays,
                mib(r.peak_heap as f64),
                mib(r.mean_heap),
                100.0 * r.gc_share
            );
        }
        println!(
            "(limit: cycles whose goal the memory limit set; delays: allocations during which \
             the CPU-limiter model held a due cycle back; GC share assumes {} units of program \
             work per object allocated, 1 per object marked)",
            pacing::MUTATOR_UNITS_PER_OBJECT
        );
    }
    if timeline {
        println!(
            "\n## Heap over time: largest heap (MiB) in each 1/24 of the allocation"
        );
        print!("{:>8}", "alloc'd");
        for i in 0..runs.len() {
            print!(" {:>7}", format!("[{}]", i + 1));
        }
        println!();
        let slice = trace.total_bytes() as f64 / 24.0;
        for row in 0..24 {
            print!("{:>8.0}", mib(slice * (row + 1) as f64));
            for r in &runs {
                print!(" {:>7.0}", mib(r.timeline[row] as f64));
            }
            println!();
        }
        for (i, r) in runs.iter().enumerate() {
            println!("[{}] {}", i + 1, r.setting.label);
        }
    }
}

/// What Rust does instead (C001-16, C004-05).
fn rust() {
    println!("\n## What Rust does instead");
    let s = rust_side::strong_cycle();
    let w = rust_side::weak_back_edge();
    // C001-16: an Rc cycle is not H − Unreachable(H).
    println!(
        "Rc cycle A ⇄ B: {} of 2 dropped when the handles went out of scope ({} still \
         allocated); with a Weak back edge: {} of 2 dropped",
        s.dropped_at_scope_end, s.still_alive, w.dropped_at_scope_end
    );
    // C004-05: pointer-free memory costs the memory manager nothing per byte.
    let ((), big) = alloc::measure(|| drop(black_box(vec![0u8; 1 << 30])));
    let ((), boxes) = alloc::measure(|| {
        drop(black_box((0..1_000_000u64).map(Box::new).collect::<Vec<_>>()))
    });
    println!(
        "vec![0u8; 1 GiB]: {} alloc, {} free (needs_drop::<u8>() = {}); Vec of 1,000,000 \
         Box<u64>: {} allocs, {} frees (needs_drop::<Box<u64>>() = {})",
        big.allocs,
        big.frees,
        rust_side::drop_visits_elements::<u8>(),
        boxes.allocs,
        boxes.frees,
        rust_side::drop_visits_elements::<Box<u64>>()
    );
}

/// Frames of every scenario under every barrier, film strips, the pacing
/// chart (or only the ones the book shows).
fn write_pictures(dir: &PathBuf, quick: bool, book_set: bool) {
    if let Err(e) = std::fs::create_dir_all(dir) {
        cli::fail(&format!("cannot create {}: {e}", dir.display()));
    }
    let mut files = 0;
    let mut write = |name: String, text: &str| {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            cli::fail(&format!("cannot write {}: {e}", path.display()));
        }
        files += 1;
    };
    let wanted = |s: &str, b: &str, f: Option<usize>| {
        !book_set || svg::BOOK_SET.iter().any(|x| (x.0, x.1, x.2) == (s, b, f))
    };
    for s in scenarios::all() {
        for b in Barrier::ALL {
            let (frames, _) = svg::record_frames(&s, b);
            for (i, f) in frames.iter().enumerate() {
                if wanted(s.name, b.name, Some(i)) {
                    write(svg::file_name(s.name, b.name, Some(i)), f);
                }
            }
            if wanted(s.name, b.name, None) {
                write(
                    svg::file_name(s.name, b.name, None),
                    &svg::filmstrip(&frames, 4, 0.5),
                );
            }
        }
    }
    let trace = pacing::Trace::burst(if quick { 8 } else { 1 });
    let runs: Vec<_> = pacing::seed_settings()
        .into_iter()
        .map(|s| pacing::simulate(&trace, s, 24))
        .collect();
    write("pacing.svg".into(), &svg::pacing_chart(&runs, trace.total_bytes()));
    println!("wrote {files} SVG files into {}", dir.display());
}
