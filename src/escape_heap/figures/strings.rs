//! Filling a `Vec` and building a `String` (seed 003 策略2-3, seed 001
//! §6.1.1.9.1), and the seed's pooled build with its `defer`.

use super::common::{
    ESTIMATE, Figure, ITEM_LEN, ITEMS, SEED_LEN, count, ns_per_call_each, once,
};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::escape_heap::bytepool;
use crate::escape_heap::growth::{self as g, max_reallocs, min_non_zero_cap};
use crate::escape_heap::seed_port::{self, GoBytePool};
use crate::measure::alloc::AllocCounts;
use std::hint::black_box;

/// One way of filling a `Vec` of [`SEED_LEN`] `i64`.
#[derive(Debug)]
pub struct Fill {
    /// What it is.
    pub name: &'static str,
    /// Its allocations.
    pub counts: AllocCounts,
    /// Median time per fill (the four fills timed in alternating batches) …
    pub ns: f64,
    /// … and of `collect`, in the same batches.
    pub collect_ns: f64,
}

impl Fill {
    /// Time relative to `collect`.
    pub fn vs_collect(&self) -> f64 {
        self.ns / self.collect_ns
    }
}

/// Seed 003 策略2 (C001-35, C003-12, C003-13, C003-14).
#[derive(Debug)]
pub struct Growth {
    /// Push from empty.
    pub push: Fill,
    /// `with_capacity` + push.
    pub with_capacity: Fill,
    /// `vec![0; n]` + index assignment.
    pub index: Fill,
    /// `collect()`.
    pub collect: Fill,
    /// Reallocation bound for push from empty (doublings from the first capacity).
    pub bound: u64,
    /// (element, its size, first capacity, reallocations counted, bound) for
    /// 1000 pushes of elements of three sizes.
    pub first_capacity: Vec<(&'static str, usize, usize, u64, u64)>,
}

/// Pushes `n` copies of `item` into an empty `Vec`.
fn pushes<T: Copy>(item: T, n: usize) -> AllocCounts {
    count(|| {
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(black_box(item));
        }
        v
    })
}

/// The fills, counted and timed against `collect`.
pub fn growth(ctx: &Ctx) -> Figure<Growth> {
    static CELL: PerRun<Result<Growth, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = black_box(SEED_LEN);
        let (rounds, iters) = ctx.pick((9, 2000), (5, 500));
        type FillFn = fn(usize) -> Vec<i64>;
        let fills: [(&'static str, FillFn); 4] = [
            ("push from empty", g::push_from_empty),
            ("with_capacity + push", g::push_with_capacity),
            ("vec![0; n] + index (\"even better\")", g::zeroed_then_index),
            ("collect()", g::collect_range),
        ];
        let mut run = fills.map(|(_, f)| move || drop(black_box(f(black_box(n)))));
        let [a, b, c, d] = &mut run;
        let ns = ns_per_call_each(rounds, iters, [a, b, c, d]);
        let [push, with_capacity, index, collect] = std::array::from_fn(|i| {
            let (name, f) = fills[i];
            Fill { name, counts: count(|| f(n)), ns: ns[i], collect_ns: ns[3] }
        });
        let first_capacity = [
            ("u8", 1, pushes(1u8, n)),
            ("i64", 8, pushes(1i64, n)),
            ("[u8; 2048]", 2048, pushes([1u8; 2048], n)),
        ]
        .into_iter()
        .map(|(name, size, c)| {
            let first = min_non_zero_cap(size);
            (name, size, first, c.reallocs, max_reallocs(first, n))
        })
        .collect();
        Ok(Growth {
            push,
            with_capacity,
            index,
            collect,
            bound: max_reallocs(min_non_zero_cap(size_of::<i64>()), n),
            first_capacity,
        })
    })
}

/// One way of building a string from the items.
#[derive(Debug)]
pub struct Build {
    /// What it is.
    pub name: &'static str,
    /// Its allocations.
    pub counts: AllocCounts,
    /// Median time per build, and of `concat` in the same batches (`None`
    /// for rows that are not timed).
    pub ns: Option<(f64, f64)>,
}

