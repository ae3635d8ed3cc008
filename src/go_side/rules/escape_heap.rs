//! Go rules for chapter 3, "Escape and heap behavior": the Go compiler's
//! own escape decisions (`go build -gcflags=-m`, one per marked line of
//! `go/escape_heap/snippets`), allocation counts (`testing.AllocsPerRun`),
//! the live heap after collections, and Go's front end on the seeds' file
//! shapes (`go/escape_heap`).

use super::{ONE_ERROR, YES, at_least};
use crate::claims::{Facts, Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// The common shape of "X causes escape": confirmed when the seed's own
/// (local) case escapes; holds only when the value outlives the function,
/// when only the escaping case does; refuted when neither does.
fn escapes_only_when(
    f: &Facts<'_>,
    local: &str,
    escaping: &str,
    condition: &str,
) -> Verdict {
    if f.get(local) > YES {
        Verdict::Confirmed
    } else if f.get(escaping) > YES {
        f.holds_only_when(condition, escaping, local)
    } else {
        Verdict::Refuted
    }
}

/// C001-04: `stackVar := 42` is on the stack.
pub const C001_04: Rule = Rule {
    says: "confirmed when the compiler keeps the local on the stack and a call allocates \
           nothing; refuted otherwise",
    inputs: &["-m: stack-var escapes", "StackVar allocations per call"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("-m: stack-var escapes") < YES
                && f.get("StackVar allocations per call") < 1.0,
        )
    },
    examples: &[
        example(
            &[("-m: stack-var escapes", 0.0), ("StackVar allocations per call", 0.0)],
            Confirmed,
        ),
        example(
            &[("-m: stack-var escapes", 1.0), ("StackVar allocations per call", 1.0)],
            Refuted,
        ),
    ],
};

/// C001-05: `new(int)` is a heap allocation.
pub const C001_05: Rule = Rule {
    says: "confirmed when new(int) used locally goes to the heap; holds only when the pointer \
           outlives the function, when only the returned one does; refuted when neither does",
    inputs: &["-m: new-int-local escapes", "-m: new-int-returned escapes"],
    thresholds: &[],
    decide: |f| {
        escapes_only_when(
            f,
            "-m: new-int-local escapes",
            "-m: new-int-returned escapes",
            "the pointer outlives the function; a new(int) used only locally stays on the stack",
        )
    },
    examples: &[
        example(&[("-m: new-int-local escapes", 1.0)], Confirmed),
        example(
            &[("-m: new-int-local escapes", 0.0), ("-m: new-int-returned escapes", 1.0)],
            HoldsOnlyWhen,
        ),
        example(
            &[("-m: new-int-local escapes", 0.0), ("-m: new-int-returned escapes", 0.0)],
            Refuted,
        ),
    ],
};

