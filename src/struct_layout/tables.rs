//! What `examples/struct_layout.rs` prints: one function per `--table`, each
//! reading the layouts of the build or the figures of [`super::figures`]
//! (the claim checks read the same figures).

use super::field_map::TypeLayout;
use super::figures::{self, HostileFriendly, MIN_KEPT};
use super::go_vet::GoVet;
use super::representations::{self, Guarantee, PackedC};
use super::seed_port::{self, seed_000 as seed_000_port, seed_001 as seed_001_port};
use crate::claims::{CheckError, Ctx};
use crate::table::{Align, Table, Unit, format_bytes, format_nanos, format_value};

/// A struct's bytes: offset, size and field (or padding), the byte map below.
fn layout_table(l: &TypeLayout) -> Table {
    let mut t = Table::new(["offset", "size", "field"])
        .titled(l.headline())
        .align(0, Align::Right)
        .align(2, Align::Left);
    for (offset, size, what) in l.spans() {
        t.row([offset.to_string(), size.to_string(), what]);
    }
    t.note(format!("bytes: {}", l.byte_map()));
    t
}

/// Seed 000's pair in both representations, and what its comments say.
pub fn seed_000(_: &Ctx) -> Result<Vec<Table>, CheckError> {
    let mut out: Vec<Table> = seed_000_port::layouts().iter().map(layout_table).collect();
    let r = seed_port::seed_000_pair();
    let mut t = Table::new(["seed 000 says", "the comment", "repr(C)"])
        .titled("the comments, against Go's layout (repr(C))");
    t.row([
        "padding after `Active` (L223)".to_string(),
        "7 B".into(),
        format!("{} B", r.after_c.padding_after("active")),
    ]);
    t.row([
        "padding before `ID` (L232)".to_string(),
        "7 B".into(),
        format!("{} B", r.before_c.padding_before("id")),
    ]);
    t.row([
        "bytes saved by the reordering".to_string(),
        "(implied > 0)".into(),
        format!("{} B", r.saved_c()),
    ]);
    t.note(format!("default repr: {} B saved", r.saved_rust()));
    out.push(t);
    Ok(out)
}

/// Seed 001's pair in both representations, and what a `Vec` of 1,000 asks for.
pub fn seed_001(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let mut out: Vec<Table> = seed_001_port::layouts().iter().map(layout_table).collect();
    let r = seed_port::seed_001_pair();
    let [vec_before, vec_after] = figures::vec_bytes(ctx)?;
    let mut t =
        Table::new(["representation", "as declared", "reordered", "memory order"])
            .titled("reordering {bool, i64, bool, i32} to {i64, i32, bool, bool}")
            .align(3, Align::Left);
    t.row([
        "repr(C)".to_string(),
        format_bytes(r.before_c.size as f64),
        format_bytes(r.after_c.size as f64),
        "as declared".into(),
    ]);
    t.row([
        "default repr".to_string(),
        format_bytes(r.before_rust.size as f64),
        format_bytes(r.after_rust.size as f64),
        r.before_rust.memory_order().join(", "),
    ]);
    t.row([
        format!("Vec of {}, repr(C)", seed_001_port::ELEMENTS),
        format_value(vec_before as f64, Unit::Bytes),
        format_value(vec_after as f64, Unit::Bytes),
        String::new(),
    ]);
    t.note(format!(
        "repr(C, packed) PackedC: {} B, align {}: no padding, and no references to fields",
        size_of::<PackedC>(),
        align_of::<PackedC>()
    ));
    out.push(t);
    Ok(out)
}

/// Niches, enums, packed and aligned types.
pub fn sizes(_: &Ctx) -> Result<Vec<Table>, CheckError> {
    let mut t = Table::new(["type", "size", "align", "promised?", "why"])
        .align(3, Align::Left)
        .align(4, Align::Left);
    for row in representations::size_table() {
        let promised = match row.guarantee {
            Guarantee::Documented => "documented",
            Guarantee::TodaysRustc => "today only",
        };
        t.row([
            row.ty.to_string(),
            row.size.to_string(),
            row.align.to_string(),
            promised.into(),
            row.why,
        ]);
    }
    Ok(vec![t])
}

/// C001-01's four working sets and the disk read.
pub fn levels(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let l = figures::levels(ctx);
    let mut t = Table::new(["level", "working set", "per load", "× the level above"]);
    let mut above: Option<f64> = None;
    for (set, &ns) in l.sets.iter().zip(&l.ns) {
        t.row([
            set.level.to_string(),
            format_bytes(set.bytes as f64),
            format_nanos(ns),
            above.map_or_else(String::new, |a| format_value(ns / a, Unit::Ratio)),
        ]);
        above = Some(ns);
    }
    match &l.disk {
        Ok(ns) => {
            t.row([
                "disk".to_string(),
                "4 KiB read".into(),
                format_nanos(*ns),
                above.map_or_else(String::new, |a| format_value(ns / a, Unit::Ratio)),
            ]);
        }
        Err(e) => {
            t.note(format!("disk: not measured ({e})"));
        }
    }
    t.note(format!(
        "caches ({}): L1d {}, L2 {}, L3 {}; {} steps × {} interleaved rounds, median \
         thread CPU time per load; disk: {} random O_DIRECT reads, median",
        if l.caches.from_sysfs { "sysfs" } else { "guessed" },
        format_bytes(l.caches.l1d as f64),
        format_bytes(l.caches.l2 as f64),
        format_bytes(l.caches.l3 as f64),
        format_value(l.steps as f64, Unit::Count),
        l.rounds,
        l.disk_reads
    ));
    Ok(vec![t])
}

