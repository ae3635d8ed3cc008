//! The churn: many 1000-byte blocks allocated, then freed, through one
//! allocator called directly; and the resident set over time after it.
//!
//! Four survival patterns decide what the allocator *can* give back:
//!
//! - [`Pattern::AllFreed`]: every block is freed;
//! - [`Pattern::OneIn64`]: every 64th block lives on, so one live block sits
//!   in every 64 KB of the heap, interleaved with the freed ones;
//! - [`Pattern::Clustered`]: as many survivors, allocated first, together;
//! - [`Pattern::Pooled`]: the survivors of `OneIn64`, taken from a
//!   [`FixedPool`] of 1000-byte slots (seed 001's "fixed-size object pool").
//!
//! Runs in a child process ([`super::experiment`]): the resident set is the
//! whole process's, and the allocators' knobs are read at start-up.

use super::allocators::{Allocator, Setting};
use super::reclaimer::{Activity, Reclaimer};
use std::alloc::{GlobalAlloc, Layout};
use std::ptr::NonNull;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes per block.
pub const BLOCK: usize = 1000;
/// One block in this many survives in [`Pattern::OneIn64`].
pub const SURVIVOR_EVERY: usize = 64;

/// Which blocks survive the churn.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Pattern {
    /// Every block is freed.
    AllFreed,
    /// Every 64th block survives, interleaved with the freed ones.
    OneIn64,
    /// The same number of survivors, allocated first, side by side.
    Clustered,
    /// The survivors of `OneIn64` come from a [`FixedPool`].
    Pooled,
}

impl Pattern {
    /// How the tables name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::AllFreed => "all freed",
            Self::OneIn64 => "1 in 64 alive",
            Self::Clustered => "1 in 64 alive, clustered",
            Self::Pooled => "1 in 64 alive, pooled",
        }
    }

    /// Whether block `i` of `n` survives, and the order blocks are allocated in.
    fn survives(self, i: usize) -> bool {
        self != Self::AllFreed && i.is_multiple_of(SURVIVOR_EVERY)
    }
}

/// Blocks of one size from one allocator, called directly (not through the
/// global allocator). Every block is written in full, so its pages are
/// resident. Frees what is left when dropped.
pub struct Blocks {
    alloc: &'static (dyn GlobalAlloc + Sync),
    layout: Layout,
    live: Vec<Option<NonNull<u8>>>,
}

impl Blocks {
    /// No blocks yet; room for `capacity` without growing.
    pub fn new(alloc: Allocator, size: usize, capacity: usize) -> Self {
        Self {
            alloc: alloc.global(),
            layout: Layout::from_size_align(size.max(1), 8).expect("a small layout"),
            live: Vec::with_capacity(capacity),
        }
    }

    /// Allocates and fills one block; `Err` when the allocator refuses.
    pub fn push(&mut self) -> Result<(), String> {
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { self.alloc.alloc(self.layout) };
        let p = NonNull::new(p).ok_or("the allocator returned null")?;
        // SAFETY: `p` points to `layout.size()` writable bytes.
        unsafe { p.as_ptr().write_bytes(0xA5, self.layout.size()) };
        self.live.push(Some(p));
        Ok(())
    }

    /// Blocks allocated (live or freed).
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// True when no block was allocated.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Frees every live block `i` for which `free(i)` is true; returns how
    /// many it freed. `every` is called after each 4096 frees.
    pub fn free_where(
        &mut self,
        mut free: impl FnMut(usize) -> bool,
        mut every: impl FnMut(),
    ) -> usize {
        let mut n = 0;
        for (i, slot) in self.live.iter_mut().enumerate() {
            if !free(i) {
                continue;
            }
            if let Some(p) = slot.take() {
                // SAFETY: `p` came from `self.alloc` with `self.layout` and
                // is freed once (the slot is emptied).
                unsafe { self.alloc.dealloc(p.as_ptr(), self.layout) };
                n += 1;
                if n % 4096 == 0 {
                    every();
                }
            }
        }
        n
    }
}

impl Drop for Blocks {
    fn drop(&mut self) {
        self.free_where(|_| true, || {});
    }
}

// ANCHOR: fixed_pool
/// A pool of fixed-size slots carved from chunks of 64, each chunk one
/// allocation: objects that live long sit together instead of pinning a page
/// each among short-lived ones. Slots are never given back one by one; the
/// chunks are freed with the pool.
pub struct FixedPool {
    alloc: &'static (dyn GlobalAlloc + Sync),
    chunk: Layout,
    slot: usize,
    chunks: Vec<NonNull<u8>>,
    used_in_last: usize,
}

