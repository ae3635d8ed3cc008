//! What `examples/allocator_tuning.rs` prints: one function per `--table`,
//! each laying out figures of [`super::figures`] (the claim table reads the
//! same figures, so it shows the same numbers).
//!
//! Not for: measuring (see [`super::figures`]) or deciding (see `checks/`).

use super::allocators::Setting;
use super::churn::{Pattern, Timeline};
use super::figures::{self, PATTERNS};
use super::forced::ForcedMode;
use super::knobs::InitStyle;
use crate::claims::{CheckError, Ctx};
use crate::measure::{machine, stats};
use crate::table::{Table, format_bytes, format_nanos, format_ratio, group_thousands};
use std::path::Path;

type Tables = Result<Vec<Table>, CheckError>;

fn mib(v: f64) -> String {
    format!("{:.1} MiB", v / (1u64 << 20) as f64)
}

fn ns(v: f64) -> String {
    format_nanos(v)
}

fn median(v: &[f64]) -> f64 {
    stats::median(v).unwrap_or(f64::NAN)
}

/// The targets' bounds, printed beside the ratios.
pub mod target {
    /// Idle RSS of our setting ÷ the best peer's, per pattern.
    pub const IDLE_RSS: f64 = 1.2;
    /// Stall another thread sees during our reclamation, ns.
    pub const STALL_NS: f64 = 1e6;
    /// Our background drop's cost to the caller ÷ defer-drop's.
    pub const DROP: f64 = 1.1;
    /// `LimitAlloc`'s alloc + free ÷ `cap`'s.
    pub const LIMIT: f64 = 1.1;
}

fn met(ratio: f64, bound: f64) -> &'static str {
    if ratio <= bound { "met" } else { "not met" }
}

/// The idle RSS of one timeline row: at the end of the idle window, or
/// after the forced call.
fn rows(t: &Timeline) -> Vec<(String, f64, bool)> {
    let mut v = vec![(t.plan.setting.label().to_string(), t.idle_rss as f64, false)];
    if let Some(r) = t.forced_rss {
        let label = format!(
            "{} + {}",
            t.plan.setting.label(),
            t.plan.setting.allocator().reclaim_call()
        );
        v.push((label, r as f64, true));
    }
    v
}

/// The best peer row and our row for `pattern`: (peer label, peer RSS, our RSS).
pub fn idle_target(ts: &[Timeline], pattern: Pattern) -> Option<(String, f64, f64)> {
    let of = ts.iter().filter(|t| t.plan.pattern == pattern);
    let ours = of.clone().find(|t| t.plan.setting.is_ours())?.idle_rss as f64;
    let (label, best, _) = of
        .filter(|t| !t.plan.setting.is_ours())
        .flat_map(rows)
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    Some((label, best, ours))
}

/// The churn: resident set once idle, per setting and pattern; the target.
pub fn churn(ctx: &Ctx) -> Tables {
    let ts = figures::timelines(ctx)?;
    let s = figures::sizes(ctx);
    let mut t = Table::new([
        "setting".to_string(),
        "environment".into(),
        format!("idle RSS, {}", Pattern::AllFreed.label()),
        format!("idle RSS, {}", Pattern::OneIn64.label()),
    ]);
    for setting in Setting::ALL {
        let pair: Vec<&Timeline> = PATTERNS
            .iter()
            .filter_map(|p| {
                ts.iter().find(|t| t.plan.setting == setting && t.plan.pattern == *p)
            })
            .collect();
        let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else { continue };
        let env =
            setting.env().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
        for (ra, rb) in rows(a).into_iter().zip(rows(b)) {
            let env = if ra.2 {
                "(call after idle)".to_string()
            } else if env.is_empty() {
                "-".into()
            } else {
                env.join(" ")
            };
            t.row([ra.0, env, mib(ra.1), mib(rb.1)]);
        }
    }
    let base = ts.iter().map(|t| t.baseline as f64).fold(f64::INFINITY, f64::min);
    t.note(format!(
        "{} blocks of 1000 B ({}), then freed; idle {} ms; the child's RSS before the churn: {}",
        group_thousands(s.blocks as i64),
        mib((s.blocks * 1000) as f64),
        s.idle_ms,
        mib(base)
    ));
    let mut target =
        Table::new(["pattern", "best peer", "its RSS", "ours", "ours ÷ best", "≤ 1.2×"])
            .titled(
                "target: idle RSS of glibc + Reclaimer against the best peer setting",
            );
    for p in PATTERNS {
        if let Some((label, best, ours)) = idle_target(ts.as_slice(), p) {
            let r = ours / best;
            target.row([
                p.label().to_string(),
                label,
                mib(best),
                mib(ours),
                format_ratio(r),
                met(r, target::IDLE_RSS).into(),
            ]);
        }
    }
    target
        .note("command: cargo run --release --example allocator_tuning -- --table churn");
    Ok(vec![t, target])
}

