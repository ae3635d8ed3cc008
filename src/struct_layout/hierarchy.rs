//! The memory hierarchy, measured: the latency of one dependent load as the
//! working set grows from L1-sized to far beyond the last-level cache (the
//! last step of seed 001's chain, L9-11, a read from disk, is in [`super::disk`]).
//!
//! The tool is pointer chasing: every node is one cache line and holds the
//! index of the next node, along a random single cycle through all of them
//! (Sattolo's algorithm). Each load depends on the one before, so the CPU
//! cannot overlap them, and the order is random, so the prefetcher cannot
//! guess it: the time per step is the latency of wherever the line lives.
//!
//! Not a bandwidth test (see `locality` for streaming), and not a TLB study:
//! with 4 KiB pages, large working sets also pay page walks, which is part
//! of what "RAM latency" costs a program in practice.

use crate::measure::cpu_timed;
use crate::measure::rng::SplitMix64;
use static_assertions::const_assert_eq;
use std::hint::black_box;

// ANCHOR: line
/// One node of the chase: exactly one 64-byte cache line, so no two nodes
/// share a line and every step is a new line.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
pub struct Line {
    next: usize,
    _rest: [u8; 56],
}
const_assert_eq!(core::mem::size_of::<Line>(), 64);
// ANCHOR_END: line

// ANCHOR: sattolo
/// Links `lines` into one random cycle with Sattolo's algorithm: like
/// Fisher–Yates, but `j` is drawn from `0..i`, never `i` itself, which makes
/// the permutation `i → lines[i].next` a single cycle through every line.
pub fn link_single_cycle(lines: &mut [Line], rng: &mut SplitMix64) {
    for (i, line) in lines.iter_mut().enumerate() {
        line.next = i;
    }
    for i in (1..lines.len()).rev() {
        let j = rng.below(i);
        let (a, b) = (lines[i].next, lines[j].next);
        lines[i].next = b;
        lines[j].next = a;
    }
}
// ANCHOR_END: sattolo

// ANCHOR: chase
/// Follows the chain for `steps` steps from line 0 and returns where it
/// stopped. Each load's address is the previous load's value.
pub fn chase(lines: &[Line], steps: usize) -> usize {
    let mut at = 0;
    for _ in 0..steps {
        at = lines[at].next;
    }
    at
}
// ANCHOR_END: chase

/// A chain of cache lines, each pointing to the next one to visit.
pub struct Chain {
    lines: Vec<Line>,
}

impl Chain {
    /// A random single cycle through `len` lines (see [`link_single_cycle`]).
    pub fn random(len: usize, seed: u64) -> Self {
        assert!(len > 0, "a chain needs at least one line");
        let mut lines = vec![Line { next: 0, _rest: [0; 56] }; len];
        link_single_cycle(&mut lines, &mut SplitMix64::new(seed));
        Self { lines }
    }

    /// The lines in address order: line `i` points to `i + 1` (and the last
    /// to 0). The same loads as [`Chain::random`], in the order a hardware
    /// prefetcher predicts best.
    pub fn sequential(len: usize) -> Self {
        assert!(len > 0, "a chain needs at least one line");
        let lines =
            (0..len).map(|i| Line { next: (i + 1) % len, _rest: [0; 56] }).collect();
        Self { lines }
    }

