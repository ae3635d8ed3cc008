//! Faithful Rust ports of the seeds' code this chapter judges: benchmark
//! bodies written the way the seeds wrote them, and seed 004's size test.
//! Each port is described and cited, never copied; the honest versions live
//! beside their subjects ([`super::elision`], [`super::tiny_pool`]).
//!
//! Every loop runs its own iterations and calls `black_box(())` once per
//! iteration, as a benchmark harness does with a routine's result, so the
//! loop itself survives and only the *body* can disappear. `#[inline(never)]`
//! keeps each one a function of its own, compiled once in this library: the
//! CLI, the example and the bench run the same machine code.

use super::tiny_pool::{BUFFER_CAPACITY, BoxingPool, TinyBytePool};
use std::hint::black_box;

// ANCHOR: make_1024_unused
/// Seed 001 §6.1.1.8.2 L777-784 (`BenchmarkMemoryAllocation`): each iteration
/// makes a zeroed 1024-byte buffer and discards it. Nothing reads it, so
/// LLVM may remove the `alloc_zeroed`/`dealloc` pair, and the loop measures
/// only itself.
#[inline(never)]
pub fn make_1024_unused(iters: u64) {
    for _ in 0..iters {
        let buf = vec![0u8; 1024];
        drop(buf);
        black_box(()); // what the harness does with a routine returning ()
    }
}
// ANCHOR_END: make_1024_unused

/// Seed 000 §1.5.2 L764-771 (`DirectAllocation`): a buffer with capacity
/// 1024, nine bytes appended, the result unused.
#[inline(never)]
pub fn append_1024_unused(iters: u64) {
    for _ in 0..iters {
        let mut buf: Vec<u8> = Vec::with_capacity(1024);
        buf.extend_from_slice(b"test data");
        drop(buf);
        black_box(());
    }
}

/// Seed 000 §1.5.2 L748-762 (`ObjectPool`): get a buffer from the pool,
/// append nine bytes, put it back; here through the chapter's
/// [`TinyBytePool`], observed with `black_box` as in a real program.
#[inline(never)]
pub fn object_pool_append_put(iters: u64) {
    let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 16);
    pool.put(Vec::with_capacity(BUFFER_CAPACITY));
    for _ in 0..iters {
        let p = black_box(&mut pool);
        let mut buf = p.get();
        buf.extend_from_slice(b"test data");
        p.put(black_box(buf));
    }
}

/// Seed 001 §6.1.1.8.2 L801-810 (`BenchmarkMemoryPool`) over its
/// `MemoryPool` (§6.1.1.6.1 L459-483), which keeps each `[]byte` in a
/// `sync.Pool`, boxing it in an `interface{}`: get+put through
/// [`BoxingPool`], which boxes every buffer it stores.
#[inline(never)]
pub fn memory_pool_get_put(iters: u64) {
    let mut pool = BoxingPool::new();
    pool.put(Vec::with_capacity(BUFFER_CAPACITY));
    for _ in 0..iters {
        let p = black_box(&mut pool);
        let buf = p.get();
        p.put(black_box(buf));
    }
}

// ANCHOR: seed_004_alloc
/// Seed 004 L105: `Alloc` sends a buffer to `allocLargeBuffer` (mmap) only
/// when `size > 10*1024*1024`.
pub const SEED_004_MMAP_THRESHOLD: u64 = 10 * 1024 * 1024;

/// Whether seed 004's `Alloc` would take its mmap path for `bytes`.
pub fn seed_004_takes_mmap_path(bytes: u64) -> bool {
    bytes > SEED_004_MMAP_THRESHOLD
}
// ANCHOR_END: seed_004_alloc

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_10_mb_row_never_takes_the_mmap_path() {
        assert!(!seed_004_takes_mmap_path(10 << 20));
        assert!(seed_004_takes_mmap_path((10 << 20) + 1));
    }
}
