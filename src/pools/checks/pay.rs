//! Whether pooling pays: allocation counts, the "when does a pool pay"
//! speed-ups, seed 003's 60–80% (C003-11), and the claims about `sync.Pool`
//! and the seeds' absent pool packages, which are static.

use crate::claims::Outcome::{Confirmed, HoldsOnlyWhen, Refuted};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::alloc::measure;
use crate::measure::rng::SplitMix64;
use crate::pools::figures::{self, WORKLOADS};
use crate::pools::object_pool::{BufferRecycler, LocalStore, Pool};
use crate::pools::seed_port::SyncPoolModel;
use crate::pools::size_class::SizeClassPool;
use crate::pools::thread_local::{bytes_get_empty, bytes_put};
use crate::table::{format_bytes, format_ratio};
use std::hint::black_box;

/// A pool "pays" for a workload when glibc takes at least this many times
/// the fastest pool's time.
pub const PAYS_AT: f64 = 1.2;

const POOLED: &str = "allocations per get + put, thread-local pool";
const DIRECT: &str = "allocations per object, Box::new";

/// The figures [`POOL_PAYS`] reads: the counts, then one speed-up per workload.
const POOL_PAYS_INPUTS: [&str; 10] = [
    POOLED,
    DIRECT,
    WORKLOADS[0].speedup,
    WORKLOADS[1].speedup,
    WORKLOADS[2].speedup,
    WORKLOADS[3].speedup,
    WORKLOADS[4].speedup,
    WORKLOADS[5].speedup,
    WORKLOADS[6].speedup,
    WORKLOADS[7].speedup,
];

fn pool_pays(ctx: &Ctx, ev: &mut Evidence) -> Result<String, CheckError> {
    let obj = figures::alloc_counts(ctx)?[0];
    ev.add(POOLED, obj.pooled, Unit::Count);
    ev.add(DIRECT, obj.fresh, Unit::Count);
    let speedups = figures::best_speedups(figures::pay_rows(ctx)?);
    let mut pays = Vec::new();
    for (w, s) in WORKLOADS.iter().zip(speedups) {
        ev.add(w.speedup, s, Unit::Ratio);
        if s >= PAYS_AT {
            pays.push(w.name);
        }
    }
    Ok(format!(
        "{} allocations per get + put instead of {}; the fastest pool is at least {} \
         faster than glibc for {} of {} workloads ({})",
        obj.pooled,
        obj.fresh,
        format_ratio(PAYS_AT),
        pays.len(),
        WORKLOADS.len(),
        if pays.is_empty() { "none".to_string() } else { pays.join(", ") }
    ))
}

fn pool_pays_evidence() -> Evidence {
    Evidence::new(
        "allocations: thread-local pool of 64 B objects against Box::new, counted after \
         one warm-up; speed: glibc's median ns per alloc + free ÷ the fastest pool's per \
         get + put, interleaved rounds, one figure per workload of the `pays` table",
    )
}

/// C000-06: "a generic object pool reduces allocations". Counts the
/// allocations, and times every workload through the pools and glibc.
pub fn c000_06_pool_reduces_allocations(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = pool_pays_evidence();
    let summary = pool_pays(ctx, &mut ev)?;
    Ok(Measured::new(ev, summary))
}

/// C001-36: "use an object pool". The same figures as C000-06.
pub fn c001_36_use_a_pool(ctx: &Ctx) -> Result<Measured, CheckError> {
    c000_06_pool_reduces_allocations(ctx)
}

/// Fills in the ten figures of [`POOL_PAYS`]: the counts, then the speed-ups.
macro_rules! pays {
    ($pooled:expr, $direct:expr; $s0:expr, $s1:expr, $s2:expr, $s3:expr,
     $s4:expr, $s5:expr, $s6:expr, $s7:expr) => {
        &[
            (POOLED, $pooled),
            (DIRECT, $direct),
            (WORKLOADS[0].speedup, $s0),
            (WORKLOADS[1].speedup, $s1),
            (WORKLOADS[2].speedup, $s2),
            (WORKLOADS[3].speedup, $s3),
            (WORKLOADS[4].speedup, $s4),
            (WORKLOADS[5].speedup, $s5),
            (WORKLOADS[6].speedup, $s6),
            (WORKLOADS[7].speedup, $s7),
        ]
    };
}

