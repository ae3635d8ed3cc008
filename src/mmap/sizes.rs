//! What a large buffer costs, strategy by strategy and size by size: the time
//! and page faults of the allocation itself, of the first touch of every page,
//! and their total.
//!
//! For: the size table (measured once per run in [`super::figures`]) that
//! the example prints and plots and the claim checks about allocation and
//! first-touch cost read (C004-01, C004-03, C004-04, C004-07, C004-15,
//! C004-17, C004-35).
//! Not for: steady-state reuse (see [`super::recycle`]), or file mappings.
//!
//! Every strategy hands back the same thing, `n` writable bytes that read as
//! zero (or as one, for the eager fill), and the touch is the same loop: one
//! byte written per page, at the stride of the real page size.

use super::buf::{MapError, MmapBuf};
use crate::measure::os::ThreadCounters;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// How the buffer is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Strategy {
    /// `vec![0u8; n]`: `alloc_zeroed` → `calloc`.
    VecZeroed,
    /// `vec![1u8; n]`: `malloc` + a fill, eager.
    VecOnes,
    /// `Vec::with_capacity(n)` then `resize(n, 0)`.
    WithCapacityResize,
    /// [`MmapBuf::new`]: a raw private anonymous mapping.
    Mmap,
    /// [`MmapBuf::populated`]: `MAP_POPULATE`, prefaulted inside `mmap`.
    MmapPopulate,
    /// [`MmapBuf::new`] + `madvise(MADV_HUGEPAGE)`: transparent huge pages.
    MmapThp,
}

impl Strategy {
    /// Every strategy, in table order.
    pub const ALL: [Strategy; 6] = [
        Strategy::VecZeroed,
        Strategy::VecOnes,
        Strategy::WithCapacityResize,
        Strategy::Mmap,
        Strategy::MmapPopulate,
        Strategy::MmapThp,
    ];

    /// The expression as a reader would write it.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::VecZeroed => "vec![0u8; n]",
            Strategy::VecOnes => "vec![1u8; n]",
            Strategy::WithCapacityResize => "with_capacity+resize(0)",
            Strategy::Mmap => "mmap",
            Strategy::MmapPopulate => "mmap MAP_POPULATE",
            Strategy::MmapThp => "mmap MADV_HUGEPAGE",
        }
    }
}

/// A buffer from any strategy.
pub enum Buffer {
    /// From the global allocator.
    Vec(Vec<u8>),
    /// From `mmap`.
    Map(MmapBuf),
}

impl Buffer {
    /// The bytes.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Buffer::Vec(v) => v,
            Buffer::Map(m) => m,
        }
    }

    /// Start address.
    pub fn as_ptr(&self) -> *const u8 {
        match self {
            Buffer::Vec(v) => v.as_ptr(),
            Buffer::Map(m) => m.as_ptr(),
        }
    }
}

// ANCHOR: allocate
/// Obtains `n` bytes the way `strategy` says. Nothing is touched here except
/// what the strategy itself touches (the eager fill, or the prefault).
pub fn allocate(strategy: Strategy, n: usize) -> Result<Buffer, MapError> {
    let n = black_box(n); // a size the compiler cannot see, as in a real program
    Ok(match strategy {
        Strategy::VecZeroed => Buffer::Vec(vec![0u8; n]),
        Strategy::VecOnes => Buffer::Vec(vec![1u8; n]),
        // Clippy flags this as `slow_vector_initialization`: it is the slow
        // spelling, kept on purpose so the table can show what it costs.
        #[allow(clippy::slow_vector_initialization)]
        Strategy::WithCapacityResize => {
            let mut v = Vec::with_capacity(n);
            v.resize(n, 0u8);
            Buffer::Vec(v)
        }
        Strategy::Mmap => Buffer::Map(MmapBuf::new(n)?),
        Strategy::MmapPopulate => Buffer::Map(MmapBuf::populated(n)?),
        Strategy::MmapThp => {
            let m = MmapBuf::new(n)?;
            #[cfg(target_os = "linux")]
            m.advise_huge_pages()?;
            Buffer::Map(m)
        }
    })
}
// ANCHOR_END: allocate

// ANCHOR: touch
/// Writes one byte in every page of `buf`, at the real page size (not a
/// hard-coded 4096: seed 004 L340-343, D68). Returns the number of writes.
pub fn touch_pages(buf: &mut [u8]) -> usize {
    let page = crate::measure::machine::page_size() as usize;
    let mut writes = 0;
    for i in (0..buf.len()).step_by(page) {
        buf[i] = 1;
        writes += 1;
    }
    // The writes must reach memory: `buf` escapes here, so the stores cannot
    // be dropped as dead even though the buffer is freed right after.
    black_box(&mut *buf);
    writes
}
// ANCHOR_END: touch

/// One strategy at one size.
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    /// The strategy.
    pub strategy: Strategy,
    /// Bytes.
    pub size: usize,
    /// Time of the allocation call (including any fill or prefault).
    pub alloc: Duration,
    /// Minor page faults during the allocation.
    pub alloc_faults: u64,
    /// Time of the first touch of every page.
    pub touch: Duration,
    /// Minor page faults during the touch.
    pub touch_faults: u64,
    /// For `Vec` strategies: glibc served it from a fresh mmap of its own
    /// (false: from the heap, a recycled chunk). Always true for mmap.
    pub own_mapping: bool,
    /// Time of the free (`munmap` for mappings).
    pub free: Duration,
}

impl Cost {
    /// Allocation + first touch.
    pub fn total(&self) -> Duration {
        self.alloc + self.touch
    }
}

