//! Speed: C000-20 (a lock-free ring is faster than locking) and D18 (the
//! seed's `head` and `tail` share a cache line, and it costs), from
//! [`figures::speeds`] and [`figures::mpmc_speeds`].
//!
//! Every comparison is a paired band: the ratio of two rows' times in the
//! same round, once per round, summarised by its median and quartiles
//! ([`Paired`]). A rule counts a difference only when the first quartile is
//! past 1 (the middle half of the rounds agree on its direction) and the
//! median moves by at least `min_effect`; the old D18 rule took the largest
//! of three single ratios against 5%, with no band.

use crate::claims::{
    CheckError, Ctx, Evidence, Facts, Measured, Outcome::*, Rule, Threshold, Unit,
    Verdict, example,
};
use crate::lock_free_ring::ablation::{self, Adjacent};
use crate::lock_free_ring::figures::{self, CAPACITY, Timed, row};
use crate::lock_free_ring::{seed_port, spsc};
use crate::measure::paired::Paired;

/// The smallest change counted, as zero_copy's paired rounds count it.
const MIN_EFFECT: Threshold = Threshold {
    name: "min_effect",
    value: 0.05,
    unit: Unit::Fraction,
    source: "the smallest difference a verdict counts (±5%), beyond the paired noise \
             band; the same convention as zero_copy's paired rounds",
};

const TWO_CPUS: &str = "two CPUs for the two threads";

/// Records `p` as three figures, `{name}: median`, `: q1`, `: q3`.
fn band(ev: &mut Evidence, name: &str, p: Paired) -> Paired {
    ev.add(format!("{name}: median"), p.median, Unit::Ratio);
    ev.add(format!("{name}: q1"), p.q1, Unit::Ratio);
    ev.add(format!("{name}: q3"), p.q3, Unit::Ratio);
    p
}

/// `t.paired(a, b)`, or an error naming them.
fn paired(t: &Timed, a: &str, b: &str) -> Result<Paired, CheckError> {
    t.paired(a, b)
        .ok_or_else(|| CheckError(format!("too few rounds to pair {a} with {b}")))
}

/// True when the band named `name` lies above 1 and its median is at least
/// `1 + min_effect`: the middle half of the rounds agree, and it matters.
fn above(f: &Facts<'_>, name: &str) -> bool {
    let (q1, median) = (f.get(&format!("{name}: q1")), f.get(&format!("{name}: median")));
    q1 > 1.0 && median >= 1.0 + f.limit("min_effect")
}

fn load_note(ev: &mut Evidence) -> String {
    match figures::load_average() {
        Some(l) => {
            ev.add("1-minute load average when measured", l, Unit::Count);
            format!(" [load average {l:.1}]")
        }
        None => String::new(),
    }
}

const OURS: &str = "spsc (ours) speed-up over the mutex";
const UNPINNED: &str = "spsc (ours) speed-up over the mutex, unpinned";
const SEED: &str = "seed port speed-up over the mutex";
const MPMC: &str = "mpmc (ours) speed-up over the mutex, 2+2";

/// C000-20: a lock-free ring is a concurrency optimisation (faster than
/// locking).
pub fn c000_20_faster_than_locking(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::speeds(ctx)?;
    let m = figures::mpmc_speeds(ctx)?;
    let t = &s.table;
    let mut ev = Evidence::new(format!(
        "2 threads ({}), u64 items, capacity {CAPACITY}, {} items per run, {} interleaved \
         rounds; speed-up = the mutex's time over the ring's in the same round, median and \
         quartiles; MPMC: 2 producers + 2 consumers, not pinned, {} items per run",
        s.placement, t.n, t.rounds, m.n
    ));
    ev.add(TWO_CPUS, f64::from(s.two_cpus), Unit::Bool);
    for r in t.rows.iter().chain(&m.rows) {
        ev.add(format!("{}: ns per item (median)", r.name), r.median_ns(), Unit::Nanos);
    }
    let ours = band(&mut ev, OURS, paired(t, row::MUTEX, row::OURS)?);
    let unpinned =
        band(&mut ev, UNPINNED, paired(t, row::MUTEX_UNPINNED, row::OURS_UNPINNED)?);
    let seed = band(&mut ev, SEED, paired(t, row::MUTEX, row::SEED)?);
    let mpmc = band(&mut ev, MPMC, paired(m, row::MPMC_MUTEX, row::MPMC_OURS)?);
    let busy = load_note(&mut ev);
    Ok(Measured::new(
        ev,
        format!(
            "speed-up over Mutex<VecDeque>, median (middle half of the rounds): our SPSC \
             ring {}, the seed's ring {}; unpinned, ours {}; 2+2 threads, our MPMC {}{busy}",
            ours.describe(),
            seed.describe(),
            unpinned.describe(),
            mpmc.describe()
        ),
    ))
}

