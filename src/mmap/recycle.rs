//! When zeroing does happen at allocation: glibc's recycled chunks, and the
//! cost of short-lived buffers.
//!
//! glibc serves a request of at least `M_MMAP_THRESHOLD` bytes with a fresh
//! mmap, whose pages the kernel zeroes on first touch, so `calloc` needs no
//! memset. The threshold starts at 128 KiB and is *dynamic*: freeing an
//! mmapped chunk of up to 32 MiB (64-bit) raises it to that chunk's size. The
//! next request of that size comes from the heap, and `calloc` must memset a
//! recycled heap chunk. So `vec![0u8; 16 << 20]` is lazy the first time and
//! eager (a memset, no page faults) from the third time on; at 64 MiB it stays
//! lazy forever.
//!
//! For: C004-02 (seed 004 L14-18) and C004-34 (L296-299). The threshold is
//! process state that every earlier free changes, so the C004-02 loop runs in
//! a fresh child process ([`CHILD_RECYCLE`]). Not for: other allocators
//! (jemalloc and mimalloc have their own rules).

use super::sizes::touch_pages;
use crate::measure::os::ThreadCounters;
use std::hint::black_box;
use std::time::Instant;

/// One turn of allocate → touch → free.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Turn {
    /// Bytes.
    pub size: usize,
    /// 0-based iteration.
    pub iteration: usize,
    /// Time of `vec![0u8; size]`, ns.
    pub alloc_ns: f64,
    /// Faults during the allocation (a memset of untouched heap shows here).
    pub alloc_faults: u64,
    /// Faults during the first touch.
    pub touch_faults: u64,
    /// glibc served the chunk from a mapping of its own.
    pub own_mapping: bool,
}

// ANCHOR: recycle_loop
/// `iterations` turns of `vec![0u8; size]`, touch every page, free.
pub fn recycle_loop(size: usize, iterations: usize) -> Vec<Turn> {
    (0..iterations)
        .map(|iteration| {
            let c0 = ThreadCounters::now();
            let t = Instant::now();
            let mut v = vec![0u8; black_box(size)];
            let alloc_ns = t.elapsed().as_nanos() as f64;
            let c1 = ThreadCounters::now();
            touch_pages(&mut v);
            let c2 = ThreadCounters::now();
            let own_mapping = super::sizes::glibc_chunk_is_mmapped(v.as_ptr());
            drop(v);
            Turn {
                size,
                iteration,
                alloc_ns,
                alloc_faults: c0.delta(&c1).minor_faults,
                touch_faults: c1.delta(&c2).minor_faults,
                own_mapping,
            }
        })
        .collect()
}
// ANCHOR_END: recycle_loop

/// Child mode: the recycle loop at 16 MiB and at 64 MiB, in a process whose
/// glibc threshold is still at its default. Prints one line per turn.
pub const CHILD_RECYCLE: &str = "mmap::recycle_loop";

/// Sizes and iterations of the child's loop.
pub const RECYCLE_SIZES: [usize; 2] = [16 << 20, 64 << 20];
/// Turns per size.
pub const RECYCLE_ITERATIONS: usize = 4;

/// The child's body.
pub fn child_recycle() {
    for size in RECYCLE_SIZES {
        for t in recycle_loop(size, RECYCLE_ITERATIONS) {
            println!("{}", format_turn(&t));
        }
    }
}

/// `turn size=… iteration=… alloc_ns=… alloc_faults=… touch_faults=… own=…`
pub fn format_turn(t: &Turn) -> String {
    format!(
        "turn size={} iteration={} alloc_ns={} alloc_faults={} touch_faults={} own={}",
        t.size,
        t.iteration,
        t.alloc_ns,
        t.alloc_faults,
        t.touch_faults,
        t.own_mapping as u8
    )
}

/// Parses the lines [`format_turn`] printed (other lines are ignored).
pub fn parse_turns(text: &str) -> Vec<Turn> {
    text.lines()
        .filter_map(|line| {
            // The test harness may print its own text before ours on a line.
            let rest = &line[line.find("turn size=")? + "turn ".len()..];
            let mut t = Turn {
                size: 0,
                iteration: 0,
                alloc_ns: 0.0,
                alloc_faults: 0,
                touch_faults: 0,
                own_mapping: false,
            };
            for kv in rest.split_whitespace() {
                let (k, v) = kv.split_once('=')?;
                match k {
                    "size" => t.size = v.parse().ok()?,
                    "iteration" => t.iteration = v.parse().ok()?,
                    "alloc_ns" => t.alloc_ns = v.parse().ok()?,
                    "alloc_faults" => t.alloc_faults = v.parse().ok()?,
                    "touch_faults" => t.touch_faults = v.parse().ok()?,
                    "own" => t.own_mapping = v == "1",
                    _ => return None,
                }
            }
            Some(t)
        })
        .collect()
}

/// Runs the recycle loop in a fresh child process (binary that dispatches
/// child modes, e.g. the CLI or the example).
pub fn recycle_in_child() -> Result<Vec<Turn>, String> {
    let o = crate::measure::child::run_mode(
        CHILD_RECYCLE,
        std::time::Duration::from_secs(60),
    )
    .map_err(|e| format!("starting the child: {e}"))?;
    if !o.success() {
        return Err(format!(
            "the recycle child ended with {}: {}",
            o.describe(),
            o.stderr
        ));
    }
    let turns = parse_turns(&o.stdout);
    if turns.len() != RECYCLE_SIZES.len() * RECYCLE_ITERATIONS {
        return Err(format!("the recycle child printed {} turns", turns.len()));
    }
    Ok(turns)
}

/// Short-lived buffers: `count` cycles of allocate, touch, free, either
/// through `vec![0u8; size]` (glibc reuses its chunk) or a fresh [`MmapBuf`]
/// each time. Returns (faults per cycle for the last half, ns per cycle).
///
/// [`MmapBuf`]: super::MmapBuf
pub fn churn(
    size: usize,
    count: usize,
    via_mmap: bool,
) -> Result<(f64, f64), super::MapError> {
    // Warm up: the first cycles of the Vec path raise glibc's threshold.
    for _ in 0..2 {
        one_cycle(size, via_mmap)?;
    }
    let c0 = ThreadCounters::now();
    let t = Instant::now();
    for _ in 0..count {
        one_cycle(size, via_mmap)?;
    }
    let ns = t.elapsed().as_nanos() as f64 / count as f64;
    let faults = c0.delta(&ThreadCounters::now()).minor_faults as f64 / count as f64;
    Ok((faults, ns))
}

fn one_cycle(size: usize, via_mmap: bool) -> Result<(), super::MapError> {
    if via_mmap {
        let mut m = super::MmapBuf::new(size)?;
        touch_pages(&mut m);
    } else {
        let mut v = vec![0u8; black_box(size)];
        touch_pages(&mut v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_round_trip_through_text() {
        let t = Turn {
            size: 16 << 20,
            iteration: 2,
            alloc_ns: 1234.0,
            alloc_faults: 3,
            touch_faults: 0,
            own_mapping: false,
        };
        let text = format!("noise\ntest x ... {}\n", format_turn(&t));
        assert_eq!(parse_turns(&text), vec![t]);
    }
}
