//! Checks for values against pointers (seed 003 策略5) and for the cost of
//! freeing large structures (seed 001 §6.1.1.4.2's GC statistics).

use super::{count, run_children};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::escape_heap::drop_list::{self, IterativeList};
use crate::escape_heap::values as v;
use crate::measure::ns_per_call;
use std::hint::black_box;
use std::time::Instant;

type CheckResult = Result<Finding, CheckError>;

/// Points in the seed-sized layout comparison.
const POINTS: usize = 1000;

/// C001-23: `debug.ReadGCStats` reports GC counts and pauses.
pub fn c001_23(ctx: &Ctx) -> CheckResult {
    let n = ctx.pick(drop_list::MILLION, drop_list::MILLION / 10);
    let mut ev = Evidence::new(format!(
        "drop of an n-node Box list in this process (iterative Drop, n = {n}); a \
         1,000,000-node list dropped on a {} KiB thread in a child process",
        drop_list::DROP_STACK >> 10
    ));
    let list = black_box(IterativeList::with_len(n));
    let t = Instant::now();
    let ((), c) = crate::measure::alloc::measure(|| drop(list));
    let pause = t.elapsed();
    ev.add(
        format!("iterative drop of {n} nodes: time"),
        pause.as_nanos() as f64,
        Unit::Nanos,
    );
    ev.add(format!("iterative drop of {n} nodes: frees"), c.frees as f64, Unit::Count);
    let [recursive, iterative] = <[_; 2]>::try_from(run_children(&[
        "escape_heap::recursive_drop",
        "escape_heap::iterative_drop",
    ])?)
    .expect("two outcomes");
    ev.add(
        "recursive drop: stack overflow",
        f64::from(recursive.overflowed_stack()),
        Unit::Bool,
    );
    ev.add("iterative drop: exit code 0", f64::from(iterative.success()), Unit::Bool);
    Ok(Finding::new(
        Verdict::not_applicable(
            "Rust has no garbage collector, so no GC count or pause to read.",
            format!(
                "freeing is a pause at a known line: {n} nodes took {:.1} ms ({} frees); \
                 a million-node list dropped recursively: {}; iteratively: {}",
                pause.as_secs_f64() * 1e3,
                c.frees,
                recursive.describe(),
                iterative.describe()
            ),
        ),
        format!(
            "drop of {n} nodes {:.1} ms; 1M nodes recursive: {}, iterative: {}",
            pause.as_secs_f64() * 1e3,
            recursive.describe(),
            iterative.describe()
        ),
        ev,
    ))
}

/// C003-22: pointers make GC scanning slower; prefer values for small objects.
pub fn c003_22(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(format!("{POINTS} points of two i64"));
    let n = black_box(POINTS);
    let by_value = count(|| v::points_by_value(n)).allocs;
    let boxed = count(|| v::points_boxed(n)).allocs;
    let fields = count(|| v::points_boxed_fields(n)).allocs;
    ev.add("Vec<Point>: allocations", by_value as f64, Unit::Count);
    ev.add("Vec<Box<Point>>: allocations", boxed as f64, Unit::Count);
    ev.add("Vec of boxed-field points: allocations", fields as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::not_applicable(
            "no collector scans Rust's heap, so pointers cost no scanning time.",
            format!(
                "allocation count and pointer chasing: {by_value} allocation for \
                 Vec<Point>, {boxed} for Vec<Box<Point>>, {fields} with boxed fields"
            ),
        ),
        format!("{POINTS} points: {by_value} / {boxed} / {fields} allocations"),
        ev,
    ))
}