/// C000-20: faster than locking in every configuration measured, in some,
/// or not even in the one a ring is built for.
pub const C000_20: Rule = Rule {
    says: "unverifiable with one CPU for both threads; refuted when our SPSC ring, pinned, \
           is not faster than the mutex beyond the band (q1 > 1, median ≥ 1 + \
           min_effect); confirmed when the seed's ring, our ring unpinned and our MPMC \
           queue (2+2) are faster too; otherwise holds only when, naming what was not",
    inputs: &[
        TWO_CPUS,
        "spsc (ours) speed-up over the mutex: median",
        "spsc (ours) speed-up over the mutex: q1",
        "seed port speed-up over the mutex: median",
        "seed port speed-up over the mutex: q1",
        "spsc (ours) speed-up over the mutex, unpinned: median",
        "spsc (ours) speed-up over the mutex, unpinned: q1",
        "mpmc (ours) speed-up over the mutex, 2+2: median",
        "mpmc (ours) speed-up over the mutex, 2+2: q1",
    ],
    thresholds: &[MIN_EFFECT],
    decide: |f| {
        if f.get(TWO_CPUS) == 0.0 {
            return Verdict::unverifiable(
                "one CPU for both threads: a producer and a consumer never run at once \
                 here, so the timing measures time-sharing, not concurrency",
            );
        }
        if !above(f, OURS) {
            return Verdict::Refuted;
        }
        let others = [
            (
                SEED,
                "the ring is built right (the seed's ring, with Go's SeqCst stores, \
                    head and tail on one line and no cached index, was not)",
            ),
            (
                UNPINNED,
                "the two threads run on two cores at once (left to the \
                        scheduler, our ring was not)",
            ),
            (
                MPMC,
                "there is one producer and one consumer (with two of each, our \
                    lock-free MPMC queue was not)",
            ),
        ];
        let failed: Vec<_> = others.iter().filter(|(name, _)| !above(f, name)).collect();
        match failed.first() {
            None => Verdict::Confirmed,
            Some((first, _)) => {
                let why: Vec<&str> = failed.iter().map(|(_, why)| *why).collect();
                f.holds_only_when(
                    format!(
                        "{}; 'not' meaning not faster than the mutex beyond the noise band",
                        why.join("; ")
                    ),
                    "spsc (ours) speed-up over the mutex: median",
                    &format!("{first}: median"),
                )
            }
        }
    },
    examples: &[
        example(&[(TWO_CPUS, 0.0)], Unverifiable),
        example(
            &[
                (TWO_CPUS, 1.0),
                ("spsc (ours) speed-up over the mutex: median", 1.1),
                ("spsc (ours) speed-up over the mutex: q1", 0.9),
            ],
            Refuted,
        ),
        example(
            &[
                (TWO_CPUS, 1.0),
                ("spsc (ours) speed-up over the mutex: median", 28.0),
                ("spsc (ours) speed-up over the mutex: q1", 25.0),
                ("seed port speed-up over the mutex: median", 1.9),
                ("seed port speed-up over the mutex: q1", 1.7),
                ("spsc (ours) speed-up over the mutex, unpinned: median", 27.0),
                ("spsc (ours) speed-up over the mutex, unpinned: q1", 20.0),
                ("mpmc (ours) speed-up over the mutex, 2+2: median", 8.0),
                ("mpmc (ours) speed-up over the mutex, 2+2: q1", 6.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (TWO_CPUS, 1.0),
                ("spsc (ours) speed-up over the mutex: median", 28.0),
                ("spsc (ours) speed-up over the mutex: q1", 25.0),
                ("seed port speed-up over the mutex: median", 1.02),
                ("seed port speed-up over the mutex: q1", 0.8),
                ("spsc (ours) speed-up over the mutex, unpinned: median", 27.0),
                ("spsc (ours) speed-up over the mutex, unpinned: q1", 20.0),
                ("mpmc (ours) speed-up over the mutex, 2+2: median", 8.0),
                ("mpmc (ours) speed-up over the mutex, 2+2: q1", 6.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (TWO_CPUS, 1.0),
                ("spsc (ours) speed-up over the mutex: median", 28.0),
                ("spsc (ours) speed-up over the mutex: q1", 25.0),
                ("seed port speed-up over the mutex: median", 1.9),
                ("seed port speed-up over the mutex: q1", 1.7),
                ("spsc (ours) speed-up over the mutex, unpinned: median", 1.3),
                ("spsc (ours) speed-up over the mutex, unpinned: q1", 0.6),
                ("mpmc (ours) speed-up over the mutex, 2+2: median", 1.2),
                ("mpmc (ours) speed-up over the mutex, 2+2: q1", 0.9),
            ],
            HoldsOnlyWhen,
        ),
    ],
};

const GAP: &str = "seed: bytes from head to tail";
const STORM: &str = "counter storm: adjacent / padded time";
const UNCACHED: &str = "ring, uncached: adjacent / padded time";
const CACHED: &str = "ring, cached: adjacent / padded time";

/// D18: `head` and `tail` share a cache line, and it costs.
pub fn d18_false_sharing(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::speeds(ctx)?;
    let t = &s.table;
    let mut ev = Evidence::new(format!(
        "layouts from offset_of!; ring: 2 threads ({}), u64, capacity {CAPACITY}, {} items \
         per run, {} interleaved rounds; storm: 2 threads, {} SeqCst swaps each into its \
         own counter, {} interleaved rounds; each ratio per round, median and quartiles",
        s.placement, t.n, t.rounds, s.storm_n, t.rounds
    ));
    let gap = ev.add(GAP, seed_port::index_distance_bytes() as f64, Unit::Bytes);
    ev.add("seed: offset of head", seed_port::head_offset_bytes() as f64, Unit::Bytes);
    let ours = ev.add(
        "ours: bytes between the counters",
        spsc::counter_distance_bytes() as f64,
        Unit::Bytes,
    );
    ev.add(
        "ablation adjacent: bytes between the counters",
        ablation::counter_distance_bytes::<Adjacent>() as f64,
        Unit::Bytes,
    );
    ev.add(TWO_CPUS, f64::from(s.two_cpus), Unit::Bool);
    let storm = s.storm().ok_or("too few storm rounds")?;
    let storm = band(&mut ev, STORM, storm);
    let uncached =
        band(&mut ev, UNCACHED, paired(t, row::ADJACENT_UNCACHED, row::PADDED_UNCACHED)?);
    let cached =
        band(&mut ev, CACHED, paired(t, row::ADJACENT_CACHED, row::PADDED_CACHED)?);
    let busy = load_note(&mut ev);
    Ok(Measured::new(
        ev,
        format!(
            "seed head and tail are {gap:.0} B apart (ours {ours:.0} B); adjacent counters \
             take {} the time of padded ones in isolation, {} in the ring without cached \
             indices, {} with{busy}",
            storm.describe(),
            uncached.describe(),
            cached.describe()
        ),
    ))
}

/// D18 reproduces when the seed's counters share a line and adjacent
/// counters cost the ring more than padded ones, beyond the noise band.
pub const D18: Rule = Rule {
    says: "not reproduced when head and tail are at least line_bytes apart; \
           unverifiable with one CPU for both threads; reproduced when adjacent counters \
           slow the ring (cached or not) beyond the band (q1 > 1, median ≥ 1 + \
           min_effect); holds only when the threads do nothing but store (the storm) if \
           only that shows it; not reproduced when nothing does",
    inputs: &[
        GAP,
        TWO_CPUS,
        "counter storm: adjacent / padded time: median",
        "counter storm: adjacent / padded time: q1",
        "ring, uncached: adjacent / padded time: median",
        "ring, uncached: adjacent / padded time: q1",
        "ring, cached: adjacent / padded time: median",
        "ring, cached: adjacent / padded time: q1",
    ],
    thresholds: &[
        Threshold {
            name: "line_bytes",
            value: 64.0,
            unit: Unit::Bytes,
            source: "the cache line of x86-64 and of most ARM cores",
        },
        MIN_EFFECT,
    ],
    decide: |f| {
        if f.get(GAP) >= f.limit("line_bytes") {
            return Verdict::Refuted;
        }
        if f.get(TWO_CPUS) == 0.0 {
            return Verdict::unverifiable(
                "one CPU for both threads: the two sides never run at once, so no line \
                 moves between cores",
            );
        }
        if above(f, UNCACHED) || above(f, CACHED) {
            Verdict::Confirmed
        } else if above(f, STORM) {
            f.holds_only_when(
                "the two sides do nothing but store to their counters; in the whole ring, \
                 adjacent counters cost nothing beyond the noise band",
                "counter storm: adjacent / padded time: median",
                "ring, uncached: adjacent / padded time: median",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[(GAP, 128.0)], Refuted),
        example(&[(GAP, 8.0), (TWO_CPUS, 0.0)], Unverifiable),
        example(
            &[
                (GAP, 8.0),
                (TWO_CPUS, 1.0),
                ("ring, uncached: adjacent / padded time: median", 1.9),
                ("ring, uncached: adjacent / padded time: q1", 1.5),
            ],
            Confirmed,
        ),
        example(
            &[
                (GAP, 8.0),
                (TWO_CPUS, 1.0),
                ("ring, uncached: adjacent / padded time: median", 1.2),
                ("ring, uncached: adjacent / padded time: q1", 0.9),
                ("ring, cached: adjacent / padded time: median", 1.03),
                ("ring, cached: adjacent / padded time: q1", 1.01),
                ("counter storm: adjacent / padded time: median", 3.9),
                ("counter storm: adjacent / padded time: q1", 3.5),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (GAP, 8.0),
                (TWO_CPUS, 1.0),
                ("ring, uncached: adjacent / padded time: median", 1.2),
                ("ring, uncached: adjacent / padded time: q1", 0.9),
                ("ring, cached: adjacent / padded time: median", 0.98),
                ("ring, cached: adjacent / padded time: q1", 0.9),
                ("counter storm: adjacent / padded time: median", 1.02),
                ("counter storm: adjacent / padded time: q1", 0.95),
            ],
            Refuted,
        ),
    ],
};