/// C000-06 and C001-36: a pool that does not save allocations is refuted;
/// one that saves them and pays in every workload is confirmed; in some
/// workloads only, it holds only there, with the best and the worst
/// workload as the two measured sides.
pub const POOL_PAYS: Rule = Rule {
    says: "refuted when the pool makes as many allocations as Box::new, or when no \
           workload's fastest pool beats glibc by pays_at; confirmed when every workload's \
           does; holds only when (the workloads where it does) otherwise",
    inputs: &POOL_PAYS_INPUTS,
    thresholds: &[Threshold {
        name: "pays_at",
        value: PAYS_AT,
        unit: Unit::Ratio,
        source: "convention: a 20% speed-up, beyond the spread of interleaved medians \
                 on a shared 2-CPU machine",
    }],
    decide: |f| {
        if f.get(POOLED) >= f.get(DIRECT) {
            return Verdict::Refuted;
        }
        let at = f.limit("pays_at");
        let s: Vec<(&figures::Workload, f64)> =
            WORKLOADS.iter().map(|w| (w, f.get(w.speedup))).collect();
        let (yes, no): (Vec<_>, Vec<_>) = s.into_iter().partition(|(_, x)| *x >= at);
        if no.is_empty() {
            return Verdict::Confirmed;
        }
        if yes.is_empty() {
            return Verdict::Refuted;
        }
        let names = |v: &[(&figures::Workload, f64)]| {
            v.iter().map(|(w, _)| w.name).collect::<Vec<_>>().join(", ")
        };
        let best = yes.iter().max_by(|a, b| a.1.total_cmp(&b.1)).expect("not empty");
        let worst = no.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("not empty");
        f.holds_only_when(
            format!(
                "the allocator is slow for the workload: the fastest pool is at least \
                 {} faster than glibc for {}; not for {}",
                format_ratio(at),
                names(&yes),
                names(&no)
            ),
            best.0.speedup,
            worst.0.speedup,
        )
    },
    examples: &[
        example(&[(POOLED, 1.0), (DIRECT, 1.0)], Refuted),
        example(pays!(0.0, 1.0; 2.0, 2.0, 1.2, 1.3, 1.5, 80.0, 1.4, 1.3), Confirmed),
        example(pays!(0.0, 1.0; 1.1, 1.0, 0.9, 1.0, 1.0, 1.19, 0.5, 1.0), Refuted),
        example(pays!(0.0, 1.0; 1.9, 2.1, 0.9, 1.0, 1.0, 86.0, 1.3, 1.1), HoldsOnlyWhen),
    ],
};

const CUT_WRITTEN: &str = "allocation cut, bytes written out";
const CUT_COPIED: &str = "allocation cut, bytes copied out";

/// C003-11: "object pooling cuts allocations by 60–80%", measured on the
/// seed's own example: `process()` with and without its `sync.Pool`.
pub fn c003_11_allocation_cut(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::allocation_cut(ctx)?;
    let mut ev = Evidence::new(format!(
        "seed 003's process() (strategy 1, L177-197): a pooled buffer against a fresh \
         one per request, {} requests after one warm-up; each writes {} lines of {} B, \
         then writes the bytes out (w.Write) or copies them out (buf.String()); \
         allocator calls = allocs + reallocs",
        c.requests,
        figures::RESPONSE_LINES,
        figures::LINE
    ));
    ev.add(
        "allocator calls per request, fresh, written out",
        c.fresh_written,
        Unit::Count,
    );
    ev.add(
        "allocator calls per request, pooled, written out",
        c.pooled_written,
        Unit::Count,
    );
    ev.add("allocator calls per request, fresh, copied out", c.fresh_copied, Unit::Count);
    ev.add(
        "allocator calls per request, pooled, copied out",
        c.pooled_copied,
        Unit::Count,
    );
    let w = ev.add(CUT_WRITTEN, c.cut_written(), Unit::Fraction);
    let k = ev.add(CUT_COPIED, c.cut_copied(), Unit::Fraction);
    Ok(Measured::new(
        ev,
        format!(
            "the pool cuts the allocator calls of process() by {:.1}% when the bytes \
             are written out and by {:.1}% when they are copied out",
            w * 100.0,
            k * 100.0
        ),
    ))
}

