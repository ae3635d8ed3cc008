//! The resident set over time for the churn, one line per allocator
//! setting, one panel per survival pattern: a hand-written SVG (no plotting
//! crate), from [`super::figures::timelines`].
//!
//! For: `examples/allocator_tuning.rs --table plot --plot PATH` (the book's
//! `book/src/allocator_tuning/rss-over-time.svg`). Not for: measuring.

use super::allocators::Setting;
use super::churn::Timeline;
use std::fmt::Write as _;

/// One colour per setting, in [`Setting::ALL`] order: glibc blues, jemalloc
/// reds, mimalloc greens; ours black.
const COLOURS: [&str; 8] = [
    "#1f77b4", "#6baed6", "#000000", "#d62728", "#ff9896", "#8c564b", "#2ca02c",
    "#98df8a",
];

fn colour(s: Setting) -> &'static str {
    let i = Setting::ALL.iter().position(|x| *x == s).unwrap_or(0);
    COLOURS[i % COLOURS.len()]
}

const MIB: f64 = (1u64 << 20) as f64;

// ANCHOR: plot
/// Two panels side by side (one per pattern, in the order of `patterns`),
/// resident MiB against ms since the free began; a cross marks a forced
/// reclaim call, a ring the Reclaimer's.
pub fn render_svg(
    timelines: &[Timeline],
    patterns: &[super::churn::Pattern],
    caption: &str,
) -> String {
    let (w, h) = (980.0, 520.0);
    let (panel_w, top, bottom, left, legend_h) = (400.0, 50.0, 150.0, 60.0, 120.0);
    let t_max = timelines
        .iter()
        .flat_map(|t| t.samples.iter().map(|s| s.t_ms))
        .fold(1.0, f64::max);
    let t_min = timelines
        .iter()
        .flat_map(|t| t.samples.iter().map(|s| s.t_ms))
        .fold(0.0, f64::min);
    let y_max = timelines
        .iter()
        .map(|t| t.peak as f64 / MIB)
        .fold(1.0, f64::max)
        .mul_add(1.05, 0.0)
        .ceil();
    let plot_h = h - top - bottom;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="14">Resident set of the process while 1000-byte blocks are allocated, freed, then left idle</text>"#
    );
    for (k, pattern) in patterns.iter().enumerate() {
        let x0 = left + k as f64 * (panel_w + 80.0);
        let px = |t: f64| x0 + (t - t_min) / (t_max - t_min) * panel_w;
        let py = |mib: f64| top + plot_h - mib / y_max * plot_h;
        let _ = writeln!(
            s,
            r#"<text x="{x0}" y="{:.1}" font-size="13">{}</text>"#,
            top - 10.0,
            xml_escape(pattern.label())
        );
        for i in 0..=4 {
            let v = y_max * f64::from(i) / 4.0;
            let y = py(v);
            let _ = writeln!(
                s,
                r##"<line x1="{x0}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v:.0} MiB</text>"##,
                x0 + panel_w,
                x0 - 6.0,
                y + 4.0
            );
        }
        let x_free = px(0.0);
        let _ = writeln!(
            s,
            r##"<line x1="{x_free:.1}" y1="{top}" x2="{x_free:.1}" y2="{:.1}" stroke="#999" stroke-dasharray="3 3"/><text x="{x_free:.1}" y="{:.1}" text-anchor="middle">free</text>"##,
            top + plot_h,
            top + plot_h + 14.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">ms since the free began ({:.0} … {:.0})</text>"#,
            x0 + panel_w / 2.0,
            top + plot_h + 30.0,
            t_min,
            t_max
        );
        for t in timelines.iter().filter(|t| t.plan.pattern == *pattern) {
            let c = colour(t.plan.setting);
            let pts: Vec<String> = t
                .samples
                .iter()
                .map(|p| format!("{:.1},{:.1}", px(p.t_ms), py(p.rss as f64 / MIB)))
                .collect();
            let dash =
                if t.plan.setting.is_ours() { "" } else { r#" stroke-opacity="0.85""# };
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"{dash}/>"#,
                pts.join(" ")
            );
            if let (Some(r), Some(last)) = (t.forced_rss, t.samples.last()) {
                let (x, y) = (px(last.t_ms), py(r as f64 / MIB));
                let _ = writeln!(
                    s,
                    r#"<path d="M{:.1},{:.1} l8,8 m0,-8 l-8,8" stroke="{c}" stroke-width="2"/>"#,
                    x - 4.0,
                    y - 4.0
                );
            }
            if let Some((at, _)) = t.reclaimer {
                let near = t.samples.iter().find(|p| p.t_ms >= at).or(t.samples.last());
                if let Some(p) = near {
                    let _ = writeln!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="none" stroke="{c}" stroke-width="2"/>"#,
                        px(at),
                        py(p.rss as f64 / MIB)
                    );
                }
            }
        }
    }
    for (i, setting) in Setting::ALL.iter().enumerate() {
        let (col, row) = (i % 3, i / 3);
        let lx = left + col as f64 * 300.0;
        let ly = h - legend_h + 20.0 + row as f64 * 20.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2"/><text x="{}" y="{}">{}</text>"#,
            lx + 22.0,
            colour(*setting),
            lx + 28.0,
            ly + 4.0,
            xml_escape(setting.label())
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="{:.1}" fill="#333">× the allocator's reclaim call, forced after the idle window; ○ the Reclaimer's trim</text>"##,
        h - legend_h + 90.0
    );
    let _ = writeln!(
        s,
        r##"<text x="10" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
        h - 6.0,
        xml_escape(caption)
    );
    s.push_str("</svg>\n");
    s
}
// ANCHOR_END: plot

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocator_tuning::churn::{ChurnPlan, Pattern, Sample};

    fn timeline(setting: Setting, pattern: Pattern) -> Timeline {
        Timeline {
            plan: ChurnPlan {
                setting,
                pattern,
                blocks: 10,
                idle_ms: 10,
                step_ms: 1,
                quiet_ms: 5,
            },
            baseline: 1 << 20,
            peak: 200 << 20,
            freed_bytes: 0,
            live_bytes: 0,
            idle_rss: 100 << 20,
            forced_rss: setting.forces_reclaim_at_end().then_some(3 << 20),
            forced_ns: None,
            reclaimer: setting.is_ours().then_some((5.0, 1e6)),
            samples: vec![
                Sample { t_ms: -50.0, rss: 1 << 20 },
                Sample { t_ms: 0.0, rss: 200 << 20 },
                Sample { t_ms: 10.0, rss: 100 << 20 },
            ],
        }
    }

    #[test]
    fn one_line_per_setting_and_pattern_and_no_nan() {
        let patterns = [Pattern::AllFreed, Pattern::OneIn64];
        let ts: Vec<Timeline> =
            Setting::ALL.iter().flat_map(|s| patterns.map(|p| timeline(*s, p))).collect();
        let svg = render_svg(&ts, &patterns, "a <caption>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), Setting::ALL.len() * 2);
        assert_eq!(svg.matches("<circle").count(), 2, "the Reclaimer's mark, per panel");
        assert!(svg.contains("&lt;caption&gt;"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
