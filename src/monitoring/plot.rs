//! The load plot: resident set and allocation rate over the scripted load
//! of [`super::load`], as a hand-written SVG (no plotting crate): two
//! panels sharing the time axis, with the phases shaded.
//!
//! For: `examples/monitoring.rs --table load --plot PATH` (the book's
//! `book/src/monitoring/load.svg`). Not for: measuring anything.

use super::load::Trace;
use std::fmt::Write as _;

const PHASE_FILL: [&str; 5] = ["#f4f4f4", "#e8f0fa", "#fdf0e2", "#f6e8f6", "#eaf6ea"];

// ANCHOR: plot
/// Resident set (MiB, top) and allocation rate (MiB/s, bottom) against
/// time (ms), one point per recorded tick.
pub fn render_svg(tr: &Trace) -> String {
    let mib = 1024.0 * 1024.0;
    let rss: Vec<(f64, f64)> = tr
        .points
        .iter()
        .map(|p| (p.sample.at.as_secs_f64() * 1e3, p.sample.rss_bytes as f64 / mib))
        .collect();
    let rate: Vec<(f64, f64)> = tr
        .alloc_rates()
        .iter()
        .map(|(t, r, _)| (t.as_secs_f64() * 1e3, r / mib))
        .collect();
    let phases: Vec<(&str, f64)> =
        tr.phases.iter().map(|(n, t)| (*n, t.as_secs_f64() * 1e3)).collect();
    plot(&rss, &rate, &phases)
}
// ANCHOR_END: plot

fn plot(rss: &[(f64, f64)], rate: &[(f64, f64)], phases: &[(&str, f64)]) -> String {
    let (w, h) = (780.0, 520.0);
    let (left, right, top) = (80.0, 30.0, 40.0);
    let panel = 190.0;
    let gap = 50.0;
    let t_max = rss.iter().chain(rate).map(|p| p.0).fold(1.0, f64::max);
    let px = |t: f64| left + t / t_max * (w - left - right);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="14">A scripted load, sampled: resident set and allocation rate</text>"#
    );
    for (i, (name, t0)) in phases.iter().enumerate() {
        let t1 = phases.get(i + 1).map_or(t_max, |p| p.1);
        let (x0, x1) = (px(*t0), px(t1));
        let fill = PHASE_FILL[i % PHASE_FILL.len()];
        let _ = writeln!(
            s,
            r##"<rect x="{x0:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="{fill}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">{name}</text>"##,
            (x1 - x0).max(0.0),
            2.0 * panel + gap,
            (x0 + x1) / 2.0,
            top + 14.0
        );
    }
    for (k, (series, label, colour)) in [
        (rss, "resident set (MiB)", "#1f77b4"),
        (rate, "allocation rate (MiB/s)", "#d62728"),
    ]
    .into_iter()
    .enumerate()
    {
        let y_top = top + k as f64 * (panel + gap);
        let y_bottom = y_top + panel;
        let y_max = nice(series.iter().map(|p| p.1).fold(1.0, f64::max));
        let py = |v: f64| y_bottom - v / y_max * (panel - 20.0);
        for i in 0..=4 {
            let v = y_max * i as f64 / 4.0;
            let y = py(v);
            let _ = writeln!(
                s,
                r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                w - right,
                left - 6.0,
                y + 4.0,
                short(v)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">{label}</text>"#,
            (y_top + y_bottom) / 2.0,
            (y_top + y_bottom) / 2.0
        );
        let pts: Vec<String> =
            series.iter().map(|(t, v)| format!("{:.1},{:.1}", px(*t), py(*v))).collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            pts.join(" ")
        );
    }
    let axis_y = top + 2.0 * panel + gap;
    for i in 0..=5 {
        let t = t_max * i as f64 / 5.0;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{:.0}</text>"#,
            px(t),
            axis_y + 16.0,
            t
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">time since the sampler started (ms)</text>"#,
        (left + w - right) / 2.0,
        axis_y + 36.0
    );
    s.push_str("</svg>\n");
    s
}

/// A round upper bound for an axis: 1, 2 or 5 × a power of ten.
fn nice(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v).unwrap_or(10.0 * p)
}

fn short(v: f64) -> String {
    if v >= 10.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}
