//! C001-17 and D33: what the three colors mean, and when they matter at all.

use super::super::barrier::Barrier;
use super::super::figures;
use super::super::scenarios;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, Verdict, example,
};

const CHECKED: &str = "events checked";
const BOOKKEEPING: &str = "gray objects off the worklist (or the reverse)";
const WEAK: &str = "events breaking the weak invariant, all barriers";
const LOST: &str = "reachable objects freed";
const STRONG_DIJKSTRA: &str = "dijkstra: events with a black → white edge";
const STRONG_YUASA: &str = "yuasa: events with a black → white edge";
const STRONG_HYBRID: &str = "hybrid: events with a black → white edge";

/// C001-17: white = unvisited, gray = visited with children pending, black =
/// visited with children done. Plays random mutator schedules under each
/// sound barrier with the invariant checker after every event: gray must be
/// "on the worklist", and black "children done" means no black → white edge.
pub fn c001_17_color_definitions(ctx: &Ctx) -> Result<Measured, CheckError> {
    let inv = figures::invariants(ctx);
    let w = inv.workload;
    let mut ev = Evidence::new(format!(
        "{} random mutator schedules ({} objects, {} stacks of {} slots, {} events, {} % \
         collector steps of {} units) per barrier; the checker runs after every event: gray \
         = on the worklist, strong invariant (no black → white), weak invariant",
        inv.schedules, w.objects, w.stacks, w.slots, w.events, w.step_percent, inv.budget
    ));
    let mut weak = 0;
    for row in &inv.rows {
        let name = row.barrier.name;
        ev.add(
            format!("{name}: events with a black → white edge"),
            row.strong_broken as f64,
            Unit::Count,
        );
        ev.add(
            format!("{name}: events breaking the weak invariant"),
            row.weak_broken as f64,
            Unit::Count,
        );
        weak += row.weak_broken;
    }
    let sum = |f: fn(&figures::BarrierInvariants) -> usize| -> usize {
        inv.rows.iter().map(f).sum()
    };
    let checked = sum(|r| r.checked);
    let bookkeeping = sum(|r| r.bookkeeping_broken);
    ev.add(CHECKED, checked as f64, Unit::Count);
    ev.add(BOOKKEEPING, bookkeeping as f64, Unit::Count);
    ev.add(WEAK, weak as f64, Unit::Count);
    ev.add(LOST, sum(|r| r.lost) as f64, Unit::Count);
    let strong: Vec<String> = inv
        .rows
        .iter()
        .map(|r| format!("{} under {}", r.strong_broken, r.barrier.name))
        .collect();
    Ok(Measured::new(
        ev,
        format!(
            "gray meant 'on the worklist' after {} of {checked} checked events; 'black = \
             children done' (no black → white edge) failed {}; the weak invariant failed \
             {weak} times",
            checked - bookkeeping,
            strong.join(", ")
        ),
    ))
}

