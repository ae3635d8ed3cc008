//! What reclamation does to *another* thread: a heartbeat thread allocates
//! and frees a 2000-byte block in a loop (above glibc's per-thread cache, so
//! every call reaches its arena) and records when each turn ends; the gap
//! between two turns is how long it was held up. While it beats, the main
//! thread (or the [`Reclaimer`]) gives the churn's free memory back.
//!
//! glibc's `malloc_trim` and `mallinfo2` lock each arena while they walk it,
//! so a thread that shares the arena waits for the whole walk; a thread
//! with an arena of its own (glibc's default for a new thread) does not.
//! For C003-40 (seed 003's "long GC pauses cause periodic stalls"), D12
//! (`ReadMemStats` stops the world) and the target "stall ≤ 1 ms".
//!
//! Runs in a child process: `MALLOC_ARENA_MAX=1` must be read at start-up.

use super::allocators::Allocator;
use super::churn::{BLOCK, Blocks, SURVIVOR_EVERY};
use super::reclaimer::{Activity, Reclaimer};
use std::alloc::Layout;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Who reclaims, where, and on which allocator.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum StallSetting {
    /// glibc with `MALLOC_ARENA_MAX=1`: the heartbeat shares the churn's arena;
    /// the main thread calls `mallinfo2()`, then `malloc_trim(0)` (the seeds'
    /// `ReadMemStats` and `runtime.GC()`/`FreeOSMemory()` analogues).
    GlibcSharedArena,
    /// glibc as it starts (the heartbeat gets an arena of its own); the main
    /// thread calls `mallinfo2()`, then `malloc_trim(0)`.
    GlibcOwnArena,
    /// glibc as it starts, with the [`Reclaimer`] trimming once the churn is quiet.
    GlibcReclaimer,
    /// jemalloc: the main thread purges every arena.
    Jemalloc,
    /// mimalloc: the main thread collects its heap.
    Mimalloc,
}

impl StallSetting {
    /// Every setting, in table order.
    pub const ALL: [StallSetting; 5] = [
        Self::GlibcSharedArena,
        Self::GlibcOwnArena,
        Self::GlibcReclaimer,
        Self::Jemalloc,
        Self::Mimalloc,
    ];

    /// The allocator the churn and the heartbeat use.
    pub fn allocator(self) -> Allocator {
        match self {
            Self::Jemalloc => Allocator::Jemalloc,
            Self::Mimalloc => Allocator::Mimalloc,
            _ => Allocator::Glibc,
        }
    }

    /// How the table names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::GlibcSharedArena => "glibc, one arena for all (MALLOC_ARENA_MAX=1)",
            Self::GlibcOwnArena => "glibc, an arena per thread (default)",
            Self::GlibcReclaimer => "glibc + Reclaimer (ours), default arenas",
            Self::Jemalloc => "jemalloc, default",
            Self::Mimalloc => "mimalloc, default",
        }
    }

    /// The child's environment.
    pub fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::GlibcSharedArena => &[("MALLOC_ARENA_MAX", "1")],
            _ => &[],
        }
    }
}

/// What one stall child is asked to do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct StallPlan {
    /// Who reclaims.
    pub setting: StallSetting,
    /// Blocks of the churn (1 in 64 survive).
    pub blocks: usize,
    /// The quiet windows before, between and after the calls, ms.
    pub window_ms: u64,
    /// Times to fragment and reclaim (the heartbeat may lack a CPU in some).
    pub rounds: u32,
}

/// One call the heartbeat lived through.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallStall {
    /// `malloc_trim(0)`, `mallinfo2()` …
    pub call: String,
    /// How long the call took, ns.
    pub took_ns: f64,
    /// The longest gap between two heartbeats that overlaps the call, ns,
    /// whatever held the heartbeat up (a lock, or another process on its CPU).
    pub max_gap_ns: f64,
    /// The longest overlapping gap in which the heartbeat *slept* (made a
    /// voluntary context switch: it waited for a lock), ns; 0 if it never did.
    pub blocked_ns: f64,
    /// Voluntary context switches of the heartbeat during those gaps.
    pub sleeps: u64,
    /// False when the heartbeat had no CPU for the whole call (another
    /// process held it): then it never tried the lock, and `blocked_ns`
    /// says nothing.
    pub ran: bool,
}

/// What a stall child saw.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StallReport {
    /// What it ran.
    pub plan: StallPlan,
    /// The longest heartbeat gap in a window with no call, ns.
    pub quiet_max_gap_ns: f64,
    /// The longest gap in which it slept, in that window, ns.
    pub quiet_blocked_ns: f64,
    /// Heartbeats in all.
    pub beats: u64,
    /// CPUs this process may run on.
    pub cpus: u64,
    /// The calls, in order.
    pub calls: Vec<CallStall>,
}

