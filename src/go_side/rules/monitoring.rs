//! Go rules for chapter 10, "Monitoring and leak detection": what
//! `runtime.ReadMemStats` reports and costs, and the lifecycle of monitors
//! shaped like seed 000's `PerformanceMonitor` and seed 001's
//! `MemoryMonitor`, in Go (`go/monitoring`).

use super::YES;
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// C000-14: ReadMemStats reports NumGC, PauseTotalNs and HeapAlloc.
pub const C000_14: Rule = Rule {
    says: "confirmed when n runtime.GC() calls raise NumGC by at least n and PauseTotalNs \
           above zero, and a held allocation raises HeapAlloc by nearly_all of its size; \
           refuted otherwise",
    inputs: &[
        "runtime.GC() calls",
        "NumGC increase",
        "PauseTotalNs increase",
        "bytes allocated and held",
        "HeapAlloc increase",
    ],
    thresholds: &[Threshold {
        name: "nearly_all",
        value: 0.9,
        unit: Unit::Fraction,
        source: "within 10%: other goroutines allocate and free meanwhile",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("NumGC increase") >= f.get("runtime.GC() calls")
                && f.get("PauseTotalNs increase") > 0.0
                && f.get("HeapAlloc increase")
                    >= f.limit("nearly_all") * f.get("bytes allocated and held"),
        )
    },
    examples: &[
        example(
            &[
                ("runtime.GC() calls", 20.0),
                ("NumGC increase", 20.0),
                ("PauseTotalNs increase", 3e6),
                ("bytes allocated and held", 67108864.0),
                ("HeapAlloc increase", 67108864.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("runtime.GC() calls", 20.0),
                ("NumGC increase", 0.0),
                ("PauseTotalNs increase", 0.0),
                ("bytes allocated and held", 67108864.0),
                ("HeapAlloc increase", 67108864.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("runtime.GC() calls", 20.0),
                ("NumGC increase", 20.0),
                ("PauseTotalNs increase", 3e6),
                ("bytes allocated and held", 67108864.0),
                ("HeapAlloc increase", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-32: the monitor samples on its ticker and drops when the channel is full.
pub const C001_32: Rule = Rule {
    says: "confirmed when the loop collects at least min_share of the ticks, keeps exactly \
           the channel's capacity and drops the rest; unverifiable when too few ticks came \
           to fill it",
    inputs: &[
        "samples collected",
        "samples in the channel",
        "channel capacity",
        "ticks in the run",
    ],
    thresholds: &[Threshold {
        name: "min_share",
        value: 0.5,
        unit: Unit::Ratio,
        source: "convention: a ticker on a busy machine may skip ticks, not most of them",
    }],
    decide: |f| {
        let (collected, cap) = (f.get("samples collected"), f.get("channel capacity"));
        if collected <= cap {
            return Verdict::unverifiable(
                "the monitor did not fill its channel during the run (too few ticks)",
            );
        }
        f.confirmed_if(
            collected >= f.limit("min_share") * f.get("ticks in the run")
                && f.get("samples in the channel") == cap,
        )
    },
    examples: &[
        example(
            &[
                ("samples collected", 278.0),
                ("samples in the channel", 100.0),
                ("channel capacity", 100.0),
                ("ticks in the run", 300.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("samples collected", 120.0),
                ("samples in the channel", 100.0),
                ("channel capacity", 100.0),
                ("ticks in the run", 300.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("samples collected", 80.0),
                ("samples in the channel", 80.0),
                ("channel capacity", 100.0),
                ("ticks in the run", 300.0),
            ],
            Unverifiable,
        ),
    ],
};

/// D25: no Stop; a second Start runs a second loop.
pub const D25: Rule = Rule {
    says: "reproduced when goroutines outlive the unreachable monitor and, started twice, \
           it exports at least min_double × as often as started once",
    inputs: &[
        "goroutines left after the monitor became unreachable",
        "exports, started once",
        "exports, started twice",
    ],
    thresholds: &[Threshold {
        name: "min_double",
        value: 1.5,
        unit: Unit::Ratio,
        source: "convention: two loops export about twice as often as one",
    }],
    decide: |f| {
        let once = f.get("exports, started once").max(1.0);
        f.confirmed_if(
            f.get("goroutines left after the monitor became unreachable") >= 1.0
                && f.get("exports, started twice") >= f.limit("min_double") * once,
        )
    },
    examples: &[
        example(
            &[
                ("goroutines left after the monitor became unreachable", 2.0),
                ("exports, started once", 30.0),
                ("exports, started twice", 60.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("goroutines left after the monitor became unreachable", 0.0),
                ("exports, started once", 30.0),
                ("exports, started twice", 30.0),
            ],
            Refuted,
        ),
    ],
};

/// D42: a second Stop panics; a range over the metrics channel never ends.
pub const D42: Rule = Rule {
    says: "reproduced when the second Stop panics and the range over the metrics channel \
           does not end",
    inputs: &["second Stop panicked", "range over the metrics channel ended"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("second Stop panicked") >= YES
                && f.get("range over the metrics channel ended") < YES,
        )
    },
    examples: &[
        example(
            &[
                ("second Stop panicked", 1.0),
                ("range over the metrics channel ended", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("second Stop panicked", 0.0),
                ("range over the metrics channel ended", 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("second Stop panicked", 1.0),
                ("range over the metrics channel ended", 1.0),
            ],
            Refuted,
        ),
    ],
};
