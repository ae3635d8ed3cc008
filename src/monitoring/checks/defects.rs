//! The seed defects. A measured defect is *reproduced* when the faithful
//! port shows it and the fix beside it does not; every rule reads both
//! sides. Where the Go code's defect cannot be written in safe Rust, the
//! port is a `rustc` snippet and its error code is the port's side.

use super::flag;
use crate::claims::Outcome::{Confirmed, Refuted};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::monitoring::snippets::Diagnostics;
use crate::monitoring::{figures, snippets};
use crate::table::format_nanos;

fn reproduced(port_fails: bool, fix_passes: bool) -> Verdict {
    Verdict::confirmed_if(port_fails && fix_passes)
}

fn fails_with(d: &Diagnostics, code: &str) -> bool {
    !d.compiled && d.errors.iter().any(|e| e == code)
}

// ------------------------------------------------------------ D24

const E0505: &str =
    "literal port fails with E0505 (use of a guard its references borrow)";
const FIX_TORN: &str = "fix: torn gauge reads";
const FIX_READS: &str = "fix: gauge reads";
const SNAP_TORN: &str = "fix: torn registry snapshots";

/// D24: the exporter reads metrics through the pointers it copied under
/// the read lock, after releasing it.
pub fn d24_shallow_copy(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = snippets::diagnostics("metric_snapshot").map_err(CheckError)?;
    let t = figures::torn(ctx)?;
    let mut ev = Evidence::new(
        "rustc on snippets/metric_snapshot.rs; the fix's gauge (a seqlock over value, \
         updates, time) read while another thread sets it",
    );
    ev.add(E0505, flag(fails_with(&d, "E0505")), Unit::Bool);
    ev.add("port analogue: torn reads", t.port_torn as f64, Unit::Count);
    ev.add(FIX_READS, t.fix_reads as f64, Unit::Count);
    ev.add(FIX_TORN, t.fix_torn as f64, Unit::Count);
    ev.add("fix: writes during the reads", t.fix_writes as f64, Unit::Count);
    ev.add(SNAP_TORN, t.snapshot_torn as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "the literal port: {}; the fix: {} torn of {} reads during {} writes",
            d.describe(),
            t.fix_torn,
            t.fix_reads,
            t.fix_writes
        ),
    ))
}

