//! `runtime.GC()` and `debug.FreeOSMemory()` called by hand (seed 000
//! §1.2.3 L254-271, seed 001 §6.1.1.4.2 L257-275): their Rust analogue,
//! `malloc_trim(0)`, forced at the end of every cycle of work, against no
//! call and against the Reclaimer ([`crate::allocator_tuning::forced`]).

use super::evidence;
use crate::allocator_tuning::figures;
use crate::allocator_tuning::forced::{ForcedMode, ForcedReport};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::table::{format_bytes, format_nanos, format_ratio};

fn report(ctx: &Ctx, mode: ForcedMode) -> Result<ForcedReport, CheckError> {
    figures::forced_mode(ctx, mode)
}

fn forced_evidence(ctx: &Ctx, what: &str) -> Evidence {
    evidence(
        ctx,
        &format!(
            "{what}; glibc in a child process per mode, 1 in 64 blocks alive, then a burst of \
             short-lived blocks per cycle; medians of the cycles after the first"
        ),
    )
}

/// Faults per cycle as a share of the burst's pages.
fn refaulted(r: &ForcedReport) -> f64 {
    r.steady(|c| c.faults as f64) / r.burst_pages()
}

/// C000-13: "calling runtime.GC() manually is part of GC optimization" (seed
/// 000 §1.2.3 L261-262). The optimizeGC port each cycle against no call, and
/// the Reclaimer's resident set once idle.
pub fn c000_13_forced_gc(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (port, none, fix) = (
        report(ctx, ForcedMode::OptimizeGc)?,
        report(ctx, ForcedMode::Nothing)?,
        report(ctx, ForcedMode::Reclaimer)?,
    );
    let mut ev =
        forced_evidence(ctx, "optimizeGC port (malloc_trim + mallinfo2) each cycle");
    let a =
        ev.add("CPU per cycle, optimizeGC port", port.steady(|c| c.cpu_ns), Unit::Nanos);
    let b = ev.add("CPU per cycle, no call", none.steady(|c| c.cpu_ns), Unit::Nanos);
    ev.add(
        "faults per cycle, optimizeGC port",
        port.steady(|c| c.faults as f64),
        Unit::Count,
    );
    ev.add("faults per cycle, no call", none.steady(|c| c.faults as f64), Unit::Count);
    let low = ev.add(
        "RSS at cycle end, optimizeGC port",
        port.steady(|c| c.rss_end as f64),
        Unit::Bytes,
    );
    let idle = ev.add("RSS once idle, Reclaimer", fix.idle_rss as f64, Unit::Bytes);
    let summary = format!(
        "malloc_trim forced each cycle costs {} of CPU per cycle against {} without ({}), \
         refaulting the burst; it holds the resident set at {}, which the Reclaimer reaches \
         once idle ({}) without the cost",
        format_nanos(a),
        format_nanos(b),
        format_ratio(a / b),
        format_bytes(low),
        format_bytes(idle)
    );
    Ok(Measured::new(ev, summary))
}

/// The slowdown or gain that counts, and how near the Reclaimer must come.
const MIN_GAIN: Threshold = Threshold {
    name: "min_gain",
    value: 1.1,
    unit: Unit::Ratio,
    source: "convention: a change that makes the work at least 10% faster is an \
             optimisation; CPU time of the thread, so another process's load does not count",
};

const RSS_SLACK: Threshold = Threshold {
    name: "rss_slack",
    value: 1.2,
    unit: Unit::Ratio,
    source: "the chapter's target (issue 13): an idle resident set within 1.2× of the best \
             setting's counts as the same saving",
};

