//! Checks of seed 004's measurements (C004-16 … C004-41, D62 … D65): its
//! arithmetic and statistics computed from its own figures, its tables held
//! against its own code, and its allocation experiment re-run here in
//! nanoseconds.

use super::super::figures;
use super::super::first_touch::TouchRow;
use super::super::seed_numbers::*;
use super::super::seed_port::{SEED_004_MMAP_THRESHOLD, seed_004_takes_mmap_path};
use super::super::timing::as_whole_ms;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::measure::machine::build_profile;
use crate::measure::stats::Summary;
use crate::table::{format_nanos, format_ratio};
use std::time::Duration;

fn nanos(d: Duration) -> f64 {
    d.as_nanos() as f64
}

fn touch_condition(ctx: &Ctx) -> String {
    format!(
        "sizes {:?} MiB; vec![0u8; n] and an anonymous mmap (memmap2), each timed for \
         allocation alone and for allocation + one write per page; faults from \
         getrusage(RUSAGE_THREAD); one run per size; {}",
        figures::touch_sizes(ctx),
        build_profile()
    )
}

fn add_touch_row(ev: &mut Evidence, r: &TouchRow) {
    let m = r.mib;
    ev.add(format!("{m} MiB vec: alloc"), nanos(r.vec.alloc), Unit::Nanos);
    ev.add(format!("{m} MiB vec: alloc + touch"), nanos(r.vec.alloc_touch), Unit::Nanos);
    ev.add(format!("{m} MiB vec: touch faults"), r.vec.touch_faults as f64, Unit::Count);
    ev.add(format!("{m} MiB mmap: alloc"), nanos(r.mmap.alloc), Unit::Nanos);
    ev.add(
        format!("{m} MiB mmap: alloc + touch"),
        nanos(r.mmap.alloc_touch),
        Unit::Nanos,
    );
    ev.add(
        format!("{m} MiB mmap: touch faults"),
        r.mmap.touch_faults as f64,
        Unit::Count,
    );
    ev.add(format!("{m} MiB: 'speedup' read in ms"), r.ms_timer_speedup(), Unit::Ratio);
    ev.add(format!("{m} MiB: the same in ns"), r.ns_timer_speedup(), Unit::Ratio);
    ev.add(
        format!("{m} MiB: alloc + touch, mmap / vec"),
        r.touch_ratio_mmap_over_vec(),
        Unit::Ratio,
    );
}

fn touch_evidence(ctx: &Ctx) -> Result<(Evidence, &'static [TouchRow]), CheckError> {
    let rows = figures::touch_rows(ctx)?;
    let mut ev = Evidence::new(touch_condition(ctx));
    for r in rows {
        add_touch_row(&mut ev, r);
    }
    Ok((ev, rows))
}

fn largest(rows: &[TouchRow]) -> Result<&TouchRow, CheckError> {
    rows.last().ok_or_else(|| "no sizes measured".into())
}

const VEC_FAULTS: &str = "largest size: vec touch faults";
const MMAP_FAULTS: &str = "largest size: mmap touch faults";

/// C004-16: "1 MB 3→1 ms … 1 GB 1595→0 ms (∞)".
pub fn c004_16_alloc_table(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (mut ev, rows) = touch_evidence(ctx)?;
    let big = largest(rows)?;
    let above: Vec<&TouchRow> =
        rows.iter().filter(|r| seed_004_takes_mmap_path(r.mib << 20)).collect();
    ev.add(
        "sizes measured above the seed's mmap threshold",
        above.len() as f64,
        Unit::Count,
    );
    ev.add(
        "of those, mmap allocations a ms timer prints as 0 ms",
        above.iter().filter(|r| as_whole_ms(r.mmap.alloc) == 0).count() as f64,
        Unit::Count,
    );
    ev.add(VEC_FAULTS, big.vec.touch_faults as f64, Unit::Count);
    ev.add(MMAP_FAULTS, big.mmap.touch_faults as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "an mmap of {} MiB takes {} and prints as {} ms; with first touch mmap takes \
             {} the time of vec ({} vs {} page faults)",
            big.mib,
            format_nanos(nanos(big.mmap.alloc)),
            as_whole_ms(big.mmap.alloc),
            format_ratio(big.touch_ratio_mmap_over_vec()),
            big.mmap.touch_faults,
            big.vec.touch_faults
        ),
    ))
}