/// Gaps shorter than this are not recorded (ns): a turn takes well under it.
pub const GAP_FLOOR_NS: u64 = 10_000;

/// A heartbeat held up: from the end of one turn to the end of the next (ns
/// since the epoch), and the voluntary context switches it made meanwhile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// End of the turn before.
    pub from: u64,
    /// End of the late turn.
    pub to: u64,
    /// Voluntary context switches since the last recorded gap: the thread
    /// slept (on a lock) rather than being preempted.
    pub sleeps: u64,
}

/// This thread's voluntary context switches so far.
fn voluntary_switches() -> u64 {
    // SAFETY: getrusage fills the struct we pass; a zeroed rusage is valid.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_THREAD, &mut ru) == 0 {
            ru.ru_nvcsw as u64
        } else {
            0
        }
    }
}

// ANCHOR: heartbeat
/// The heartbeat: allocate, write and free 2000 bytes on `alloc` until
/// `stop`. Returns the turns it made and every [`Gap`] longer than
/// [`GAP_FLOOR_NS`]. Reading its context switches only after a long gap
/// keeps the turns short.
fn heartbeat(alloc: Allocator, epoch: Instant, stop: &AtomicBool) -> (u64, Vec<Gap>) {
    let g = alloc.global();
    let layout = Layout::from_size_align(2000, 8).expect("small");
    let mut gaps = Vec::with_capacity(1 << 16);
    let mut switches = voluntary_switches();
    let (mut turns, mut last) = (0u64, epoch.elapsed().as_nanos() as u64);
    while !stop.load(Ordering::Relaxed) {
        // SAFETY: a non-zero layout; the block is written within its size
        // and freed once with the same layout by the same allocator.
        unsafe {
            let p = g.alloc(layout);
            if !p.is_null() {
                p.write_bytes(1, 64);
                g.dealloc(p, layout);
            }
        }
        let end = epoch.elapsed().as_nanos() as u64;
        if end - last > GAP_FLOOR_NS && gaps.len() < gaps.capacity() {
            let now = voluntary_switches();
            gaps.push(Gap { from: last, to: end, sleeps: now - switches });
            switches = now;
        }
        (turns, last) = (turns + 1, end);
    }
    (turns, gaps)
}
// ANCHOR_END: heartbeat

/// The recorded gaps that overlap `[from, to]` (ns since the same epoch).
/// A gap runs from the end of one turn to the end of the next, so a turn
/// held up inside the window shows in full.
fn overlapping(gaps: &[Gap], from: u64, to: u64) -> impl Iterator<Item = &Gap> {
    gaps.iter().filter(move |g| g.to >= from && g.from <= to)
}

/// The longest gap overlapping `[from, to]`, or [`GAP_FLOOR_NS`] if none was recorded.
pub fn max_gap(gaps: &[Gap], from: u64, to: u64) -> u64 {
    overlapping(gaps, from, to).map(|g| g.to - g.from).max().unwrap_or(GAP_FLOOR_NS)
}

/// The longest gap overlapping `[from, to]` in which the heartbeat slept; 0 if none.
pub fn max_blocked(gaps: &[Gap], from: u64, to: u64) -> u64 {
    overlapping(gaps, from, to)
        .filter(|g| g.sleeps > 0)
        .map(|g| g.to - g.from)
        .max()
        .unwrap_or(0)
}

