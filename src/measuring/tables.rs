//! What the example prints: each function reads [`super::figures`] (so the
//! claim table shows the same numbers) and lays out [`Table`]s.
//! `examples/measuring.rs` lists them.

use super::elision::{DELETED_RATIO, ElisionPair};
use super::figures::{self, ElisionRow};
use super::seed_numbers::{self, FASTEST_PLAUSIBLE_GHZ, SEED_003_BYTEPOOL_NS};
use super::timing::as_whole_ms;
use crate::claims::{CheckError, Ctx};
use crate::table::{Table, Unit, format_bytes, format_nanos, format_ratio, format_value};
use std::time::Duration;

type Tables = Result<Vec<Table>, CheckError>;

fn allocs(a: Option<f64>) -> String {
    a.map_or_else(|| "-".into(), |a| format_value(a, Unit::Count))
}

fn ns(d: Duration) -> String {
    format_nanos(d.as_nanos() as f64)
}

fn percent(x: f64) -> String {
    format_value(x, Unit::Fraction)
}

fn elision_row(t: &mut Table, compiled_in: &str, r: &ElisionRow) {
    t.row([
        r.pair.name.to_string(),
        compiled_in.to_string(),
        format_nanos(r.unused_ns),
        format_nanos(r.kept_ns),
        format_ratio(r.ratio()),
        allocs(r.unused_allocs),
        allocs(r.kept_allocs),
    ]);
}

fn elision_table(ctx: &Ctx, here: Option<ElisionPair>) -> Table {
    let mut t = Table::new([
        "body (per iteration)",
        "compiled in",
        "unused",
        "black_box",
        "ratio",
        "allocs/op unused",
        "allocs/op black_box",
    ]);
    for r in figures::elision_rows(ctx) {
        elision_row(&mut t, "library", r);
    }
    if let Some(pair) = here {
        let r = figures::elision_row(ctx, pair);
        elision_row(&mut t, "example", &r);
        // What the example's row says, in words computed from it: a count of
        // 1 per op with a time far below a real allocation means the
        // optimiser kept the counting wrapper's bookkeeping and deleted the
        // malloc/free inside it.
        match (r.unused_allocs, r.ratio() >= DELETED_RATIO) {
            (Some(a), true) if a >= 1.0 => {
                t.note(format!(
                    "the counter saw {a} alloc/op in the example's unused loop, yet it runs \
                     {} faster than the kept one: the wrapper's bookkeeping stayed, the \
                     malloc/free inside it was deleted; only the timing shows it",
                    format_ratio(r.ratio())
                ));
            }
            (Some(a), false) if a >= 1.0 => {
                t.note(format!(
                    "the example's unused loop allocates for real ({a} alloc/op, {} of the \
                     kept loop's time): nothing was deleted in this build",
                    format_ratio(1.0 / r.ratio())
                ));
            }
            _ => {}
        }
    }
    let (rounds, iters) = figures::loop_sizes(ctx);
    t.note(format!("ns per iteration: median of {rounds} round-robin rounds of {iters}"));
    t
}

/// The elision table: the library's loops, unused and kept.
pub fn elision(ctx: &Ctx) -> Tables {
    Ok(vec![elision_table(ctx, None)])
}

/// The elision table with one more pair, compiled in the calling binary (the
/// example's own loops, beside the counting allocator it installs).
pub fn elision_with(ctx: &Ctx, here: ElisionPair) -> Tables {
    Ok(vec![elision_table(ctx, Some(here))])
}