/// The plot of the resident set over time (and, with a path, the SVG).
pub fn plot(ctx: &Ctx, path: Option<&Path>) -> Tables {
    let ts = figures::timelines(ctx)?;
    let mut t = Table::new(["setting", "pattern", "peak", "idle", "samples"]);
    for tl in &ts {
        t.row([
            tl.plan.setting.label().to_string(),
            tl.plan.pattern.label().into(),
            mib(tl.peak as f64),
            mib(tl.idle_rss as f64),
            tl.samples.len().to_string(),
        ]);
    }
    match path {
        Some(p) => {
            let m = machine::MachineInfo::collect();
            let caption = format!(
                "cargo run --release --example allocator_tuning -- --table plot --plot · {} · {} · {}",
                m.cpu_model, m.kernel, m.profile
            );
            std::fs::write(p, super::plot::render_svg(&ts, &PATTERNS, &caption))
                .map_err(|e| CheckError(format!("{}: {e}", p.display())))?;
            t.note(format!("plot written to {}", p.display()));
        }
        None => {
            t.note("add --plot PATH to write the plot (SVG)");
        }
    }
    Ok(vec![t])
}

/// Forced reclamation in the hot path against the Reclaimer.
pub fn forced(ctx: &Ctx) -> Tables {
    let reports = figures::forced(ctx)?;
    let mut t = Table::new([
        "each cycle ends with",
        "CPU per cycle",
        "faults per cycle",
        "RSS at cycle end",
        "RSS once idle",
    ]);
    let none = reports.iter().find(|r| r.plan.mode == ForcedMode::Nothing);
    for r in reports.iter() {
        t.row([
            r.plan.mode.label().to_string(),
            ns(r.steady(|c| c.cpu_ns)),
            format!("{:.0}", r.steady(|c| c.faults as f64)),
            mib(r.steady(|c| c.rss_end as f64)),
            mib(r.idle_rss as f64),
        ]);
    }
    if let (Some(n), Some(r)) = (none, reports.first()) {
        t.note(format!(
            "a burst of {} freed each cycle among {} of survivors ({} pages); CPU ratio of the \
             optimizeGC port to no call: {}",
            mib(r.burst_bytes as f64),
            mib(r.live_bytes as f64),
            group_thousands(r.burst_pages() as i64),
            reports
                .iter()
                .find(|x| x.plan.mode == ForcedMode::OptimizeGc)
                .map_or("n/a".into(), |o| format_ratio(o.steady(|c| c.cpu_ns) / n.steady(|c| c.cpu_ns)))
        ));
    }
    Ok(vec![t])
}

/// Fragmentation: what stays resident by survival pattern and allocator.
pub fn fragmentation(ctx: &Ctx) -> Tables {
    let f = figures::fragmentation(ctx)?;
    let patterns = [Pattern::OneIn64, Pattern::Clustered, Pattern::Pooled];
    let mut header = vec!["allocator, after its reclaim call".to_string()];
    header.extend(patterns.iter().map(|p| p.label().to_string()));
    header.push("interleaved ÷ pooled".into());
    let mut t = Table::new(header);
    for a in super::Allocator::ALL {
        let get = |p: Pattern| {
            f.iter().find(|r| r.allocator == a && r.pattern == p).map(|r| r.retained)
        };
        let mut row = vec![a.name().to_string()];
        row.extend(patterns.iter().map(|p| get(*p).map_or("n/a".into(), mib)));
        row.push(match (get(Pattern::OneIn64), get(Pattern::Pooled)) {
            (Some(i), Some(p)) => format_ratio(i / p.max(1.0)),
            _ => "n/a".into(),
        });
        t.row(row);
    }
    if let Some(r) = f.first() {
        t.note(format!(
            "resident set above the child's baseline; {} of survivors live in every case",
            mib(r.live)
        ));
    }
    Ok(vec![t])
}

/// The limit: `LimitAlloc`, `RLIMIT_AS`, and the overhead against `cap`.
pub fn limit(ctx: &Ctx) -> Tables {
    let l = figures::limits(ctx)?;
    let mut t = Table::new(["what", "result"]);
    t.row([
        format!("LimitAlloc cap {}: alloc 512 KiB", format_bytes(l.direct.cap as f64)),
        yes(l.direct.half_ok, "succeeds", "refused"),
    ]);
    t.row([
        "LimitAlloc: alloc 2 MiB".to_string(),
        yes(l.direct.double_refused, "refused (null)", "succeeds"),
    ]);
    t.row([
        "RLIMIT_AS child, try_reserve(1 GiB)".to_string(),
        format!(
            "{}; degraded to {}",
            l.degrade_ended,
            l.degraded_to.map_or("n/a".into(), format_bytes)
        ),
    ]);
    t.row([
        "RLIMIT_AS child, Vec::with_capacity(1 GiB)".to_string(),
        format!("{}: {}", l.abort_ended, l.abort_message),
    ]);
    let o = figures::limit_overhead(ctx)?;
    let mut over = Table::new(["alloc + free of 64 B", "per call", "÷ glibc"])
        .titled("overhead (target: LimitAlloc ≤ 1.1× cap)");
    over.row(["glibc (System)".to_string(), ns(o.system_ns), format_ratio(1.0)]);
    over.row([
        "LimitAlloc<System> (ours)".to_string(),
        ns(o.ours_ns),
        format_ratio(o.ours_ns / o.system_ns),
    ]);
    match o.cap_ns {
        Some(c) => {
            over.row([
                "cap::Cap<System>".to_string(),
                ns(c),
                format_ratio(c / o.system_ns),
            ]);
            let r = o.ours_ns / c;
            over.note(format!("ours ÷ cap = {} ({}); command: cargo run --release --example allocator_tuning -- --table limit", format_ratio(r), met(r, target::LIMIT)));
        }
        None => {
            over.note("cap is a dev-dependency: run the example to time it");
        }
    }
    Ok(vec![t, over])
}