/// Confirmed when the forced call makes the cycle faster; holds only when
/// memory is the goal if only the forced call lowers the resident set;
/// refuted when it is slower and the Reclaimer saves as much once idle.
pub const C000_13: Rule = Rule {
    says: "confirmed when the cycle with the forced reclaim is at least min_gain × faster \
           than without; otherwise holds only when the resident set is the goal if the \
           Reclaimer's idle RSS is above rss_slack × the forced call's; refuted otherwise",
    inputs: &[
        "CPU per cycle, optimizeGC port",
        "CPU per cycle, no call",
        "RSS at cycle end, optimizeGC port",
        "RSS once idle, Reclaimer",
    ],
    thresholds: &[MIN_GAIN, RSS_SLACK],
    decide: |f| {
        let gain =
            f.get("CPU per cycle, no call") / f.get("CPU per cycle, optimizeGC port");
        if gain >= f.limit("min_gain") {
            Verdict::Confirmed
        } else if f.get("RSS once idle, Reclaimer")
            > f.limit("rss_slack") * f.get("RSS at cycle end, optimizeGC port")
        {
            f.holds_only_when(
                "the goal is a low resident set between cycles, paid for in CPU time: \
                 nothing else gets it that low",
                "RSS at cycle end, optimizeGC port",
                "CPU per cycle, optimizeGC port",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                ("CPU per cycle, optimizeGC port", 22e6),
                ("CPU per cycle, no call", 3e6),
                ("RSS at cycle end, optimizeGC port", 7e6),
                ("RSS once idle, Reclaimer", 7.5e6),
            ],
            Refuted,
        ),
        example(
            &[("CPU per cycle, optimizeGC port", 2e6), ("CPU per cycle, no call", 3e6)],
            Confirmed,
        ),
        example(
            &[
                ("CPU per cycle, optimizeGC port", 22e6),
                ("CPU per cycle, no call", 3e6),
                ("RSS at cycle end, optimizeGC port", 7e6),
                ("RSS once idle, Reclaimer", 35e6),
            ],
            HoldsOnlyWhen,
        ),
    ],
};

/// The share of the freed burst the gcTuning port's call gave back.
fn returned(r: &ForcedReport) -> f64 {
    r.steady(|c| c.rss_freed.saturating_sub(c.rss_end) as f64) / r.burst_bytes as f64
}

/// C001-22: "`debug.FreeOSMemory()` means force GC" (seed 001 §6.1.1.4.2
/// L266-267). What the analogue call does: give memory back to the OS.
pub fn c001_22_free_os_memory(ctx: &Ctx) -> Result<Measured, CheckError> {
    let port = report(ctx, ForcedMode::GcTuning)?;
    let mut ev = forced_evidence(ctx, "gcTuning port: malloc_trim(0) each cycle");
    ev.add("burst freed per cycle", port.burst_bytes as f64, Unit::Bytes);
    let before =
        ev.add("RSS before the call", port.steady(|c| c.rss_freed as f64), Unit::Bytes);
    let after =
        ev.add("RSS after the call", port.steady(|c| c.rss_end as f64), Unit::Bytes);
    let share = ev.add(
        "share of the freed burst given back to the OS",
        returned(&port),
        Unit::Fraction,
    );
    let summary = format!(
        "Rust has nothing to collect (drop freed the burst); the analogue call gives {} of \
         it back to the OS: {} → {}",
        crate::table::format_value(share, Unit::Fraction),
        format_bytes(before),
        format_bytes(after)
    );
    Ok(Measured::new(ev, summary))
}

const MIN_RETURNED: Threshold = Threshold {
    name: "min_returned",
    value: 0.5,
    unit: Unit::Fraction,
    source: "half the freed bytes: a call that gives back at least that much returns memory \
             to the OS; a collection alone only makes memory reusable inside the process",
};

/// Refuted when the analogue call gives most of the freed bytes back to the
/// OS (more than a collection); confirmed when it gives back less.
pub const C001_22: Rule = Rule {
    says: "refuted when the analogue call gives at least min_returned of the freed burst \
           back to the OS (it does more than collect); confirmed otherwise",
    inputs: &["share of the freed burst given back to the OS"],
    thresholds: &[MIN_RETURNED],
    decide: |f| {
        f.confirmed_if(
            f.get("share of the freed burst given back to the OS")
                < f.limit("min_returned"),
        )
    },
    examples: &[
        example(&[("share of the freed burst given back to the OS", 0.95)], Refuted),
        example(&[("share of the freed burst given back to the OS", 0.02)], Confirmed),
    ],
};

/// D12: a forced full GC presented as an optimisation; `ReadMemStats` stops
/// the world (seed 000 §1.2.3 L254-271). The optimizeGC port each cycle
/// against the fix: no call in the cycle, the Reclaimer once quiet.
pub fn d12_forced_gc(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (port, fix) =
        (report(ctx, ForcedMode::OptimizeGc)?, report(ctx, ForcedMode::Reclaimer)?);
    let mut ev =
        forced_evidence(ctx, "optimizeGC port each cycle; fix = Reclaimer when quiet");
    let a = ev.add("port: CPU per cycle", port.steady(|c| c.cpu_ns), Unit::Nanos);
    let b = ev.add("fix: CPU per cycle", fix.steady(|c| c.cpu_ns), Unit::Nanos);
    ev.add("port: RSS once idle", port.idle_rss as f64, Unit::Bytes);
    ev.add("fix: RSS once idle", fix.idle_rss as f64, Unit::Bytes);
    if let Ok(s) = figures::stall(
        ctx,
        crate::allocator_tuning::stall::StallSetting::GlibcSharedArena,
    ) && let Some(c) = s.calls.iter().find(|c| c.call.starts_with("mallinfo2"))
    {
        ev.add("mallinfo2 (ReadMemStats analogue): took", c.took_ns, Unit::Nanos);
    }
    let summary = format!(
        "the optimizeGC port costs {} of CPU per cycle, the fix {} ({}), and both end idle \
         near the same resident set",
        format_nanos(a),
        format_nanos(b),
        format_ratio(a / b)
    );
    Ok(Measured::new(ev, summary))
}

