//! The counting allocator against dhat's testing mode on the same workload:
//! every allocation of the workload passes through both, and their totals
//! must agree. A binary of its own, because dhat has to be the global
//! allocator of the binary it measures.
//!
//! The global allocator here is `Outer`: it hands each top-level call to
//! `CountingAlloc<dhat::Alloc>` (our counters, then dhat's), and hands
//! the calls dhat makes for its own bookkeeping (a backtrace, a hash-map
//! entry, made while one of ours is in progress on the thread) straight to
//! `System`. dhat leaves those out of its own figures too; without the
//! filter our counters would see them and dhat would not.

use perf_workbook::measure::alloc::{AllocCounts, CountingAlloc, measure};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashMap;
use std::hint::black_box;

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

static COUNTED: CountingAlloc<dhat::Alloc> = CountingAlloc::new(dhat::Alloc);

struct Outer;

/// Runs `top` for a call made by the program, `nested` for one made while
/// another is in progress on this thread (dhat's own).
fn route<R>(top: impl FnOnce() -> R, nested: impl FnOnce() -> R) -> R {
    if INSIDE.replace(true) {
        return nested();
    }
    let r = top();
    INSIDE.set(false);
    r
}

// SAFETY: every call goes, unchanged, to `COUNTED` (which forwards to
// dhat::Alloc, which forwards to System) or to System itself; both end in
// System, so a block from either path may be freed or reallocated by either.
unsafe impl GlobalAlloc for Outer {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, forwarded.
        route(|| unsafe { COUNTED.alloc(layout) }, || unsafe { System.alloc(layout) })
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        route(
            // SAFETY: the caller's layout, forwarded.
            || unsafe { COUNTED.alloc_zeroed(layout) },
            // SAFETY: as above.
            || unsafe { System.alloc_zeroed(layout) },
        )
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        route(
            // SAFETY: the caller's block and layout, forwarded.
            || unsafe { COUNTED.dealloc(ptr, layout) },
            // SAFETY: as above; every path allocates from System.
            || unsafe { System.dealloc(ptr, layout) },
        )
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        route(
            // SAFETY: the caller's arguments, forwarded.
            || unsafe { COUNTED.realloc(ptr, layout, new_size) },
            // SAFETY: as above.
            || unsafe { System.realloc(ptr, layout, new_size) },
        )
    }
}

#[global_allocator]
static GLOBAL: Outer = Outer;

/// Allocations of every kind: boxes, a growing `Vec` (reallocs), strings, a
/// hash map, a zeroed buffer, and a peak that is not the end state.
fn workload() {
    let mut v: Vec<u64> = Vec::new();
    for i in 0..1000 {
        v.push(i); // grows by reallocation
    }
    let boxes: Vec<Box<[u8; 48]>> = (0..100).map(|i| Box::new([i as u8; 48])).collect();
    let mut map = HashMap::new();
    for i in 0..200u32 {
        map.insert(i, format!("value {i}"));
    }
    let zeroed = vec![0u8; 1 << 16];
    black_box((&v, &boxes, &map, &zeroed));
    drop(zeroed);
    drop(boxes);
    let kept: Vec<String> = (0..50).map(|i| i.to_string().repeat(3)).collect();
    drop(map);
    black_box((v, kept));
}

#[test]
fn the_counting_allocator_agrees_with_dhat() {
    // The first check allocates one byte to see whether it is counted; do
    // it before dhat starts, so that the measured scope begins with nothing
    // either side has seen and the other has not.
    assert!(perf_workbook::measure::alloc::is_installed());
    let _profiler = dhat::Profiler::builder().testing().build();
    let ((), ours): ((), AllocCounts) = measure(workload);
    let dhat = dhat::HeapStats::get();
    // dhat counts a realloc as a block and its new size as bytes, like
    // `calls()` and `bytes_requested`.
    assert_eq!(dhat.total_blocks, ours.calls(), "{ours:?} against {dhat:?}");
    assert_eq!(dhat.total_bytes, ours.bytes_requested, "{ours:?} against {dhat:?}");
    assert_eq!(dhat.max_bytes as u64, ours.peak_live_bytes, "{ours:?} against {dhat:?}");
    assert_eq!(dhat.curr_bytes as i64, ours.live_bytes(), "{ours:?} against {dhat:?}");
    assert_eq!(
        dhat.curr_blocks as u64,
        ours.allocs - ours.frees,
        "{ours:?} against {dhat:?}"
    );
    assert!(ours.reallocs > 0 && ours.zeroed_allocs > 0, "the workload exercises both");
}
