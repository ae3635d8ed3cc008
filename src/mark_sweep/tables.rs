//! What the chapter's example prints: one function per `--table`, each
//! reading [`super::figures`] (measured once per run) and laying it out as
//! [`Table`]s.

use super::barrier::Barrier;
use super::checker;
use super::figures::{self, ChainRun};
use super::graphs::Shape;
use super::heap::{Color, Heap};
use super::incremental::{Incremental, Phase};
use super::mutator::{self, RunOptions};
use super::scenarios;
use super::seed_port::{LONG_CHAIN, MAIN_STACK};
use crate::claims::{CheckError, Ctx};
use crate::cli::BuildTables;
use crate::table::{
    Align, Table, Unit, format_bytes, format_nanos, format_ratio, format_value,
    group_thousands,
};

type Tables = Result<Vec<Table>, CheckError>;

fn count(n: impl TryInto<i64>) -> String {
    group_thousands(n.try_into().unwrap_or(i64::MAX))
}

fn nanos(d: std::time::Duration) -> String {
    format_nanos(d.as_nanos() as f64)
}

fn mib(bytes: f64) -> String {
    format!("{:.0}", bytes / (1u64 << 20) as f64)
}

/// The lost-object interleaving under `barrier`, event by event, with the
/// colors of A … E, the state of stack 0 and what the checker says.
pub fn log_with(barrier: Barrier) -> Table {
    let s = scenarios::lost_object();
    let mut t = Table::new(["#", "event", "A B C D E", "stack 0", "invariants"])
        .titled(format!(
            "barrier: {}. stack 0 → A → B → C; D ⇄ E is garbage; budget 1 unit per step",
            barrier.name
        ))
        .align(1, Align::Left)
        .align(2, Align::Left)
        .align(3, Align::Left)
        .align(4, Align::Left);
    let mut heap = s.heap.clone();
    let mut gc = Incremental::new(barrier, s.budget);
    let mut n = 0;
    let mut row = |heap: &Heap, gc: &Incremental, caption: &str| {
        let colors: Vec<&str> = s
            .objects
            .iter()
            .map(|o| match (heap.is_live(o.0), heap.color(o.0)) {
                (false, _) => "·",
                (true, Color::White) => "W",
                (true, Color::Gray) => "G",
                (true, Color::Black) => "B",
            })
            .collect();
        let idle = gc.phase() == Phase::Idle;
        let stack = match (idle, gc.stack_color(0)) {
            (true, _) => "-",
            (false, Color::Black) => "scanned",
            (false, _) => "gray",
        };
        let inv = if idle {
            ""
        } else {
            let c = checker::check(heap, gc);
            match (c.strong(), c.weak()) {
                (true, _) => "strong ok",
                (false, true) => "strong BROKEN, weak ok",
                (false, false) => "weak BROKEN",
            }
        };
        t.row([
            n.to_string(),
            scenarios::with_names(&s, caption),
            colors.join(" "),
            stack.to_string(),
            inv.to_string(),
        ]);
        n += 1;
    };
    let r = mutator::run(
        &mut heap,
        &mut gc,
        &s.events,
        RunOptions { check_every_event: false, one_cycle: true, find_lost: true },
        Some(&mut row),
    );
    let names: Vec<String> =
        r.lost.iter().map(|&id| scenarios::name_of(&s, id)).collect();
    t.note(format!(
        "reachable objects freed: {} [{}]; dangling references after the sweep: {}",
        r.lost.len(),
        names.join(", "),
        r.dangling.len()
    ));
    t
}

fn log<const B: usize>(_ctx: &Ctx) -> Tables {
    Ok(vec![log_with(Barrier::ALL[B])])
}

/// The `log` table for the barrier called `name` (`none`, `dijkstra`,
/// `yuasa`, `hybrid`).
pub fn log_for(name: &str) -> Option<BuildTables> {
    const LOGS: [BuildTables; 4] = [log::<0>, log::<1>, log::<2>, log::<3>];
    Barrier::ALL.iter().position(|b| b.name == name).map(|i| LOGS[i])
}

