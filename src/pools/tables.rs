//! What the example prints: each function reads [`super::figures`] (so the
//! claim table shows the same numbers) and lays out one or more tables.

use super::checks::PAYS_AT;
use super::figures::{self, LINE, Paired, PayRow, RESPONSE_LINES, WORKLOADS};
use crate::claims::{CheckError, Ctx};
use crate::table::{Align, Table, format_bytes, format_ratio, group_thousands};

fn ns(v: f64) -> String {
    format!("{v:.1}")
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// Every allocator seen in `rows`, in order of first appearance.
fn allocator_names(rows: &[PayRow]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for (n, _) in rows.iter().flat_map(|r| &r.allocators) {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    names
}

/// Pays, even or loses, against the fastest allocator.
fn outcome(r: &PayRow) -> &'static str {
    let s = r.vs_best();
    if s >= PAYS_AT {
        "pays"
    } else if s <= 1.0 / PAYS_AT {
        "loses"
    } else {
        "even"
    }
}

/// "When does a pool pay?": every workload, every pool, every allocator.
pub fn pays(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let rows = figures::pay_rows(ctx)?;
    let names = allocator_names(rows);
    let mut header = vec!["workload".to_string(), "pool".into(), "pool ns".into()];
    header.extend(names.iter().map(|n| format!("{n} ns")));
    header.extend(["÷ glibc".into(), "÷ best".into(), "pays?".into()]);
    let last = header.len() - 1;
    let mut t = Table::new(header).align(1, Align::Left).align(last, Align::Left);
    for r in rows {
        let mut cells = vec![WORKLOADS[r.workload].name.to_string(), r.pool.clone()];
        cells.push(ns(r.pool_ns));
        for n in &names {
            let t = r.allocators.iter().find(|(a, _)| a == n);
            cells.push(t.map_or_else(|| "-".into(), |(_, v)| ns(*v)));
        }
        cells.push(format_ratio(r.vs_glibc()));
        cells.push(format_ratio(r.vs_best()));
        cells.push(outcome(r).into());
        t.row(cells);
    }
    let overhead = figures::counting_overhead_ns(ctx)?;
    t.note(format!(
        "ns per get + put (pool) or alloc + free (allocator), median of interleaved \
         rounds. ÷ glibc = glibc's time ÷ the pool's; ÷ best = the fastest \
         allocator's ÷ the pool's; pays at ≥ {}, loses at ≤ 1/{} (÷ best).",
        format_ratio(PAYS_AT),
        format_ratio(PAYS_AT)
    ));
    t.note(format!(
        "`{}` is glibc through the global allocator (String, Vec), here the \
         counting allocator: it adds {} ns per alloc + free pair, included.",
        figures::GLOBAL,
        ns(*overhead)
    ));
    t.note(
        "pays? compares with the fastest allocator; the claim checks compare with \
         glibc, the allocator a Rust program gets by default (÷ glibc).",
    );
    Ok(vec![t, contention(rows)])
}

/// Contention: the 64-byte get + put on one thread and on two at once
/// (ns per operation per thread), from the same rows as [`pays`].
fn contention(rows: &[PayRow]) -> Table {
    let (one, two) = (0, 6); // indices into WORKLOADS
    let mut t = Table::new(["pool or allocator", "1 thread ns", "2 threads ns", "ratio"])
        .titled("Contention: one thread against two");
    let mut line = |name: &str, a: f64, b: f64| {
        t.row([name.to_string(), ns(a), ns(b), format_ratio(b / a)]);
    };
    for r in rows.iter().filter(|r| r.workload == one) {
        let other = rows.iter().find(|o| o.workload == two && o.pool == r.pool);
        if let Some(o) = other {
            line(&r.pool, r.pool_ns, o.pool_ns);
        }
    }
    let first = rows.iter().find(|r| r.workload == one);
    let second = rows.iter().find(|r| r.workload == two);
    if let (Some(a), Some(b)) = (first, second) {
        for ((name, x), (_, y)) in a.allocators.iter().zip(&b.allocators) {
            line(name, *x, *y);
        }
    }
    t.note("64 B get + put, the rows above; ratio = 2 threads ÷ 1 thread (above 1: contended)");
    t
}

// ANCHOR: targets
/// The fast paths' targets (issue 18: each subject to its limit), as ratios
/// measured side by side in one race.
pub mod targets {
    /// A 4 KiB buffer through `thread_local_pool!`: at least this many times
    /// faster than a fresh buffer from glibc.
    pub const BUFFER_4K_VS_FRESH: f64 = 4.0;
    /// A 64-byte buffer: never slower than a fresh one.
    pub const BUFFER_64_VS_FRESH: f64 = 1.0;
    /// The 64-byte object from the thread-local pool against jemalloc, the
    /// fastest allocator of the chapter on that workload.
    pub const OBJ64_VS_JEMALLOC: f64 = 1.35;
    /// The same get + put, absolute (ns).
    pub const OBJ64_NS: f64 = 3.0;
    /// The sharded pool on one thread, at most this many times the
    /// thread-local pool's time.
    pub const SHARDED_VS_LOCAL: f64 = 1.5;
}
// ANCHOR_END: targets

fn range(p: &Paired) -> String {
    format!("{} ({}–{})", format_ratio(p.median), format_ratio(p.lo), format_ratio(p.hi))
}

fn allocator<'a>(r: &'a PayRow, name: &str) -> Option<(f64, &'a [f64])> {
    let i = r.allocators.iter().position(|(n, _)| n == name)?;
    Some((r.allocators[i].1, &r.allocator_rounds[i]))
}