/// Refuted when the mmap path pays (nearly) the same page faults on first
/// touch: the cost moved, it did not disappear.
pub const C004_16: Rule = Rule {
    says: "refuted when, at the largest size, the mmap buffer takes at least same_faults \
           of vec's page faults on first touch (the cost moved to first use); confirmed \
           when it takes fewer",
    inputs: &[VEC_FAULTS, MMAP_FAULTS],
    thresholds: &[Threshold {
        name: "same_faults",
        value: 0.9,
        unit: Unit::Fraction,
        source: "convention: 90% of the faults is the same cost, allowing for the pages \
                 glibc's heap already had mapped",
    }],
    decide: |f| {
        let moved = f.get(MMAP_FAULTS) >= f.limit("same_faults") * f.get(VEC_FAULTS);
        f.confirmed_if(!moved)
    },
    examples: &[
        example(&[(VEC_FAULTS, 25600.0), (MMAP_FAULTS, 25600.0)], Refuted),
        example(&[(VEC_FAULTS, 25600.0), (MMAP_FAULTS, 50.0)], Confirmed),
    ],
};

const INFINITE_IN_MS: &str = "sizes whose ms reading is ∞ while the ns reading is finite";

/// D63: millisecond readings turn microseconds into "0 ms" and "∞".
pub fn d63_ms_timer(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (mut ev, rows) = touch_evidence(ctx)?;
    let artefacts: Vec<&TouchRow> = rows
        .iter()
        .filter(|r| {
            r.ms_timer_speedup().is_infinite() && r.ns_timer_speedup().is_finite()
        })
        .collect();
    ev.add(INFINITE_IN_MS, artefacts.len() as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        match artefacts.last() {
            Some(r) => format!(
                "{} of {} sizes print '∞' in ms; e.g. {} MiB: {} in ns, and {} once the \
                 mmap path's first touch is timed too",
                artefacts.len(),
                rows.len(),
                r.mib,
                format_ratio(r.ns_timer_speedup()),
                format_ratio(1.0 / r.touch_ratio_mmap_over_vec())
            ),
            None => "no size printed an infinite speedup in whole milliseconds".into(),
        },
    ))
}

/// Reproduced when a millisecond reading shows "∞" that nanoseconds do not.
pub const D63: Rule = Rule {
    says: "reproduced when at least one size reads as an infinite speedup in whole \
           milliseconds and a finite one in nanoseconds",
    inputs: &[INFINITE_IN_MS],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(INFINITE_IN_MS) >= 1.0),
    examples: &[
        example(&[(INFINITE_IN_MS, 3.0)], Confirmed),
        example(&[(INFINITE_IN_MS, 0.0)], Refuted),
    ],
};

/// C004-18: five runs, mean ~38 ms.
pub fn c004_18_no_workload() -> Verdict {
    Verdict::unverifiable(
        "part8_performance.js and the JS engine that runs it are not in the seed",
    )
}

/// C004-18's analogue: the seed's mean, recomputed.
pub fn c004_18_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = seed_004_summary();
    let mut ev = Evidence::new("the seed's five runs (seed 004 L150-155)");
    let mean = ev.add("mean of the five runs, ms", s.mean, Unit::Count);
    ev.add("stated mean, ms", SEED_004_STATED_MEAN_MS, Unit::Count);
    ev.add("median, ms", s.median, Unit::Count);
    let ok = (mean - SEED_004_STATED_MEAN_MS).abs() < 0.5;
    ev.add("stated mean matches", ok as u8 as f64, Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the mean is {mean:.1} ms as stated ({}), the median {:.0} ms; the workload is \
             absent",
            if ok { "correct" } else { "wrong" },
            s.median
        ),
    ))
}