/// The pool table: cycle time, then every loop in cycles and allocations.
pub fn pools(ctx: &Ctx) -> Tables {
    let p = figures::pool_figures(ctx);
    let mut t = Table::new(["loop body", "per op", "cycles", "allocs/op"]);
    t = match p.cycle_ns {
        Some(c) => t.titled(format!(
            "clock (dependent adds): {:.2} GHz, {c:.3} ns/cycle; the seed's 0.40 ns = {:.1} \
             cycles here, ≤ {:.1} at {FASTEST_PLAUSIBLE_GHZ} GHz",
            1.0 / c,
            SEED_003_BYTEPOOL_NS / c,
            SEED_003_BYTEPOOL_NS * FASTEST_PLAUSIBLE_GHZ,
        )),
        None => t.titled("clock: not measured on this architecture"),
    };
    for l in &p.loops {
        let cycles = p.cycles(l.ns).map_or_else(|| "-".into(), |c| format!("{c:.1}"));
        t.row([l.name.to_string(), format_nanos(l.ns), cycles, allocs(l.allocs)]);
    }
    Ok(vec![t])
}

/// The counting allocator may add at most this much to an alloc + free
/// (issue 18's target; a glibc tcache alloc + free takes about ten times it).
pub const COUNTING_TARGET_NS: f64 = 1.5;

/// What the counting allocator adds to an alloc + free.
pub fn counting_cost(ctx: &Ctx) -> Tables {
    let c = figures::counting_cost(ctx);
    let (lo, hi) = middle_half(&c.added_ns);
    let mut t = Table::new(["64 B alloc + write + free", "ns per block"]);
    t.row(["glibc, called directly".to_string(), format_nanos(c.glibc_ns)]);
    t.row([
        "CountingAlloc<System>, called directly".to_string(),
        format_nanos(c.counting_ns),
    ]);
    t.row([
        "added by the counting".to_string(),
        format!(
            "{} ({} … {})",
            format_nanos(c.added()),
            format_nanos(lo),
            format_nanos(hi)
        ),
    ]);
    t.note(format!(
        "{} rounds of {} blocks, both loops in each, round-robin; added = the counting \
         loop's time minus glibc's in the same round, median (middle half of the rounds); \
         target: at most {} added, {}",
        c.rounds,
        c.iters,
        format_nanos(COUNTING_TARGET_NS),
        if c.added() <= COUNTING_TARGET_NS { "met" } else { "missed" }
    ));
    Ok(vec![t])
}

/// The first and third quartiles of `v` (NaN when empty): the middle half
/// of the rounds, which a neighbour's burst in a few rounds does not move.
fn middle_half(v: &[f64]) -> (f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |q: usize| s.get((s.len().saturating_sub(1)) * q / 4).copied();
    (at(1).unwrap_or(f64::NAN), at(3).unwrap_or(f64::NAN))
}

/// What `/proc/thread-self/io`, `getrusage` and `/proc/self/status` count.
pub fn counters(ctx: &Ctx) -> Tables {
    let c = figures::counter_figures(ctx)?;
    let mut reads = Table::new(["method", "bytes", "syscr", "rchar"])
        .titled("reading a 1 MiB file (page cache warm)");
    for (name, bytes, d) in &c.reads {
        reads.row([
            name.to_string(),
            format_value(*bytes as f64, Unit::Count),
            format_value(d.syscr as f64, Unit::Count),
            format_value(d.rchar as f64, Unit::Count),
        ]);
    }
    let mib = c.touch_mib;
    let mut kernel = Table::new(["what the kernel counted", "count"]);
    kernel.row([
        format!("minor faults, first write to {mib} MiB of fresh anonymous memory"),
        format_value(c.touch.minor_faults as f64, Unit::Count),
    ]);
    kernel.row([
        format!("4 KiB pages in {mib} MiB"),
        format_value(((mib << 20) / 4096) as f64, Unit::Count),
    ]);
    kernel.row([
        "VmRSS growth, KiB".to_string(),
        format_value(c.touch.rss_delta_kib as f64, Unit::Count),
    ]);
    kernel.row([
        format!("getrusage CPU-time changes in {} of CPU", ns(c.getrusage_cpu)),
        format_value(c.getrusage_changes as f64, Unit::Count),
    ]);
    kernel.note(format!(
        "getrusage(RUSAGE_THREAD) moves once per {} of CPU here",
        ns(c.getrusage_step)
    ));
    Ok(vec![reads, kernel])
}

