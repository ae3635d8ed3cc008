//! One producer and one consumer, or several: C000-18 (the seed's ring is a
//! lock-free ring, no limit stated), D16 (two producers or consumers lose
//! and duplicate items) and D17 (the slots are plain memory, and `Pop` never
//! clears one), from [`figures::races`].

use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, Verdict, example,
};
use crate::lock_free_ring::adapters::OurSpsc;
use crate::lock_free_ring::figures::{self, CAPACITY, NUDGE, Races};
use crate::lock_free_ring::harness::transfer;
use crate::lock_free_ring::race::RaceCount;
use crate::lock_free_ring::spsc;

const ALONE: &str = "seed, 1 producer + 1 consumer: faults";
const SHARED: &str = "seed, 2 producers or 2 consumers: faults";

fn record(ev: &mut Evidence, label: &str, c: &RaceCount) {
    ev.add(format!("{label}: values sent"), c.sent as f64, Unit::Count);
    ev.add(format!("{label}: lost"), c.lost as f64, Unit::Count);
    ev.add(format!("{label}: duplicated"), c.duplicated as f64, Unit::Count);
    ev.add(format!("{label}: phantom (never pushed)"), c.phantom as f64, Unit::Count);
    ev.add(format!("{label}: out of order"), c.out_of_order as f64, Unit::Count);
}

fn record_runs(ev: &mut Evidence, r: &Races) {
    for run in &r.runs {
        let label = format!("seed, {} + {}", run.producers, run.consumers);
        record(ev, &label, &run.plain);
        record(ev, &format!("{label}, nudged every {NUDGE}"), &run.nudged);
    }
    record(ev, "our MPMC, 2 + 2", &r.fix);
}

fn condition(r: &Races) -> String {
    format!(
        "seed port (AtomicU64 slots, 2048 slots), {} tagged values per producer, threads \
         unpinned, each run plain and nudged (every {NUDGE}th operation pauses between \
         claim and publish until another thread moves the index, at most 200 µs); fix: \
         our MPMC queue (capacity {CAPACITY}), 2 producers + 2 consumers",
        r.n
    )
}

/// Duplicated and phantom values: values popped more often than pushed.
fn extra(c: &RaceCount) -> u64 {
    c.duplicated + c.phantom
}

/// C000-18: the seed's ring is lock-free, with no SPSC limit stated.
pub fn c000_18_only_spsc_is_safe(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = figures::races(ctx)?;
    let mut ev = Evidence::new(condition(r));
    record_runs(&mut ev, r);
    let spsc_ok = transfer::<OurSpsc>(r.n, CAPACITY, 1).is_ok();
    ev.add(
        "our SPSC delivered every value once, in order",
        f64::from(spsc_ok),
        Unit::Bool,
    );
    let alone = ev.add(ALONE, r.run(1, 1).faults() as f64, Unit::Count);
    let shared = ev.add(SHARED, r.shared_faults() as f64, Unit::Count);
    let (p, c) = (r.run(2, 1), r.run(1, 2));
    Ok(Measured::new(
        ev,
        format!(
            "1 producer + 1 consumer: {alone} faults in {} values (plain and nudged); 2 \
             producers: {} lost, {} duplicated of {} (nudged: {}, {}); 2 consumers: {} \
             duplicated (nudged: {}); {shared} faults in all with more than one of either",
            2 * r.run(1, 1).plain.sent,
            p.plain.lost,
            extra(&p.plain),
            p.plain.sent,
            p.nudged.lost,
            extra(&p.nudged),
            extra(&c.plain),
            extra(&c.nudged),
        ),
    ))
}

