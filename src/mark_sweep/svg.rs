//! Pictures, written by hand as SVG text (no plotting crate): frames of a
//! scripted scenario being marked step by step, a film strip of all frames,
//! the heap-over-time chart of the pacing simulation, and the steps of an
//! incremental cycle paced by the clock.
//!
//! In a frame, objects are white, gray or black; an object the *barrier*
//! shaded in this event has an orange ring; a reference from a black node to
//! a white object is red (the strong invariant is broken there); a freed
//! object is a dashed outline, red if something still points at it.
//!
//! Not a general graph renderer: positions come from the scenario.

use super::barrier::Barrier;
use super::checker::{self, Node};
use super::heap::{Color, FIELDS, Heap, ObjId};
use super::incremental::{Incremental, Phase};
use super::mutator::{self, RunOptions, RunReport};
use super::paced::{COLLECTOR_SHARE, MAX_PAUSE, PacedRun};
use super::pacing::PacingRun;
use super::scenarios::{self, Scenario};
use std::fmt::Write;

/// Frame width and height, in SVG pixels.
pub const FRAME: (f32, f32) = (680.0, 340.0);
const R: f32 = 24.0;
const RED: &str = "#c0392b";
const ORANGE: &str = "#e67e22";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn header(w: f32, h: f32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"13\">\n\
         <defs>\
         <marker id=\"a\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#333\"/></marker>\
         <marker id=\"r\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"{RED}\"/></marker>\
         </defs>\n<rect width=\"{w}\" height=\"{h}\" fill=\"#fbfbf8\"/>\n"
    )
}

fn fill_of(c: Color) -> (&'static str, &'static str) {
    match c {
        Color::White => ("#ffffff", "#111"),
        Color::Gray => ("#a0a0a0", "#111"),
        Color::Black => ("#1b1b1b", "#fff"),
    }
}

/// An arrow from `p` to `q`, shortened by `r0` at the start and `R` at the
/// end; `bend` curves it sideways.
fn arrow(
    out: &mut String,
    p: (f32, f32),
    q: (f32, f32),
    r0: f32,
    bend: f32,
    color: &str,
    dashed: bool,
) {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let s = (p.0 + ux * r0, p.1 + uy * r0);
    let e = (q.0 - ux * R, q.1 - uy * R);
    let c = ((s.0 + e.0) / 2.0 + uy * bend, (s.1 + e.1) / 2.0 - ux * bend);
    let marker = if color == RED { "r" } else { "a" };
    let dash = if dashed { " stroke-dasharray=\"5,4\"" } else { "" };
    let _ = writeln!(
        out,
        "<path d=\"M{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}\" fill=\"none\" stroke=\"{color}\" \
         stroke-width=\"2\"{dash} marker-end=\"url(#{marker})\"/>",
        s.0, s.1, c.0, c.1, e.0, e.1
    );
}

