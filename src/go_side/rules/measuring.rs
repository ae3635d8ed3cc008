//! Go rules for chapter 0, "Measuring honestly": the seeds' benchmarks re-run
//! with Go's `testing.Benchmark` (allocation counts from `ReportAllocs`),
//! and seed 004's millisecond timings (`go/measuring`, `go/mmap`).

use super::at_least;
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

const ONE_ALLOC: Threshold = Threshold {
    name: "one_alloc",
    value: 1.0,
    unit: Unit::Count,
    source: "one heap allocation per operation: what a make that reaches the heap costs",
};

/// C001-33: "`BenchmarkMemoryAllocation` measures the cost of
/// `make([]byte, 1024)`" (seed 001 §6.1.1.8.2, L777-784).
pub const C001_33: Rule = at_least! {
    says: "confirmed when the benchmark as written makes at least one_alloc per op \
           (it times an allocation); refuted when it makes none (the make stays on \
           the stack or is removed, and the loop is timed)",
    input: "make 1024, unused: allocs/op",
    threshold: "one_alloc" = 1.0, Unit::Count,
        "one heap allocation per operation: what a make that reaches the heap costs",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// D43: the benchmark measures nothing.
pub const D43: Rule = Rule {
    says: "reproduced when the benchmark as written makes fewer than one_alloc per op",
    inputs: &["make 1024, unused: allocs/op"],
    thresholds: &[ONE_ALLOC],
    decide: |f| {
        f.confirmed_if(f.get("make 1024, unused: allocs/op") < f.limit("one_alloc"))
    },
    examples: &[
        example(&[("make 1024, unused: allocs/op", 0.0)], Confirmed),
        example(&[("make 1024, unused: allocs/op", 1.0)], Refuted),
    ],
};

/// C000-28: "an ObjectPool of 1024-byte buffers against direct allocation"
/// (seed 000 §1.5.2, L746-772), implying the pool is cheaper.
pub const C000_28: Rule = Rule {
    says: "confirmed when the pool makes fewer allocations per op than the direct \
           loop as written; refuted when it makes as many or more",
    inputs: &[
        "generic sync.Pool of []byte: allocs/op",
        "direct make(0, 1024) + append: allocs/op",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("generic sync.Pool of []byte: allocs/op")
                < f.get("direct make(0, 1024) + append: allocs/op"),
        )
    },
    examples: &[
        example(
            &[
                ("generic sync.Pool of []byte: allocs/op", 0.0),
                ("direct make(0, 1024) + append: allocs/op", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("generic sync.Pool of []byte: allocs/op", 1.0),
                ("direct make(0, 1024) + append: allocs/op", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D28: the direct buffer stays on the stack while the pool boxes each Put.
pub const D28: Rule = Rule {
    says: "reproduced when the direct loop makes fewer than one_alloc per op while the \
           pool makes at least one_alloc (the comparison is inverted)",
    inputs: &[
        "direct make(0, 1024) + append: allocs/op",
        "generic sync.Pool of []byte: allocs/op",
    ],
    thresholds: &[ONE_ALLOC],
    decide: |f| {
        let one = f.limit("one_alloc");
        f.confirmed_if(
            f.get("direct make(0, 1024) + append: allocs/op") < one
                && f.get("generic sync.Pool of []byte: allocs/op") >= one,
        )
    },
    examples: &[
        example(
            &[
                ("direct make(0, 1024) + append: allocs/op", 0.0),
                ("generic sync.Pool of []byte: allocs/op", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("direct make(0, 1024) + append: allocs/op", 1.0),
                ("generic sync.Pool of []byte: allocs/op", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-34: the channel pool and the size-class pool "show pooling is
/// cheap" (seed 001 L786-810).
pub const C001_34: Rule = Rule {
    says: "confirmed when both pools make fewer than one_alloc per op; refuted when \
           neither does; holds only when the pool keeps the slice itself (a channel) \
           when only that one does",
    inputs: &[
        "channel pool of []byte: allocs/op",
        "size-class sync.Pool of []byte: allocs/op",
    ],
    thresholds: &[ONE_ALLOC],
    decide: |f| {
        let one = f.limit("one_alloc");
        let ch = f.get("channel pool of []byte: allocs/op") < one;
        let sc = f.get("size-class sync.Pool of []byte: allocs/op") < one;
        match (ch, sc) {
            (true, true) => Verdict::Confirmed,
            (false, false) => Verdict::Refuted,
            (true, false) => f.holds_only_when(
                "the pool keeps the slice itself (a channel of []byte); sync.Pool boxes a \
                 []byte into an interface{} on every Put",
                "channel pool of []byte: allocs/op",
                "size-class sync.Pool of []byte: allocs/op",
            ),
            (false, true) => f.holds_only_when(
                "the pool is sync.Pool (here the channel pool allocates)",
                "size-class sync.Pool of []byte: allocs/op",
                "channel pool of []byte: allocs/op",
            ),
        }
    },
    examples: &[
        example(
            &[
                ("channel pool of []byte: allocs/op", 0.0),
                ("size-class sync.Pool of []byte: allocs/op", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("channel pool of []byte: allocs/op", 1.0),
                ("size-class sync.Pool of []byte: allocs/op", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("channel pool of []byte: allocs/op", 0.0),
                ("size-class sync.Pool of []byte: allocs/op", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("channel pool of []byte: allocs/op", 1.0),
                ("size-class sync.Pool of []byte: allocs/op", 0.0),
            ],
            HoldsOnlyWhen,
        ),
    ],
};

/// D44: the size-class pool allocates on every cycle.
pub const D44: Rule = at_least! {
    says: "reproduced when the size-class sync.Pool of []byte makes at least one_alloc \
           per get/put",
    input: "size-class sync.Pool of []byte: allocs/op",
    threshold: "one_alloc" = 1.0, Unit::Count,
        "one heap allocation per operation: the slice header boxed by Put",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

const PLAUSIBLE: Threshold = Threshold {
    name: "seed_figure_twice",
    value: 0.80,
    unit: Unit::Nanos,
    source: "twice seed 003's 0.40 ns/op for BytePool (策略6 L357, table L478)",
};

/// C003-26: "BytePool performance: 0.40 ns/op" (seed 003 L357, L478).
pub const C003_26: Rule = Rule {
    says: "confirmed when a real pool get+put (sync.Pool of *[]byte) takes at most \
           seed_figure_twice per op; refuted when it takes longer",
    inputs: &["sync.Pool of *[]byte, get+put: ns/op"],
    thresholds: &[PLAUSIBLE],
    decide: |f| {
        f.confirmed_if(
            f.get("sync.Pool of *[]byte, get+put: ns/op") <= f.limit("seed_figure_twice"),
        )
    },
    examples: &[
        example(&[("sync.Pool of *[]byte, get+put: ns/op", 0.4)], Confirmed),
        example(&[("sync.Pool of *[]byte, get+put: ns/op", 30.0)], Refuted),
    ],
};

/// D55: an impossible measurement for a pool.
pub const D55: Rule = Rule {
    says: "reproduced when a real pool get+put takes more than seed_figure_twice: the \
           seed's 0.40 ns cannot have timed one",
    inputs: &["sync.Pool of *[]byte, get+put: ns/op"],
    thresholds: &[PLAUSIBLE],
    decide: |f| {
        f.confirmed_if(
            f.get("sync.Pool of *[]byte, get+put: ns/op") > f.limit("seed_figure_twice"),
        )
    },
    examples: &[
        example(&[("sync.Pool of *[]byte, get+put: ns/op", 30.0)], Confirmed),
        example(&[("sync.Pool of *[]byte, get+put: ns/op", 0.5)], Refuted),
    ],
};

/// C003-08: `go test -bench -benchmem` and benchstat compare runs (seed 003
/// §4, L151-165).
pub const C003_08: Rule = Rule {
    says: "confirmed when the same benchmark run twice reports the same allocs/op and \
           B/op (so two runs can be compared on them); refuted when they differ",
    inputs: &["run 1: allocs/op", "run 2: allocs/op", "run 1: B/op", "run 2: B/op"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("run 1: allocs/op") == f.get("run 2: allocs/op")
                && f.get("run 1: B/op") == f.get("run 2: B/op"),
        )
    },
    examples: &[
        example(
            &[
                ("run 1: allocs/op", 1.0),
                ("run 2: allocs/op", 1.0),
                ("run 1: B/op", 1024.0),
                ("run 2: B/op", 1024.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("run 1: allocs/op", 1.0),
                ("run 2: allocs/op", 1.0),
                ("run 1: B/op", 1024.0),
                ("run 2: B/op", 2048.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-16: "after optimization: 1 MB 3 → 1 ms (3×) … 1 GB 1595 → 0 ms
/// (∞)" (seed 004 测试1, L132-144).
pub const C004_16: Rule = at_least! {
    says: "confirmed when mmap still beats make by min_gain once the memory is written \
           (allocation + first touch); refuted when the gain is smaller",
    input: "make ÷ mmap, allocation + first touch",
    threshold: "min_gain" = 3.0, Unit::Ratio,
        "the smallest speed-up seed 004's table claims (1 MB: 3 ms → 1 ms, L136)",
    at_or_above: Confirmed(4.0),
    below: Refuted(1.1),
};

/// D63: millisecond resolution turns microseconds into "0 ms" and "∞".
pub const D63: Rule = Rule {
    says: "reproduced when the mmap path's allocation, measured in nanoseconds, reads \
           below one_ms in whole milliseconds (printed as 0 ms, and the speed-up as ∞)",
    inputs: &["mmap touched: allocation, in whole ms", "mmap touched: allocation"],
    thresholds: &[Threshold {
        name: "one_ms",
        value: 1.0,
        unit: Unit::Count,
        source: "one whole millisecond: the resolution of the seed's table",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("mmap touched: allocation, in whole ms") < f.limit("one_ms")
                && f.get("mmap touched: allocation") > 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("mmap touched: allocation, in whole ms", 0.0),
                ("mmap touched: allocation", 4000.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("mmap touched: allocation, in whole ms", 2.0),
                ("mmap touched: allocation", 2.5e6),
            ],
            Refuted,
        ),
    ],
};

/// C003-06: `pprof -alloc_space / -inuse_space` is how to profile memory
/// (seed 003 §2, L104-134).
pub const C003_06: Rule = Rule {
    says: "confirmed when the heap profile attributes to the allocating function at least \
           nearly_all of what it allocated (alloc_space) and of what it kept (inuse_space), and \
           no more than it allocated plus its slice of headers; refuted otherwise",
    inputs: &[
        "profile: alloc_space at the site",
        "allocated at the site (blocks)",
        "profile: inuse_space at the site",
        "kept live at the site (blocks)",
    ],
    thresholds: &[Threshold {
        name: "nearly_all",
        value: 0.9,
        unit: Unit::Fraction,
        source: "within 10%: the site also allocates the slice that holds the blocks",
    }],
    decide: |f| {
        let n = f.limit("nearly_all");
        let (alloc, made) = (
            f.get("profile: alloc_space at the site"),
            f.get("allocated at the site (blocks)"),
        );
        let (inuse, kept) = (
            f.get("profile: inuse_space at the site"),
            f.get("kept live at the site (blocks)"),
        );
        f.confirmed_if(
            alloc >= n * made
                && alloc <= made / n
                && inuse >= n * kept
                && inuse <= kept / n,
        )
    },
    examples: &[
        example(
            &[
                ("profile: alloc_space at the site", 4196096.0),
                ("allocated at the site (blocks)", 4194304.0),
                ("profile: inuse_space at the site", 2098944.0),
                ("kept live at the site (blocks)", 2097152.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("profile: alloc_space at the site", 0.0),
                ("allocated at the site (blocks)", 4194304.0),
                ("profile: inuse_space at the site", 0.0),
                ("kept live at the site (blocks)", 2097152.0),
            ],
            Refuted,
        ),
    ],
};
