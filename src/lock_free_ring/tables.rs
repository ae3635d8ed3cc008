//! What `examples/lock_free_ring.rs` prints: one function per `--table`,
//! each reading [`super::figures`] (the claim checks read the same figures).

use super::figures::{self, CAPACITY, SMALL, STREAM, Timed, row};
use super::harness::SpeedRow;
use super::race::RaceCount;
use crate::claims::{CheckError, Ctx};
use crate::measure::paired::Paired;
use crate::table::{Align, Table, Unit, format_value};

/// What fresh rings hold, and what size 0 does (C000-19, D15).
pub fn capacity(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let c = figures::capacities(ctx);
    let mut t = Table::new(["size", "seed slots", "seed holds", "ours holds"])
        .align(0, Align::Right);
    for r in &c.rows {
        t.row([r.size, r.seed_slots, r.seed_holds, r.ours_holds].map(|v| v.to_string()));
    }
    t.note(format!(
        "size 0, seed: push panics: {}",
        c.seed_zero_panic.as_deref().unwrap_or("no panic")
    ));
    t.note(format!(
        "size 0, ours: channel(0) {}",
        if c.ours_zero_rejected {
            format!("is an error: {}", super::CapacityError::Zero)
        } else {
            "is accepted".to_string()
        }
    ));
    Ok(vec![t])
}

/// The seed's ring with several threads, and the fix (C000-18, D16, D17).
pub fn race(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    let r = figures::races(ctx)?;
    let mut t = Table::new([
        "threads",
        "nudge",
        "sent",
        "lost",
        "duplicated",
        "phantom",
        "reordered",
        "head back",
        "same slot",
    ]);
    let mut add = |label: String, c: &RaceCount| {
        let nudge = if c.preempt_every > 0 {
            format!("1/{}", c.preempt_every)
        } else {
            "-".into()
        };
        let counts = [
            c.sent,
            c.lost,
            c.duplicated,
            c.phantom,
            c.out_of_order,
            c.head_regressions,
            c.shared_positions,
        ];
        t.row([label, nudge].into_iter().chain(counts.map(|v| v.to_string())));
    };
    for run in &r.runs {
        // C000-18: 1 + 1 is the only safe use; D16: any more loses or repeats.
        let label = format!("seed, {} + {}", run.producers, run.consumers);
        add(label.clone(), &run.plain);
        add(label, &run.nudged);
    }
    add("ours (mpmc), 2 + 2".into(), &r.fix);
    let (lost, back) = (&r.scripted_lost, &r.scripted_back);
    t.note(format!(
        "the seed's ring has 2048 slots; {} values per producer; nudge 1/k: every k-th \
         operation of each thread pauses between claim and publish until another thread \
         moves the index (at most 200 µs), as a preemption would",
        format_value(r.n as f64, Unit::Count)
    ));
    t.note(format!(
        "scripted: both producers claim position 0 → received {:?} of sent {:?} ({} lost)",
        lost.received,
        lost.sent,
        lost.lost()
    ));
    t.note(format!(
        "scripted: a late publish moves head {:?} → the consumer re-reads {} items",
        back.head_trace,
        back.duplicated()
    ));
    t.note(format!(
        "seed Pop left {} of 3 popped values in their slots (D17)",
        r.retained_after_pop
    ));
    Ok(vec![t])
}

/// `ns/item`, `min`, `M items/s` of a row.
fn speed_cells(r: &SpeedRow) -> [String; 3] {
    let min = r.ns_per_item.iter().copied().fold(f64::INFINITY, f64::min);
    [
        format!("{:.2}", r.median_ns()),
        format!("{min:.2}"),
        format!("{:.1}", r.items_per_sec() / 1e6),
    ]
}

fn band_cells(p: Option<Paired>) -> [String; 2] {
    match p {
        Some(p) => {
            [format_value(p.median, Unit::Ratio), format!("{:.2}–{:.2}", p.q1, p.q3)]
        }
        None => ["n/a".into(), String::new()],
    }
}

