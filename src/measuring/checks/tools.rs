//! Checks of seed 003's tooling, targets and tables (C003-01 … C003-42 except
//! C003-26): the seed's arithmetic, computed; the Rust analogue of each tool,
//! measured with counts wherever a count exists; its comparison of runs and
//! its CPU profile, run.

use super::super::figures::{self, RENDER_OPS};
use super::super::seed_numbers::{Improvement, SEED_003_HTTP3, SEED_003_TARGETS};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::measure::machine::build_profile;
use crate::measure::os::ProcStatus;
use crate::table::{format_bytes, format_nanos, format_ratio};

fn count_condition() -> String {
    format!(
        "{RENDER_OPS} renders of 8 records (3 tags each) under the counting allocator; {}",
        build_profile()
    )
}

fn add_improvement(ev: &mut Evidence, t: &Improvement) -> bool {
    ev.add(format!("{}: before ({})", t.what, t.cite), t.before, Unit::Count);
    ev.add(format!("{}: after", t.what), t.after, Unit::Count);
    ev.add(
        format!("{}: stated improvement", t.what),
        t.stated_percent / 100.0,
        Unit::Fraction,
    );
    ev.add(format!("{}: computed improvement", t.what), t.computed(), Unit::Fraction);
    let ok = t.arithmetic_holds();
    ev.add(format!("{}: arithmetic holds", t.what), ok as u8 as f64, Unit::Bool);
    ok
}

fn holds(ok: bool) -> &'static str {
    if ok { "holds" } else { "is wrong" }
}

const NO_CODE: &str = "a target for code the seed does not show";

/// C003-01: target 1000 → < 200 B/op.
pub fn c003_01_no_code() -> Verdict {
    Verdict::unverifiable(NO_CODE)
}

/// C003-01's analogue: bytes per render, counted exactly.
pub fn c003_01_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = SEED_003_TARGETS[0];
    let c = figures::render_counts(ctx)?;
    let mut ev = Evidence::new(count_condition());
    let ok = add_improvement(&mut ev, &t);
    ev.add("render_naive: bytes/op", c.naive.bytes, Unit::Bytes);
    ev.add("render_naive, second run: bytes/op", c.again.bytes, Unit::Bytes);
    ev.add("render_into, reused buffer: bytes/op", c.reused.bytes, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "arithmetic {} ({:.0}%); the Rust analogue counts {} B/op naive ({} B/op on a \
             second run), {} B/op with a reused buffer",
            holds(ok),
            t.computed() * 100.0,
            c.naive.bytes,
            c.again.bytes,
            c.reused.bytes
        ),
    ))
}

/// C003-02: target 50 → < 10 allocs/op.
pub fn c003_02_no_code() -> Verdict {
    Verdict::unverifiable(NO_CODE)
}

/// C003-02's analogue: allocator calls per render.
pub fn c003_02_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = SEED_003_TARGETS[1];
    let c = figures::render_counts(ctx)?;
    let mut ev = Evidence::new(count_condition());
    let ok = add_improvement(&mut ev, &t);
    ev.add("render_naive: allocator calls/op", c.naive.allocs, Unit::Count);
    ev.add("render_naive, second run: allocator calls/op", c.again.allocs, Unit::Count);
    ev.add(
        "render_into, reused buffer: allocator calls/op",
        c.reused.allocs,
        Unit::Count,
    );
    Ok(Measured::new(
        ev,
        format!(
            "arithmetic {} ({:.0}%); counted here: {} allocs/op naive ({} on a second run), \
             {} with a reused buffer",
            holds(ok),
            t.computed() * 100.0,
            c.naive.allocs,
            c.again.allocs,
            c.reused.allocs
        ),
    ))
}

/// C003-04: target peak 500 MB → < 100 MB.
pub fn c003_04_no_service() -> Verdict {
    Verdict::unverifiable("a target for a service the seed does not show")
}

