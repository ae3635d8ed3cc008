//! C001-18 and D32: seed 001's recursive `markObject`, ported with its
//! defects and run where it fails (child processes) and where it does not,
//! beside the worklist marker that fixes it (`figures::seed`, `figures::chain`).

use super::super::figures;
use super::super::seed_port::LONG_CHAIN;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, Verdict, example,
};
use crate::measure::child::ChildOutcome;
use crate::table::{format_nanos, group_thousands};

fn yes(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// The seed's marker did not finish: the stack overflowed, or the child ran
/// out of time.
fn did_not_finish(o: &ChildOutcome) -> bool {
    o.overflowed_stack() || o.timed_out
}

const CYCLE_EXHAUSTED: &str =
    "seed twin, 2-object cycle: budget of 100,000 calls exhausted";
const CHAIN_OVERFLOW: &str = "seed, 1M chain, 8 MiB stack: stack overflow";
const CHAIN_BIG_STACK: &str = "seed, 1M chain, 1 GiB stack: all objects black";

/// C001-18: the recursive `markObject` implements tri-color marking. Runs
/// the seed's port on a 1,000,000-object chain with 8 MiB of stack (child
/// process) and with 1 GiB (in process), and its call-counting twin on a
/// 2-object cycle; the worklist marker on the run's long chain and on the
/// cycle, for comparison.
pub fn c001_18_recursive_marker(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::seed(ctx)?;
    let c = figures::chain(ctx);
    if c.marked != c.n || s.worklist_cycle != 2 || s.chain_1gib.black != LONG_CHAIN {
        return Err(CheckError(format!(
            "the worklist marker or the big-stack run is wrong: chain {} of {}, cycle {} of \
             2, big stack {} of {LONG_CHAIN}",
            c.marked, c.n, s.worklist_cycle, s.chain_1gib.black
        )));
    }
    let mut ev = Evidence::new(format!(
        "seed port on a {LONG_CHAIN}-object chain on an 8 MiB thread stack (child process) \
         and on a 1 GiB stack (in process); its call-counting twin on a 2-object cycle with \
         a budget of {} calls; the worklist marker on a {}-object chain and on the cycle",
        group_thousands(s.budget as i64),
        c.n
    ));
    let exhausted = s.counted_cycle.is_err();
    ev.add(CHAIN_OVERFLOW, yes(s.chain_8mib.overflowed_stack()), Unit::Bool);
    ev.add(CHAIN_BIG_STACK, yes(s.chain_1gib.black == LONG_CHAIN), Unit::Bool);
    if let Some(b) = s.chain_1gib.stack_bytes_per_level {
        ev.add("stack per recursion level (faulted pages / depth)", b, Unit::Bytes);
    }
    ev.add(CYCLE_EXHAUSTED, yes(exhausted), Unit::Bool);
    ev.add("worklist: chain objects marked", c.marked as f64, Unit::Count);
    ev.add("worklist: chain mark time", c.mark.as_nanos() as f64, Unit::Nanos);
    ev.add(
        "worklist: largest gray worklist on the chain",
        c.max_gray as f64,
        Unit::Count,
    );
    ev.add(
        "worklist: 2-object cycle, objects marked",
        s.worklist_cycle as f64,
        Unit::Count,
    );
    Ok(Measured::new(
        ev,
        format!(
            "the seed's marker ended with {} on a 1M chain with 8 MiB of stack but marked \
             all {} objects with 1 GiB (a depth limit), and {} on a 2-object cycle (a logic \
             error); the worklist marked a {}-object chain in {} with at most {} gray entry",
            s.chain_8mib.describe(),
            s.chain_1gib.black,
            if exhausted {
                format!(
                    "had not finished after {} calls",
                    group_thousands(s.budget as i64)
                )
            } else {
                "finished".to_string()
            },
            c.n,
            format_nanos(c.mark.as_nanos() as f64),
            c.max_gray
        ),
    ))
}

/// Refuted when the marker never finishes a 2-object cycle (a logic error,
/// whatever the stack); holds only when the stack is deep enough when it
/// overflows on the chain with 8 MiB but finishes it with 1 GiB; confirmed
/// when it finishes everything.
pub const C001_18: Rule = Rule {
    says: "refuted when the marker exhausts its call budget on a 2-object cycle; holds only \
           when the stack is as deep as the longest chain when it overflows with 8 MiB and \
           finishes with 1 GiB; confirmed when it finishes both",
    inputs: &[CYCLE_EXHAUSTED, CHAIN_OVERFLOW, CHAIN_BIG_STACK],
    thresholds: &[],
    decide: |f| {
        if f.get(CYCLE_EXHAUSTED) != 0.0 {
            return Verdict::Refuted;
        }
        match (f.get(CHAIN_OVERFLOW) != 0.0, f.get(CHAIN_BIG_STACK) != 0.0) {
            (false, true) => Verdict::Confirmed,
            (true, true) => f.holds_only_when(
                "the thread's stack holds one frame per object of the longest chain",
                CHAIN_BIG_STACK,
                CHAIN_OVERFLOW,
            ),
            (_, false) => Verdict::Refuted,
        }
    },
    examples: &[
        example(&[(CYCLE_EXHAUSTED, 1.0)], Refuted),
        example(
            &[(CYCLE_EXHAUSTED, 0.0), (CHAIN_OVERFLOW, 1.0), (CHAIN_BIG_STACK, 1.0)],
            HoldsOnlyWhen,
        ),
        example(
            &[(CYCLE_EXHAUSTED, 0.0), (CHAIN_OVERFLOW, 0.0), (CHAIN_BIG_STACK, 1.0)],
            Confirmed,
        ),
        example(
            &[(CYCLE_EXHAUSTED, 0.0), (CHAIN_OVERFLOW, 1.0), (CHAIN_BIG_STACK, 0.0)],
            Refuted,
        ),
    ],
};

const CYCLE_8: &str = "seed, 2-object cycle, 8 MiB stack: did not finish";
const CYCLE_64: &str = "seed, 2-object cycle, 64 MiB stack: did not finish";
const SELF_LOOP: &str = "seed, self-loop, 8 MiB stack: did not finish";
const FIX: &str = "worklist: every object of both cycles marked, and it stopped";

/// D32: the seed's marker recurses forever on any cycle. Runs it in child
/// processes on a 2-object cycle (8 MiB and 64 MiB of stack) and on a
/// self-loop, and the worklist marker on the same graphs.
pub fn d32_recursion_on_cycles(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::seed(ctx)?;
    let mut ev = Evidence::new(
        "seed port in child processes: a 2-object cycle on an 8 MiB and a 64 MiB thread \
         stack, a self-loop on 8 MiB (did not finish: stack overflow, or 60 s out); the \
         worklist marker on the same graphs",
    );
    ev.add(CYCLE_8, yes(did_not_finish(&s.cycle_8mib)), Unit::Bool);
    ev.add(CYCLE_64, yes(did_not_finish(&s.cycle_64mib)), Unit::Bool);
    ev.add(SELF_LOOP, yes(did_not_finish(&s.self_loop_8mib)), Unit::Bool);
    ev.add(
        "worklist: 2-object cycle, objects marked",
        s.worklist_cycle as f64,
        Unit::Count,
    );
    ev.add(
        "worklist: self-loop, objects marked",
        s.worklist_self_loop as f64,
        Unit::Count,
    );
    ev.add(FIX, yes(s.worklist_cycle == 2 && s.worklist_self_loop == 1), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the seed's marker ended with {} on a 2-object cycle with 8 MiB of stack, {} \
             with 64 MiB, {} on a self-loop; the worklist marked {} and {} objects and \
             stopped",
            s.cycle_8mib.describe(),
            s.cycle_64mib.describe(),
            s.self_loop_8mib.describe(),
            s.worklist_cycle,
            s.worklist_self_loop
        ),
    ))
}

/// Reproduced when the seed's marker finishes none of the three cyclic runs
/// and the worklist marker finishes all of them; not reproduced otherwise.
pub const D32: Rule = Rule {
    says: "reproduced when the seed's marker finishes neither cycle (8 and 64 MiB of stack) \
           nor the self-loop, while the worklist marks both graphs completely; not \
           reproduced otherwise",
    inputs: &[CYCLE_8, CYCLE_64, SELF_LOOP, FIX],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get(CYCLE_8) != 0.0
                && f.get(CYCLE_64) != 0.0
                && f.get(SELF_LOOP) != 0.0
                && f.get(FIX) != 0.0,
        )
    },
    examples: &[
        example(
            &[(CYCLE_8, 1.0), (CYCLE_64, 1.0), (SELF_LOOP, 1.0), (FIX, 1.0)],
            Confirmed,
        ),
        example(&[(CYCLE_8, 1.0), (CYCLE_64, 0.0)], Refuted),
        example(
            &[(CYCLE_8, 1.0), (CYCLE_64, 1.0), (SELF_LOOP, 1.0), (FIX, 0.0)],
            Refuted,
        ),
    ],
};
