//! Checks of the seeds' benchmarks, judged by running faithful ports beside
//! honest versions: what their loops would measure (C000-27, C000-28,
//! C001-33, C001-34, C003-26; defects D27, D28, D43, D44, D55).

use super::super::elision::DELETED_RATIO;
use super::super::figures::{self, ElisionRow, LoopFigure, PoolFigures};
use super::super::loopback::TransferCpu;
use super::super::seed_numbers::{FASTEST_PLAUSIBLE_GHZ, SEED_003_BYTEPOOL_NS};
use crate::claims::{
    CheckError, Ctx, Evidence, Facts, Measured, Outcome::*, Rule, Threshold, Unit,
    Verdict, example,
};
use crate::measure::machine::build_profile;
use crate::table::{format_bytes, format_nanos, format_ratio};

fn elision_condition(ctx: &Ctx) -> String {
    let (rounds, iters) = figures::loop_sizes(ctx);
    format!(
        "median of {rounds} round-robin repetitions of {iters} iterations each; loops \
         compiled in the library ({}); allocator calls counted exactly when the counting \
         allocator is installed",
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

// ---------------------------------------------------------------- transfer

fn transfer_evidence(t: &TransferCpu) -> Evidence {
    let mut ev = Evidence::new(format!(
        "{} transfers of {} over 127.0.0.1, one connection each, the server writing \
         from memory; CPU per thread from CLOCK_THREAD_CPUTIME_ID; {}",
        t.rounds,
        format_bytes(t.bytes as f64),
        build_profile()
    ));
    let per = |d: std::time::Duration| d.as_nanos() as f64 / t.rounds as f64;
    ev.add("server CPU per transfer (accept + write)", per(t.server_cpu), Unit::Nanos);
    ev.add("client CPU per transfer (connect + read)", per(t.client_cpu), Unit::Nanos);
    ev.add("client wall time per transfer", per(t.wall), Unit::Nanos);
    ev.add(CLIENT_SHARE, t.client_share(), Unit::Fraction);
    ev.add(
        "largest speedup visible if the server side cost nothing",
        t.max_visible_speedup(),
        Unit::Ratio,
    );
    ev
}

fn transfer_summary(t: &TransferCpu) -> String {
    format!(
        "a client-timed 1 MiB loopback transfer spends {:.0}% of its CPU in the client, so \
         a free server copy path would show at most {}",
        t.client_share() * 100.0,
        format_ratio(t.max_visible_speedup())
    )
}

/// C000-27: seed 000's zero-copy benchmark cannot run.
pub fn c000_27_helpers_undefined() -> Verdict {
    Verdict::unverifiable(
        "transferFileZeroCopy, transferFileTraditional, createTestFile and \
         startTestServer are not defined in the seed, so the benchmark cannot run",
    )
}

/// C000-27's analogue: what a client-timed transfer would time.
pub fn c000_27_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = figures::transfer(ctx)?;
    Ok(Measured::new(transfer_evidence(t), transfer_summary(t)))
}

const CLIENT_SHARE: &str = "client share of the CPU time";

/// D27: the transfer benchmark times the client and loopback, not the server.
pub fn d27_client_timed(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = figures::transfer(ctx)?;
    Ok(Measured::new(transfer_evidence(t), transfer_summary(t)))
}

/// Reproduced when the client does at least `min_client_share` of the work.
pub const D27: Rule = Rule {
    says: "reproduced when the client does at least min_client_share of the CPU work a \
           client-timed benchmark measures",
    inputs: &[CLIENT_SHARE],
    thresholds: &[Threshold {
        name: "min_client_share",
        value: 0.2,
        unit: Unit::Fraction,
        source: "convention: with a fifth of the timed work in the client, a server-side \
                 change shows at most 5× in the client's figure",
    }],
    decide: |f| f.confirmed_if(f.get(CLIENT_SHARE) >= f.limit("min_client_share")),
    examples: &[
        example(&[(CLIENT_SHARE, 0.28)], Confirmed),
        example(&[(CLIENT_SHARE, 0.2)], Confirmed),
        example(&[(CLIENT_SHARE, 0.05)], Refuted),
    ],
};

// ---------------------------------------------------------------- elision

const VEC_UNUSED_ALLOCS: &str = "vec![0u8; 1024], unused: allocator calls/op";
const VEC_RATIO: &str = "vec![0u8; 1024]: black_box / unused";
const CAP_UNUSED_ALLOCS: &str = "with_capacity(1024) + 9 B, unused: allocator calls/op";
const CAP_RATIO: &str = "with_capacity(1024) + 9 B: black_box / unused";

const DELETED: Threshold = Threshold {
    name: "deleted_ratio",
    value: DELETED_RATIO,
    unit: Unit::Ratio,
    source: "convention: a body that runs 3× faster than the same body kept does less \
             than a third of its work",
};

/// The body of the unused loop was deleted: it makes no allocator call
/// (where counted), or runs at least `deleted_ratio` × faster than kept.
fn deleted(f: &Facts<'_>, allocs: &str, ratio: &str) -> bool {
    (f.has(allocs) && f.get(allocs) == 0.0) || f.get(ratio) >= f.limit("deleted_ratio")
}

fn elision_measured(ctx: &Ctx, row: &ElisionRow, summary: String) -> Measured {
    let mut ev = Evidence::new(elision_condition(ctx));
    add_row(&mut ev, row);
    Measured::new(ev, summary)
}

/// C001-33: does `BenchmarkMemoryAllocation` measure `make([]byte, 1024)`?
pub fn c001_33_make_1024(ctx: &Ctx) -> Result<Measured, CheckError> {
    let row = &figures::elision_rows(ctx)[0];
    let summary = format!(
        "the loop as written takes {} ({}); allocating for real takes {}",
        format_nanos(row.unused_ns),
        allocs_text(row.unused_allocs),
        format_nanos(row.kept_ns)
    );
    Ok(elision_measured(ctx, row, summary))
}

/// Confirmed when the loop as written really allocates.
pub const C001_33: Rule = Rule {
    says: "confirmed when the loop as written does its allocation: it calls the allocator \
           (where counted) and runs less than deleted_ratio × faster than with black_box",
    inputs: &[VEC_UNUSED_ALLOCS, VEC_RATIO],
    thresholds: &[DELETED],
    decide: |f| f.confirmed_if(!deleted(f, VEC_UNUSED_ALLOCS, VEC_RATIO)),
    examples: &[
        example(&[(VEC_UNUSED_ALLOCS, 0.0), (VEC_RATIO, 23.0)], Refuted),
        example(&[(VEC_UNUSED_ALLOCS, 1.0), (VEC_RATIO, 10.0)], Refuted),
        example(&[(VEC_UNUSED_ALLOCS, 1.0), (VEC_RATIO, 1.02)], Confirmed),
        example(&[(VEC_RATIO, 1.1)], Confirmed),
    ],
};

/// D43: the same benchmark, as a defect.
pub fn d43_measures_nothing(ctx: &Ctx) -> Result<Measured, CheckError> {
    let row = &figures::elision_rows(ctx)[0];
    let summary = format!(
        "vec![0u8; 1024] never used: {}, {}; with black_box: {} ({})",
        format_nanos(row.unused_ns),
        allocs_text(row.unused_allocs),
        format_nanos(row.kept_ns),
        format_ratio(row.ratio())
    );
    Ok(elision_measured(ctx, row, summary))
}

/// Reproduced when the loop's body was deleted.
pub const D43: Rule = Rule {
    says: "reproduced when the unused loop makes no allocator call (where counted) or runs \
           at least deleted_ratio × faster than with black_box",
    inputs: &[VEC_UNUSED_ALLOCS, VEC_RATIO],
    thresholds: &[DELETED],
    decide: |f| f.confirmed_if(deleted(f, VEC_UNUSED_ALLOCS, VEC_RATIO)),
    examples: &[
        example(&[(VEC_UNUSED_ALLOCS, 0.0), (VEC_RATIO, 23.0)], Confirmed),
        example(&[(VEC_UNUSED_ALLOCS, 1.0), (VEC_RATIO, 10.0)], Confirmed),
        example(&[(VEC_UNUSED_ALLOCS, 1.0), (VEC_RATIO, 1.02)], Refuted),
    ],
};

/// D28: the direct loop of seed 000's allocation benchmark measures nothing.
pub fn d28_direct_deleted(ctx: &Ctx) -> Result<Measured, CheckError> {
    let row = &figures::elision_rows(ctx)[1];
    let p = figures::pool_figures(ctx);
    let mut ev = Evidence::new(elision_condition(ctx));
    add_row(&mut ev, row);
    let boxing = p.get("boxing pool get+put");
    add_loop(&mut ev, boxing, p);
    Ok(Measured::new(
        ev,
        format!(
            "direct loop as written: {} ({}) vs {} kept; a pool that boxes each buffer \
             (Go's sync.Pool of []byte): {}",
            format_nanos(row.unused_ns),
            allocs_text(row.unused_allocs),
            format_nanos(row.kept_ns),
            allocs_text(boxing.allocs)
        ),
    ))
}

/// Reproduced when the direct loop's body was deleted.
pub const D28: Rule = Rule {
    says: "reproduced when the direct loop as written makes no allocator call (where \
           counted) or runs at least deleted_ratio × faster than with black_box",
    inputs: &[CAP_UNUSED_ALLOCS, CAP_RATIO],
    thresholds: &[DELETED],
    decide: |f| f.confirmed_if(deleted(f, CAP_UNUSED_ALLOCS, CAP_RATIO)),
    examples: &[
        example(&[(CAP_UNUSED_ALLOCS, 0.0), (CAP_RATIO, 9.0)], Confirmed),
        example(&[(CAP_UNUSED_ALLOCS, 1.0), (CAP_RATIO, 1.0)], Refuted),
        example(&[(CAP_RATIO, 4.0)], Confirmed),
    ],
};

// ---------------------------------------------------------------- pools

const POOL_APPEND_NS: &str = "tiny pool get+append 9 B+put: ns/op";
const DIRECT_KEPT_NS: &str = "direct with_capacity(1024)+9 B, kept: ns/op";
const DIRECT_UNUSED_NS: &str = "direct with_capacity(1024)+9 B, unused: ns/op";

/// C000-28: the pool-vs-direct benchmark of seed 000 §1.5.2.
pub fn c000_28_pool_vs_direct(ctx: &Ctx) -> Result<Measured, CheckError> {
    let p = figures::pool_figures(ctx);
    let mut ev = Evidence::new(elision_condition(ctx));
    let pool = add_loop(&mut ev, p.get("tiny pool get+append 9 B+put"), p);
    let kept = add_loop(&mut ev, p.get("direct with_capacity(1024)+9 B, kept"), p);
    let unused_fig = p.get("direct with_capacity(1024)+9 B, unused");
    let unused = add_loop(&mut ev, unused_fig, p);
    Ok(Measured::new(
        ev,
        format!(
            "pool {} vs direct {} with black_box; the direct loop as written takes {} ({})",
            format_nanos(pool),
            format_nanos(kept),
            format_nanos(unused),
            allocs_text(unused_fig.allocs)
        ),
    ))
}

/// Confirmed when the pool beats the direct buffer, both as written and kept.
pub const C000_28: Rule = Rule {
    says: "refuted when the pool is not faster than the direct buffer kept with black_box; \
           confirmed when it also beats the direct loop as written; holds only when the \
           buffer is kept if the loop as written looks at least as fast as the pool",
    inputs: &[POOL_APPEND_NS, DIRECT_KEPT_NS, DIRECT_UNUSED_NS],
    thresholds: &[],
    decide: |f| {
        let pool = f.get(POOL_APPEND_NS);
        if pool >= f.get(DIRECT_KEPT_NS) {
            Verdict::Refuted
        } else if f.get(DIRECT_UNUSED_NS) <= pool {
            f.holds_only_when(
                "the direct buffer is kept alive with black_box; as written, its \
                 allocation is deleted and the direct loop looks at least as fast as the pool",
                DIRECT_KEPT_NS,
                DIRECT_UNUSED_NS,
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(
            &[(POOL_APPEND_NS, 7.0), (DIRECT_KEPT_NS, 12.0), (DIRECT_UNUSED_NS, 1.3)],
            HoldsOnlyWhen,
        ),
        example(
            &[(POOL_APPEND_NS, 7.0), (DIRECT_KEPT_NS, 12.0), (DIRECT_UNUSED_NS, 12.0)],
            Confirmed,
        ),
        example(&[(POOL_APPEND_NS, 13.0), (DIRECT_KEPT_NS, 12.0)], Refuted),
    ],
};

const TINY_ALLOCS: &str = "tiny pool get+put: allocator calls/op";
const BOXING_ALLOCS: &str = "boxing pool get+put: allocator calls/op";

/// C001-34: seed 001's pool benchmarks "show pooling is cheap".
pub fn c001_34_pools_cheap(ctx: &Ctx) -> Result<Measured, CheckError> {
    let p = figures::pool_figures(ctx);
    need_counts(p)?;
    let mut ev = Evidence::new(elision_condition(ctx));
    let (tiny, boxing) = (p.get("tiny pool get+put"), p.get("boxing pool get+put"));
    add_loop(&mut ev, tiny, p);
    add_loop(&mut ev, boxing, p);
    let malloc = add_loop(&mut ev, p.get("malloc+free 1024 B"), p);
    let vs = ev.add("owned-buffer pool / malloc+free", tiny.ns / malloc, Unit::Ratio);
    Ok(Measured::new(
        ev,
        format!(
            "owned-buffer pool {}, {}; boxing pool {}, {}; malloc+free {} (pool/malloc {})",
            format_nanos(tiny.ns),
            allocs_text(tiny.allocs),
            format_nanos(boxing.ns),
            allocs_text(boxing.allocs),
            format_nanos(malloc),
            format_ratio(vs)
        ),
    ))
}

/// Judged on counts: a pool of owned buffers never calls the allocator after
/// warm-up; a pool that boxes what it stores calls it on every put.
pub const C001_34: Rule = Rule {
    says: "refuted when the owned-buffer pool calls the allocator after warm-up; holds \
           only when the pool stores owned buffers if the boxing pool calls it at least \
           once per get+put; confirmed when neither does",
    inputs: &[TINY_ALLOCS, BOXING_ALLOCS],
    thresholds: &[],
    decide: |f| {
        if f.get(TINY_ALLOCS) != 0.0 {
            Verdict::Refuted
        } else if f.get(BOXING_ALLOCS) >= 1.0 {
            f.holds_only_when(
                "the pool stores owned buffers; a pool that boxes each buffer it stores \
                 (Go's sync.Pool of []byte, seed 001's MemoryPool) allocates on every put",
                TINY_ALLOCS,
                BOXING_ALLOCS,
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(&[(TINY_ALLOCS, 0.0), (BOXING_ALLOCS, 1.0)], HoldsOnlyWhen),
        example(&[(TINY_ALLOCS, 0.0), (BOXING_ALLOCS, 0.0)], Confirmed),
        example(&[(TINY_ALLOCS, 1.0)], Refuted),
    ],
};

/// D44: seed 001's pool benchmarks have no baseline, and `MemoryPool`
/// allocates on every operation.
pub fn d44_boxing_pool_allocates(ctx: &Ctx) -> Result<Measured, CheckError> {
    let p = figures::pool_figures(ctx);
    need_counts(p)?;
    let mut ev = Evidence::new(elision_condition(ctx));
    let boxing = p.get("boxing pool get+put");
    add_loop(&mut ev, boxing, p);
    let malloc = add_loop(&mut ev, p.get("malloc+free 1024 B"), p);
    add_loop(&mut ev, p.get("tiny pool get+put"), p);
    let vs =
        ev.add("boxing pool / malloc+free baseline", boxing.ns / malloc, Unit::Ratio);
    Ok(Measured::new(
        ev,
        format!(
            "the boxing pool makes {} and runs at {} the malloc+free baseline it never \
             measured beside itself",
            allocs_text(boxing.allocs),
            format_ratio(vs)
        ),
    ))
}

/// Reproduced when the boxing pool calls the allocator on every get+put.
pub const D44: Rule = Rule {
    says: "reproduced when the boxing pool makes at least box_per_put allocator calls per \
           get+put",
    inputs: &[BOXING_ALLOCS],
    thresholds: &[Threshold {
        name: "box_per_put",
        value: 1.0,
        unit: Unit::Count,
        source: "one box per put: the allocation a pool exists to avoid",
    }],
    decide: |f| f.confirmed_if(f.get(BOXING_ALLOCS) >= f.limit("box_per_put")),
    examples: &[
        example(&[(BOXING_ALLOCS, 1.0)], Confirmed),
        example(&[(BOXING_ALLOCS, 0.0)], Refuted),
    ],
};

// ---------------------------------------------------------------- sub-nanosecond

const POOL_CYCLES: &str = "least pool work (tiny pool get+put, observed): cycles/op";
const EMPTY_CYCLES: &str = "empty loop: cycles/op";

/// The seed's 0.40 ns at the fastest clock a core sustains.
const SEED_CYCLES: Threshold = Threshold {
    name: "seed_cycles",
    value: SEED_003_BYTEPOOL_NS * FASTEST_PLAUSIBLE_GHZ,
    unit: Unit::Count,
    source: "seed 003 L357 and L478: 0.40 ns/op, in cycles at 6 GHz, a clock no shipping \
             core sustains (the most cycles 0.40 ns can be)",
};

/// How many cycles the least pool work and an empty loop take here.
fn sub_ns_evidence(ctx: &Ctx) -> (Evidence, f64, f64) {
    let p = figures::pool_figures(ctx);
    let mut ev = Evidence::new(format!(
        "{}; cycle time from a chain of dependent additions (cycles at 6 GHz where it \
         is not measured)",
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
    let empty = add_loop(&mut ev, p.get("empty loop (black_box(()) only)"), p);
    let pool = add_loop(&mut ev, p.get("tiny pool get+put"), p);
    add_loop(&mut ev, p.get("tiny pool get+put, nothing observed"), p);
    let empty_cycles = ev.add(EMPTY_CYCLES, p.cycles_or_most(empty), Unit::Count);
    let pool_cycles = ev.add(POOL_CYCLES, p.cycles_or_most(pool), Unit::Count);
    (ev, empty_cycles, pool_cycles)
}

/// C003-26: "BytePool 0.40 ns/op, 0 B/op, 0 allocs/op".
pub fn c003_26_sub_ns_pool(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, _, pool_cycles) = sub_ns_evidence(ctx);
    Ok(Measured::new(
        ev,
        format!(
            "0.40 ns is at most {:.1} cycles; the least a pool can do here (get+put, \
             observed) takes {pool_cycles:.1} cycles",
            SEED_CYCLES.value
        ),
    ))
}

/// Confirmed when the least pool work fits in the seed's figure.
pub const C003_26: Rule = Rule {
    says: "confirmed when the least a pool can do (get+put, observed) takes at most \
           seed_cycles cycles",
    inputs: &[POOL_CYCLES],
    thresholds: &[SEED_CYCLES],
    decide: |f| f.confirmed_if(f.get(POOL_CYCLES) <= f.limit("seed_cycles")),
    examples: &[
        example(&[(POOL_CYCLES, 25.0)], Refuted),
        example(&[(POOL_CYCLES, 2.0)], Confirmed),
    ],
};

/// D55: a sub-nanosecond pool figure is an empty loop.
pub fn d55_empty_loop(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, empty_cycles, pool_cycles) = sub_ns_evidence(ctx);
    let empty_ns = figures::pool_figures(ctx).get("empty loop (black_box(()) only)").ns;
    Ok(Measured::new(
        ev,
        format!(
            "an empty benchmark loop runs at {} ({empty_cycles:.1} cycles); the seed's \
             0.40 ns is at most {:.1} cycles; a real get+put takes {pool_cycles:.1} cycles",
            format_nanos(empty_ns),
            SEED_CYCLES.value
        ),
    ))
}

/// Reproduced when only an empty loop fits in the seed's figure.
pub const D55: Rule = Rule {
    says: "reproduced when an empty loop fits in seed_cycles cycles and a real get+put \
           does not",
    inputs: &[EMPTY_CYCLES, POOL_CYCLES],
    thresholds: &[SEED_CYCLES],
    decide: |f| {
        let budget = f.limit("seed_cycles");
        f.confirmed_if(f.get(EMPTY_CYCLES) <= budget && f.get(POOL_CYCLES) > budget)
    },
    examples: &[
        example(&[(EMPTY_CYCLES, 1.0), (POOL_CYCLES, 25.0)], Confirmed),
        example(&[(EMPTY_CYCLES, 1.0), (POOL_CYCLES, 2.0)], Refuted),
        example(&[(EMPTY_CYCLES, 4.0), (POOL_CYCLES, 25.0)], Refuted),
    ],
};
