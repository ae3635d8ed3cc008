//! Checks of the seeds' benchmarks: what their loops would measure, judged by
//! running faithful Rust ports beside honest versions (C000-27, C000-28,
//! C001-33, C001-34, C003-26 and defects D27, D28, D43, D44, D55).

use super::figures::{self, ElisionRow, LoopFigure, PoolFigures};
use super::seed_numbers::{FASTEST_PLAUSIBLE_GHZ, SEED_003_BYTEPOOL_NS};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::machine::build_profile;

fn elision_condition(ctx: &Ctx) -> String {
    format!(
        "median of round-robin repetitions, {} iterations each; loops compiled in the \
         library ({}); allocator calls counted exactly when the counting allocator is \
         installed",
        ctx.pick("31 rounds × 50,000", "11 rounds × 10,000"),
        build_profile()
    )
}

fn add_row(ev: &mut Evidence, row: &ElisionRow) {
    let name = row.pair.name;
    ev.add(format!("{name}, unused: ns/op"), row.unused_ns, Unit::Nanos);
    ev.add(format!("{name}, black_box: ns/op"), row.kept_ns, Unit::Nanos);
    ev.add(format!("{name}: black_box / unused"), row.ratio(), Unit::Ratio);
    if let (Some(u), Some(k)) = (row.unused_allocs, row.kept_allocs) {
        ev.add(format!("{name}, unused: allocator calls/op"), u, Unit::Count);
        ev.add(format!("{name}, black_box: allocator calls/op"), k, Unit::Count);
    }
}

fn add_loop(ev: &mut Evidence, l: LoopFigure, p: &PoolFigures) -> f64 {
    let ns = ev.add(format!("{}: ns/op", l.name), l.ns, Unit::Nanos);
    if let Some(c) = p.cycles(l.ns) {
        ev.add(format!("{}: cycles/op", l.name), c, Unit::Count);
    }
    if let Some(a) = l.allocs {
        ev.add(format!("{}: allocator calls/op", l.name), a, Unit::Count);
    }
    ns
}

fn allocs_text(a: Option<f64>) -> String {
    a.map_or_else(|| "not counted".into(), |a| format!("{a} allocs/op"))
}

/// C000-27: seed 000's zero-copy benchmark, judged by what it would time.
pub fn c000_27(ctx: &Ctx) -> Result<Finding, CheckError> {
    let t = figures::transfer(ctx)?;
    let (ev, share, max) = transfer_evidence(t);
    Ok(Finding::new(
        Verdict::unverifiable(
            "transferFileZeroCopy, transferFileTraditional, createTestFile and \
             startTestServer are not defined in the seed, so the benchmark cannot run",
        ),
        format!(
            "helpers undefined; a client-timed 1 MiB loopback transfer spends {:.0}% of its \
             CPU in the client, so a free server copy path would show at most {max:.2}×",
            share * 100.0
        ),
        ev,
    ))
}

fn transfer_evidence(t: &super::loopback::TransferCpu) -> (Evidence, f64, f64) {
    let mut ev = Evidence::new(format!(
        "{} transfers of {} over 127.0.0.1, one connection each, the server writing \
         from memory; CPU per thread from CLOCK_THREAD_CPUTIME_ID; {}",
        t.rounds,
        crate::table::format_bytes(t.bytes as f64),
        build_profile()
    ));
    let per = |d: std::time::Duration| d.as_nanos() as f64 / t.rounds as f64;
    ev.add("server CPU per transfer (accept + write)", per(t.server_cpu), Unit::Nanos);
    ev.add("client CPU per transfer (connect + read)", per(t.client_cpu), Unit::Nanos);
    ev.add("client wall time per transfer", per(t.wall), Unit::Nanos);
    let share = ev.add("client share of the CPU time", t.client_share(), Unit::Fraction);
    let max = ev.add(
        "largest speedup visible if the server side cost nothing",
        t.max_visible_speedup(),
        Unit::Ratio,
    );
    (ev, share, max)
}

/// D27: the transfer benchmark times the client and loopback, not the server.
pub fn d27(ctx: &Ctx) -> Result<Finding, CheckError> {
    let t = figures::transfer(ctx)?;
    let (mut ev, share, max) = transfer_evidence(t);
    ev.condition.push_str("; reproduced when the client does ≥ 20% of the timed work");
    Ok(Finding::new(
        Verdict::confirmed_if(share >= 0.2),
        format!(
            "the client does {:.0}% of the CPU work a client-timed benchmark measures; \
             server-side gains are diluted to at most {max:.2}×",
            share * 100.0
        ),
        ev,
    ))
}