/// The pools' fast paths against their targets: the buffer path a reader
/// writes with `thread_local_pool!`, the thread-local object pool against
/// jemalloc, the sharded pool against the thread-local one.
pub fn limits(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use targets::*;
    let rows = figures::pay_rows(ctx)?;
    let small = figures::small_buffer(ctx)?;
    let find =
        |w: usize, pool: &str| rows.iter().find(|r| r.workload == w && r.pool == pool);
    let mut t =
        Table::new(["path", "ns", "against", "its ns", "ratio (range)", "target", "met"])
            .align(2, Align::Left);
    let mut vs_fresh = |what: &str, r: Option<&PayRow>, target: f64| {
        let Some(r) = r else { return };
        let Some((glibc, glibc_rounds)) = allocator(r, "glibc") else { return };
        let p = figures::paired(glibc_rounds, &r.rounds);
        t.row([
            what.to_string(),
            ns(r.pool_ns),
            "fresh buffer, glibc".into(),
            ns(glibc),
            range(&p),
            format!("≥ {}", format_ratio(target)),
            yes(p.median >= target),
        ]);
    };
    vs_fresh(
        "4 KiB buffer, thread_local_pool! (get, drop)",
        find(2, figures::PUBLIC_BUFFERS),
        BUFFER_4K_VS_FRESH,
    );
    vs_fresh(
        "64 B buffer, thread_local_pool! (get, drop)",
        small.first(),
        BUFFER_64_VS_FRESH,
    );
    if let Some(local) = find(0, "thread-local pool") {
        if let Some((je, je_rounds)) = allocator(local, "jemalloc") {
            let p = figures::paired(je_rounds, &local.rounds);
            t.row([
                "64 B object, thread-local pool".to_string(),
                ns(local.pool_ns),
                "jemalloc".into(),
                ns(je),
                range(&p),
                format!("≥ {}", format_ratio(OBJ64_VS_JEMALLOC)),
                yes(p.median >= OBJ64_VS_JEMALLOC),
            ]);
        }
        t.row([
            "64 B object, thread-local pool".to_string(),
            ns(local.pool_ns),
            "its own time".into(),
            "-".into(),
            "-".into(),
            format!("≤ {OBJ64_NS:.1} ns"),
            yes(local.pool_ns <= OBJ64_NS),
        ]);
        if let Some(sharded) = find(0, "sharded pool") {
            let p = figures::paired(&sharded.rounds, &local.rounds);
            t.row([
                "64 B object, sharded pool, 1 thread".to_string(),
                ns(sharded.pool_ns),
                "thread-local pool".into(),
                ns(local.pool_ns),
                range(&p),
                format!("≤ {}", format_ratio(SHARDED_VS_LOCAL)),
                yes(p.median <= SHARDED_VS_LOCAL),
            ]);
        }
    }
    t.note(format!(
        "ns: medians of interleaved rounds, from the `pays` races (the 64 B buffer: its own \
         race, {} rounds); ratio: the other side's time ÷ the path's, round by round (the \
         sharded row: the path's ÷ the thread-local pool's), median (lowest–highest); \
         met: by the median",
        small.first().map_or(0, |r| r.rounds.len())
    ));
    t.note(
        "fresh buffer, glibc: malloc + the same writes + free, called directly; in a program \
         whose global allocator is glibc that is what Vec::with_capacity costs",
    );
    Ok(vec![t])
}

