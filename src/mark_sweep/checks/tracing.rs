//! C001-16 and C001-19: what a tracing collector frees, checked against the
//! ground truth on random graphs with cycles (`figures::agreement`).

use super::super::barrier::Barrier;
use super::super::figures;
use super::super::scenarios;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, Verdict, example,
};

const MISMATCHES: &str = "graphs where heap ≠ H − Unreachable(H)";
const FREED: &str = "unreachable, freed by the sweep";

fn graphs_condition(ctx: &Ctx) -> String {
    let (graphs, objects) = figures::agreement_size(ctx);
    format!(
        "{graphs} random graphs of {objects} objects (4 fields, 35 % filled, 4 roots, \
         cycles included); stop-the-world mark-sweep"
    )
}

/// C001-16: GC(H) = H − Unreachable(H). Compares the heap after each
/// stop-the-world collection with H minus the BFS-unreachable set; records
/// Rust's `Rc` cycle, the exception of reference counting, beside it.
pub fn c001_16_gc_definition(ctx: &Ctx) -> Result<Measured, CheckError> {
    let a = figures::agreement(ctx);
    let r = figures::rust(ctx)?;
    let mut ev = Evidence::new(format!(
        "{}, heap compared with H minus the BFS-unreachable set. Rust: a two-node Rc \
         cycle, then with a Weak back edge",
        graphs_condition(ctx)
    ));
    ev.add("objects in all graphs", a.objects as f64, Unit::Count);
    ev.add(FREED, a.freed as f64, Unit::Count);
    ev.add(MISMATCHES, a.sweep_mismatches as f64, Unit::Count);
    let (strong, weak) = (r.strong_cycle, r.weak_back_edge);
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
    Ok(Measured::new(
        ev,
        format!(
            "mark-sweep left exactly H − Unreachable(H) in {} of {} graphs ({} of {} \
             objects freed); Rust's Rc freed {} of 2 nodes of a cycle, {} with a Weak edge",
            a.graphs - a.sweep_mismatches,
            a.graphs,
            a.freed,
            a.objects,
            strong.dropped_at_scope_end,
            weak.dropped_at_scope_end
        ),
    ))
}

/// Confirmed when every graph's heap after the sweep is H − Unreachable(H);
/// refuted by one graph that is not; unverifiable when the graphs held no
/// garbage (nothing was tested).
pub const C001_16: Rule = Rule {
    says: "confirmed when the heap after every collection is exactly H − Unreachable(H); \
           refuted by one graph where it is not; unverifiable when no graph held garbage",
    inputs: &[MISMATCHES, FREED],
    thresholds: &[],
    decide: |f| {
        if f.get(FREED) == 0.0 {
            Verdict::unverifiable(
                "the random graphs held no unreachable object: the definition was not tested",
            )
        } else {
            f.confirmed_if(f.get(MISMATCHES) == 0.0)
        }
    },
    examples: &[
        example(&[(FREED, 402_050.0), (MISMATCHES, 0.0)], Confirmed),
        example(&[(FREED, 402_050.0), (MISMATCHES, 1.0)], Refuted),
        example(&[(FREED, 0.0)], Unverifiable),
    ],
};

const OBJECTS_FREED: &str = "objects freed";
const NOT_WHITE: &str = "freed but not white";
const SURVIVORS: &str = "graphs where survivors ≠ reachable";
const DANGLING: &str = "survivor references to freed slots";
const REUSED: &str = "new objects placed in freed slots";

/// C001-19: sweep deletes all white objects. Counts what the sweeps freed
/// that was not white, survivors that differ from the reachable set,
/// dangling references, and whether the free list hands the slots out again;
/// records the scripted lost object (no barrier) as the caveat: the sweep is
/// right only when marking was.
pub fn c001_19_sweep_frees_white(ctx: &Ctx) -> Result<Measured, CheckError> {
    let a = figures::agreement(ctx);
    let mut ev = Evidence::new(format!(
        "{}: mark, sweep, then allocate as many objects as were freed; and the scripted \
         lost-object interleaving with no barrier",
        graphs_condition(ctx)
    ));
    ev.add(OBJECTS_FREED, a.freed as f64, Unit::Count);
    ev.add(NOT_WHITE, a.freed_not_white as f64, Unit::Count);
    ev.add(SURVIVORS, a.sweep_mismatches as f64, Unit::Count);
    ev.add(DANGLING, a.dangling as f64, Unit::Count);
    ev.add(REUSED, a.reused_slots as f64, Unit::Count);
    let lost = scenarios::play(&scenarios::lost_object(), Barrier::NONE);
    ev.add(
        "no barrier, scripted interleaving: reachable objects swept",
        lost.lost.len() as f64,
        Unit::Count,
    );
    ev.add("… leaving dangling references", lost.dangling.len() as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "the sweep freed {} objects, {} of them not white, leaving {} dangling \
             references; the free list handed {} slots out again; with incomplete marking \
             (no barrier) it freed {} reachable object, leaving {} dangling reference",
            a.freed,
            a.freed_not_white,
            a.dangling,
            a.reused_slots,
            lost.lost.len(),
            lost.dangling.len()
        ),
    ))
}

/// Confirmed when the sweeps freed only white objects, left exactly the
/// reachable ones with no dangling reference, and every freed slot was
/// reused; refuted otherwise; unverifiable when nothing was freed.
pub const C001_19: Rule = Rule {
    says: "confirmed when every freed object was white, the survivors are the reachable \
           set with no dangling reference, and the free list reuses every freed slot; \
           refuted otherwise; unverifiable when nothing was freed",
    inputs: &[OBJECTS_FREED, NOT_WHITE, SURVIVORS, DANGLING, REUSED],
    thresholds: &[],
    decide: |f| {
        let freed = f.get(OBJECTS_FREED);
        if freed == 0.0 {
            return Verdict::unverifiable(
                "no graph held garbage: the sweep freed nothing",
            );
        }
        f.confirmed_if(
            f.get(NOT_WHITE) == 0.0
                && f.get(SURVIVORS) == 0.0
                && f.get(DANGLING) == 0.0
                && f.get(REUSED) == freed,
        )
    },
    examples: &[
        example(
            &[
                (OBJECTS_FREED, 100.0),
                (NOT_WHITE, 0.0),
                (SURVIVORS, 0.0),
                (DANGLING, 0.0),
                (REUSED, 100.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (OBJECTS_FREED, 100.0),
                (NOT_WHITE, 1.0),
                (SURVIVORS, 1.0),
                (DANGLING, 1.0),
                (REUSED, 100.0),
            ],
            Refuted,
        ),
        example(
            &[
                (OBJECTS_FREED, 100.0),
                (NOT_WHITE, 0.0),
                (SURVIVORS, 0.0),
                (DANGLING, 0.0),
                (REUSED, 99.0),
            ],
            Refuted,
        ),
        example(&[(OBJECTS_FREED, 0.0)], Unverifiable),
    ],
};