/// C000-28: the pool-vs-direct benchmark of seed 000 §1.5.2.
pub fn c000_28(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = figures::pool_figures(ctx);
    let mut ev = Evidence::new(elision_condition(ctx));
    let pool = add_loop(&mut ev, p.get("tiny pool get+append 9 B+put"), p);
    let kept = add_loop(&mut ev, p.get("direct with_capacity(1024)+9 B, kept"), p);
    let unused_fig = p.get("direct with_capacity(1024)+9 B, unused");
    let unused = add_loop(&mut ev, unused_fig, p);
    let pool_wins = pool < kept;
    let as_written_inverted = unused <= pool;
    let verdict = match (pool_wins, as_written_inverted) {
        (true, true) => Verdict::unruled_holds_only_when(
            "the direct buffer is kept alive with black_box; as written, its allocation \
             is deleted and the direct loop looks at least as fast as the pool",
        ),
        (true, false) => Verdict::Confirmed,
        (false, _) => Verdict::Refuted,
    };
    Ok(Finding::new(
        verdict,
        format!(
            "pool {pool:.2} ns vs direct {kept:.2} ns with black_box, but the direct loop \
             as written takes {unused:.2} ns ({})",
            allocs_text(unused_fig.allocs)
        ),
        ev,
    ))
}

/// D28: the direct loop of seed 000's allocation benchmark measures nothing.
pub fn d28(ctx: &Ctx) -> Result<Finding, CheckError> {
    let row = &figures::elision_rows(ctx)[1];
    let p = figures::pool_figures(ctx);
    let mut ev = Evidence::new(format!(
        "{}; reproduced when the unused loop makes no allocator call or runs ≥ 3× faster",
        elision_condition(ctx)
    ));
    add_row(&mut ev, row);
    let boxing = p.get("boxing pool get+put");
    add_loop(&mut ev, boxing, p);
    Ok(Finding::new(
        Verdict::confirmed_if(row.deleted()),
        format!(
            "direct loop as written: {:.2} ns/op ({}) vs {:.2} ns/op kept; a pool that \
             boxes each buffer (Go's sync.Pool of []byte): {}",
            row.unused_ns,
            allocs_text(row.unused_allocs),
            row.kept_ns,
            allocs_text(boxing.allocs)
        ),
        ev,
    ))
}

/// C001-33: does `BenchmarkMemoryAllocation` measure `make([]byte, 1024)`?
pub fn c001_33(ctx: &Ctx) -> Result<Finding, CheckError> {
    let row = &figures::elision_rows(ctx)[0];
    let mut ev = Evidence::new(elision_condition(ctx));
    add_row(&mut ev, row);
    Ok(Finding::new(
        Verdict::confirmed_if(!row.deleted()),
        format!(
            "the loop as written takes {:.2} ns/op ({}); allocating for real takes {:.2} ns/op",
            row.unused_ns,
            allocs_text(row.unused_allocs),
            row.kept_ns
        ),
        ev,
    ))
}

/// D43: the same benchmark, as a defect.
pub fn d43(ctx: &Ctx) -> Result<Finding, CheckError> {
    let row = &figures::elision_rows(ctx)[0];
    let mut ev = Evidence::new(format!(
        "{}; reproduced when the unused loop makes no allocator call or runs ≥ 3× faster",
        elision_condition(ctx)
    ));
    add_row(&mut ev, row);
    Ok(Finding::new(
        Verdict::confirmed_if(row.deleted()),
        format!(
            "vec![0u8; 1024] never used: {:.2} ns/op, {}; with black_box: {:.2} ns/op ({:.0}×)",
            row.unused_ns,
            allocs_text(row.unused_allocs),
            row.kept_ns,
            row.ratio()
        ),
        ev,
    ))
}

fn need_counts(p: &PoolFigures) -> Result<(), CheckError> {
    if p.loops.iter().any(|l| l.allocs.is_none()) {
        return Err(CheckError(
            "this check counts allocations: the binary must install \
             perf_workbook::count_allocations!()"
                .into(),
        ));
    }
    Ok(())
}

/// C001-34: seed 001's pool benchmarks "show pooling is cheap".
pub fn c001_34(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = figures::pool_figures(ctx);
    need_counts(p)?;
    let mut ev = Evidence::new(elision_condition(ctx));
    let (tiny, boxing) = (p.get("tiny pool get+put"), p.get("boxing pool get+put"));
    add_loop(&mut ev, tiny, p);
    add_loop(&mut ev, boxing, p);
    let malloc = add_loop(&mut ev, p.get("malloc+free 1024 B"), p);
    let vs = ev.add("owned-buffer pool / malloc+free", tiny.ns / malloc, Unit::Ratio);
    // Judged on counts, which do not depend on the machine's noise: a pool
    // that stores owned buffers never calls the allocator after warm-up.
    let owned_free = tiny.allocs == Some(0.0);
    let boxing_allocates = boxing.allocs.is_some_and(|a| a >= 1.0);
    let verdict = match (owned_free, boxing_allocates) {
        (true, true) => Verdict::unruled_holds_only_when(
            "the pool stores owned buffers; a pool that boxes each buffer it stores \
             (Go's sync.Pool of []byte, seed 001's MemoryPool) allocates on every put",
        ),
        (true, false) => Verdict::Confirmed,
        (false, _) => Verdict::Refuted,
    };
    Ok(Finding::new(
        verdict,
        format!(
            "owned-buffer pool {:.2} ns, {}; boxing pool {:.2} ns, {}; malloc+free \
             {malloc:.2} ns (pool/malloc {vs:.2}×)",
            tiny.ns,
            allocs_text(tiny.allocs),
            boxing.ns,
            allocs_text(boxing.allocs)
        ),
        ev,
    ))
}

