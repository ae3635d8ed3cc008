//! The example's tables, as text: each function measures (through
//! [`super::figures`], so the claim table shows the same numbers) and
//! formats one table. `examples/measuring.rs` prints them.

use super::counters::{self, ReadMethod, TempFile};
use super::figures::{self, ElisionRow};
use super::seed_numbers::{self, SEED_004_NODE_MS, SEED_004_RUNS_MS};
use super::timing::{self, as_whole_ms};
use crate::claims::Ctx;
use crate::measure::stats::Summary;
use crate::table::{format_bytes, format_nanos};
use std::fmt::Write as _;
use std::time::Duration;

fn allocs(a: Option<f64>) -> String {
    a.map_or_else(|| "-".into(), |a| format!("{a}"))
}

fn ratio(x: f64) -> String {
    if x.is_nan() {
        "0/0".into()
    } else if x.is_infinite() {
        "∞".into()
    } else if x >= 100.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

/// One line of the elision table (also used by the example for its own
/// loops, compiled in the binary that installs the counting allocator).
pub fn elision_line(workload: &str, compiled_in: &str, r: &ElisionRow) -> String {
    format!(
        "{workload:<28} {compiled_in:<9} {:>9.2} {:>10.2} {:>8} {:>9} {:>9}\n",
        r.unused_ns,
        r.kept_ns,
        ratio(r.ratio()),
        allocs(r.unused_allocs),
        allocs(r.kept_allocs)
    )
}

/// Header of the elision table.
pub fn elision_header() -> String {
    format!(
        "{:<28} {:<9} {:>9} {:>10} {:>8} {:>9} {:>9}\n",
        "body (per iteration)",
        "compiled",
        "unused",
        "black_box",
        "ratio",
        "allocs",
        "allocs"
    ) + &format!(
        "{:<28} {:<9} {:>9} {:>10} {:>8} {:>9} {:>9}\n",
        "", "in", "ns/op", "ns/op", "", "unused", "black_box"
    )
}

/// What the example's own row says, in words computed from it: a count of 1
/// per op with a time far below a real allocation means the optimiser kept
/// the counting wrapper's bookkeeping and deleted the malloc/free inside it.
pub fn elision_note(r: &ElisionRow) -> String {
    match (r.unused_allocs, r.deleted()) {
        (Some(a), true) if a >= 1.0 => format!(
            "the counter saw {a} alloc/op in the example's unused loop, yet it runs {}\n\
             faster than the kept one: the wrapper's bookkeeping stayed, the malloc/free\n\
             inside it was deleted; only the timing shows it\n",
            ratio(r.ratio())
        ),
        (Some(a), false) if a >= 1.0 => format!(
            "the example's unused loop allocates for real ({a} alloc/op, {} of the kept\n\
             loop's time): nothing was deleted in this build\n",
            ratio(1.0 / r.ratio())
        ),
        _ => String::new(),
    }
}

/// The library's elision rows.
pub fn elision(ctx: &Ctx) -> String {
    let mut out = elision_header();
    for r in figures::elision_rows(ctx) {
        out += &elision_line(r.pair.name, "library", r);
    }
    out
}

/// The pool table: cycle time, then every loop in cycles and allocations.
pub fn pools(ctx: &Ctx) -> String {
    let p = figures::pool_figures(ctx);
    let mut out = String::new();
    match p.cycle_ns {
        Some(c) => {
            let _ = writeln!(
                out,
                "clock (dependent adds): {:.2} GHz, {c:.3} ns/cycle; the seed's 0.40 ns = \
                 {:.1} cycles here, ≤ {:.1} at {} GHz",
                1.0 / c,
                seed_numbers::SEED_003_BYTEPOOL_NS / c,
                seed_numbers::SEED_003_BYTEPOOL_NS * seed_numbers::FASTEST_PLAUSIBLE_GHZ,
                seed_numbers::FASTEST_PLAUSIBLE_GHZ
            );
        }
        None => out.push_str("clock: not measured on this architecture\n"),
    }
    let _ = writeln!(
        out,
        "{:<40} {:>8} {:>8} {:>10}",
        "loop body", "ns/op", "cycles", "allocs/op"
    );
    for l in &p.loops {
        let cycles = p.cycles(l.ns).map_or_else(|| "-".into(), |c| format!("{c:.1}"));
        let _ = writeln!(
            out,
            "{:<40} {:>8.2} {:>8} {:>10}",
            l.name,
            l.ns,
            cycles,
            allocs(l.allocs)
        );
    }
    out
}

/// What `/proc/thread-self/io`, `getrusage` and `/proc/self/status` count.
pub fn counters(ctx: &Ctx) -> std::io::Result<String> {
    let mut out = String::new();
    let file = TempFile::new(1 << 20)?;
    let _ = writeln!(out, "reading a 1 MiB file (page cache warm):");
    let _ =
        writeln!(out, "{:<34} {:>9} {:>7} {:>11}", "method", "bytes", "syscr", "rchar");
    for (name, m) in [
        ("read loop, 64 KiB buffer", ReadMethod::Loop(64 << 10)),
        ("read loop, 4 KiB buffer", ReadMethod::Loop(4 << 10)),
        ("std::fs::read", ReadMethod::FsRead),
        ("BufReader (8 KiB), read_until", ReadMethod::BufReaderLines),
    ] {
        let (bytes, d) = counters::read_counts(file.path(), m)?;
        let _ = writeln!(out, "{name:<34} {bytes:>9} {:>7} {:>11}", d.syscr, d.rchar);
    }
    let mib = ctx.pick(64, 16);
    let t = counters::touch_counts(mib << 20)?;
    let _ = writeln!(
        out,
        "\nfirst write to {mib} MiB of fresh anonymous memory: {} minor faults ({} pages), \
         VmRSS +{} KiB",
        t.minor_faults,
        (mib << 20) / 4096,
        t.rss_delta_kib
    );
    let cpu = Duration::from_millis(ctx.pick(40, 12));
    let (step, n) = counters::getrusage_resolution(cpu)?;
    let (cold, hot) = counters::phase_cpu(ctx.pick(2_000_000, 200_000))?;
    let _ = writeln!(
        out,
        "getrusage(RUSAGE_THREAD) CPU time changed {n} times in {} of CPU: once per {};\n\
         CLOCK_THREAD_CPUTIME_ID resolves a 1:9 two-phase loop as {} : {}",
        format_nanos(cpu.as_nanos() as f64),
        format_nanos(step.as_nanos() as f64),
        format_nanos(cold.as_nanos() as f64),
        format_nanos(hot.as_nanos() as f64)
    );
    Ok(out)
}

/// Seed 004's experiment in ns, and what a ms timer prints.
pub fn timer(ctx: &Ctx) -> Result<String, crate::claims::CheckError> {
    let rows = figures::touch_rows(ctx)?;
    let mut out = format!(
        "{:>5} {:>10} {:>12} {:>10} {:>12} {:>13} {:>12} {:>9} {:>9}\n",
        "MiB",
        "vec alloc",
        "vec+touch",
        "mmap alloc",
        "mmap+touch",
        "faults v/m",
        "ms reading",
        "ms ratio",
        "ns ratio"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:>5} {:>10} {:>12} {:>10} {:>12} {:>13} {:>12} {:>9} {:>9}",
            r.mib,
            format_nanos(r.vec.alloc.as_nanos() as f64),
            format_nanos(r.vec.alloc_touch.as_nanos() as f64),
            format_nanos(r.mmap.alloc.as_nanos() as f64),
            format_nanos(r.mmap.alloc_touch.as_nanos() as f64),
            format!("{}/{}", r.vec.touch_faults, r.mmap.touch_faults),
            format!(
                "{} → {} ms",
                as_whole_ms(r.vec.alloc_touch),
                as_whole_ms(r.mmap.alloc)
            ),
            ratio(r.ms_timer_speedup()),
            ratio(r.ns_timer_speedup())
        );
    }
    let big = rows.last().expect("at least one size");
    let _ = writeln!(
        out,
        "like with like at {} MiB (alloc + touch, vec / mmap): {}",
        big.mib,
        ratio(1.0 / big.touch_ratio_mmap_over_vec())
    );
    Ok(out)
}