/// C000-18 holds only with one producer and one consumer when the ring is
/// faultless there and faulty with more.
pub const C000_18: Rule = Rule {
    says: "refuted when one producer and one consumer already lose or repeat a value; \
           holds only when there is one of each if two producers or two consumers do; \
           confirmed when no run loses or repeats anything",
    inputs: &[ALONE, SHARED],
    thresholds: &[],
    decide: |f| {
        if f.get(ALONE) > 0.0 {
            Verdict::Refuted
        } else if f.get(SHARED) > 0.0 {
            f.holds_only_when(
                "exactly one thread pushes and one thread pops; with two producers or two \
                 consumers the ring loses and duplicates values (nothing in the seed says \
                 so)",
                ALONE,
                SHARED,
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(&[(ALONE, 0.0), (SHARED, 0.0)], Confirmed),
        example(&[(ALONE, 3.0), (SHARED, 100.0)], Refuted),
        example(&[(ALONE, 0.0), (SHARED, 4479.0)], HoldsOnlyWhen),
    ],
};

const SCRIPTED_LOST: &str = "scripted claim race: items lost of 2";
const SCRIPTED_BACK: &str = "scripted late publish: head went back";

/// D16: two producers (or consumers) lose and duplicate items.
pub fn d16_two_producers(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = figures::races(ctx)?;
    let mut ev = Evidence::new(format!(
        "{}; scripted: the interleavings loom finds, replayed with the port's own steps",
        condition(r)
    ));
    record_runs(&mut ev, r);
    for run in r.runs.iter().filter(|run| run.producers > 1) {
        for c in [&run.plain, &run.nudged] {
            let label = format!(
                "seed, {} + {}{}: head seen moving backwards",
                run.producers,
                run.consumers,
                if c.preempt_every > 0 { ", nudged" } else { "" }
            );
            ev.add(label, c.head_regressions as f64, Unit::Count);
        }
    }
    let (lost, back) = (&r.scripted_lost, &r.scripted_back);
    ev.add(SCRIPTED_LOST, lost.lost() as f64, Unit::Count);
    ev.add(SCRIPTED_BACK, f64::from(back.head_went_back()), Unit::Bool);
    ev.add(
        "scripted late publish: items duplicated",
        back.duplicated() as f64,
        Unit::Count,
    );
    let shared = ev.add(SHARED, r.shared_faults() as f64, Unit::Count);
    let p = r.run(2, 1);
    Ok(Measured::new(
        ev,
        format!(
            "2 producers: {} lost, {} duplicated, head went back {}× in {} values (nudged: \
             {} lost, {} duplicated); {shared} faults in all runs with two of either; \
             scripted: {} of 2 items lost, head {:?}; the fix: {} faults",
            p.plain.lost,
            extra(&p.plain),
            p.plain.head_regressions,
            p.plain.sent,
            p.nudged.lost,
            extra(&p.nudged),
            lost.lost(),
            back.head_trace,
            r.fix.faults(),
        ),
    ))
}

/// D16 reproduces when real threads lose or repeat values; when only the
/// scripted schedule does, it holds only under that interleaving.
pub const D16: Rule = Rule {
    says: "reproduced when threaded runs with two producers or two consumers lose or \
           repeat values; holds only when the threads interleave between an index's load \
           and store if only the scripted schedule shows it; not reproduced otherwise",
    inputs: &[SHARED, SCRIPTED_LOST, SCRIPTED_BACK],
    thresholds: &[],
    decide: |f| {
        if f.get(SHARED) > 0.0 {
            Verdict::Confirmed
        } else if f.get(SCRIPTED_LOST) > 0.0 && f.get(SCRIPTED_BACK) != 0.0 {
            f.holds_only_when(
                "the threads interleave between the load and the store of an index, which \
                 the scripted schedule forces and the threaded runs did not hit this time",
                SCRIPTED_LOST,
                SHARED,
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[(SHARED, 4479.0)], Confirmed),
        example(
            &[(SHARED, 0.0), (SCRIPTED_LOST, 1.0), (SCRIPTED_BACK, 1.0)],
            HoldsOnlyWhen,
        ),
        example(&[(SHARED, 0.0), (SCRIPTED_LOST, 0.0), (SCRIPTED_BACK, 0.0)], Refuted),
    ],
};

/// A value that counts its drops.
struct Counted<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The fix's side of D17: popped values leave our ring (moved out), and what
/// is left inside is dropped exactly once with the ring. Returns the drops
/// after 3 pops and in all, of 5 items.
fn our_drops() -> (usize, usize) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let drops = AtomicUsize::new(0);
    let (mut p, mut c) = spsc::channel(8).expect("capacity 8");
    for _ in 0..5 {
        assert!(p.push(Counted(&drops)).is_ok(), "room for 5 of 8");
    }
    for _ in 0..3 {
        drop(c.pop());
    }
    let after_pops = drops.load(Ordering::Relaxed);
    drop((p, c));
    (after_pops, drops.load(Ordering::Relaxed))
}

const THREADED_SHARED_SLOTS: &str = "positions written by both producers (threaded)";
const SCRIPTED_SHARED_SLOTS: &str = "scripted: positions written by both producers";
const RETAINED: &str = "seed: slots still holding a popped value (3 popped)";

/// D17: slots are plain memory; with several producers two writes race on
/// one slot, and `Pop` leaves the popped value in the slot.
pub fn d17_slot_access(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = figures::races(ctx)?;
    let (popped_dropped, total_dropped) = our_drops();
    if (popped_dropped, total_dropped) != (3, 5) {
        return Err(CheckError(format!(
            "our ring dropped {popped_dropped} popped and {total_dropped} in all, expected 3 \
             and 5"
        )));
    }
    let mut ev = Evidence::new(format!(
        "seed port, 2 producers, {} values each (threaded, plain and nudged) and the \
         scripted claim race; fix: our SPSC ring of 8 with 5 drop-counting items, 3 popped",
        r.n
    ));
    let threaded: u64 = r
        .runs
        .iter()
        .filter(|run| run.producers > 1)
        .map(|run| run.shared_positions())
        .sum();
    ev.add(THREADED_SHARED_SLOTS, threaded as f64, Unit::Count);
    ev.add(SCRIPTED_SHARED_SLOTS, r.scripted_lost.shared_positions as f64, Unit::Count);
    let retained = ev.add(RETAINED, r.retained_after_pop as f64, Unit::Count);
    ev.add("ours: items dropped once popped (of 3)", popped_dropped as f64, Unit::Count);
    ev.add("ours: items dropped in all (of 5)", total_dropped as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "2 producers wrote the same slot position {threaded} times in the threaded runs \
             (loom calls it a data race on Go's plain slots); seed Pop left {retained} of 3 \
             popped values in their slots; ours moves them out and drops the 2 left inside \
             once"
        ),
    ))
}

