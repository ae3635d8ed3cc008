//! A counting global allocator: every `alloc`, `alloc_zeroed`, `realloc` and
//! `dealloc` is forwarded to the wrapped allocator and counted **per thread**.
//!
//! Install it with one line at the top level of a binary, test or bench, then
//! measure a closure or a scope:
//!
//! ```
//! perf_workbook::count_allocations!();
//!
//! fn main() {
//!     use perf_workbook::measure::alloc::measure;
//!     let (v, counts) = measure(|| vec![0u64; 1000]);
//!     assert_eq!((counts.allocs, counts.zeroed_allocs), (1, 1));
//!     assert_eq!(counts.bytes_requested, 8000);
//!     assert_eq!(v.len(), 1000);
//! }
//! ```
//!
//! Why per thread: `cargo test` runs tests on parallel threads, so a process-wide
//! counter would mix one test's allocations into another's.
//!
//! Why `alloc_zeroed` is forwarded: a wrapper that only overrides `alloc` gets
//! the trait's default `alloc_zeroed`, which is `alloc` + `memset`. Then every
//! `vec![0u8; n]` touches all its pages, and a debug build reproduces seed 004's
//! "1 GB takes 1.6 s" problem that the real allocator does not have. The test
//! `alloc_zeroed_stays_lazy` in this module guards against that.
//!
//! What it cannot tell you: whether an allocation nobody uses really happened.
//! In a release build of the crate that installs it, LLVM may inline this
//! wrapper, keep its bookkeeping and delete the `malloc`/`free` inside it: the
//! count says 1, no memory was allocated (chapter 0 shows it). Keep results
//! alive with `std::hint::black_box` when counting, as when timing.
//!
//! What it does not see: memory mapped with `mmap` directly (memmap2, the
//! `mmap` chapter), and allocations made on other threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// Counters of one thread, as a snapshot or as a difference of two snapshots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AllocCounts {
    /// Calls to `alloc` and `alloc_zeroed`.
    pub allocs: u64,
    /// Of `allocs`, the calls to `alloc_zeroed`.
    pub zeroed_allocs: u64,
    /// Calls to `realloc`.
    pub reallocs: u64,
    /// Calls to `dealloc`.
    pub frees: u64,
    /// Bytes asked for by `alloc`, `alloc_zeroed` and `realloc` (the new size).
    pub bytes_requested: u64,
    /// Bytes handed back by `dealloc` (and the old size of each `realloc`).
    pub bytes_freed: u64,
    /// Highest value of live bytes (requested − freed) seen on this thread.
    /// In a difference, the peak above the live bytes at the start.
    pub peak_live_bytes: u64,
}

impl AllocCounts {
    /// Bytes still allocated: requested minus freed. Negative when this thread
    /// freed memory that another thread allocated.
    pub fn live_bytes(&self) -> i64 {
        self.bytes_requested as i64 - self.bytes_freed as i64
    }

    /// Allocator calls of any kind except frees (allocs + reallocs).
    pub fn calls(&self) -> u64 {
        self.allocs + self.reallocs
    }
}

// ANCHOR: counters
// One `const`, `Copy`, destructor-free thread-local per counter: no lazy
// initialisation, no destructor, so the allocator may touch them at any point
// of a thread's life, even while thread-locals are being torn down; and each
// update is one load and one store of its own word. Live bytes are not kept:
// they are `REQUESTED - FREED`, so a free updates two counters and
// only an allocation looks at the peak, with a branch that is almost never
// taken once the peak has been reached.
thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static ZEROED: Cell<u64> = const { Cell::new(0) };
    static REALLOCS: Cell<u64> = const { Cell::new(0) };
    static FREES: Cell<u64> = const { Cell::new(0) };
    static REQUESTED: Cell<u64> = const { Cell::new(0) };
    static FREED: Cell<u64> = const { Cell::new(0) };
    static PEAK: Cell<u64> = const { Cell::new(0) };
}

#[inline(always)]
fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>, by: u64) -> u64 {
    let v = counter.get().wrapping_add(by);
    counter.set(v);
    v
}

