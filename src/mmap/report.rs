//! The example's size table and plot: every [`Strategy`] at every size, as a
//! text table and as a hand-written SVG (log-log, no plotting crate).
//!
//! For: `examples/mmap.rs` (`--table sizes`, `--size`, `--plot`). Not for:
//! verdicts; the checks measure for themselves.

use super::buf::MapError;
use super::sizes::{self, Cost, SEED_BEFORE_MS, SEED_SIZES, Strategy};
use crate::claims::verdict::{format_bytes, format_nanos};
use std::fmt::Write as _;

/// Measures every strategy at every size. Rounds are interleaved across
/// strategies (A B C … A B C …) and each cell is the median of its rounds by
/// total time; `reps(size)` says how many rounds a size gets.
pub fn measure_table(
    sizes_: &[usize],
    reps: impl Fn(usize) -> usize,
) -> Result<Vec<Cost>, MapError> {
    let mut out = Vec::new();
    for &n in sizes_ {
        let mut runs: Vec<Vec<Cost>> = vec![Vec::new(); Strategy::ALL.len()];
        for _ in 0..reps(n).max(1) {
            for (i, s) in Strategy::ALL.into_iter().enumerate() {
                runs[i].push(sizes::measure(s, n)?);
            }
        }
        for mut r in runs {
            r.sort_by_key(Cost::total);
            out.push(r[r.len() / 2]);
        }
    }
    Ok(out)
}

fn ns(d: std::time::Duration) -> f64 {
    d.as_nanos() as f64
}

// ANCHOR: render_table
/// The size table: one block per size, one line per strategy.
pub fn render_table(costs: &[Cost]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{:<8} {:<24} {:>10} {:>8} {:>10} {:>8} {:>10} {:>10}  memory from",
        "size", "strategy", "alloc", "faults", "touch", "faults", "total", "free",
    );
    let mut last = 0;
    for c in costs {
        if c.size != last && last != 0 {
            t.push('\n');
        }
        last = c.size;
        let from = match (c.strategy, c.own_mapping) {
            (Strategy::Mmap | Strategy::MmapPopulate | Strategy::MmapThp, _) => "mmap",
            (_, true) => "glibc: own mmap",
            (_, false) => "glibc: heap chunk",
        };
        let _ = writeln!(
            t,
            "{:<8} {:<24} {:>10} {:>8} {:>10} {:>8} {:>10} {:>10}  {from}",
            format_bytes(c.size as f64),
            c.strategy.label(),
            format_nanos(ns(c.alloc)),
            c.alloc_faults,
            format_nanos(ns(c.touch)),
            c.touch_faults,
            format_nanos(ns(c.total())),
            format_nanos(ns(c.free)),
        );
    }
    t
}
// ANCHOR_END: render_table

/// One line per seed size: the seed's "before" time beside our cheapest and
/// dearest `vec![0u8; n]`-style totals.
pub fn render_seed_comparison(costs: &[Cost]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{:<8} {:>10} {:>18} {:>22} {:>16}",
        "size", "seed make", "vec![0] alloc", "vec![0] alloc+touch", "seed / alloc"
    );
    for (n, seed_ms) in SEED_SIZES.iter().zip(SEED_BEFORE_MS) {
        let Some(c) =
            costs.iter().find(|c| c.size == *n && c.strategy == Strategy::VecZeroed)
        else {
            continue;
        };
        let _ = writeln!(
            t,
            "{:<8} {:>10} {:>18} {:>22} {:>15.0}×",
            format_bytes(*n as f64),
            format_nanos(seed_ms * 1e6),
            format_nanos(ns(c.alloc)),
            format_nanos(ns(c.total())),
            seed_ms * 1e6 / ns(c.alloc).max(1.0)
        );
    }
    t
}

/// Colours of the plot's series, one per strategy, then the seed's.
const COLOURS: [&str; 7] =
    ["#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f"];

// ANCHOR: plot
/// A log-log SVG of allocation + first touch against size, one line per
/// strategy, with the seed's "before" figures dashed for comparison.
pub fn render_svg(costs: &[Cost], caption: &str) -> String {
    let (w, h) = (760.0, 480.0);
    let (left, right, top, bottom) = (80.0, 220.0, 40.0, 60.0);
    let sizes: Vec<f64> = costs.iter().map(|c| c.size as f64).collect();
    let mut times: Vec<f64> = costs.iter().map(|c| ns(c.total()).max(1.0)).collect();
    times.extend(SEED_BEFORE_MS.iter().map(|m| m * 1e6));
    let lg = |v: f64| v.log10();
    let (x0, x1) =
        (lg(min(&sizes)).floor(), lg(max(&sizes)).ceil().max(lg(min(&sizes)) + 1.0));
    let (y0, y1) = (lg(min(&times)).floor(), lg(max(&times)).ceil());
    let px = |v: f64| left + (lg(v) - x0) / (x1 - x0) * (w - left - right);
    let py = |v: f64| h - bottom - (lg(v) - y0) / (y1 - y0) * (h - top - bottom);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="14">Allocation + first touch of n bytes (log-log)</text>"#
    );
    // Grid and tick labels: powers of ten.
    for e in (y0 as i32)..=(y1 as i32) {
        let v = 10f64.powi(e);
        let y = py(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            format_nanos(v)
        );
    }
    for e in (x0 as i32)..=(x1 as i32) {
        let v = 10f64.powi(e);
        let x = px(v);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            h - bottom,
            h - bottom + 16.0,
            decimal_bytes(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">buffer size n</text>"#,
        (left + w - right) / 2.0,
        h - 18.0
    );
    // (label, points, dashed)
    type Series = (String, Vec<(f64, f64)>, bool);
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
    let seed_pts =
        SEED_SIZES.iter().zip(SEED_BEFORE_MS).map(|(n, m)| (*n as f64, m * 1e6));
    series.push(("seed 004: make() (Go)".into(), seed_pts.collect(), true));
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
        let ly = top + 10.0 + i as f64 * 20.0;
        let lx = w - right + 14.0;
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
        r##"<text x="{left}" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
        h - 4.0,
        xml_escape(caption)
    );
    s.push_str("</svg>\n");
    s
}
// ANCHOR_END: plot

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// `1e6` → `1 MB`: tick labels at powers of ten.
fn decimal_bytes(v: f64) -> String {
    match v {
        v if v >= 1e9 => format!("{} GB", v / 1e9),
        v if v >= 1e6 => format!("{} MB", v / 1e6),
        v if v >= 1e3 => format!("{} kB", v / 1e3),
        v => format!("{v} B"),
    }
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
        assert_eq!(svg.matches("<polyline").count(), Strategy::ALL.len() + 1);
        assert!(svg.contains("&lt;caption&gt;"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn the_table_has_a_line_per_cost_and_names_the_source() {
        let mut c = cost(Strategy::VecZeroed, 1 << 20, 1);
        c.own_mapping = false;
        let t = render_table(&[c, cost(Strategy::Mmap, 1 << 20, 1)]);
        assert_eq!(t.lines().count(), 3);
        assert!(t.contains("glibc: heap chunk") && t.contains("mmap"));
    }
}
