//! Checks of seed 003's tooling, targets and tables (C003-01 … C003-42 except
//! C003-26): the seed's arithmetic, computed, and the Rust analogue of each
//! tool, measured with counts wherever a count exists.

use super::counting::{self, PerOp, Record};
use super::seed_numbers::{Improvement, SEED_003_HTTP3, SEED_003_TARGETS};
use super::{counters, timing};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::alloc;
use crate::measure::machine::build_profile;
use crate::measure::os::ProcStatus;

/// Renders per run of the allocation analogue.
const OPS: u64 = 800;

fn need_alloc() -> Result<(), CheckError> {
    if alloc::is_installed() {
        Ok(())
    } else {
        Err(CheckError(
            "this check counts allocations: the binary must install \
             perf_workbook::count_allocations!()"
                .into(),
        ))
    }
}

/// Eight records, all rendering to lines of the same length.
pub fn sample_records() -> Vec<Record> {
    (100..108).map(|id| Record::sample(id, 3)).collect()
}

/// The naive renderer counted twice, and the reusing one.
fn render_counts() -> (PerOp, PerOp, PerOp) {
    let records = sample_records();
    (
        counting::naive_per_op(&records, OPS),
        counting::naive_per_op(&records, OPS),
        counting::reused_per_op(&records, OPS),
    )
}

