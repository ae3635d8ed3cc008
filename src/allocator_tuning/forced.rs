//! Forced reclamation in the hot path: the seeds' `runtime.GC()` and
//! `debug.FreeOSMemory()`, called once per unit of work, against the
//! [`Reclaimer`], which waits until the work is quiet.
//!
//! The heap is fragmented first (1 in 64 blocks of a burst live on), then
//! each cycle allocates a burst of short-lived blocks into the holes and
//! frees it. Without a forced call the holes stay resident and the next
//! burst reuses them; with one, `malloc_trim` hands their pages back and the
//! next burst faults every one of them in again. Counted per cycle: minor
//! page faults (a count the machine's load cannot change) and the thread's
//! CPU time (which includes the kernel's work for the faults and the trim).
//!
//! For C000-13, C001-22, D12 and D34. glibc only (the seeds' calls map onto
//! `malloc_trim`), in a child process per mode.

use super::allocators::Allocator;
use super::churn::{BLOCK, Blocks, SURVIVOR_EVERY, rss};
use super::limit::LimitAlloc;
use super::reclaimer::{Activity, Reclaimer};
use super::seed_port;
use crate::measure::os::{ThreadCounters, thread_cpu_time};
use std::sync::Arc;
use std::time::Duration;

/// What happens at the end of each cycle.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum ForcedMode {
    /// Nothing: the allocator keeps its free pages.
    Nothing,
    /// seed 001's `gcTuning` port: "force GC", i.e. `malloc_trim(0)`.
    GcTuning,
    /// seed 000's `optimizeGC` port: `malloc_trim(0)`, then `mallinfo2()`.
    OptimizeGc,
    /// Nothing in the cycle; the [`Reclaimer`] trims once the work is quiet.
    Reclaimer,
}

impl ForcedMode {
    /// All four, in table order.
    pub const ALL: [ForcedMode; 4] =
        [Self::Nothing, Self::GcTuning, Self::OptimizeGc, Self::Reclaimer];

    /// How the table names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Nothing => "no call",
            Self::GcTuning => "gcTuning port: malloc_trim each cycle",
            Self::OptimizeGc => "optimizeGC port: malloc_trim + mallinfo2 each cycle",
            Self::Reclaimer => "Reclaimer (ours): trim when quiet",
        }
    }
}

/// What one forced-reclamation child is asked to do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ForcedPlan {
    /// What ends each cycle.
    pub mode: ForcedMode,
    /// Blocks of the fragmenting burst; each cycle allocates 63/64 as many.
    pub blocks: usize,
    /// Cycles.
    pub cycles: usize,
    /// The Reclaimer's quiet period, and the idle wait after the cycles, ms.
    pub quiet_ms: u64,
}

/// One cycle.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cycle {
    /// The thread's CPU time for the whole cycle, ns.
    pub cpu_ns: f64,
    /// Minor page faults in the cycle.
    pub faults: u64,
    /// Resident set after the burst was freed, before the cycle's call.
    pub rss_freed: u64,
    /// Resident set at the end of the cycle.
    pub rss_end: u64,
}

/// What a forced-reclamation child saw.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForcedReport {
    /// What it ran.
    pub plan: ForcedPlan,
    /// Bytes each burst allocates and frees.
    pub burst_bytes: u64,
    /// Bytes alive throughout (the survivors).
    pub live_bytes: u64,
    /// The cycles, in order.
    pub cycles: Vec<Cycle>,
    /// Resident set after the cycles and an idle wait.
    pub idle_rss: u64,
    /// Reclaims the Reclaimer made (its mode only).
    pub reclaims: usize,
}

// ANCHOR: run_forced
/// Fragments the heap, then runs `plan.cycles` bursts, each ended by
/// `plan.mode`'s call.
pub fn run_forced(plan: &ForcedPlan) -> Result<ForcedReport, String> {
    let n = plan.blocks;
    let activity = Arc::new(Activity::new());
    let limit = LimitAlloc::new(std::alloc::System, usize::MAX);
    let mut sink = std::io::sink();
    let mut survivors = Blocks::new(Allocator::Glibc, BLOCK, n);
    for _ in 0..n {
        survivors.push()?;
    }
    survivors.free_where(|i| i % SURVIVOR_EVERY != 0, || {});
    let live = n.div_ceil(SURVIVOR_EVERY);
    let burst = n - live;
    let quiet = Duration::from_millis(plan.quiet_ms);
    let reclaimer = match plan.mode {
        ForcedMode::Reclaimer => Some(
            Reclaimer::spawn(
                Arc::clone(&activity),
                quiet,
                Duration::from_millis(2),
                || Allocator::Glibc.reclaim(),
            )
            .map_err(|e| e.to_string())?,
        ),
        _ => None,
    };
    let cpu = || thread_cpu_time().map_or(0.0, |d| d.as_nanos() as f64);
    let mut cycles = Vec::with_capacity(plan.cycles);
    for _ in 0..plan.cycles {
        let (c0, t0) = (ThreadCounters::now(), cpu());
        let mut short = Blocks::new(Allocator::Glibc, BLOCK, burst);
        for i in 0..burst {
            short.push()?;
            if i % 4096 == 0 {
                activity.bump();
            }
        }
        drop(short);
        let rss_freed = rss();
        match plan.mode {
            ForcedMode::GcTuning => {
                std::hint::black_box(seed_port::gc_tuning(&limit, &mut sink));
            }
            ForcedMode::OptimizeGc => {
                std::hint::black_box(seed_port::optimize_gc(&limit, &mut sink));
            }
            ForcedMode::Nothing | ForcedMode::Reclaimer => {}
        }
        let faults = c0.delta(&ThreadCounters::now()).minor_faults;
        cycles.push(Cycle { cpu_ns: cpu() - t0, faults, rss_freed, rss_end: rss() });
    }
    activity.bump();
    let reclaims = match reclaimer {
        Some(r) => {
            r.wait_for_reclaim(quiet * 20 + Duration::from_secs(5));
            r.stop().len()
        }
        None => {
            std::thread::sleep(quiet * 2);
            0
        }
    };
    let idle_rss = rss();
    drop(survivors);
    Ok(ForcedReport {
        plan: *plan,
        burst_bytes: (burst * BLOCK) as u64,
        live_bytes: (live * BLOCK) as u64,
        cycles,
        idle_rss,
        reclaims,
    })
}
// ANCHOR_END: run_forced

impl ForcedReport {
    /// The median of `f` over the cycles after the first (the first fills
    /// the holes for the first time in every mode).
    pub fn steady(&self, f: impl Fn(&Cycle) -> f64) -> f64 {
        let v: Vec<f64> = self.cycles.iter().skip(1).map(f).collect();
        crate::measure::stats::median(&v).unwrap_or(f64::NAN)
    }

    /// Pages of the burst: what a cycle faults in when it starts from nothing.
    pub fn burst_pages(&self) -> f64 {
        self.burst_bytes as f64 / crate::measure::machine::page_size() as f64
    }
}