const MIN_SLOWDOWN: Threshold = Threshold {
    name: "min_slowdown",
    value: 1.1,
    unit: Unit::Ratio,
    source: "convention: 10% more CPU per cycle is a cost, not noise (CPU time of the \
             thread, so another process's load does not count)",
};

/// Reproduced when the port's cycle costs at least `min_slowdown` × the fix's.
pub const D12: Rule = Rule {
    says: "reproduced when the optimizeGC port's cycle costs at least min_slowdown × the \
           CPU time of the fix's; not reproduced otherwise",
    inputs: &["port: CPU per cycle", "fix: CPU per cycle"],
    thresholds: &[MIN_SLOWDOWN],
    decide: |f| {
        f.confirmed_if(
            f.get("port: CPU per cycle")
                >= f.limit("min_slowdown") * f.get("fix: CPU per cycle"),
        )
    },
    examples: &[
        example(&[("port: CPU per cycle", 22e6), ("fix: CPU per cycle", 3e6)], Confirmed),
        example(&[("port: CPU per cycle", 3.1e6), ("fix: CPU per cycle", 3e6)], Refuted),
    ],
};

/// D34: `FreeOSMemory` labelled "force GC" (seed 001 §6.1.1.4.2 L266-267):
/// it gives memory back, and the next burst pays for it. The gcTuning port
/// against the Reclaimer.
pub fn d34_mislabelled(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (port, fix) =
        (report(ctx, ForcedMode::GcTuning)?, report(ctx, ForcedMode::Reclaimer)?);
    let mut ev =
        forced_evidence(ctx, "gcTuning port each cycle; fix = Reclaimer when quiet");
    ev.add("pages per burst", port.burst_pages(), Unit::Count);
    let a =
        ev.add("port: faults per cycle ÷ burst pages", refaulted(&port), Unit::Fraction);
    let b =
        ev.add("fix: faults per cycle ÷ burst pages", refaulted(&fix), Unit::Fraction);
    ev.add("port: share given back per cycle", returned(&port), Unit::Fraction);
    let summary = format!(
        "the call the seed calls \"force GC\" gives the burst back to the OS, so each cycle \
         faults {} of its pages in again; with the Reclaimer, {}",
        crate::table::format_value(a, Unit::Fraction),
        crate::table::format_value(b, Unit::Fraction)
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port refaults a large share of every burst and the
/// fix does not.
pub const D34: Rule = Rule {
    says: "reproduced when the gcTuning port faults at least min_refault of the burst's \
           pages back in each cycle and the fix does not; not reproduced when the port does \
           not; unverifiable when the fix refaults as well",
    inputs: &[
        "port: faults per cycle ÷ burst pages",
        "fix: faults per cycle ÷ burst pages",
    ],
    thresholds: &[Threshold {
        name: "min_refault",
        value: 0.25,
        unit: Unit::Fraction,
        source: "a quarter of the burst's pages: memory given back and taken again every \
                 cycle, far above the few pages a heap's top moves by",
    }],
    decide: |f| {
        let min = f.limit("min_refault");
        if f.get("port: faults per cycle ÷ burst pages") < min {
            Verdict::Refuted
        } else if f.get("fix: faults per cycle ÷ burst pages") < min {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable(
                "the fix refaulted the burst too: something else gave the memory back",
            )
        }
    },
    examples: &[
        example(
            &[
                ("port: faults per cycle ÷ burst pages", 0.95),
                ("fix: faults per cycle ÷ burst pages", 0.0),
            ],
            Confirmed,
        ),
        example(&[("port: faults per cycle ÷ burst pages", 0.01)], Refuted),
        example(
            &[
                ("port: faults per cycle ÷ burst pages", 0.95),
                ("fix: faults per cycle ÷ burst pages", 0.9),
            ],
            Unverifiable,
        ),
    ],
};