/// Seed 003 策略3 and seed 001 §6.1.1.9.1 (C001-37, C003-15 … C003-18).
#[derive(Debug)]
pub struct Strings {
    /// The faithful port of Go's `result += item` (immutable strings).
    pub go_plus_assign: Build,
    /// Rust's `String += &str`.
    pub plus_assign: Build,
    /// `s = s + item`.
    pub plus: Build,
    /// `s = format!("{s}{item}")`.
    pub format_loop: Build,
    /// `with_capacity(n × 10)` + `push_str` on items of [`ITEM_LEN`] bytes.
    pub builder: Build,
    /// The same on items of 15 bytes (the estimate is outgrown).
    pub builder_long: Build,
    /// The same on items of 1–19 bytes (10 on average, the seed's estimate).
    pub builder_mixed: Build,
    /// `concat()`.
    pub concat: Build,
    /// `join("")`.
    pub join: Build,
    /// The pooled build, per build after one warm-up build.
    pub pooled: Build,
    /// Bound on `+=`'s allocator calls: 1 + doublings from the first capacity.
    pub plus_assign_bound: u64,
    /// Seed 001 L831-835: `"data"` appended [`SEED_LEN`] times to one buffer.
    pub append_loop: AllocCounts,
    /// Its bound: 1 + doublings from 8 B.
    pub append_bound: u64,
}

impl Strings {
    /// The rows in the order the table prints them.
    pub fn rows(&self) -> [&Build; 10] {
        [
            &self.go_plus_assign,
            &self.plus_assign,
            &self.plus,
            &self.format_loop,
            &self.builder,
            &self.builder_long,
            &self.builder_mixed,
            &self.concat,
            &self.join,
            &self.pooled,
        ]
    }
}

/// Seed of the 1–19 B item lengths (any fixed value: the same list every run).
const MIXED_SEED: u64 = 3;

/// The builders, counted and timed against `concat`.
pub fn strings(ctx: &Ctx) -> Figure<Strings> {
    static CELL: PerRun<Result<Strings, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let owned = g::items(ITEMS, ITEM_LEN);
        let items = g::as_strs(&owned);
        let long_owned = g::items(ITEMS, 15);
        let long = g::as_strs(&long_owned);
        let mixed_owned = g::items_of_lengths(ITEMS, 1..=19, MIXED_SEED);
        let mixed = g::as_strs(&mixed_owned);
        let (rounds, batch) = ctx.pick((9, 5), (5, 2));
        type Builder<'a> = (&'static str, Box<dyn Fn() -> String + 'a>);
        let builders: [Builder; 9] = [
            (
                "Go's `result += item`, ported (seed: bad)",
                Box::new(|| {
                    seed_port::go_plus_assign(black_box(&items)).as_str().to_owned()
                }),
            ),
            ("Rust's s += item", Box::new(|| g::plus_assign(black_box(&items)))),
            ("s = s + item", Box::new(|| g::plus(black_box(&items)))),
            (
                "s = format!(\"{s}{item}\")",
                Box::new(|| g::format_loop(black_box(&items))),
            ),
            (
                "with_capacity(n × 10) (seed: good)",
                Box::new(|| g::with_estimate(black_box(&items), ESTIMATE)),
            ),
            (
                "with_capacity(n × 10), 15 B items",
                Box::new(|| g::with_estimate(black_box(&long), ESTIMATE)),
            ),
            (
                "with_capacity(n × 10), 1–19 B items",
                Box::new(|| g::with_estimate(black_box(&mixed), ESTIMATE)),
            ),
            ("concat()", Box::new(|| g::concat(black_box(&items)))),
            ("join(\"\")", Box::new(|| g::join(black_box(&items)))),
        ];
        const CONCAT: usize = 7;
        // Every builder in the same alternating batches, so each time over
        // concat's is taken side by side.
        let mut runs = builders.each_ref().map(|(_, f)| move || drop(black_box(f())));
        let [r0, r1, r2, r3, r4, r5, r6, r7, r8] = &mut runs;
        let ns = ns_per_call_each(rounds, batch, [r0, r1, r2, r3, r4, r5, r6, r7, r8]);
        let [
            go,
            plus_assign,
            plus,
            format_loop,
            builder,
            builder_long,
            builder_mixed,
            concat,
            join,
        ] = std::array::from_fn(|i| Build {
            name: builders[i].0,
            counts: count(&builders[i].1),
            ns: Some((ns[i], ns[CONCAT])),
        });
        // The port's own allocations, without the final copy out.
        let go_counts = count(|| seed_port::go_plus_assign(black_box(&items)));
        let mut pool = bytepool::BytePool::default();
        drop(bytepool::build_string_pooled(&mut pool, &items)); // warm-up
        let pooled =
            count(|| bytepool::build_string_pooled(&mut pool, black_box(&items)));
        Ok(Strings {
            go_plus_assign: Build { counts: go_counts, ..go },
            plus_assign,
            plus,
            format_loop,
            builder,
            builder_long,
            builder_mixed,
            concat,
            join,
            pooled: Build {
                name: "pooled buffer, after warm-up",
                counts: pooled,
                ns: None,
            },
            plus_assign_bound: 1 + max_reallocs(
                ITEM_LEN.max(min_non_zero_cap(1)),
                ITEMS * ITEM_LEN,
            ),
            append_loop: count(|| g::append_to_one_buffer(black_box(SEED_LEN))),
            append_bound: 1 + max_reallocs(min_non_zero_cap(1), 4 * SEED_LEN),
        })
    })
}

