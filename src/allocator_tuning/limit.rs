//! A memory limit in a language without a collector.
//!
//! Go's `debug.SetMemoryLimit` is *soft*: it makes the collector run more
//! often as the heap nears the limit, and the program goes on. Rust has no
//! collector to steer, so a limit is *hard*: an allocation past it fails.
//! What the program does then is the question. An infallible allocation
//! (`Vec::with_capacity`, `Box::new`) calls `handle_alloc_error`, which
//! aborts; a fallible one (`Vec::try_reserve`) returns `Err` and the program
//! can degrade instead.
//!
//! [`LimitAlloc`] is the limit as a [`GlobalAlloc`] wrapper (install it as
//! `#[global_allocator]`, or call it directly); `RLIMIT_AS` is the limit as
//! the kernel applies it to the whole process, shown in child processes
//! ([`child_degrade`], [`child_abort`]).

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

// ANCHOR: charge
/// Charges `size` bytes to `used` if that keeps it at or under `cap`;
/// `false` (and nothing charged) otherwise. One atomic add on the way in, as
/// the `cap` crate does: two threads racing near the cap may both be
/// refused, never both admitted past it.
pub fn charge(used: &AtomicUsize, cap: usize, size: usize) -> bool {
    let before = used.fetch_add(size, Ordering::Relaxed);
    if before.checked_add(size).is_some_and(|after| after <= cap) {
        true
    } else {
        used.fetch_sub(size, Ordering::Relaxed);
        false
    }
}
// ANCHOR_END: charge

// ANCHOR: limit_alloc
/// A [`GlobalAlloc`] that refuses to hand out more than `cap` bytes at once:
/// past the cap, `alloc` returns null, which `try_reserve` turns into `Err`
/// and an infallible allocation into an abort.
#[derive(Debug)]
pub struct LimitAlloc<A> {
    inner: A,
    cap: AtomicUsize,
    used: AtomicUsize,
    refused: AtomicU64,
}

