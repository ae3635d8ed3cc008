//! Checks for values against pointers (seed 003 策略5) and for the cost of
//! freeing large structures (seed 001 §6.1.1.4.2's GC statistics).

use super::super::figures as fig;
use super::super::{drop_list, values as v};
use crate::claims::Outcome::*;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::table::{format_bytes, format_nanos, format_ratio};

type Measure = Result<Measured, CheckError>;

/// C001-23 (static): Go's GC statistics have no Rust counterpart.
pub fn c001_23_go_gc_stats() -> Verdict {
    Verdict::not_applicable(
        "Rust has no garbage collector, so there is no GC count or pause to read.",
        "freeing is a pause at a known line: dropping an n-node Box list takes time \
         proportional to n, and the compiler's recursive drop glue overflows the stack \
         on a million nodes where an iterative Drop does not",
    )
}

/// C001-23's analogue: the drop of a long list, timed, and crashed in a child.
pub fn c001_23_analogue(ctx: &Ctx) -> Measure {
    let d = fig::drops(ctx)?;
    let &(n, frees, time) = d.iterative.last().ok_or("no drop measured")?;
    let mut ev = Evidence::new(format!(
        "drop of an n-node Box list in this process (iterative Drop, n = {n}); a \
         1,000,000-node list dropped on a {} thread in a child process",
        format_bytes(drop_list::DROP_STACK as f64)
    ));
    ev.add(
        format!("iterative drop of {n} nodes: time"),
        time.as_nanos() as f64,
        Unit::Nanos,
    );
    ev.add(format!("iterative drop of {n} nodes: frees"), frees as f64, Unit::Count);
    ev.add(
        "recursive drop: stack overflow",
        f64::from(d.recursive_million.overflowed_stack()),
        Unit::Bool,
    );
    ev.add(
        "iterative drop: exit code 0",
        f64::from(d.iterative_million.success()),
        Unit::Bool,
    );
    Ok(Measured::new(
        ev,
        format!(
            "drop of {n} nodes: {} ({frees} frees); 1M nodes recursive: {}, iterative: {}",
            format_nanos(time.as_nanos() as f64),
            d.recursive_million.describe(),
            d.iterative_million.describe()
        ),
    ))
}

/// C003-22 (static): no collector scans Rust's heap.
pub fn c003_22_go_gc_scan() -> Verdict {
    Verdict::not_applicable(
        "no collector scans Rust's heap, so pointers cost no scanning time.",
        "one allocation per box, and a pointer to follow on every access (C003-23 times it)",
    )
}

/// C003-22's analogue: allocations of the three layouts.
pub fn c003_22_analogue(ctx: &Ctx) -> Measure {
    let p = fig::points(ctx)?;
    let [by_value, boxed, fields] = &p.counts;
    let mut ev = Evidence::new(format!("{} points of two i64", fig::SEED_LEN));
    ev.add("Vec<Point>: allocations", by_value.allocs as f64, Unit::Count);
    ev.add("Vec<Box<Point>>: allocations", boxed.allocs as f64, Unit::Count);
    ev.add("Vec of boxed-field points: allocations", fields.allocs as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{} points: {} / {} / {} allocations",
            fig::SEED_LEN,
            by_value.allocs,
            boxed.allocs,
            fields.allocs
        ),
    ))
}

/// C003-23: use `[]Point` rather than `[]*Point` for small objects.
pub fn c003_23_values_faster(ctx: &Ctx) -> Measure {
    let p = fig::points(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} points built and summed (median of interleaved runs); boxes visited in \
         allocation order and in a shuffled order; {} build",
        p.timed,
        crate::measure::machine::build_profile()
    ));
    ev.add("Vec<Point>: allocations", p.counts[0].allocs as f64, Unit::Count);
    ev.add("Vec<Box<Point>>: allocations", p.counts[1].allocs as f64, Unit::Count);
    let mut ratio = |what: &str, (val, boxed): (f64, f64)| {
        ev.add(format!("{what}: Vec<Point>"), val, Unit::Nanos);
        ev.add(format!("{what}: Vec<Box<Point>>"), boxed, Unit::Nanos);
        ev.add(format!("{what}: boxed / by value"), boxed / val, Unit::Ratio)
    };
    let build = ratio("build", p.build_ns);
    let sum = ratio("sum in allocation order", p.sum_ns);
    let shuffled = ratio("sum in shuffled order", p.shuffled_sum_ns);
    Ok(Measured::new(
        ev,
        format!(
            "boxed / by value, {} points: build {}, sum in allocation order {}, sum in \
             shuffled order {}",
            p.timed,
            format_ratio(build),
            format_ratio(sum),
            format_ratio(shuffled)
        ),
    ))
}