impl FixedPool {
    /// Slots per chunk.
    pub const SLOTS: usize = 64;

    /// An empty pool of `slot`-byte slots on `alloc`.
    pub fn new(alloc: Allocator, slot: usize) -> Self {
        let slot = slot.max(1).next_multiple_of(8);
        Self {
            alloc: alloc.global(),
            chunk: Layout::from_size_align(slot * Self::SLOTS, 8).expect("small"),
            slot,
            chunks: Vec::new(),
            used_in_last: Self::SLOTS,
        }
    }

    /// A slot, filled like a block; `Err` when the allocator refuses a chunk.
    pub fn take(&mut self) -> Result<NonNull<u8>, String> {
        if self.used_in_last == Self::SLOTS {
            // SAFETY: the chunk layout has a non-zero size.
            let c = unsafe { self.alloc.alloc(self.chunk) };
            self.chunks.push(NonNull::new(c).ok_or("the allocator returned null")?);
            self.used_in_last = 0;
        }
        let last = *self.chunks.last().expect("a chunk was just pushed");
        // SAFETY: `used_in_last < SLOTS`, so the slot lies inside the chunk.
        let p = unsafe { last.add(self.used_in_last * self.slot) };
        self.used_in_last += 1;
        // SAFETY: the slot is `self.slot` writable bytes inside the chunk.
        unsafe { p.as_ptr().write_bytes(0x5A, self.slot) };
        Ok(p)
    }

    /// Chunks allocated.
    pub fn chunks(&self) -> usize {
        self.chunks.len()
    }
}

impl Drop for FixedPool {
    fn drop(&mut self) {
        for c in self.chunks.drain(..) {
            // SAFETY: every chunk came from `self.alloc` with `self.chunk`.
            unsafe { self.alloc.dealloc(c.as_ptr(), self.chunk) };
        }
    }
}
// ANCHOR_END: fixed_pool

/// The process's resident set, bytes (`/proc/self/statm`), read without
/// allocating: a sample must not leave a block of its own in the heap (one
/// small block above the freed ones is enough to stop glibc trimming its top).
pub fn rss() -> u64 {
    use std::io::Read;
    let mut buf = [0u8; 128];
    let Ok(mut f) = std::fs::File::open("/proc/self/statm") else { return 0 };
    let n = f.read(&mut buf).unwrap_or(0);
    let pages = std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    pages * crate::measure::machine::page_size()
}

/// What one churn child is asked to do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ChurnPlan {
    /// The allocator and its knobs.
    pub setting: Setting,
    /// Which blocks survive.
    pub pattern: Pattern,
    /// Blocks allocated.
    pub blocks: usize,
    /// How long to stay idle after the free, sampling, ms.
    pub idle_ms: u64,
    /// Sampling step while idle, ms.
    pub step_ms: u64,
    /// The Reclaimer's quiet period, ms (its setting only).
    pub quiet_ms: u64,
}

/// One sample of the resident set.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// Milliseconds since the free began (negative while allocating).
    pub t_ms: f64,
    /// Resident set, bytes.
    pub rss: u64,
}

/// What a churn child saw.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    /// What it ran.
    pub plan: ChurnPlan,
    /// The resident set before the first block.
    pub baseline: u64,
    /// Its highest sample.
    pub peak: u64,
    /// Bytes freed by the churn.
    pub freed_bytes: u64,
    /// Bytes still live at the end (survivors).
    pub live_bytes: u64,
    /// The resident set at the end of the idle window, before any forced call.
    pub idle_rss: u64,
    /// After the allocator's reclaim call forced at the end, if the setting
    /// forces one ([`Setting::forces_reclaim_at_end`]).
    pub forced_rss: Option<u64>,
    /// How long that forced call took, ns.
    pub forced_ns: Option<f64>,
    /// When the Reclaimer first reclaimed after the free began (ms since
    /// then) and how long it took (ns), for its setting.
    pub reclaimer: Option<(f64, f64)>,
    /// Every sample, in time order.
    pub samples: Vec<Sample>,
}