fn count_condition() -> String {
    format!(
        "{OPS} renders of 8 records (3 tags each) under the counting allocator; {}",
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

/// C003-01: target 1000 → < 200 B/op.
pub fn c003_01(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let t = SEED_003_TARGETS[0];
    let (naive, again, reused) = render_counts();
    let mut ev = Evidence::new(count_condition());
    let ok = add_improvement(&mut ev, &t);
    ev.add("render_naive: bytes/op", naive.bytes, Unit::Bytes);
    ev.add("render_naive, second run: bytes/op", again.bytes, Unit::Bytes);
    ev.add("render_into, reused buffer: bytes/op", reused.bytes, Unit::Bytes);
    Ok(Finding::new(
        Verdict::unverifiable("a target for code the seed does not show"),
        format!(
            "arithmetic {} ({:.0}%); the Rust analogue is exact: {} B/op naive on both runs \
             ({}), {} B/op with a reused buffer",
            holds(ok),
            t.computed() * 100.0,
            naive.bytes,
            if naive == again { "identical" } else { "different" },
            reused.bytes
        ),
        ev,
    ))
}

/// C003-02: target 50 → < 10 allocs/op.
pub fn c003_02(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let t = SEED_003_TARGETS[1];
    let (naive, again, reused) = render_counts();
    let mut ev = Evidence::new(count_condition());
    let ok = add_improvement(&mut ev, &t);
    ev.add("render_naive: allocator calls/op", naive.allocs, Unit::Count);
    ev.add("render_naive, second run: allocator calls/op", again.allocs, Unit::Count);
    ev.add("render_into, reused buffer: allocator calls/op", reused.allocs, Unit::Count);
    Ok(Finding::new(
        Verdict::unverifiable("a target for code the seed does not show"),
        format!(
            "arithmetic {} ({:.0}%); counted here: {} allocs/op naive ({} on a second run), \
             {} with a reused buffer",
            holds(ok),
            t.computed() * 100.0,
            naive.allocs,
            again.allocs,
            reused.allocs
        ),
        ev,
    ))
}

/// C003-04: target peak 500 MB → < 100 MB.
pub fn c003_04(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let t = SEED_003_TARGETS[3];
    let mut ev = Evidence::new(format!(
        "a scripted workload (1 MiB, 2 MiB, free the 1 MiB, 4 MiB) under the counting \
         allocator; {}",
        build_profile()
    ));
    let ok = add_improvement(&mut ev, &t);
    let (expected, counted) = counting::scripted_peak();
    ev.add("expected peak of the script", expected as f64, Unit::Bytes);
    ev.add("peak counted by the allocator", counted as f64, Unit::Bytes);
    if let Ok(s) = ProcStatus::now() {
        ev.add(
            "VmHWM of this process (kernel's peak RSS)",
            (s.vm_hwm_kib * 1024) as f64,
            Unit::Bytes,
        );
    }
    Ok(Finding::new(
        Verdict::unverifiable("a target for a service the seed does not show"),
        format!(
            "arithmetic {} ({:.0}%); the analogue: the allocator's peak is {} for a script \
             whose peak is {} by construction",
            holds(ok),
            t.computed() * 100.0,
            crate::table::format_bytes(counted as f64),
            crate::table::format_bytes(expected as f64)
        ),
        ev,
    ))
}

/// C003-05: `scripts/memory_analysis.ps1`.
pub fn c003_05(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let (naive, _, reused) = render_counts();
    let mut ev = Evidence::new(count_condition());
    let checks =
        ev.add("claim checks in this chapter", super::CHECKS.len() as f64, Unit::Count);
    ev.add("hotspot found by counting: render_naive bytes/op", naive.bytes, Unit::Bytes);
    ev.add("after the fix: render_into bytes/op", reused.bytes, Unit::Bytes);
    Ok(Finding::new(
        Verdict::unverifiable(
            "scripts/memory_analysis.ps1 and its reports/memory/ output are not in the seed",
        ),
        format!(
            "script absent; the analogue is `workbook --chapter measuring` ({checks} checks) \
             and allocation counts per function ({} → {} B/op here)",
            naive.bytes, reused.bytes
        ),
        ev,
    ))
}

/// C003-06: pprof -alloc_space / -inuse_space.
pub fn c003_06(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let records = sample_records();
    let (lines, c) = alloc::measure(|| {
        (0..OPS)
            .map(|i| counting::render_naive(&records[i as usize % 8]))
            .collect::<Vec<_>>()
    });
    let mut ev = Evidence::new(count_condition());
    let total =
        ev.add("alloc_space: bytes requested", c.bytes_requested as f64, Unit::Bytes);
    let inuse =
        ev.add("inuse_space: bytes still live", c.live_bytes() as f64, Unit::Bytes);
    let kept: usize = lines.iter().map(String::capacity).sum::<usize>()
        + lines.capacity() * std::mem::size_of::<String>();
    ev.add("bytes held by the result, computed", kept as f64, Unit::Bytes);
    drop(lines);
    Ok(Finding::new(
        Verdict::not_applicable(
            "pprof profiles Go's heap; a Rust program has no runtime profiler built in.",
            "the counting allocator (bytes requested = -alloc_space, live bytes = \
             -inuse_space), heaptrack, valgrind --tool=massif or dhat for whole programs",
        ),
        format!(
            "collecting {OPS} rendered lines requests {} (alloc_space) and keeps {} \
             (inuse_space), exactly the result's size",
            crate::table::format_bytes(total),
            crate::table::format_bytes(inuse)
        ),
        ev,
    ))
}

/// C003-08: `go test -bench -benchmem` and `benchstat`.
pub fn c003_08(ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let (naive, again, _) = render_counts();
    let mut ev =
        Evidence::new(format!("{}; timing: {}", count_condition(), aa_condition(ctx)));
    ev.add("render_naive: allocator calls/op, run 1", naive.allocs, Unit::Count);
    ev.add("render_naive: allocator calls/op, run 2", again.allocs, Unit::Count);
    ev.add("render_naive: bytes/op, run 1", naive.bytes, Unit::Bytes);
    ev.add("render_naive: bytes/op, run 2", again.bytes, Unit::Bytes);
    let aa = aa_ratio(ctx, &mut ev);
    let exact = naive == again;
    Ok(Finding::new(
        Verdict::confirmed_if(exact),
        format!(
            "allocs/op and B/op repeat exactly ({} allocs, {} B per op, twice); timing the \
             same loop twice differs by {:.1}%, the noise a benchstat/criterion comparison \
             must beat",
            naive.allocs,
            naive.bytes,
            (aa - 1.0).abs() * 100.0
        ),
        ev,
    ))
}

fn aa_condition(ctx: &Ctx) -> String {
    format!("the same malloc+free loop timed as A and as B, {} rounds", ctx.pick(9, 5))
}

/// Times one loop twice, round-robin, and returns the ratio of the medians.
fn aa_ratio(ctx: &Ctx, ev: &mut Evidence) -> f64 {
    let (rounds, iters) = ctx.pick((9, 100_000), (5, 10_000));
    let ns = timing::round_robin(
        rounds,
        iters,
        &[super::tiny_pool::malloc_free_1024, super::tiny_pool::malloc_free_1024],
    );
    ev.add("A/A: same loop, ratio of medians", ns[0] / ns[1], Unit::Ratio)
}

/// C003-29: seed 003's allocation checklist.
pub fn c003_29(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let items = counting::checklist();
    let mut ev = Evidence::new(format!(
        "counted under the counting allocator; {}",
        build_profile()
    ));
    for i in &items {
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
    Ok(Finding::new(
        Verdict::confirmed_if(saved == items.len()),
        format!(
            "{saved} of {} checklist items measured save allocations: e.g. {} → {} calls \
             for 1000 pushes, {} → {} for 100 string pieces",
            items.len(),
            items[0].discouraged,
            items[0].recommended,
            items[1].discouraged,
            items[1].recommended
        ),
        ev,
    ))
}

/// C003-32: analyse memory on every commit, daily, weekly.
pub fn c003_32(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let (_, took) = crate::measure::timed(render_counts);
    let mut ev = Evidence::new(count_condition());
    ev.add(
        "time to count allocations of both renderers (3 runs)",
        took.as_nanos() as f64,
        Unit::Nanos,
    );
    Ok(Finding::new(
        Verdict::unverifiable("a schedule, not a claim a measurement can check"),
        format!(
            "a schedule; counting this chapter's allocations took {}, cheap enough for \
             every commit (a test asserting counts runs in CI)",
            crate::table::format_nanos(took.as_nanos() as f64)
        ),
        ev,
    ))
}

fn http3(idx: usize) -> Result<Finding, CheckError> {
    let t = SEED_003_HTTP3[idx];
    let mut ev = Evidence::new("the seed's own figures (seed 003 L483-487)");
    let ok = add_improvement(&mut ev, &t);
    let speedup =
        ev.add(format!("{}: before / after", t.what), t.before / t.after, Unit::Ratio);
    Ok(Finding::new(
        Verdict::unverifiable("pkg/http3 and its benchmarks are not in the seed"),
        format!(
            "arithmetic {} ({:.0}% = {speedup:.2}× fewer); no code to rerun",
            holds(ok),
            t.computed() * 100.0
        ),
        ev,
    ))
}

/// C003-36: HandleHealth 2000 → 1100 ns/op.
pub fn c003_36(_ctx: &Ctx) -> Result<Finding, CheckError> {
    http3(0)
}

/// C003-37: HandleData 15000 → 150 ns/op.
pub fn c003_37(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut f = http3(1)?;
    f.summary.push_str("; a 100× drop usually means the benchmark's work changed");
    Ok(f)
}

/// C003-38: allocations 1000 → 400.
pub fn c003_38(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let mut f = http3(2)?;
    let (naive, _, reused) = render_counts();
    f.evidence.add(
        "analogue: render_naive allocator calls/op",
        naive.allocs,
        Unit::Count,
    );
    f.evidence.add(
        "analogue: render_into allocator calls/op",
        reused.allocs,
        Unit::Count,
    );
    f.summary.push_str(&format!(
        "; allocation counts are exact here ({} → {} per render)",
        naive.allocs, reused.allocs
    ));
    Ok(f)
}

/// C003-41: baselines with benchstat, hotspots with a CPU profile.
pub fn c003_41(ctx: &Ctx) -> Result<Finding, CheckError> {
    let work = ctx.pick(2_000_000, 200_000);
    let (cold, hot) = counters::phase_cpu(work)
        .map_err(|e| CheckError(format!("per-thread CPU time: {e}")))?;
    let mut ev = Evidence::new(format!(
        "a two-phase loop (1 and 9 units of {work} hashing rounds), CPU time per phase from \
         getrusage(RUSAGE_THREAD); {}",
        aa_condition(ctx)
    ));
    ev.add("cold phase CPU", cold.as_nanos() as f64, Unit::Nanos);
    ev.add("hot phase CPU", hot.as_nanos() as f64, Unit::Nanos);
    let share = ev.add(
        "hot phase share of CPU (9 of 10 units of work)",
        hot.as_secs_f64() / (hot + cold).as_secs_f64(),
        Unit::Fraction,
    );
    let aa = aa_ratio(ctx, &mut ev);
    Ok(Finding::new(
        Verdict::confirmed_if(share >= 0.7),
        format!(
            "per-phase CPU time finds the hot phase ({:.0}% of CPU for 90% of the work); \
             an A/A baseline comparison differs by {:.1}%",
            share * 100.0,
            (aa - 1.0).abs() * 100.0
        ),
        ev,
    ))
}

/// C003-42: goals (pools everywhere, GC pause < 5 ms, peak < 100 MB, no leaks).
pub fn c003_42(_ctx: &Ctx) -> Result<Finding, CheckError> {
    need_alloc()?;
    let (naive, _, reused) = render_counts();
    let mut ev = Evidence::new(count_condition());
    ev.add("live bytes after 800 naive renders", naive.live_after as f64, Unit::Bytes);
    ev.add("live bytes after 800 reusing renders", reused.live_after as f64, Unit::Bytes);
    let hwm = ProcStatus::now().map(|s| s.vm_hwm_kib * 1024).unwrap_or(0);
    if hwm > 0 {
        ev.add("VmHWM of this process so far", hwm as f64, Unit::Bytes);
    }
    Ok(Finding::new(
        Verdict::unverifiable("goals for a project the seed does not show"),
        format!(
            "goals; their Rust analogues are checkable: {} B live after the workload (no \
             leak), peak RSS of this process {}, and no GC pause to bound",
            naive.live_after + reused.live_after,
            crate::table::format_bytes(hwm as f64)
        ),
        ev,
    ))
}