/// Values are faster to read even where boxes are at their best; else
/// when the boxes are visited out of order, or when they are allocated in
/// the timed work.
pub const C003_23: Rule = Rule {
    says: "confirmed when summing boxed points in allocation order (their best case) \
           takes at least min_ratio × the time of points by value; holds only when the \
           boxes are visited out of allocation order, or only when the allocations are \
           counted, when just that side reaches min_ratio; refuted when no side does",
    inputs: &[
        "build: boxed / by value",
        "sum in allocation order: boxed / by value",
        "sum in shuffled order: boxed / by value",
    ],
    thresholds: &[Threshold {
        name: "min_ratio",
        value: 1.2,
        unit: Unit::Ratio,
        source: "convention: a fifth slower, beyond the spread of interleaved medians on \
                 a shared machine",
    }],
    decide: |f| {
        let min = f.limit("min_ratio");
        if f.get("sum in allocation order: boxed / by value") >= min {
            Verdict::Confirmed
        } else if f.get("sum in shuffled order: boxed / by value") >= min {
            f.holds_only_when(
                "the boxes are visited out of the order they were allocated in (in \
                 order, glibc placed them nearly contiguously)",
                "sum in shuffled order: boxed / by value",
                "sum in allocation order: boxed / by value",
            )
        } else if f.get("build: boxed / by value") >= min {
            f.holds_only_when(
                "the boxes are allocated in the timed work (reading them costs no more)",
                "build: boxed / by value",
                "sum in allocation order: boxed / by value",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[("sum in allocation order: boxed / by value", 2.0)], Confirmed),
        example(
            &[
                ("sum in allocation order: boxed / by value", 1.05),
                ("sum in shuffled order: boxed / by value", 6.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("sum in allocation order: boxed / by value", 1.05),
                ("sum in shuffled order: boxed / by value", 1.1),
                ("build: boxed / by value", 20.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("sum in allocation order: boxed / by value", 1.0),
                ("sum in shuffled order: boxed / by value", 1.0),
                ("build: boxed / by value", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// The sizes either side of the seed's 1 KB that C003-24 reads.
const BELOW: usize = 256;
const ABOVE: usize = 4096;

/// C003-24: large objects (> 1 KB) should be passed by pointer.
pub fn c003_24_pass_by_pointer(ctx: &Ctx) -> Measure {
    let l = fig::pass_large(ctx)?;
    let mut ev = Evidence::new(format!(
        "[u8; N] passed to an #[inline(never)] fn by value, by reference, and by \
         reference to a heap target of N bytes allocated for the call (median of \
         the three timed in alternating batches); a {} array built on a {} \
         thread stack in a child; {} build",
        format_bytes(v::LARGE_VALUE as f64),
        format_bytes(v::SMALL_STACK as f64),
        crate::measure::machine::build_profile()
    ));
    for p in &l.sizes {
        let s = format_bytes(p.bytes as f64);
        ev.add(format!("{s}: by value per call"), p.by_value, Unit::Nanos);
        ev.add(format!("{s}: by reference per call"), p.by_ref, Unit::Nanos);
        ev.add(format!("{s}: copy per call"), p.copy(), Unit::Nanos);
        ev.add(format!("{s}: heap target per call"), p.via_heap, Unit::Nanos);
        ev.add(format!("{s}: by value / heap target"), p.vs_heap(), Unit::Ratio);
    }
    ev.add(
        "4 KiB by value, kept: callee sees a copy",
        f64::from(l.copied_kept),
        Unit::Bool,
    );
    ev.add(
        "4 KiB by value, moved: callee sees a copy",
        f64::from(l.copied_moved),
        Unit::Bool,
    );
    ev.add(
        "built in a small frame: stack overflow",
        f64::from(l.via_stack.overflowed_stack()),
        Unit::Bool,
    );
    ev.add("built on the heap: exit code 0", f64::from(l.via_heap.success()), Unit::Bool);
    let ratio = |b| l.at(b).map_or(f64::NAN, fig::Passed::vs_heap);
    Ok(Measured::new(
        ev,
        format!(
            "by value over a pointer to a heap target: {} at {BELOW} B, {} at 1 KiB, {} at \
             4 KiB; a {} array built in a frame on a {} stack: {}",
            format_ratio(ratio(BELOW)),
            format_ratio(ratio(1024)),
            format_ratio(ratio(ABOVE)),
            format_bytes(v::LARGE_VALUE as f64),
            format_bytes(v::SMALL_STACK as f64),
            l.via_stack.describe()
        ),
    ))
}

/// Go's choice is a copy at every call against a pointer whose target has to
/// live on the heap. The 1 KB line holds when the copy is the cheaper option
/// well below it and the dearer one well above it.
pub const C003_24: Rule = Rule {
    says: "judged on the trade-off the seed's line is about, a copy per call (by \
           value) against a pointer whose target gets a heap allocation (timed side by \
           side): confirmed when by value takes less than parity × the heap pointer's \
           time at 256 B (a quarter of 1 KB) and more at 4 KiB (four times it); \
           refuted when the crossover lies outside that range",
    inputs: &["256 B: by value / heap target", "4 KiB: by value / heap target"],
    thresholds: &[Threshold {
        name: "parity",
        value: 1.0,
        unit: Unit::Ratio,
        source: "the crossover itself: below 1× the copy is the cheaper option",
    }],
    decide: |f| {
        let parity = f.limit("parity");
        f.confirmed_if(
            f.get("256 B: by value / heap target") < parity
                && f.get("4 KiB: by value / heap target") > parity,
        )
    },
    examples: &[
        example(
            &[
                ("256 B: by value / heap target", 0.15),
                ("4 KiB: by value / heap target", 1.7),
            ],
            Confirmed,
        ),
        example(
            &[
                ("256 B: by value / heap target", 1.3),
                ("4 KiB: by value / heap target", 9.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("256 B: by value / heap target", 0.05),
                ("4 KiB: by value / heap target", 0.6),
            ],
            Refuted,
        ),
    ],
};