fn yes(b: bool, y: &str, n: &str) -> String {
    if b { y } else { n }.to_string()
}

/// Stalls: a big drop inline or in the background; reclamation seen from
/// another thread.
pub fn stalls(ctx: &Ctx) -> Tables {
    let d = figures::drops(ctx)?;
    let mut drops = Table::new(["drop a map of N entries", "caller's CPU time (median)"])
        .titled(format!("N = {}", group_thousands(d.entries as i64)));
    drops.row(["drop(map), inline".to_string(), ns(median(&d.inline_ns))]);
    drops.row(["drop_in_background(map) (ours)".to_string(), ns(median(&d.ours_ns))]);
    if let Some(p) = &d.peer_ns {
        drops.row(["defer_drop::DeferDrop::new(map)".to_string(), ns(median(p))]);
    }
    let h = figures::handoffs(ctx)?;
    match h.peer_ns {
        Some(p) => {
            let r = h.ours_ns / p;
            drops.note(format!(
                "per hand-off of a small Vec ({} per batch): ours {}, defer-drop {}, ratio {} (target ≤ 1.1×: {})",
                h.batch, ns(h.ours_ns), ns(p), format_ratio(r), met(r, target::DROP)
            ));
        }
        None => {
            drops.note(format!("per hand-off of a small Vec: ours {}; defer-drop is a dev-dependency (run the example)", ns(h.ours_ns)));
        }
    }
    let reports = figures::stalls(ctx)?;
    let mut beat = Table::new([
        "setting",
        "call",
        "took (median)",
        "heartbeat blocked (worst)",
        "rounds it had a CPU",
        "longest gap, no call",
    ])
    .titled("another thread's heartbeat during reclamation (target: blocked ≤ 1 ms with ours)");
    for r in reports.iter() {
        let mut names: Vec<&str> = Vec::new();
        for c in &r.calls {
            if !names.contains(&c.call.as_str()) {
                names.push(&c.call);
            }
        }
        for name in names {
            let ran = r.calls_of(name).filter(|c| c.ran).count();
            beat.row([
                r.plan.setting.label().to_string(),
                name.to_string(),
                ns(r.took(name)),
                r.blocked(name).map_or("n/a".into(), ns),
                format!("{ran}/{}", r.calls_of(name).count()),
                ns(r.quiet_max_gap_ns),
            ]);
        }
    }
    if let Some(r) = reports.first() {
        beat.note(format!(
            "blocked: the longest gap in which the heartbeat slept (a voluntary context switch: \
             it waited for a lock), over the rounds in which it had a CPU; longest gap: any \
             hold-up, another process taking the CPU included; {} CPUs for the child",
            r.cpus
        ));
    }
    if let Ok(ours) = figures::stall(ctx, super::stall::StallSetting::GlibcReclaimer)
        && let Some(b) = ours.blocked("Reclaimer")
    {
        beat.note(format!(
            "target: the Reclaimer's trim blocked the heartbeat for {} ({}); command: cargo run --release --example allocator_tuning -- --table stalls",
            ns(b),
            met(b, target::STALL_NS)
        ));
    }
    Ok(vec![drops, beat])
}

/// Who sets the knobs: arenas after start-up code, with and without the
/// operator's `MALLOC_ARENA_MAX=1`.
pub fn init(ctx: &Ctx) -> Tables {
    let reports = figures::arenas(ctx)?;
    let mut t = Table::new(["start-up code", "operator's environment", "arenas"]);
    for r in reports.iter() {
        t.row([
            r.plan.init.label().to_string(),
            if r.plan.operator_one { "MALLOC_ARENA_MAX=1" } else { "-" }.into(),
            r.arenas.to_string(),
        ]);
    }
    t.note(format!(
        "{} threads allocate at once; glibc's own limit is 8 × cores; '{}' is seed 003's init()",
        figures::ARENA_THREADS,
        InitStyle::SeedInit.label()
    ));
    Ok(vec![t])
}