/// Draws one frame of scenario `s`. `shaded` are the objects the barrier
/// shaded in this event; `title` goes on top, `caption` below.
pub fn frame(
    s: &Scenario,
    heap: &Heap,
    gc: &Incremental,
    shaded: &[ObjId],
    title: &str,
    caption: &str,
) -> String {
    let (w, h) = FRAME;
    let mut out = header(w, h);
    let _ = writeln!(
        out,
        "<text x=\"16\" y=\"24\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    let pos = |id: ObjId| s.objects.iter().find(|o| o.0 == id).map(|o| (o.2, o.3));
    let marking = gc.phase() != Phase::Idle;
    let color = |n: Node| match n {
        Node::Object(id) => heap.color(id),
        Node::Stack(g) => gc.stack_color(g),
    };
    let red_edge = |from: Node, to: ObjId| {
        !heap.is_live(to)
            || (marking && color(from) == Color::Black && heap.color(to) == Color::White)
    };
    // Stacks: one box per stack, one row per slot.
    let mut y0 = 50.0;
    for (g, stack) in heap.stacks().iter().enumerate() {
        let (fill, ink) =
            if marking { fill_of(gc.stack_color(g)) } else { ("#eeeeee", "#111") };
        let bh = 26.0 * stack.len() as f32 + 30.0;
        let _ = writeln!(
            out,
            "<rect x=\"20\" y=\"{y0}\" width=\"150\" height=\"{bh}\" rx=\"6\" fill=\"{fill}\" stroke=\"#333\"/>\
             <text x=\"30\" y=\"{}\" fill=\"{ink}\">stack {g}{}</text>",
            y0 + 18.0,
            if marking && gc.stack_scanned(g) { " (scanned)" } else { "" }
        );
        for (i, slot) in stack.iter().enumerate() {
            let sy = y0 + 40.0 + 26.0 * i as f32;
            let name = slot.map_or("nil".to_string(), |id| scenarios::name_of(s, id));
            let _ = writeln!(
                out,
                "<text x=\"32\" y=\"{}\" fill=\"{ink}\">s{i}: {}</text>",
                sy + 4.0,
                esc(&name)
            );
            if let Some(id) = slot
                && let Some(q) = pos(*id)
            {
                let red = red_edge(Node::Stack(g), *id);
                arrow(
                    &mut out,
                    (118.0, sy),
                    q,
                    0.0,
                    0.0,
                    if red { RED } else { "#333" },
                    !heap.is_live(*id),
                );
            }
        }
        y0 += bh + 16.0;
    }
    // Edges between objects.
    for &(id, _, x, y) in &s.objects {
        if !heap.is_live(id) {
            continue;
        }
        for f in 0..FIELDS {
            if let Some(to) = heap.field(id, f)
                && let Some(q) = pos(to)
            {
                let red = red_edge(Node::Object(id), to);
                let bend = if f == 0 { 0.0 } else { 45.0 * f as f32 };
                arrow(
                    &mut out,
                    (x, y),
                    q,
                    R,
                    bend,
                    if red { RED } else { "#333" },
                    !heap.is_live(to),
                );
            }
        }
    }
    // Objects.
    let pointed_at: Vec<ObjId> = checker::edges(heap).map(|e| e.to).collect();
    for &(id, name, x, y) in &s.objects {
        if heap.is_live(id) {
            let (fill, ink) = fill_of(heap.color(id));
            if shaded.contains(&id) {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"{}\" fill=\"none\" stroke=\"{ORANGE}\" stroke-width=\"6\"/>",
                    R + 6.0
                );
            }
            let _ = writeln!(
                out,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"{R}\" fill=\"{fill}\" stroke=\"#222\" stroke-width=\"2\"/>\
                 <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\" fill=\"{ink}\">{name}</text>",
                y + 6.0
            );
        } else if heap.slot_count() > id.index() {
            let stroke = if pointed_at.contains(&id) { RED } else { "#999" };
            let _ = writeln!(
                out,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"{R}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\" stroke-dasharray=\"4,4\"/>\
                 <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\" fill=\"{stroke}\">{name}</text>\
                 <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{stroke}\">freed</text>",
                y + 6.0,
                y + R + 15.0
            );
        }
    }
    // Caption and legend.
    let _ = writeln!(out, "<text x=\"16\" y=\"{}\">{}</text>", h - 40.0, esc(caption));
    let legend = [("#ffffff", "white"), ("#a0a0a0", "gray"), ("#1b1b1b", "black")];
    for (i, (fill, label)) in legend.iter().enumerate() {
        let x = 16.0 + 80.0 * i as f32;
        let _ = writeln!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"{fill}\" stroke=\"#222\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{label}</text>",
            x + 7.0,
            h - 14.0,
            x + 19.0,
            h - 10.0
        );
    }
    let _ = writeln!(
        out,
        "<circle cx=\"263\" cy=\"{}\" r=\"7\" fill=\"none\" stroke=\"{ORANGE}\" stroke-width=\"4\"/><text x=\"276\" y=\"{}\" font-size=\"12\">shaded by the barrier</text>\
         <line x1=\"420\" y1=\"{}\" x2=\"450\" y2=\"{}\" stroke=\"{RED}\" stroke-width=\"2\"/><text x=\"456\" y=\"{}\" font-size=\"12\">black → white, or dangling</text>",
        h - 14.0,
        h - 10.0,
        h - 14.0,
        h - 14.0,
        h - 10.0
    );
    out.push_str("</svg>\n");
    out
}

