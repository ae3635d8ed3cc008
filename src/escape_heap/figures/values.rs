//! Freeing a long list, values against boxes, and large values (seed 001
//! §6.1.1.4.2, seed 003 策略5).

use super::common::{Figure, SEED_LEN, count, ns_per_call_each, once};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::escape_heap::{drop_list, values as v};
use crate::measure::alloc::{AllocCounts, measure};
use crate::measure::child::{self, ChildOutcome};
use crate::measure::ns_per_call;
use crate::measure::rng::SplitMix64;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Freeing a long `Box` list (C001-23).
#[derive(Debug)]
pub struct Drops {
    /// (nodes, frees, time) of the iterative drop.
    pub iterative: Vec<(usize, u64, Duration)>,
    /// A million nodes dropped by the compiler's drop glue, in a child.
    pub recursive_million: ChildOutcome,
    /// The same dropped by the iterative `Drop`, in a child.
    pub iterative_million: ChildOutcome,
}

/// Runs the child `modes` at the same time and returns their outcomes in order.
pub fn run_children<const N: usize>(
    modes: [&str; N],
) -> Result<[ChildOutcome; N], CheckError> {
    let outcomes: Vec<Result<ChildOutcome, CheckError>> = std::thread::scope(|s| {
        let handles: Vec<_> = modes
            .iter()
            .map(|m| s.spawn(move || child::run_mode(m, Duration::from_secs(120))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| CheckError::from("child runner panicked"))?
                    .map_err(Into::into)
            })
            .collect()
    });
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, _>>()?;
    for (mode, o) in modes.iter().zip(&outcomes) {
        if o.exit_code == Some(3) {
            return Err(CheckError(format!(
                "child mode {mode} is not dispatched by this binary (call \
                 chapters::dispatch_child() first in main)"
            )));
        }
    }
    Ok(outcomes.try_into().expect("one outcome per mode"))
}

/// The drops, timed in this process and crashed in children.
pub fn drops(ctx: &Ctx) -> Figure<Drops> {
    static CELL: PerRun<Result<Drops, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let sizes: &[usize] = ctx
            .pick::<&[usize]>(&[10_000, 100_000, drop_list::MILLION], &[10_000, 100_000]);
        let iterative = sizes
            .iter()
            .map(|&n| {
                let list = black_box(drop_list::IterativeList::with_len(n));
                let t = Instant::now();
                let ((), c) = measure(|| drop(list));
                (n, c.frees, t.elapsed())
            })
            .collect();
        let [recursive_million, iterative_million] =
            run_children(["escape_heap::recursive_drop", "escape_heap::iterative_drop"])?;
        Ok(Drops { iterative, recursive_million, iterative_million })
    })
}

/// Values against boxes (C003-22, C003-23).
#[derive(Debug)]
pub struct Points {
    /// `Vec<Point>`, `Vec<Box<Point>>`, boxed fields: allocations for
    /// [`SEED_LEN`] points.
    pub counts: [AllocCounts; 3],
    /// Points in the timed runs.
    pub timed: usize,
    /// Build (allocate and fill): by value, boxed.
    pub build_ns: (f64, f64),
    /// Sum of x + y in allocation order: by value, boxed.
    pub sum_ns: (f64, f64),
    /// Sum of x + y with the boxes visited in a shuffled order: by value, boxed.
    pub shuffled_sum_ns: (f64, f64),
}

