//! Claim checks on whether pooling is worth it: allocation counts, the
//! "when does a pool pay" timings, and the claims about `sync.Pool` and the
//! seeds' missing pool packages. Each measures, then decides.

use super::CheckResult;
use crate::claims::{Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::alloc::measure;
use crate::pools::demos;
use crate::pools::object_pool::{BufferRecycler, LocalStore, Obj64, Pool};
use crate::pools::pays::{self, Outcome, PayRow};
use crate::pools::seed_ports::SyncPoolModel;
use crate::pools::size_class::SizeClassPool;
use crate::pools::thread_local::{OBJ64_POOL, bytes_get_empty, bytes_put};
use crate::pools::workloads;
use std::hint::black_box;

/// Allocations of `cycles` thread-local pool get/put cycles (after one
/// warm-up) and of `cycles` `Box::new` of the same 64-byte object.
fn obj64_alloc_counts(cycles: u64) -> (u64, u64) {
    drop(OBJ64_POOL.get());
    let ((), pooled) = measure(|| workloads::obj64_tls(cycles));
    let ((), direct) = measure(|| {
        for i in 0..cycles {
            black_box(Box::new(Obj64 { words: [i; 8] }));
        }
    });
    (pooled.allocs, direct.allocs)
}

fn list(rows: &[&PayRow]) -> String {
    if rows.is_empty() {
        return "none".into();
    }
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            let x = r.speedup();
            if x >= 1.0 {
                format!("{} ({x:.1}× faster)", r.short_label())
            } else {
                format!("{} ({:.1}× slower)", r.short_label(), 1.0 / x)
            }
        })
        .collect();
    items.join("; ")
}

/// Records every row's speed-up and returns the verdict "a pool helps":
/// confirmed if it pays everywhere, refuted if allocations were not saved,
/// otherwise holds only where it pays.
fn pool_pays_verdict(
    ctx: &Ctx,
    ev: &mut Evidence,
    allocs_saved: bool,
) -> (Verdict, usize, usize, usize) {
    let rows = pays::measured_with_glibc(ctx);
    for r in rows {
        ev.add(
            format!("pool speed-up vs fastest allocator: {}", r.label()),
            r.speedup(),
            Unit::Ratio,
        );
    }
    let pays: Vec<&PayRow> =
        rows.iter().filter(|r| r.outcome() == Outcome::Pays).collect();
    let loses: Vec<&PayRow> =
        rows.iter().filter(|r| r.outcome() == Outcome::Loses).collect();
    let verdict = if !allocs_saved {
        Verdict::Refuted
    } else if pays.len() == rows.len() {
        Verdict::Confirmed
    } else {
        Verdict::unruled_holds_only_when(format!(
            "the allocator is slow for the workload: a pool is ≥ {}× faster than glibc for {}; \
             it is ≥ {}× slower for {}",
            pays::PAYS_AT,
            list(&pays),
            pays::PAYS_AT,
            list(&loses)
        ))
    };
    (verdict, pays.len(), loses.len(), rows.len())
}

pub(crate) fn c000_06(ctx: &Ctx) -> CheckResult {
    let cycles = ctx.pick(10_000, 2_000);
    let mut ev = Evidence::new(format!(
        "{cycles} get/put cycles of a 64-byte object after one warm-up (counting \
         allocator); speed: every workload of `pays`, pool vs glibc malloc called \
         through System, median of interleaved rounds, speed-up ≥ {} counts",
        pays::PAYS_AT
    ));
    let (pooled, direct) = obj64_alloc_counts(cycles);
    ev.add("allocations, thread-local pool", pooled as f64, Unit::Count);
    ev.add("allocations, Box::new each time", direct as f64, Unit::Count);
    let saved = pooled == 0 && direct >= cycles;
    let (verdict, p, l, n) = pool_pays_verdict(ctx, &mut ev, saved);
    Ok(Finding::new(
        verdict,
        format!(
            "{pooled} allocations instead of {direct} per {cycles} cycles; faster than \
             glibc in {p} of {n} workloads, slower in {l}"
        ),
        ev,
    ))
}

pub(crate) fn c001_36(ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(format!(
        "every workload of `pays`, pool vs glibc malloc through System, speed-up ≥ {} counts",
        pays::PAYS_AT
    ));
    let (pooled, direct) = obj64_alloc_counts(ctx.pick(10_000, 2_000));
    let (verdict, p, l, n) = pool_pays_verdict(ctx, &mut ev, pooled == 0 && direct > 0);
    Ok(Finding::new(
        verdict,
        format!("a pool is faster than glibc in {p} of {n} workloads and slower in {l}"),
        ev,
    ))
}