// ANCHOR: run_churn
/// Allocates `plan.blocks` blocks, frees all but the pattern's survivors,
/// then stays idle, sampling the resident set.
pub fn run_churn(plan: &ChurnPlan) -> Result<Timeline, String> {
    let alloc = plan.setting.allocator();
    let n = plan.blocks;
    let activity = Arc::new(Activity::new());
    let reclaimer = if plan.setting == Setting::GlibcReclaimer {
        let quiet = Duration::from_millis(plan.quiet_ms);
        let poll = Duration::from_millis(2);
        let trim = || Allocator::Glibc.reclaim();
        Some(
            Reclaimer::spawn(Arc::clone(&activity), quiet, poll, trim)
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    let mut blocks = Blocks::new(alloc, BLOCK, n);
    let mut pool = FixedPool::new(alloc, BLOCK);
    let mut pooled = Vec::with_capacity(n / SURVIVOR_EVERY + 1);
    let mut samples = Vec::with_capacity(512);
    let baseline = rss();
    let start = Instant::now();
    samples.push((start, baseline));
    if plan.pattern == Pattern::Clustered {
        for _ in (0..n).filter(|i| i % SURVIVOR_EVERY == 0) {
            blocks.push()?;
        }
    }
    for i in 0..n {
        match plan.pattern {
            Pattern::Clustered if i % SURVIVOR_EVERY == 0 => continue,
            Pattern::Pooled if i % SURVIVOR_EVERY == 0 => pooled.push(pool.take()?),
            _ => blocks.push()?,
        }
        // Reported often enough that a busy machine's page faults never look
        // like a quiet period to the Reclaimer.
        if i % 256 == 255 {
            activity.bump();
            if i % (4096 * 4) == 4095 {
                samples.push((Instant::now(), rss()));
            }
        }
    }
    samples.push((Instant::now(), rss()));
    let free_start = Instant::now();
    let survivors = match plan.pattern {
        Pattern::Clustered => {
            n / SURVIVOR_EVERY + usize::from(!n.is_multiple_of(SURVIVOR_EVERY))
        }
        _ => 0,
    };
    let pattern = plan.pattern;
    let freed = blocks.free_where(
        |i| match pattern {
            Pattern::AllFreed | Pattern::Pooled => true,
            Pattern::OneIn64 => !pattern.survives(i),
            Pattern::Clustered => i >= survivors,
        },
        || activity.bump(),
    );
    activity.bump();
    let idle_until = Instant::now() + Duration::from_millis(plan.idle_ms);
    samples.push((Instant::now(), rss()));
    while Instant::now() < idle_until {
        std::thread::sleep(Duration::from_millis(plan.step_ms));
        samples.push((Instant::now(), rss()));
    }
    let idle_rss = samples.last().map_or(0, |s| s.1);
    let (mut forced_rss, mut forced_ns) = (None, None);
    if plan.setting.forces_reclaim_at_end() {
        let t = Instant::now();
        alloc.reclaim();
        forced_ns = Some(t.elapsed().as_nanos() as f64);
        let r = rss();
        samples.push((Instant::now(), r));
        forced_rss = Some(r);
    }
    let at = |t: Instant| {
        if t >= free_start {
            t.duration_since(free_start).as_secs_f64() * 1e3
        } else {
            -(free_start.duration_since(t).as_secs_f64() * 1e3)
        }
    };
    let reclaimer = reclaimer
        .map(Reclaimer::stop)
        .and_then(|events| events.into_iter().find(|e| e.start >= free_start))
        .map(|e| (at(e.start), e.took.as_nanos() as f64));
    let live_blocks = (blocks.len() - freed) + pooled.len();
    let timeline = Timeline {
        plan: *plan,
        baseline,
        peak: samples.iter().map(|s| s.1).max().unwrap_or(0),
        freed_bytes: (freed * BLOCK) as u64,
        live_bytes: (live_blocks * BLOCK) as u64,
        idle_rss,
        forced_rss,
        forced_ns,
        reclaimer,
        samples: samples.iter().map(|&(t, rss)| Sample { t_ms: at(t), rss }).collect(),
    };
    drop(blocks);
    drop(pool);
    Ok(timeline)
}
// ANCHOR_END: run_churn

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_free_only_what_they_are_told() {
        let mut b = Blocks::new(Allocator::Glibc, BLOCK, 200);
        for _ in 0..200 {
            b.push().unwrap();
        }
        let freed = b.free_where(|i| !Pattern::OneIn64.survives(i), || {});
        assert_eq!(freed, 200 - 4, "blocks 0, 64, 128 and 192 survive");
        assert_eq!(b.free_where(|_| true, || {}), 4);
        assert_eq!(b.free_where(|_| true, || {}), 0, "nothing is freed twice");
    }

    #[test]
    fn the_pool_carves_64_slots_per_chunk() {
        for a in Allocator::ALL {
            let mut p = FixedPool::new(a, BLOCK);
            let slots: Vec<_> = (0..65).map(|_| p.take().unwrap()).collect();
            assert_eq!(p.chunks(), 2);
            let gap = slots[1].as_ptr() as usize - slots[0].as_ptr() as usize;
            assert_eq!(gap, 1000, "slots are adjacent");
        }
    }
}
