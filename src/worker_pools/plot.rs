//! The throughput plot: jobs per second against job size, one line per
//! pool, as a hand-written SVG (job sizes evenly spaced, throughput on a
//! log scale; no plotting crate), from [`super::figures::sweep`].
//!
//! For: `examples/worker_pools.rs --table plot --plot PATH` (the book's
//! `book/src/worker_pools/throughput.svg`). Not for: measuring anything.

use super::figures::SweepPoint;
use super::peers::Peer;
use std::fmt::Write as _;

const COLOURS: [&str; 8] = [
    "#1f77b4", "#17becf", "#aec7e8", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd",
    "#000000",
];

// ANCHOR: plot
/// A line per peer through its jobs per second at each job size.
pub fn render_svg(points: &[SweepPoint], caption: &str) -> String {
    let mut sizes: Vec<f64> = points.iter().map(|p| p.job_ns).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let series: Vec<(&str, Vec<(usize, f64)>)> = Peer::ALL
        .iter()
        .map(|peer| {
            let pts = points
                .iter()
                .filter(|p| p.peer == *peer)
                .filter_map(|p| {
                    let x = sizes.iter().position(|s| *s == p.job_ns)?;
                    Some((x, p.jobs_per_sec().max(1.0)))
                })
                .collect();
            (peer.label(), pts)
        })
        .filter(|(_, pts): &(&str, Vec<(usize, f64)>)| !pts.is_empty())
        .collect();
    plot(&series, &sizes, caption)
}
// ANCHOR_END: plot

fn plot(series: &[(&str, Vec<(usize, f64)>)], sizes: &[f64], caption: &str) -> String {
    let (w, h) = (800.0, 480.0);
    let (left, right, top, bottom) = (80.0, 250.0, 40.0, 60.0);
    let ys: Vec<f64> = series.iter().flat_map(|s| s.1.iter().map(|p| p.1)).collect();
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min).max(1.0);
    let hi = ys.iter().copied().fold(1.0, f64::max);
    let (y0, y1) = (lo.log10().floor(), hi.log10().ceil().max(lo.log10().floor() + 1.0));
    let n = sizes.len().max(2) as f64;
    let px = |i: usize| left + (i as f64 + 0.5) / n * (w - left - right);
    let py = |v: f64| h - bottom - (v.log10() - y0) / (y1 - y0) * (h - top - bottom);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="14">Jobs per second against job size, 2 workers (log scale)</text>"#
    );
    for e in (y0 as i32)..=(y1 as i32) {
        let y = py(10f64.powi(e));
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            per_sec_label(e)
        );
    }
    for (i, ns) in sizes.iter().enumerate() {
        let x = px(i);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            h - bottom,
            h - bottom + 16.0,
            size_label(*ns)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">CPU work per job</text>"#,
        (left + w - right) / 2.0,
        h - 22.0
    );
    for (i, (label, pts)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> =
            pts.iter().map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y))).collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            path.join(" ")
        );
        for (x, y) in pts {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                px(*x),
                py(*y)
            );
        }
        let (lx, ly) = (w - right + 14.0, top + 10.0 + i as f64 * 20.0);
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{}</text>"#,
            lx + 22.0,
            lx + 28.0,
            ly + 4.0,
            xml_escape(label)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="10" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
        h - 4.0,
        xml_escape(caption)
    );
    s.push_str("</svg>\n");
    s
}

/// `0` → `empty`, `1000` → `1 µs`.
fn size_label(ns: f64) -> String {
    if ns == 0.0 {
        "empty".into()
    } else if ns >= 1e3 {
        format!("{} µs", ns / 1e3)
    } else {
        format!("{ns} ns")
    }
}

/// `10^e` per second as `10k/s`, `1M/s`.
fn per_sec_label(e: i32) -> String {
    let (unit, base) = match e {
        e if e >= 9 => ("G", 9),
        e if e >= 6 => ("M", 6),
        e if e >= 3 => ("k", 3),
        _ => ("", 0),
    };
    format!("{}{unit}/s", 10u64.pow((e - base).max(0) as u32))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_plot_is_well_formed_svg_with_one_line_per_peer() {
        let points: Vec<SweepPoint> = [0.0, 1000.0]
            .into_iter()
            .flat_map(|job_ns| {
                Peer::ALL.into_iter().map(move |peer| SweepPoint {
                    peer,
                    job_ns,
                    jobs: 1000,
                    median: Duration::from_micros(100 + job_ns as u64),
                })
            })
            .collect();
        let svg = render_svg(&points, "test <caption>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), Peer::ALL.len());
        assert!(svg.contains("&lt;caption&gt;") && svg.contains(">empty<"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn axis_labels_are_round() {
        assert_eq!(per_sec_label(7), "10M/s");
        assert_eq!(per_sec_label(9), "1G/s");
        assert_eq!(per_sec_label(3), "1k/s");
        assert_eq!(size_label(100.0), "100 ns");
        assert_eq!(size_label(10_000.0), "10 µs");
    }
}