/// C003-04's analogue: the allocator's peak of a scripted workload.
pub fn c003_04_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = SEED_003_TARGETS[3];
    let mut ev = Evidence::new(format!(
        "a scripted workload (1 MiB, 2 MiB, free the 1 MiB, 4 MiB) under the counting \
         allocator; {}",
        build_profile()
    ));
    let ok = add_improvement(&mut ev, &t);
    let (expected, counted) = figures::scripted_peak(ctx)?;
    ev.add("expected peak of the script", expected as f64, Unit::Bytes);
    ev.add("peak counted by the allocator", counted as f64, Unit::Bytes);
    if let Ok(s) = ProcStatus::now() {
        ev.add(
            "VmHWM of this process (kernel's peak RSS)",
            (s.vm_hwm_kib * 1024) as f64,
            Unit::Bytes,
        );
    }
    Ok(Measured::new(
        ev,
        format!(
            "arithmetic {} ({:.0}%); the allocator's peak is {} for a script whose peak is \
             {} by construction",
            holds(ok),
            t.computed() * 100.0,
            format_bytes(counted as f64),
            format_bytes(expected as f64)
        ),
    ))
}

/// C003-05: `scripts/memory_analysis.ps1`.
pub fn c003_05_script_absent() -> Verdict {
    Verdict::unverifiable(
        "scripts/memory_analysis.ps1 and its reports/memory/ output are not in the seed",
    )
}

/// C003-05's analogue: the hotspot found by counting, and the fix.
pub fn c003_05_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::render_counts(ctx)?;
    let mut ev = Evidence::new(count_condition());
    let owned = crate::claims::ledger().iter().filter(|c| c.chapter == "measuring");
    let checks = ev.add("claims this chapter checks", owned.count() as f64, Unit::Count);
    ev.add(
        "hotspot found by counting: render_naive bytes/op",
        c.naive.bytes,
        Unit::Bytes,
    );
    ev.add("after the fix: render_into bytes/op", c.reused.bytes, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "script absent; the analogue is `workbook --chapter measuring` ({checks} checks) \
             and allocation counts per function ({} → {} B/op here)",
            c.naive.bytes, c.reused.bytes
        ),
    ))
}

/// C003-06: pprof -alloc_space / -inuse_space.
pub fn c003_06_pprof() -> Verdict {
    Verdict::not_applicable(
        "pprof profiles Go's heap; a Rust program has no runtime profiler built in.",
        "the counting allocator (bytes requested = -alloc_space, live bytes = \
         -inuse_space), heaptrack, valgrind --tool=massif or dhat for whole programs",
    )
}

/// C003-06's analogue: alloc_space and inuse_space of collecting lines.
pub fn c003_06_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::collect_counts(ctx)?;
    let mut ev = Evidence::new(count_condition());
    ev.add("alloc_space: bytes requested", c.requested as f64, Unit::Bytes);
    ev.add("inuse_space: bytes still live", c.live as f64, Unit::Bytes);
    ev.add("bytes held by the result, computed", c.held as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "collecting {RENDER_OPS} rendered lines requests {} (alloc_space) and keeps {} \
             (inuse_space); the lines hold {}",
            format_bytes(c.requested as f64),
            format_bytes(c.live as f64),
            format_bytes(c.held as f64)
        ),
    ))
}

// ---------------------------------------------------------------- comparing runs

const NAIVE_ALLOCS_1: &str = "render_naive: allocator calls/op, run 1";
const NAIVE_ALLOCS_2: &str = "render_naive: allocator calls/op, run 2";
const NAIVE_BYTES_1: &str = "render_naive: bytes/op, run 1";
const NAIVE_BYTES_2: &str = "render_naive: bytes/op, run 2";
const AA_P: &str = "A/A (render_naive against itself): U-test p-value";
const AB_P: &str = "A/B (render_naive against render_into): U-test p-value";

const ALPHA: Threshold = Threshold {
    name: "alpha",
    value: super::super::comparing::BENCHSTAT_ALPHA,
    unit: Unit::Count,
    source: "benchstat's default significance level (-alpha 0.05), with its default \
             Mann–Whitney U test",
};

