//! What `examples/lock_free_ring.rs` prints: one function per `--table`,
//! each reading [`super::figures`] (the claim checks read the same figures).

use super::figures::{self, CAPACITY, Timed, row};
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

/// A comparison table: `(what, the paired time ratio, a target)`.
fn comparisons(rows: &[(&str, Option<Paired>, Option<f64>)]) -> Table {
    let mut out =
        Table::new(["comparison", "time ratio", "middle half", "target", "met?"]);
    for &(what, p, target) in rows {
        let [x, band] = band_cells(p);
        let (goal, met) = match (target, p) {
            (Some(g), Some(p)) => (
                format!("≥ {}", format_value(g, Unit::Ratio)),
                if p.q1 >= g {
                    "yes"
                } else if p.q3 < g {
                    "no"
                } else {
                    "within noise"
                },
            ),
            (Some(g), None) => (format!("≥ {}", format_value(g, Unit::Ratio)), "n/a"),
            (None, _) => (String::new(), ""),
        };
        out.row([what.to_string(), x, band, goal, met.to_string()]);
    }
    out
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
        ("spsc (ours) vs seed port", t.paired(SEED, OURS), Some(3.0)),
        ("spsc (ours): single vs batch 64", t.paired(OURS, OURS_BATCH), Some(4.0)),
        ("spsc (ours) vs crossbeam ArrayQueue", t.paired(ARRAY_QUEUE, OURS), Some(2.0)),
        ("spsc (ours) vs Mutex<VecDeque>", t.paired(MUTEX, OURS), Some(1.0)),
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
    let mut cmp = comparisons(&[
        ("padding, with caching", t.paired(ADJACENT_CACHED, PADDED_CACHED), None),
        ("padding, without caching", t.paired(ADJACENT_UNCACHED, PADDED_UNCACHED), None),
        ("caching, with padding", t.paired(PADDED_UNCACHED, PADDED_CACHED), None),
        ("Release instead of SeqCst stores", t.paired(SEQ_CST, ADJACENT_UNCACHED), None),
        ("padding, counters alone (storm)", s.storm(), None),
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
        Some(0.9),
    )]);
    Ok(vec![rows, cmp])
}
