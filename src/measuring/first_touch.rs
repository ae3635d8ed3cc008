//! What a millisecond timer does to microsecond results, on seed 004's own
//! experiment: allocate a large zeroed buffer with `vec![0u8; n]` or with an
//! anonymous `mmap`, time the allocation alone and the allocation plus the
//! first write to every page, and count the page faults.
//!
//! Seed 004 (测试1, L134-142) compares an eager "before" with an
//! allocation-only "after", reads both in whole milliseconds and prints "∞".
//! Here every figure is in nanoseconds, then rounded the way a millisecond
//! timer would print it, so the page can show both readings side by side.
//!
//! Not the mmap chapter: no huge pages, no populate flags, no RAII mapping
//! type beyond memmap2's. Linux only (page faults come from `getrusage`).

use super::timing::{as_whole_ms, ms_speedup};
use crate::measure::machine::page_size;
use crate::measure::os::ThreadCounters;
use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

/// How the buffer is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `vec![0u8; n]`: `alloc_zeroed`, which glibc's calloc serves with fresh
    /// (lazily zeroed) pages above its mmap threshold.
    Vec,
    /// `memmap2::MmapMut::map_anon(n)`: an anonymous private mapping, the
    /// seed's `allocLargeBuffer`.
    Mmap,
}

/// One buffer, timed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TouchTiming {
    /// Time to obtain the buffer.
    pub alloc: Duration,
    /// Time to obtain it and write one byte to every page.
    pub alloc_touch: Duration,
    /// Minor page faults during the touch.
    pub touch_faults: u64,
}

// ANCHOR: alloc_touch
/// Times `source` for `bytes`: once allocation only, once allocation plus a
/// write to every page (two separate buffers, so the second starts fresh).
/// Freeing is never timed.
pub fn time_buffer(source: Source, bytes: usize) -> io::Result<TouchTiming> {
    let page = page_size() as usize;
    let (alloc, first) = match source {
        Source::Vec => {
            let t = Instant::now();
            let v = black_box(vec![0u8; bytes]);
            (t.elapsed(), Buffer::Vec(v))
        }
        Source::Mmap => {
            let t = Instant::now();
            let m = black_box(memmap2::MmapMut::map_anon(bytes)?);
            (t.elapsed(), Buffer::Mmap(m))
        }
    };
    drop(first);
    let before = ThreadCounters::try_now()?;
    let t = Instant::now();
    let mut buf = match source {
        Source::Vec => Buffer::Vec(vec![0u8; bytes]),
        Source::Mmap => Buffer::Mmap(memmap2::MmapMut::map_anon(bytes)?),
    };
    let bytes_mut = buf.as_mut_slice();
    for i in (0..bytes).step_by(page) {
        bytes_mut[i] = 1; // first write: the kernel maps a zeroed page here
    }
    black_box(&buf);
    let alloc_touch = t.elapsed();
    let after = ThreadCounters::try_now()?;
    drop(buf);
    Ok(TouchTiming {
        alloc,
        alloc_touch,
        touch_faults: before.delta(&after).minor_faults,
    })
}
// ANCHOR_END: alloc_touch

enum Buffer {
    Vec(Vec<u8>),
    Mmap(memmap2::MmapMut),
}

impl Buffer {
    fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Buffer::Vec(v) => v,
            Buffer::Mmap(m) => m,
        }
    }
}

/// One size of the table: both sources, and the two readings of "speedup".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TouchRow {
    /// Buffer size, MiB.
    pub mib: u64,
    /// `vec![0u8; n]`.
    pub vec: TouchTiming,
    /// Anonymous mmap.
    pub mmap: TouchTiming,
}

impl TouchRow {
    /// The seed's comparison read in whole milliseconds: an eager "before"
    /// (vec, allocation + first touch) over an allocation-only "after"
    /// (mmap, allocation only).
    pub fn ms_timer_speedup(&self) -> f64 {
        ms_speedup(as_whole_ms(self.vec.alloc_touch), as_whole_ms(self.mmap.alloc))
    }

    /// The same comparison in nanoseconds: finite.
    pub fn ns_timer_speedup(&self) -> f64 {
        self.vec.alloc_touch.as_nanos() as f64 / self.mmap.alloc.as_nanos().max(1) as f64
    }

    /// Like with like: allocation + first touch, mmap over vec (≈ 1 when the
    /// cost was only moved, not removed).
    pub fn touch_ratio_mmap_over_vec(&self) -> f64 {
        self.mmap.alloc_touch.as_nanos() as f64 / self.vec.alloc_touch.as_nanos() as f64
    }
}

/// Measures every size in `mibs`, vec then mmap, in that order.
pub fn measure_sizes(mibs: &[u64]) -> io::Result<Vec<TouchRow>> {
    mibs.iter()
        .map(|&mib| {
            let bytes = (mib as usize) << 20;
            Ok(TouchRow {
                mib,
                vec: time_buffer(Source::Vec, bytes)?,
                mmap: time_buffer(Source::Mmap, bytes)?,
            })
        })
        .collect()
}

/// Allocation only, no touch: the median of `rounds` `vec![0u8; n]`.
pub fn vec_alloc_only(bytes: usize, rounds: usize) -> Duration {
    let mut xs: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            let v = black_box(vec![0u8; bytes]);
            let e = t.elapsed();
            drop(v);
            e
        })
        .collect();
    xs.sort();
    xs[xs.len() / 2]
}