fn comparison_evidence(ctx: &Ctx, ev: &mut Evidence) {
    let c = figures::baseline_comparison(ctx);
    for (label, cmp, p_name) in [
        ("A/A (render_naive against itself)", &c.aa, AA_P),
        ("A/B (render_naive against render_into)", &c.ab, AB_P),
    ] {
        ev.add(format!("{label}: old median ns/render"), cmp.old_median, Unit::Nanos);
        ev.add(format!("{label}: new median ns/render"), cmp.new_median, Unit::Nanos);
        ev.add(format!("{label}: new / old"), cmp.ratio(), Unit::Ratio);
        ev.add(p_name, cmp.p_value, Unit::Count);
    }
}

fn comparison_condition(ctx: &Ctx) -> String {
    let c = figures::baseline_comparison(ctx);
    format!(
        "timing: {} samples of {} renders per side, three loops round-robin (A, A again, \
         B), compared with a two-sided Mann–Whitney U test",
        c.aa.n, c.iters
    )
}

/// C003-08: `go test -bench -benchmem` and `benchstat`: two runs of the
/// same code compared by their counts and by their timings, and a real
/// change compared by its timings.
pub fn c003_08_compare_runs(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::render_counts(ctx)?;
    let cmp = figures::baseline_comparison(ctx);
    let mut ev =
        Evidence::new(format!("{}; {}", count_condition(), comparison_condition(ctx)));
    ev.add(NAIVE_ALLOCS_1, c.naive.allocs, Unit::Count);
    ev.add(NAIVE_ALLOCS_2, c.again.allocs, Unit::Count);
    ev.add(NAIVE_BYTES_1, c.naive.bytes, Unit::Bytes);
    ev.add(NAIVE_BYTES_2, c.again.bytes, Unit::Bytes);
    comparison_evidence(ctx, &mut ev);
    Ok(Measured::new(
        ev,
        format!(
            "B/op {} then {}, allocs/op {} then {}; timing render_naive against itself: \
             {} (p = {:.2}); against render_into: {} (p = {:.1e})",
            c.naive.bytes,
            c.again.bytes,
            c.naive.allocs,
            c.again.allocs,
            format_ratio(cmp.aa.ratio()),
            cmp.aa.p_value,
            format_ratio(cmp.ab.ratio()),
            cmp.ab.p_value
        ),
    ))
}