/// Every scripted interleaving under every barrier configuration.
pub fn scenarios(_ctx: &Ctx) -> Tables {
    let mut t = Table::new([
        "scenario",
        "barrier",
        "lost",
        "weak broken by",
        "strong brk",
        "max step",
        "max pause",
    ])
    .align(1, Align::Left)
    .align(3, Align::Left);
    for s in scenarios::all() {
        for b in scenarios::configurations() {
            let r = scenarios::play(&s, b);
            let first = r
                .first_weak_break
                .as_ref()
                .map_or("-".to_string(), |(_, what)| scenarios::with_names(&s, what));
            t.row([
                s.name.to_string(),
                b.name.to_string(),
                r.lost.len().to_string(),
                first,
                r.strong_broken.to_string(),
                r.max_step().to_string(),
                r.max_pause().to_string(),
            ]);
        }
    }
    t.note(
        "lost: reachable objects the sweep freed · weak broken by: the first event after \
         which a white object was out of the marker's reach · strong brk: events with a \
         black → white edge · steps and pauses in work units",
    );
    Ok(vec![t])
}

fn chain_table(c: &ChainRun) -> Table {
    let mut t = Table::new(["chain", "value"])
        .titled(format!("{} objects, stop-the-world, worklist marker", count(c.n)));
    t.row(["build", &nanos(c.build)]);
    t.row(["mark", &nanos(c.mark)]);
    t.row([
        "mark rate".to_string(),
        format_value(c.n as f64 / c.mark.as_secs_f64(), Unit::PerSec),
    ]);
    t.row(["sweep", &nanos(c.sweep)]);
    t.row(["objects marked", &count(c.marked)]);
    t.row(["survivors", &count(c.survivors)]);
    t.row(["largest gray worklist", &count(c.max_gray)]);
    if c.n >= 2 {
        t.row([
            format!("survivors after a cut at #{}", c.n / 2 - 1),
            count(c.survivors_after_cut),
        ]);
        t.row(["freed by that collection".to_string(), count(c.freed_after_cut)]);
    }
    t
}

/// The run's chain (10,000,000 objects; 1,000,000 under `--quick`).
pub fn chain(ctx: &Ctx) -> Tables {
    Ok(vec![chain_table(figures::chain(ctx))])
}

/// A chain of `n` objects, collected now (the example's `--chain N`).
pub fn chain_of(n: usize) -> Table {
    chain_table(&figures::collect_chain(n))
}

/// The seed's recursive marker on cycles and on a long chain.
pub fn seed(ctx: &Ctx) -> Tables {
    let s = figures::seed(ctx)?;
    let mut t = Table::new(["graph", "stack", "run in", "ended"])
        .align(1, Align::Right)
        .align(2, Align::Left)
        .align(3, Align::Left);
    let chain = format!("{}-object chain", count(LONG_CHAIN));
    for (graph, stack, o) in [
        ("2-object cycle", "8 MiB", &s.cycle_8mib),
        ("2-object cycle", "64 MiB", &s.cycle_64mib),
        ("self-loop", "8 MiB", &s.self_loop_8mib),
        (chain.as_str(), "8 MiB", &s.chain_8mib),
    ] {
        t.row([graph, stack, "child process", &o.describe()]);
    }
    t.row([
        chain.clone(),
        format_bytes(s.chain_1gib.stack_bytes as f64),
        "this process".into(),
        format!("finished: {} objects black", count(s.chain_1gib.black)),
    ]);
    let counted = match s.counted_cycle {
        Ok(calls) => format!("finished after {} calls", count(calls)),
        Err(_) => format!("not finished after {} calls: stopped", count(s.budget)),
    };
    t.row([
        "2-object cycle, counting twin".to_string(),
        format_bytes(s.counted_stack_bytes as f64),
        "this process".into(),
        counted,
    ]);
    if let Some(per_level) = s.chain_1gib.stack_bytes_per_level {
        t.note(format!(
            "stack per level of recursion (pages the thread faulted in / depth): {}, so \
             {} of stack holds about {} levels",
            format_bytes(per_level.round()),
            format_bytes(MAIN_STACK as f64),
            count((MAIN_STACK as f64 / per_level) as u64)
        ));
    }
    t.note(format!(
        "the worklist marker on the same cycle and self-loop: {} and {} objects marked",
        s.worklist_cycle, s.worklist_self_loop
    ));
    Ok(vec![t])
}