/// C003-11: confirmed when both ways of using the buffer cut the allocations
/// by the seed's 60–80%, refuted when neither does, holds only when one does.
pub const C003_11: Rule = Rule {
    says: "confirmed when the cut is between min_cut and max_cut both when the buffer's \
           bytes are written out and when they are copied out; refuted when in neither; \
           holds only when (that use) in one",
    inputs: &[CUT_WRITTEN, CUT_COPIED],
    thresholds: &[
        Threshold {
            name: "min_cut",
            value: 0.60,
            unit: Unit::Fraction,
            source: "seed 003 L218: 减少 60-80% 内存分配",
        },
        Threshold {
            name: "max_cut",
            value: 0.80,
            unit: Unit::Fraction,
            source: "seed 003 L218: 减少 60-80% 内存分配",
        },
    ],
    decide: |f| {
        let (lo, hi) = (f.limit("min_cut"), f.limit("max_cut"));
        let within = |x: f64| (lo..=hi).contains(&x);
        match (within(f.get(CUT_WRITTEN)), within(f.get(CUT_COPIED))) {
            (true, true) => Verdict::Confirmed,
            (false, false) => Verdict::Refuted,
            (true, false) => f.holds_only_when(
                "the buffer's bytes are written out, not copied out",
                CUT_WRITTEN,
                CUT_COPIED,
            ),
            (false, true) => f.holds_only_when(
                "the result is copied out of the buffer (buf.String())",
                CUT_COPIED,
                CUT_WRITTEN,
            ),
        }
    },
    examples: &[
        example(&[(CUT_WRITTEN, 0.70), (CUT_COPIED, 0.60)], Confirmed),
        example(&[(CUT_WRITTEN, 1.0), (CUT_COPIED, 0.875)], Refuted),
        example(&[(CUT_WRITTEN, 0.50), (CUT_COPIED, 0.30)], Refuted),
        example(&[(CUT_WRITTEN, 1.0), (CUT_COPIED, 0.75)], HoldsOnlyWhen),
        example(&[(CUT_WRITTEN, 0.80), (CUT_COPIED, 0.59)], HoldsOnlyWhen),
    ],
};

// ------------------------------------------------------------ static checks

/// C001-38: "use `sync.Pool` (of `*bytes.Buffer`)".
pub fn c001_38_sync_pool() -> Verdict {
    Verdict::not_applicable(
        "sync.Pool is a GC-aware, per-P cache that the Go runtime empties at each GC; \
         Rust has no GC and std has no such pool. The Go pattern (a pointer type) is \
         sound in Go.",
        "a thread_local! pool of Vec<u8>, and the sync.Pool model storing a pointer \
         (allocations measured in the evidence)",
    )
}

/// C001-38's analogue: allocations of warm get/put cycles of the model storing
/// a pointer, and of a `thread_local!` `Vec<u8>` pool.
pub fn c001_38_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let cycles = ctx.pick(10_000, 2_000);
    let model = SyncPoolModel::default();
    model.put_pointer(Box::new(Vec::<u8>::with_capacity(1024)));
    let ((), ptr_puts) = measure(|| {
        for _ in 0..cycles {
            let b = model.get_pointer::<Vec<u8>>().expect("one pooled pointer");
            model.put_pointer(b);
        }
    });
    bytes_put(bytes_get_empty(1024));
    let ((), tls) = measure(|| {
        for _ in 0..cycles {
            bytes_put(black_box(bytes_get_empty(1024)));
        }
    });
    let mut ev = Evidence::new(format!("{cycles} get/put cycles after one warm-up"));
    let p = ev.add(
        "allocations, sync.Pool model storing a pointer",
        ptr_puts.allocs as f64,
        Unit::Count,
    );
    let t =
        ev.add("allocations, thread-local Vec<u8> pool", tls.allocs as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{cycles} cycles: {p} allocations storing a pointer, {t} in the Rust pool"
        ),
    ))
}