// ANCHOR: run_stall
/// Fragments the heap (1 in 64 blocks alive) and reclaims as
/// `plan.setting` says, `plan.rounds` times, while the heartbeat runs;
/// times each call and the heartbeat's gaps around it.
pub fn run_stall(plan: &StallPlan) -> Result<StallReport, String> {
    let alloc = plan.setting.allocator();
    let window = Duration::from_millis(plan.window_ms);
    let activity = Arc::new(Activity::new());
    let epoch = Instant::now();
    let stop = AtomicBool::new(false);
    let ns = |t: Instant| t.duration_since(epoch).as_nanos() as u64;
    let fragment = || -> Result<Blocks, String> {
        let mut blocks = Blocks::new(alloc, BLOCK, plan.blocks);
        for i in 0..plan.blocks {
            blocks.push()?;
            if i % 4096 == 0 {
                activity.bump();
            }
        }
        blocks.free_where(|i| i % SURVIVOR_EVERY != 0, || activity.bump());
        activity.bump();
        Ok(blocks)
    };
    let timed = |call: &str, f: &dyn Fn()| {
        let t = Instant::now();
        f();
        let call = (call.to_string(), ns(t), ns(Instant::now()));
        std::thread::sleep(window);
        call
    };
    // The main thread's part: returns the quiet window, the calls, and the
    // survivors (freed once the heartbeat has stopped).
    type Calls = Vec<(String, u64, u64)>;
    type Work = Result<((u64, u64), Calls, Vec<Blocks>), String>;
    let work = || -> Work {
        std::thread::sleep(window); // the heartbeat gets going, and gets its arena
        let q0 = ns(Instant::now());
        std::thread::sleep(window);
        let quiet = (q0, ns(Instant::now()));
        let reclaimer = match plan.setting {
            StallSetting::GlibcReclaimer => {
                let quiet = Duration::from_millis(plan.window_ms / 2);
                let trim = || Allocator::Glibc.reclaim();
                Some(
                    Reclaimer::spawn(
                        Arc::clone(&activity),
                        quiet,
                        Duration::from_millis(2),
                        trim,
                    )
                    .map_err(|e| e.to_string())?,
                )
            }
            _ => None,
        };
        let (mut calls, mut kept) = (Vec::new(), Vec::new());
        for round in 0..plan.rounds {
            kept.push(fragment()?);
            std::thread::sleep(window);
            match (plan.setting, &reclaimer) {
                (StallSetting::GlibcSharedArena | StallSetting::GlibcOwnArena, _) => {
                    calls.push(timed("mallinfo2()", &|| {
                        std::hint::black_box(super::glibc::mallinfo2());
                    }));
                    calls.push(timed("malloc_trim(0)", &|| alloc.reclaim()));
                }
                (StallSetting::GlibcReclaimer, Some(r)) => {
                    let e = r
                        .wait_for_reclaims(round as usize + 1, Duration::from_secs(30))
                        .ok_or("the Reclaimer did not reclaim")?;
                    std::thread::sleep(window);
                    let name = "Reclaimer: malloc_trim(0)".to_string();
                    calls.push((name, ns(e.start), ns(e.start + e.took)));
                }
                _ => calls.push(timed(alloc.reclaim_call(), &|| alloc.reclaim())),
            }
        }
        Ok((quiet, calls, kept))
    };
    let (done, (beats, gaps)) = std::thread::scope(|s| {
        let beat = s.spawn(|| heartbeat(alloc, epoch, &stop));
        let done = work();
        stop.store(true, Ordering::Relaxed); // on every path, or the scope never ends
        let beats = beat.join().map_err(|_| "the heartbeat panicked".to_string());
        Ok::<_, String>((done, beats?))
    })?;
    let (quiet, calls, kept) = done?;
    drop(kept);
    let cpus = crate::measure::cpu::allowed_cpus().map_or(0, |c| c.len() as u64);
    Ok(StallReport {
        plan: *plan,
        quiet_max_gap_ns: max_gap(&gaps, quiet.0, quiet.1) as f64,
        quiet_blocked_ns: max_blocked(&gaps, quiet.0, quiet.1) as f64,
        beats,
        cpus,
        calls: calls
            .into_iter()
            .map(|(call, from, to)| CallStall {
                call,
                took_ns: (to - from) as f64,
                max_gap_ns: max_gap(&gaps, from, to) as f64,
                blocked_ns: max_blocked(&gaps, from, to) as f64,
                sleeps: overlapping(&gaps, from, to).map(|g| g.sleeps).sum(),
                ran: !gaps.iter().any(|g| g.sleeps == 0 && g.from <= from && g.to >= to),
            })
            .collect(),
    })
}
// ANCHOR_END: run_stall

impl StallReport {
    /// The calls whose name starts with `prefix`, one per round.
    pub fn calls_of<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a CallStall> {
        self.calls.iter().filter(move |c| c.call.starts_with(prefix))
    }

    /// The longest the heartbeat was blocked during a `prefix` call, over the
    /// rounds in which it had a CPU; `None` if it had none in every round.
    pub fn blocked(&self, prefix: &str) -> Option<f64> {
        self.calls_of(prefix).filter(|c| c.ran).map(|c| c.blocked_ns).reduce(f64::max)
    }

    /// The median time a `prefix` call took.
    pub fn took(&self, prefix: &str) -> f64 {
        let v: Vec<f64> = self.calls_of(prefix).map(|c| c.took_ns).collect();
        crate::measure::stats::median(&v).unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_counts_when_it_overlaps_the_window() {
        let us = 1000;
        let gap =
            |from: u64, to: u64, sleeps| Gap { from: from * us, to: to * us, sleeps };
        let gaps = [gap(20, 100, 1), gap(110, 500, 0)];
        assert_eq!(max_gap(&gaps, 30 * us, 40 * us), 80 * us, "20 → 100 spans the call");
        assert_eq!(max_gap(&gaps, 0, 15 * us), GAP_FLOOR_NS, "nothing recorded there");
        assert_eq!(max_gap(&gaps, 90 * us, 130 * us), 390 * us);
        assert_eq!(max_blocked(&gaps, 90 * us, 130 * us), 80 * us, "only 20 → 100 slept");
        assert_eq!(max_blocked(&gaps, 120 * us, 130 * us), 0, "preempted, not blocked");
    }
}