/// Raises the peak to the live bytes, `requested - FREED`, if they are above it.
#[inline(always)]
fn raise_peak(requested: u64) {
    let live = requested.wrapping_sub(FREED.get()) as i64;
    if live > PEAK.get() as i64 {
        PEAK.set(live as u64);
    }
}
// ANCHOR_END: counters

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// A [`GlobalAlloc`] that forwards every call to `A` and counts it per thread.
pub struct CountingAlloc<A = System> {
    inner: A,
}

impl<A> CountingAlloc<A> {
    /// Wraps `inner`.
    pub const fn new(inner: A) -> Self {
        Self { inner }
    }
}

impl CountingAlloc<System> {
    /// Wraps the system allocator (glibc malloc on Linux).
    pub const fn system() -> Self {
        Self::new(System)
    }
}

// SAFETY: every method forwards to `inner` with the caller's arguments
// unchanged and returns its result unchanged; the counting has no effect on
// the memory handed out. `GlobalAlloc`'s contract is therefore `A`'s.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout, which meets `alloc`'s contract.
        let p = unsafe { self.inner.alloc(layout) };
        if !p.is_null() {
            bump(&ALLOCS, 1);
            raise_peak(bump(&REQUESTED, layout.size() as u64));
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout. Forwarding (instead of
        // the default alloc + memset) keeps calloc's lazily zeroed pages.
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if !p.is_null() {
            bump(&ALLOCS, 1);
            bump(&ZEROED, 1);
            raise_peak(bump(&REQUESTED, layout.size() as u64));
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` came from this allocator with `layout`.
        unsafe { self.inner.dealloc(ptr, layout) };
        bump(&FREES, 1);
        bump(&FREED, layout.size() as u64);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's arguments meet `realloc`'s contract; forwarded as is.
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            bump(&REALLOCS, 1);
            bump(&FREED, layout.size() as u64);
            raise_peak(bump(&REQUESTED, new_size as u64));
        }
        p
    }
}

/// Installs [`CountingAlloc`] over the system allocator as this binary's
/// global allocator. One line at the top level of a binary, test or bench.
#[macro_export]
macro_rules! count_allocations {
    () => {
        #[global_allocator]
        static PERF_WORKBOOK_COUNTING_ALLOC: $crate::measure::alloc::CountingAlloc =
            $crate::measure::alloc::CountingAlloc::system();
    };
}

/// This thread's counters since it started.
pub fn snapshot() -> AllocCounts {
    AllocCounts {
        allocs: ALLOCS.get(),
        zeroed_allocs: ZEROED.get(),
        reallocs: REALLOCS.get(),
        frees: FREES.get(),
        bytes_requested: REQUESTED.get(),
        bytes_freed: FREED.get(),
        peak_live_bytes: PEAK.get(),
    }
}

fn live_now() -> i64 {
    REQUESTED.get().wrapping_sub(FREED.get()) as i64
}

/// True when the running binary's global allocator is a [`CountingAlloc`].
pub fn is_installed() -> bool {
    if INSTALLED.load(Ordering::Relaxed) {
        return true;
    }
    let before = snapshot().allocs;
    // `alloc_zeroed` sets INSTALLED; `black_box` keeps the allocation alive.
    drop(std::hint::black_box(vec![0u8; 1]));
    snapshot().allocs > before || INSTALLED.load(Ordering::Relaxed)
}

/// A measuring scope on the current thread: counts what happens between
/// [`AllocScope::start`] and [`AllocScope::counts`].
#[derive(Debug)]
pub struct AllocScope {
    start: AllocCounts,
    start_live: i64,
}

impl AllocScope {
    /// Starts counting. Panics with a clear message when the counting
    /// allocator is not installed, so that a forgotten install line cannot
    /// turn into silently passing "0 allocations" assertions.
    pub fn start() -> Self {
        assert!(
            is_installed(),
            "the counting allocator is not installed in this binary: \
             add `perf_workbook::count_allocations!();` at its top level"
        );
        // Reset the peak so that `counts().peak_live_bytes` is the peak of
        // this scope, measured above the live bytes at its start.
        PEAK.set(live_now().max(0) as u64);
        Self { start: snapshot(), start_live: live_now() }
    }

    /// What happened on this thread since [`AllocScope::start`].
    pub fn counts(&self) -> AllocCounts {
        let now = snapshot();
        AllocCounts {
            allocs: now.allocs - self.start.allocs,
            zeroed_allocs: now.zeroed_allocs - self.start.zeroed_allocs,
            reallocs: now.reallocs - self.start.reallocs,
            frees: now.frees - self.start.frees,
            bytes_requested: now.bytes_requested - self.start.bytes_requested,
            bytes_freed: now.bytes_freed - self.start.bytes_freed,
            peak_live_bytes: (now.peak_live_bytes as i64 - self.start_live.max(0)).max(0)
                as u64,
        }
    }
}

/// Runs `f` and returns its result with the allocations it made on this
/// thread. The result is returned, not dropped, so its frees are not counted;
/// drop it inside `f` to count them.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, AllocCounts) {
    let scope = AllocScope::start();
    let r = f();
    (r, scope.counts())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hint::black_box;

    // The library's unit tests run under the counting allocator too.
    crate::count_allocations!();

    #[test]
    fn one_box_is_one_alloc_and_one_free() {
        let ((), c) = measure(|| drop(black_box(Box::new(7u64))));
        assert_eq!((c.allocs, c.frees, c.reallocs), (1, 1, 0));
        assert_eq!((c.bytes_requested, c.bytes_freed), (8, 8));
        assert_eq!(c.live_bytes(), 0);
        assert_eq!(c.peak_live_bytes, 8);
    }

    #[test]
    fn realloc_is_counted_with_its_new_size() {
        let (v, c) = measure(|| {
            let mut v: Vec<u8> = Vec::with_capacity(16);
            v.extend_from_slice(&[1; 16]);
            v.reserve_exact(48); // 16 -> 64 bytes
            black_box(v)
        });
        assert_eq!((c.allocs, c.reallocs, c.frees), (1, 1, 0));
        assert_eq!(c.bytes_requested, 16 + 64);
        assert_eq!(c.bytes_freed, 16);
        assert_eq!(c.live_bytes(), v.capacity() as i64);
    }

    #[test]
    fn alloc_zeroed_is_forwarded_and_counted() {
        let (v, c) = measure(|| black_box(vec![0u8; 4096]));
        assert_eq!((c.allocs, c.zeroed_allocs), (1, 1));
        assert!(v.iter().all(|&b| b == 0));
    }

    #[test]
    fn alloc_zeroed_stays_lazy() {
        // 256 MiB of zeroes through the counting allocator must not touch the
        // pages: a handful of faults, not 65 536. A wrapper that forgot
        // `alloc_zeroed` would memset them all (in debug builds).
        let before = crate::measure::os::ThreadCounters::now();
        let v = black_box(vec![0u8; 256 << 20]);
        let faults =
            crate::measure::os::ThreadCounters::now().minor_faults - before.minor_faults;
        drop(v);
        assert!(faults < 64, "{faults} minor faults for an untouched calloc");
    }

    #[test]
    fn counts_are_per_thread() {
        // The 100 000-byte vec is allocated and freed on another thread; this
        // thread only pays for spawning it (a few small allocations).
        let ((), c) = measure(|| {
            std::thread::scope(|s| {
                s.spawn(|| drop(black_box(vec![1u8; 100_000])));
            })
        });
        assert!(c.bytes_requested < 100_000, "{c:?}");
        assert!(c.bytes_freed < 100_000, "{c:?}");
    }

    #[test]
    fn peak_is_measured_from_the_scope_start() {
        let outer = black_box(vec![0u8; 10_000]);
        let ((), c) = measure(|| {
            let a = black_box(vec![1u8; 3000]);
            drop(a);
            let b = black_box(vec![1u8; 2000]);
            drop(b);
        });
        assert_eq!(c.peak_live_bytes, 3000);
        drop(outer);
    }
}