/// C004-19: Node 50 ms; Go 2377 ms (47×); pooled 13–37×; mmap 33–132×.
pub fn c004_19_no_workload() -> Verdict {
    Verdict::unverifiable(
        "no workload: the JS test and the Go service are not in the seed",
    )
}

/// C004-19's analogue: the seed's ratios, recomputed.
pub fn c004_19_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new("the seed's own figures (seed 004 L158-164)");
    let mut all = true;
    let mut check = |name: &str, computed: f64, stated: f64| {
        ev.add(format!("{name}: computed"), computed, Unit::Ratio);
        ev.add(format!("{name}: stated"), stated, Unit::Ratio);
        all &= computed.floor() == stated || computed.round() == stated;
    };
    for (name, computed, stated) in SEED_004_STATED_RATIOS {
        check(name, computed, stated);
    }
    check(
        "before / mmap min",
        SEED_004_GO_BEFORE_MS / SEED_004_MMAP_MS.0,
        SEED_004_BEST_RATIO_STATED,
    );
    ev.add("every stated ratio matches", all as u8 as f64, Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the ratios {} the figures ({:.1}×, {:.1}–{:.1}×, {:.1}–{:.1}×, truncated); each \
             compares a min–max range with one Node run",
            if all { "follow from" } else { "do not follow from" },
            SEED_004_GO_BEFORE_MS / SEED_004_NODE_MS,
            SEED_004_GO_BEFORE_MS / SEED_004_POOLED_MS.1,
            SEED_004_GO_BEFORE_MS / SEED_004_POOLED_MS.0,
            SEED_004_GO_BEFORE_MS / SEED_004_MMAP_MS.1,
            SEED_004_GO_BEFORE_MS / SEED_004_MMAP_MS.0
        ),
    ))
}

const SEED_CV: &str = "coefficient of variation";

fn add_run_stats(ev: &mut Evidence) -> (Summary, (f64, f64)) {
    let s = seed_004_summary();
    let ci = mean_ci95(&SEED_004_RUNS_MS).expect("five runs");
    ev.add("runs", s.n as f64, Unit::Count);
    ev.add("mean, ms", s.mean, Unit::Count);
    ev.add("sample standard deviation, ms", s.sd, Unit::Count);
    ev.add("population standard deviation, ms", seed_004_population_sd(), Unit::Count);
    ev.add(SEED_CV, s.cv(), Unit::Fraction);
    ev.add("95% CI of the mean, low, ms", ci.0, Unit::Count);
    ev.add("95% CI of the mean, high, ms", ci.1, Unit::Count);
    (s, ci)
}

/// C004-20: "from 47× to < 2×; best case beats Node; matches or beats Node".
pub fn c004_20_no_workload() -> Verdict {
    Verdict::unverifiable("no workload; Node was run once, with no spread reported")
}

/// C004-20's analogue: the seed's ratios and the CI of its mean.
pub fn c004_20_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new("the seed's own figures (seed 004 L150-168, L249-256)");
    let slow =
        ev.add("slowest run / Node", SEED_004_MMAP_MS.1 / SEED_004_NODE_MS, Unit::Ratio);
    let fast =
        ev.add("fastest run / Node", SEED_004_MMAP_MS.0 / SEED_004_NODE_MS, Unit::Ratio);
    let (_, ci) = add_run_stats(&mut ev);
    let contains = ci.0 <= SEED_004_NODE_MS && SEED_004_NODE_MS <= ci.1;
    ev.add("the CI contains Node's 50 ms", contains as u8 as f64, Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the ratios are right ({}–{}), but the 95% CI of the mean, [{:.1}, {:.1}] ms, {} \
             Node's 50 ms: 'matches or beats Node' is {}",
            format_ratio(fast),
            format_ratio(slow),
            ci.0,
            ci.1,
            if contains { "contains" } else { "excludes" },
            if contains { "not shown" } else { "supported" }
        ),
    ))
}

const SPIKE_BOUND: &str = "largest spike rate the clean runs cannot exclude (95%)";