/// C001-40: "`sync.Pool` reduces GC pressure".
pub fn c001_40_gc_pressure() -> Verdict {
    Verdict::not_applicable(
        "Rust has no garbage collector, so there is no GC pressure to reduce.",
        "malloc/free calls saved by a thread_local! pool (measured in the evidence)",
    )
}

/// C001-40's analogue: allocator calls of 1 KiB buffers, pooled and fresh.
pub fn c001_40_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let cycles = ctx.pick(10_000, 2_000);
    bytes_put(bytes_get_empty(1024));
    let ((), pooled) = measure(|| {
        for _ in 0..cycles {
            bytes_put(black_box(bytes_get_empty(1024)));
        }
    });
    let ((), fresh) = measure(|| {
        for _ in 0..cycles {
            drop(black_box(Vec::<u8>::with_capacity(1024)));
        }
    });
    let mut ev = Evidence::new(format!("{cycles} 1 KiB buffers, after one warm-up"));
    let p = ev.add("malloc calls, thread-local pool", pooled.allocs as f64, Unit::Count);
    let f = ev.add("malloc calls, fresh Vec", fresh.allocs as f64, Unit::Count);
    Ok(Measured::new(ev, format!("{p} malloc calls instead of {f} for {cycles} buffers")))
}

/// C003-09: "frequent allocation causes GC pressure; `sync.Pool` of
/// `*bytes.Buffer` with `Reset` before `Put` fixes it".
pub fn c003_09_gc_pressure() -> Verdict {
    Verdict::not_applicable(
        "GC pressure is a Go-runtime cost; Rust frees at drop and has no collector. \
         The Go code is right for Go: a pointer type, Reset before Put.",
        "a thread_local! Vec<u8> pool with clear() on put, and a capacity cap",
    )
}

/// C003-09's analogue: the pool's allocations, and what a cap does to one
/// oversized buffer.
pub fn c003_09_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let cycles = ctx.pick(10_000, 2_000);
    bytes_put(bytes_get_empty(4096));
    let ((), pooled) = measure(|| {
        for _ in 0..cycles {
            let mut b = bytes_get_empty(4096);
            b.extend_from_slice(b"data");
            bytes_put(black_box(b));
        }
    });
    let d = figures::buffer_pool_costs(ctx)?;
    let mut ev = Evidence::new(format!("{cycles} buffers through the thread-local pool"));
    let a = ev.add(
        "allocations, thread-local pool with clear() on put",
        pooled.allocs as f64,
        Unit::Count,
    );
    ev.add(
        "bytes freed when a 64 MiB buffer is put (cap 1 MiB)",
        d.fixed_freed_on_big_put as f64,
        Unit::Bytes,
    );
    ev.add(
        "bytes an uncapped pool keeps after it",
        d.seed_retained_after_big as f64,
        Unit::Bytes,
    );
    Ok(Measured::new(
        ev,
        format!(
            "{a} allocations for {cycles} buffers; without a cap one 64 MiB request \
             stays pooled ({} kept)",
            format_bytes(d.seed_retained_after_big as f64)
        ),
    ))
}

const ABSENT: &str = "lives at a placeholder import path (github.com/yourusername/…); its \
                      code is not in the seed, so nothing of it can be run.";

/// C003-10: "the project's `GenericPool` (capacity 1000) is recommended".
pub fn c003_10_generic_pool() -> Verdict {
    Verdict::unverifiable(format!("GenericPool {ABSENT}"))
}

