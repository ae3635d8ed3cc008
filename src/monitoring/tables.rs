//! What `examples/monitoring.rs` prints: one function per `--table`, each
//! laying out figures of [`super::figures`] (the claim table reads the same
//! figures).
//!
//! Not for: measuring (see [`super::figures`]) or deciding (see `checks/`).

use super::figures::{self, median};
use super::registry::Value;
use super::{snippets, tracking};
use crate::claims::{CheckError, Ctx};
use crate::measure::stats;
use crate::table::{
    Align, Table, Unit, format_bytes, format_nanos, format_ratio, format_value,
    group_thousands,
};
use std::path::Path;
use std::time::Duration;

type Tables = Result<Vec<Table>, CheckError>;

fn ns(d: Duration) -> String {
    format_nanos(d.as_nanos() as f64)
}

fn count(n: impl TryInto<i64>) -> String {
    group_thousands(n.try_into().unwrap_or(i64::MAX))
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn pct(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(((s.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
}

/// A registry's snapshot, as the exporter sees it.
pub fn registry(_ctx: &Ctx) -> Tables {
    let r = figures::example_registry()?;
    let mut t = Table::new(["series", "kind", "value"]).align(2, Align::Left);
    for s in r.snapshot().series {
        let (kind, value) = match &s.value {
            Value::Counter { total } => ("counter", count(*total)),
            Value::Gauge(g) => ("gauge", format!("{} ({} updates)", g.value, g.updates)),
            Value::Histogram(h) => (
                "histogram",
                format!(
                    "{} values, p50 ≤ {}, p99 ≤ {}",
                    h.count,
                    h.quantile(0.5),
                    h.quantile(0.99)
                ),
            ),
        };
        t.row([format!("{}{}", s.name, s.labels), kind.into(), value]);
    }
    t.note(format!(
        "Handles are registered once (cap {} series); updates never touch the registry.",
        r.max_series()
    ));
    Ok(vec![t])
}

/// Counter increments from two threads, ours beside the peers.
pub fn counters(ctx: &Ctx) -> Tables {
    let runs = figures::counters(ctx)?;
    let ours = runs.first().map_or(f64::NAN, |r| r.ns_per_inc);
    let mut t =
        Table::new(["counter", "CPU ns per increment", "× ours", "total", "exact"]);
    for r in runs {
        t.row([
            r.label.to_string(),
            format!("{:.2}", r.ns_per_inc),
            format_ratio(r.ns_per_inc / ours),
            count(r.total),
            yes(r.exact()).into(),
        ]);
    }
    t.note(format!(
        "Two threads{} increment one counter at once; each thread's CPU time over its \
         increments, median of {} interleaved rounds. The seed's total is its Count: its \
         Value is the last write.",
        if crate::measure::cpu::two_cpus().is_some() {
            " on two CPUs"
        } else {
            " on one CPU"
        },
        runs.first().map_or(0, |r| r.rounds_ns.len())
    ));
    Ok(vec![t])
}

/// Reads of a metric while it is written: the seed's exporter and ours.
pub fn torn(ctx: &Ctx) -> Tables {
    let d = figures::torn(ctx)?;
    let mut t = Table::new(["reader", "reads", "writes meanwhile", "torn reads"]);
    t.row([
        "port: exporter reads Value, Count (no lock)".into(),
        count(d.port_reads),
        count(d.port_writes),
        count(d.port_torn),
    ]);
    t.row([
        "ours: Gauge::get (seqlock)".into(),
        count(d.fix_reads),
        count(d.fix_writes),
        count(d.fix_torn),
    ]);
    t.row([
        "ours: Registry::snapshot".into(),
        count(d.snapshots),
        "(same run)".into(),
        count(d.snapshot_torn),
    ]);
    let snippet =
        snippets::diagnostics("metric_snapshot").map_or_else(|e| e, |d| d.describe());
    t.note(format!(
        "The literal port, which keeps references to the metrics after the read lock is \
         released, does not compile: {snippet}."
    ));
    Ok(vec![t])
}

/// What a sample costs, and what the seed's ReadMemStats analogue costs.
pub fn sampler(ctx: &Ctx) -> Tables {
    let c = figures::sample_costs(ctx)?;
    let mut t = Table::new(["reading", "mean", "median", "p99", "max"]);
    for (name, v) in [
        ("sample: status, io, smaps_rollup, getrusage", &c.with_rollup_ns),
        ("sample without smaps_rollup", &c.without_rollup_ns),
        ("the sampler's samples (smaps_rollup every 10th)", &c.sampler_ns),
    ] {
        t.row([
            name.to_string(),
            format_nanos(stats::mean(v).unwrap_or(f64::NAN)),
            format_nanos(median(v)),
            format_nanos(pct(v, 0.99)),
            format_nanos(stats::max(v).unwrap_or(f64::NAN)),
        ]);
    }
    t.row([
        format!(
            "mallinfo2, {} live small blocks (ReadMemStats' analogue)",
            count(c.heap_blocks)
        ),
        format_nanos(stats::mean(&c.mallinfo2_ns).unwrap_or(f64::NAN)),
        format_nanos(median(&c.mallinfo2_ns)),
        format_nanos(pct(&c.mallinfo2_ns, 0.99)),
        format_nanos(stats::max(&c.mallinfo2_ns).unwrap_or(f64::NAN)),
    ]);
    t.note(
        "A sample re-reads files opened once, into a buffer allocated once; mallinfo2 \
         locks and walks every arena, so it stays off the ticker.",
    );
    let l = figures::sampler_life(ctx)?;
    let mut u = Table::new(["the sampler, 1 ms interval, unread", "value"]);
    u.row(["ran unread".to_string(), ns(l.ran)]);
    u.row(["samples taken".to_string(), count(l.taken)]);
    u.row(["dropped unread (counted)".to_string(), count(l.dropped)]);
    u.row(["sequence number of the sample read".to_string(), count(l.read_seq)]);
    u.row(["sampler threads while running".to_string(), count(l.threads_running)]);
    u.row(["stop (wake + join) took".to_string(), ns(l.stop_took)]);
    u.row(["second stop panicked".to_string(), yes(l.second_stop_panicked).into()]);
    u.row([
        "threads after stop / after drop".to_string(),
        format!("{} / {}", l.threads_after_stop, l.threads_after_drop),
    ]);
    Ok(vec![t, u])
}

/// The scripted load, phase by phase (and the plot when `plot` is given).
pub fn load(ctx: &Ctx, plot: Option<&Path>) -> Tables {
    let tr = figures::trace(ctx)?;
    let rates = tr.alloc_rates();
    let util = tr.cpu_utilisation();
    let mut t = Table::new([
        "phase",
        "samples",
        "peak RSS",
        "median alloc rate",
        "median CPU use",
    ]);
    for phase in ["idle", "grow", "churn", "spin", "release"] {
        let pts: Vec<_> = tr.in_phase(phase).collect();
        let peak = pts.iter().map(|p| p.sample.rss_bytes).max().unwrap_or(0);
        let r: Vec<f64> = rates.iter().filter(|x| x.2 == phase).map(|x| x.1).collect();
        let u: Vec<f64> = util.iter().filter(|x| x.2 == phase).map(|x| x.1).collect();
        t.row([
            phase.to_string(),
            count(pts.len()),
            format_value(peak as f64, Unit::Bytes),
            format_value(median(&r), Unit::BytesPerSec),
            format!("{:.0}% of a CPU", median(&u) * 100.0),
        ]);
    }
    t.note(format!(
        "Sampled every {}; {} samples taken, {} replaced before the reader read them. The \
         grow phase holds {}.",
        ns(tr.interval),
        tr.taken,
        tr.dropped,
        format_bytes(tr.held_bytes as f64)
    ));
    if let Some(path) = plot {
        std::fs::write(path, super::plot::render_svg(tr))?;
        t.note(format!("Plot written to {}.", path.display()));
    }
    Ok(vec![t])
}

/// The detector on every scenario.
pub fn leaks(ctx: &Ctx) -> Tables {
    let ds = figures::detections(ctx)?;
    let mut t = Table::new([
        "scenario",
        "leaks",
        "judged by",
        "growth per round",
        "retained after drop",
        "its site's live bytes",
        "found",
    ]);
    for d in ds {
        let growth = if d.by_threads {
            format!("{:?}", d.threads_after_round.last().copied().unwrap_or(0))
        } else {
            let (a, b) = (d.live_after_round.get(1), d.live_after_round.last());
            match (a, b) {
                (Some(a), Some(b)) => format_bytes(
                    (b - a) as f64 / (d.live_after_round.len() - 2).max(1) as f64,
                ),
                _ => "n/a".into(),
            }
        };
        let retained = if d.by_threads {
            format!("{} threads", d.retained_threads)
        } else {
            format_bytes(d.retained_bytes as f64)
        };
        t.row([
            d.name.to_string(),
            yes(d.leaks).into(),
            if d.by_threads { "threads" } else { "heap bytes" }.into(),
            if d.by_threads { format!("{growth} threads at the end") } else { growth },
            retained,
            d.site_retained_bytes
                .map_or("(not tracked)".into(), |b| format_bytes(b as f64)),
            format!(
                "{}{}",
                yes(d.found_leak()),
                if d.correct() { "" } else { " (wrong)" }
            ),
        ]);
    }
    let found = ds.iter().filter(|d| d.leaks && d.found_leak()).count();
    let fp = ds.iter().filter(|d| !d.leaks && d.found_leak()).count();
    t.note(format!(
        "{found} of {} leaks found, {fp} false positives on {} leak-free workloads.",
        ds.iter().filter(|d| d.leaks).count(),
        ds.iter().filter(|d| !d.leaks).count()
    ));
    let mut out = vec![t];
    if tracking::is_installed() {
        let mut s =
            Table::new(["site", "allocations", "frees", "live blocks", "live bytes"]);
        for st in tracking::report().into_iter().filter(|st| st.live_count() != 0) {
            s.row([
                st.name.to_string(),
                count(st.allocs),
                count(st.frees),
                count(st.live_count()),
                format_bytes(st.live_bytes() as f64),
            ]);
        }
        s.note(
            "The tracking allocator is this binary's global allocator: sites with live \
             allocations now. A leak-free scenario's site is back to zero.",
        );
        out.push(s);
    }
    let v = figures::valgrind(ctx)?;
    let mut w = Table::new(["external confirmation", "result"]).align(1, Align::Left);
    match (&v.version, v.definitely_lost) {
        (None, _) => w.row(["valgrind".to_string(), "not installed".to_string()]),
        (Some(ver), Some(b)) => w.row([
            format!("{ver} --leak-check=full, Rc cycle child"),
            format!(
                "definitely lost {}, indirectly lost {} (the child leaked {} of buffers)",
                format_bytes(b as f64),
                format_bytes(v.indirectly_lost.unwrap_or(0) as f64),
                format_bytes(v.leaked as f64)
            ),
        ]),
        (Some(ver), None) => {
            w.row([ver.clone(), "ran, but reported no leak summary".to_string()])
        }
    };
    out.push(w);
    Ok(out)
}

/// The seeds' monitoring code beside the fixes.
pub fn ports(ctx: &Ctx) -> Tables {
    let m = figures::monitor_values(ctx)?;
    let mut a = Table::new(["seed 000 PerformanceMonitor", "port", "ours"])
        .titled("PerformanceMonitor");
    a.row([
        "Value after 2 threads each added 1.0 this often".to_string(),
        format!("{} ({} each)", m.port_value, count(m.per_thread)),
        count(m.fix_total),
    ]);
    a.row(["Count".to_string(), count(m.port_count), count(m.fix_total)]);
    a.row([
        format!("series after {} distinct user ids", count(m.distinct)),
        count(m.port_series),
        format!("{} (cap), {} refused", count(m.fix_series), count(m.fix_refused)),
    ]);
    a.row([
        "stored labels change when the caller's map does".to_string(),
        yes(m.port_labels_changed).into(),
        yes(m.fix_labels_changed).into(),
    ]);
    let e = figures::export_runs(ctx)?;
    a.row([
        format!("exports in {} at {} (started once)", ns(e.ran), ns(e.interval)),
        count(e.port_once_exports),
        count(e.fix_exports),
    ]);
    a.row([
        "exports, started twice".to_string(),
        count(e.port_twice_exports),
        format!("{} (one loop)", count(e.fix_exports)),
    ]);
    a.row([
        "loop threads after every handle is dropped".to_string(),
        count(e.port_threads_after_drop),
        count(e.fix_threads_after_drop),
    ]);
    a.row([
        "loop ends after stopChan is closed / Drop".to_string(),
        ns(e.port_stop_took),
        ns(e.fix_drop_took),
    ]);
    let d = figures::detector_port(ctx)?;
    let mut b =
        Table::new(["seed 001 LeakDetector", "port", "ours"]).titled("LeakDetector");
    b.row([
        format!("entries after {} tracked allocations were freed", count(d.n)),
        count(d.port_entries),
        count(d.fix_entries),
    ]);
    b.row([
        "IDs equal to the allocation's address".to_string(),
        count(d.ids_matching_addresses),
        format!("{} (keyed by address)", count(d.n)),
    ]);
    b.row([
        "Rc cycle 'freed' by its owner: leak reported".to_string(),
        count(d.port_cycle_leaks),
        format!("{} retained", format_bytes(d.detector_cycle_bytes as f64)),
    ]);
    let p = figures::profiler(ctx)?;
    let mut c = Table::new(["seed 001 MemoryProfiler, 2 threads", "value"])
        .titled("MemoryProfiler");
    c.row([
        "Allocations counted".to_string(),
        format!("{} of {}", count(p.allocations), count(2 * p.per_thread)),
    ]);
    c.row([
        "Bytes counted".to_string(),
        format!("{} of {}", count(p.bytes), count(2 * p.per_thread * p.size)),
    ]);
    c.row([
        "GetStats' copy aliases the profiler".to_string(),
        yes(p.copy_aliases).into(),
    ]);
    c.row(["wall time per TrackAllocation".to_string(), format_nanos(p.ns_per_call)]);
    let f = figures::monitor_fill(ctx)?;
    let mut g = Table::new(["seed 001 MemoryMonitor, unread", "port", "ours (Sampler)"])
        .titled("MemoryMonitor");
    g.row([
        format!("samples taken in {} at {}", ns(f.ran), ns(f.interval)),
        count(f.collected),
        count(f.sampler.taken),
    ]);
    g.row([
        "kept for a reader".to_string(),
        count(f.buffered),
        "1 (the newest)".to_string(),
    ]);
    g.row([
        "dropped".to_string(),
        format!("{} (uncounted)", count(f.collected.saturating_sub(f.buffered))),
        format!("{} (counted)", count(f.sampler.dropped)),
    ]);
    g.row([
        "the sample a reader gets (1 = oldest)".to_string(),
        count(f.read_position),
        count(f.sampler.read_seq),
    ]);
    g.row(["its age when read".to_string(), ns(f.read_age), ns(f.sampler.read_age)]);
    let (port, fix) = figures::shutdowns(ctx)?;
    g.row([
        "second Stop panics".to_string(),
        yes(port.second_stop_panicked).into(),
        yes(fix.second_stop_panicked).into(),
    ]);
    g.row([
        "range over the channel after Stop".to_string(),
        if port.range_ended { "ends".into() } else { port.outcome.describe() },
        if fix.range_ended { "ends".into() } else { fix.outcome.describe() },
    ]);
    let mut s =
        Table::new(["snippet", "rustc says", "expected"]).titled("compile-fail ports");
    for (sn, d) in snippets::compiled() {
        let said = d.as_ref().map_or_else(|e| e.clone(), |d| d.describe());
        let want = match sn.expect {
            snippets::Expect::Error(code) => format!("error {code}"),
            snippets::Expect::Warns(_) => "compiles".to_string(),
        };
        s.row([sn.name.to_string(), said, want]);
    }
    Ok(vec![a, b, c, g, s])
}