const SMALL: Threshold = Threshold {
    name: "small_cv",
    value: SMALL_CV,
    unit: Unit::Fraction,
    source: "convention: a spread under 10% of the mean, the level at which a criterion \
             report reads as stable",
};

/// C004-21: "standard deviation small; stable, no more spikes".
pub fn c004_21_stability(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new("the seed's five runs (seed 004 L150-178)");
    let (s, _) = add_run_stats(&mut ev);
    let bound = ev.add(SPIKE_BOUND, spike_probability_bound(s.n), Unit::Fraction);
    Ok(Measured::new(
        ev,
        format!(
            "sample SD {:.1} ms = {:.0}% of the mean; {} clean runs still allow spikes in \
             {:.0}% of runs",
            s.sd,
            s.cv() * 100.0,
            s.n,
            bound * 100.0
        ),
    ))
}

/// The spread decides "small"; the number of runs decides whether "no more
/// spikes" can be shown at all.
pub const C004_21: Rule = Rule {
    says: "refuted when the coefficient of variation exceeds small_cv; confirmed when it \
           does not and the clean runs exclude spikes in more than max_spike_rate of runs; \
           holds only when the spread is small but too few runs were made to exclude spikes",
    inputs: &[SEED_CV, SPIKE_BOUND],
    thresholds: &[
        SMALL,
        Threshold {
            name: "max_spike_rate",
            value: 0.05,
            unit: Unit::Fraction,
            source: "one run in twenty, the level of the 95% bound itself (29 clean runs \
                     reach it, 5 reach 45%)",
        },
    ],
    decide: |f| {
        if f.get(SEED_CV) > f.limit("small_cv") {
            Verdict::Refuted
        } else if f.get(SPIKE_BOUND) <= f.limit("max_spike_rate") {
            Verdict::Confirmed
        } else {
            f.holds_only_when(
                "the spread is small, but too few clean runs were made to show the spikes \
                 are gone",
                SEED_CV,
                SPIKE_BOUND,
            )
        }
    },
    examples: &[
        example(&[(SEED_CV, 0.66), (SPIKE_BOUND, 0.45)], Refuted),
        example(&[(SEED_CV, 0.05), (SPIKE_BOUND, 0.45)], HoldsOnlyWhen),
        example(&[(SEED_CV, 0.05), (SPIKE_BOUND, 0.04)], Confirmed),
    ],
};

/// D64: the standard deviation called "small".
pub fn d64_small_sd(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new(format!(
        "the seed's five runs; for contrast, five runs of one fixed loop here \
         (malloc+free of 1 KiB, {} iterations each; {})",
        figures::five_runs(ctx).iters,
        build_profile()
    ));
    let (s, _) = add_run_stats(&mut ev);
    let ours = &figures::five_runs(ctx).summary;
    ev.add("five runs here: mean ns/op", ours.mean, Unit::Nanos);
    ev.add("five runs here: coefficient of variation", ours.cv(), Unit::Fraction);
    Ok(Measured::new(
        ev,
        format!(
            "'small' SD is {:.1} ms, CV {:.0}%; five runs of a fixed loop here: CV {:.1}%",
            s.sd,
            s.cv() * 100.0,
            ours.cv() * 100.0
        ),
    ))
}

/// Reproduced when the seed's own runs spread more than "small".
pub const D64: Rule = Rule {
    says: "reproduced when the seed's coefficient of variation exceeds small_cv",
    inputs: &[SEED_CV],
    thresholds: &[SMALL],
    decide: |f| f.confirmed_if(f.get(SEED_CV) > f.limit("small_cv")),
    examples: &[
        example(&[(SEED_CV, 0.66)], Confirmed),
        example(&[(SEED_CV, 0.04)], Refuted),
    ],
};

const STAGE1_BUFFER: &str = "stage 1: 1 GB buffer, ms";
const STAGE1_TOTAL_MAX: &str = "stage 1: part8 total, slowest, ms";