/// C003-10's analogue: a Rust pool bounded at 1000 idle objects.
pub fn c003_10_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let pool = Pool::new(
        LocalStore::with_bound(1000),
        BufferRecycler { initial_capacity: 64, max_capacity: 4096 },
    );
    let mut held: Vec<Vec<u8>> = (0..1500).map(|_| pool.take()).collect();
    let ((), c) = measure(|| held.drain(..).for_each(|b| pool.put(b)));
    let mut ev = Evidence::new("a pool bounded at 1000 idle objects, 1500 returned");
    let idle = ev.add("idle objects kept", pool.idle() as f64, Unit::Count);
    let freed = ev.add("objects freed on return", c.frees as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!("a pool bounded at 1000 keeps {idle} of 1500, frees {freed}"),
    ))
}

/// C003-25: "the project's BytePool is zero-allocation; levels 1 KB–8 KB".
pub fn c003_25_byte_pool() -> Verdict {
    Verdict::unverifiable(format!("BytePool {ABSENT}"))
}

/// C003-25's analogue: a size-class pool over 1 … 8 KiB in steady state.
pub fn c003_25_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let n = ctx.pick(10_000, 2_000);
    let pool = SizeClassPool::local(1024, 8192, 16);
    let mut rng = SplitMix64::new(25);
    let sizes: Vec<usize> = (0..n).map(|_| rng.below(8192) + 1).collect();
    for class in 0..pool.classes() {
        pool.put(pool.get(pool.class_size(class))); // one idle buffer per class
    }
    let ((), c) = measure(|| {
        for &size in &sizes {
            pool.put(black_box(pool.get(size)));
        }
    });
    let mut ev = Evidence::new(format!(
        "SizeClassPool 1 KiB … 8 KiB, {n} get/put of sizes 1 … 8192 after warm-up"
    ));
    let a = ev.add("allocations in steady state", c.allocs as f64, Unit::Count);
    ev.add("classes", pool.classes() as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!("a size-class pool over 1 … 8 KiB: {a} allocations in {n} get/put"),
    ))
}

/// C003-34: "`GenericPool.Get`: 171.8 ns/op, 0 B/op".
pub fn c003_34_generic_pool_speed() -> Verdict {
    Verdict::unverifiable(format!("GenericPool and its benchmark: the package {ABSENT}"))
}

fn pool_times(
    ctx: &Ctx,
    workload: usize,
    ev: &mut Evidence,
) -> Result<String, CheckError> {
    let mut parts = Vec::new();
    for r in figures::pay_rows(ctx)?.iter().filter(|r| r.workload == workload) {
        let name = format!("get + put, {}, {}", WORKLOADS[workload].name, r.pool);
        ev.add(name, r.pool_ns, Unit::Nanos);
        parts.push(format!("{} {:.1} ns", r.pool, r.pool_ns));
    }
    Ok(parts.join(", "))
}

/// C003-34's analogue: our pools' get + put of a 64-byte object (the `pays` rows).
pub fn c003_34_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev =
        Evidence::new("get + put of a 64-byte object, median of interleaved rounds");
    let s = pool_times(ctx, 0, &mut ev)?;
    Ok(Measured::new(ev, format!("Rust pools, get + put: {s}")))
}

/// C003-35: "`PoolManager`: 200 ns/op, 0 B/op".
pub fn c003_35_pool_manager_speed() -> Verdict {
    Verdict::unverifiable(format!("PoolManager and its benchmark: the package {ABSENT}"))
}

/// C003-35's analogue: the size-class pool's get + put at 4 KiB and 64 KiB.
pub fn c003_35_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = Evidence::new(
        "the pools' get + put of buffers written once per page (size-class pool; \
         at 4 KiB also thread_local_pool!)",
    );
    let small = pool_times(ctx, 2, &mut ev)?;
    let large = pool_times(ctx, 3, &mut ev)?;
    Ok(Measured::new(ev, format!("4 KiB: {small}; 64 KiB: {large}")))
}