/// Two runs compared as `-benchmem` and benchstat compare them.
pub fn compare(ctx: &Ctx) -> Tables {
    let c = figures::render_counts(ctx)?;
    let mut counts = Table::new(["renderer", "run", "allocs/op", "B/op"]).titled(
        format!("-benchmem: {} renders of 8 records, counted", figures::RENDER_OPS),
    );
    for (name, run, per) in [
        ("render_naive", "1", c.naive),
        ("render_naive", "2", c.again),
        ("render_into (reused buffer)", "1", c.reused),
    ] {
        counts.row([
            name.to_string(),
            run.to_string(),
            format_value(per.allocs, Unit::Count),
            format_value(per.bytes, Unit::Count),
        ]);
    }
    let b = figures::baseline_comparison(ctx);
    let mut timing = Table::new([
        "comparison",
        "old median",
        "new median",
        "new/old",
        "p-value",
        "reads as",
    ])
    .titled(format!(
        "benchstat: {} samples of {} renders per side, round-robin, U test",
        b.aa.n, b.iters
    ));
    for (name, cmp) in [
        ("A/A: render_naive, render_naive", &b.aa),
        ("A/B: render_naive, render_into", &b.ab),
    ] {
        timing.row([
            name.to_string(),
            format_nanos(cmp.old_median),
            format_nanos(cmp.new_median),
            format_ratio(cmp.ratio()),
            format!("{:.2e}", cmp.p_value),
            if cmp.reads_as_change(super::comparing::BENCHSTAT_ALPHA) {
                "a change".to_string()
            } else {
                "~ (no change)".to_string()
            },
        ]);
    }
    timing
        .note("medians per render; p-value of a two-sided Mann–Whitney U test, α = 0.05");
    Ok(vec![counts, timing])
}

/// The renderers under a CPU profile, beside the timing's split.
pub fn profile(ctx: &Ctx) -> Tables {
    let r = figures::render_profile(ctx)?;
    let p = &r.profile;
    let mut t = Table::new([
        "phase",
        "samples",
        "share of samples",
        "share of time (timed)",
    ])
    .titled(format!(
        "CPU profile: SIGPROF per {} of thread CPU asked, {} rounds of {} renders each",
        ns(p.period),
        p.rounds,
        r.iters
    ));
    t.row([
        "render_naive".to_string(),
        format_value(p.samples[0] as f64, Unit::Count),
        percent(p.share(0)),
        percent(r.timed_naive_share),
    ]);
    t.row([
        "render_into".to_string(),
        format_value(p.samples[1] as f64, Unit::Count),
        percent(p.share(1)),
        percent(1.0 - r.timed_naive_share),
    ]);
    t.note(format!(
        "{} samples in {} of CPU ({} outside both phases)",
        p.total(),
        ns(p.cpu),
        p.outside
    ));
    Ok(vec![t])
}

/// Seed 004's experiment in ns, and what a ms timer prints.
pub fn timer(ctx: &Ctx) -> Tables {
    let rows = figures::touch_rows(ctx)?;
    let mut t = Table::new([
        "MiB",
        "vec alloc",
        "vec+touch",
        "mmap alloc",
        "mmap+touch",
        "faults v/m",
        "ms reading",
        "ms ratio",
        "ns ratio",
    ]);
    for r in rows {
        t.row([
            r.mib.to_string(),
            ns(r.vec.alloc),
            ns(r.vec.alloc_touch),
            ns(r.mmap.alloc),
            ns(r.mmap.alloc_touch),
            format!("{}/{}", r.vec.touch_faults, r.mmap.touch_faults),
            format!(
                "{} → {} ms",
                as_whole_ms(r.vec.alloc_touch),
                as_whole_ms(r.mmap.alloc)
            ),
            format_ratio(r.ms_timer_speedup()),
            format_ratio(r.ns_timer_speedup()),
        ]);
    }
    let big = rows.last().ok_or("no sizes measured")?;
    t.note(format!(
        "like with like at {} MiB (alloc + touch, vec / mmap): {}",
        big.mib,
        format_ratio(1.0 / big.touch_ratio_mmap_over_vec())
    ));
    let a = figures::alloc_only(ctx);
    t.note(format!(
        "vec![0u8; 1 GiB], allocation only: {} (median of {}), a ms timer prints {} ms",
        ns(a.gib),
        a.rounds,
        as_whole_ms(a.gib)
    ));
    Ok(vec![t])
}