/// Allocations per operation, thread-local pool against fresh objects.
pub fn allocs(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let rows = figures::alloc_counts(ctx)?;
    let mut t = Table::new(["workload", "thread-local pool", "fresh each time"]);
    for r in rows {
        t.row([
            r.workload.to_string(),
            format!("{:.2}", r.pooled),
            format!("{:.2}", r.fresh),
        ]);
    }
    t.note("allocations per operation, counted after one warm-up operation");
    Ok(vec![t])
}

/// C003-11: seed 003's `process()` with and without its pool.
pub fn cut(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let c = figures::allocation_cut(ctx)?;
    let mut t = Table::new(["the buffer's bytes are", "fresh", "pooled", "cut"]);
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    t.row([
        "written out (w.Write(buf.Bytes()))".to_string(),
        format!("{:.2}", c.fresh_written),
        format!("{:.2}", c.pooled_written),
        pct(c.cut_written()),
    ]);
    t.row([
        "copied out (buf.String())".to_string(),
        format!("{:.2}", c.fresh_copied),
        format!("{:.2}", c.pooled_copied),
        pct(c.cut_copied()),
    ]);
    t.note(format!(
        "allocator calls (alloc + realloc) per request, {} requests; each writes \
         {RESPONSE_LINES} lines of {LINE} B ({}) into the buffer",
        group_thousands(c.requests as i64),
        format_bytes((RESPONSE_LINES * LINE) as f64)
    ));
    Ok(vec![t])
}

/// The stale-data defects, each port beside its fix.
pub fn stale(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let r = figures::stale_response(ctx)?;
    let l = figures::class_length(ctx)?;
    let tr = figures::truncated_reuse(ctx)?;
    let p = figures::pipeline(ctx)?;
    let mut t = Table::new(["", "seed port", "fix"]);
    let n = |v: usize| v.to_string();
    t.row([
        format!(
            "response 2: bytes sent (handler wrote {})",
            super::stale_data::HELLO.len()
        ),
        n(r.seed_len),
        n(r.fixed_len),
    ]);
    t.row([
        "response 2: contains request 1's token".into(),
        yes(r.seed_leaks),
        yes(r.fixed_leaks),
    ]);
    t.row(["get(100): length".into(), n(l.seed_len), n(l.fixed_len)]);
    t.row([
        "get(100): last user's bytes visible".into(),
        n(l.seed_stale),
        n(l.fixed_stale),
    ]);
    t.row([
        "truncated buffer returned: next get allocates".into(),
        tr.seed_allocs_next.to_string(),
        tr.fixed_allocs_next.to_string(),
    ]);
    t.row([
        "pipeline: a 100-byte item comes out as (bytes)".into(),
        n(p.seed_len_of_100),
        n(p.move_len_of_100),
    ]);
    t.row([
        format!("pipeline: allocations per {} items", p.items),
        p.seed_allocs.to_string(),
        p.move_allocs.to_string(),
    ]);
    Ok(vec![t])
}

/// `Box::new` with and without `black_box`.
pub fn elision(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let e = figures::elision(ctx)?;
    let mut t = Table::new(["Box::new of 64 B", "allocations", "ns/op"]);
    t.row([
        "without black_box".to_string(),
        group_thousands(e.allocs_without as i64),
        format!("{:.2}", e.ns_without),
    ]);
    t.row([
        "with black_box".to_string(),
        group_thousands(e.allocs_with as i64),
        format!("{:.2}", e.ns_with),
    ]);
    t.note(format!("{} boxes per loop", group_thousands(e.ops as i64)));
    Ok(vec![t])
}
