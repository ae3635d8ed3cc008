//! Go rules for chapter 8, "Allocator tuning": what Go's GC knobs do in Go
//! (`go/allocator_tuning`): `debug.SetGCPercent` and its default,
//! `debug.SetMemoryLimit` above and below the live heap, a forced
//! `runtime.GC()`, `debug.FreeOSMemory`, stop-the-world pauses, the
//! `GODEBUG=gctrace=1` trace, and knobs set in `init()` against the
//! operator's `GOGC`/`GOMEMLIMIT`.

use super::YES;
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

const GIB: f64 = 1073741824.0;
const MIB: f64 = 1048576.0;

/// C000-11, C001-20: `SetGCPercent(100)`, default 100.
pub const GOGC_DEFAULT: Rule = Rule {
    says: "confirmed when a fresh process with GOGC unset runs at GOGC claimed_default (so \
           SetGCPercent(100) sets what is already in force) and GOGC does what it says: more \
           collections at 50 than at 100, more at 100 than at 200; refuted otherwise",
    inputs: &[
        "GOGC in force with GOGC unset",
        "GCs at GOGC 50",
        "GCs at GOGC 100",
        "GCs at GOGC 200",
    ],
    thresholds: &[Threshold {
        name: "claimed_default",
        value: 100.0,
        unit: Unit::Count,
        source: "the seeds' comment 默认100 (seed 000 L256, seed 001 L261)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("GOGC in force with GOGC unset") == f.limit("claimed_default")
                && f.get("GCs at GOGC 50") > f.get("GCs at GOGC 100")
                && f.get("GCs at GOGC 100") > f.get("GCs at GOGC 200"),
        )
    },
    examples: &[
        example(
            &[
                ("GOGC in force with GOGC unset", 100.0),
                ("GCs at GOGC 50", 21.0),
                ("GCs at GOGC 100", 11.0),
                ("GCs at GOGC 200", 6.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("GOGC in force with GOGC unset", 75.0),
                ("GCs at GOGC 50", 21.0),
                ("GCs at GOGC 100", 11.0),
                ("GCs at GOGC 200", 6.0),
            ],
            Refuted,
        ),
    ],
};

const CAPPED: Threshold = Threshold {
    name: "near_limit",
    value: 1.1,
    unit: Unit::Ratio,
    source: "within 10% of the limit: the heap is sampled every MiB allocated and the limit \
             covers all the runtime's memory, not only heap objects",
};

/// C000-12, C001-21: `SetMemoryLimit(1<<30)` sets a 1 GB limit.
pub const MEMORY_LIMIT: Rule = Rule {
    says: "confirmed when SetMemoryLimit(1 GiB) reads back as 1 GiB and a limit above the live \
           data holds the peak heap within near_limit × the limit; refuted otherwise",
    inputs: &[
        "limit read back after SetMemoryLimit(1 GiB)",
        "limit above the live data",
        "peak heap, limit above the live data",
    ],
    thresholds: &[CAPPED],
    decide: |f| {
        f.confirmed_if(
            f.get("limit read back after SetMemoryLimit(1 GiB)") == GIB
                && f.get("peak heap, limit above the live data")
                    <= f.limit("near_limit") * f.get("limit above the live data"),
        )
    },
    examples: &[
        example(
            &[
                ("limit read back after SetMemoryLimit(1 GiB)", GIB),
                ("limit above the live data", 48.0 * MIB),
                ("peak heap, limit above the live data", 49.2 * MIB),
            ],
            Confirmed,
        ),
        example(
            &[
                ("limit read back after SetMemoryLimit(1 GiB)", GIB),
                ("limit above the live data", 48.0 * MIB),
                ("peak heap, limit above the live data", 80.0 * MIB),
            ],
            Refuted,
        ),
    ],
};

/// C001-42: "set a reasonable memory limit".
pub const REASONABLE_LIMIT: Rule = Rule {
    says: "holds only when the limit sits above the live data: there it holds the peak heap \
           within near_limit × the limit, below it the runtime does not fail but runs at \
           least gc_storm × as many collections as with no limit; confirmed when a limit \
           below the live data costs no such storm, refuted when even a limit above it does \
           not hold the heap",
    inputs: &[
        "limit above the live data",
        "peak heap, limit above the live data",
        "GCs, no limit",
        "GCs, limit below the live data",
    ],
    thresholds: &[
        CAPPED,
        Threshold {
            name: "gc_storm",
            value: 4.0,
            unit: Unit::Ratio,
            source: "convention: four times the collections for the same allocation is \
                     collecting continually, not pacing",
        },
    ],
    decide: |f| {
        let capped = f.get("peak heap, limit above the live data")
            <= f.limit("near_limit") * f.get("limit above the live data");
        let storm = f.get("GCs, limit below the live data")
            >= f.limit("gc_storm") * f.get("GCs, no limit").max(1.0);
        match (capped, storm) {
            (false, _) => Verdict::Refuted,
            (true, false) => Verdict::Confirmed,
            (true, true) => f.holds_only_when(
                "the limit sits above the live heap: below it the runtime keeps running but \
                 collects continually",
                "peak heap, limit above the live data",
                "GCs, limit below the live data",
            ),
        }
    },
    examples: &[
        example(
            &[
                ("limit above the live data", 48.0 * MIB),
                ("peak heap, limit above the live data", 49.2 * MIB),
                ("GCs, no limit", 9.0),
                ("GCs, limit below the live data", 115.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("limit above the live data", 48.0 * MIB),
                ("peak heap, limit above the live data", 49.2 * MIB),
                ("GCs, no limit", 9.0),
                ("GCs, limit below the live data", 12.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("limit above the live data", 48.0 * MIB),
                ("peak heap, limit above the live data", 80.0 * MIB),
                ("GCs, no limit", 9.0),
                ("GCs, limit below the live data", 115.0),
            ],
            Refuted,
        ),
    ],
};

const SLOWER: Threshold = Threshold {
    name: "slower",
    value: 1.1,
    unit: Unit::Ratio,
    source: "convention: 10% beyond the run-to-run spread of a median of three",
};

/// C000-13: calling `runtime.GC()` is part of "GC optimization".
pub const C000_13: Rule = Rule {
    says: "confirmed when the churn with forced runtime.GC() calls takes under slower × the \
           pacer's time; when it is slower, holds only when a lower peak heap is what is \
           wanted (the forced runs peak at most lower_peak × the pacer's), refuted when it \
           is slower and does not lower the peak",
    inputs: &[
        "time, pacer only",
        "time, with forced GCs",
        "peak heap, pacer only",
        "peak heap, with forced GCs",
    ],
    thresholds: &[
        SLOWER,
        Threshold {
            name: "lower_peak",
            value: 0.75,
            unit: Unit::Fraction,
            source: "convention: a quarter off the peak heap is a saving worth naming",
        },
    ],
    decide: |f| {
        if f.get("time, with forced GCs") < f.limit("slower") * f.get("time, pacer only")
        {
            return Verdict::Confirmed;
        }
        if f.get("peak heap, with forced GCs")
            <= f.limit("lower_peak") * f.get("peak heap, pacer only")
        {
            return f.holds_only_when(
                "only when a lower peak heap is worth more time: the forced collections cost \
                 time the pacer does not spend",
                "peak heap, with forced GCs",
                "time, with forced GCs",
            );
        }
        Verdict::Refuted
    },
    examples: &[
        example(
            &[
                ("time, pacer only", 93e6),
                ("time, with forced GCs", 295e6),
                ("peak heap, pacer only", 101.0 * MIB),
                ("peak heap, with forced GCs", 36.7 * MIB),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("time, pacer only", 93e6),
                ("time, with forced GCs", 295e6),
                ("peak heap, pacer only", 101.0 * MIB),
                ("peak heap, with forced GCs", 100.0 * MIB),
            ],
            Refuted,
        ),
        example(
            &[
                ("time, pacer only", 93e6),
                ("time, with forced GCs", 95e6),
                ("peak heap, pacer only", 101.0 * MIB),
                ("peak heap, with forced GCs", 36.7 * MIB),
            ],
            Confirmed,
        ),
    ],
};

/// D12: a forced full GC presented as an optimization.
pub const D12: Rule = Rule {
    says: "reproduced when the churn with forced runtime.GC() calls takes at least slower × \
           the pacer's time",
    inputs: &["time, pacer only", "time, with forced GCs"],
    thresholds: &[SLOWER],
    decide: |f| {
        f.confirmed_if(
            f.get("time, with forced GCs")
                >= f.limit("slower") * f.get("time, pacer only"),
        )
    },
    examples: &[
        example(
            &[("time, pacer only", 93e6), ("time, with forced GCs", 295e6)],
            Confirmed,
        ),
        example(&[("time, pacer only", 93e6), ("time, with forced GCs", 95e6)], Refuted),
    ],
};

const RETURNED: Threshold = Threshold {
    name: "most_of_burst",
    value: 0.5,
    unit: Unit::Fraction,
    source: "convention: half the freed burst handed back to the OS is more than a \
             collection does (runtime.GC() alone leaves it to the background scavenger)",
};

/// C001-22: `debug.FreeOSMemory()` means "force GC".
pub const C001_22: Rule = Rule {
    says: "refuted when FreeOSMemory, beyond running a collection, hands back at least \
           most_of_burst of a freed burst to the OS (the label names the lesser half of what \
           it does; runtime.GC() is the forced GC); confirmed when it runs a collection and \
           returns no more than that",
    inputs: &["GCs run by FreeOSMemory", "released by FreeOSMemory", "burst bytes"],
    thresholds: &[RETURNED],
    decide: |f| {
        let gc = f.get("GCs run by FreeOSMemory") >= 1.0;
        let scavenged = f.get("released by FreeOSMemory")
            >= f.limit("most_of_burst") * f.get("burst bytes");
        f.confirmed_if(gc && !scavenged)
    },
    examples: &[
        example(
            &[
                ("GCs run by FreeOSMemory", 1.0),
                ("released by FreeOSMemory", 128.0 * MIB),
                ("burst bytes", 128.0 * MIB),
            ],
            Refuted,
        ),
        example(
            &[
                ("GCs run by FreeOSMemory", 1.0),
                ("released by FreeOSMemory", 0.0),
                ("burst bytes", 128.0 * MIB),
            ],
            Confirmed,
        ),
    ],
};

/// D34: mislabelled: it forces a GC and scavenges everything back to the OS.
pub const D34: Rule = Rule {
    says: "reproduced when FreeOSMemory runs a collection and hands at least most_of_burst \
           of a freed burst back to the OS",
    inputs: &["GCs run by FreeOSMemory", "released by FreeOSMemory", "burst bytes"],
    thresholds: &[RETURNED],
    decide: |f| {
        f.confirmed_if(
            f.get("GCs run by FreeOSMemory") >= 1.0
                && f.get("released by FreeOSMemory")
                    >= f.limit("most_of_burst") * f.get("burst bytes"),
        )
    },
    examples: &[
        example(
            &[
                ("GCs run by FreeOSMemory", 1.0),
                ("released by FreeOSMemory", 128.0 * MIB),
                ("burst bytes", 128.0 * MIB),
            ],
            Confirmed,
        ),
        example(
            &[
                ("GCs run by FreeOSMemory", 1.0),
                ("released by FreeOSMemory", 0.0),
                ("burst bytes", 128.0 * MIB),
            ],
            Refuted,
        ),
    ],
};

/// C003-03: target GC pause 10 ms → < 1 ms.
pub const C003_03: Rule = Rule {
    says: "confirmed when Go's median stop-the-world pause per cycle, at default settings \
           with a moderate pointer-rich live heap, is under target_pause (the target is met \
           without tuning); refuted when it is not",
    inputs: &["median pause"],
    thresholds: &[Threshold {
        name: "target_pause",
        value: 1e6,
        unit: Unit::Nanos,
        source: "the seed's target, GC暂停 <1ms (seed 003 L68)",
    }],
    decide: |f| f.confirmed_if(f.get("median pause") < f.limit("target_pause")),
    examples: &[
        example(&[("median pause", 170e3)], Confirmed),
        example(&[("median pause", 10e6)], Refuted),
    ],
};

/// C003-33: `SetMemoryLimit(100 MB)` and `SetGCPercent(50)` in `init()`.
pub const C003_33: Rule = Rule {
    says: "confirmed when a process whose init() calls the two knobs runs with exactly \
           those values (GOGC 50, limit 100 MiB) and GOGC defaults to 100; refuted otherwise",
    inputs: &[
        "GOGC, env unset",
        "GOGC, operator's env + init()",
        "GOGC set in init()",
        "limit, operator's env + init()",
        "limit set in init()",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("GOGC, env unset") == 100.0
                && f.get("GOGC, operator's env + init()") == f.get("GOGC set in init()")
                && f.get("limit, operator's env + init()")
                    == f.get("limit set in init()"),
        )
    },
    examples: &[
        example(
            &[
                ("GOGC, env unset", 100.0),
                ("GOGC, operator's env + init()", 50.0),
                ("GOGC set in init()", 50.0),
                ("limit, operator's env + init()", 100.0 * MIB),
                ("limit set in init()", 100.0 * MIB),
            ],
            Confirmed,
        ),
        example(
            &[
                ("GOGC, env unset", 100.0),
                ("GOGC, operator's env + init()", 200.0),
                ("GOGC set in init()", 50.0),
                ("limit, operator's env + init()", 2.0 * GIB),
                ("limit set in init()", 100.0 * MIB),
            ],
            Refuted,
        ),
    ],
};

/// D59: knobs hard-coded in `init()` override the operator's `GOMEMLIMIT`/`GOGC`.
pub const D59: Rule = Rule {
    says: "reproduced when the operator's GOGC=200 GOMEMLIMIT=2GiB take effect in a process \
           without the init() calls and are replaced by the init()'s values in one with them",
    inputs: &[
        "GOGC, operator's GOGC=200",
        "limit, operator's GOMEMLIMIT=2GiB",
        "GOGC, operator's env + init()",
        "GOGC set in init()",
        "limit, operator's env + init()",
        "limit set in init()",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("GOGC, operator's GOGC=200") == 200.0
                && f.get("limit, operator's GOMEMLIMIT=2GiB") == 2.0 * GIB
                && f.get("GOGC, operator's env + init()") == f.get("GOGC set in init()")
                && f.get("limit, operator's env + init()")
                    == f.get("limit set in init()"),
        )
    },
    examples: &[
        example(
            &[
                ("GOGC, operator's GOGC=200", 200.0),
                ("limit, operator's GOMEMLIMIT=2GiB", 2.0 * GIB),
                ("GOGC, operator's env + init()", 50.0),
                ("GOGC set in init()", 50.0),
                ("limit, operator's env + init()", 100.0 * MIB),
                ("limit set in init()", 100.0 * MIB),
            ],
            Confirmed,
        ),
        example(
            &[
                ("GOGC, operator's GOGC=200", 200.0),
                ("limit, operator's GOMEMLIMIT=2GiB", 2.0 * GIB),
                ("GOGC, operator's env + init()", 200.0),
                ("GOGC set in init()", 50.0),
                ("limit, operator's env + init()", 2.0 * GIB),
                ("limit set in init()", 100.0 * MIB),
            ],
            Refuted,
        ),
    ],
};

/// C003-40: long GC pauses cause stalls; check `GODEBUG=gctrace=1`.
pub const C003_40: Rule = Rule {
    says: "confirmed when GODEBUG=gctrace=1 prints one line per collection (the diagnostic \
           the seed names shows every GC, with its stop-the-world phases); refuted when it \
           prints fewer lines than the process ran collections",
    inputs: &["GCs in the child (NumGC)", "gctrace lines"],
    thresholds: &[],
    decide: |f| {
        let gcs = f.get("GCs in the child (NumGC)");
        f.confirmed_if(gcs >= YES && f.get("gctrace lines") >= gcs)
    },
    examples: &[
        example(&[("GCs in the child (NumGC)", 8.0), ("gctrace lines", 8.0)], Confirmed),
        example(&[("GCs in the child (NumGC)", 8.0), ("gctrace lines", 0.0)], Refuted),
    ],
};
