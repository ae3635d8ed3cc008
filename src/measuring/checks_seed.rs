//! Checks of seed 004's measurements (C004-16 … C004-41, D62 … D65): its
//! arithmetic and statistics computed from its own figures, and its
//! allocation experiment re-run here in nanoseconds.

use super::figures;
use super::first_touch::{self, TouchRow};
use super::seed_numbers::*;
use super::timing::{self, as_whole_ms};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::machine::build_profile;
use crate::measure::stats::Summary;
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

/// The zeros of seed 004's "after" column are rounding: every mmap
/// allocation above the threshold took > 0 ns and prints as 0 ms.
fn zeros_are_rounding(rows: &[TouchRow]) -> bool {
    rows.iter()
        .filter(|r| seed_004_takes_mmap_path(r.mib << 20))
        .all(|r| as_whole_ms(r.mmap.alloc) == 0 && r.mmap.alloc > Duration::ZERO)
}

/// First touch costs as many page faults with mmap as with vec (the cost
/// moved, it did not disappear), at the largest size measured.
fn cost_moved(rows: &[TouchRow]) -> bool {
    rows.last().is_some_and(|r| {
        r.vec.touch_faults > 0
            && r.mmap.touch_faults as f64 >= 0.9 * r.vec.touch_faults as f64
    })
}

/// C004-16: "1 MB 3→1 ms … 1 GB 1595→0 ms (∞)".
pub fn c004_16(ctx: &Ctx) -> Result<Finding, CheckError> {
    let rows = figures::touch_rows(ctx)?;
    let mut ev = Evidence::new(touch_condition(ctx));
    for r in rows {
        add_touch_row(&mut ev, r);
    }
    let big = rows.last().ok_or("no sizes measured")?;
    let refuted = zeros_are_rounding(rows) && cost_moved(rows);
    Ok(Finding::new(
        Verdict::confirmed_if(!refuted),
        format!(
            "an mmap of {} MiB takes {} and prints as {} ms; with first touch mmap takes \
             {:.2}× the time of vec ({} vs {} page faults)",
            big.mib,
            crate::table::format_nanos(nanos(big.mmap.alloc)),
            as_whole_ms(big.mmap.alloc),
            big.touch_ratio_mmap_over_vec(),
            big.mmap.touch_faults,
            big.vec.touch_faults
        ),
        ev,
    ))
}

/// D63: millisecond readings turn microseconds into "0 ms" and "∞".
pub fn d63(ctx: &Ctx) -> Result<Finding, CheckError> {
    let rows = figures::touch_rows(ctx)?;
    let mut ev = Evidence::new(format!(
        "{}; reproduced when a ms reading gives an infinite speedup that ns readings \
         show to be finite",
        touch_condition(ctx)
    ));
    for r in rows {
        add_touch_row(&mut ev, r);
    }
    let artefacts: Vec<&TouchRow> = rows
        .iter()
        .filter(|r| {
            r.ms_timer_speedup().is_infinite() && r.ns_timer_speedup().is_finite()
        })
        .collect();
    let largest = artefacts.last();
    Ok(Finding::new(
        Verdict::confirmed_if(!artefacts.is_empty()),
        match largest {
            Some(r) => format!(
                "{} of {} sizes print '∞' in ms; e.g. {} MiB: {:.0}× in ns, and {:.2}× once \
                 the mmap path's first touch is timed too",
                artefacts.len(),
                rows.len(),
                r.mib,
                r.ns_timer_speedup(),
                1.0 / r.touch_ratio_mmap_over_vec()
            ),
            None => "no size printed an infinite speedup in whole milliseconds".into(),
        },
        ev,
    ))
}

/// C004-18: five runs, mean ~38 ms.
pub fn c004_18(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let s = seed_004_summary();
    let mut ev = Evidence::new("the seed's five runs (seed 004 L150-155)");
    let mean = ev.add("mean of the five runs, ms", s.mean, Unit::Count);
    ev.add("stated mean, ms", SEED_004_STATED_MEAN_MS, Unit::Count);
    ev.add("median, ms", s.median, Unit::Count);
    let ok = (mean - SEED_004_STATED_MEAN_MS).abs() < 0.5;
    ev.add("stated mean matches", ok as u8 as f64, Unit::Bool);
    Ok(Finding::new(
        Verdict::unverifiable(
            "part8_performance.js and the JS engine that runs it are not in the seed",
        ),
        format!(
            "the mean is {mean:.1} ms as stated ({}), the median {:.0} ms; the workload is absent",
            if ok { "correct" } else { "wrong" },
            s.median
        ),
        ev,
    ))
}