/// Rows of `t` with their speed-up over `base` (the base's time over the
/// row's, per round: median and middle half).
fn speed_rows(t: &Timed, names: &[(&str, &str)], base_label: &str) -> Table {
    let mut out = Table::new([
        "queue",
        "ns/item",
        "min",
        "M items/s",
        &format!("× {base_label}"),
        "middle half",
    ]);
    for &(name, base) in names {
        let r = t.row(name);
        let [ns, min, rate] = speed_cells(r);
        let [x, band] = if name == base {
            ["(base)".to_string(), String::new()]
        } else {
            band_cells(t.paired(base, name))
        };
        out.row([name.to_string(), ns, min, rate, x, band]);
    }
    out.note(format!(
        "{} items per run, {} interleaved rounds, capacity {CAPACITY}; ns/item is the \
         median of the rounds, min the fastest; × is the ratio of the two rows' times in \
         each round (median, and the middle half of the rounds)",
        format_value(t.n as f64, Unit::Count),
        t.rounds
    ));
    out
}

/// A target for a time ratio.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// None: the ratio is shown, not judged.
    None,
    /// At least this (a speed-up to reach).
    AtLeast(f64),
    /// At most this (a cost to stay under).
    AtMost(f64),
}

/// A comparison table: `(what, the paired time ratio, a target)`. Met when
/// the middle half of the rounds is on the target's side, missed when it is
/// all on the other, within noise when it straddles the target.
fn comparisons(rows: &[(&str, Option<Paired>, Target)]) -> Table {
    let mut out =
        Table::new(["comparison", "time ratio", "middle half", "target", "met?"]);
    for &(what, p, target) in rows {
        let [x, band] = band_cells(p);
        let (goal, met) = match (target, p) {
            (Target::None, _) => (String::new(), ""),
            (Target::AtLeast(g), p) => (
                format!("≥ {}", format_value(g, Unit::Ratio)),
                p.map_or("n/a", |p| verdict(p.q1 >= g, p.q3 < g)),
            ),
            (Target::AtMost(g), p) => (
                format!("≤ {}", format_value(g, Unit::Ratio)),
                p.map_or("n/a", |p| verdict(p.q3 <= g, p.q1 > g)),
            ),
        };
        out.row([what.to_string(), x, band, goal, met.to_string()]);
    }
    out
}

fn verdict(met: bool, missed: bool) -> &'static str {
    if met {
        "yes"
    } else if missed {
        "no"
    } else {
        "within noise"
    }
}

/// SPSC throughput of every queue (C000-20).
pub fn speed(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use row::*;
    let s = figures::speeds(ctx)?;
    let t = &s.table;
    let mut rows = speed_rows(
        t,
        &[
            (OURS, MUTEX),
            (OURS_BATCH, MUTEX),
            (RTRB, MUTEX),
            (RINGBUF, MUTEX),
            (ARRAY_QUEUE, MUTEX),
            (MPMC_AS_SPSC, MUTEX),
            (SYNC_CHANNEL, MUTEX),
            (MUTEX, MUTEX),
            (SEED, MUTEX),
            (OURS_UNPINNED, MUTEX_UNPINNED),
            (MUTEX_UNPINNED, MUTEX_UNPINNED),
        ],
        "the mutex",
    );
    rows.note(format!(
        "2 threads ({}); the unpinned rows are against the unpinned mutex",
        s.placement
    ));
    let cmp = comparisons(&[
        ("spsc (ours) vs seed port", t.paired(SEED, OURS), Target::AtLeast(3.0)),
        (
            "spsc (ours): single vs batch 64",
            t.paired(OURS, OURS_BATCH),
            Target::AtLeast(4.0),
        ),
        (
            "spsc (ours) vs crossbeam ArrayQueue",
            t.paired(ARRAY_QUEUE, OURS),
            Target::AtLeast(2.0),
        ),
        ("spsc (ours) vs Mutex<VecDeque>", t.paired(MUTEX, OURS), Target::AtLeast(1.0)),
        ("rtrb vs spsc (ours)", t.paired(RTRB, OURS), Target::None),
        ("ringbuf vs spsc (ours)", t.paired(RINGBUF, OURS), Target::None),
    ]);
    let mut cmp = cmp.titled("side by side: the slower row's time over the faster's");
    cmp.note(
        "targets set for this chapter when it was written (not the seed's); met: the \
         middle half of the rounds reaches it; no: it stays below; within noise: between",
    );
    Ok(vec![rows, cmp])
}