/// D44: seed 001's pool benchmarks have no baseline, and `MemoryPool`
/// allocates on every operation.
pub fn d44(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = figures::pool_figures(ctx);
    need_counts(p)?;
    let mut ev = Evidence::new(format!(
        "{}; reproduced when the boxing pool makes ≥ 1 allocator call per get+put",
        elision_condition(ctx)
    ));
    let boxing = p.get("boxing pool get+put");
    add_loop(&mut ev, boxing, p);
    let malloc = add_loop(&mut ev, p.get("malloc+free 1024 B"), p);
    add_loop(&mut ev, p.get("tiny pool get+put"), p);
    let vs =
        ev.add("boxing pool / malloc+free baseline", boxing.ns / malloc, Unit::Ratio);
    Ok(Finding::new(
        Verdict::confirmed_if(boxing.allocs.is_some_and(|a| a >= 1.0)),
        format!(
            "the boxing pool makes {} and runs at {vs:.2}× the malloc+free baseline it \
             never measured beside itself",
            allocs_text(boxing.allocs)
        ),
        ev,
    ))
}

/// How many cycles the seed's 0.40 ns could be at most, and how many the
/// least pool work takes here.
fn sub_ns_evidence(ctx: &Ctx) -> (Evidence, f64, f64, f64) {
    let p = figures::pool_figures(ctx);
    let mut ev = Evidence::new(format!(
        "{}; cycle time from a chain of dependent additions",
        elision_condition(ctx)
    ));
    if let Some(c) = p.cycle_ns {
        ev.add("measured clock, GHz", 1.0 / c, Unit::Count);
        ev.add(
            "0.40 ns in cycles at the measured clock",
            SEED_003_BYTEPOOL_NS / c,
            Unit::Count,
        );
    }
    let budget = ev.add(
        "0.40 ns in cycles at 6 GHz (the most it can be)",
        SEED_003_BYTEPOOL_NS * FASTEST_PLAUSIBLE_GHZ,
        Unit::Count,
    );
    let empty = add_loop(&mut ev, p.get("empty loop (black_box(()) only)"), p);
    let tiny = p.get("tiny pool get+put");
    let pool_ns = add_loop(&mut ev, tiny, p);
    add_loop(&mut ev, p.get("tiny pool get+put, nothing observed"), p);
    // Without a measured clock, compare in nanoseconds at the 6 GHz bound.
    let pool_cycles = p.cycles(pool_ns).unwrap_or(pool_ns * FASTEST_PLAUSIBLE_GHZ);
    (ev, budget, pool_cycles, empty)
}

/// C003-26: "BytePool 0.40 ns/op, 0 B/op, 0 allocs/op".
pub fn c003_26(ctx: &Ctx) -> Result<Finding, CheckError> {
    let (ev, budget, pool_cycles, empty) = sub_ns_evidence(ctx);
    Ok(Finding::new(
        Verdict::confirmed_if(pool_cycles <= budget),
        format!(
            "0.40 ns is at most {budget:.1} cycles; the least a pool can do here (get+put, \
             observed) takes {pool_cycles:.0} cycles; an empty loop takes {empty:.2} ns"
        ),
        ev,
    ))
}

/// D55: a sub-nanosecond pool figure is an empty loop.
pub fn d55(ctx: &Ctx) -> Result<Finding, CheckError> {
    let (mut ev, budget, pool_cycles, empty) = sub_ns_evidence(ctx);
    ev.condition.push_str(
        "; reproduced when only an empty loop body runs under 1 ns/op and a real \
         get+put needs more cycles than 0.40 ns can hold",
    );
    Ok(Finding::new(
        Verdict::confirmed_if(empty < 1.0 && pool_cycles > budget),
        format!(
            "an empty benchmark loop runs at {empty:.2} ns/op, the seed's 0.40 ns; a real \
             get+put takes {pool_cycles:.0} cycles, not ≤ {budget:.1}"
        ),
        ev,
    ))
}