/// Counts must repeat; timings must read an identical run as no change and
/// the real change as one.
pub const C003_08: Rule = Rule {
    says: "refuted when allocs/op or B/op differ between two runs of the same code; \
           confirmed when, in addition, the timing comparison reads the same code twice as \
           no change (p at or above alpha) and the real change as a change (p below alpha); \
           otherwise holds only when runs are compared by their counts",
    inputs: &[NAIVE_ALLOCS_1, NAIVE_ALLOCS_2, NAIVE_BYTES_1, NAIVE_BYTES_2, AA_P, AB_P],
    thresholds: &[ALPHA],
    decide: |f| {
        let counts_repeat = f.get(NAIVE_ALLOCS_1) == f.get(NAIVE_ALLOCS_2)
            && f.get(NAIVE_BYTES_1) == f.get(NAIVE_BYTES_2);
        if !counts_repeat {
            return Verdict::Refuted;
        }
        let alpha = f.limit("alpha");
        if f.get(AA_P) < alpha {
            f.holds_only_when(
                "runs are compared by their allocation counts (B/op, allocs/op): timing \
                 the same code twice read as a change here",
                NAIVE_BYTES_2,
                AA_P,
            )
        } else if f.get(AB_P) >= alpha {
            f.holds_only_when(
                "runs are compared by their allocation counts (B/op, allocs/op): the \
                 timing comparison missed a real change here",
                NAIVE_BYTES_2,
                AB_P,
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(
            &[
                (NAIVE_ALLOCS_1, 8.0),
                (NAIVE_ALLOCS_2, 8.0),
                (NAIVE_BYTES_1, 245.0),
                (NAIVE_BYTES_2, 245.0),
                (AA_P, 0.6),
                (AB_P, 1e-5),
            ],
            Confirmed,
        ),
        example(
            &[
                (NAIVE_ALLOCS_1, 8.0),
                (NAIVE_ALLOCS_2, 8.0),
                (NAIVE_BYTES_1, 245.0),
                (NAIVE_BYTES_2, 245.0),
                (AA_P, 0.01),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (NAIVE_ALLOCS_1, 8.0),
                (NAIVE_ALLOCS_2, 8.0),
                (NAIVE_BYTES_1, 245.0),
                (NAIVE_BYTES_2, 245.0),
                (AA_P, 0.05),
                (AB_P, 0.05),
            ],
            HoldsOnlyWhen,
        ),
        example(&[(NAIVE_ALLOCS_1, 8.0), (NAIVE_ALLOCS_2, 9.0)], Refuted),
        example(
            &[
                (NAIVE_ALLOCS_1, 8.0),
                (NAIVE_ALLOCS_2, 8.0),
                (NAIVE_BYTES_1, 245.0),
                (NAIVE_BYTES_2, 250.0),
            ],
            Refuted,
        ),
    ],
};

const PROFILE_SAMPLES: &str = "profile: samples in the two renderers";
const PROFILE_NAIVE_SHARE: &str = "profile: render_naive's share of the samples";
const TIMED_NAIVE_SHARE: &str = "timing: render_naive's share of the time";

/// C003-41: baselines with benchstat, hotspots with a CPU profile.
pub fn c003_41_baseline_and_profile(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = figures::render_profile(ctx)?;
    let p = &r.profile;
    let mut ev = Evidence::new(format!(
        "a CPU profile: SIGPROF from a timer on the thread's CPU clock (asked every {}, \
         served at the kernel's tick), over {} rounds of {} renders in each renderer; {}; {}",
        format_nanos(p.period.as_nanos() as f64),
        p.rounds,
        r.iters,
        comparison_condition(ctx),
        build_profile()
    ));
    ev.add(PROFILE_SAMPLES, p.total() as f64, Unit::Count);
    ev.add("profile: samples outside both renderers", p.outside as f64, Unit::Count);
    ev.add("profile: CPU time profiled", p.cpu.as_nanos() as f64, Unit::Nanos);
    let share = ev.add(PROFILE_NAIVE_SHARE, p.share(0), Unit::Fraction);
    let timed = ev.add(TIMED_NAIVE_SHARE, r.timed_naive_share, Unit::Fraction);
    comparison_evidence(ctx, &mut ev);
    let cmp = figures::baseline_comparison(ctx);
    Ok(Measured::new(
        ev,
        format!(
            "the profile puts {:.0}% of {} samples in render_naive, which takes {:.0}% of \
             the time by the timing comparison; against the baseline, the same code reads \
             p = {:.2} and the real change p = {:.1e}",
            share * 100.0,
            p.total(),
            timed * 100.0,
            cmp.aa.p_value,
            cmp.ab.p_value
        ),
    ))
}

/// The profile must name the renderer the timing names as hot; the baseline
/// comparison must read no change as none and the real change as one.
pub const C003_41: Rule = Rule {
    says: "unverifiable when the profile holds fewer than min_samples samples; refuted \
           when the profile's hot renderer (more than the hot share of the samples) is not \
           the one the timing comparison finds hot; confirmed when, in addition, the \
           baseline comparison reads the same code as no change and the real change as one \
           (alpha); otherwise holds only when finding hotspots",
    inputs: &[PROFILE_SAMPLES, PROFILE_NAIVE_SHARE, TIMED_NAIVE_SHARE, AA_P, AB_P],
    thresholds: &[
        Threshold {
            name: "min_samples",
            value: 20.0,
            unit: Unit::Count,
            source: "binomial: with 20 samples a phase holding 80% of the CPU gets at most \
                     half of them with probability 0.3%",
        },
        Threshold {
            name: "hot",
            value: 0.5,
            unit: Unit::Fraction,
            source: "of two phases, the hot one holds more than half",
        },
        ALPHA,
    ],
    decide: |f| {
        if f.get(PROFILE_SAMPLES) < f.limit("min_samples") {
            return Verdict::unverifiable(
                "the CPU profile collected too few samples to name a hot phase here",
            );
        }
        let hot = f.limit("hot");
        if (f.get(PROFILE_NAIVE_SHARE) > hot) != (f.get(TIMED_NAIVE_SHARE) > hot) {
            return Verdict::Refuted;
        }
        let alpha = f.limit("alpha");
        if f.get(AA_P) < alpha {
            f.holds_only_when(
                "finding the hotspot: comparing against a baseline read the same code \
                 twice as a change here",
                PROFILE_NAIVE_SHARE,
                AA_P,
            )
        } else if f.get(AB_P) >= alpha {
            f.holds_only_when(
                "finding the hotspot: comparing against a baseline missed a real change \
                 here",
                PROFILE_NAIVE_SHARE,
                AB_P,
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(
            &[
                (PROFILE_SAMPLES, 60.0),
                (PROFILE_NAIVE_SHARE, 0.8),
                (TIMED_NAIVE_SHARE, 0.78),
                (AA_P, 0.5),
                (AB_P, 1e-5),
            ],
            Confirmed,
        ),
        example(
            &[
                (PROFILE_SAMPLES, 60.0),
                (PROFILE_NAIVE_SHARE, 0.8),
                (TIMED_NAIVE_SHARE, 0.78),
                (AA_P, 0.01),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (PROFILE_SAMPLES, 60.0),
                (PROFILE_NAIVE_SHARE, 0.8),
                (TIMED_NAIVE_SHARE, 0.78),
                (AA_P, 0.5),
                (AB_P, 0.2),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (PROFILE_SAMPLES, 60.0),
                (PROFILE_NAIVE_SHARE, 0.3),
                (TIMED_NAIVE_SHARE, 0.78),
            ],
            Refuted,
        ),
        example(&[(PROFILE_SAMPLES, 5.0)], Unverifiable),
    ],
};

// ---------------------------------------------------------------- checklist, schedule, goals

const CHECKLIST_MEASURED: &str = "checklist items measured";
const CHECKLIST_SAVED: &str = "checklist items whose recommended form saves";

/// C003-29: seed 003's allocation checklist.
pub fn c003_29_checklist(ctx: &Ctx) -> Result<Measured, CheckError> {
    let items = figures::checklist(ctx)?;
    let mut ev = Evidence::new(format!(
        "counted under the counting allocator; {}",
        build_profile()
    ));
    for i in items {
        ev.add(
            format!("{} ({}): discouraged", i.item, i.counted),
            i.discouraged as f64,
            Unit::Count,
        );
        ev.add(
            format!("{} ({}): recommended", i.item, i.counted),
            i.recommended as f64,
            Unit::Count,
        );
    }
    let saved = items.iter().filter(|i| i.recommended < i.discouraged).count();
    ev.add(CHECKLIST_MEASURED, items.len() as f64, Unit::Count);
    ev.add(CHECKLIST_SAVED, saved as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{saved} of {} checklist items measured save: e.g. {} → {} allocator calls for \
             1000 pushes, {} → {} for 100 string pieces",
            items.len(),
            items[0].discouraged,
            items[0].recommended,
            items[1].discouraged,
            items[1].recommended
        ),
    ))
}

/// Confirmed when every measured item saves what it counts.
pub const C003_29: Rule = Rule {
    says: "confirmed when the recommended form of every measured checklist item needs \
           fewer allocator calls (or fewer live bytes) than the discouraged one",
    inputs: &[CHECKLIST_MEASURED, CHECKLIST_SAVED],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(CHECKLIST_SAVED) >= f.get(CHECKLIST_MEASURED)),
    examples: &[
        example(&[(CHECKLIST_MEASURED, 4.0), (CHECKLIST_SAVED, 4.0)], Confirmed),
        example(&[(CHECKLIST_MEASURED, 4.0), (CHECKLIST_SAVED, 3.0)], Refuted),
    ],
};

/// C003-32: analyse memory on every commit, daily, weekly.
pub fn c003_32_schedule() -> Verdict {
    Verdict::unverifiable("a schedule, not a claim a measurement can check")
}

/// C003-32's analogue: what counting the chapter's allocations costs.
pub fn c003_32_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::render_counts(ctx)?;
    let mut ev = Evidence::new(count_condition());
    let took = ev.add(
        "time to count allocations of both renderers (3 runs)",
        c.took.as_nanos() as f64,
        Unit::Nanos,
    );
    Ok(Measured::new(
        ev,
        format!(
            "a schedule; counting this chapter's allocations took {}, and a test asserting \
             counts runs in CI",
            format_nanos(took)
        ),
    ))
}