/// What padding, caching and Release stores buy (D18).
pub fn ablation(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use row::*;
    let s = figures::speeds(ctx)?;
    let t = &s.table;
    let mut rows = speed_rows(
        t,
        &[
            (OURS, OURS),
            (PADDED_CACHED, OURS),
            (PADDED_UNCACHED, OURS),
            (ADJACENT_CACHED, OURS),
            (ADJACENT_UNCACHED, OURS),
            (SEQ_CST, OURS),
            (SEED, OURS),
        ],
        "spsc (ours)",
    );
    rows.note(format!("2 threads ({}); the same rounds as --table speed", s.placement));
    let none = Target::None;
    let mut cmp = comparisons(&[
        ("padding, with caching", t.paired(ADJACENT_CACHED, PADDED_CACHED), none),
        ("padding, without caching", t.paired(ADJACENT_UNCACHED, PADDED_UNCACHED), none),
        ("caching, with padding", t.paired(PADDED_UNCACHED, PADDED_CACHED), none),
        ("Release instead of SeqCst stores", t.paired(SEQ_CST, ADJACENT_UNCACHED), none),
        ("padding, counters alone (storm)", s.storm(), none),
    ])
    .titled("what each choice buys: time without it over time with it");
    cmp.note(format!(
        "storm: two threads, {} SeqCst swaps each into its own counter, 8 or 128 bytes \
         apart, {} interleaved rounds",
        format_value(s.storm_n as f64, Unit::Count),
        s.storm_adjacent.len()
    ));
    Ok(vec![rows, cmp])
}

/// Two producers and two consumers.
pub fn mpmc(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use row::*;
    let m = figures::mpmc_speeds(ctx)?;
    let mut rows = speed_rows(
        m,
        &[
            (MPMC_OURS, MPMC_MUTEX),
            (MPMC_ARRAY_QUEUE, MPMC_MUTEX),
            (MPMC_MUTEX, MPMC_MUTEX),
        ],
        "the mutex",
    );
    rows.note(
        "2 producers + 2 consumers, not pinned: four threads on what may be two cores",
    );
    let cmp = comparisons(&[(
        "mpmc (ours) vs crossbeam ArrayQueue",
        m.paired(MPMC_ARRAY_QUEUE, MPMC_OURS),
        Target::AtLeast(0.9),
    )]);
    Ok(vec![rows, cmp])
}

/// `1,024` for a capacity or batch size.
fn count(v: usize) -> String {
    format_value(v as f64, Unit::Count)
}

