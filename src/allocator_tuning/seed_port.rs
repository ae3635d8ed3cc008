//! The seeds' GC-tuning code, ported line by line onto the Rust analogue of
//! each Go call. The Go is described, not copied:
//!
//! - seed 000 §1.2.3 L252-271, `optimizeGC`: sets the GC percentage to 100
//!   (already the default), a 1 GiB memory limit, forces a collection with
//!   `runtime.GC()`, then reads `runtime.MemStats` and prints three figures;
//! - seed 001 §6.1.1.4.2 L257-275, `gcTuning`: the same two knobs, then
//!   `debug.FreeOSMemory()` commented as "force GC", then `ReadGCStats`;
//! - seed 001 §6.1.1.9.2 L851-869, `memoryUsageOptimization`: a 1 MiB slice
//!   set to nil "to release it", a `sync.Pool` that is never used, a comment
//!   recommending fixed-size object pools against fragmentation, a 1 GiB limit;
//! - seed 003 最佳实践4 L451-462, an `init()` that hard-codes a 100 MB memory
//!   limit and a GC percentage of 50 for the whole process.
//!
//! | Go | Rust analogue here |
//! |---|---|
//! | `debug.SetGCPercent(100)` | `mallopt(M_TRIM_THRESHOLD, 128 KiB)`: glibc's default, so a no-op too |
//! | `debug.SetMemoryLimit(n)` | [`LimitAlloc::set_cap`] |
//! | `runtime.GC()`, `debug.FreeOSMemory()` | `malloc_trim(0)` |
//! | `runtime.ReadMemStats`, `debug.ReadGCStats` | `mallinfo2()` (locks every arena while it walks it) |
//! | `init()` | the first thing a process runs, before the program's own code |
//!
//! [`super::forced`] runs the first two in a hot loop, [`super::knobs`] the
//! last one against an operator's setting.

use super::glibc::{self, HeapInfo};
use super::limit::LimitAlloc;
use std::alloc::System;
use std::io::Write;

/// glibc's default `M_TRIM_THRESHOLD` (128 KiB), the analogue of GOGC's 100.
pub const DEFAULT_TRIM_THRESHOLD: i32 = 128 << 10;

// ANCHOR: optimize_gc
/// seed 000's `optimizeGC`, ported: two knobs, a forced reclaim, statistics.
pub fn optimize_gc(limit: &LimitAlloc<System>, out: &mut impl Write) -> Option<HeapInfo> {
    // "Set the GC target percentage" to its default: changes nothing.
    glibc::mallopt(glibc::M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD);
    // "Set the memory limit": 1 GiB.
    limit.set_cap(1 << 30);
    // "Trigger a GC by hand": give every free page back to the OS, now.
    glibc::malloc_trim();
    // "Get GC statistics": walks every arena under its lock.
    let info = glibc::mallinfo2();
    if let Some(i) = info {
        let _ =
            writeln!(out, "in use: {} bytes, free held: {} bytes", i.in_use, i.free_held);
    }
    info
}
// ANCHOR_END: optimize_gc

// ANCHOR: gc_tuning
/// seed 001's `gcTuning`, ported: the same knobs, then the call the seed
/// comments as "force GC", which gives memory back to the OS.
pub fn gc_tuning(limit: &LimitAlloc<System>, out: &mut impl Write) -> Option<HeapInfo> {
    glibc::mallopt(glibc::M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD);
    limit.set_cap(1 << 30);
    // 强制GC ("force GC"), says the seed: it is FreeOSMemory.
    glibc::malloc_trim();
    let info = glibc::mallinfo2();
    if let Some(i) = info {
        let _ = writeln!(out, "free held after the trim: {} bytes", i.free_held);
    }
    info
}
// ANCHOR_END: gc_tuning

/// What [`memory_usage_optimization`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageSteps {
    /// Bytes the "large object" had.
    pub large_len: usize,
    /// Buffers ever taken from the pool (the seed never uses it).
    pub pool_uses: usize,
    /// The cap the limit ends with.
    pub cap: usize,
}

/// seed 001's `memoryUsageOptimization`, ported. In Rust, step 1's
/// "explicit release" is `drop`, and it frees at once (no collector to wait
/// for); the pool of step 2 is as unused as the seed's; step 3 is a comment
/// in the seed and [`super::churn::FixedPool`] here.
pub fn memory_usage_optimization(limit: &LimitAlloc<System>) -> UsageSteps {
    // 1. Release large objects promptly.
    let large = std::hint::black_box(vec![0u8; 1 << 20]);
    let large_len = large.len();
    drop(large);
    // 2. A pool "to reduce GC pressure", never used.
    let pool: Vec<Vec<u8>> = Vec::new();
    // 3. Avoid fragmentation with fixed-size object pools (a comment only).
    // 4. A reasonable memory limit.
    limit.set_cap(1 << 30);
    UsageSteps { large_len, pool_uses: pool.len(), cap: limit.cap() }
}

// ANCHOR: seed_init
/// seed 003's `init()`, ported: process-wide knobs hard-coded where the
/// operator cannot see them, run before the program's own code. The arena
/// limit stands in for the seed's memory limit and GC percentage: it is the
/// glibc knob an operator sets from outside (`MALLOC_ARENA_MAX`), and this
/// overrides it.
pub fn seed_init() {
    glibc::mallopt(glibc::M_ARENA_MAX, 8);
    glibc::mallopt(glibc::M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD / 2); // "GOGC=50"
}
// ANCHOR_END: seed_init

#[cfg(test)]
mod tests {
    use super::*;

    // optimize_gc, gc_tuning and seed_init change glibc for the whole
    // process (mallopt also switches off its dynamic mmap threshold), so
    // they run in child processes: tests/allocator_tuning.
    #[test]
    fn the_usage_port_frees_at_once_and_sets_the_limit() {
        let s = memory_usage_optimization(&LimitAlloc::new(System, 0));
        assert_eq!((s.large_len, s.pool_uses, s.cap), (1 << 20, 0, 1 << 30));
    }
}