fn http3(idx: usize) -> (Evidence, String) {
    let t = SEED_003_HTTP3[idx];
    let mut ev = Evidence::new("the seed's own figures (seed 003 L483-487)");
    let ok = add_improvement(&mut ev, &t);
    let fewer =
        ev.add(format!("{}: before / after", t.what), t.before / t.after, Unit::Ratio);
    let summary = format!(
        "arithmetic {} ({:.0}% = {} fewer); no code to rerun",
        holds(ok),
        t.computed() * 100.0,
        format_ratio(fewer)
    );
    (ev, summary)
}

const NO_HTTP3: &str = "pkg/http3 and its benchmarks are not in the seed";

/// C003-36: `HandleHealth` 2000 → 1100 ns/op.
pub fn c003_36_no_code() -> Verdict {
    Verdict::unverifiable(NO_HTTP3)
}

/// C003-37: `HandleData` 15000 → 150 ns/op.
pub fn c003_37_no_code() -> Verdict {
    Verdict::unverifiable(NO_HTTP3)
}

/// C003-38: allocations 1000 → 400.
pub fn c003_38_no_code() -> Verdict {
    Verdict::unverifiable(NO_HTTP3)
}

/// C003-36's analogue: the seed's arithmetic.
pub fn c003_36_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, summary) = http3(0);
    Ok(Measured::new(ev, summary))
}