fn stage_evidence() -> Evidence {
    let mut ev = Evidence::new("the seed's own figures (seed 004 L241-245)");
    let buf = ev.add(STAGE1_BUFFER, SEED_004_STAGE1_BUFFER_MS, Unit::Count);
    ev.add("stage 1: part8 total, fastest, ms", SEED_004_POOLED_MS.0, Unit::Count);
    let total = ev.add(STAGE1_TOTAL_MAX, SEED_004_POOLED_MS.1, Unit::Count);
    ev.add("buffer / slowest total", buf / total, Unit::Ratio);
    ev
}

/// C004-27: the optimisation history table.
pub fn c004_27_history(_ctx: &Ctx) -> Result<Measured, CheckError> {
    Ok(Measured::new(
        stage_evidence(),
        format!(
            "stage 1 lists a {SEED_004_STAGE1_BUFFER_MS} ms allocation inside a {}–{} ms \
             part8 run",
            SEED_004_POOLED_MS.0, SEED_004_POOLED_MS.1
        ),
    ))
}

/// A part cannot take longer than the whole.
pub const C004_27: Rule = Rule {
    says: "refuted when the 1 GB buffer alone takes longer than the slowest whole part8 \
           run it is credited to",
    inputs: &[STAGE1_BUFFER, STAGE1_TOTAL_MAX],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(STAGE1_BUFFER) <= f.get(STAGE1_TOTAL_MAX)),
    examples: &[
        example(&[(STAGE1_BUFFER, 1595.0), (STAGE1_TOTAL_MAX, 173.0)], Refuted),
        example(&[(STAGE1_BUFFER, 15.0), (STAGE1_TOTAL_MAX, 173.0)], Confirmed),
    ],
};

/// D65: the same inconsistency, as a defect.
pub fn d65_part_exceeds_whole(_ctx: &Ctx) -> Result<Measured, CheckError> {
    Ok(Measured::new(
        stage_evidence(),
        format!(
            "stage 1 lists a {SEED_004_STAGE1_BUFFER_MS} ms buffer inside a part8 run of at \
             most {} ms ({:.1}× longer than the whole)",
            SEED_004_POOLED_MS.1,
            SEED_004_STAGE1_BUFFER_MS / SEED_004_POOLED_MS.1
        ),
    ))
}

/// Reproduced when the part takes longer than the whole.
pub const D65: Rule = Rule {
    says: "reproduced when the 1 GB buffer alone takes longer than the slowest whole \
           part8 run",
    inputs: &[STAGE1_BUFFER, STAGE1_TOTAL_MAX],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(STAGE1_BUFFER) > f.get(STAGE1_TOTAL_MAX)),
    examples: &[
        example(&[(STAGE1_BUFFER, 1595.0), (STAGE1_TOTAL_MAX, 173.0)], Confirmed),
        example(&[(STAGE1_BUFFER, 15.0), (STAGE1_TOTAL_MAX, 173.0)], Refuted),
    ],
};

fn add_alloc_only(ctx: &Ctx, ev: &mut Evidence) -> &'static figures::AllocOnly {
    let a = figures::alloc_only(ctx);
    ev.add("vec![0u8; 1 GiB]: allocation only, median", nanos(a.gib), Unit::Nanos);
    ev.add(
        "vec![0u8; 1 GiB]: as a ms timer prints it",
        as_whole_ms(a.gib) as f64,
        Unit::Count,
    );
    ev.add("vec![0u8; 100 MiB]: allocation only, median", nanos(a.mib100), Unit::Nanos);
    ev.add(
        "vec![0u8; 100 MiB]: as a ms timer prints it",
        as_whole_ms(a.mib100) as f64,
        Unit::Count,
    );
    a
}

/// C004-28: Node vs Go allocation rows.
pub fn c004_28_no_workload() -> Verdict {
    Verdict::unverifiable("no Node or Go workload in the seed")
}

/// C004-28's analogue: what a large `vec![0u8; n]` costs in Rust.
pub fn c004_28_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new(format!(
        "median of {} allocations per size; {}",
        figures::alloc_only(ctx).rounds,
        build_profile()
    ));
    let a = add_alloc_only(ctx, &mut ev);
    Ok(Measured::new(
        ev,
        format!(
            "no workload; in Rust vec![0u8; 1 GiB] takes {} and 100 MiB {} (printed as {} \
             and {} ms), because calloc maps fresh zero pages lazily",
            format_nanos(nanos(a.gib)),
            format_nanos(nanos(a.mib100)),
            as_whole_ms(a.gib),
            as_whole_ms(a.mib100)
        ),
    ))
}

