//! The benchmark that measures nothing: a loop whose allocation is never
//! used, which an optimising compiler may delete, beside the same loop with
//! `std::hint::black_box`, which it may not.
//!
//! The `unused` loops are the seeds' benchmark bodies, ported faithfully in
//! [`super::seed_port`]; the `kept` loops here are the honest versions. Every
//! loop calls `black_box` once per iteration, exactly like a benchmark
//! harness does with the routine's result (criterion's `b.iter` does that
//! with the value the closure returns), so the loop itself always survives:
//! only the *body* can disappear.
//!
//! What the optimiser does here is decided when this library is compiled
//! (`#[inline(never)]` keeps each loop a function of its own), so the same
//! machine code runs in the CLI, the example and the bench. In a debug build
//! nothing is deleted; the tests therefore assert only what holds in both
//! profiles (the kept loops allocate exactly once per iteration).
//!
//! Not here: the pools (see [`super::tiny_pool`]) and the timing helpers
//! ([`super::timing`]).

use super::seed_port;
use std::hint::black_box;

// ANCHOR: make_1024_kept
/// The honest version of seed 001's loop: `black_box` receives the buffer, so
/// the compiler must assume something reads it, and the allocation has to
/// happen.
#[inline(never)]
pub fn make_1024_kept(iters: u64) {
    for _ in 0..iters {
        let buf = vec![0u8; 1024];
        drop(black_box(buf));
    }
}
// ANCHOR_END: make_1024_kept

/// [`seed_port::append_1024_unused`] with the buffer passed to `black_box`.
#[inline(never)]
pub fn append_1024_kept(iters: u64) {
    for _ in 0..iters {
        let mut buf: Vec<u8> = Vec::with_capacity(1024);
        buf.extend_from_slice(b"test data");
        drop(black_box(buf));
    }
}

/// A boxed `u64`, never read.
#[inline(never)]
pub fn box_u64_unused(iters: u64) {
    for i in 0..iters {
        let b = Box::new(i);
        drop(b);
        black_box(());
    }
}

/// [`box_u64_unused`] with the box passed to `black_box`.
#[inline(never)]
pub fn box_u64_kept(iters: u64) {
    for i in 0..iters {
        drop(black_box(Box::new(i)));
    }
}

/// The empty body: what a benchmark loop costs when there is nothing in it.
#[inline(never)]
pub fn empty_loop(iters: u64) {
    for _ in 0..iters {
        black_box(());
    }
}

/// How much faster an unused loop must run than its kept twin before the
/// chapter calls its body deleted: a body that runs 3× faster than the same
/// body kept does less than a third of its work. (Where the counting
/// allocator is installed, zero allocator calls per iteration says it too.)
pub const DELETED_RATIO: f64 = 3.0;

/// One workload of the elision table: the seed's body, unused and kept.
#[derive(Clone, Copy, Debug)]
pub struct ElisionPair {
    /// Short name for tables.
    pub name: &'static str,
    /// Where the seed's benchmark is, when it ports one.
    pub seed: &'static str,
    /// The faithful port: the result is never used.
    pub unused: fn(u64),
    /// The honest version: the result goes through `black_box`.
    pub kept: fn(u64),
}

/// The three workloads the chapter measures.
pub const PAIRS: [ElisionPair; 3] = [
    ElisionPair {
        name: "vec![0u8; 1024]",
        seed: "seed 001 §6.1.1.8.2 L777-784",
        unused: seed_port::make_1024_unused,
        kept: make_1024_kept,
    },
    ElisionPair {
        name: "with_capacity(1024) + 9 B",
        seed: "seed 000 §1.5.2 L764-771",
        unused: seed_port::append_1024_unused,
        kept: append_1024_kept,
    },
    ElisionPair {
        name: "Box::new(u64)",
        seed: "(control)",
        unused: box_u64_unused,
        kept: box_u64_kept,
    },
];
