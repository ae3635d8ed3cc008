//! What a fresh ring holds: C000-19 (the size is rounded up to a power of
//! two, implying capacity = size) and D15 (sizes 0 and 1), on the seed's
//! port beside our ring, from [`figures::capacities`].

use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, example,
};
use crate::lock_free_ring::figures::{self, Capacities};

const TRIED: &str = "sizes tried";
const ROUNDED: &str = "seed: sizes rounded up to the next power of two";
const HOLD_ALL: &str = "seed: sizes whose ring holds as many items as it has slots";

/// Our ring must hold exactly what it was asked for, at every size: it is
/// the fix the checks compare with, so a failure is an error, not a verdict.
fn ours_is_exact(c: &Capacities) -> Result<(), CheckError> {
    match c.rows.iter().find(|r| r.ours_holds != r.size) {
        Some(r) => {
            Err(CheckError(format!("our ring of {} holds {}", r.size, r.ours_holds)))
        }
        None if !c.ours_zero_rejected => {
            Err(CheckError("our rings accept capacity 0".into()))
        }
        None => Ok(()),
    }
}

/// C000-19: `NewLockFreeRingBuffer` rounds the size up to a power of two,
/// implying capacity = size.
pub fn c000_19_capacity(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::capacities(ctx);
    ours_is_exact(c)?;
    let mut ev = Evidence::new(
        "fresh rings, one thread: push until full; seed port vs our SPSC ring",
    );
    for r in &c.rows {
        ev.add(format!("seed new({}): slots", r.size), r.seed_slots as f64, Unit::Count);
        ev.add(format!("seed new({}): holds", r.size), r.seed_holds as f64, Unit::Count);
        ev.add(
            format!("ours channel({}): holds", r.size),
            r.ours_holds as f64,
            Unit::Count,
        );
    }
    let count =
        |f: fn(&figures::CapacityRow) -> bool| c.rows.iter().filter(|r| f(r)).count();
    ev.add(TRIED, c.rows.len() as f64, Unit::Count);
    ev.add(
        ROUNDED,
        count(|r| r.seed_slots == r.size.next_power_of_two()) as f64,
        Unit::Count,
    );
    ev.add(HOLD_ALL, count(|r| r.seed_holds == r.seed_slots) as f64, Unit::Count);
    let some: Vec<String> = c
        .rows
        .iter()
        .filter(|r| [1, 5, 8].contains(&r.size))
        .map(|r| {
            format!(
                "new({}) has {} slots and holds {}",
                r.size, r.seed_slots, r.seed_holds
            )
        })
        .collect();
    Ok(Measured::new(
        ev,
        format!("seed: {}; ours holds exactly n for every n tried", some.join(", ")),
    ))
}

/// C000-19 is confirmed when every size is rounded to the next power of two
/// and every ring then holds that many items.
pub const C000_19: Rule = Rule {
    says: "confirmed when every size tried is rounded up to the next power of two and \
           every ring holds as many items as it has slots; refuted otherwise",
    inputs: &[TRIED, ROUNDED, HOLD_ALL],
    thresholds: &[],
    decide: |f| {
        let tried = f.get(TRIED);
        f.confirmed_if(f.get(ROUNDED) == tried && f.get(HOLD_ALL) == tried)
    },
    examples: &[
        example(&[(TRIED, 7.0), (ROUNDED, 7.0), (HOLD_ALL, 7.0)], Confirmed),
        example(&[(TRIED, 7.0), (ROUNDED, 7.0), (HOLD_ALL, 0.0)], Refuted),
        example(&[(TRIED, 7.0), (ROUNDED, 5.0), (HOLD_ALL, 7.0)], Refuted),
    ],
};

const ZERO_PANICS: &str = "seed new(0): first push panics (index out of bounds)";
const ONE_HOLDS: &str = "seed new(1): holds";

/// D15: size 0 panics on the first push; size 1 holds nothing.
pub fn d15_size_zero_and_one(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::capacities(ctx);
    ours_is_exact(c)?;
    let mut ev = Evidence::new("fresh rings, one thread; the panic is caught in-process");
    let panicked =
        c.seed_zero_panic.as_deref().is_some_and(|m| m.contains("index out of bounds"));
    ev.add(ZERO_PANICS, f64::from(panicked), Unit::Bool);
    let one =
        c.rows.iter().find(|r| r.size == 1).map_or(f64::NAN, |r| r.seed_holds as f64);
    ev.add(ONE_HOLDS, one, Unit::Count);
    ev.add(
        "ours: capacity 0 rejected (spsc and mpmc)",
        f64::from(c.ours_zero_rejected),
        Unit::Bool,
    );
    Ok(Measured::new(
        ev,
        format!(
            "seed new(0).push: {}; seed new(1) holds {one}; ours rejects 0 and channel(1) \
             holds 1",
            c.seed_zero_panic.as_deref().unwrap_or("no panic")
        ),
    ))
}

/// D15 reproduces when size 0 panics at the first push and size 1 holds
/// nothing.
pub const D15: Rule = Rule {
    says: "reproduced when the seed's new(0) panics at the first push and new(1) holds \
           no item; not reproduced otherwise",
    inputs: &[ZERO_PANICS, ONE_HOLDS],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(ZERO_PANICS) != 0.0 && f.get(ONE_HOLDS) == 0.0),
    examples: &[
        example(&[(ZERO_PANICS, 1.0), (ONE_HOLDS, 0.0)], Confirmed),
        example(&[(ZERO_PANICS, 0.0), (ONE_HOLDS, 0.0)], Refuted),
        example(&[(ZERO_PANICS, 1.0), (ONE_HOLDS, 1.0)], Refuted),
    ],
};