const LIKE_GAIN: &str = "largest size: alloc + first touch, vec / mmap";

/// C004-41: the summary's "1595 → 0 ms, infinite gain".
pub fn c004_41_infinite_gain(ctx: &Ctx) -> Result<Measured, CheckError> {
    let rows = figures::touch_rows(ctx)?;
    let big = largest(rows)?;
    let mut ev = Evidence::new(format!(
        "{}; 1 GiB allocation only: median of {}",
        touch_condition(ctx),
        figures::alloc_only(ctx).rounds
    ));
    add_touch_row(&mut ev, big);
    let a = add_alloc_only(ctx, &mut ev);
    let finite = ev.add(
        "seed's 1595 ms / our 1 GiB allocation",
        SEED_004_STAGE1_BUFFER_MS * 1e6 / nanos(a.gib).max(1.0),
        Unit::Ratio,
    );
    let like = ev.add(LIKE_GAIN, 1.0 / big.touch_ratio_mmap_over_vec(), Unit::Ratio);
    Ok(Measured::new(
        ev,
        format!(
            "the 'infinite' gain is {} in ns; counted like with like (allocation and first \
             touch), mmap gains {} over vec at {} MiB",
            format_ratio(finite),
            format_ratio(like),
            big.mib
        ),
    ))
}

/// Judged like with like: does the mmap path gain once its first touch is
/// timed too?
pub const C004_41: Rule = Rule {
    says: "confirmed when, at the largest size, allocation + first touch through mmap is \
           at least real_gain × faster than through vec; refuted otherwise",
    inputs: &[LIKE_GAIN],
    thresholds: &[Threshold {
        name: "real_gain",
        value: 2.0,
        unit: Unit::Ratio,
        source: "convention: a 2× speed-up, far below the seed's 'infinite' one",
    }],
    decide: |f| f.confirmed_if(f.get(LIKE_GAIN) >= f.limit("real_gain")),
    examples: &[
        example(&[(LIKE_GAIN, 1.0)], Refuted),
        example(&[(LIKE_GAIN, 1.9)], Refuted),
        example(&[(LIKE_GAIN, 2.0)], Confirmed),
    ],
};

const CREDITED: &str = "rows credited with a speedup that never use mmap";

/// D62: the table credits mmap with rows the code never sends to mmap.
pub fn d62_rows_without_mmap(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new(
        "the seed's code (seed 004 L105: size > 10*1024*1024) against its table (L134-142)",
    );
    ev.add("mmap threshold", SEED_004_MMAP_THRESHOLD as f64, Unit::Bytes);
    for r in SEED_004_ALLOC_TABLE {
        ev.add(
            format!("{} MiB takes the mmap path", r.mib),
            seed_004_takes_mmap_path(r.mib << 20) as u8 as f64,
            Unit::Bool,
        );
    }
    let bad = rows_credited_without_mmap();
    ev.add(CREDITED, bad.len() as f64, Unit::Count);
    let list: Vec<String> = bad
        .iter()
        .map(|r| format!("{} MB {}→{} ms", r.mib, r.before_ms, r.after_ms))
        .collect();
    Ok(Measured::new(
        ev,
        format!(
            "{} rows improve without reaching the mmap path ({}): something else changed",
            bad.len(),
            list.join(", ")
        ),
    ))
}

/// Reproduced when a row improves without reaching the mmap path.
pub const D62: Rule = Rule {
    says: "reproduced when at least one row of the table improves although the seed's own \
           code never sends its size to mmap",
    inputs: &[CREDITED],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(CREDITED) >= 1.0),
    examples: &[
        example(&[(CREDITED, 2.0)], Confirmed),
        example(&[(CREDITED, 0.0)], Refuted),
    ],
};