    /// A chain whose lines occupy about `bytes` bytes (at least one line).
    pub fn random_bytes(bytes: usize, seed: u64) -> Self {
        Self::random((bytes / size_of::<Line>()).max(1), seed)
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Always false: a chain has at least one line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Working-set size in bytes.
    pub fn bytes(&self) -> usize {
        self.lines.len() * size_of::<Line>()
    }

    /// The `next` index of every line, in address order.
    pub fn successors(&self) -> Vec<usize> {
        self.lines.iter().map(|l| l.next).collect()
    }

    /// Follows the chain for `steps` steps from line 0 (see [`chase`]).
    pub fn chase(&self, steps: usize) -> usize {
        chase(&self.lines, steps)
    }

    /// CPU nanoseconds per step over `steps` timed steps, after one warm-up
    /// lap when the chain is shorter than `steps` (so a small chain starts in
    /// cache; a long one would not stay there anyway).
    pub fn ns_per_step(&self, steps: usize) -> f64 {
        if self.len() <= steps {
            black_box(self.chase(self.len()));
        }
        let (end, cpu) = cpu_timed(|| self.chase(black_box(steps)));
        black_box(end);
        cpu.as_nanos() as f64 / steps as f64
    }
}

/// Data-cache sizes of CPU 0, from `/sys/devices/system/cpu/cpu0/cache`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheSizes {
    /// L1 data cache, bytes.
    pub l1d: usize,
    /// L2, bytes.
    pub l2: usize,
    /// Last-level cache (L3), bytes; may be shared by every core.
    pub l3: usize,
    /// True when read from sysfs, false when these are fallback guesses.
    pub from_sysfs: bool,
}

impl CacheSizes {
    /// Typical sizes (32 KiB, 1 MiB, 32 MiB), used where sysfs says nothing.
    pub const FALLBACK: Self =
        Self { l1d: 32 << 10, l2: 1 << 20, l3: 32 << 20, from_sysfs: false };

    /// Reads sysfs; falls back to [`CacheSizes::FALLBACK`] for what it cannot read.
    pub fn detect() -> Self {
        let mut c = Self::FALLBACK;
        let mut found = 0;
        for index in 0..8 {
            let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
            let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).ok();
            let (Some(level), Some(kind), Some(size)) =
                (read("level"), read("type"), read("size"))
            else {
                continue;
            };
            let Some(bytes) = parse_cache_size(&size) else { continue };
            match (level.trim(), kind.trim()) {
                ("1", "Data") => c.l1d = bytes,
                ("2", "Unified" | "Data") => c.l2 = bytes,
                ("3", "Unified" | "Data") => c.l3 = bytes,
                _ => continue,
            }
            found += 1;
        }
        c.from_sysfs = found >= 3;
        c
    }

    /// The level a working set of `bytes` fits in: `L1d`, `L2`, `L3` or `RAM`.
    pub fn level_of(&self, bytes: usize) -> &'static str {
        if bytes <= self.l1d {
            "L1d"
        } else if bytes <= self.l2 {
            "L2"
        } else if bytes <= self.l3 {
            "L3"
        } else {
            "RAM"
        }
    }
}

/// `48K` → 49152, `2048K` → 2 MiB, `32M` → 32 MiB.
pub fn parse_cache_size(text: &str) -> Option<usize> {
    let t = text.trim();
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim().parse::<usize>().ok().map(|n| n * mult)
}

/// A working set chosen to sit in one level of the hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingSet {
    /// The level it is meant to exercise.
    pub level: &'static str,
    /// Its size in bytes.
    pub bytes: usize,
}

// ANCHOR: working_sets
/// One working set per level: half of L1d; a quarter of L2; twice L2 (past
/// L2, well inside any L3); and `ram_bytes` for main memory. The choice
/// only aims; which level served the loads is read off the measured latency.
pub fn working_sets(c: &CacheSizes, ram_bytes: usize) -> [WorkingSet; 4] {
    let l1 = c.l1d / 2;
    let l2 = (c.l2 / 4).max(2 * c.l1d);
    let l3 = (2 * c.l2).min(c.l3 / 2).max(2 * l2);
    let ram = ram_bytes.max(4 * l3);
    [
        WorkingSet { level: "L1d", bytes: l1 },
        WorkingSet { level: "L2", bytes: l2 },
        WorkingSet { level: "L3", bytes: l3 },
        WorkingSet { level: "RAM", bytes: ram },
    ]
}
// ANCHOR_END: working_sets
