//! Go rules for chapter 5, "Tri-color mark-sweep": what Go's collector
//! frees and scans (`runtime.MemStats`, `/gc/scan/heap:bytes`), and a
//! recursive marker in a Go program on a cycle (`go/mark_sweep`).

use super::{YES, at_least};
use crate::claims::{Outcome::*, Rule, Threshold, Unit, example};

const NEARLY: Threshold = Threshold {
    name: "nearly_all",
    value: 0.9,
    unit: Unit::Fraction,
    source: "within 10%: heap readings round to spans and include the runtime's own objects",
};

/// C001-16: GC(H) = H − Unreachable(H).
pub const C001_16: Rule = Rule {
    says: "confirmed when a collection frees nearly_all of the unreachable bytes (cycles \
           included) and keeps nearly_all of the reachable ones; refuted otherwise",
    inputs: &[
        "freed by the collection",
        "unreachable bytes (cycles)",
        "kept after the collection",
        "reachable bytes",
    ],
    thresholds: &[NEARLY],
    decide: |f| {
        let n = f.limit("nearly_all");
        f.confirmed_if(
            f.get("freed by the collection") >= n * f.get("unreachable bytes (cycles)")
                && f.get("kept after the collection") >= n * f.get("reachable bytes"),
        )
    },
    examples: &[
        example(
            &[
                ("freed by the collection", 12.8e6),
                ("unreachable bytes (cycles)", 12.8e6),
                ("kept after the collection", 12.8e6),
                ("reachable bytes", 12.8e6),
            ],
            Confirmed,
        ),
        example(
            &[
                ("freed by the collection", 0.0),
                ("unreachable bytes (cycles)", 12.8e6),
                ("kept after the collection", 25.6e6),
                ("reachable bytes", 12.8e6),
            ],
            Refuted,
        ),
    ],
};

/// C001-18: the recursive markObject implements tri-color marking.
pub const C001_18: Rule = Rule {
    says: "refuted when the recursive marker dies of stack overflow on a two-object cycle; \
           confirmed when it finishes",
    inputs: &["recursive, 2-object cycle: stack overflow"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("recursive, 2-object cycle: stack overflow") < YES),
    examples: &[
        example(&[("recursive, 2-object cycle: stack overflow", 1.0)], Refuted),
        example(&[("recursive, 2-object cycle: stack overflow", 0.0)], Confirmed),
    ],
};

/// D32: infinite recursion on any cycle.
pub const D32: Rule = at_least! {
    says: "reproduced when the recursive marker dies of stack overflow on a two-object cycle",
    input: "recursive, 2-object cycle: stack overflow",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C004-05: the GC has to scan the large []byte.
pub const C004_05: Rule = Rule {
    says: "with Go's count of scannable heap bytes (Go 1.21+): confirmed when the []byte adds \
           at least half_block of its size to it, refuted when it adds less; without it: \
           confirmed when a byte of the []byte costs a collection at least half_block of what a \
           byte of pointers costs, refuted when it costs less",
    inputs: &[
        "scannable heap added by the []byte",
        "block size",
        "GC time added per byte, []byte ÷ []*byte",
    ],
    thresholds: &[Threshold {
        name: "half_block",
        value: 0.5,
        unit: Unit::Fraction,
        source: "half: far from both 'not scanned at all' (0) and 'scanned like pointers' (1)",
    }],
    decide: |f| {
        let half = f.limit("half_block");
        if f.has("scannable heap added by the []byte") {
            f.confirmed_if(
                f.get("scannable heap added by the []byte") >= half * f.get("block size"),
            )
        } else {
            f.confirmed_if(f.get("GC time added per byte, []byte ÷ []*byte") >= half)
        }
    },
    examples: &[
        example(
            &[("scannable heap added by the []byte", 96.0), ("block size", 268435456.0)],
            Refuted,
        ),
        example(
            &[
                ("scannable heap added by the []byte", 268435456.0),
                ("block size", 268435456.0),
            ],
            Confirmed,
        ),
        example(&[("GC time added per byte, []byte ÷ []*byte", 0.002)], Refuted),
        example(&[("GC time added per byte, []byte ÷ []*byte", 0.9)], Confirmed),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{Evidence, Verdict};

    #[test]
    fn without_the_scan_metric_the_timing_decides() {
        let mut ev = Evidence::new("Go 1.19");
        ev.add("GC time added per byte, []byte ÷ []*byte", 0.01, Unit::Ratio);
        assert_eq!(C004_05.apply(&ev), Ok(Verdict::Refuted));
    }
}