/// The layouts counted, and built and summed side by side.
pub fn points(ctx: &Ctx) -> Figure<Points> {
    static CELL: PerRun<Result<Points, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = black_box(SEED_LEN);
        let counts = [
            count(|| v::points_by_value(n)),
            count(|| v::points_boxed(n)),
            count(|| v::points_boxed_fields(n)),
        ];
        let timed = ctx.pick(300_000, 50_000);
        let rounds = ctx.pick(9, 5);
        let build_ns = ns_per_call(
            rounds,
            1,
            || drop(black_box(v::points_by_value(black_box(timed)))),
            || drop(black_box(v::points_boxed(black_box(timed)))),
        );
        let mut values = v::points_by_value(timed);
        let mut boxes = v::points_boxed(timed);
        let sum = |values: &[v::Point], boxes: &[Box<v::Point>]| {
            ns_per_call(
                rounds,
                1,
                || {
                    black_box(v::sum_by_value(black_box(values)));
                },
                || {
                    black_box(v::sum_boxed(black_box(boxes)));
                },
            )
        };
        let sum_ns = sum(&values, &boxes);
        // The same permutation for both: the values stay contiguous, the
        // boxes are visited out of the order they were allocated in.
        SplitMix64::new(11).shuffle(&mut values);
        SplitMix64::new(11).shuffle(&mut boxes);
        let shuffled_sum_ns = sum(&values, &boxes);
        Ok(Points { counts, timed, build_ns, sum_ns, shuffled_sum_ns })
    })
}

/// One size of `[u8; N]`, passed three ways (median time per call).
#[derive(Debug)]
pub struct Passed {
    /// N.
    pub bytes: usize,
    /// By value.
    pub by_value: f64,
    /// By reference.
    pub by_ref: f64,
    /// A heap allocation of N bytes plus a call by reference.
    pub via_heap: f64,
}

impl Passed {
    /// The copy a by-value call makes: by value − by reference.
    pub fn copy(&self) -> f64 {
        self.by_value - self.by_ref
    }
    /// By value over a pointer to a heap target, side by side.
    pub fn vs_heap(&self) -> f64 {
        self.by_value / self.via_heap
    }
}

/// Passing `[u8; N]` by value, by reference and through a heap target (C003-24).
#[derive(Debug)]
pub struct PassLarge {
    /// One entry per size of [`PASS_SIZES`].
    pub sizes: Vec<Passed>,
    /// A by-value call of 4 KiB sees a copy when the caller keeps the array …
    pub copied_kept: bool,
    /// … and when it moves it.
    pub copied_moved: bool,
    /// A [`v::LARGE_VALUE`] array built on a [`v::SMALL_STACK`] thread: in a frame …
    pub via_stack: ChildOutcome,
    /// … and on the heap.
    pub via_heap: ChildOutcome,
}

impl PassLarge {
    /// The figures at `bytes`.
    pub fn at(&self, bytes: usize) -> Option<&Passed> {
        self.sizes.iter().find(|s| s.bytes == bytes)
    }
}

/// Sizes passed.
pub const PASS_SIZES: [usize; 5] = [64, 256, 1024, 4096, 65536];

/// By value against by reference, and by value against a heap target, side
/// by side, at [`PASS_SIZES`].
pub fn pass_large(ctx: &Ctx) -> Figure<PassLarge> {
    static CELL: PerRun<Result<PassLarge, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let rounds = ctx.pick(9, 5);
        let mut sizes = Vec::new();
        macro_rules! time_size {
            ($n:expr) => {{
                let a = black_box([1u8; $n]);
                // About 1 MiB copied per batch (fewer calls for larger arrays).
                let iters = ctx.pick((1 << 20) / $n, (1 << 18) / $n).max(2000);
                let [by_value, by_ref, via_heap] = ns_per_call_each(
                    rounds,
                    iters,
                    [
                        &mut || {
                            black_box(v::first_byte_by_value(a));
                        },
                        &mut || {
                            black_box(v::first_byte_by_ref(black_box(&a)));
                        },
                        &mut || {
                            black_box(v::first_byte_via_heap(black_box(&a)));
                        },
                    ],
                );
                sizes.push(Passed { bytes: $n, by_value, by_ref, via_heap });
            }};
        }
        time_size!(64);
        time_size!(256);
        time_size!(1024);
        time_size!(4096);
        time_size!(65536);
        debug_assert_eq!(sizes.iter().map(|s| s.bytes).collect::<Vec<_>>(), PASS_SIZES);
        let (copied_kept, copied_moved) = v::by_value_makes_a_copy::<4096>();
        let [via_stack, via_heap] = run_children([
            "escape_heap::large_value_via_stack",
            "escape_heap::large_value_via_heap",
        ])?;
        Ok(PassLarge { sizes, copied_kept, copied_moved, via_stack, via_heap })
    })
}