/// The collector against the ground truth on random graphs.
pub fn agreement(ctx: &Ctx) -> Tables {
    let a = figures::agreement(ctx);
    let mut t = Table::new(["over all graphs", "count"]).titled(format!(
        "{} random graphs of {} objects (4 fields, 35 % filled, 4 roots, cycles included)",
        a.graphs,
        count(a.objects_per_graph)
    ));
    t.row(["objects", &count(a.objects)]);
    t.row(["reachable (breadth-first search)", &count(a.reachable)]);
    t.row([
        "graphs where black ≠ reachable (tri-color ≠ mark bit)",
        &count(a.mark_mismatches),
    ]);
    t.row(["freed by the sweep", &count(a.freed)]);
    t.row(["freed but not white", &count(a.freed_not_white)]);
    t.row(["graphs where heap ≠ H − Unreachable(H)", &count(a.sweep_mismatches)]);
    t.row(["survivor references to freed slots", &count(a.dangling)]);
    t.row(["new objects placed in freed slots", &count(a.reused_slots)]);
    Ok(vec![t])
}

/// Stop-the-world marking against a plain BFS over the same graph.
pub fn throughput(ctx: &Ctx) -> Tables {
    let rows = figures::throughput(ctx);
    let mut t = Table::new([
        "layout",
        "objects",
        "mark",
        "marked/s",
        "BFS",
        "visited/s",
        "mark/BFS",
    ]);
    for r in rows {
        t.row([
            r.shape.name().to_string(),
            count(r.objects),
            nanos(r.mark),
            format_value(r.mark_rate(), Unit::PerSec),
            nanos(r.bfs),
            format_value(r.bfs_rate(), Unit::PerSec),
            format_ratio(r.ratio()),
        ]);
    }
    let (_, rounds) = figures::throughput_size(ctx);
    t.note(format!(
        "{rounds} rounds interleaved, medians; the chapter's target: mark within 1.2× of BFS"
    ));
    Ok(vec![t])
}

/// The mark rate a marker of random layouts aims at, as a share of the
/// load rate of [`figures::CHAINS`] pointer chases over the same heap
/// (issue 18: memory-level parallelism is the limit here).
pub const MARK_OF_CHASE_TARGET: f64 = 0.5;

/// The marker against memory-level parallelism: its rate with and without
/// the prefetch window, beside 16 chains and one chain over the same heap.
pub fn mlp(ctx: &Ctx) -> Tables {
    let rows = figures::throughput(ctx);
    let mut t = Table::new([
        "layout",
        "marked/s",
        "no window",
        "window pays",
        "16 chains loads/s",
        "1 chain loads/s",
        "mark ÷ 16 chains",
        "met",
    ]);
    for r in rows {
        t.row([
            r.shape.name().to_string(),
            format_value(r.mark_rate(), Unit::PerSec),
            format_value(r.mark_no_window_rate(), Unit::PerSec),
            format_ratio(r.mark_no_window.as_secs_f64() / r.mark.as_secs_f64()),
            format_value(r.chase_rate(), Unit::PerSec),
            format_value(r.chase_one_rate(), Unit::PerSec),
            format_ratio(r.of_chase()),
            match (r.shape, r.of_chase() >= MARK_OF_CHASE_TARGET) {
                (Shape::AllocationOrder, _) => "-", // the target is for random layouts
                (_, true) => "yes",
                (_, false) => "no",
            }
            .to_string(),
        ]);
    }
    let (_, rounds) = figures::throughput_size(ctx);
    t.note(format!(
        "the throughput table's heaps and rounds ({rounds}, interleaved, medians); window \
         pays = time without the {}-object prefetch window ÷ time with it; a chain follows \
         field 0, 16 chains in turn keep 16 loads in flight; target for random order: mark \
         ≥ {} of the 16-chain load rate",
        super::stw::PREFETCH_WINDOW,
        format_ratio(MARK_OF_CHASE_TARGET)
    ));
    Ok(vec![t])
}

/// What the invariant checker saw under each sound barrier.
pub fn invariants(ctx: &Ctx) -> Tables {
    let inv = figures::invariants(ctx);
    let w = inv.workload;
    let mut t = Table::new([
        "barrier",
        "events checked",
        "black → white",
        "weak broken",
        "gray ≠ worklist",
        "lost",
    ])
    .titled(format!(
        "{} random schedules per barrier: {} objects, {} stacks of {} slots, {} events, \
         {} % collector steps of {} units",
        inv.schedules, w.objects, w.stacks, w.slots, w.events, w.step_percent, inv.budget
    ));
    for r in &inv.rows {
        t.row([
            r.barrier.name.to_string(),
            count(r.checked),
            count(r.strong_broken),
            count(r.weak_broken),
            count(r.bookkeeping_broken),
            count(r.lost),
        ]);
    }
    t.note(
        "black → white: events after which a black object (or scanned stack) pointed at a \
         white one; weak broken: events after which a white object was out of the \
         marker's reach; the checker runs after every event",
    );
    Ok(vec![t])
}