/// Our ring and the floor ring over batch size and capacity, and the peers
/// at two points.
pub fn batch(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use row::*;
    let b = figures::batches(ctx)?;
    let mut t = Table::new([
        "slots",
        "batch",
        "ours ns/item",
        "M items/s",
        "floor ns/item",
        "ours ÷ floor",
        "middle half",
        "× single items",
    ]);
    for r in b.rows.iter().filter(|r| r.ring == OURS) {
        let cell = (r.capacity, r.batch);
        let floor = b.get(FLOOR, cell);
        let [x, band] = band_cells(b.paired((OURS, cell), (FLOOR, cell)));
        let single = if r.batch == 1 {
            "(base)".to_string()
        } else {
            band_cells(b.paired((OURS, (r.capacity, 1)), (OURS, cell)))[0].clone()
        };
        t.row([
            count(r.capacity),
            count(r.batch),
            format!("{:.2}", r.timed.median_ns()),
            format!("{:.0}", r.timed.items_per_sec() / 1e6),
            floor.map_or_else(String::new, |f| format!("{:.2}", f.median_ns())),
            x,
            band,
            single,
        ]);
    }
    t.note(format!(
        "u64 items, 2 threads ({}), {} interleaved rounds; {} to {} items per run (at \
         least {} laps of the ring), a run's figure is its median chunk of about {} items; \
         ns/item is the median of the rounds; ours ÷ floor: the two rings' times in each \
         round (median, middle half); × single items: our single-item time at the same \
         capacity over this row's, per round",
        b.placement,
        b.rounds,
        format_value(b.rows.iter().map(|r| r.n).min().unwrap_or(0) as f64, Unit::Count),
        format_value(b.rows.iter().map(|r| r.n).max().unwrap_or(0) as f64, Unit::Count),
        b.rows.iter().map(|r| r.n / r.capacity as u64).min().unwrap_or(0),
        format_value(super::harness::ITEM_CHUNK as f64, Unit::Count),
    ));
    if let Some(best) = b
        .rows
        .iter()
        .filter(|r| r.ring == FLOOR)
        .min_by(|x, y| x.timed.median_ns().total_cmp(&y.timed.median_ns()))
    {
        let ns = best.timed.median_ns();
        t.note(format!(
            "the floor: the floor ring's fastest cell, batch {} through {} slots, {:.2} ns \
             per item, {:.1} ns per 64-byte line of 8 items",
            count(best.batch),
            count(best.capacity),
            ns,
            ns * 8.0
        ));
    }
    t.note(
        "floor: `floor.rs`, a minimal cached-index ring of u64 written apart from ours \
         (power-of-two slots, memcpy batches): how fast a ring moves items between these \
         two cores",
    );
    let at = |cell: (usize, usize)| {
        format!("batch {}, {} slots", count(cell.1), count(cell.0))
    };
    let peers = |ring: &str, cell| b.paired((OURS, cell), (ring, cell));
    let rows = [
        (
            format!("ours vs the floor ring, {}", at(STREAM)),
            peers(FLOOR, STREAM),
            Target::AtMost(1.1),
        ),
        (format!("ours vs rtrb, {}", at(STREAM)), peers(RTRB, STREAM), Target::None),
        (
            format!("ours vs ringbuf, {}", at(STREAM)),
            peers(RINGBUF, STREAM),
            Target::None,
        ),
        (
            format!("ours vs the floor ring, {}", at(SMALL)),
            peers(FLOOR, SMALL),
            Target::None,
        ),
        (format!("ours vs rtrb, {}", at(SMALL)), peers(RTRB, SMALL), Target::None),
        (format!("ours vs ringbuf, {}", at(SMALL)), peers(RINGBUF, SMALL), Target::None),
    ];
    let named: Vec<(&str, Option<Paired>, Target)> =
        rows.iter().map(|(w, p, t)| (w.as_str(), *p, *t)).collect();
    let mut cmp =
        comparisons(&named).titled("side by side: our time over the other ring's");
    cmp.note(
        "target, set for this chapter's second pass: where streaming, our time within 10% \
         of the floor ring's (a ring at its floor)",
    );
    Ok(vec![t, cmp])
}

/// Round trips (ping-pong) over two queues, and over bare cache lines.
pub fn latency(ctx: &Ctx) -> Result<Vec<Table>, CheckError> {
    use row::*;
    let t = figures::latencies(ctx)?;
    let mut rows =
        Table::new(["round trip over", "ns", "min", "× cache line", "middle half"]);
    for r in &t.rows {
        let [x, band] = if r.name == LINE {
            ["(base)".to_string(), String::new()]
        } else {
            band_cells(t.paired(&r.name, LINE))
        };
        rows.row([
            r.name.clone(),
            format!("{:.0}", r.median_ns()),
            format!("{:.0}", r.min_ns()),
            x,
            band,
        ]);
    }
    rows.note(format!(
        "{} round trips per run, {} interleaved rounds, 2 threads ({}); one item in \
         flight: the pinger sends i through one queue of capacity {CAPACITY} and waits \
         for it to come back through another; cache line: one atomic each way, no queue; \
         a run's figure is its median chunk of {} round trips (a chunk in which a thread \
         lost its CPU does not move it); ns is the median of the rounds, min the fastest",
        format_value(t.n as f64, Unit::Count),
        t.rounds,
        super::harness::placement(),
        super::harness::CHUNK,
    ));
    let mut cmp = comparisons(&[
        ("spsc (ours) vs rtrb", t.paired(OURS, RTRB), Target::AtMost(1.1)),
        ("spsc (ours) vs ringbuf", t.paired(OURS, RINGBUF), Target::None),
        ("spsc (ours) vs the floor ring", t.paired(OURS, FLOOR), Target::None),
        (
            "spsc (ours) vs crossbeam ArrayQueue",
            t.paired(OURS, ARRAY_QUEUE),
            Target::None,
        ),
    ])
    .titled("side by side: our round trip over the other queue's");
    cmp.note(
        "target, set for this chapter's second pass: a round trip within 10% of rtrb's",
    );
    Ok(vec![rows, cmp])
}
