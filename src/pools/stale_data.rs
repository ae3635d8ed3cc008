//! Stale data: what the seeds' pools expose or copy, each port run beside its
//! fix on the same input. A response that carries the previous request's
//! bytes (D47), a class-length buffer with a stale tail (D38), a truncated
//! buffer the pool drops (D39), a pipeline that pads and allocates (D49).
//! Each function returns what it saw (lengths, bytes, allocation counts); no
//! timing. [`super::figures`] runs each once per run for the tables and the
//! checks. Allocation counts need the counting allocator in the binary.

use crate::measure::alloc::measure;
use crate::pools::case_studies;
use crate::pools::seed_port::{SeedTieredPool, seed_process, seed_serve};
use crate::pools::size_class::SizeClassPool;
use std::hint::black_box;

/// The secret request 1 writes in [`stale_response`].
pub const SECRET: &[u8] = b"user=alice token=7f3c9a1e";
/// The part of [`SECRET`] that identifies a leak.
pub const TOKEN: &[u8] = b"token=7f3c9a1e";
/// What request 2's handler writes.
pub const HELLO: &[u8] = b"hello bob";

/// Two requests through the seed's `ServeHTTP` and through [`case_studies::serve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleResponse {
    /// Length of request 2's response, seed port.
    pub seed_len: usize,
    /// Request 2's response contains request 1's secret, seed port.
    pub seed_leaks: bool,
    /// Length of request 2's response, fix.
    pub fixed_len: usize,
    /// Request 2's response contains the secret, fix.
    pub fixed_leaks: bool,
    /// The fix's response is exactly what the handler wrote.
    pub fixed_exact: bool,
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// ANCHOR: stale_response
/// Request 1 (alice) puts a secret in its response; request 2 (bob) writes
/// `hello bob`. Does bob's response contain alice's secret?
pub fn stale_response() -> StaleResponse {
    let seed_pool = SeedTieredPool::default();
    let _alice = seed_serve(&seed_pool, |buf| {
        buf[..SECRET.len()].copy_from_slice(SECRET);
        SECRET.len()
    });
    let bob = seed_serve(&seed_pool, |buf| {
        buf[..HELLO.len()].copy_from_slice(HELLO);
        HELLO.len()
    });

    let pool = SizeClassPool::local(64, 4096, 8);
    let mut sink = Vec::new();
    case_studies::serve(&pool, &mut sink, |b| b.extend_from_slice(SECRET))
        .expect("Vec sink");
    let mut bob_fixed = Vec::new();
    case_studies::serve(&pool, &mut bob_fixed, |b| b.extend_from_slice(HELLO))
        .expect("Vec sink");
    StaleResponse {
        seed_len: bob.len(),
        seed_leaks: contains(&bob, TOKEN),
        fixed_len: bob_fixed.len(),
        fixed_leaks: contains(&bob_fixed, TOKEN),
        fixed_exact: bob_fixed == HELLO,
    }
}
// ANCHOR_END: stale_response

/// The request size of [`class_length`] and [`truncated_reuse`].
pub const REQUEST: usize = 100;

/// A 100-byte request after a 128-byte user filled its buffer with `0xAA`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassLength {
    /// The length asked for ([`REQUEST`]).
    pub requested: usize,
    /// `len()` the seed port hands out.
    pub seed_len: usize,
    /// Bytes past the requested 100 that still hold the last user's `0xAA`.
    pub seed_stale: usize,
    /// `len()` the size-class pool hands out.
    pub fixed_len: usize,
    /// Its `capacity()`.
    pub fixed_capacity: usize,
    /// Bytes of `0xAA` inside the fixed buffer's length.
    pub fixed_stale: usize,
}

/// `Allocate(100)` after a previous user wrote `0xAA` over a 128-byte buffer.
pub fn class_length() -> ClassLength {
    let seed = SeedTieredPool::default();
    let mut prev = seed.allocate(128);
    prev.fill(0xAA);
    seed.free(prev);
    let mut mine = seed.allocate(REQUEST);
    mine[..REQUEST].fill(b'x'); // the new user writes the 100 bytes it asked for
    let seed_stale = mine[REQUEST..].iter().filter(|&&b| b == 0xAA).count();

    let pool = SizeClassPool::local(8, 4096, 8);
    let mut prev = pool.get(128);
    prev.fill(0xAA);
    pool.put(prev);
    let fixed = pool.get(REQUEST);
    ClassLength {
        requested: REQUEST,
        seed_len: mine.len(),
        seed_stale,
        fixed_len: fixed.len(),
        fixed_capacity: fixed.capacity(),
        fixed_stale: fixed.iter().filter(|&&b| b == 0xAA).count(),
    }
}

