//! Who unmaps, and when: seed 004's finalizer, ported faithfully so that its
//! bug shows, beside the Rust ownership that makes the bug impossible; and
//! which tools see a leaked mapping.
//!
//! Seed 004 (L91-96, L120-123) mmaps a buffer in `allocLargeBuffer` and calls
//! `runtime.SetFinalizer(&data, …munmap…)` on the address of its *local*
//! variable `data`, then returns `data`. A Go slice is a (pointer, length,
//! capacity) header copied by value: the caller gets a copy, the local becomes
//! unreachable when the function returns, and the next garbage collection may
//! run the finalizer and unmap memory the caller is still using (D60).
//!
//! The port below models that with a header type that is `Copy` and a guard
//! that unmaps when the local goes out of scope, i.e. a collection that runs
//! right after the return (the worst case Go allows, and one it makes
//! likely under allocation pressure). Writing through the returned header
//! then hits unmapped memory: SIGSEGV, shown in a child process
//! ([`CHILD_FINALIZER`]).
//!
//! Not for: Go's real collector, which this does not simulate; only the
//! ownership mistake.

use super::buf::{MapError, MmapBuf};
use crate::measure::os::{ProcStatus, mapping_count};
use std::io;

// ANCHOR: go_port
/// A Go slice header: copied by value, owns nothing.
#[derive(Clone, Copy, Debug)]
pub struct GoSliceHeader {
    /// Start of the data.
    pub ptr: *mut u8,
    /// Length.
    pub len: usize,
}

/// The seed's local `data` with its finalizer: unmaps when it goes away.
struct FinalizedLocal {
    data: GoSliceHeader,
}

impl Drop for FinalizedLocal {
    fn drop(&mut self) {
        // The "finalizer": runs when the local is unreachable (here: at the
        // end of its scope, i.e. a GC right after `alloc_large_buffer` returns).
        // SAFETY: unmaps the mapping this local created; what makes the port
        // wrong is not this call but the copy of the header that escaped.
        unsafe { libc::munmap(self.data.ptr.cast(), self.data.len) };
    }
}

/// The seed's `allocLargeBuffer`, ported (its fallback omitted).
pub fn alloc_large_buffer_seed_port(size: usize) -> Result<GoSliceHeader, MapError> {
    let m = MmapBuf::new(size)?;
    let data = GoSliceHeader { ptr: m.as_ptr() as *mut u8, len: m.len() };
    std::mem::forget(m); // ownership passes to the "finalizer"
    let local = FinalizedLocal { data }; // runtime.SetFinalizer(&data, …)
    Ok(local.data) // returns a copy; `local` dies here and unmaps
}
// ANCHOR_END: go_port

/// Child mode: uses the buffer the seed's port returned.
pub const CHILD_FINALIZER: &str = "mmap::seed_finalizer_use_after_unmap";

/// The child's body: write the first byte of the returned buffer.
pub fn child_use_after_unmap() {
    let header = alloc_large_buffer_seed_port(1 << 20).expect("mmap of 1 MiB");
    // SAFETY: NOT sound, on purpose: `header` points into memory the port has
    // already unmapped. This runs only in a child process, to show the crash;
    // the volatile write keeps the compiler from reasoning about it.
    unsafe { std::ptr::write_volatile(header.ptr, 42) };
    println!("wrote through the header without a crash");
}

// ANCHOR: raii
/// The Rust way: the mapping is a value, `Drop` unmaps it once, and every
/// slice borrows from it. `count` cycles of map, write, check, drop.
/// Returns the bytes checked.
pub fn raii_cycles(count: usize, size: usize) -> Result<u64, MapError> {
    let mut checked = 0u64;
    for i in 0..count {
        let mut buf = MmapBuf::new(size)?;
        buf[0] = i as u8;
        buf[size - 1] = !(i as u8);
        assert_eq!((buf[0], buf[size - 1]), (i as u8, !(i as u8)));
        checked += 2;
    } // `buf` is unmapped here, at the end of each iteration
    Ok(checked)
}
// ANCHOR_END: raii

/// The process's mapping count and virtual size, for before/after comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// Lines of `/proc/self/maps`.
    pub mappings: usize,
    /// `VmSize`, KiB.
    pub vm_size_kib: u64,
    /// `VmRSS`, KiB.
    pub rss_kib: u64,
}

impl Footprint {
    /// Reads both now.
    pub fn now() -> io::Result<Self> {
        let s = ProcStatus::now()?;
        Ok(Self {
            mappings: mapping_count()?,
            vm_size_kib: s.vm_size_kib,
            rss_kib: s.vm_rss_kib,
        })
    }
}

/// What each monitoring tool sees of `count` mappings of `size` bytes that
/// are kept but never used again (a leak), each with one page touched.
#[derive(Clone, Copy, Debug)]
pub struct LeakView {
    /// Mappings leaked.
    pub count: usize,
    /// Bytes each.
    pub size: usize,
    /// Growth of `VmRSS`, KiB: what `docker stats` reports, in effect.
    pub rss_kib: i64,
    /// Growth of `VmSize`, KiB.
    pub vm_size_kib: i64,
    /// Leaked mappings found in `/proc/self/maps` by address.
    pub found_in_maps: usize,
    /// Bytes the counting allocator saw (the heap-profile view); `None` when
    /// it is not installed in this binary.
    pub heap_bytes: Option<u64>,
}

// ANCHOR: leak_view
/// Leaks `count` mappings of `size` bytes (one page of each written), looks
/// at them with each tool, then releases them.
pub fn leak_view(count: usize, size: usize) -> Result<LeakView, MapError> {
    let installed = crate::measure::alloc::is_installed();
    let mut leaked = Vec::with_capacity(count);
    let before =
        Footprint::now().map_err(|source| MapError { call: "/proc", len: 0, source })?;
    let scope = installed.then(crate::measure::alloc::AllocScope::start);
    for _ in 0..count {
        let mut m = MmapBuf::new(size)?;
        m[0] = 1;
        leaked.push(m); // never used again: a leak, as far as the program goes
    }
    // `leaked` was allocated before the scope began: pushing does not allocate.
    let heap_bytes = scope.map(|s| s.counts().bytes_requested);
    let after =
        Footprint::now().map_err(|source| MapError { call: "/proc", len: 0, source })?;
    let found_in_maps = leaked
        .iter()
        .filter(|m| {
            crate::measure::os::is_mapped(m.as_ptr() as usize, size).unwrap_or(false)
        })
        .count();
    Ok(LeakView {
        count,
        size,
        rss_kib: after.rss_kib as i64 - before.rss_kib as i64,
        vm_size_kib: after.vm_size_kib as i64 - before.vm_size_kib as i64,
        found_in_maps,
        heap_bytes,
    })
}
// ANCHOR_END: leak_view