/// C004-19: Node 50 ms; Go 2377 ms (47×); pooled 13–37×; mmap 33–132×.
pub fn c004_19(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new("the seed's own figures (seed 004 L158-164)");
    let mut all = true;
    let mut check = |name: &str, computed: f64, stated: f64| {
        ev.add(format!("{name}: computed"), computed, Unit::Ratio);
        ev.add(format!("{name}: stated"), stated, Unit::Ratio);
        let ok = computed.floor() == stated || computed.round() == stated;
        all &= ok;
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
    Ok(Finding::new(
        Verdict::unverifiable(
            "no workload: the JS test and the Go service are not in the seed",
        ),
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
        ev,
    ))
}

fn add_run_stats(ev: &mut Evidence) -> (Summary, (f64, f64)) {
    let s = seed_004_summary();
    let ci = mean_ci95(&SEED_004_RUNS_MS).expect("five runs");
    ev.add("mean, ms", s.mean, Unit::Count);
    ev.add("sample standard deviation, ms", s.sd, Unit::Count);
    ev.add("population standard deviation, ms", seed_004_population_sd(), Unit::Count);
    ev.add("coefficient of variation", s.cv(), Unit::Fraction);
    ev.add("95% CI of the mean, low, ms", ci.0, Unit::Count);
    ev.add("95% CI of the mean, high, ms", ci.1, Unit::Count);
    (s, ci)
}

/// C004-20: "from 47× to < 2×; best case beats Node; matches or beats Node".
pub fn c004_20(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new("the seed's own figures (seed 004 L150-168, L249-256)");
    let slow =
        ev.add("slowest run / Node", SEED_004_MMAP_MS.1 / SEED_004_NODE_MS, Unit::Ratio);
    let fast =
        ev.add("fastest run / Node", SEED_004_MMAP_MS.0 / SEED_004_NODE_MS, Unit::Ratio);
    let (_, ci) = add_run_stats(&mut ev);
    let contains = ci.0 <= SEED_004_NODE_MS && SEED_004_NODE_MS <= ci.1;
    ev.add("the CI contains Node's 50 ms", contains as u8 as f64, Unit::Bool);
    Ok(Finding::new(
        Verdict::unverifiable("no workload; Node was run once, with no spread reported"),
        format!(
            "the ratios are right ({fast:.2}–{slow:.2}×), but the 95% CI of the mean, \
             [{:.1}, {:.1}] ms, {} Node's 50 ms: 'matches or beats Node' is {}",
            ci.0,
            ci.1,
            if contains { "contains" } else { "excludes" },
            if contains { "not shown" } else { "supported" }
        ),
        ev,
    ))
}

/// C004-21: "standard deviation small; stable, no more spikes".
pub fn c004_21(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new(format!(
        "the seed's five runs (seed 004 L150-178); 'small' means CV ≤ {:.0}%, 'no spikes \
         shown' means the 95% bound on the spike rate ≤ 5%",
        SMALL_CV * 100.0
    ));
    let (s, _) = add_run_stats(&mut ev);
    let bound = ev.add(
        "largest spike rate five clean runs cannot exclude (95%)",
        spike_probability_bound(s.n),
        Unit::Fraction,
    );
    Ok(Finding::new(
        Verdict::confirmed_if(s.cv() <= SMALL_CV && bound <= 0.05),
        format!(
            "sample SD {:.1} ms = {:.0}% of the mean; five clean runs still allow spikes in \
             {:.0}% of runs",
            s.sd,
            s.cv() * 100.0,
            bound * 100.0
        ),
        ev,
    ))
}

/// D64: the standard deviation called "small".
pub fn d64(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new(format!(
        "the seed's five runs; reproduced when CV > {:.0}%; for contrast, five runs of \
         one fixed loop here ({})",
        SMALL_CV * 100.0,
        build_profile()
    ));
    let (s, _) = add_run_stats(&mut ev);
    let iters = ctx.pick(200_000, 20_000);
    let ours: Vec<f64> = (0..5)
        .map(|_| timing::ns_per_op(iters, super::tiny_pool::malloc_free_1024))
        .collect();
    let ours = Summary::of(&ours).ok_or("no runs")?;
    ev.add("five runs here: mean ns/op", ours.mean, Unit::Nanos);
    ev.add("five runs here: coefficient of variation", ours.cv(), Unit::Fraction);
    Ok(Finding::new(
        Verdict::confirmed_if(s.cv() > SMALL_CV),
        format!(
            "'small' SD is {:.1} ms, CV {:.0}%; five runs of a fixed loop here: CV {:.1}%",
            s.sd,
            s.cv() * 100.0,
            ours.cv() * 100.0
        ),
        ev,
    ))
}

fn stage_evidence() -> (Evidence, bool) {
    let mut ev = Evidence::new("the seed's own figures (seed 004 L241-245)");
    let buf = ev.add("stage 1: 1 GB buffer, ms", SEED_004_STAGE1_BUFFER_MS, Unit::Count);
    ev.add("stage 1: part8 total, fastest, ms", SEED_004_POOLED_MS.0, Unit::Count);
    let total =
        ev.add("stage 1: part8 total, slowest, ms", SEED_004_POOLED_MS.1, Unit::Count);
    ev.add("buffer / slowest total", buf / total, Unit::Ratio);
    let inconsistent = buf > total;
    ev.add(
        "the buffer alone takes longer than the whole run",
        inconsistent as u8 as f64,
        Unit::Bool,
    );
    (ev, inconsistent)
}

/// C004-27: the optimisation history table.
pub fn c004_27(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let (ev, inconsistent) = stage_evidence();
    Ok(Finding::new(
        Verdict::confirmed_if(!inconsistent),
        format!(
            "a {SEED_004_STAGE1_BUFFER_MS} ms allocation cannot sit inside a {}–{} ms run: \
             part8 does not allocate the 1 GB buffer, so stage 2's gain is not from its mmap",
            SEED_004_POOLED_MS.0, SEED_004_POOLED_MS.1
        ),
        ev,
    ))
}

/// D65: the same inconsistency, as a defect.
pub fn d65(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let (ev, inconsistent) = stage_evidence();
    Ok(Finding::new(
        Verdict::confirmed_if(inconsistent),
        format!(
            "stage 1 lists a {SEED_004_STAGE1_BUFFER_MS} ms buffer inside a part8 run of at \
             most {} ms ({:.1}× longer than the whole)",
            SEED_004_POOLED_MS.1,
            SEED_004_STAGE1_BUFFER_MS / SEED_004_POOLED_MS.1
        ),
        ev,
    ))
}

/// Median allocation-only time of `vec![0u8; n]` for 1 GiB and 100 MiB.
fn alloc_only(ctx: &Ctx, ev: &mut Evidence) -> (Duration, Duration) {
    let rounds = ctx.pick(5, 3);
    let gib = first_touch::vec_alloc_only(1 << 30, rounds);
    let mib100 = first_touch::vec_alloc_only(100 << 20, rounds);
    ev.add("vec![0u8; 1 GiB]: allocation only, median", nanos(gib), Unit::Nanos);
    ev.add(
        "vec![0u8; 1 GiB]: as a ms timer prints it",
        as_whole_ms(gib) as f64,
        Unit::Count,
    );
    ev.add("vec![0u8; 100 MiB]: allocation only, median", nanos(mib100), Unit::Nanos);
    ev.add(
        "vec![0u8; 100 MiB]: as a ms timer prints it",
        as_whole_ms(mib100) as f64,
        Unit::Count,
    );
    (gib, mib100)
}

/// C004-28: Node vs Go allocation rows.
pub fn c004_28(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new(format!(
        "median of {} allocations; {}",
        ctx.pick(5, 3),
        build_profile()
    ));
    let (gib, mib100) = alloc_only(ctx, &mut ev);
    Ok(Finding::new(
        Verdict::unverifiable("no Node or Go workload in the seed"),
        format!(
            "no workload; in Rust vec![0u8; 1 GiB] takes {} and 100 MiB {} (both '0 ms'), \
             because calloc maps fresh zero pages lazily",
            crate::table::format_nanos(nanos(gib)),
            crate::table::format_nanos(nanos(mib100))
        ),
        ev,
    ))
}

/// C004-41: the summary's "1595 → 0 ms, infinite gain".
pub fn c004_41(ctx: &Ctx) -> Result<Finding, CheckError> {
    let rows = figures::touch_rows(ctx)?;
    let mut ev = Evidence::new(touch_condition(ctx));
    let (gib, _) = alloc_only(ctx, &mut ev);
    let finite = ev.add(
        "seed's 1595 ms / our 1 GiB allocation",
        SEED_004_STAGE1_BUFFER_MS * 1e6 / nanos(gib).max(1.0),
        Unit::Ratio,
    );
    let big = rows.last().ok_or("no sizes measured")?;
    add_touch_row(&mut ev, big);
    let refuted = gib > Duration::ZERO && cost_moved(rows);
    Ok(Finding::new(
        Verdict::confirmed_if(!refuted),
        format!(
            "the 'infinite' gain is {finite:.0}× in ns, and first touch of {} MiB costs the \
             same page faults either way ({} mmap vs {} vec)",
            big.mib, big.mmap.touch_faults, big.vec.touch_faults
        ),
        ev,
    ))
}

/// D62: the table credits mmap with rows the code never sends to mmap.
pub fn d62(_ctx: &Ctx) -> Result<Finding, CheckError> {
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
    ev.add(
        "rows credited with a speedup that never use mmap",
        bad.len() as f64,
        Unit::Count,
    );
    let list: Vec<String> = bad
        .iter()
        .map(|r| format!("{} MB {}→{} ms", r.mib, r.before_ms, r.after_ms))
        .collect();
    Ok(Finding::new(
        Verdict::confirmed_if(!bad.is_empty()),
        format!(
            "{} rows improve without reaching the mmap path ({}): something else changed",
            bad.len(),
            list.join(", ")
        ),
        ev,
    ))
}