/// Incremental marking with each barrier against stop-the-world.
pub fn incremental(ctx: &Ctx) -> Tables {
    let f = figures::incremental(ctx);
    let mut t = Table::new([
        "barrier",
        "STW work",
        "work",
        "ratio",
        "max step",
        "max pause",
        "shades",
        "lost",
        "time/STW",
    ])
    .titled(format!(
        "budget {} units, {} mutator operations between steps, {}-object heap",
        f.budget,
        f.ops_per_step,
        count(f.objects)
    ));
    for (r, time) in &f.rows {
        t.row([
            r.barrier.name.to_string(),
            count(r.stw_work),
            count(r.work),
            format!("{:.3}×", r.work as f64 / r.stw_work as f64),
            count(r.max_step),
            count(r.max_pause),
            count(r.barrier_shades),
            count(r.lost),
            format_ratio(*time),
        ]);
    }
    t.note(format!(
        "targets: total work ≤ 1.3× stop-the-world; no step over budget. time/STW: one \
         incremental cycle with its mutator operations, over one stop-the-world collection \
         followed by the same operations ({} rounds interleaved, medians)",
        f.rounds
    ));
    Ok(vec![t])
}

/// Incremental cycles paced by the clock: pauses and the collector's share.
pub fn paced(ctx: &Ctx) -> Tables {
    use super::paced::{COLLECTOR_SHARE, MAX_PAUSE, STEP_AIM};
    let f = figures::paced(ctx);
    let mut t = Table::new([
        "barrier",
        "steps",
        "p99 pause CPU",
        "max pause CPU",
        "max pause wall",
        "preempted",
        "collector share",
        "mutator ops",
        "marking took",
        "met",
    ])
    .titled(format!(
        "{}-object heap, steps of {} units (a step ≈ {} of CPU here), the mutator given \
         {}× the collector's CPU time",
        count(f.objects),
        count(f.budget),
        format_nanos(STEP_AIM.as_nanos() as f64),
        (1.0 - COLLECTOR_SHARE) / COLLECTOR_SHARE
    ));
    let limit = MAX_PAUSE.as_nanos() as f64;
    for r in &f.runs {
        let met = r.max_cpu_ns() <= limit && r.share() <= COLLECTOR_SHARE + 1e-9;
        t.row([
            r.barrier.name.to_string(),
            count(r.steps.len()),
            format_nanos(r.p99_cpu_ns()),
            format_nanos(r.max_cpu_ns()),
            format_nanos(r.max_wall_ns()),
            count(r.preempted()),
            format_value(r.share(), Unit::Fraction),
            count(r.mutator_ops),
            format_nanos(r.wall_ns),
            if met { "yes" } else { "no" }.to_string(),
        ]);
    }
    t.note(format!(
        "pause: a budgeted step, or a stop-the-world snapshot or rescan, on this thread's CPU \
         clock; wall adds the time the thread did not run; preempted: steps whose wall time \
         exceeds their CPU time by more than {}. Targets: max pause ≤ {} (CPU), collector ≤ \
         {} of the thread's CPU while marking. The sweep is one call after marking, outside \
         the pacing ({} for the hybrid cycle; Go sweeps concurrently)",
        format_nanos(STEP_AIM.as_nanos() as f64),
        format_nanos(limit),
        format_value(COLLECTOR_SHARE, Unit::Fraction),
        f.runs.last().map_or_else(|| "-".into(), |r| format_nanos(r.sweep_ns))
    ));
    Ok(vec![t])
}

/// Marking a heap with a large pointer-free block, not read and read.
pub fn noscan(ctx: &Ctx) -> Tables {
    let n = figures::noscan(ctx);
    let mut t = Table::new([
        "marking",
        "objects marked",
        "block words read",
        "CPU time",
        "vs alone",
    ])
    .titled(format!(
        "a {}-object heap and one rooted {} block of random bytes",
        count(n.objects),
        format_bytes(n.block_bytes as f64)
    ));
    t.row([
        "heap alone".to_string(),
        count(n.alone_marked),
        "0".into(),
        format_nanos(n.alone_ns),
        format_ratio(1.0),
    ]);
    for (what, m, ns) in [
        ("heap + block, not read (noscan)", n.noscan, n.noscan_ns),
        ("heap + block, read word by word", n.scanned, n.scanned_ns),
    ] {
        t.row([
            what.to_string(),
            count(m.marked),
            count(m.words_read),
            format_nanos(ns),
            format_ratio(ns / n.alone_ns),
        ]);
    }
    t.note(format!(
        "{} rounds, the three markings in turn; medians of this thread's CPU time. \
         Read word by word, {} words of the block held the address of a live object",
        n.rounds, n.scanned.pointers_found
    ));
    Ok(vec![t])
}

