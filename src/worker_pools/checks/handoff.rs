//! Seed 003's `HandleRequests` (C003-30, C003-31, D57) and seed 001's
//! pipeline (D50), ported, beside their fixes.

use super::{YES, evidence, flag};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::worker_pools::figures;
use crate::worker_pools::seed_port::handle_requests::{LIMIT, PROCESS_TIME};

const YES_T: Threshold = Threshold {
    name: "yes",
    value: YES,
    unit: Unit::Bool,
    source: "a yes/no figure (1 = yes)",
};

fn requests_evidence(
    ctx: &Ctx,
    what: &str,
    semaphore: bool,
) -> Result<Measured, CheckError> {
    let r = figures::requests(ctx)?;
    let d = figures::shared_append(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{what}: {} requests of {} ms each, at most {LIMIT} at once, through the port \
             (appends to a GoSlice: length and element as separate relaxed atomics) and the \
             fix (a OnceLock per request); the port to a Vec compiled with rustc; two appends \
             replayed so both read the length first",
            r.requests,
            PROCESS_TIME.as_millis()
        ),
    );
    ev.add(
        "Vec port: rejected by rustc with E0499",
        flag(!d.compiled && d.errors.iter().any(|e| e == "E0499")),
        Unit::Bool,
    );
    ev.add(
        "GoSlice port: responses kept of 2 interleaved appends",
        r.interleaved_len as f64,
        Unit::Count,
    );
    ev.add("requests", r.requests as f64, Unit::Count);
    ev.add(
        "GoSlice port: responses kept, free-running",
        r.seed_responses as f64,
        Unit::Count,
    );
    ev.add(
        "fix: every request answered once, in order",
        flag(r.fix_in_order),
        Unit::Bool,
    );
    ev.add(
        "seed port: most requests in process at once",
        r.seed_most_in_flight as f64,
        Unit::Count,
    );
    ev.add(
        "fix: most requests in flight at once",
        r.fix_most_in_flight as f64,
        Unit::Count,
    );
    let summary = if semaphore {
        format!(
            "of {} requests taking {} ms each, at most {} were in process at once in the \
             port (a {LIMIT}-slot channel used as a semaphore) and {} in the fix (Bounded, \
             {LIMIT} permits)",
            r.requests,
            PROCESS_TIME.as_millis(),
            r.seed_most_in_flight,
            r.fix_most_in_flight
        )
    } else {
        format!(
            "the port to a Vec: rustc says {}; modelled with Go's lost update, two appends \
             that both read the length first keep {} response of 2, and {} requests \
             free-running kept {}; the fix answered every request once, in order: {}",
            d.describe(),
            r.interleaved_len,
            r.requests,
            r.seed_responses,
            if r.fix_in_order { "yes" } else { "no" }
        )
    };
    Ok(Measured::new(ev, summary))
}

/// C003-30: "`HandleRequests` is memory-friendly".
pub fn c003_30_handle_requests(ctx: &Ctx) -> Result<Measured, CheckError> {
    requests_evidence(ctx, "seed 003's HandleRequests", false)
}

