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
//! The port ([`super::seed_port::alloc_large_buffer_seed_port`]) models that
//! with a header type that is `Copy` and a guard that unmaps when the local
//! goes out of scope, i.e. a collection that runs right after the return (the
//! worst case Go allows, and one it makes likely under allocation pressure).
//! Writing through the returned header then hits unmapped memory: SIGSEGV,
//! shown in a child process ([`super::seed_port::CHILD_FINALIZER`]). This
//! module holds the Rust side: ownership, and who sees a leak.
//!
//! The footprint figures here (`VmRSS`, `VmSize`, the mapping count) are
//! process-wide: the example and the checks read them one at a time, and the
//! tests that assert on them run in a child process.
//!
//! Not for: Go's real collector, which this does not simulate; only the
//! ownership mistake.

use super::buf::{MapError, MmapBuf};
use super::sizes::touch_pages;
use crate::measure::os::{ProcStatus, mapping_count};
use std::io;
use std::time::{Duration, Instant};

fn proc_error(source: io::Error) -> MapError {
    MapError::io("/proc/self", 0, source)
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

/// [`raii_cycles`] measured: the footprint before and after, and the time.
#[derive(Clone, Copy, Debug)]
pub struct RaiiRun {
    /// Cycles run.
    pub count: usize,
    /// Bytes checked.
    pub checked: u64,
    /// Before the cycles (after two warm-up cycles).
    pub before: Footprint,
    /// After them.
    pub after: Footprint,
    /// How long the cycles took.
    pub elapsed: Duration,
}

/// Runs `count` cycles of 1 MiB mappings between two footprints.
pub fn raii_run(count: usize) -> Result<RaiiRun, MapError> {
    raii_cycles(2, 1 << 20)?; // the first cycles may grow the heap a little
    let before = Footprint::now().map_err(proc_error)?;
    let t = Instant::now();
    let checked = raii_cycles(count, 1 << 20)?;
    let elapsed = t.elapsed();
    let after = Footprint::now().map_err(proc_error)?;
    Ok(RaiiRun { count, checked, before, after, elapsed })
}

/// What the global allocator saw of a touched mapping (the Rust analogue of
/// "off the Go heap", C004-12).
#[derive(Clone, Copy, Debug)]
pub struct AllocatorView {
    /// Bytes mapped and written.
    pub size: usize,
    /// Bytes the counting allocator was asked for meanwhile; `None` when it
    /// is not installed in this binary.
    pub allocator_bytes: Option<u64>,
    /// Resident pages of the mapping (`mincore`).
    pub resident_pages: usize,
}

/// Maps `n` bytes and writes every page, counting what the global
/// allocator is asked for on this thread meanwhile.
pub fn allocator_view(n: usize) -> Result<AllocatorView, MapError> {
    let map = || -> Result<MmapBuf, MapError> {
        let mut m = MmapBuf::new(n)?;
        touch_pages(&mut m);
        Ok(m)
    };
    let (m, allocator_bytes) = if crate::measure::alloc::is_installed() {
        let (m, counts) = crate::measure::alloc::measure(map);
        (m?, Some(counts.bytes_requested))
    } else {
        (map()?, None)
    };
    let resident_pages = super::residency::resident_pages(&m)
        .map_err(|e| MapError::io("mincore", n, e))?;
    Ok(AllocatorView { size: n, allocator_bytes, resident_pages })
}

/// Two threads mapping buffers side by side (C004-23).
#[derive(Clone, Copy, Debug)]
pub struct Threads {
    /// Cycles per thread of map, fill, check, drop.
    pub cycles: usize,
    /// Bytes per buffer.
    pub size: usize,
    /// Buffers that read back what was written, over all three runs.
    pub correct: usize,
    /// Buffers made.
    pub made: usize,
    /// One thread doing `cycles`.
    pub one_thread: Duration,
    /// Two threads doing `cycles` each, at once.
    pub two_threads: Duration,
    /// Mapping count before and after.
    pub mappings: (usize, usize),
}

// ANCHOR: threads
/// `cycles` of map, fill, check, drop on one thread, then on two at once.
pub fn threads_experiment(cycles: usize, size: usize) -> Result<Threads, MapError> {
    let work = |tag: u8| -> Result<usize, MapError> {
        let mut ok = 0;
        for _ in 0..cycles {
            let mut m = MmapBuf::new(size)?;
            m.fill(tag);
            ok += usize::from(m.iter().all(|&b| b == tag));
        }
        Ok(ok)
    };
    // Two threads first, alive at the same time and allocating: glibc then
    // creates the two malloc arenas and caches the two stacks (mappings that
    // outlive the threads), so the threads below reuse them and the mapping
    // count compares the buffers alone.
    let both = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                std::hint::black_box(vec![1u8; 64]);
                both.wait();
            });
        }
    });
    let before = mapping_count().map_err(proc_error)?;
    let t = Instant::now();
    let mut correct = work(1)?;
    let one_thread = t.elapsed();
    let t = Instant::now();
    let results: Vec<Result<usize, MapError>> = std::thread::scope(|s| {
        let handles = [s.spawn(|| work(2)), s.spawn(|| work(3))];
        handles.map(|h| h.join().expect("a mapping thread panicked")).into()
    });
    let two_threads = t.elapsed();
    for r in results {
        correct += r?;
    }
    let after = mapping_count().map_err(proc_error)?;
    Ok(Threads {
        cycles,
        size,
        correct,
        made: 3 * cycles,
        one_thread,
        two_threads,
        mappings: (before, after),
    })
}
// ANCHOR_END: threads

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
    let before = Footprint::now().map_err(proc_error)?;
    let scope = installed.then(crate::measure::alloc::AllocScope::start);
    for _ in 0..count {
        let mut m = MmapBuf::new(size)?;
        m[0] = 1;
        leaked.push(m); // never used again: a leak, as far as the program goes
    }
    // `leaked` was allocated before the scope began: pushing does not allocate.
    let heap_bytes = scope.map(|s| s.counts().bytes_requested);
    let after = Footprint::now().map_err(proc_error)?;
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
