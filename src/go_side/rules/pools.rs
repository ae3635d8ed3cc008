//! Go rules for chapter 4, "Pools": allocation counts of sync.Pool, channel
//! and size-class pools (`testing.AllocsPerRun`), what they hand back, and
//! the collections they save (`go/pools`).

use super::{ONE_ERROR, YES, at_least};
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// C000-06 and C001-36: a pool over sync.Pool reduces allocations.
pub const POOL_OF_T: Rule = Rule {
    says: "confirmed when a sync.Pool of pointers and one of []byte values both allocate less \
           per get/put than allocating directly; holds only when T is a pointer, when only the \
           pool of pointers does; refuted when neither does",
    inputs: &[
        "sync.Pool of *[]byte: allocations per get/put",
        "sync.Pool of []byte: allocations per get/put",
        "direct make: allocations per buffer",
    ],
    thresholds: &[],
    decide: |f| {
        let direct = f.get("direct make: allocations per buffer");
        let ptr = f.get("sync.Pool of *[]byte: allocations per get/put") < direct;
        let val = f.get("sync.Pool of []byte: allocations per get/put") < direct;
        match (ptr, val) {
            (true, true) => Verdict::Confirmed,
            (true, false) => f.holds_only_when(
                "T is a pointer type; a []byte put into sync.Pool is boxed into an interface{}, \
                 one allocation per Put, as many as allocating directly",
                "sync.Pool of *[]byte: allocations per get/put",
                "sync.Pool of []byte: allocations per get/put",
            ),
            _ => Verdict::Refuted,
        }
    },
    examples: &[
        example(
            &[
                ("sync.Pool of *[]byte: allocations per get/put", 0.0),
                ("sync.Pool of []byte: allocations per get/put", 1.0),
                ("direct make: allocations per buffer", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("sync.Pool of *[]byte: allocations per get/put", 0.0),
                ("sync.Pool of []byte: allocations per get/put", 0.0),
                ("direct make: allocations per buffer", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("sync.Pool of *[]byte: allocations per get/put", 1.0),
                ("sync.Pool of []byte: allocations per get/put", 1.0),
                ("direct make: allocations per buffer", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-38: use sync.Pool of *bytes.Buffer.
pub const C001_38: Rule = Rule {
    says: "confirmed when a sync.Pool of *bytes.Buffer allocates less per get/put than a new \
           buffer each time; refuted otherwise",
    inputs: &[
        "sync.Pool of *bytes.Buffer: allocations per get/put",
        "new *bytes.Buffer: allocations per buffer",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("sync.Pool of *bytes.Buffer: allocations per get/put")
                < f.get("new *bytes.Buffer: allocations per buffer"),
        )
    },
    examples: &[
        example(
            &[
                ("sync.Pool of *bytes.Buffer: allocations per get/put", 0.0),
                ("new *bytes.Buffer: allocations per buffer", 2.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("sync.Pool of *bytes.Buffer: allocations per get/put", 2.0),
                ("new *bytes.Buffer: allocations per buffer", 2.0),
            ],
            Refuted,
        ),
    ],
};

/// C000-07: BufferPool's Put resets the length so the buffer is reused.
pub const C000_07: Rule = Rule {
    says: "refuted when a buffer put back does not come back empty and the same; confirmed \
           when it does and a big buffer is not kept; holds only when buffers stay small, when \
           a big buffer put back is handed out again (nothing caps the pool)",
    inputs: &[
        "after Put and Get: len",
        "after Put and Get: the same buffer",
        "a big buffer put back: cap of the next Get",
        "new buffer: cap",
    ],
    thresholds: &[],
    decide: |f| {
        if f.get("after Put and Get: len") != 0.0
            || f.get("after Put and Get: the same buffer") < YES
        {
            return Verdict::Refuted;
        }
        if f.get("a big buffer put back: cap of the next Get") > f.get("new buffer: cap")
        {
            f.holds_only_when(
                "the buffers put back stay near their 4 KiB start: nothing caps what the pool \
                 keeps, and a big buffer put back is handed out (and held) again",
                "after Put and Get: the same buffer",
                "a big buffer put back: cap of the next Get",
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(
            &[
                ("after Put and Get: len", 0.0),
                ("after Put and Get: the same buffer", 1.0),
                ("a big buffer put back: cap of the next Get", 67108864.0),
                ("new buffer: cap", 4096.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("after Put and Get: len", 0.0),
                ("after Put and Get: the same buffer", 1.0),
                ("a big buffer put back: cap of the next Get", 4096.0),
                ("new buffer: cap", 4096.0),
            ],
            Confirmed,
        ),
        example(&[("after Put and Get: len", 11.0)], Refuted),
    ],
};

/// D08: sync.Pool of []byte allocates on every Put.
pub const D08: Rule = at_least! {
    says: "reproduced when a Put of a []byte into sync.Pool allocates (one_alloc per get/put)",
    input: "sync.Pool of []byte: allocations per get/put",
    threshold: "one_alloc" = 1.0, Unit::Count, "one allocation per Put: the boxed slice header",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// D09: reset on Get leaves idle objects holding data.
pub const D09: Rule = at_least! {
    says: "reproduced when an idle pooled buffer still holds the last user's secret",
    input: "the idle buffer still holds the secret",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C001-14: SimpleAllocator illustrates TCMalloc.
pub const C001_14: Rule = Rule {
    says: "refuted when one pool per exact size makes more pools for sizes 1…1000 than Go's \
           own allocator has size classes up to 32 KiB (TCMalloc rounds to classes); confirmed \
           otherwise",
    inputs: &[
        "pools made for sizes 1…1000",
        "Go runtime size classes from 16 B to 32 KiB",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("pools made for sizes 1…1000")
                <= f.get("Go runtime size classes from 16 B to 32 KiB"),
        )
    },
    examples: &[
        example(
            &[
                ("pools made for sizes 1…1000", 1000.0),
                ("Go runtime size classes from 16 B to 32 KiB", 66.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("pools made for sizes 1…1000", 10.0),
                ("Go runtime size classes from 16 B to 32 KiB", 66.0),
            ],
            Confirmed,
        ),
    ],
};

/// C001-15: SimpleAllocator's statistics are correct.
pub const C001_15: Rule = Rule {
    says: "confirmed when CurrentUsage reads 0 after a double Free and after freeing a \
           resliced buffer; refuted when either reading is off",
    inputs: &[
        "CurrentUsage after a double Free of 100 B",
        "CurrentUsage after freeing buf[:10] of 100 B",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("CurrentUsage after a double Free of 100 B") == 0.0
                && f.get("CurrentUsage after freeing buf[:10] of 100 B") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("CurrentUsage after a double Free of 100 B", 0.0),
                ("CurrentUsage after freeing buf[:10] of 100 B", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("CurrentUsage after a double Free of 100 B", 1.8446744073709552e19),
                ("CurrentUsage after freeing buf[:10] of 100 B", 90.0),
            ],
            Refuted,
        ),
    ],
};

/// D31: a double Free aliases one buffer to two callers.
pub const D31: Rule = at_least! {
    says: "reproduced when two Allocates after a double Free share one buffer",
    input: "after a double Free two Allocates share one buffer",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C001-24: the channel pool gets or makes, and drops when full.
pub const C001_24: Rule = Rule {
    says: "confirmed when get/put after warm-up allocates nothing and Puts into a full pool \
           drop exactly the objects beyond its capacity; refuted otherwise",
    inputs: &[
        "get/put after warm-up: allocations",
        "objects dropped",
        "Puts into a pool of 10",
    ],
    thresholds: &[Threshold {
        name: "capacity",
        value: 10.0,
        unit: Unit::Count,
        source: "the pool's size in the measurement (NewObjectPool(10, …), as seed 001 L342)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("get/put after warm-up: allocations") < 1.0
                && f.get("objects dropped")
                    == f.get("Puts into a pool of 10") - f.limit("capacity"),
        )
    },
    examples: &[
        example(
            &[
                ("get/put after warm-up: allocations", 0.0),
                ("objects dropped", 5.0),
                ("Puts into a pool of 10", 15.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("get/put after warm-up: allocations", 1.0),
                ("objects dropped", 5.0),
                ("Puts into a pool of 10", 15.0),
            ],
            Refuted,
        ),
    ],
};

/// D07, D35: the seed's file shape does not type-check.
pub const DOES_NOT_TYPE_CHECK: Rule = at_least! {
    says: "reproduced when Go's type checker reports at least one_error for the seed's shape",
    input: "type errors",
    threshold: "one_error" = 1.0, Unit::Count, "one error from go/types: the file does not compile",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// D58: statements outside any function.
pub const D58: Rule = Rule {
    says: "reproduced when Go's parser rejects the seed's shape (at least one_error)",
    inputs: &["syntax errors"],
    thresholds: &[ONE_ERROR],
    decide: |f| f.confirmed_if(f.get("syntax errors") >= f.limit("one_error")),
    examples: &[
        example(&[("syntax errors", 1.0)], Confirmed),
        example(&[("syntax errors", 0.0)], Refuted),
    ],
};

const REQUESTED: Threshold = Threshold {
    name: "requested",
    value: 100.0,
    unit: Unit::Bytes,
    source: "the request in the measurement: Allocate(100), a 100-byte item",
};

/// C001-28: the tiered pool picks the class and takes buffers back.
pub const C001_28: Rule = Rule {
    says: "confirmed when Allocate(100) returns 100 bytes and a resliced buffer goes back as \
           well as an exact one; refuted when it returns the class's length or drops resliced \
           buffers",
    inputs: &[
        "Allocate(100): len",
        "resliced Free: allocations per cycle",
        "exact-length Free: allocations per cycle",
    ],
    thresholds: &[REQUESTED],
    decide: |f| {
        f.confirmed_if(
            f.get("Allocate(100): len") == f.limit("requested")
                && f.get("resliced Free: allocations per cycle")
                    <= f.get("exact-length Free: allocations per cycle"),
        )
    },
    examples: &[
        example(
            &[
                ("Allocate(100): len", 100.0),
                ("resliced Free: allocations per cycle", 0.0),
                ("exact-length Free: allocations per cycle", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("Allocate(100): len", 128.0),
                ("resliced Free: allocations per cycle", 2.0),
                ("exact-length Free: allocations per cycle", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// D38: the class size is handed out, not the requested size.
pub const D38: Rule = Rule {
    says: "reproduced when Allocate(100) returns more than the requested length",
    inputs: &["Allocate(100): len"],
    thresholds: &[REQUESTED],
    decide: |f| f.confirmed_if(f.get("Allocate(100): len") > f.limit("requested")),
    examples: &[
        example(&[("Allocate(100): len", 128.0)], Confirmed),
        example(&[("Allocate(100): len", 100.0)], Refuted),
    ],
};

/// D39: Free drops resliced buffers.
pub const D39: Rule = Rule {
    says: "reproduced when a cycle that frees a resliced buffer allocates more than one that \
           frees the buffer whole (the resliced one was dropped)",
    inputs: &[
        "resliced Free: allocations per cycle",
        "exact-length Free: allocations per cycle",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("resliced Free: allocations per cycle")
                > f.get("exact-length Free: allocations per cycle"),
        )
    },
    examples: &[
        example(
            &[
                ("resliced Free: allocations per cycle", 2.0),
                ("exact-length Free: allocations per cycle", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("resliced Free: allocations per cycle", 0.0),
                ("exact-length Free: allocations per cycle", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-29: ThreadLocalPool is thread-local.
pub const C001_29: Rule = Rule {
    says: "refuted when goroutine B gets goroutine A's buffer or sees the entries A created \
           (one shared map); confirmed when it sees neither",
    inputs: &["goroutine B got goroutine A's buffer", "map entries goroutine B sees"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("goroutine B got goroutine A's buffer") < YES
                && f.get("map entries goroutine B sees") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("goroutine B got goroutine A's buffer", 1.0),
                ("map entries goroutine B sees", 1000.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("goroutine B got goroutine A's buffer", 0.0),
                ("map entries goroutine B sees", 0.0),
            ],
            Confirmed,
        ),
    ],
};

/// D40: the "thread-local" pool is one global map.
pub const D40: Rule = Rule {
    says: "reproduced when goroutine B gets goroutine A's buffer or sees the entries A created",
    inputs: &["goroutine B got goroutine A's buffer", "map entries goroutine B sees"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("goroutine B got goroutine A's buffer") > YES
                || f.get("map entries goroutine B sees") > 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("goroutine B got goroutine A's buffer", 1.0),
                ("map entries goroutine B sees", 1000.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("goroutine B got goroutine A's buffer", 0.0),
                ("map entries goroutine B sees", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-40 and C003-09: sync.Pool reduces GC pressure.
pub const GC_PRESSURE: Rule = Rule {
    says: "confirmed when the loop with sync.Pool runs at most max_share of the collections \
           the loop without a pool runs; refuted otherwise",
    inputs: &["collections with sync.Pool", "collections without a pool"],
    thresholds: &[Threshold {
        name: "max_share",
        value: 0.5,
        unit: Unit::Fraction,
        source: "half as many collections: a reduction no run-to-run noise explains",
    }],
    decide: |f| {
        let without = f.get("collections without a pool");
        f.confirmed_if(
            without >= 1.0
                && f.get("collections with sync.Pool") <= f.limit("max_share") * without,
        )
    },
    examples: &[
        example(
            &[("collections with sync.Pool", 0.0), ("collections without a pool", 237.0)],
            Confirmed,
        ),
        example(
            &[
                ("collections with sync.Pool", 230.0),
                ("collections without a pool", 237.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-43: the pooled server optimizes memory.
pub const C001_43: Rule = Rule {
    says: "refuted when the reply sends more bytes than the handler wrote or holds the previous \
           request's secret; confirmed otherwise",
    inputs: &[
        "bob's reply: bytes sent",
        "bob's reply: bytes the handler wrote",
        "bob's reply holds alice's secret",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("bob's reply: bytes sent")
                <= f.get("bob's reply: bytes the handler wrote")
                && f.get("bob's reply holds alice's secret") < YES,
        )
    },
    examples: &[
        example(
            &[
                ("bob's reply: bytes sent", 4096.0),
                ("bob's reply: bytes the handler wrote", 6.0),
                ("bob's reply holds alice's secret", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("bob's reply: bytes sent", 6.0),
                ("bob's reply: bytes the handler wrote", 6.0),
                ("bob's reply holds alice's secret", 0.0),
            ],
            Confirmed,
        ),
    ],
};

/// D47: the whole pooled buffer goes out, with an earlier user's data.
pub const D47: Rule = at_least! {
    says: "reproduced when bob's reply holds alice's secret",
    input: "bob's reply holds alice's secret",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C001-44: the pipeline reduces allocations through the pool.
pub const C001_44: Rule = Rule {
    says: "confirmed when the pooled stage allocates nothing per item and returns the item's \
           length; refuted when it allocates or returns the class's length",
    inputs: &["pooled stage: allocations per item", "100-byte item: output length"],
    thresholds: &[REQUESTED],
    decide: |f| {
        f.confirmed_if(
            f.get("pooled stage: allocations per item") < 1.0
                && f.get("100-byte item: output length") == f.limit("requested"),
        )
    },
    examples: &[
        example(
            &[
                ("pooled stage: allocations per item", 0.0),
                ("100-byte item: output length", 100.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("pooled stage: allocations per item", 2.0),
                ("100-byte item: output length", 128.0),
            ],
            Refuted,
        ),
    ],
};

/// D49: the output has the class's length, with stale bytes.
pub const D49: Rule = Rule {
    says: "reproduced when a 100-byte item comes out longer than it went in",
    inputs: &["100-byte item: output length"],
    thresholds: &[REQUESTED],
    decide: |f| {
        f.confirmed_if(f.get("100-byte item: output length") > f.limit("requested"))
    },
    examples: &[
        example(&[("100-byte item: output length", 128.0)], Confirmed),
        example(&[("100-byte item: output length", 100.0)], Refuted),
    ],
};