/// The latency curve, 16 KiB and up.
pub fn hierarchy(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let c = figures::curve(ctx);
    let mut t =
        Table::new(["set", "fits", "random", "in order", "ratio", "random, log scale"])
            .align(1, Align::Left)
            .align(5, Align::Left);
    let base = c.points.first().map_or(f64::NAN, |p| p.random_ns);
    for p in &c.points {
        let bars = (4.0 * (p.random_ns / base).log2()).round().max(0.0) as usize + 1;
        t.row([
            format_bytes(p.bytes as f64),
            p.level.to_string(),
            format_nanos(p.random_ns),
            format_nanos(p.in_order_ns),
            format_value(p.random_ns / p.in_order_ns, Unit::Ratio),
            "█".repeat(bars),
        ]);
    }
    t.note(format!(
        "caches ({}): L1d {}, L2 {}, L3 {}; {} steps × {} rounds per size, median thread \
         CPU time per load; one 64-byte line per step",
        if c.caches.from_sysfs { "sysfs" } else { "guessed" },
        format_bytes(c.caches.l1d as f64),
        format_bytes(c.caches.l2 as f64),
        format_bytes(c.caches.l3 as f64),
        format_value(c.steps as f64, Unit::Count),
        c.rounds
    ));
    Ok(vec![t])
}

/// Locality: the same work in a cache-hostile and a cache-friendly order.
pub fn locality(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let l = figures::locality(ctx)?;
    let mut t = Table::new(["work", "hostile", "friendly", "ratio"]);
    let mut row = |what: String, p: &HostileFriendly| {
        t.row([
            what,
            format_nanos(p.hostile_ns()),
            format_nanos(p.friendly_ns()),
            format_value(p.ratio(), Unit::Ratio),
        ]);
    };
    row(format!("sum {0}×{0} u32: column- vs row-major", l.matrix_n), &l.matrix);
    row(
        format!(
            "sum `score` of {} records: AoS vs SoA",
            format_value(l.records as f64, Unit::Count)
        ),
        &l.aos_soa,
    );
    row(
        format!(
            "2 passes over {}: whole vs per block",
            format_bytes(l.pass_bytes as f64)
        ),
        &l.passes,
    );
    t.note(format!("{} interleaved rounds each, median thread CPU time", l.rounds));
    Ok(vec![t])
}

/// False sharing: two threads, each incrementing its own counter.
pub fn false_sharing(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use super::false_sharing::{AdjacentLines, CounterPair, SameLine};
    use crate::measure::stats::median;
    let fs = figures::false_sharing(ctx);
    let mut t =
        Table::new(["placement", "ns/increment", "CachePadded", "ratio", "rounds"]);
    for (name, c) in
        [(SameLine::NAME, &fs.same_line), (AdjacentLines::NAME, &fs.adjacent)]
    {
        let kept = format!("{}/{}", c.a.len(), c.rounds);
        match c.ratio(MIN_KEPT) {
            Some(r) => t.row([
                name.to_string(),
                format_nanos(median(&c.a).unwrap_or(f64::NAN)),
                format_nanos(median(&c.b).unwrap_or(f64::NAN)),
                format_value(r, Unit::Ratio),
                kept,
            ]),
            None => t.row([
                name.to_string(),
                "not measured".into(),
                String::new(),
                String::new(),
                kept,
            ]),
        };
    }
    t.note(format!(
        "{} ms per run, pinned to two CPUs when the process may use two; a round counts \
         only if both threads ran together ≥ {} of it; a ratio needs {MIN_KEPT} such rounds",
        fs.window.as_millis(),
        format_value(super::false_sharing::MIN_CONCURRENCY, Unit::Fraction)
    ));
    Ok(vec![t])
}

/// D11: what `go vet` says of three listings.
pub fn go_vet(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let mut t = Table::new(["listing", "go vet says"]).align(1, Align::Left);
    match figures::go_vet(ctx)? {
        GoVet::NoToolchain => {
            t.note("no `go` on PATH: the Go toolchain is optional, and D11 is unverifiable without it");
        }
        GoVet::Ran { version, listings } => {
            for v in listings {
                let said = if v.accepted {
                    "accepted".to_string()
                } else {
                    v.diagnostic.clone()
                };
                t.row([v.name.to_string(), said]);
            }
            t.note(version.clone());
        }
    }
    Ok(vec![t])
}
