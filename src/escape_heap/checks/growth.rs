//! Checks for preallocation and string building: seed 001 §6.1.1.9.1 and
//! seed 003 策略2-3. Every expected count of a Rust `Vec` or `String` is a
//! bound from Rust's growth policy ([`min_non_zero_cap`], doubling), never a
//! Go figure; Go's immutable strings are counted on their port
//! ([`go_plus_assign`]), and Rust's own `+=` is recorded beside it as the
//! Rust analogue.
//!
//! [`min_non_zero_cap`]: crate::escape_heap::growth::min_non_zero_cap
//! [`go_plus_assign`]: crate::escape_heap::seed_port::go_plus_assign

use super::super::figures::{self as fig, ESTIMATE, ITEM_LEN, ITEMS, SEED_LEN};
use crate::claims::Outcome::*;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::alloc::AllocCounts;
use crate::table::{format_ratio, format_value};

type Measure = Result<Measured, CheckError>;

/// Records allocs, reallocs and bytes requested of `c` under `label`, and
/// allocator calls (allocs + reallocs); returns the calls.
fn record(ev: &mut Evidence, label: &str, c: &AllocCounts) -> u64 {
    ev.add(format!("{label}: allocs"), c.allocs as f64, Unit::Count);
    ev.add(format!("{label}: reallocs"), c.reallocs as f64, Unit::Count);
    ev.add(format!("{label}: bytes requested"), c.bytes_requested as f64, Unit::Bytes);
    ev.add(format!("{label}: allocator calls"), c.calls() as f64, Unit::Count) as u64
}

fn fill_evidence(g: &fig::Growth) -> Evidence {
    let mut ev = Evidence::new(format!(
        "{SEED_LEN} i64; bound: first capacity {} elements, then doubling",
        crate::escape_heap::growth::min_non_zero_cap(size_of::<i64>())
    ));
    record(&mut ev, "push from empty", &g.push.counts);
    ev.add("reallocation bound from the growth policy", g.bound as f64, Unit::Count);
    record(&mut ev, "with_capacity + push", &g.with_capacity.counts);
    record(&mut ev, "collect", &g.collect.counts);
    ev
}

/// C001-35: preallocate slice capacity.
pub fn c001_35_preallocate(ctx: &Ctx) -> Measure {
    let g = fig::growth(ctx)?;
    let ev = fill_evidence(g);
    Ok(Measured::new(
        ev,
        format!(
            "push from empty: 1 + {} reallocs (policy bound {}); with_capacity: {} call; \
             collect: {}",
            g.push.counts.reallocs,
            g.bound,
            g.with_capacity.counts.calls(),
            g.collect.counts.calls()
        ),
    ))
}