/// Seed 004's five runs, and five runs of a fixed loop here.
pub fn stats(ctx: &Ctx) -> String {
    let s = seed_numbers::seed_004_summary();
    let (lo, hi) = seed_numbers::mean_ci95(&SEED_004_RUNS_MS).expect("five runs");
    let mut out = format!("seed 004's runs (ms): {SEED_004_RUNS_MS:?}\n");
    let _ = writeln!(
        out,
        "n {}  mean {:.1}  median {:.1}  sample SD {:.2}  population SD {:.2}  CV {:.1}%",
        s.n,
        s.mean,
        s.median,
        s.sd,
        seed_numbers::seed_004_population_sd(),
        s.cv() * 100.0
    );
    let _ = writeln!(
        out,
        "95% CI of the mean: [{lo:.1}, {hi:.1}] ms (Node: {SEED_004_NODE_MS} ms, inside: {})",
        lo <= SEED_004_NODE_MS && SEED_004_NODE_MS <= hi
    );
    let _ = writeln!(
        out,
        "five clean runs rule out spikes only if they happen in > {:.0}% of runs (95%)",
        seed_numbers::spike_probability_bound(5) * 100.0
    );
    let iters = ctx.pick(200_000, 20_000);
    let ours: Vec<f64> = (0..5)
        .map(|_| timing::ns_per_op(iters, super::tiny_pool::malloc_free_1024))
        .collect();
    let o = Summary::of(&ours).expect("five runs");
    let _ = writeln!(
        out,
        "five runs of malloc+free 1024 B here (ns/op): {:?}\nmean {:.2}  sample SD {:.2}  CV {:.1}%",
        ours.iter().map(|v| (v * 100.0).round() / 100.0).collect::<Vec<_>>(),
        o.mean,
        o.sd,
        o.cv() * 100.0
    );
    out
}

/// The loopback transfer: who does the work a client-timed benchmark times.
pub fn transfer(ctx: &Ctx) -> Result<String, crate::claims::CheckError> {
    let t = figures::transfer(ctx)?;
    let per = |d: Duration| format_nanos(d.as_nanos() as f64 / t.rounds as f64);
    Ok(format!(
        "{} transfers of {} over 127.0.0.1, one connection each:\n\
         server CPU/transfer {}  client CPU/transfer {}  client wall/transfer {}\n\
         client share of CPU {:.0}%: a free server side shows at most {:.2}×\n",
        t.rounds,
        format_bytes(t.bytes as f64),
        per(t.server_cpu),
        per(t.client_cpu),
        per(t.wall),
        t.client_share() * 100.0,
        t.max_visible_speedup()
    ))
}