/// A buffer truncated to 10 bytes, returned, then a new request of 100.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TruncatedReuse {
    /// Idle buffers in the seed pool after the truncated `Free`.
    pub seed_idle_after_free: usize,
    /// Allocations made by the seed pool's next `Allocate(100)`.
    pub seed_allocs_next: u64,
    /// Idle buffers in the size-class pool after the truncated `put`.
    pub fixed_idle_after_put: usize,
    /// Allocations made by its next `get(100)`.
    pub fixed_allocs_next: u64,
    /// The fix hands back the same buffer.
    pub fixed_same_buffer: bool,
}

/// `buf[:10]` (Go) / `truncate(10)` (Rust), returned, then `100` again.
pub fn truncated_reuse() -> TruncatedReuse {
    let seed = SeedTieredPool::default();
    let mut b = seed.allocate(REQUEST);
    b.truncate(10);
    seed.free(b);
    let seed_idle_after_free = seed.idle();
    let (b, c) = measure(|| seed.allocate(REQUEST));
    drop(b);

    let pool = SizeClassPool::local(8, 4096, 8);
    let mut b = pool.get(REQUEST);
    let ptr = b.as_ptr();
    b.truncate(10);
    pool.put(b);
    let fixed_idle_after_put = pool.idle();
    let (b2, c2) = measure(|| pool.get(REQUEST));
    TruncatedReuse {
        seed_idle_after_free,
        seed_allocs_next: c.allocs,
        fixed_idle_after_put,
        fixed_allocs_next: c2.allocs,
        fixed_same_buffer: b2.as_ptr() == ptr,
    }
}

/// The item [`pipeline`] runs last, after one of 128 bytes, to read its
/// output length and stale tail.
pub const PROBE: usize = 100;

/// The pipeline stage of seed 001 §6.1.1.10.2 against copy and move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// Items processed per variant.
    pub items: u64,
    /// Items whose output length differs from the input length, seed port.
    pub seed_wrong_len: u64,
    /// Length of the probe item run after the sweep ([`PROBE`]).
    pub probe_len: usize,
    /// Output length for a 100-byte input, seed port.
    pub seed_len_of_100: usize,
    /// Bytes of that output left by the previous item (128 bytes of `z`).
    pub seed_stale_of_100: usize,
    /// Allocations in the stage, seed port (after warm-up).
    pub seed_allocs: u64,
    /// Allocations in the stage, a plain copy per item (no pool).
    pub copy_allocs: u64,
    /// Allocations in the stage, move + transform in place.
    pub move_allocs: u64,
    /// Items whose output length differs, move version.
    pub move_wrong_len: u64,
    /// Output length for a 100-byte input, move version.
    pub move_len_of_100: usize,
}

/// Runs `items` inputs of lengths 1 ..= 5000 through each stage.
pub fn pipeline(items: u64) -> Pipeline {
    let len_of = |i: u64| (i * 37 % 5000 + 1) as usize;
    let inputs: Vec<Vec<u8>> =
        (0..items).map(|i| vec![b'a' + (i % 26) as u8; len_of(i)]).collect();
    let seed = SeedTieredPool::default();
    for data in &inputs {
        drop(seed_process(&seed, data)); // warm-up: every class gets a buffer
    }
    let (seed_wrong_len, c_seed) = measure(|| {
        inputs
            .iter()
            .filter(|d| black_box(seed_process(&seed, d)).len() != d.len())
            .count()
    });
    let (_, c_copy) = measure(|| {
        for d in &inputs {
            black_box(case_studies::process_by_copy(d));
        }
    });
    let owned = inputs.clone();
    // The outputs go to the "consumer": room made before counting starts.
    let mut consumer: Vec<Vec<u8>> = Vec::with_capacity(owned.len());
    let (move_wrong_len, c_move) = measure(|| {
        let mut wrong = 0;
        for d in owned {
            let n = d.len();
            let out = black_box(case_studies::process_in_place(d));
            wrong += u64::from(out.len() != n);
            consumer.push(out);
        }
        wrong
    });
    drop(consumer);
    let _ = seed_process(&seed, &[b'z'; 128]); // fills the 128-byte class
    let out = seed_process(&seed, &[b'y'; PROBE]);
    Pipeline {
        items,
        seed_wrong_len: seed_wrong_len as u64,
        probe_len: PROBE,
        seed_len_of_100: out.len(),
        seed_stale_of_100: out[PROBE..].iter().filter(|&&b| b == b'z').count(),
        seed_allocs: c_seed.allocs,
        copy_allocs: c_copy.allocs,
        move_allocs: c_move.allocs,
        move_wrong_len,
        move_len_of_100: case_studies::process_in_place(vec![b'y'; PROBE]).len(),
    }
}