/// GOGC and the memory limit over the burst trace.
pub fn pacing(ctx: &Ctx) -> Tables {
    let p = figures::pacing(ctx);
    let live: Vec<String> =
        p.trace.phases.iter().map(|ph| mib(ph.live_bytes as f64)).collect();
    let mut t = Table::new([
        "setting", "GCs", "limit", "delays", "peak MiB", "mean MiB", "GC share",
    ])
    .titled(format!(
        "live heap {} MiB in three phases, {} MiB allocated in {} objects",
        live.join(" → "),
        mib(p.trace.total_bytes() as f64),
        format_bytes(f64::from(p.trace.object_bytes))
    ));
    for r in &p.runs {
        t.row([
            r.setting.label.to_string(),
            count(r.collections),
            count(r.limit_driven),
            count(r.limiter_delays),
            mib(r.peak_heap as f64),
            mib(r.mean_heap),
            format_value(r.gc_share, Unit::Fraction),
        ]);
    }
    t.note(format!(
        "limit: cycles whose goal the memory limit set; delays: allocations during which \
         the CPU-limiter model held a due cycle back; GC share assumes {} units of program \
         work per object allocated, 1 per object marked",
        super::pacing::MUTATOR_UNITS_PER_OBJECT
    ));
    Ok(vec![t])
}

/// The largest heap in each slice of the allocation, per setting.
pub fn timeline(ctx: &Ctx) -> Tables {
    let p = figures::pacing(ctx);
    let mut header = vec!["alloc'd MiB".to_string()];
    header.extend((1..=p.runs.len()).map(|i| format!("[{i}]")));
    let mut t =
        Table::new(header).titled("largest heap (MiB) in each 1/24 of the allocation");
    let slice = p.trace.total_bytes() as f64 / figures::TIMELINE_SLICES as f64;
    for row in 0..figures::TIMELINE_SLICES {
        let mut cells = vec![mib(slice * (row + 1) as f64)];
        cells.extend(p.runs.iter().map(|r| mib(r.timeline[row] as f64)));
        t.row(cells);
    }
    for (i, r) in p.runs.iter().enumerate() {
        t.note(format!("[{}] {}", i + 1, r.setting.label));
    }
    Ok(vec![t])
}

/// What Rust does instead: reference-counted cycles, and what a drop visits.
pub fn rust(ctx: &Ctx) -> Tables {
    let r = figures::rust(ctx)?;
    let mut rc =
        Table::new(["two nodes A, B", "dropped at scope end", "still allocated"]);
    for (what, o) in [
        ("A → B, B → A (Rc both ways)", r.strong_cycle),
        ("A → B (Rc), B → A (Weak)", r.weak_back_edge),
    ] {
        rc.row([what.to_string(), count(o.dropped_at_scope_end), count(o.still_alive)]);
    }
    let mut drops =
        Table::new(["made and dropped", "allocs", "frees", "element needs_drop"]);
    drops.row([
        format!("vec![0u8; {}]", format_bytes(r.buffer_bytes as f64)),
        count(r.buffer.allocs),
        count(r.buffer.frees),
        std::mem::needs_drop::<u8>().to_string(),
    ]);
    drops.row([
        format!("Vec of {} Box<u64>", count(r.boxes)),
        count(r.boxed.allocs),
        count(r.boxed.frees),
        std::mem::needs_drop::<Box<u64>>().to_string(),
    ]);
    Ok(vec![rc, drops])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_without_a_barrier_frees_c() {
        let t = log_with(Barrier::NONE);
        assert_eq!(t.cell(0, 1), "before the cycle");
        assert!(t.rows().iter().any(|r| r[4] == "weak BROKEN"));
        assert!(t.to_string().contains("reachable objects freed: 1 [C]"));
        assert!(log_for("hybrid").is_some() && log_for("nope").is_none());
    }
}
