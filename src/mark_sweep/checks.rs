//! The chapter's claim checks, one per ledger id it owns, in ledger order.
//! Each runs its experiment, records the figures, and computes the verdict
//! from them.

use super::barrier::Barrier;
use super::experiments;
use super::graphs;
use super::mutator::{self, Workload};
use super::rust_side;
use super::scenarios;
use super::seed_port::{self, LONG_CHAIN};
use super::stw;
use crate::claims::{Check, CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::alloc;
use crate::measure::child::{self, ChildOutcome};
use std::hint::black_box;
use std::time::Duration;

/// The checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::legacy("C001-16", gc_definition),
    Check::legacy("C001-17", tri_color_definitions),
    Check::legacy("C001-18", recursive_marker),
    Check::legacy("C001-19", sweep_frees_white),
    Check::legacy("C004-05", gc_scans_large_block),
    Check::legacy("D32", recursion_on_cycles),
    Check::legacy("D33", tri_color_without_barrier),
];

const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

fn yes(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// C001-16: GC(H) = H − Unreachable(H).
fn gc_definition(ctx: &Ctx) -> Result<Finding, CheckError> {
    let (graphs, objects) = ctx.pick((40, 20_000), (8, 2_000));
    let mut ev = Evidence::new(format!(
        "{graphs} random graphs of {objects} objects (4 fields, 35 % filled, 4 roots, \
         cycles included); stop-the-world mark-sweep, heap compared with H minus the \
         BFS-unreachable set. Rust: a two-node Rc cycle, then with a Weak back edge"
    ));
    let a = experiments::agreement(graphs, objects);
    ev.add("objects in all graphs", a.objects as f64, Unit::Count);
    ev.add("unreachable, freed by the sweep", a.freed as f64, Unit::Count);
    let bad = ev.add(
        "graphs where heap ≠ H − Unreachable(H)",
        a.sweep_mismatches as f64,
        Unit::Count,
    );
    let strong = rust_side::strong_cycle();
    let weak = rust_side::weak_back_edge();
    ev.add(
        "Rc cycle: nodes dropped at scope end",
        strong.dropped_at_scope_end as f64,
        Unit::Count,
    );
    ev.add("Rc cycle: nodes still allocated", strong.still_alive as f64, Unit::Count);
    ev.add(
        "Weak back edge: nodes dropped",
        weak.dropped_at_scope_end as f64,
        Unit::Count,
    );
    let summary = format!(
        "mark-sweep left exactly H − Unreachable(H) in {} of {graphs} graphs ({} of {} \
         objects freed); Rust's Rc freed {} of 2 nodes of a cycle, {} with a Weak edge",
        graphs - a.sweep_mismatches,
        a.freed,
        a.objects,
        strong.dropped_at_scope_end,
        weak.dropped_at_scope_end
    );
    Ok(Finding::new(Verdict::confirmed_if(bad == 0.0), summary, ev))
}

/// C001-17: White = unvisited, Gray = visited with children pending, Black =
/// visited with children done.
fn tri_color_definitions(ctx: &Ctx) -> Result<Finding, CheckError> {
    let seeds = ctx.pick(60, 12);
    let mut ev = Evidence::new(format!(
        "{seeds} random mutator schedules (60 objects, 3 stacks of 4 slots, 300 events, \
         15 % collector steps of 3 units) per barrier; the checker runs after every event: \
         gray = on the worklist, strong invariant (no black → white), weak invariant"
    ));
    let mut checked = 0;
    let mut bookkeeping = 0;
    let mut lost = 0;
    let mut strong_broken = Vec::new();
    let mut weak_broken = 0;
    for b in Barrier::SOUND {
        let (mut strong, mut weak) = (0, 0);
        for seed in 0..seeds as u64 {
            let w = Workload {
                objects: 60,
                stacks: 3,
                slots: 4,
                events: 300,
                step_percent: 15,
                seed,
            };
            let r = mutator::run_random(&w, b, 3);
            checked += r.checked;
            bookkeeping += r.bookkeeping_broken;
            lost += r.lost.len();
            strong += r.strong_broken;
            weak += r.weak_broken;
        }
        ev.add(
            format!("{}: events with a black → white edge", b.name),
            strong as f64,
            Unit::Count,
        );
        ev.add(
            format!("{}: events breaking the weak invariant", b.name),
            weak as f64,
            Unit::Count,
        );
        strong_broken.push((b.name, strong));
        weak_broken += weak;
    }
    ev.add("events checked", checked as f64, Unit::Count);
    ev.add(
        "gray objects off the worklist (or the reverse)",
        bookkeeping as f64,
        Unit::Count,
    );
    ev.add("reachable objects freed", lost as f64, Unit::Count);
    let dijkstra = strong_broken[0].1;
    let weak_only: usize = strong_broken[1..].iter().map(|s| s.1).sum();
    let verdict = if bookkeeping > 0 || weak_broken > 0 || lost > 0 || dijkstra > 0 {
        Verdict::Refuted
    } else if weak_only > 0 {
        Verdict::unruled_holds_only_when(
            "the mutator is stopped or an insertion (Dijkstra) barrier shades every stored \
             pointer: then a black object never points at a white one. Under Yuasa's and Go's \
             hybrid barrier a black object may point at a white one, kept safe only by the \
             weak invariant (a gray object still reaches it through white ones)",
        )
    } else {
        Verdict::Confirmed
    };
    let summary = format!(
        "gray meant 'on the worklist' after {} of {checked} checked events; 'black = \
         children done' (no black → white edge) failed {} times under Dijkstra, {} under \
         Yuasa, {} under the hybrid; the weak invariant failed {weak_broken} times",
        checked - bookkeeping,
        strong_broken[0].1,
        strong_broken[1].1,
        strong_broken[2].1
    );
    Ok(Finding::new(verdict, summary, ev))
}

fn child_outcome(mode: &str) -> Result<ChildOutcome, CheckError> {
    child::run_mode(mode, CHILD_TIMEOUT).map_err(|e| CheckError(format!("{mode}: {e}")))
}

/// C001-18: the recursive `markObject` implements tri-color marking.
fn recursive_marker(ctx: &Ctx) -> Result<Finding, CheckError> {
    let chain = ctx.pick(10_000_000, 1_000_000);
    let mut ev = Evidence::new(format!(
        "seed port on a {LONG_CHAIN}-object chain on an 8 MiB thread stack (child process) \
         and on a 1 GiB stack (in process); its call-counting twin on a 2-object cycle with \
         a budget of 100,000 calls; the worklist marker on a {chain}-object chain and on \
         the cycle"
    ));
    let o = child_outcome("mark_sweep::seed_chain_1m_8mib")?;
    let chain_overflow = ev.add(
        "seed, 1M chain, 8 MiB stack: stack overflow",
        yes(o.overflowed_stack()),
        Unit::Bool,
    );
    let big = experiments::seed_on_big_stack(LONG_CHAIN, 1 << 30);
    ev.add("seed, 1M chain, 1 GiB stack: objects black", big.black as f64, Unit::Count);
    if let Some(b) = big.stack_bytes_per_level {
        ev.add("stack per recursion level (faulted pages / depth)", b, Unit::Bytes);
    }
    let budget = 100_000;
    let cycle = seed_port::on_stack(256 << 20, move || {
        seed_port::seed_mark_counted(&mut graphs::ring(2), budget)
    });
    let exhausted = cycle.is_err();
    ev.add(
        "seed twin, 2-object cycle: budget of 100,000 calls exhausted",
        yes(exhausted),
        Unit::Bool,
    );
    let mut heap = graphs::chain(chain);
    let (c, mark_time) = crate::measure::timed(|| stw::mark(&mut heap));
    drop(heap);
    ev.add("worklist: chain objects marked", c.marked as f64, Unit::Count);
    ev.add("worklist: chain mark time", mark_time.as_nanos() as f64, Unit::Nanos);
    ev.add(
        "worklist: largest gray worklist on the chain",
        c.max_gray as f64,
        Unit::Count,
    );
    let ring = stw::mark(&mut graphs::ring(2)).marked;
    ev.add("worklist: 2-object cycle, objects marked", ring as f64, Unit::Count);
    let fix_ok = c.marked == chain && ring == 2 && big.black == LONG_CHAIN;
    if !fix_ok {
        return Err(CheckError(format!(
            "the worklist marker or the big-stack run is wrong: chain {} of {chain}, ring {ring} \
             of 2, big stack {} of {LONG_CHAIN}",
            c.marked, big.black
        )));
    }
    let refuted = exhausted || chain_overflow == 1.0;
    let summary = format!(
        "the seed's marker ended with {} on a 1M chain with 8 MiB of stack but marked all \
         {} objects with 1 GiB (a depth limit), and {} on a 2-object cycle (a logic error); \
         the worklist marked a {chain}-object chain in {:.0} ms with at most {} gray entry",
        o.describe(),
        big.black,
        if exhausted { "had not finished after 100,000 calls" } else { "finished" },
        mark_time.as_secs_f64() * 1e3,
        c.max_gray
    );
    Ok(Finding::new(Verdict::confirmed_if(!refuted), summary, ev))
}

/// C001-19: sweep deletes all white objects.
fn sweep_frees_white(ctx: &Ctx) -> Result<Finding, CheckError> {
    let (graphs, objects) = ctx.pick((40, 20_000), (8, 2_000));
    let mut ev = Evidence::new(format!(
        "{graphs} random graphs of {objects} objects: mark, sweep, then allocate as many \
         objects as were freed; and the scripted lost-object interleaving with no barrier"
    ));
    let a = experiments::agreement(graphs, objects);
    ev.add("objects freed", a.freed as f64, Unit::Count);
    let not_white = ev.add("freed but not white", a.freed_not_white as f64, Unit::Count);
    let mism = ev.add(
        "graphs where survivors ≠ reachable",
        a.sweep_mismatches as f64,
        Unit::Count,
    );
    let dangling =
        ev.add("survivor references to freed slots", a.dangling as f64, Unit::Count);
    ev.add("new objects placed in freed slots", a.reused_slots as f64, Unit::Count);
    let lost = scenarios::play(&scenarios::lost_object(), Barrier::NONE);
    ev.add(
        "no barrier, scripted interleaving: reachable objects swept",
        lost.lost.len() as f64,
        Unit::Count,
    );
    ev.add("… leaving dangling references", lost.dangling.len() as f64, Unit::Count);
    let ok =
        not_white == 0.0 && mism == 0.0 && dangling == 0.0 && a.reused_slots == a.freed;
    let summary = format!(
        "the sweep freed {} objects, {} of them not white, leaving {} dangling references; \
         the free list handed {} slots out again; with incomplete marking (no barrier) it \
         freed {} reachable object, leaving {} dangling reference",
        a.freed,
        a.freed_not_white,
        a.dangling,
        a.reused_slots,
        lost.lost.len(),
        lost.dangling.len()
    );
    Ok(Finding::new(Verdict::confirmed_if(ok), summary, ev))
}

/// C004-05: the GC has to scan the large block.
fn gc_scans_large_block(ctx: &Ctx) -> Result<Finding, CheckError> {
    if !alloc::is_installed() {
        return Err(CheckError(
            "C004-05 counts allocations: install the counting allocator".into(),
        ));
    }
    let (objects, rounds, boxes) = ctx.pick((500_000, 7, 200_000), (100_000, 7, 50_000));
    let mut ev = Evidence::new(format!(
        "simulator (which, like Go's runtime, marks pointer-free objects noscan): a \
         {objects}-object heap marked {rounds}× with and without one rooted 1 GiB \
         pointer-free block, interleaved. Rust: drop of vec![0u8; 1 GiB] and of a \
         Vec<Box<u64>> of {boxes}, under the counting allocator"
    ));
    let r = experiments::noscan(objects, 1 << 30, rounds);
    ev.add("objects marked without the block", r.marked.0 as f64, Unit::Count);
    ev.add("objects marked with the block", r.marked.1 as f64, Unit::Count);
    let extra = r.fields.1 as f64 - r.fields.0 as f64;
    ev.add("pointer fields scanned because of the block", extra, Unit::Count);
    ev.add("mark time with / without the block", r.time_ratio, Unit::Ratio);
    let ((), bytes) = alloc::measure(|| drop(black_box(vec![0u8; 1 << 30])));
    ev.add("Rust vec![0u8; 1 GiB]: allocations", bytes.allocs as f64, Unit::Count);
    let one_free =
        ev.add("Rust vec![0u8; 1 GiB]: frees", bytes.frees as f64, Unit::Count);
    let ((), boxed) = alloc::measure(|| {
        drop(black_box((0..boxes as u64).map(Box::new).collect::<Vec<_>>()))
    });
    ev.add(
        format!("Rust Vec<Box<u64>> of {boxes}: frees"),
        boxed.frees as f64,
        Unit::Count,
    );
    ev.add(
        "needs_drop::<u8>() (drop glue visits elements)",
        yes(rust_side::drop_visits_elements::<u8>()),
        Unit::Bool,
    );
    let scanned = extra > 0.0 || one_free != 1.0;
    let summary = format!(
        "a rooted 1 GiB pointer-free block added 1 object and {extra:.0} scanned fields to \
         marking (mark time {:.2}×); in Rust, vec![0u8; 1 GiB] is {} alloc and {} free, while \
         a Vec of {boxes} Boxes takes {} frees",
        r.time_ratio, bytes.allocs, bytes.frees, boxed.frees
    );
    Ok(Finding::new(Verdict::confirmed_if(scanned), summary, ev))
}

/// D32: the seed's marker recurses forever on any cycle.
fn recursion_on_cycles(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new(
        "seed port in child processes: a 2-object cycle on an 8 MiB and a 64 MiB thread \
         stack, a self-loop on 8 MiB; the worklist marker on the same graphs",
    );
    let modes = [
        ("2-object cycle, 8 MiB stack", "mark_sweep::seed_cycle_8mib"),
        ("2-object cycle, 64 MiB stack", "mark_sweep::seed_cycle_64mib"),
        ("self-loop, 8 MiB stack", "mark_sweep::seed_self_loop_8mib"),
    ];
    let mut overflows = 0;
    let mut outcomes = Vec::new();
    for (label, mode) in modes {
        let o = child_outcome(mode)?;
        overflows += usize::from(o.overflowed_stack());
        ev.add(
            format!("seed, {label}: stack overflow"),
            yes(o.overflowed_stack()),
            Unit::Bool,
        );
        outcomes.push(o.describe());
    }
    let fixed =
        [stw::mark(&mut graphs::ring(2)).marked, stw::mark(&mut graphs::ring(1)).marked];
    ev.add("worklist: 2-object cycle, objects marked", fixed[0] as f64, Unit::Count);
    ev.add("worklist: self-loop, objects marked", fixed[1] as f64, Unit::Count);
    let reproduced = overflows == modes.len() && fixed == [2, 1];
    let summary = format!(
        "the seed's marker ended with {} on a 2-object cycle with 8 MiB of stack, {} with 64 \
         MiB, {} on a self-loop; the worklist marked {} and {} objects and stopped",
        outcomes[0], outcomes[1], outcomes[2], fixed[0], fixed[1]
    );
    Ok(Finding::new(Verdict::confirmed_if(reproduced), summary, ev))
}

/// D33: with stop-the-world recursion "tri-color" adds nothing over a mark bit.
fn tri_color_without_barrier(ctx: &Ctx) -> Result<Finding, CheckError> {
    let (graphs, objects) = ctx.pick((40, 20_000), (8, 2_000));
    let mut ev = Evidence::new(format!(
        "{graphs} random graphs of {objects} objects: tri-color worklist marking vs a \
         one-bit BFS; then the scripted lost-object interleaving, incremental, budget 1, \
         with each barrier"
    ));
    let a = experiments::agreement(graphs, objects);
    let differ = ev.add(
        "graphs where tri-color ≠ mark bit",
        a.mark_mismatches as f64,
        Unit::Count,
    );
    let s = scenarios::lost_object();
    let mut lost = Vec::new();
    for b in Barrier::ALL {
        let n = scenarios::play(&s, b).lost.len();
        ev.add(
            format!("incremental, barrier {}: reachable objects lost", b.name),
            n as f64,
            Unit::Count,
        );
        lost.push(n);
    }
    let reproduced = differ == 0.0 && lost[0] > 0 && lost[1..].iter().all(|&n| n == 0);
    let summary = format!(
        "stopping the world, three colors marked exactly what one bit marks on {} of {graphs} \
         graphs; the colors matter once marking is incremental: no barrier lost {} object, \
         Dijkstra {}, Yuasa {}, hybrid {}",
        graphs - a.mark_mismatches,
        lost[0],
        lost[1],
        lost[2],
        lost[3]
    );
    Ok(Finding::new(Verdict::confirmed_if(reproduced), summary, ev))
}