pub(crate) fn c001_38(ctx: &Ctx) -> CheckResult {
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
    ev.add(
        "allocations, sync.Pool model storing a pointer",
        ptr_puts.allocs as f64,
        Unit::Count,
    );
    ev.add("allocations, thread-local Vec<u8> pool", tls.allocs as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::not_applicable(
            "sync.Pool is a GC-aware, per-P cache that the runtime empties at each GC; \
             Rust has no GC and std has no such pool.",
            "a thread_local! pool of Vec<u8> (measured in the evidence)",
        ),
        format!(
            "the Go pattern is sound with pointers ({} allocations per {cycles} cycles \
             in the model); the Rust analogue makes {}",
            ptr_puts.allocs, tls.allocs
        ),
        ev,
    ))
}

pub(crate) fn c001_40(ctx: &Ctx) -> CheckResult {
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
    ev.add("malloc calls, thread-local pool", pooled.allocs as f64, Unit::Count);
    ev.add("malloc calls, fresh Vec", fresh.allocs as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::not_applicable(
            "Rust has no garbage collector, so there is no GC pressure to reduce.",
            "malloc/free calls saved (measured in the evidence)",
        ),
        format!(
            "what a Rust pool saves is allocator calls: {} instead of {} for {cycles} buffers",
            pooled.allocs, fresh.allocs
        ),
        ev,
    ))
}

pub(crate) fn c003_09(ctx: &Ctx) -> CheckResult {
    let cycles = ctx.pick(10_000, 2_000);
    bytes_put(bytes_get_empty(4096));
    let ((), pooled) = measure(|| {
        for _ in 0..cycles {
            let mut b = bytes_get_empty(4096);
            b.extend_from_slice(b"data");
            bytes_put(black_box(b));
        }
    });
    let d = demos::buffer_pool_costs(100);
    let mut ev = Evidence::new(format!("{cycles} buffers through the thread-local pool"));
    ev.add(
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
    Ok(Finding::new(
        Verdict::not_applicable(
            "GC pressure is a Go-runtime cost; Rust frees at drop and has no collector. \
             The Go code is right for Go: a pointer type, Reset before Put.",
            "a thread_local! Vec<u8> pool with clear() on put and a capacity cap",
        ),
        format!(
            "the Rust analogue makes {} allocations for {cycles} buffers; without a cap \
             one 64 MiB request stays pooled ({} kept)",
            pooled.allocs,
            crate::table::format_bytes(d.seed_retained_after_big as f64)
        ),
        ev,
    ))
}

pub(crate) fn c003_10(_ctx: &Ctx) -> CheckResult {
    let pool = Pool::new(
        LocalStore::with_bound(1000),
        BufferRecycler { initial_capacity: 64, max_capacity: 4096 },
    );
    let mut held: Vec<Vec<u8>> = (0..1500).map(|_| pool.take()).collect();
    let ((), c) = measure(|| held.drain(..).for_each(|b| pool.put(b)));
    let mut ev =
        Evidence::new("analogue: a pool bounded at 1000 idle objects, 1500 returned");
    let idle = ev.add("idle objects kept", pool.idle() as f64, Unit::Count);
    ev.add("objects freed on return", c.frees as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::unverifiable(
            "GenericPool lives at a placeholder import path (github.com/yourusername/…); \
             its code is not in the seed.",
        ),
        format!(
            "a Rust pool with the same bound keeps {idle} of 1500 and frees {}",
            c.frees
        ),
        ev,
    ))
}

/// One request: two buffers that can be pooled, plus `others` small strings.
fn request(others: usize, get: &dyn Fn(usize) -> Vec<u8>, put: &dyn Fn(Vec<u8>)) {
    let mut read = get(4096);
    read.extend_from_slice(b"GET /index.html");
    let mut reply = get(1024);
    reply.extend_from_slice(b"200 OK");
    for i in 0..others {
        black_box(format!("header-{i}"));
    }
    put(black_box(read));
    put(black_box(reply));
}