/// D24: reproduced when rustc rejects the port's race and the fix is
/// never read torn.
pub const D24: Rule = Rule {
    says: "reproduced when the literal port fails with E0505 and the fix's gauge and \
           snapshots are never read torn over its reads",
    inputs: &[E0505, FIX_READS, FIX_TORN, SNAP_TORN],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(E0505) == 1.0,
            f.get(FIX_READS) > 0.0 && f.get(FIX_TORN) == 0.0 && f.get(SNAP_TORN) == 0.0,
        )
    },
    examples: &[
        example(
            &[(E0505, 1.0), (FIX_READS, 1e6), (FIX_TORN, 0.0), (SNAP_TORN, 0.0)],
            Confirmed,
        ),
        example(
            &[(E0505, 0.0), (FIX_READS, 1e6), (FIX_TORN, 0.0), (SNAP_TORN, 0.0)],
            Refuted,
        ),
        example(
            &[(E0505, 1.0), (FIX_READS, 1e6), (FIX_TORN, 2.0), (SNAP_TORN, 0.0)],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D25

const PORT_LEFT: &str = "port: loop threads left after every handle was dropped";
const PORT_ONCE: &str = "port: exports, started once";
const PORT_TWICE: &str = "port: exports, started twice";
const FIX_LEFT: &str = "fix: loop threads left after it was dropped";
const FIX_TWICE: &str = "fix: exports, started twice";

/// D25: no `Stop`, and `Start` twice runs two loops.
pub fn d25_no_stop(ctx: &Ctx) -> Result<Measured, CheckError> {
    let e = figures::export_runs(ctx)?;
    let mut ev = Evidence::new(format!(
        "loops named perfmon-port / export-loop counted in /proc/self/task; {} interval, \
         {} per run",
        format_nanos(e.interval.as_nanos() as f64),
        format_nanos(e.ran.as_nanos() as f64)
    ));
    ev.add(PORT_ONCE, e.port_once_exports as f64, Unit::Count);
    ev.add(PORT_TWICE, e.port_twice_exports as f64, Unit::Count);
    ev.add(PORT_LEFT, e.port_threads_after_drop as f64, Unit::Count);
    ev.add(FIX_TWICE, e.fix_exports as f64, Unit::Count);
    ev.add(FIX_LEFT, e.fix_threads_after_drop as f64, Unit::Count);
    ev.add(
        "fix: Drop (stop + join) took",
        e.fix_drop_took.as_nanos() as f64,
        Unit::Nanos,
    );
    Ok(Measured::new(
        ev,
        format!(
            "started twice, the port exports {} times where once gives {}, and {} loops \
             outlive every handle; the fix exports {} and leaves {}",
            e.port_twice_exports,
            e.port_once_exports,
            e.port_threads_after_drop,
            e.fix_exports,
            e.fix_threads_after_drop
        ),
    ))
}

/// D25: reproduced when the port's loops outlive their handles and a
/// second Start doubles the exports, while the fix runs one loop and joins it.
pub const D25: Rule = Rule {
    says: "reproduced when the port leaves loop threads behind and, started twice, exports \
           at least min_double × as often as started once, while the fix leaves none and \
           exports less than min_double × the port's single loop",
    inputs: &[PORT_LEFT, PORT_ONCE, PORT_TWICE, FIX_LEFT, FIX_TWICE],
    thresholds: &[Threshold {
        name: "min_double",
        value: 1.5,
        unit: Unit::Ratio,
        source: "convention: two loops export about twice as often as one",
    }],
    decide: |f| {
        let once = f.get(PORT_ONCE).max(1.0);
        let double = f.limit("min_double");
        reproduced(
            f.get(PORT_LEFT) >= 1.0 && f.get(PORT_TWICE) >= double * once,
            f.get(FIX_LEFT) == 0.0 && f.get(FIX_TWICE) < double * once,
        )
    },
    examples: &[
        example(
            &[
                (PORT_LEFT, 2.0),
                (PORT_ONCE, 30.0),
                (PORT_TWICE, 60.0),
                (FIX_LEFT, 0.0),
                (FIX_TWICE, 30.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (PORT_LEFT, 0.0),
                (PORT_ONCE, 30.0),
                (PORT_TWICE, 60.0),
                (FIX_LEFT, 0.0),
                (FIX_TWICE, 30.0),
            ],
            Refuted,
        ),
        example(
            &[
                (PORT_LEFT, 2.0),
                (PORT_ONCE, 30.0),
                (PORT_TWICE, 60.0),
                (FIX_LEFT, 1.0),
                (FIX_TWICE, 30.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D26

const PORT_CHANGED: &str = "port: stored labels changed with the caller's map";
const FIX_CHANGED: &str = "fix: stored labels changed with the caller's pairs";

/// D26: the stored metric shares the caller's label map.
pub fn d26_label_aliasing(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::monitor_values(ctx)?;
    let mut ev = Evidence::new(
        "AddMetric(\"hits\", 1, {route: /a}), then the caller sets route = /b in its map; \
         the fix registers from the caller's pairs, which are then changed the same way",
    );
    ev.add(PORT_CHANGED, flag(m.port_labels_changed), Unit::Bool);
    ev.add(FIX_CHANGED, flag(m.fix_labels_changed), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the port's stored labels follow the caller's map: {}; the registry's: {}",
            m.port_labels_changed, m.fix_labels_changed
        ),
    ))
}

/// D26: reproduced when the port's stored labels change and the fix's do not.
pub const D26: Rule = Rule {
    says: "reproduced when the port's stored labels change with the caller's map and the \
           registry's owned labels do not",
    inputs: &[PORT_CHANGED, FIX_CHANGED],
    thresholds: &[],
    decide: |f| reproduced(f.get(PORT_CHANGED) == 1.0, f.get(FIX_CHANGED) == 0.0),
    examples: &[
        example(&[(PORT_CHANGED, 1.0), (FIX_CHANGED, 0.0)], Confirmed),
        example(&[(PORT_CHANGED, 0.0), (FIX_CHANGED, 0.0)], Refuted),
        example(&[(PORT_CHANGED, 1.0), (FIX_CHANGED, 1.0)], Refuted),
    ],
};

// ------------------------------------------------------------ D41

const TRACKED: &str = "allocations tracked, then freed";
const ENTRIES: &str = "port: map entries left";
const MATCHING: &str = "port: IDs equal to the allocation's address";
const FIX_ENTRIES: &str = "fix (keyed by address, freed entries removed): entries left";

/// D41: the detector's IDs are stack-buffer addresses and its map is never pruned.
pub fn d41_detector_leaks(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::detector_port(ctx)?;
    let mut ev = Evidence::new(
        "the port and the fix tracking the same 64-byte Vecs, each freed at once",
    );
    ev.add(TRACKED, d.n as f64, Unit::Count);
    ev.add(ENTRIES, d.port_entries as f64, Unit::Count);
    ev.add(MATCHING, d.ids_matching_addresses as f64, Unit::Count);
    ev.add(FIX_ENTRIES, d.fix_entries as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "after {} allocations and frees the port holds {} entries, none keyed by the \
             allocation ({} match); the fix holds {}",
            d.n, d.port_entries, d.ids_matching_addresses, d.fix_entries
        ),
    ))
}

/// D41: reproduced when the port keeps one entry per freed allocation,
/// none keyed by its address, and the fix keeps none.
pub const D41: Rule = Rule {
    says: "reproduced when the port keeps an entry for every freed allocation, no ID is the \
           allocation's address, and the fix's table is empty",
    inputs: &[TRACKED, ENTRIES, MATCHING, FIX_ENTRIES],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(ENTRIES) >= f.get(TRACKED) && f.get(MATCHING) == 0.0,
            f.get(FIX_ENTRIES) == 0.0,
        )
    },
    examples: &[
        example(
            &[(TRACKED, 1e3), (ENTRIES, 1e3), (MATCHING, 0.0), (FIX_ENTRIES, 0.0)],
            Confirmed,
        ),
        example(
            &[(TRACKED, 1e3), (ENTRIES, 0.0), (MATCHING, 0.0), (FIX_ENTRIES, 0.0)],
            Refuted,
        ),
        example(
            &[(TRACKED, 1e3), (ENTRIES, 1e3), (MATCHING, 0.0), (FIX_ENTRIES, 1e3)],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D42

const PORT_PANICS: &str = "port: second Stop panicked";
const PORT_ENDED: &str = "port: range over GetMetrics() ended";
const PORT_TIMED_OUT: &str = "port: child killed at its time-out";
const FIX_PANICS: &str = "fix: second stop panicked";
const FIX_ENDED: &str = "fix: loop over the channel ended";

/// D42: a second `Stop` panics; the metrics channel is never closed.
pub fn d42_second_stop(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (port, fix) = figures::shutdowns(ctx)?;
    let mut ev = Evidence::new(format!(
        "each in a child process with a {} time-out: start, stop, stop again (caught), then \
         a consumer's loop over the channel",
        format_nanos(figures::SHUTDOWN_TIMEOUT.as_nanos() as f64)
    ));
    ev.add(PORT_PANICS, flag(port.second_stop_panicked), Unit::Bool);
    ev.add(PORT_ENDED, flag(port.range_ended), Unit::Bool);
    ev.add(PORT_TIMED_OUT, flag(port.outcome.timed_out), Unit::Bool);
    ev.add(FIX_PANICS, flag(fix.second_stop_panicked), Unit::Bool);
    ev.add(FIX_ENDED, flag(fix.range_ended), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "port: second Stop panics: {}, range {}; fix: panics: {}, loop {}",
            port.second_stop_panicked,
            if port.range_ended { "ends".to_string() } else { port.outcome.describe() },
            fix.second_stop_panicked,
            if fix.range_ended { "ends".to_string() } else { fix.outcome.describe() }
        ),
    ))
}

/// D42: reproduced when the port panics and its range hangs, while the
/// fix does neither.
pub const D42: Rule = Rule {
    says: "reproduced when the port's second Stop panics and its consumer's range never \
           ends (the child is killed), while the fix's second stop returns and its loop ends",
    inputs: &[PORT_PANICS, PORT_ENDED, PORT_TIMED_OUT, FIX_PANICS, FIX_ENDED],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(PORT_PANICS) == 1.0
                && f.get(PORT_ENDED) == 0.0
                && f.get(PORT_TIMED_OUT) == 1.0,
            f.get(FIX_PANICS) == 0.0 && f.get(FIX_ENDED) == 1.0,
        )
    },
    examples: &[
        example(
            &[
                (PORT_PANICS, 1.0),
                (PORT_ENDED, 0.0),
                (PORT_TIMED_OUT, 1.0),
                (FIX_PANICS, 0.0),
                (FIX_ENDED, 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (PORT_PANICS, 0.0),
                (PORT_ENDED, 0.0),
                (PORT_TIMED_OUT, 1.0),
                (FIX_PANICS, 0.0),
                (FIX_ENDED, 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                (PORT_PANICS, 1.0),
                (PORT_ENDED, 0.0),
                (PORT_TIMED_OUT, 1.0),
                (FIX_PANICS, 0.0),
                (FIX_ENDED, 0.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D48

const E0599: &str = "port fails with E0599 (no method get_stats)";
const FIXED_COMPILES: &str = "the same shutdown calling get_metrics compiles";

/// D48: `Shutdown` calls a `GetStats` that `MemoryMonitor` does not have.
pub fn d48_no_get_stats(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let port = snippets::diagnostics("get_stats").map_err(CheckError)?;
    let fix = snippets::diagnostics("get_stats_fixed").map_err(CheckError)?;
    let mut ev =
        Evidence::new("rustc on snippets/get_stats.rs and snippets/get_stats_fixed.rs");
    ev.add(E0599, flag(fails_with(&port, "E0599")), Unit::Bool);
    ev.add(FIXED_COMPILES, flag(fix.compiled), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the port: {}; calling the method that exists: {}",
            port.describe(),
            fix.describe()
        ),
    ))
}

/// D48: reproduced when the port fails with E0599 and the fixed call compiles.
pub const D48: Rule = Rule {
    says: "reproduced when the port fails with E0599 and the same code calling get_metrics \
           compiles",
    inputs: &[E0599, FIXED_COMPILES],
    thresholds: &[],
    decide: |f| reproduced(f.get(E0599) == 1.0, f.get(FIXED_COMPILES) == 1.0),
    examples: &[
        example(&[(E0599, 1.0), (FIXED_COMPILES, 1.0)], Confirmed),
        example(&[(E0599, 0.0), (FIXED_COMPILES, 1.0)], Refuted),
        example(&[(E0599, 1.0), (FIXED_COMPILES, 0.0)], Refuted),
    ],
};

// ------------------------------------------------------------ D77

const ADDS: &str = "AddMetric(\"requests\", 1.0) calls, two threads";
const PORT_VALUE: &str = "port: Value afterwards";
const FIX_TOTAL: &str = "fix: counter total";
const DISTINCT: &str = "distinct user ids written as a label";
const PORT_SERIES: &str = "port: series in the map";
const CAP: &str = "fix: the registry's cap";
const FIX_SERIES: &str = "fix: series in the registry";

/// D77: the last write wins, and every label value is a new series.
pub fn d77_last_write_wins(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::monitor_values(ctx)?;
    let mut ev = Evidence::new(format!(
        "two threads × {} AddMetric(\"requests\", 1.0) against a Counter; then {} logins \
         labelled with distinct user ids",
        m.per_thread, m.distinct
    ));
    ev.add(ADDS, (2 * m.per_thread) as f64, Unit::Count);
    ev.add(PORT_VALUE, m.port_value, Unit::Count);
    ev.add("port: Count afterwards", m.port_count as f64, Unit::Count);
    ev.add(FIX_TOTAL, m.fix_total as f64, Unit::Count);
    ev.add(DISTINCT, m.distinct as f64, Unit::Count);
    ev.add(PORT_SERIES, m.port_series as f64, Unit::Count);
    ev.add(CAP, m.cap as f64, Unit::Count);
    ev.add(FIX_SERIES, m.fix_series as f64, Unit::Count);
    ev.add("fix: registrations refused", m.fix_refused as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "after {} adds of 1.0 the port's Value is {} (the counter: {}); {} user ids make \
             {} series in the port and {} in the capped registry",
            2 * m.per_thread,
            m.port_value,
            m.fix_total,
            m.distinct,
            m.port_series,
            m.fix_series
        ),
    ))
}

/// D77: reproduced when the port keeps the last value and a series per
/// label value, while the fix counts every add and stays under its cap.
pub const D77: Rule = Rule {
    says: "reproduced when the port's Value differs from the number of adds and it holds a \
           series per distinct label value, while the fix's total equals the adds and its \
           series stay within the cap",
    inputs: &[ADDS, PORT_VALUE, FIX_TOTAL, DISTINCT, PORT_SERIES, CAP, FIX_SERIES],
    thresholds: &[],
    decide: |f| {
        let adds = f.get(ADDS);
        reproduced(
            f.get(PORT_VALUE) != adds && f.get(PORT_SERIES) >= f.get(DISTINCT),
            f.get(FIX_TOTAL) == adds && f.get(FIX_SERIES) <= f.get(CAP),
        )
    },
    examples: &[
        example(
            &[
                (ADDS, 2e5),
                (PORT_VALUE, 1.0),
                (FIX_TOTAL, 2e5),
                (DISTINCT, 1e4),
                (PORT_SERIES, 1e4),
                (CAP, 1e3),
                (FIX_SERIES, 1e3),
            ],
            Confirmed,
        ),
        example(
            &[
                (ADDS, 2e5),
                (PORT_VALUE, 2e5),
                (FIX_TOTAL, 2e5),
                (DISTINCT, 1e4),
                (PORT_SERIES, 1e4),
                (CAP, 1e3),
                (FIX_SERIES, 1e3),
            ],
            Refuted,
        ),
        example(
            &[
                (ADDS, 2e5),
                (PORT_VALUE, 1.0),
                (FIX_TOTAL, 1.9e5),
                (DISTINCT, 1e4),
                (PORT_SERIES, 1e4),
                (CAP, 1e3),
                (FIX_SERIES, 1e3),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D78

const POSITION: &str = "port: the sample a reader gets (1 = the oldest)";
const COLLECTED: &str = "port: samples collected";
const BUFFERED: &str = "port: samples kept in the channel";
const FIX_SEQ: &str = "fix: sequence number of the sample read";
const FIX_TAKEN: &str = "fix: samples taken";

/// D78: the full channel drops the newest sample; nothing reads it.
pub fn d78_newest_dropped(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::monitor_fill(ctx)?;
    let mut ev = Evidence::new(format!(
        "the port and the sampler at {} for {}, unread (as the seed's server leaves it), \
         then read once",
        format_nanos(m.interval.as_nanos() as f64),
        format_nanos(m.ran.as_nanos() as f64)
    ));
    ev.add(COLLECTED, m.collected as f64, Unit::Count);
    ev.add(BUFFERED, m.buffered as f64, Unit::Count);
    ev.add(POSITION, m.read_position as f64, Unit::Count);
    ev.add(
        "port: age of that sample when read",
        m.read_age.as_nanos() as f64,
        Unit::Nanos,
    );
    ev.add(FIX_TAKEN, m.sampler.taken as f64, Unit::Count);
    ev.add(FIX_SEQ, m.sampler.read_seq as f64, Unit::Count);
    ev.add("fix: dropped unread (counted)", m.sampler.dropped as f64, Unit::Count);
    ev.add(
        "fix: age of the sample read",
        m.sampler.read_age.as_nanos() as f64,
        Unit::Nanos,
    );
    Ok(Measured::new(
        ev,
        format!(
            "the port's reader gets sample {} of {} ({} old); the sampler's gets {} of {} \
             ({} old, {} drops counted)",
            m.read_position,
            m.collected,
            format_nanos(m.read_age.as_nanos() as f64),
            m.sampler.read_seq,
            m.sampler.taken,
            format_nanos(m.sampler.read_age.as_nanos() as f64),
            m.sampler.dropped
        ),
    ))
}

/// D78: reproduced when the port's reader gets the oldest sample of a full
/// channel, and the sampler's gets its newest.
pub const D78: Rule = Rule {
    says: "reproduced when the port dropped samples and its reader gets the oldest (1), \
           while the sampler's reader gets the newest (its sequence number = samples taken)",
    inputs: &[POSITION, COLLECTED, BUFFERED, FIX_SEQ, FIX_TAKEN],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(COLLECTED) > f.get(BUFFERED) && f.get(POSITION) == 1.0,
            f.get(FIX_SEQ) == f.get(FIX_TAKEN),
        )
    },
    examples: &[
        example(
            &[
                (POSITION, 1.0),
                (COLLECTED, 290.0),
                (BUFFERED, 100.0),
                (FIX_SEQ, 280.0),
                (FIX_TAKEN, 280.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (POSITION, 1.0),
                (COLLECTED, 90.0),
                (BUFFERED, 90.0),
                (FIX_SEQ, 280.0),
                (FIX_TAKEN, 280.0),
            ],
            Refuted,
        ),
        example(
            &[
                (POSITION, 1.0),
                (COLLECTED, 290.0),
                (BUFFERED, 100.0),
                (FIX_SEQ, 1.0),
                (FIX_TAKEN, 280.0),
            ],
            Refuted,
        ),
    ],
};