/// Seed 004's five runs, and five runs of a fixed loop here.
pub fn stats(ctx: &Ctx) -> Tables {
    use seed_numbers::{SEED_004_NODE_MS, SEED_004_RUNS_MS};
    let s = seed_numbers::seed_004_summary();
    let (lo, hi) = seed_numbers::mean_ci95(&SEED_004_RUNS_MS).ok_or("five runs")?;
    let mut seed = Table::new(["statistic", "value"])
        .titled(format!("seed 004's runs (ms): {SEED_004_RUNS_MS:?}"));
    seed.row(["n".to_string(), s.n.to_string()]);
    seed.row(["mean, ms".to_string(), format!("{:.1}", s.mean)]);
    seed.row(["median, ms".to_string(), format!("{:.1}", s.median)]);
    seed.row(["sample SD, ms".to_string(), format!("{:.2}", s.sd)]);
    seed.row([
        "population SD, ms".to_string(),
        format!("{:.2}", seed_numbers::seed_004_population_sd()),
    ]);
    seed.row(["coefficient of variation".to_string(), percent(s.cv())]);
    seed.row(["95% CI of the mean, ms".to_string(), format!("[{lo:.1}, {hi:.1}]")]);
    seed.row([
        format!("Node's {SEED_004_NODE_MS} ms inside the CI"),
        (lo <= SEED_004_NODE_MS && SEED_004_NODE_MS <= hi).to_string(),
    ]);
    seed.row([
        format!("spike rate {} clean runs cannot exclude (95%)", s.n),
        percent(seed_numbers::spike_probability_bound(s.n)),
    ]);
    let f = figures::five_runs(ctx);
    let mut ours = Table::new(["run", "ns/op"]).titled(format!(
        "five runs of malloc+free 1024 B here, {} iterations each",
        f.iters
    ));
    for (i, v) in f.runs.iter().enumerate() {
        ours.row([(i + 1).to_string(), format_nanos(*v)]);
    }
    ours.note(format!(
        "mean {}  sample SD {}  CV {}",
        format_nanos(f.summary.mean),
        format_nanos(f.summary.sd),
        percent(f.summary.cv())
    ));
    Ok(vec![seed, ours])
}

/// The loopback transfer: who does the work a client-timed benchmark times.
pub fn transfer(ctx: &Ctx) -> Tables {
    let t = figures::transfer(ctx)?;
    let per = |d: Duration| format_nanos(d.as_nanos() as f64 / t.rounds as f64);
    let mut table = Table::new(["per transfer", "value"]).titled(format!(
        "{} transfers of {} over 127.0.0.1, one connection each",
        t.rounds,
        format_bytes(t.bytes as f64)
    ));
    table.row(["server CPU (accept + write)".to_string(), per(t.server_cpu)]);
    table.row(["client CPU (connect + read)".to_string(), per(t.client_cpu)]);
    table.row(["client wall time".to_string(), per(t.wall)]);
    table.row(["client share of the CPU".to_string(), percent(t.client_share())]);
    table.row([
        "largest speedup visible if the server cost nothing".to_string(),
        format_ratio(t.max_visible_speedup()),
    ]);
    Ok(vec![table])
}