pub(crate) fn c003_11(ctx: &Ctx) -> CheckResult {
    let n = ctx.pick(1000, 200);
    let mut ev = Evidence::new(format!(
        "{n} requests, each with two poolable buffers (4 KiB, 1 KiB) and k other \
         allocations; thread-local size-class pool vs fresh Vec"
    ));
    bytes_put(bytes_get_empty(4096));
    bytes_put(bytes_get_empty(1024));
    let mut tracks = true;
    let mut in_range = true;
    let mut parts = Vec::new();
    for k in [0usize, 1, 3, 8] {
        let fresh_get = |s: usize| Vec::with_capacity(s);
        let fresh_put = |b: Vec<u8>| drop(b);
        let ((), plain) =
            measure(|| (0..n).for_each(|_| request(k, &fresh_get, &fresh_put)));
        let ((), pooled) =
            measure(|| (0..n).for_each(|_| request(k, &bytes_get_empty, &bytes_put)));
        let cut = 1.0 - pooled.allocs as f64 / plain.allocs as f64;
        let share = 2.0 / (2 + k) as f64;
        ev.add(
            format!("allocation cut, k = {k} (pooled share {:.0}%)", share * 100.0),
            cut,
            Unit::Fraction,
        );
        tracks &= (cut - share).abs() < 0.01;
        in_range &= (0.6..=0.8).contains(&cut);
        parts.push(format!("{:.0}%", cut * 100.0));
    }
    let verdict = if in_range {
        Verdict::Confirmed
    } else if tracks {
        Verdict::unruled_holds_only_when(
            "the pooled objects make 60–80% of the workload's allocations: the cut \
             equals the pool's share of them, whatever that share is",
        )
    } else {
        Verdict::Refuted
    };
    Ok(Finding::new(
        verdict,
        format!(
            "allocations cut by {} for pooled shares 100% / 67% / 40% / 20%",
            parts.join(" / ")
        ),
        ev,
    ))
}

pub(crate) fn c003_25(ctx: &Ctx) -> CheckResult {
    let n = ctx.pick(10_000, 2_000);
    let pool = SizeClassPool::local(1024, 8192, 16);
    let size = |i: u64| (i.wrapping_mul(2_654_435_761) % 8192 + 1) as usize;
    for class in 0..pool.classes() {
        pool.put(pool.get(pool.class_size(class))); // one idle buffer per class
    }
    let ((), c) = measure(|| {
        for i in 0..n {
            pool.put(black_box(pool.get(size(i))));
        }
    });
    let mut ev = Evidence::new(format!(
        "analogue: SizeClassPool 1 KiB … 8 KiB, {n} get/put of sizes 1 … 8192 after warm-up"
    ));
    ev.add("allocations in steady state", c.allocs as f64, Unit::Count);
    ev.add("classes", pool.classes() as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::unverifiable(
            "BytePool's code is not in the seed (placeholder import path).",
        ),
        format!(
            "a Rust size-class pool over 1 … 8 KiB makes {} allocations in {n} get/put",
            c.allocs
        ),
        ev,
    ))
}

fn timing_analogue(ctx: &Ctx, workload_prefix: &str, ev: &mut Evidence) -> Vec<String> {
    pays::measured_with_glibc(ctx)
        .iter()
        .filter(|r| r.workload.starts_with(workload_prefix))
        .map(|r| {
            ev.add(format!("get+put, {}", r.label()), r.pool_ns, Unit::Nanos);
            format!("{} {:.1} ns", r.pool, r.pool_ns)
        })
        .collect()
}

pub(crate) fn c003_34(ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "analogue: get + put of a 64-byte object, median of interleaved rounds",
    );
    let parts = timing_analogue(ctx, "64 B object, 1 thread", &mut ev);
    Ok(Finding::new(
        Verdict::unverifiable("GenericPool's code and benchmark are not in the seed."),
        format!("Rust pools, get + put: {}", parts.join(", ")),
        ev,
    ))
}

pub(crate) fn c003_35(ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "analogue: size-class pool get + put of buffers written once per page",
    );
    let parts = timing_analogue(ctx, "4 KiB, 1 write", &mut ev);
    let more = timing_analogue(ctx, "64 KiB, 1 write", &mut ev);
    Ok(Finding::new(
        Verdict::unverifiable("PoolManager's code and benchmark are not in the seed."),
        format!(
            "Rust size-class pool, get + put: 4 KiB {}; 64 KiB {}",
            parts.join(", "),
            more.join(", ")
        ),
        ev,
    ))
}
