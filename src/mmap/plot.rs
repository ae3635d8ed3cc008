//! The first-touch plot: allocation + first touch against size, one line per
//! [`Strategy`], as a hand-written SVG (log-log, no plotting crate), from the
//! size table of [`super::figures::sizes`].
//!
//! For: `examples/mmap.rs --table plot --plot PATH` (the book's
//! `book/src/mmap/first-touch.svg`). Not for: measuring anything.

use super::sizes::{Cost, SEED_BEFORE_MS, SEED_SIZES, Strategy};
use std::fmt::Write as _;

fn ns(d: std::time::Duration) -> f64 {
    d.as_nanos() as f64
}

/// Colours of the plot's series: one per strategy, then the allocation-only
/// line (the colour of `vec![0u8; n]`, dashed) and the seed's (black, dashed).
const COLOURS: [&str; 8] = [
    "#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#1f77b4",
    "#000000",
];

/// A plotted line: label, points (bytes, ns), dashed.
type Series = (String, Vec<(f64, f64)>, bool);

// ANCHOR: plot
/// A log-log SVG of allocation + first touch against size, one line per
/// strategy, with `vec![0u8; n]`'s allocation alone and the seed's "before"
/// figures dashed for comparison.
pub fn render_svg(costs: &[Cost], caption: &str) -> String {
    let mut series: Vec<Series> = Strategy::ALL
        .iter()
        .map(|st| {
            let pts = costs
                .iter()
                .filter(|c| c.strategy == *st)
                .map(|c| (c.size as f64, ns(c.total()).max(1.0)))
                .collect();
            (st.label().to_string(), pts, false)
        })
        .collect();
    let alloc = costs
        .iter()
        .filter(|c| c.strategy == Strategy::VecZeroed)
        .map(|c| (c.size as f64, ns(c.alloc).max(1.0)));
    series.push(("vec![0u8; n]: allocation only".into(), alloc.collect(), true));
    let seed = SEED_SIZES.iter().zip(SEED_BEFORE_MS).map(|(n, m)| (*n as f64, m * 1e6));
    series.push(("seed 004: make(), Go".into(), seed.collect(), true));
    plot(&series, caption)
}
// ANCHOR_END: plot

fn plot(series: &[Series], caption: &str) -> String {
    let (w, h) = (780.0, 480.0);
    let (left, right, top, bottom) = (70.0, 230.0, 40.0, 60.0);
    let xs: Vec<f64> = series.iter().flat_map(|s| s.1.iter().map(|p| p.0)).collect();
    let ys: Vec<f64> = series.iter().flat_map(|s| s.1.iter().map(|p| p.1)).collect();
    let (x0, x1) = (min(&xs).log10() - 0.15, max(&xs).log10() + 0.15);
    let (y0, y1) = (min(&ys).log10().floor(), max(&ys).log10().ceil());
    let px = |v: f64| left + (v.log10() - x0) / (x1 - x0) * (w - left - right);
    let py = |v: f64| h - bottom - (v.log10() - y0) / (y1 - y0) * (h - top - bottom);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="14">An n-byte buffer: allocation + first write to every page (log-log)</text>"#
    );
    for e in (y0 as i32)..=(y1 as i32) {
        let y = py(10f64.powi(e));
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            power_of_ten_time(e)
        );
    }
    let mut ticks = xs.clone();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup();
    for v in ticks {
        let x = px(v);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            h - bottom,
            h - bottom + 16.0,
            short_bytes(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">buffer size n (M = MiB, G = GiB)</text>"#,
        (left + w - right) / 2.0,
        h - 22.0
    );
    for (i, (label, pts, dashed)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> =
            pts.iter().map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y))).collect();
        let dash = if *dashed { r#" stroke-dasharray="6 4""# } else { "" };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
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
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
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

/// `1048576` → `1M`, `1073741824` → `1G`: compact axis labels.
fn short_bytes(v: f64) -> String {
    let gib = (1u64 << 30) as f64;
    if v >= gib {
        format!("{}G", v / gib)
    } else {
        format!("{}M", v / (1u64 << 20) as f64)
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// `10^e` ns as `100 µs`, `1 s`: the time axis's labels.
fn power_of_ten_time(e: i32) -> String {
    let (unit, base) = match e {
        e if e >= 9 => ("s", 9),
        e if e >= 6 => ("ms", 6),
        e if e >= 3 => ("µs", 3),
        _ => ("ns", 0),
    };
    format!("{} {unit}", 10u64.pow((e - base).max(0) as u32))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cost(strategy: Strategy, size: usize, ms: u64) -> Cost {
        Cost {
            strategy,
            size,
            alloc: Duration::from_micros(10),
            alloc_faults: 1,
            touch: Duration::from_millis(ms),
            touch_faults: (size / 4096) as u64,
            own_mapping: true,
            free: Duration::from_micros(5),
        }
    }

    #[test]
    fn the_plot_is_well_formed_svg_with_one_line_per_series() {
        let costs: Vec<Cost> = [1 << 20, 1 << 30]
            .into_iter()
            .flat_map(|n| {
                Strategy::ALL
                    .into_iter()
                    .map(move |s| cost(s, n, 1 + n as u64 / (1 << 22)))
            })
            .collect();
        let svg = render_svg(&costs, "test <caption>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), Strategy::ALL.len() + 2);
        assert!(svg.contains("&lt;caption&gt;"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn time_labels_are_round() {
        assert_eq!(power_of_ten_time(4), "10 µs");
        assert_eq!(power_of_ten_time(9), "1 s");
        assert_eq!(power_of_ten_time(10), "10 s");
        assert_eq!(power_of_ten_time(2), "100 ns");
    }
}