/// C003-23: use `[]Point` rather than `[]*Point` for small objects.
pub fn c003_23(ctx: &Ctx) -> CheckResult {
    let n = ctx.pick(300_000, 50_000);
    let mut ev = Evidence::new(format!(
        "{POINTS} points counted; sum of x + y over {n} points timed (median of \
         interleaved runs; boxes allocated in order, so they sit nearly contiguous)"
    ));
    let by_value = count(|| v::points_by_value(black_box(POINTS))).allocs;
    let boxed = count(|| v::points_boxed(black_box(POINTS))).allocs;
    ev.add("Vec<Point>: allocations", by_value as f64, Unit::Count);
    ev.add("Vec<Box<Point>>: allocations", boxed as f64, Unit::Count);
    let values = v::points_by_value(n);
    let boxes = v::points_boxed(n);
    let (value_ns, box_ns) = ns_per_call(
        ctx.pick(9, 5),
        1,
        || {
            black_box(v::sum_by_value(black_box(&values)));
        },
        || {
            black_box(v::sum_boxed(black_box(&boxes)));
        },
    );
    ev.add("Vec<Point>: sum time", value_ns, Unit::Nanos);
    ev.add("Vec<Box<Point>>: sum time", box_ns, Unit::Nanos);
    let ratio = ev.add("boxed / by value", box_ns / value_ns, Unit::Ratio);
    Ok(Finding::new(
        Verdict::confirmed_if(by_value < boxed),
        format!(
            "{POINTS} points: {by_value} allocation by value, {boxed} boxed; summing \
             {n} boxed points took {ratio:.2}× as long"
        ),
        ev,
    ))
}

/// C003-24: large objects (> 1 KB) should be passed by pointer.
pub fn c003_24(ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(format!(
        "[u8; N] passed to an #[inline(never)] fn by value and by reference (median \
         of interleaved batches); a {} KiB array built on a {} KiB thread stack in a \
         child; {} build",
        v::LARGE_VALUE >> 10,
        v::SMALL_STACK >> 10,
        crate::measure::machine::build_profile()
    ));
    let (copied_kept, copied_moved) = v::by_value_makes_a_copy::<4096>();
    ev.add(
        "4 KiB by value, used after: callee sees a copy",
        f64::from(copied_kept),
        Unit::Bool,
    );
    ev.add(
        "4 KiB by value, moved: callee sees a copy",
        f64::from(copied_moved),
        Unit::Bool,
    );
    let rounds = ctx.pick(7, 5);
    let mut ratios = Vec::new();
    macro_rules! time_size {
        ($n:expr, $label:expr) => {{
            let a = black_box([1u8; $n]);
            // About 1 MiB copied per batch (fewer calls for larger arrays).
            let iters = ctx.pick((1 << 20) / $n, (1 << 18) / $n).max(500);
            let (val, refr) = ns_per_call(
                rounds,
                iters,
                || {
                    black_box(v::first_byte_by_value(a));
                },
                || {
                    black_box(v::first_byte_by_ref(black_box(&a)));
                },
            );
            ev.add(format!("{}: by value per call", $label), val, Unit::Nanos);
            ev.add(format!("{}: by reference per call", $label), refr, Unit::Nanos);
            let r =
                ev.add(format!("{}: value / reference", $label), val / refr, Unit::Ratio);
            ratios.push(format!("{} {r:.1}×", $label));
        }};
    }
    time_size!(64, "64 B");
    time_size!(1024, "1 KiB");
    time_size!(4096, "4 KiB");
    time_size!(65536, "64 KiB");
    let [via_stack, via_heap] = <[_; 2]>::try_from(run_children(&[
        "escape_heap::large_value_via_stack",
        "escape_heap::large_value_via_heap",
    ])?)
    .expect("two outcomes");
    ev.add(
        "built on the stack: overflowed",
        f64::from(via_stack.overflowed_stack()),
        Unit::Bool,
    );
    ev.add("built on the heap: exit code 0", f64::from(via_heap.success()), Unit::Bool);
    let verdict = if copied_kept || copied_moved || via_stack.overflowed_stack() {
        Verdict::unruled_holds_only_when(format!(
            "the value is really copied (here a by-value call {} the array; by value \
             / by reference: {}) or is built in a frame too small for it ({} KiB on a \
             {} KiB stack: {}; built on the heap: {}); 1 KB is not a threshold, the \
             cost grows with the size",
            if copied_kept || copied_moved { "copied" } else { "did not copy" },
            ratios.join(", "),
            v::LARGE_VALUE >> 10,
            v::SMALL_STACK >> 10,
            via_stack.describe(),
            via_heap.describe()
        ))
    } else {
        Verdict::Refuted
    };
    Ok(Finding::new(
        verdict,
        format!(
            "by value / by reference: {}; a {} KiB array on a {} KiB stack: {}",
            ratios.join(", "),
            v::LARGE_VALUE >> 10,
            v::SMALL_STACK >> 10,
            via_stack.describe()
        ),
        ev,
    ))
}