impl<A> LimitAlloc<A> {
    /// `inner`, limited to `cap` bytes.
    pub const fn new(inner: A, cap: usize) -> Self {
        Self {
            inner,
            cap: AtomicUsize::new(cap),
            used: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// Bytes handed out and not yet freed.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The cap.
    pub fn cap(&self) -> usize {
        self.cap.load(Ordering::Relaxed)
    }

    /// Moves the cap (what is already allocated stays).
    pub fn set_cap(&self, cap: usize) {
        self.cap.store(cap, Ordering::Relaxed);
    }

    /// Allocations refused so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    fn admit(&self, size: usize) -> bool {
        let ok = charge(&self.used, self.cap.load(Ordering::Relaxed), size);
        if !ok {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        ok
    }
}

// SAFETY: every block comes from `inner` with the caller's layout and goes
// back to it unchanged; the wrapper only refuses (returns null) before
// calling `inner`, which `GlobalAlloc` allows.
unsafe impl<A: GlobalAlloc> GlobalAlloc for LimitAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !self.admit(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout meets `alloc`'s contract.
        let p = unsafe { self.inner.alloc(layout) };
        if p.is_null() {
            self.used.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !self.admit(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: as for `alloc`; forwarded so calloc's lazy zero pages stay lazy.
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if p.is_null() {
            self.used.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` came from this allocator with `layout`.
        unsafe { self.inner.dealloc(ptr, layout) };
        self.used.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !self.admit(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's arguments meet `realloc`'s contract.
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                self.used.fetch_sub(new_size - old, Ordering::Relaxed);
            }
        } else if new_size < old {
            self.used.fetch_sub(old - new_size, Ordering::Relaxed);
        }
        p
    }
}
// ANCHOR_END: limit_alloc

/// What the limit demonstrations saw, by direct calls on a [`LimitAlloc`]
/// with a 1 MiB cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectLimit {
    /// The cap, bytes.
    pub cap: usize,
    /// A 512 KiB allocation under it succeeded.
    pub half_ok: bool,
    /// A 2 MiB allocation past it was refused (null).
    pub double_refused: bool,
    /// Bytes counted as used after both and one free.
    pub used_after: usize,
}

/// C000-12's test from the ledger, on `LimitAlloc<System>` called directly.
pub fn direct_limit() -> DirectLimit {
    let limit = LimitAlloc::new(std::alloc::System, 1 << 20);
    let half = Layout::from_size_align(512 << 10, 8).expect("layout");
    let double = Layout::from_size_align(2 << 20, 8).expect("layout");
    // SAFETY: non-zero layouts; the one block handed out is freed with its
    // layout; a null (refused) pointer is never freed.
    unsafe {
        let a = limit.alloc(half);
        let b = limit.alloc(double);
        let out = DirectLimit {
            cap: limit.cap(),
            half_ok: !a.is_null(),
            double_refused: b.is_null(),
            used_after: 0,
        };
        if !b.is_null() {
            limit.dealloc(b, double);
        }
        if !a.is_null() {
            limit.dealloc(a, half);
        }
        DirectLimit { used_after: limit.used(), ..out }
    }
}

/// Child mode: under `RLIMIT_AS`, `try_reserve` of 1 GiB fails and the
/// program degrades to what fits.
pub const CHILD_DEGRADE: &str = "allocator_tuning::rlimit_degrade";
/// Child mode: under `RLIMIT_AS`, `Vec::with_capacity` of 1 GiB aborts.
pub const CHILD_ABORT: &str = "allocator_tuning::rlimit_abort";

/// The request both children make: the seeds' `SetMemoryLimit(1 << 30)`.
pub const REQUEST: usize = 1 << 30;
/// Address space the children may still take once limited.
pub const HEADROOM: u64 = 256 << 20;

/// Limits this process's address space to what it maps now plus
/// [`HEADROOM`].
fn limit_address_space() -> Result<u64, String> {
    let status = crate::measure::os::ProcStatus::now().map_err(|e| e.to_string())?;
    let limit = status.vm_size_kib * 1024 + HEADROOM;
    let r =
        libc::rlimit { rlim_cur: limit as libc::rlim_t, rlim_max: limit as libc::rlim_t };
    // SAFETY: setrlimit reads the struct we pass; lowering a limit is always allowed.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &r) } != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    Ok(limit)
}

// ANCHOR: degrade
/// A buffer of `want` bytes if the allocator gives it, else the largest
/// half, quarter … that it gives: the program degrades, it does not die.
pub fn reserve_or_degrade(want: usize) -> Vec<u8> {
    let mut size = want;
    loop {
        let mut v = Vec::new();
        if v.try_reserve_exact(size).is_ok() || size == 0 {
            return v;
        }
        size /= 2;
    }
}
// ANCHOR_END: degrade

/// The degrading child's body: prints `degraded got=<bytes> limit=<bytes>`.
pub fn child_degrade() {
    match limit_address_space() {
        Ok(limit) => {
            let v = reserve_or_degrade(REQUEST);
            println!("degraded got={} limit={limit}", v.capacity());
        }
        Err(e) => {
            eprintln!("setrlimit: {e}");
            std::process::exit(4);
        }
    }
}

/// The aborting child's body: `Vec::with_capacity(1 GiB)` past the limit.
pub fn child_abort() {
    if let Err(e) = limit_address_space() {
        eprintln!("setrlimit: {e}");
        std::process::exit(4);
    }
    let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(REQUEST));
    println!("not reached: got {}", v.capacity());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_test_passes_on_direct_calls() {
        let d = direct_limit();
        assert!(d.half_ok && d.double_refused, "{d:?}");
        assert_eq!(d.used_after, 0);
    }

    #[test]
    fn charging_never_passes_the_cap() {
        let used = AtomicUsize::new(0);
        assert!(charge(&used, 100, 60));
        assert!(!charge(&used, 100, 60));
        assert_eq!(used.load(Ordering::Relaxed), 60, "a refusal charges nothing");
        assert!(charge(&used, 100, 40));
        assert!(!charge(&used, usize::MAX, usize::MAX), "no overflow");
    }

    #[test]
    fn degrading_halves_until_it_fits() {
        assert_eq!(reserve_or_degrade(4096).capacity(), 4096);
    }
}