/// Allocates, touches every page, frees; measures each step on this thread.
pub fn measure(strategy: Strategy, n: usize) -> Result<Cost, MapError> {
    let c0 = ThreadCounters::now();
    let t0 = Instant::now();
    let mut buf = allocate(strategy, n)?;
    let alloc = t0.elapsed();
    let c1 = ThreadCounters::now();
    let t1 = Instant::now();
    touch_pages(buf.as_mut_slice());
    let touch = t1.elapsed();
    let c2 = ThreadCounters::now();
    let own_mapping = match &buf {
        Buffer::Map(_) => true,
        Buffer::Vec(v) => glibc_chunk_is_mmapped(v.as_ptr()),
    };
    let t2 = Instant::now();
    drop(buf);
    let free = t2.elapsed();
    Ok(Cost {
        strategy,
        size: n,
        alloc,
        alloc_faults: c0.delta(&c1).minor_faults,
        touch,
        touch_faults: c1.delta(&c2).minor_faults,
        own_mapping,
        free,
    })
}

/// Allocation only (no touch): time and faults, then the buffer is freed.
pub fn measure_alloc_only(
    strategy: Strategy,
    n: usize,
) -> Result<(Duration, u64), MapError> {
    let c0 = ThreadCounters::now();
    let t0 = Instant::now();
    let buf = allocate(strategy, n)?;
    let alloc = t0.elapsed();
    let c1 = ThreadCounters::now();
    drop(black_box(buf));
    Ok((alloc, c0.delta(&c1).minor_faults))
}

/// Measures every strategy at every size. Rounds are interleaved across
/// strategies (A B C … A B C …), so a drift of the machine's speed hits them
/// all; each cell is the median of its rounds by total time, and
/// `rounds(size)` says how many rounds a size gets.
pub fn measure_all(
    sizes: &[usize],
    rounds: impl Fn(usize) -> usize,
) -> Result<Vec<Cost>, MapError> {
    let mut out = Vec::new();
    for &n in sizes {
        let mut runs: Vec<Vec<Cost>> = vec![Vec::new(); Strategy::ALL.len()];
        for _ in 0..rounds(n).max(1) {
            for (i, s) in Strategy::ALL.into_iter().enumerate() {
                runs[i].push(measure(s, n)?);
            }
        }
        for mut r in runs {
            r.sort_by_key(Cost::total);
            out.push(r[r.len() / 2]);
        }
    }
    Ok(out)
}

/// True if `ptr` (a `malloc` result) is 16 bytes past the start of a mapping
/// of its own in `/proc/self/maps`: glibc put that chunk in a private mmap
/// (header of 2 × 8 bytes), rather than in the heap.
pub fn glibc_chunk_is_mmapped(ptr: *const u8) -> bool {
    let Some((start, _)) = mapping_containing(ptr as usize) else { return false };
    start + 16 == ptr as usize
}

/// The `(start, end)` of the mapping of `/proc/self/maps` that contains `addr`.
pub fn mapping_containing(addr: usize) -> Option<(usize, usize)> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let (a, b) = line.split_whitespace().next()?.split_once('-')?;
        let (a, b) =
            (usize::from_str_radix(a, 16).ok()?, usize::from_str_radix(b, 16).ok()?);
        (a <= addr && addr < b).then_some((a, b))
    })
}

/// The seed's buffer sizes (seed 004 L27-35), as MiB: 1, 10, 50, 100, 200,
/// 500 MB and 1 GB.
pub const SEED_SIZES: [usize; 7] =
    [1 << 20, 10 << 20, 50 << 20, 100 << 20, 200 << 20, 500 << 20, 1 << 30];

/// The seed's "before" timings for those sizes, ms (seed 004 L29-35).
pub const SEED_BEFORE_MS: [f64; 7] = [3.0, 3.0, 27.0, 184.0, 395.0, 571.0, 1595.0];

/// An eager fill against a refill of the same, resident memory: how much of
/// the first fill is memory bandwidth, and how much is page faults.
#[derive(Clone, Copy, Debug)]
pub struct Bandwidth {
    /// Bytes.
    pub size: usize,
    /// `vec![0u8; n]`: allocation time and faults (nothing written).
    pub lazy_alloc: Duration,
    /// Faults in that allocation.
    pub lazy_alloc_faults: u64,
    /// `vec![1u8; n]`: allocation, which writes every byte.
    pub first_fill: Duration,
    /// Faults during that fill.
    pub first_fill_faults: u64,
    /// `fill(2)` of the same buffer, every page present: bandwidth alone.
    pub refill: Duration,
}

// ANCHOR: bandwidth
/// Allocates `n` zeroed bytes (lazy), then `n` bytes of ones (eager), then
/// writes the ones buffer again: the second pass finds every page present.
pub fn bandwidth_experiment(n: usize) -> Result<Bandwidth, MapError> {
    let (lazy_alloc, lazy_alloc_faults) = measure_alloc_only(Strategy::VecZeroed, n)?;
    let c0 = ThreadCounters::now();
    let t = Instant::now();
    let mut v = vec![1u8; black_box(n)];
    let first_fill = t.elapsed();
    let first_fill_faults = c0.delta(&ThreadCounters::now()).minor_faults;
    let t = Instant::now();
    v.fill(2); // same memory, every page already present: bandwidth only
    black_box(&mut v);
    let refill = t.elapsed();
    Ok(Bandwidth {
        size: n,
        lazy_alloc,
        lazy_alloc_faults,
        first_fill,
        first_fill_faults,
        refill,
    })
}
// ANCHOR_END: bandwidth