/// Refuted when the port's shared append races.
pub const C003_30: Rule = Rule {
    says: "refuted when the port's shared append is a race: rustc rejects it (E0499) or two \
           interleaved appends keep fewer than 2 responses; confirmed otherwise",
    inputs: &[
        "Vec port: rejected by rustc with E0499",
        "GoSlice port: responses kept of 2 interleaved appends",
    ],
    thresholds: &[YES_T],
    decide: |f| {
        let races = f.get("Vec port: rejected by rustc with E0499") > f.limit("yes")
            || f.get("GoSlice port: responses kept of 2 interleaved appends") < 2.0;
        f.confirmed_if(!races)
    },
    examples: &[
        example(
            &[
                ("Vec port: rejected by rustc with E0499", 1.0),
                ("GoSlice port: responses kept of 2 interleaved appends", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("Vec port: rejected by rustc with E0499", 0.0),
                ("GoSlice port: responses kept of 2 interleaved appends", 2.0),
            ],
            Confirmed,
        ),
    ],
};

/// D57: many goroutines `append` to one slice with no lock.
pub fn d57_append_race(ctx: &Ctx) -> Result<Measured, CheckError> {
    requests_evidence(ctx, "the shared append", false)
}

/// Reproduced when the port races and the fix answers each request once.
pub const D57: Rule = Rule {
    says: "reproduced when the port's shared append is a race (E0499 from rustc, or a lost \
           response when two appends interleave) and the fix answers every request once, in \
           order",
    inputs: &[
        "Vec port: rejected by rustc with E0499",
        "GoSlice port: responses kept of 2 interleaved appends",
        "fix: every request answered once, in order",
    ],
    thresholds: &[YES_T],
    decide: |f| {
        let races = f.get("Vec port: rejected by rustc with E0499") > f.limit("yes")
            || f.get("GoSlice port: responses kept of 2 interleaved appends") < 2.0;
        f.confirmed_if(
            races && f.get("fix: every request answered once, in order") > f.limit("yes"),
        )
    },
    examples: &[
        example(
            &[
                ("Vec port: rejected by rustc with E0499", 1.0),
                ("GoSlice port: responses kept of 2 interleaved appends", 1.0),
                ("fix: every request answered once, in order", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("Vec port: rejected by rustc with E0499", 0.0),
                ("GoSlice port: responses kept of 2 interleaved appends", 2.0),
                ("fix: every request answered once, in order", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C003-31: "a 100-slot semaphore channel caps concurrency at 100".
pub fn c003_31_semaphore(ctx: &Ctx) -> Result<Measured, CheckError> {
    requests_evidence(ctx, "the seed's semaphore channel", true)
}

/// Confirmed when the most in process at once is the cap; refuted above it;
/// unverifiable when the cap was never reached.
pub const C003_31: Rule = Rule {
    says: "confirmed when the port's most requests in process at once equals cap; refuted \
           above it; unverifiable below it (the slots never all filled)",
    inputs: &["seed port: most requests in process at once"],
    thresholds: &[Threshold {
        name: "cap",
        value: 100.0,
        unit: Unit::Count,
        source: "seed 003 L415, make(chan struct{}, 100)",
    }],
    decide: |f| {
        let most = f.get("seed port: most requests in process at once");
        let cap = f.limit("cap");
        if most > cap {
            Verdict::Refuted
        } else if most == cap {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable(
                "the 100 slots were never all taken at once (requests ended faster than they \
                 were started), so the cap was not tested",
            )
        }
    },
    examples: &[
        example(&[("seed port: most requests in process at once", 100.0)], Confirmed),
        example(&[("seed port: most requests in process at once", 150.0)], Refuted),
        example(&[("seed port: most requests in process at once", 40.0)], Unverifiable),
    ],
};

/// D50: `output` is never closed.
pub fn d50_output_never_closed(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::consumers(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{} items through the port, input closed, a consumer ranging over output, in a \
             child killed after {} ms; the fixed stage in this process (5 s guard)",
            c.items,
            figures::HANG_TIMEOUT.as_millis()
        ),
    );
    ev.add("items", c.items as f64, Unit::Count);
    ev.add("seed port: items received", c.seed_received as f64, Unit::Count);
    ev.add("seed port: consumer finished", flag(c.seed_finished), Unit::Bool);
    ev.add("fix: items received", c.fix_received as f64, Unit::Count);
    ev.add("fix: consumer finished", flag(c.fix_finished), Unit::Bool);
    let summary = format!(
        "the port's consumer got {} of {} items and never finished (the child {}); the \
         fixed stage's consumer got {} and its loop ended",
        c.seed_received, c.items, c.seed_ended, c.fix_received
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port's consumer gets every item and still hangs,
/// and the fix's ends.
pub const D50: Rule = Rule {
    says: "reproduced when the port's consumer receives every item but its loop never ends, \
           and the fixed stage's consumer ends",
    inputs: &[
        "items",
        "seed port: items received",
        "seed port: consumer finished",
        "fix: consumer finished",
    ],
    thresholds: &[YES_T],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: items received") >= f.get("items")
                && f.get("seed port: consumer finished") < f.limit("yes")
                && f.get("fix: consumer finished") > f.limit("yes"),
        )
    },
    examples: &[
        example(
            &[
                ("items", 10.0),
                ("seed port: items received", 10.0),
                ("seed port: consumer finished", 0.0),
                ("fix: consumer finished", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("items", 10.0),
                ("seed port: items received", 10.0),
                ("seed port: consumer finished", 1.0),
                ("fix: consumer finished", 1.0),
            ],
            Refuted,
        ),
    ],
};