/// D17 reproduces when two producers write one slot (threaded or scripted)
/// and popped values stay in their slots.
pub const D17: Rule = Rule {
    says: "reproduced when two producers claim the same slot (in the threaded runs or \
           the scripted schedule) and the seed's Pop leaves popped values in their slots; \
           not reproduced otherwise",
    inputs: &[THREADED_SHARED_SLOTS, SCRIPTED_SHARED_SLOTS, RETAINED],
    thresholds: &[],
    decide: |f| {
        let race =
            f.get(THREADED_SHARED_SLOTS) > 0.0 || f.get(SCRIPTED_SHARED_SLOTS) > 0.0;
        f.confirmed_if(race && f.get(RETAINED) > 0.0)
    },
    examples: &[
        example(
            &[
                (THREADED_SHARED_SLOTS, 9795.0),
                (SCRIPTED_SHARED_SLOTS, 1.0),
                (RETAINED, 3.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (THREADED_SHARED_SLOTS, 0.0),
                (SCRIPTED_SHARED_SLOTS, 1.0),
                (RETAINED, 3.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (THREADED_SHARED_SLOTS, 0.0),
                (SCRIPTED_SHARED_SLOTS, 0.0),
                (RETAINED, 3.0),
            ],
            Refuted,
        ),
        example(
            &[
                (THREADED_SHARED_SLOTS, 5.0),
                (SCRIPTED_SHARED_SLOTS, 1.0),
                (RETAINED, 0.0),
            ],
            Refuted,
        ),
    ],
};
