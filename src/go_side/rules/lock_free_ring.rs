//! Go rules for chapter 6, "Lock-free ring": seed 000's ring rebuilt in Go
//! (`go/lock_free_ring/ring`), its capacity, two producers on it (a stress
//! run, a step-by-step interleaving of two Pushes, and Go's race detector),
//! and its field layout.

use super::{YES, at_least};
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// C000-18: a lock-free ring buffer, with no single-producer limit stated.
pub const C000_18: Rule = Rule {
    says: "holds only when there is one producer, when one producer shows no lost or repeated \
           value and no race report while two producers show one (lost values, a race report, \
           or a value lost when two Pushes interleave); confirmed when two are as clean as one; \
           refuted when even one producer is not",
    inputs: &[
        "1 producer: faults",
        "race detector, 1 producer: reports",
        "2 producers: faults",
        "race detector, 2 producers: reports",
        "2 pushes preempted between reserve and publish: items lost",
    ],
    thresholds: &[],
    decide: |f| {
        let one =
            f.get("1 producer: faults") + f.get("race detector, 1 producer: reports");
        if one > 0.0 {
            return Verdict::Refuted;
        }
        let condition = "one producer and one consumer (the seed states no such limit)";
        if f.get("race detector, 2 producers: reports") > 0.0 {
            f.holds_only_when(
                condition,
                "race detector, 1 producer: reports",
                "race detector, 2 producers: reports",
            )
        } else if f.get("2 producers: faults") > 0.0 {
            f.holds_only_when(condition, "1 producer: faults", "2 producers: faults")
        } else if f.get("2 pushes preempted between reserve and publish: items lost")
            > 0.0
        {
            f.holds_only_when(
                condition,
                "1 producer: faults",
                "2 pushes preempted between reserve and publish: items lost",
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(
            &[
                ("1 producer: faults", 0.0),
                ("race detector, 1 producer: reports", 0.0),
                ("race detector, 2 producers: reports", 2.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("1 producer: faults", 0.0),
                ("race detector, 1 producer: reports", 0.0),
                ("race detector, 2 producers: reports", 0.0),
                ("2 producers: faults", 769.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("1 producer: faults", 0.0),
                ("race detector, 1 producer: reports", 0.0),
                ("race detector, 2 producers: reports", 0.0),
                ("2 producers: faults", 0.0),
                ("2 pushes preempted between reserve and publish: items lost", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[("1 producer: faults", 3.0), ("race detector, 1 producer: reports", 0.0)],
            Refuted,
        ),
    ],
};

/// C000-19: size is rounded up to a power of two (implied: capacity = size).
pub const C000_19: Rule = Rule {
    says: "confirmed when new(8) holds 8 items and new(5) rounds to 8 slots; refuted when a \
           ring holds fewer items than its size",
    inputs: &["new(8): items held", "new(5): slots"],
    thresholds: &[Threshold {
        name: "size",
        value: 8.0,
        unit: Unit::Count,
        source: "the requested size in the measurement, new(8) (and 5 rounded up)",
    }],
    decide: |f| {
        let size = f.limit("size");
        f.confirmed_if(
            f.get("new(8): items held") >= size && f.get("new(5): slots") == size,
        )
    },
    examples: &[
        example(&[("new(8): items held", 8.0), ("new(5): slots", 8.0)], Confirmed),
        example(&[("new(8): items held", 7.0), ("new(5): slots", 8.0)], Refuted),
    ],
};

/// D15: size 0 panics, size 1 holds nothing.
pub const D15: Rule = Rule {
    says: "reproduced when new(0).Push panics or new(1) holds no item",
    inputs: &["new(0): Push panics", "new(1): items held"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("new(0): Push panics") > YES || f.get("new(1): items held") < 1.0,
        )
    },
    examples: &[
        example(&[("new(0): Push panics", 1.0), ("new(1): items held", 0.0)], Confirmed),
        example(&[("new(0): Push panics", 0.0), ("new(1): items held", 1.0)], Refuted),
    ],
};

/// D16: not safe with more than one producer.
pub const D16: Rule = Rule {
    says: "reproduced when two producers lose or repeat values, in the stress run or when two \
           Pushes interleave step by step",
    inputs: &[
        "2 producers: faults",
        "2 pushes preempted between reserve and publish: items lost",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("2 producers: faults") > 0.0
                || f.get("2 pushes preempted between reserve and publish: items lost")
                    > 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("2 producers: faults", 0.0),
                ("2 pushes preempted between reserve and publish: items lost", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("2 producers: faults", 0.0),
                ("2 pushes preempted between reserve and publish: items lost", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D17: non-atomic slot access races.
pub const D17: Rule = at_least! {
    says: "reproduced when Go's race detector reports at least one_report with two producers",
    input: "race detector, 2 producers: reports",
    threshold: "one_report" = 1.0, Unit::Count, "one data race reported by `go build -race`",
    at_or_above: Confirmed(2.0),
    below: Refuted(0.0),
};

/// D18: head and tail share a cache line.
pub const D18: Rule = Rule {
    says: "reproduced when head and tail are less than cache_line bytes apart",
    inputs: &["tail − head"],
    thresholds: &[Threshold {
        name: "cache_line",
        value: 64.0,
        unit: Unit::Bytes,
        source: "the cache line of x86-64 and most arm64 cores",
    }],
    decide: |f| f.confirmed_if(f.get("tail − head") < f.limit("cache_line")),
    examples: &[
        example(&[("tail − head", 8.0)], Confirmed),
        example(&[("tail − head", 128.0)], Refuted),
    ],
};