/// C003-37's analogue: the seed's arithmetic.
pub fn c003_37_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, summary) = http3(1);
    Ok(Measured::new(
        ev,
        summary + "; a 100× drop usually means the benchmark's work changed",
    ))
}

/// C003-38's analogue: the seed's arithmetic, and counts that are exact here.
pub fn c003_38_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (mut ev, summary) = http3(2);
    let c = figures::render_counts(ctx)?;
    ev.add("analogue: render_naive allocator calls/op", c.naive.allocs, Unit::Count);
    ev.add("analogue: render_into allocator calls/op", c.reused.allocs, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{summary}; allocation counts are exact here ({} → {} per render)",
            c.naive.allocs, c.reused.allocs
        ),
    ))
}

/// C003-42: goals (pools everywhere, GC pause < 5 ms, peak < 100 MB, no leaks).
pub fn c003_42_goals() -> Verdict {
    Verdict::unverifiable("goals for a project the seed does not show")
}

/// C003-42's analogue: leaks and peak RSS, measured.
pub fn c003_42_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::render_counts(ctx)?;
    let mut ev = Evidence::new(count_condition());
    ev.add("live bytes after the naive renders", c.naive.live_after as f64, Unit::Bytes);
    ev.add(
        "live bytes after the reusing renders",
        c.reused.live_after as f64,
        Unit::Bytes,
    );
    let hwm = ProcStatus::now().map(|s| s.vm_hwm_kib * 1024).unwrap_or(0);
    if hwm > 0 {
        ev.add("VmHWM of this process so far", hwm as f64, Unit::Bytes);
    }
    Ok(Measured::new(
        ev,
        format!(
            "goals; their Rust analogues are checkable: {} live after the workload (no \
             leak), peak RSS of this process {}, and no GC pause to bound",
            format_bytes((c.naive.live_after + c.reused.live_after) as f64),
            format_bytes(hwm as f64)
        ),
    ))
}