/// Preallocating makes fewer allocator calls than growing.
pub const C001_35: Rule = Rule {
    says: "confirmed when with_capacity + push makes fewer allocator calls than push \
           from empty; refuted otherwise",
    inputs: &[
        "push from empty: allocator calls",
        "with_capacity + push: allocator calls",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("with_capacity + push: allocator calls")
                < f.get("push from empty: allocator calls"),
        )
    },
    examples: &[
        example(
            &[
                ("push from empty: allocator calls", 9.0),
                ("with_capacity + push: allocator calls", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("push from empty: allocator calls", 1.0),
                ("with_capacity + push: allocator calls", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-37: append to one buffer in a loop.
pub fn c001_37_one_buffer(ctx: &Ctx) -> Measure {
    let s = fig::strings(ctx)?;
    let mut ev =
        Evidence::new(format!("push_str(\"data\") {SEED_LEN} times into one String"));
    let calls = record(&mut ev, "one buffer", &s.append_loop);
    ev.add("appends", SEED_LEN as f64, Unit::Count);
    let per = ev.add(
        "one buffer: allocator calls per append",
        calls as f64 / SEED_LEN as f64,
        Unit::Count,
    );
    ev.add("bound: 1 + doublings from 8 B", s.append_bound as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{SEED_LEN} appends made {calls} allocator calls ({per:.3} per append; policy \
             bound {})",
            s.append_bound
        ),
    ))
}

/// One buffer grows by doubling: far fewer calls than appends.
pub const C001_37: Rule = Rule {
    says: "confirmed when appending to one buffer makes at most max_per_append allocator \
           calls per append; refuted when it allocates more often",
    inputs: &["one buffer: allocator calls per append"],
    thresholds: &[Threshold {
        name: "max_per_append",
        value: 0.1,
        unit: Unit::Count,
        source: "convention: one call per ten appends at most, an order of magnitude \
                 below the one per append that frequent allocation means",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("one buffer: allocator calls per append") <= f.limit("max_per_append"),
        )
    },
    examples: &[
        example(&[("one buffer: allocator calls per append", 0.01)], Confirmed),
        example(&[("one buffer: allocator calls per append", 1.0)], Refuted),
    ],
};

/// C003-12: appending without preallocation grows repeatedly.
pub fn c003_12_repeated_growth(ctx: &Ctx) -> Measure {
    let g = fig::growth(ctx)?;
    let ev = fill_evidence(g);
    Ok(Measured::new(
        ev,
        format!(
            "push from empty reallocated {} times (bound {}); with_capacity {} times",
            g.push.counts.reallocs, g.bound, g.with_capacity.counts.reallocs
        ),
    ))
}

/// Growing from empty reallocates more than once; preallocating never does.
pub const C003_12: Rule = Rule {
    says: "confirmed when push from empty reallocates at least min_growths times and \
           with_capacity + push never; refuted otherwise",
    inputs: &["push from empty: reallocs", "with_capacity + push: reallocs"],
    thresholds: &[Threshold {
        name: "min_growths",
        value: 2.0,
        unit: Unit::Count,
        source: "the claim's \"repeatedly\": more than once",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("push from empty: reallocs") >= f.limit("min_growths")
                && f.get("with_capacity + push: reallocs") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("push from empty: reallocs", 8.0),
                ("with_capacity + push: reallocs", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("push from empty: reallocs", 1.0),
                ("with_capacity + push: reallocs", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C003-13: `make([]int, n)` + index assignment is "even better".
pub fn c003_13_index_fill(ctx: &Ctx) -> Measure {
    let g = fig::growth(ctx)?;
    let mut ev = fill_evidence(g);
    record(&mut ev, "vec![0; n] + index", &g.index.counts);
    ev.add(
        "vec![0; n]: zeroed allocations",
        g.index.counts.zeroed_allocs as f64,
        Unit::Count,
    );
    ev.add("vec![0; n] + index: time / collect", g.index.vs_collect(), Unit::Ratio);
    ev.add(
        "with_capacity + push: time / collect",
        g.with_capacity.vs_collect(),
        Unit::Ratio,
    );
    let r = ev.add(
        "index / with_capacity + push (time)",
        g.index.vs_collect() / g.with_capacity.vs_collect(),
        Unit::Ratio,
    );
    Ok(Measured::new(
        ev,
        format!(
            "index assignment: {} allocator call ({} zeroed), as with_capacity ({}); time \
             {} of with_capacity + push's, n = {SEED_LEN}",
            g.index.counts.calls(),
            g.index.counts.zeroed_allocs,
            g.with_capacity.counts.calls(),
            format_ratio(r)
        ),
    ))
}

/// "Even better" in allocations, or in time.
pub const C003_13: Rule = Rule {
    says: "confirmed when vec![0; n] + index makes fewer allocator calls than \
           with_capacity + push; holds only when \"better\" means faster, when it takes \
           at most max_time_ratio of with_capacity + push's time (each time relative to \
           collect in the same batches); refuted when it is neither",
    inputs: &[
        "vec![0; n] + index: allocator calls",
        "with_capacity + push: allocator calls",
        "index / with_capacity + push (time)",
    ],
    thresholds: &[Threshold {
        name: "max_time_ratio",
        value: 0.8,
        unit: Unit::Ratio,
        source: "convention: faster by at least a fifth, beyond the spread of \
                 interleaved medians on a shared machine",
    }],
    decide: |f| {
        if f.get("vec![0; n] + index: allocator calls")
            < f.get("with_capacity + push: allocator calls")
        {
            Verdict::Confirmed
        } else if f.get("index / with_capacity + push (time)")
            <= f.limit("max_time_ratio")
        {
            f.holds_only_when(
                "\"better\" means faster, not fewer allocations: the same one allocation, \
                 less time",
                "index / with_capacity + push (time)",
                "vec![0; n] + index: allocator calls",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                ("vec![0; n] + index: allocator calls", 0.0),
                ("with_capacity + push: allocator calls", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("vec![0; n] + index: allocator calls", 1.0),
                ("with_capacity + push: allocator calls", 1.0),
                ("index / with_capacity + push (time)", 0.3),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("vec![0; n] + index: allocator calls", 1.0),
                ("with_capacity + push: allocator calls", 1.0),
                ("index / with_capacity + push (time)", 0.95),
            ],
            Refuted,
        ),
    ],
};

/// C003-14: preallocation cuts allocations by 50–70%.
pub fn c003_14_cut(ctx: &Ctx) -> Measure {
    let g = fig::growth(ctx)?;
    let mut ev = fill_evidence(g);
    let (before, after) =
        (g.push.counts.calls() as f64, g.with_capacity.counts.calls() as f64);
    let cut = ev.add("cut in allocator calls", 1.0 - after / before, Unit::Fraction);
    let (bb, ba) = (
        g.push.counts.bytes_requested as f64,
        g.with_capacity.counts.bytes_requested as f64,
    );
    let cut_bytes = ev.add("cut in bytes requested", 1.0 - ba / bb, Unit::Fraction);
    Ok(Measured::new(
        ev,
        format!(
            "allocator calls {before} → {after} ({}), bytes requested {bb} → {ba} ({}); \
             the claim says 50–70%",
            format_value(cut, Unit::Fraction),
            format_value(cut_bytes, Unit::Fraction)
        ),
    ))
}

/// A cut of at least the claim's lower bound.
pub const C003_14: Rule = Rule {
    says: "confirmed when preallocating cuts allocator calls by at least min_cut (a \
           larger cut than the claim's range holds it too); refuted below",
    inputs: &["cut in allocator calls"],
    thresholds: &[Threshold {
        name: "min_cut",
        value: 0.5,
        unit: Unit::Fraction,
        source: "seed 003 L246: 50–70%, its lower bound",
    }],
    decide: |f| f.confirmed_if(f.get("cut in allocator calls") >= f.limit("min_cut")),
    examples: &[
        example(&[("cut in allocator calls", 0.89)], Confirmed),
        example(&[("cut in allocator calls", 0.3)], Refuted),
    ],
};

/// C003-15: `result += item` allocates a new string every iteration.
pub fn c003_15_plus_assign(ctx: &Ctx) -> Measure {
    let s = fig::strings(ctx)?;
    let mut ev = Evidence::new(format!(
        "{ITEMS} items of {ITEM_LEN} B; Go's `+=` on immutable strings, ported \
         (seed_port::go_plus_assign); Rust's String += beside it as the Rust analogue"
    ));
    let go = record(&mut ev, "Go += port", &s.go_plus_assign.counts);
    let per = ev.add(
        "Go += port: allocations per iteration after the first",
        s.go_plus_assign.counts.allocs as f64 / (ITEMS - 1) as f64,
        Unit::Count,
    );
    let rust = record(&mut ev, "Rust analogue, String +=", &s.plus_assign.counts);
    ev.add(
        "Rust analogue: bound from the growth policy",
        s.plus_assign_bound as f64,
        Unit::Count,
    );
    record(&mut ev, "Rust analogue, format! loop", &s.format_loop.counts);
    Ok(Measured::new(
        ev,
        format!(
            "the port of Go's += made {go} allocations for {ITEMS} items ({per:.2} per \
             iteration after the first); Rust's own String += makes {rust} allocator \
             calls (amortised), its format! loop {}",
            s.format_loop.counts.allocs
        ),
    ))
}

/// Go's `+=` allocates once per iteration (its port is what is judged).
pub const C003_15: Rule = Rule {
    says: "judged on the port of Go's immutable-string `+=`: confirmed when it makes at \
           least min_per_iteration allocations per iteration after the first (the first, \
           \"\" + item, copies nothing in Go); refuted below. Rust's amortised String += \
           is recorded as the Rust analogue and does not decide",
    inputs: &["Go += port: allocations per iteration after the first"],
    thresholds: &[Threshold {
        name: "min_per_iteration",
        value: 1.0,
        unit: Unit::Count,
        source: "the claim's \"every iteration\" (seed 003 L259)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("Go += port: allocations per iteration after the first")
                >= f.limit("min_per_iteration"),
        )
    },
    examples: &[
        example(
            &[("Go += port: allocations per iteration after the first", 1.0)],
            Confirmed,
        ),
        example(
            &[("Go += port: allocations per iteration after the first", 0.01)],
            Refuted,
        ),
    ],
};

/// C003-16: `strings.Builder` with `Grow(len(items) * 10)`.
pub fn c003_16_builder(ctx: &Ctx) -> Measure {
    let s = fig::strings(ctx)?;
    let mut ev = Evidence::new(format!(
        "{ITEMS} items, String::with_capacity(n × {ESTIMATE}) + push_str (Rust's \
         strings.Builder with Grow); items of 1–19 B (10 on average, the estimate's \
         premise), and of 9 B and 15 B"
    ));
    let mixed = record(&mut ev, "items of 1–19 B", &s.builder_mixed.counts);
    let per = ev.add(
        "items of 1–19 B: allocator calls per item",
        mixed as f64 / ITEMS as f64,
        Unit::Count,
    );
    let fits = record(&mut ev, "items of 9 B", &s.builder.counts);
    let long = record(&mut ev, "items of 15 B", &s.builder_long.counts);
    let go = record(&mut ev, "Go += port", &s.go_plus_assign.counts);
    Ok(Measured::new(
        ev,
        format!(
            "with_capacity(n × {ESTIMATE}): {mixed} allocator calls for {ITEMS} items of \
             1–19 B ({per:.3} per item); {fits} for 9 B items, {long} for 15 B; the Go += \
             port: {go}"
        ),
    ))
}

/// A builder with an estimate allocates a handful of times, not per item.
pub const C003_16: Rule = Rule {
    says: "confirmed when the builder with the seed's estimate, on items averaging the \
           estimate, makes at most max_per_item allocator calls per item; refuted when it \
           allocates as often as per item",
    inputs: &["items of 1–19 B: allocator calls per item"],
    thresholds: &[Threshold {
        name: "max_per_item",
        value: 0.1,
        unit: Unit::Count,
        source: "convention: an order of magnitude below one per item, the rate of Go's \
                 `+=` (C003-15)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("items of 1–19 B: allocator calls per item") <= f.limit("max_per_item"),
        )
    },
    examples: &[
        example(&[("items of 1–19 B: allocator calls per item", 0.002)], Confirmed),
        example(&[("items of 1–19 B: allocator calls per item", 1.0)], Refuted),
    ],
};

/// C003-17: building in a pooled byte buffer avoids allocations.
pub fn c003_17_pooled(ctx: &Ctx) -> Measure {
    let s = fig::strings(ctx)?;
    let mut ev = Evidence::new(format!(
        "{ITEMS} items of {ITEM_LEN} B; the pooled build after one warm-up build, \
         against with_capacity(n × {ESTIMATE}) without a pool"
    ));
    let pooled = ev.add(
        "pooled: allocations per build",
        s.pooled.counts.allocs as f64,
        Unit::Count,
    );
    let builder = ev.add(
        "builder: allocations per build",
        s.builder.counts.allocs as f64,
        Unit::Count,
    );
    Ok(Measured::new(
        ev,
        format!(
            "the pooled build made {pooled} allocation per build (the returned String, \
             `string(buf)` in Go), the builder without a pool {builder}"
        ),
    ))
}

/// The pool saves an allocation only if the build makes fewer than without it.
pub const C003_17: Rule = Rule {
    says: "confirmed when the pooled build makes fewer allocations per build than the \
           builder without a pool; refuted otherwise (the result string is still \
           allocated)",
    inputs: &["pooled: allocations per build", "builder: allocations per build"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("pooled: allocations per build")
                < f.get("builder: allocations per build"),
        )
    },
    examples: &[
        example(
            &[
                ("pooled: allocations per build", 0.0),
                ("builder: allocations per build", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("pooled: allocations per build", 1.0),
                ("builder: allocations per build", 1.0),
            ],
            Refuted,
        ),
    ],
};

fn cut_name(n: usize) -> String {
    format!("cut against the Go += port, {n} items")
}

/// C003-18: string optimisation cuts allocations by 70–90%.
pub fn c003_18_string_cut(ctx: &Ctx) -> Measure {
    let cuts = fig::string_cuts(ctx)?;
    let mut ev = Evidence::new(format!(
        "items of {ITEM_LEN} B; with_capacity(n × {ESTIMATE}) against the port of Go's \
         += (the seed's baseline) and, as the Rust analogue, Rust's String +="
    ));
    let mut parts = Vec::new();
    for c in cuts {
        let go = ev.add(cut_name(c.items), c.against_go(), Unit::Fraction);
        let rust = ev.add(
            format!("Rust analogue: cut against String +=, {} items", c.items),
            c.against_rust(),
            Unit::Fraction,
        );
        parts.push(format!(
            "{} items: {} ({} vs Rust's +=)",
            c.items,
            format_value(go, Unit::Fraction),
            format_value(rust, Unit::Fraction)
        ));
    }
    Ok(Measured::new(ev, format!("cut against Go's +=: {}", parts.join(", "))))
}

/// The builder's cut against Go's `+=`, at three list lengths.
pub const C003_18: Rule = Rule {
    says: "judged against the port of Go's +=: confirmed when the builder cuts \
           allocator calls by at least min_cut at 10, 100 and 1000 items (a cut above \
           the claim's 90% holds it too); holds only when the list is long enough (or \
           short enough) when the cut reaches min_cut at one end only; refuted when it \
           never does",
    inputs: &[
        "cut against the Go += port, 10 items",
        "cut against the Go += port, 100 items",
        "cut against the Go += port, 1000 items",
    ],
    thresholds: &[Threshold {
        name: "min_cut",
        value: 0.7,
        unit: Unit::Fraction,
        source: "seed 003 L286: 70–90%, its lower bound",
    }],
    decide: |f| {
        let min = f.limit("min_cut");
        let (short, mid, long) = (
            f.get("cut against the Go += port, 10 items"),
            f.get("cut against the Go += port, 100 items"),
            f.get("cut against the Go += port, 1000 items"),
        );
        match (short >= min, mid >= min, long >= min) {
            (true, true, true) => Verdict::Confirmed,
            (false, false, false) => Verdict::Refuted,
            (false, _, true) => f.holds_only_when(
                "the list is long enough for one allocation to replace many",
                "cut against the Go += port, 1000 items",
                "cut against the Go += port, 10 items",
            ),
            _ => f.holds_only_when(
                "the list is short",
                "cut against the Go += port, 10 items",
                "cut against the Go += port, 1000 items",
            ),
        }
    },
    examples: &[
        example(
            &[
                ("cut against the Go += port, 10 items", 0.889),
                ("cut against the Go += port, 100 items", 0.99),
                ("cut against the Go += port, 1000 items", 0.999),
            ],
            Confirmed,
        ),
        example(
            &[
                ("cut against the Go += port, 10 items", 0.5),
                ("cut against the Go += port, 100 items", 0.9),
                ("cut against the Go += port, 1000 items", 0.999),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("cut against the Go += port, 10 items", 0.8),
                ("cut against the Go += port, 100 items", 0.5),
                ("cut against the Go += port, 1000 items", 0.2),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("cut against the Go += port, 10 items", 0.0),
                ("cut against the Go += port, 100 items", 0.0),
                ("cut against the Go += port, 1000 items", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D45: seed 001's best-practice snippet does not compile.
pub fn d45_no_reset(ctx: &Ctx) -> Measure {
    let port = fig::port_as_is(ctx, "buffer_reset")?;
    let mut ev = Evidence::new("the line-by-line port compiled with rustc");
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    let no_method = port.errors.iter().any(|c| c == "E0599");
    ev.add("E0599 (no such method) reported", f64::from(no_method), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!("the port: rustc {} (`Buffer` has no `reset`)", port.describe()),
    ))
}

/// Reproduced when the port fails for the missing method, as Go's does.
pub const D45: Rule = Rule {
    says: "reproduced when the port fails to compile with E0599 (no such method, as \
           Go's `buf.Reset undefined`); not reproduced when it compiles or fails otherwise",
    inputs: &["port compiles", "E0599 (no such method) reported"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("port compiles") == 0.0
                && f.get("E0599 (no such method) reported") == 1.0,
        )
    },
    examples: &[
        example(
            &[("port compiles", 0.0), ("E0599 (no such method) reported", 1.0)],
            Confirmed,
        ),
        example(
            &[("port compiles", 1.0), ("E0599 (no such method) reported", 0.0)],
            Refuted,
        ),
    ],
};

/// D53: `defer bytePool.Put(buf)` puts back the pre-append slice.
pub fn d53_deferred_put(ctx: &Ctx) -> Measure {
    let d = fig::deferred_put(ctx)?;
    let (len, want, zeros, put_len) = d.len_n;
    let (ok0, len0, cap0) = d.len_0;
    let (rust_ok, rust_cap) = d.rust;
    let mut ev = Evidence::new(format!(
        "{} items; the seed's code on a model of Go slices (seed_port), then the Rust \
         build that puts the buffer back by move",
        d.items
    ));
    ev.add("Get(n) has length n: output bytes", len as f64, Unit::Bytes);
    ev.add("Get(n) has length n: wanted bytes", want as f64, Unit::Bytes);
    ev.add("Get(n) has length n: leading zero bytes", zeros as f64, Unit::Bytes);
    ev.add("Get(n) has length n: length put back", put_len as f64, Unit::Bytes);
    ev.add("Get(n) has length 0, 15 B items: output correct", f64::from(ok0), Unit::Bool);
    ev.add("Get(n) has length 0, 15 B items: output bytes", len0 as f64, Unit::Bytes);
    ev.add(
        "Get(n) has length 0, 15 B items: capacity put back",
        cap0 as f64,
        Unit::Bytes,
    );
    ev.add("Rust build: output correct", f64::from(rust_ok), Unit::Bool);
    ev.add("Rust build: capacity put back", rust_cap as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "with Get(n) of length n the output starts with {zeros} zero bytes ({len} B \
             instead of {want} B); with length 0 the pool gets back a {cap0} B array for \
             a {len0} B result; the Rust build puts back its {rust_cap} B buffer"
        ),
    ))
}

/// Reproduced when the port goes wrong in either reading of `Get(n)` while
/// the Rust build (checked by the measurement) is right.
pub const D53: Rule = Rule {
    says: "reproduced when the faithful port returns stale leading bytes (Get(n) of \
           length n) or puts back an array smaller than the result it built (length 0); \
           not reproduced when it does neither",
    inputs: &[
        "Get(n) has length n: leading zero bytes",
        "Get(n) has length 0, 15 B items: output bytes",
        "Get(n) has length 0, 15 B items: capacity put back",
    ],
    thresholds: &[],
    decide: |f| {
        let stale = f.get("Get(n) has length n: leading zero bytes") > 0.0;
        let lost = f.get("Get(n) has length 0, 15 B items: capacity put back")
            < f.get("Get(n) has length 0, 15 B items: output bytes");
        f.confirmed_if(stale || lost)
    },
    examples: &[
        example(
            &[
                ("Get(n) has length n: leading zero bytes", 1000.0),
                ("Get(n) has length 0, 15 B items: output bytes", 1500.0),
                ("Get(n) has length 0, 15 B items: capacity put back", 1000.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("Get(n) has length n: leading zero bytes", 0.0),
                ("Get(n) has length 0, 15 B items: output bytes", 1500.0),
                ("Get(n) has length 0, 15 B items: capacity put back", 2000.0),
            ],
            Refuted,
        ),
    ],
};