/// C001-06: `make([]int, 1000)` "may escape to the heap".
pub const C001_06: Rule = Rule {
    says: "confirmed when the seed's make([]int, 1000), used locally, goes to the heap; holds \
           only when the slice is too large for the stack, when only make([]int, 10000) does; \
           refuted when neither does",
    inputs: &["-m: make-1000-local escapes", "-m: make-10000-local escapes"],
    thresholds: &[],
    decide: |f| {
        escapes_only_when(
            f,
            "-m: make-1000-local escapes",
            "-m: make-10000-local escapes",
            "the slice is larger than the compiler's 64 KiB limit for implicit stack \
             allocations (or outlives the function); 1000 ints, 8000 B, stay on the stack",
        )
    },
    examples: &[
        example(&[("-m: make-1000-local escapes", 1.0)], Confirmed),
        example(
            &[
                ("-m: make-1000-local escapes", 0.0),
                ("-m: make-10000-local escapes", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("-m: make-1000-local escapes", 0.0),
                ("-m: make-10000-local escapes", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-07: MemoryLayout's fields live on the stack, the heap and in
/// global memory, as their comments say.
pub const C001_07: Rule = Rule {
    says: "confirmed when the three fields lie in distinct_regions memory regions; refuted \
           when they share fewer (a field lives wherever its struct lives)",
    inputs: &["memory regions holding the three fields"],
    thresholds: &[Threshold {
        name: "distinct_regions",
        value: 3.0,
        unit: Unit::Count,
        source: "the seed's comments name three: stack, heap, global (seed 001 L32-41)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("memory regions holding the three fields")
                >= f.limit("distinct_regions"),
        )
    },
    examples: &[
        example(&[("memory regions holding the three fields", 3.0)], Confirmed),
        example(&[("memory regions holding the three fields", 1.0)], Refuted),
    ],
};

/// C001-08: v escapes iff some f returns it.
pub const C001_08: Rule = Rule {
    says: "refuted when a returned value stays on the stack or a value never returned \
           escapes (either breaks the definition); confirmed when neither happens",
    inputs: &["-m: return-value escapes", "-m: stored-not-returned escapes"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("-m: return-value escapes") > YES
                && f.get("-m: stored-not-returned escapes") < YES,
        )
    },
    examples: &[
        example(
            &[
                ("-m: return-value escapes", 0.0),
                ("-m: stored-not-returned escapes", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("-m: return-value escapes", 1.0),
                ("-m: stored-not-returned escapes", 0.0),
            ],
            Confirmed,
        ),
    ],
};

/// C001-09: returning `&x` escapes to the heap.
pub const C001_09: Rule = at_least! {
    says: "confirmed when the compiler moves x to the heap for `return &x`; refuted when it \
           does not",
    input: "-m: return-address escapes",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C001-10: closure capture causes escape.
pub const C001_10: Rule = Rule {
    says: "confirmed when a closure used in place moves its captured variable to the heap; \
           holds only when the closure outlives the function, when only the returned one \
           does; refuted when neither does",
    inputs: &["-m: closure-local-var escapes", "-m: closure-returned-var escapes"],
    thresholds: &[],
    decide: |f| {
        escapes_only_when(
            f,
            "-m: closure-local-var escapes",
            "-m: closure-returned-var escapes",
            "the closure outlives the function (returned, stored, run as a goroutine); a \
             closure called in place leaves what it captures on the stack",
        )
    },
    examples: &[
        example(&[("-m: closure-local-var escapes", 1.0)], Confirmed),
        example(
            &[
                ("-m: closure-local-var escapes", 0.0),
                ("-m: closure-returned-var escapes", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("-m: closure-local-var escapes", 0.0),
                ("-m: closure-returned-var escapes", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-11: converting to an interface causes escape.
pub const C001_11: Rule = Rule {
    says: "confirmed when a conversion to interface{} used locally escapes; holds only when \
           the interface value outlives the function, when only the stored one does; refuted \
           when neither does",
    inputs: &["-m: iface-local escapes", "-m: iface-stored escapes"],
    thresholds: &[],
    decide: |f| {
        escapes_only_when(
            f,
            "-m: iface-local escapes",
            "-m: iface-stored escapes",
            "the interface value outlives the function; converted and used locally, the value \
             stays on the stack",
        )
    },
    examples: &[
        example(&[("-m: iface-local escapes", 1.0)], Confirmed),
        example(
            &[("-m: iface-local escapes", 0.0), ("-m: iface-stored escapes", 1.0)],
            HoldsOnlyWhen,
        ),
        example(
            &[("-m: iface-local escapes", 0.0), ("-m: iface-stored escapes", 0.0)],
            Refuted,
        ),
    ],
};

/// C001-12: a dynamically sized `make` may escape.
pub const C001_12: Rule = at_least! {
    says: "confirmed when make([]int, n) with n = 1000 known only at run time allocates on \
           the heap (one_alloc per call); refuted when it does not",
    input: "make([]int, n), n = 1000: allocations per call",
    threshold: "one_alloc" = 1.0, Unit::Count, "one heap allocation per call",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C001-13: `noEscape()` returning a value keeps it on the stack.
pub const C001_13: Rule = Rule {
    says: "confirmed when the compiler keeps x on the stack and a call allocates nothing; \
           refuted otherwise",
    inputs: &["-m: return-value escapes", "return x: allocations per call"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("-m: return-value escapes") < YES
                && f.get("return x: allocations per call") < 1.0,
        )
    },
    examples: &[
        example(
            &[("-m: return-value escapes", 0.0), ("return x: allocations per call", 0.0)],
            Confirmed,
        ),
        example(
            &[("-m: return-value escapes", 1.0), ("return x: allocations per call", 1.0)],
            Refuted,
        ),
    ],
};

/// C003-07: `go build -gcflags=-m` shows what escapes.
pub const C003_07: Rule = Rule {
    says: "confirmed when the compiler printed a decision for every marked expression; \
           refuted when it left any without one",
    inputs: &["marked expressions with a printed decision", "marked expressions"],
    thresholds: &[],
    decide: |f| {
        let (decided, marked) = (
            f.get("marked expressions with a printed decision"),
            f.get("marked expressions"),
        );
        f.confirmed_if(marked > 0.0 && decided >= marked)
    },
    examples: &[
        example(
            &[
                ("marked expressions with a printed decision", 11.0),
                ("marked expressions", 11.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("marked expressions with a printed decision", 7.0),
                ("marked expressions", 11.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-23: `debug.ReadGCStats` gives NumGC, PauseTotal and PauseMax.
pub const C001_23: Rule = Rule {
    says: "confirmed when debug.GCStats has the three fields the seed prints and NumGC counts \
           the forced collections; refuted when a field is missing (the seed's code does not \
           compile) or NumGC misses collections",
    inputs: &[
        "GCStats has NumGC",
        "GCStats has PauseTotal",
        "GCStats has PauseMax",
        "NumGC increase",
        "forced collections",
    ],
    thresholds: &[],
    decide: |f| {
        let fields = f.get("GCStats has NumGC") > YES
            && f.get("GCStats has PauseTotal") > YES
            && f.get("GCStats has PauseMax") > YES;
        f.confirmed_if(fields && f.get("NumGC increase") >= f.get("forced collections"))
    },
    examples: &[
        example(
            &[
                ("GCStats has NumGC", 1.0),
                ("GCStats has PauseTotal", 1.0),
                ("GCStats has PauseMax", 1.0),
                ("NumGC increase", 3.0),
                ("forced collections", 3.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("GCStats has NumGC", 1.0),
                ("GCStats has PauseTotal", 1.0),
                ("GCStats has PauseMax", 0.0),
                ("NumGC increase", 3.0),
                ("forced collections", 3.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-35 and C003-12: preallocated capacity avoids growth.
pub const PREALLOCATION: Rule = Rule {
    says: "confirmed when appending 1000 ints into make(0, 1000) allocates less often than \
           appending from nil; refuted otherwise",
    inputs: &["make(0, 1000) + append: allocations", "append from nil: allocations"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("make(0, 1000) + append: allocations")
                < f.get("append from nil: allocations"),
        )
    },
    examples: &[
        example(
            &[
                ("make(0, 1000) + append: allocations", 1.0),
                ("append from nil: allocations", 9.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("make(0, 1000) + append: allocations", 1.0),
                ("append from nil: allocations", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C003-14: preallocation cuts allocations by 50–70%.
pub const C003_14: Rule = at_least! {
    says: "confirmed when preallocating cuts allocations by at least claimed_cut (the \
           claim's lower bound; more is more than claimed); refuted below",
    input: "allocation cut by preallocating",
    threshold: "claimed_cut" = 0.5, Unit::Fraction, "the seed's 50–70% (策略2, L246)",
    at_or_above: Confirmed(0.89),
    below: Refuted(0.2),
};

/// C001-37: append to one bytes.Buffer rather than allocating per piece.
pub const C001_37: Rule = Rule {
    says: "confirmed when 1000 writes into one bytes.Buffer allocate at most max_share of an \
           allocation per write (the buffer grows geometrically); refuted otherwise",
    inputs: &["one bytes.Buffer: allocations", "writes"],
    thresholds: &[Threshold {
        name: "max_share",
        value: 0.1,
        unit: Unit::Ratio,
        source: "one allocation per ten writes: far from one per write, as geometric growth is",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("one bytes.Buffer: allocations")
                <= f.limit("max_share") * f.get("writes"),
        )
    },
    examples: &[
        example(&[("one bytes.Buffer: allocations", 9.0), ("writes", 1000.0)], Confirmed),
        example(
            &[("one bytes.Buffer: allocations", 1000.0), ("writes", 1000.0)],
            Refuted,
        ),
    ],
};

/// C001-39: `largeData = nil` releases the memory at once.
pub const C001_39: Rule = Rule {
    says: "confirmed when setting the only reference to nil releases at least half of the \
           buffer from the heap at once; refuted when it releases less (the memory waits for \
           the next collection)",
    inputs: &["released by = nil", "size"],
    thresholds: &[Threshold {
        name: "half",
        value: 0.5,
        unit: Unit::Fraction,
        source: "half the buffer: between 'nothing' and 'all of it', far from either reading",
    }],
    decide: |f| {
        f.confirmed_if(f.get("released by = nil") >= f.limit("half") * f.get("size"))
    },
    examples: &[
        example(&[("released by = nil", 67108864.0), ("size", 67108864.0)], Confirmed),
        example(&[("released by = nil", 0.0), ("size", 67108864.0)], Refuted),
    ],
};

/// C003-15: `result += item` allocates a new string every iteration.
pub const C003_15: Rule = Rule {
    says: "confirmed when += over 1000 items makes at least per_iteration allocations per \
           item; refuted when it makes fewer",
    inputs: &["1000 items: += allocations"],
    thresholds: &[
        Threshold {
            name: "items",
            value: 1000.0,
            unit: Unit::Count,
            source: "the workload: 1000 items of 9 bytes",
        },
        Threshold {
            name: "per_iteration",
            value: 0.9,
            unit: Unit::Ratio,
            source: "an allocation for (nearly) every +=: the first, onto an empty string, \
                     needs none",
        },
    ],
    decide: |f| {
        f.confirmed_if(
            f.get("1000 items: += allocations")
                >= f.limit("per_iteration") * f.limit("items"),
        )
    },
    examples: &[
        example(&[("1000 items: += allocations", 999.0)], Confirmed),
        example(&[("1000 items: += allocations", 11.0)], Refuted),
    ],
};

/// C003-16: strings.Builder with Grow(len(items)*10) avoids repeated
/// allocations.
pub const C003_16: Rule = Rule {
    says: "confirmed when the Builder grown to the estimate allocates at most once, and once \
           too with a short estimate; holds only when the estimate covers the result, when \
           only the sufficient one does; refuted when even that allocates more than once",
    inputs: &[
        "1000 items: Builder, Grow(n*10): allocations",
        "1000 items: Builder, Grow(n*5) (too small): allocations",
    ],
    thresholds: &[],
    decide: |f| {
        let enough = f.get("1000 items: Builder, Grow(n*10): allocations") <= 1.0;
        let short =
            f.get("1000 items: Builder, Grow(n*5) (too small): allocations") <= 1.0;
        match (enough, short) {
            (true, true) => Verdict::Confirmed,
            (true, false) => f.holds_only_when(
                "Grow's estimate covers the whole result (here 10 bytes per 9-byte item); a short \
                 estimate grows the buffer again",
                "1000 items: Builder, Grow(n*10): allocations",
                "1000 items: Builder, Grow(n*5) (too small): allocations",
            ),
            _ => Verdict::Refuted,
        }
    },
    examples: &[
        example(
            &[
                ("1000 items: Builder, Grow(n*10): allocations", 1.0),
                ("1000 items: Builder, Grow(n*5) (too small): allocations", 3.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("1000 items: Builder, Grow(n*10): allocations", 1.0),
                ("1000 items: Builder, Grow(n*5) (too small): allocations", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("1000 items: Builder, Grow(n*10): allocations", 3.0),
                ("1000 items: Builder, Grow(n*5) (too small): allocations", 5.0),
            ],
            Refuted,
        ),
    ],
};

/// C003-17: building in a pooled buffer avoids allocations.
pub const C003_17: Rule = Rule {
    says: "confirmed when the pooled build allocates nothing per call; refuted when it still \
           allocates (string(buf) copies the result)",
    inputs: &["pooled buffer: allocations per call"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("pooled buffer: allocations per call") < 1.0),
    examples: &[
        example(&[("pooled buffer: allocations per call", 0.0)], Confirmed),
        example(&[("pooled buffer: allocations per call", 1.0)], Refuted),
    ],
};

/// C003-18: string optimization cuts allocations by 70–90%.
pub const C003_18: Rule = Rule {
    says: "confirmed when the Builder cuts allocations by at least claimed_cut at 10 and at \
           1000 items; holds only when there are many items, when only 1000 reach it; refuted \
           when neither does",
    inputs: &["10 items: cut by the Builder", "1000 items: cut by the Builder"],
    thresholds: &[Threshold {
        name: "claimed_cut",
        value: 0.7,
        unit: Unit::Fraction,
        source: "the seed's 70–90% (策略3, L286)",
    }],
    decide: |f| {
        let cut = f.limit("claimed_cut");
        let small = f.get("10 items: cut by the Builder") >= cut;
        let large = f.get("1000 items: cut by the Builder") >= cut;
        match (small, large) {
            (true, true) => Verdict::Confirmed,
            (false, true) => f.holds_only_when(
                "the string is built from many pieces",
                "1000 items: cut by the Builder",
                "10 items: cut by the Builder",
            ),
            _ => Verdict::Refuted,
        }
    },
    examples: &[
        example(
            &[
                ("10 items: cut by the Builder", 0.89),
                ("1000 items: cut by the Builder", 0.999),
            ],
            Confirmed,
        ),
        example(
            &[
                ("10 items: cut by the Builder", 0.5),
                ("1000 items: cut by the Builder", 0.99),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("10 items: cut by the Builder", 0.1),
                ("1000 items: cut by the Builder", 0.2),
            ],
            Refuted,
        ),
    ],
};

const HALF: Threshold = Threshold {
    name: "half",
    value: 0.5,
    unit: Unit::Fraction,
    source: "half the big slice: far above the 10 bytes kept, far below all of it",
};

/// C003-19: `data[:10]` keeps the whole backing array alive.
pub const C003_19: Rule = Rule {
    says: "confirmed when data[:10] keeps at least half of the big slice live after \
           collections; refuted when it keeps less",
    inputs: &["data[:10]: bytes kept live", "size"],
    thresholds: &[HALF],
    decide: |f| {
        f.confirmed_if(
            f.get("data[:10]: bytes kept live") >= f.limit("half") * f.get("size"),
        )
    },
    examples: &[
        example(
            &[("data[:10]: bytes kept live", 16777216.0), ("size", 16777216.0)],
            Confirmed,
        ),
        example(&[("data[:10]: bytes kept live", 16.0), ("size", 16777216.0)], Refuted),
    ],
};

/// C003-20: a 10-byte copy keeps only the needed data.
pub const C003_20: Rule = Rule {
    says: "confirmed when the copy keeps less than one_page live after the big slice is \
           dropped; refuted when it keeps more",
    inputs: &["copy into make([]byte, 10): bytes kept live"],
    thresholds: &[Threshold {
        name: "one_page",
        value: 4096.0,
        unit: Unit::Bytes,
        source: "one page: the heap reading's granularity around a 10-byte object",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("copy into make([]byte, 10): bytes kept live") < f.limit("one_page"),
        )
    },
    examples: &[
        example(&[("copy into make([]byte, 10): bytes kept live", 16.0)], Confirmed),
        example(&[("copy into make([]byte, 10): bytes kept live", 16777216.0)], Refuted),
    ],
};

/// C003-21: `data[:10:10]` fixes the leak.
pub const C003_21: Rule = Rule {
    says: "confirmed when data[:10:10] keeps less than half of the big slice live; refuted \
           when it keeps at least half (it still points into the same array)",
    inputs: &["data[:10:10]: bytes kept live", "size"],
    thresholds: &[HALF],
    decide: |f| {
        f.confirmed_if(
            f.get("data[:10:10]: bytes kept live") < f.limit("half") * f.get("size"),
        )
    },
    examples: &[
        example(
            &[("data[:10:10]: bytes kept live", 16.0), ("size", 16777216.0)],
            Confirmed,
        ),
        example(
            &[("data[:10:10]: bytes kept live", 16777216.0), ("size", 16777216.0)],
            Refuted,
        ),
    ],
};

/// D54: the full slice expression is the wrong fix.
pub const D54: Rule = Rule {
    says: "reproduced when data[:10:10] keeps at least half of the big slice live",
    inputs: &["data[:10:10]: bytes kept live", "size"],
    thresholds: &[HALF],
    decide: |f| {
        f.confirmed_if(
            f.get("data[:10:10]: bytes kept live") >= f.limit("half") * f.get("size"),
        )
    },
    examples: &[
        example(
            &[("data[:10:10]: bytes kept live", 16777216.0), ("size", 16777216.0)],
            Confirmed,
        ),
        example(
            &[("data[:10:10]: bytes kept live", 16.0), ("size", 16777216.0)],
            Refuted,
        ),
    ],
};

/// C003-22: too many pointers make GC scanning slower.
pub const C003_22: Rule = at_least! {
    says: "confirmed when a collection with []*Point live takes at least min_ratio × the time \
           with []Point live; refuted when it takes less",
    input: "GC time, []*Point ÷ []Point",
    threshold: "min_ratio" = 2.0, Unit::Ratio,
        "twice as long: a slow-down well beyond run-to-run noise of a forced collection",
    at_or_above: Confirmed(11.0),
    below: Refuted(1.1),
};

/// C003-23: use []Point rather than []*Point for small objects.
pub const C003_23: Rule = Rule {
    says: "confirmed when 1000 points as []Point take fewer allocations than as []*Point; \
           refuted otherwise",
    inputs: &["[]Point: allocations", "[]*Point: allocations"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get("[]Point: allocations") < f.get("[]*Point: allocations"))
    },
    examples: &[
        example(
            &[("[]Point: allocations", 1.0), ("[]*Point: allocations", 1001.0)],
            Confirmed,
        ),
        example(
            &[("[]Point: allocations", 1.0), ("[]*Point: allocations", 1.0)],
            Refuted,
        ),
    ],
};

/// C003-27: a large value in context.WithValue grows memory.
pub const C003_27: Rule = Rule {
    says: "confirmed when WithValue with the value allocates at least the value's size (it is \
           copied into the interface); refuted when it allocates less",
    inputs: &["by value: bytes per WithValue", "value size"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get("by value: bytes per WithValue") >= f.get("value size"))
    },
    examples: &[
        example(
            &[("by value: bytes per WithValue", 1007616.0), ("value size", 1e6)],
            Confirmed,
        ),
        example(&[("by value: bytes per WithValue", 48.0), ("value size", 1e6)], Refuted),
    ],
};

/// C003-28: store a pointer or an ID instead.
pub const C003_28: Rule = Rule {
    says: "confirmed when WithValue with a pointer allocates less than max_share of what it \
           allocates with the value; refuted otherwise",
    inputs: &["by pointer: bytes per WithValue", "by value: bytes per WithValue"],
    thresholds: &[Threshold {
        name: "max_share",
        value: 0.01,
        unit: Unit::Fraction,
        source: "a hundredth: the pointer version should cost a context node, not the value",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("by pointer: bytes per WithValue")
                < f.limit("max_share") * f.get("by value: bytes per WithValue"),
        )
    },
    examples: &[
        example(
            &[
                ("by pointer: bytes per WithValue", 48.0),
                ("by value: bytes per WithValue", 1007616.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("by pointer: bytes per WithValue", 1e6),
                ("by value: bytes per WithValue", 1e6),
            ],
            Refuted,
        ),
    ],
};

/// D29: does not compile, and the comments are wrong.
pub const D29: Rule = Rule {
    says: "reproduced when Go's type checker rejects the shape (at least one_error) or the \
           new(int) its comment calls a heap allocation stays on the stack; not reproduced when \
           it compiles and the comment is right",
    inputs: &["type errors", "-m: new-int-local escapes"],
    thresholds: &[ONE_ERROR],
    decide: |f| {
        f.confirmed_if(
            f.get("type errors") >= f.limit("one_error")
                || f.get("-m: new-int-local escapes") < YES,
        )
    },
    examples: &[
        example(&[("type errors", 1.0), ("-m: new-int-local escapes", 0.0)], Confirmed),
        example(&[("type errors", 0.0), ("-m: new-int-local escapes", 1.0)], Refuted),
    ],
};

/// D30, D45, D46: the seeds' snippets do not compile.
pub const DOES_NOT_COMPILE: Rule = at_least! {
    says: "reproduced when Go's type checker reports at least one_error for the seed's shape",
    input: "type errors",
    threshold: "one_error" = 1.0, Unit::Count,
        "one error from go/types: the file does not compile",
    at_or_above: Confirmed(2.0),
    below: Refuted(0.0),
};

/// D53: `defer pool.Put(buf)` evaluates buf at once.
pub const D53: Rule = Rule {
    says: "reproduced when the built string starts with stale bytes (the pool's Get(n) length \
           survives the appends)",
    inputs: &["stale bytes in front"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("stale bytes in front") > 0.0),
    examples: &[
        example(&[("stale bytes in front", 1000.0)], Confirmed),
        example(&[("stale bytes in front", 0.0)], Refuted),
    ],
};

/// D56: string context keys collide.
pub const D56: Rule = Rule {
    says: "reproduced when, with string keys, a package reads another package's value",
    inputs: &["string keys: users reads its own value"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("string keys: users reads its own value") < YES),
    examples: &[
        example(&[("string keys: users reads its own value", 0.0)], Confirmed),
        example(&[("string keys: users reads its own value", 1.0)], Refuted),
    ],
};