// ANCHOR: record_frames
/// Plays scenario `s` with `barrier` and draws a frame after every event.
pub fn record_frames(s: &Scenario, barrier: Barrier) -> (Vec<String>, RunReport) {
    let mut heap = s.heap.clone();
    let mut gc = Incremental::new(barrier, s.budget);
    let mut frames = Vec::new();
    let mut before: Vec<Color> = Vec::new();
    let mut observe = |heap: &Heap, gc: &Incremental, caption: &str| {
        let colors: Vec<Color> =
            (0..heap.slot_count()).map(|i| heap.color(ObjId::from_index(i))).collect();
        let by_mutator = caption.starts_with("stack");
        let shaded: Vec<ObjId> = (0..colors.len())
            .filter(|&i| {
                by_mutator
                    && colors[i] == Color::Gray
                    && before.get(i) != Some(&Color::Gray)
            })
            .map(ObjId::from_index)
            .collect();
        let status = if gc.phase() == Phase::Idle && caption == "sweep" {
            let freed: Vec<&str> =
                s.objects.iter().filter(|o| !heap.is_live(o.0)).map(|o| o.1).collect();
            let dangling: Vec<String> = checker::dangling(heap)
                .iter()
                .map(|e| {
                    format!("{} → {}", node_name(s, e.from), scenarios::name_of(s, e.to))
                })
                .collect();
            format!(
                ": freed {}{}",
                if freed.is_empty() { "nothing".to_string() } else { freed.join(", ") },
                if dangling.is_empty() {
                    " · no dangling reference".to_string()
                } else {
                    format!(" · DANGLING: {}", dangling.join(", "))
                }
            )
        } else if gc.phase() == Phase::Idle {
            String::new()
        } else {
            let c = checker::check(heap, gc);
            let broken = |v: &Vec<checker::Edge>| {
                v.iter()
                    .map(|e| {
                        format!(
                            "{} → {}",
                            node_name(s, e.from),
                            scenarios::name_of(s, e.to)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match (c.strong(), c.weak()) {
                (true, _) => " · strong invariant holds".to_string(),
                (false, true) => format!(
                    " · strong broken ({}), weak holds",
                    broken(&c.black_to_white)
                ),
                (false, false) => format!(
                    " · WEAK BROKEN: {} unreachable for the marker",
                    broken(&c.unprotected)
                ),
            }
        };
        let title = format!(
            "{} · barrier: {} · frame {}",
            s.name,
            gc.barrier().name,
            frames.len()
        );
        let caption = scenarios::with_names(s, caption);
        frames.push(frame(s, heap, gc, &shaded, &title, &format!("{caption}{status}")));
        before = colors;
    };
    let report = mutator::run(
        &mut heap,
        &mut gc,
        &s.events,
        RunOptions { check_every_event: false, one_cycle: true, find_lost: true },
        Some(&mut observe),
    );
    (frames, report)
}
// ANCHOR_END: record_frames

fn node_name(s: &Scenario, n: Node) -> String {
    match n {
        Node::Object(id) => scenarios::name_of(s, id),
        Node::Stack(g) => format!("stack {g}"),
    }
}

/// The pictures the book shows: `(scenario, barrier, frame)` with `None`
/// for the film strip, and what the frame's caption must say.
pub const BOOK_SET: &[(&str, &str, Option<usize>, &str)] = &[
    ("lost_object", "none", None, ""),
    ("lost_object", "hybrid", None, ""),
    ("lost_object", "none", Some(6), "A.f1 = C · strong broken"),
    ("lost_object", "none", Some(7), "B.f0 = nil · WEAK BROKEN"),
    ("lost_object", "none", Some(11), "DANGLING: A → C"),
    ("lost_object", "dijkstra", Some(6), "A.f1 = C · strong invariant holds"),
    ("lost_object", "yuasa", Some(6), "B.f0 = nil · strong invariant holds"),
    ("unscanned_stack", "hybrid", None, ""),
];

/// File name of a frame (`None`: the strip).
pub fn file_name(scenario: &str, barrier: &str, frame: Option<usize>) -> String {
    match frame {
        Some(i) => format!("{scenario}-{barrier}-{i:02}.svg"),
        None => format!("{scenario}-{barrier}-strip.svg"),
    }
}

/// Writes the frames of every scenario under every barrier, their film
/// strips and the pacing chart into `dir` (only the pictures of
/// [`BOOK_SET`] and the chart when `book_set`). Returns the files written.
pub fn write_pictures(
    dir: &std::path::Path,
    pacing_runs: &[PacingRun],
    total_bytes: u64,
    paced: &PacedRun,
    book_set: bool,
) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut files = 0;
    let mut write = |name: String, text: &str| -> std::io::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
        files += 1;
        Ok(())
    };
    let wanted = |s: &str, b: &str, f: Option<usize>| {
        !book_set || BOOK_SET.iter().any(|x| (x.0, x.1, x.2) == (s, b, f))
    };
    for s in scenarios::all() {
        for b in Barrier::ALL {
            let (frames, _) = record_frames(&s, b);
            for (i, f) in frames.iter().enumerate() {
                if wanted(s.name, b.name, Some(i)) {
                    write(file_name(s.name, b.name, Some(i)), f)?;
                }
            }
            if wanted(s.name, b.name, None) {
                write(file_name(s.name, b.name, None), &filmstrip(&frames, 4, 0.5))?;
            }
        }
    }
    write("pacing.svg".into(), &pacing_chart(pacing_runs, total_bytes))?;
    write("paced.svg".into(), &paced_chart(paced))?;
    Ok(files)
}

/// All `frames` tiled `cols` per row at `scale`, in one SVG.
pub fn filmstrip(frames: &[String], cols: usize, scale: f32) -> String {
    let (fw, fh) = (FRAME.0 * scale, FRAME.1 * scale);
    let rows = frames.len().div_ceil(cols.max(1));
    let (w, h) = (fw * cols as f32, fh * rows as f32);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n"
    );
    for (i, f) in frames.iter().enumerate() {
        let (x, y) = (fw * (i % cols) as f32, fh * (i / cols) as f32);
        // Nest each frame as an inner <svg> placed and scaled by its viewBox.
        let inner = f.replacen(
            &format!("width=\"{}\" height=\"{}\"", FRAME.0, FRAME.1),
            &format!("x=\"{x}\" y=\"{y}\" width=\"{fw}\" height=\"{fh}\""),
            1,
        );
        // Marker ids must be unique in one document.
        let inner = inner
            .replace("id=\"a\"", &format!("id=\"a{i}\""))
            .replace("id=\"r\"", &format!("id=\"r{i}\""))
            .replace("url(#a)", &format!("url(#a{i})"))
            .replace("url(#r)", &format!("url(#r{i})"));
        out.push_str(&inner);
    }
    out.push_str("</svg>\n");
    out
}

/// Heap size over allocation for each pacing run: one panel per setting,
/// the sawtooth of its collections, its memory limit dashed, one y scale.
pub fn pacing_chart(runs: &[PacingRun], total_bytes: u64) -> String {
    let (w, left, right, panel, gap) = (720.0f32, 64.0f32, 16.0f32, 86.0f32, 30.0f32);
    let h = 30.0 + (panel + gap) * runs.len() as f32 + 10.0;
    let mut out = header(w, h);
    let top_heap = runs.iter().map(|r| r.peak_heap).max().unwrap_or(1).max(1) as f32;
    let mib = (1u64 << 20) as f32;
    let sx = |b: u64| left + (w - left - right) * b as f32 / total_bytes.max(1) as f32;
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"12\">heap (live + not yet \
         collected) against bytes allocated, {:.0} MiB in all; dashed: the memory limit</text>",
        w / 2.0,
        total_bytes as f32 / mib
    );
    for (i, r) in runs.iter().enumerate() {
        let base = 30.0 + (panel + gap) * i as f32 + gap;
        let sy = |b: u64| base + panel - panel * b as f32 / top_heap;
        let _ = writeln!(
            out,
            "<text x=\"{left}\" y=\"{}\" font-size=\"12\" font-weight=\"bold\">{}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{} collections · peak {:.0} MiB</text>",
            base - 6.0,
            esc(r.setting.label),
            w - right,
            base - 6.0,
            r.collections,
            r.peak_heap as f32 / mib
        );
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"#333\"/>\
             <line x1=\"{left}\" y1=\"{base}\" x2=\"{left}\" y2=\"{b}\" stroke=\"#333\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\">{:.0} MiB</text>\
             <text x=\"{}\" y=\"{b}\" text-anchor=\"end\" font-size=\"10\">0</text>",
            w - right,
            left - 4.0,
            base + 8.0,
            top_heap / mib,
            left - 4.0,
            b = base + panel
        );
        let mut d = format!("M{:.1},{:.1}", sx(0), sy(0));
        for &(a, heap) in &r.sawtooth {
            let _ = write!(d, " L{:.1},{:.1}", sx(a), sy(heap));
        }
        let _ = writeln!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1\"/>"
        );
        if let Some(limit) = r.setting.limit.filter(|&l| (l as f32) <= top_heap) {
            let _ = writeln!(
                out,
                "<line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{RED}\" stroke-dasharray=\"6,4\"/>",
                w - right,
                y = sy(limit)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

// ANCHOR: paced_chart
/// One paced incremental cycle over time: each step's CPU time (a dot; a
/// ring for a stop-the-world pause) against the pause target, and the
/// collector's share of the thread so far against 25%.
pub fn paced_chart(run: &PacedRun) -> String {
    let (w, h, left, right, top, bottom) =
        (720.0f32, 300.0f32, 64.0f32, 64.0f32, 40.0, 40.0);
    let mut out = header(w, h);
    let end = run.steps.last().map_or(1.0, |s| s.at_ns + s.wall_ns).max(1.0) as f32;
    let limit = MAX_PAUSE.as_nanos() as f32;
    let top_ns = (run.max_cpu_ns() as f32).max(limit) * 1.15;
    let sx = |t: f64| left + (w - left - right) * t as f32 / end;
    let sy = |ns: f64| top + (h - top - bottom) * (1.0 - ns as f32 / top_ns);
    let sp = |share: f64| top + (h - top - bottom) * (1.0 - share as f32 / 0.5);
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"12\">{} barrier: \
         {} steps of {} units; blue: each step's CPU time; orange: the collector's share of \
         the thread so far</text>",
        w / 2.0,
        esc(run.barrier.name),
        run.steps.len(),
        run.budget
    );
    let (x0, x1, y0, y1) = (left, w - right, top, h - bottom);
    let _ = writeln!(
        out,
        "<line x1=\"{x0}\" y1=\"{y1}\" x2=\"{x1}\" y2=\"{y1}\" stroke=\"#333\"/>\
         <line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x0}\" y2=\"{y1}\" stroke=\"#333\"/>\
         <line x1=\"{x1}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y1}\" stroke=\"#333\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\">{:.0} µs</text>\
         <text x=\"{}\" y=\"{y1}\" text-anchor=\"end\" font-size=\"10\">0</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"10\">50 %</text>\
         <text x=\"{x1}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\">{:.1} ms</text>",
        x0 - 4.0,
        y0 + 8.0,
        top_ns / 1000.0,
        x0 - 4.0,
        x1 + 4.0,
        y0 + 8.0,
        y1 + 14.0,
        end / 1e6
    );
    let _ = writeln!(
        out,
        "<line x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"{RED}\" \
         stroke-dasharray=\"6,4\"/><text x=\"{}\" y=\"{}\" font-size=\"10\" \
         fill=\"{RED}\">{:.0} µs</text>",
        x0 + 4.0,
        sy(limit as f64) - 4.0,
        limit / 1000.0,
        y = sy(limit as f64)
    );
    let _ = writeln!(
        out,
        "<line x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"{ORANGE}\" \
         stroke-dasharray=\"2,3\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" \
         font-size=\"10\" fill=\"{ORANGE}\">{:.0} %</text>",
        x1 - 4.0,
        sp(COLLECTOR_SHARE) - 4.0,
        COLLECTOR_SHARE * 100.0,
        y = sp(COLLECTOR_SHARE)
    );
    let mut share = String::new();
    for s in &run.steps {
        let (x, y) = (sx(s.at_ns), sy(s.cpu_ns));
        let _ = if s.stop_the_world {
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"none\" stroke=\"{RED}\"/>"
            )
        } else {
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.5\" fill=\"#1f77b4\"/>"
            )
        };
        let cmd = if share.is_empty() { 'M' } else { 'L' };
        let _ = write!(share, "{cmd}{x:.1},{:.1} ", sp(s.share_so_far));
    }
    let _ = writeln!(
        out,
        "<path d=\"{}\" fill=\"none\" stroke=\"{ORANGE}\" stroke-width=\"1.5\"/>",
        share.trim_end()
    );
    out.push_str("</svg>\n");
    out
}
// ANCHOR_END: paced_chart

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_well_formed_and_show_the_loss() {
        let s = scenarios::lost_object();
        let (frames, report) = record_frames(&s, Barrier::NONE);
        assert_eq!(report.lost.len(), 1);
        assert!(frames.len() > 8);
        for f in &frames {
            assert!(f.starts_with("<svg") && f.trim_end().ends_with("</svg>"));
            assert_eq!(f.matches("<svg").count(), f.matches("</svg>").count());
        }
        assert!(frames.last().unwrap().contains("DANGLING: A → C"));
        let (hybrid, _) = record_frames(&s, Barrier::HYBRID);
        assert!(
            hybrid.iter().any(|f| f.contains(ORANGE) && f.contains("stroke-width=\"6\""))
        );
        for &(scenario, barrier, frame, caption) in BOOK_SET {
            let s = scenarios::all().into_iter().find(|s| s.name == scenario).unwrap();
            let (frames, _) = record_frames(&s, Barrier::by_name(barrier).unwrap());
            if let Some(i) = frame {
                assert!(
                    frames[i].contains(caption),
                    "{}",
                    file_name(scenario, barrier, frame)
                );
            }
        }
        let strip = filmstrip(&frames, 4, 0.5);
        assert_eq!(strip.matches("<svg").count(), frames.len() + 1);
    }
}