/// Refuted when gray is ever off the worklist, the weak invariant breaks, an
/// object is lost, or Dijkstra's barrier lets a black object point at a
/// white one; holds only when an insertion barrier runs when Yuasa's or the
/// hybrid barrier does let it (both sides measured); confirmed when no
/// barrier does.
pub const C001_17: Rule = Rule {
    says: "refuted when gray is off the worklist, the weak invariant breaks, an object is \
           lost or Dijkstra's barrier leaves a black → white edge; holds only when the \
           barrier shades inserted pointers if Yuasa's or the hybrid leave one; confirmed \
           when none does; unverifiable when no event was checked",
    inputs: &[
        CHECKED,
        BOOKKEEPING,
        WEAK,
        LOST,
        STRONG_DIJKSTRA,
        STRONG_YUASA,
        STRONG_HYBRID,
    ],
    thresholds: &[],
    decide: |f| {
        if f.get(CHECKED) == 0.0 {
            return Verdict::unverifiable("the schedules played no event");
        }
        if f.get(BOOKKEEPING) > 0.0
            || f.get(WEAK) > 0.0
            || f.get(LOST) > 0.0
            || f.get(STRONG_DIJKSTRA) > 0.0
        {
            return Verdict::Refuted;
        }
        let fails_in = if f.get(STRONG_YUASA) > 0.0 {
            STRONG_YUASA
        } else if f.get(STRONG_HYBRID) > 0.0 {
            STRONG_HYBRID
        } else {
            return Verdict::Confirmed;
        };
        f.holds_only_when(
            "the mutator is stopped or an insertion (Dijkstra) barrier shades every stored \
             pointer: then a black object never points at a white one. Under Yuasa's and \
             Go's hybrid barrier a black object may point at a white one, kept safe only by \
             the weak invariant (a gray object still reaches it through white ones)",
            STRONG_DIJKSTRA,
            fails_in,
        )
    },
    examples: &[
        example(
            &[
                (CHECKED, 50_000.0),
                (BOOKKEEPING, 0.0),
                (WEAK, 0.0),
                (LOST, 0.0),
                (STRONG_DIJKSTRA, 0.0),
                (STRONG_YUASA, 0.0),
                (STRONG_HYBRID, 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (CHECKED, 50_000.0),
                (BOOKKEEPING, 0.0),
                (WEAK, 0.0),
                (LOST, 0.0),
                (STRONG_DIJKSTRA, 0.0),
                (STRONG_YUASA, 158.0),
                (STRONG_HYBRID, 247.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (CHECKED, 50_000.0),
                (BOOKKEEPING, 0.0),
                (WEAK, 0.0),
                (LOST, 0.0),
                (STRONG_DIJKSTRA, 0.0),
                (STRONG_YUASA, 0.0),
                (STRONG_HYBRID, 3.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (CHECKED, 50_000.0),
                (BOOKKEEPING, 0.0),
                (WEAK, 0.0),
                (LOST, 0.0),
                (STRONG_DIJKSTRA, 1.0),
            ],
            Refuted,
        ),
        example(&[(CHECKED, 50_000.0), (BOOKKEEPING, 2.0)], Refuted),
        example(&[(CHECKED, 0.0)], Unverifiable),
    ],
};

const DIFFER: &str = "graphs where tri-color ≠ mark bit";
const LOST_NONE: &str = "incremental, barrier none: reachable objects lost";
const LOST_SOUND: &str = "incremental, sound barriers: reachable objects lost";

/// D33: the seed's `Marked` field is unused, and with stop-the-world
/// recursion "tri-color" is a mark bit. Marks random graphs both ways
/// (tri-color worklist, one-bit BFS), then plays the scripted lost-object
/// interleaving incrementally with each barrier: the colors matter there.
pub fn d33_tri_color_without_barrier(ctx: &Ctx) -> Result<Measured, CheckError> {
    let a = figures::agreement(ctx);
    let mut ev = Evidence::new(format!(
        "{} random graphs of {} objects: tri-color worklist marking vs a one-bit BFS; then \
         the scripted lost-object interleaving, incremental, budget 1, with each barrier",
        a.graphs, a.objects_per_graph
    ));
    ev.add(DIFFER, a.mark_mismatches as f64, Unit::Count);
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
    ev.add(LOST_SOUND, lost[1..].iter().sum::<usize>() as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "stopping the world, three colors marked exactly what one bit marks on {} of {} \
             graphs; the colors matter once marking is incremental: no barrier lost {} \
             object, Dijkstra {}, Yuasa {}, hybrid {}",
            a.graphs - a.mark_mismatches,
            a.graphs,
            lost[0],
            lost[1],
            lost[2],
            lost[3]
        ),
    ))
}

/// Reproduced when tri-color marking and a mark bit agree on every graph
/// (stopping the world, the colors add nothing) while incremental marking
/// loses an object without a barrier and none with one; not reproduced
/// otherwise.
pub const D33: Rule = Rule {
    says: "reproduced when stop-the-world tri-color marking equals a one-bit BFS on every \
           graph, and incremental marking loses an object without a barrier and none with \
           a sound one; not reproduced otherwise",
    inputs: &[DIFFER, LOST_NONE, LOST_SOUND],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get(DIFFER) == 0.0 && f.get(LOST_NONE) > 0.0 && f.get(LOST_SOUND) == 0.0,
        )
    },
    examples: &[
        example(&[(DIFFER, 0.0), (LOST_NONE, 1.0), (LOST_SOUND, 0.0)], Confirmed),
        example(&[(DIFFER, 2.0)], Refuted),
        example(&[(DIFFER, 0.0), (LOST_NONE, 0.0)], Refuted),
    ],
};