/// Allocator calls of three builds at one list length (C003-18).
#[derive(Debug)]
pub struct Cut {
    /// Items in the list.
    pub items: usize,
    /// The Go `+=` port.
    pub go_plus_assign: u64,
    /// Rust's `String +=`.
    pub plus_assign: u64,
    /// `with_capacity(n × 10)`.
    pub builder: u64,
}

impl Cut {
    /// The builder's cut against the Go port.
    pub fn against_go(&self) -> f64 {
        1.0 - self.builder as f64 / self.go_plus_assign as f64
    }
    /// The builder's cut against Rust's `+=`.
    pub fn against_rust(&self) -> f64 {
        1.0 - self.builder as f64 / self.plus_assign as f64
    }
}

/// List lengths at which C003-18's cut is measured.
pub const CUT_LENGTHS: [usize; 3] = [10, 100, 1000];

/// The builder against both `+=` at [`CUT_LENGTHS`].
pub fn string_cuts(ctx: &Ctx) -> Figure<Vec<Cut>> {
    static CELL: PerRun<Result<Vec<Cut>, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        Ok(CUT_LENGTHS
            .iter()
            .map(|&n| {
                let owned = g::items(n, ITEM_LEN);
                let items = g::as_strs(&owned);
                Cut {
                    items: n,
                    go_plus_assign: count(|| {
                        seed_port::go_plus_assign(black_box(&items))
                    })
                    .calls(),
                    plus_assign: count(|| g::plus_assign(black_box(&items))).calls(),
                    builder: count(|| g::with_estimate(black_box(&items), ESTIMATE))
                        .calls(),
                }
            })
            .collect())
    })
}

/// The seed's pooled build with its `defer`, on a model of Go slices (D53).
#[derive(Debug)]
pub struct DeferredPut {
    /// Items (of [`ITEM_LEN`] bytes) and the estimate `Get` was asked for.
    pub items: usize,
    /// `Get(n)` returns length n: output bytes, wanted bytes, leading zeros,
    /// length of the slice put back.
    pub len_n: (usize, usize, usize, usize),
    /// `Get(n)` returns length 0, 15 B items: output correct, output bytes,
    /// capacity put back.
    pub len_0: (bool, usize, usize),
    /// The Rust build, 15 B items: output correct, capacity put back.
    pub rust: (bool, usize),
}

/// The D53 port, run once per run.
pub fn deferred_put(ctx: &Ctx) -> Figure<DeferredPut> {
    static CELL: PerRun<Result<DeferredPut, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let n = 100;
        let owned = g::items(n, ITEM_LEN);
        let items = g::as_strs(&owned);
        let mut pool = GoBytePool::new(true);
        let out = seed_port::build_string_seed_port(&mut pool, &items);
        let zeros = out.bytes().take_while(|&b| b == 0).count();
        let put_back = pool.pooled().first().map_or(0, |s| s.len());
        let long_owned = g::items(n, 15);
        let long = g::as_strs(&long_owned);
        let mut pool = GoBytePool::new(false);
        let out0 = seed_port::build_string_seed_port(&mut pool, &long);
        let cap0 = pool.pooled().first().map_or(0, |s| s.cap());
        let mut rust_pool = bytepool::BytePool::default();
        let rust_out = bytepool::build_string_pooled(&mut rust_pool, &long);
        let rust_ok = rust_out == long.concat();
        if !rust_ok {
            return Err("the Rust pooled build gave a wrong string".into());
        }
        Ok(DeferredPut {
            items: n,
            len_n: (out.len(), items.concat().len(), zeros, put_back),
            len_0: (out0 == long.concat(), out0.len(), cap0),
            rust: (rust_ok, rust_pool.capacities().first().copied().unwrap_or(0)),
        })
    })
}
