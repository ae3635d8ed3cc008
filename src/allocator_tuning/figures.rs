//! Every measurement of the chapter, taken once per run and size, read by
//! the example's tables and by the claim checks alike.
//!
//! - child experiments ([`super::experiment`]), memoised by their plan:
//!   [`timelines`] (every setting × two patterns), [`fragmentation`],
//!   [`stalls`], [`forced`], [`arenas`];
//! - the `RLIMIT_AS` children and direct calls on a [`LimitAlloc`]: [`limits`];
//! - in this process: [`drops`] and [`handoffs`] (background drop),
//!   [`limit_overhead`].
//!
//! The peers `defer-drop` and `cap` are dev-dependencies: the example and
//! the bench pass them in with [`set_peers`] before anything is measured.
//! Without them (the CLI) the peer columns say "n/a".

use super::allocators::{Allocator, Setting};
use super::background_drop::{self as bg, BigMap, DropSignal};
use super::churn::{ChurnPlan, Pattern, Timeline};
use super::experiment::{Outcome, Plan, run_in_child};
use super::forced::{ForcedMode, ForcedPlan, ForcedReport};
use super::knobs::{ArenaPlan, ArenaReport, InitStyle};
use super::limit::{self, DirectLimit, LimitAlloc};
use super::stall::{StallPlan, StallReport, StallSetting};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::{child, stats};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a child may run.
const CHILD_TIMEOUT: Duration = Duration::from_secs(180);

/// The run's sizes.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Blocks of a churn (1000 B each).
    pub blocks: usize,
    /// Idle window after the free, ms.
    pub idle_ms: u64,
    /// Sampling step while idle, ms.
    pub step_ms: u64,
    /// The Reclaimer's quiet period, ms.
    pub quiet_ms: u64,
    /// Quiet windows around each call in the stall children, ms.
    pub window_ms: u64,
    /// Rounds of fragmenting and reclaiming in each stall child.
    pub stall_rounds: u32,
    /// Cycles of the forced-reclamation children.
    pub cycles: usize,
    /// Entries of the map whose drop is timed.
    pub map_entries: usize,
    /// Drops of that map per way.
    pub drop_trials: usize,
    /// Rounds of the interleaved per-call timings.
    pub rounds: usize,
}

/// `full` or `--quick` sizes.
pub fn sizes(ctx: &Ctx) -> Sizes {
    ctx.pick(
        Sizes {
            blocks: 200_000,
            idle_ms: 1000,
            step_ms: 20,
            quiet_ms: 100,
            window_ms: 40,
            stall_rounds: 3,
            cycles: 6,
            map_entries: 2_000_000,
            drop_trials: 3,
            rounds: 15,
        },
        Sizes {
            blocks: 32_000,
            idle_ms: 250,
            step_ms: 10,
            quiet_ms: 50,
            window_ms: 20,
            stall_rounds: 2,
            cycles: 4,
            map_entries: 100_000,
            drop_trials: 2,
            rounds: 5,
        },
    )
}

fn err(e: impl std::fmt::Display) -> CheckError {
    CheckError(e.to_string())
}

/// Outcomes of child plans, memoised by plan (the sizes are in the plan).
fn outcomes(plans: &[Plan], parallel: bool) -> Vec<Result<Outcome, CheckError>> {
    static CACHE: Mutex<Option<HashMap<Plan, Result<Outcome, String>>>> =
        Mutex::new(None);
    let missing: Vec<Plan> = {
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        let cache = cache.get_or_insert_with(HashMap::new);
        let mut m: Vec<Plan> =
            plans.iter().filter(|p| !cache.contains_key(p)).copied().collect();
        m.dedup();
        m
    };
    let run = |p: &Plan| run_in_child(p, CHILD_TIMEOUT);
    let fresh: Vec<(Plan, Result<Outcome, String>)> = if parallel && missing.len() > 1 {
        // Two at a time: the resident set of one process does not depend
        // on its neighbour, and the run is twice as short on two cores.
        let (a, b) = missing.split_at(missing.len() / 2);
        std::thread::scope(|s| {
            let h = s.spawn(|| a.iter().map(|p| (*p, run(p))).collect::<Vec<_>>());
            let mut v: Vec<_> = b.iter().map(|p| (*p, run(p))).collect();
            v.extend(h.join().unwrap_or_default());
            v
        })
    } else {
        missing.iter().map(|p| (*p, run(p))).collect()
    };
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    cache.extend(fresh);
    plans
        .iter()
        .map(|p| match cache.get(p) {
            Some(r) => r.clone().map_err(CheckError),
            None => Err(CheckError(format!("{p:?} was not run"))),
        })
        .collect()
}

fn churn_plan(ctx: &Ctx, setting: Setting, pattern: Pattern, idle: bool) -> Plan {
    let s = sizes(ctx);
    Plan::Churn(ChurnPlan {
        setting,
        pattern,
        blocks: s.blocks,
        idle_ms: if idle { s.idle_ms } else { 0 },
        step_ms: s.step_ms,
        quiet_ms: s.quiet_ms,
    })
}

fn as_timeline(o: Result<Outcome, CheckError>) -> Result<Timeline, CheckError> {
    match o? {
        Outcome::Churn(t) => Ok(t),
        other => Err(err(format!("expected a timeline, got {other:?}"))),
    }
}

/// The two patterns of the churn table and the plot.
pub const PATTERNS: [Pattern; 2] = [Pattern::AllFreed, Pattern::OneIn64];

/// The churn's timeline for each of `settings` × [`PATTERNS`], in that order.
pub fn timelines_of(
    ctx: &Ctx,
    settings: &[Setting],
) -> Result<Vec<Timeline>, CheckError> {
    let plans: Vec<Plan> = settings
        .iter()
        .flat_map(|s| PATTERNS.map(|p| churn_plan(ctx, *s, p, true)))
        .collect();
    outcomes(&plans, true).into_iter().map(as_timeline).collect()
}

/// Every setting's timeline for both patterns.
pub fn timelines(ctx: &Ctx) -> Result<Vec<Timeline>, CheckError> {
    timelines_of(ctx, &Setting::ALL)
}

/// One setting's timeline for one pattern.
pub fn timeline(
    ctx: &Ctx,
    setting: Setting,
    pattern: Pattern,
) -> Result<Timeline, CheckError> {
    as_timeline(outcomes(&[churn_plan(ctx, setting, pattern, true)], false).remove(0))
}

/// What one allocator keeps resident after a survival pattern and its
/// reclaim call (C001-41).
#[derive(Clone, Copy, Debug)]
pub struct Retained {
    /// The allocator, as it starts.
    pub allocator: Allocator,
    /// Which blocks survived.
    pub pattern: Pattern,
    /// Resident set above the child's baseline after the reclaim call.
    pub retained: f64,
    /// Bytes still live.
    pub live: f64,
}

/// The default settings, one per allocator, in [`Allocator::ALL`] order.
pub const DEFAULTS: [Setting; 3] =
    [Setting::GlibcDefault, Setting::JemallocDefault, Setting::MimallocDefault];

/// For each allocator: the survivors interleaved, clustered, pooled; what
/// stays resident after the allocator's reclaim call.
pub fn fragmentation(ctx: &Ctx) -> Result<Vec<Retained>, CheckError> {
    let patterns = [Pattern::OneIn64, Pattern::Clustered, Pattern::Pooled];
    let plans: Vec<Plan> = DEFAULTS
        .iter()
        .flat_map(|s| patterns.map(|p| churn_plan(ctx, *s, p, false)))
        .collect();
    outcomes(&plans, true)
        .into_iter()
        .map(|o| {
            let t = as_timeline(o)?;
            let after = t.forced_rss.ok_or("a default setting forces its reclaim")?;
            Ok(Retained {
                allocator: t.plan.setting.allocator(),
                pattern: t.plan.pattern,
                retained: after.saturating_sub(t.baseline) as f64,
                live: t.live_bytes as f64,
            })
        })
        .collect()
}

/// Every stall setting, one child each, one after the other (they time).
pub fn stalls(ctx: &Ctx) -> Result<Vec<StallReport>, CheckError> {
    let s = sizes(ctx);
    let plans: Vec<Plan> = StallSetting::ALL
        .iter()
        .map(|&setting| {
            Plan::Stall(StallPlan {
                setting,
                blocks: s.blocks,
                window_ms: s.window_ms,
                rounds: s.stall_rounds,
            })
        })
        .collect();
    outcomes(&plans, false)
        .into_iter()
        .map(|o| match o? {
            Outcome::Stall(r) => Ok(r),
            other => Err(err(format!("expected a stall report, got {other:?}"))),
        })
        .collect()
}

/// The stall report of one setting.
pub fn stall(ctx: &Ctx, setting: StallSetting) -> Result<StallReport, CheckError> {
    stalls(ctx)?
        .into_iter()
        .find(|r| r.plan.setting == setting)
        .ok_or_else(|| err("no such stall setting"))
}

/// Every forced-reclamation mode, one child each.
pub fn forced(ctx: &Ctx) -> Result<Vec<ForcedReport>, CheckError> {
    let s = sizes(ctx);
    let plans: Vec<Plan> = ForcedMode::ALL
        .iter()
        .map(|&mode| {
            Plan::Forced(ForcedPlan {
                mode,
                blocks: s.blocks,
                cycles: s.cycles,
                quiet_ms: s.quiet_ms * 3 / 2,
            })
        })
        .collect();
    outcomes(&plans, false)
        .into_iter()
        .map(|o| match o? {
            Outcome::Forced(r) => Ok(r),
            other => Err(err(format!("expected a forced report, got {other:?}"))),
        })
        .collect()
}

/// The forced-reclamation report of one mode.
pub fn forced_mode(ctx: &Ctx, mode: ForcedMode) -> Result<ForcedReport, CheckError> {
    forced(ctx)?
        .into_iter()
        .find(|r| r.plan.mode == mode)
        .ok_or_else(|| err("no such mode"))
}

/// The arena children: (start-up code, operator's `MALLOC_ARENA_MAX=1`).
pub const ARENA_CASES: [(InitStyle, bool); 5] = [
    (InitStyle::Nothing, false),
    (InitStyle::Nothing, true),
    (InitStyle::SeedInit, true),
    (InitStyle::BinaryDefault, true),
    (InitStyle::BinaryDefault, false),
];

/// Threads that allocate at once in the arena children.
pub const ARENA_THREADS: usize = 8;

/// Arena counts for every [`ARENA_CASES`] entry.
pub fn arenas(_ctx: &Ctx) -> Result<Vec<ArenaReport>, CheckError> {
    let plans: Vec<Plan> = ARENA_CASES
        .iter()
        .map(|&(init, operator_one)| {
            Plan::Arenas(ArenaPlan { init, operator_one, threads: ARENA_THREADS })
        })
        .collect();
    outcomes(&plans, false)
        .into_iter()
        .map(|o| match o? {
            Outcome::Arenas(r) => Ok(r),
            other => Err(err(format!("expected an arena report, got {other:?}"))),
        })
        .collect()
}

/// The arena count for one case.
pub fn arena_count(
    ctx: &Ctx,
    init: InitStyle,
    operator_one: bool,
) -> Result<f64, CheckError> {
    arenas(ctx)?
        .iter()
        .find(|r| r.plan.init == init && r.plan.operator_one == operator_one)
        .map(|r| r.arenas as f64)
        .ok_or_else(|| err("no such arena case"))
}

/// The limit demonstrations.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Direct calls on a `LimitAlloc` with a 1 MiB cap.
    pub direct: DirectLimit,
    /// The `RLIMIT_AS` child that uses `try_reserve`: how it ended.
    pub degrade_ended: String,
    /// What it got instead of 1 GiB (bytes), if it degraded.
    pub degraded_to: Option<f64>,
    /// The child that uses `Vec::with_capacity`: how it ended.
    pub abort_ended: String,
    /// It died of a signal (SIGABRT from `handle_alloc_error`).
    pub aborted: bool,
    /// Its line on stderr that says what failed.
    pub abort_message: String,
}

/// [`Limits`], measured once per run.
pub fn limits(ctx: &Ctx) -> Result<&'static Limits, CheckError> {
    static L: PerRun<Result<Limits, CheckError>> = PerRun::new();
    L.get(ctx, || {
        let t = Duration::from_secs(60);
        let d = child::run_mode(limit::CHILD_DEGRADE, t)?;
        let a = child::run_mode(limit::CHILD_ABORT, t)?;
        let degraded_to = d.stdout.lines().find_map(|l| {
            l.split("got=").nth(1)?.split_whitespace().next()?.parse().ok()
        });
        Ok(Limits {
            direct: limit::direct_limit(),
            degrade_ended: d.describe(),
            degraded_to,
            abort_ended: a.describe(),
            aborted: a.signal.is_some(),
            abort_message: a
                .stderr
                .lines()
                .find(|l| l.contains("memory allocation"))
                .unwrap_or("")
                .trim()
                .to_string(),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The peers the example and the bench pass in (dev-dependencies).
#[derive(Clone, Copy)]
pub struct Peers {
    /// `defer-drop`'s `DeferDrop::new(map)` dropped at once.
    pub defer_map: fn(BigMap),
    /// The same for a small value (the per-call cost).
    pub defer_small: fn(Vec<u64>),
    /// The same for a [`DropSignal`] (to wait for its thread).
    pub defer_signal: fn(DropSignal),
    /// `cap::Cap<System>` with no effective limit.
    pub cap: &'static (dyn GlobalAlloc + Sync),
}

static PEERS: OnceLock<Peers> = OnceLock::new();

/// Adds the peers to [`drops`], [`handoffs`] and [`limit_overhead`]; call it
/// before anything is measured. `Err` if they were set already.
pub fn set_peers(peers: Peers) -> Result<(), CheckError> {
    PEERS.set(peers).map_err(|_| err("the peers were set already"))
}

fn peers() -> Option<&'static Peers> {
    PEERS.get()
}

/// The caller's CPU time to get rid of a big map, each way.
#[derive(Clone, Debug)]
pub struct Drops {
    /// Entries of the map.
    pub entries: usize,
    /// `drop(map)` on the caller's thread, ns per trial.
    pub inline_ns: Vec<f64>,
    /// [`drop_in_background`](super::drop_in_background), ns per trial.
    pub ours_ns: Vec<f64>,
    /// `defer-drop`, ns per trial (when passed in).
    pub peer_ns: Option<Vec<f64>>,
}

/// The caller's CPU time to get rid of `map` (not wall time: on a busy
/// machine the woken background thread may take the caller's CPU, and that
/// wait is the scheduler's, not the hand-off's).
fn time_drop(map: BigMap, how: impl FnOnce(BigMap)) -> f64 {
    let ((), t) = crate::measure::cpu_timed(|| how(black_box(map)));
    t.as_nanos() as f64
}

// ANCHOR: drops
/// Drops a [`BigMap`] inline, hands one to [`drop_in_background`] and (if
/// passed in) to `defer-drop`, `drop_trials` times each, waiting for the
/// background threads between trials.
///
/// [`drop_in_background`]: super::drop_in_background
pub fn drops(ctx: &Ctx) -> Result<&'static Drops, CheckError> {
    static D: PerRun<Drops> = PerRun::new();
    Ok(D.get(ctx, || {
        let s = sizes(ctx);
        let peer = peers();
        bg::flush(bg::ours); // starts our thread, so no trial pays for that
        if let Some(p) = peer {
            bg::flush(p.defer_signal);
        }
        let mut d = Drops {
            entries: s.map_entries,
            inline_ns: vec![],
            ours_ns: vec![],
            peer_ns: peer.map(|_| vec![]),
        };
        for _ in 0..s.drop_trials {
            d.inline_ns.push(time_drop(bg::big_map(s.map_entries), drop));
            d.ours_ns.push(time_drop(bg::big_map(s.map_entries), bg::drop_in_background));
            bg::flush(bg::ours);
            if let (Some(p), Some(v)) = (peer, d.peer_ns.as_mut()) {
                v.push(time_drop(bg::big_map(s.map_entries), p.defer_map));
                bg::flush(p.defer_signal);
            }
        }
        d
    }))
}
// ANCHOR_END: drops

/// The caller's CPU time per hand-off, ns: median over interleaved batches.
#[derive(Clone, Copy, Debug)]
pub struct Handoffs {
    /// Hand-offs per batch.
    pub batch: usize,
    /// [`drop_in_background`](super::drop_in_background).
    pub ours_ns: f64,
    /// `defer-drop` (when passed in).
    pub peer_ns: Option<f64>,
}

/// Values handed off per batch in [`handoffs`].
pub const HANDOFF_BATCH: usize = 2000;

fn handoff_batch(hand_off: fn(Vec<u64>)) -> f64 {
    let values: Vec<Vec<u64>> = (0..HANDOFF_BATCH as u64).map(|i| vec![i; 16]).collect();
    let ((), t) = crate::measure::cpu_timed(|| {
        for v in values {
            hand_off(black_box(v));
        }
    });
    t.as_nanos() as f64 / HANDOFF_BATCH as f64
}

/// The caller's cost per hand-off of a small value, ours against
/// `defer-drop`, in alternating batches (the background threads drain
/// between batches).
pub fn handoffs(ctx: &Ctx) -> Result<Handoffs, CheckError> {
    static H: PerRun<Handoffs> = PerRun::new();
    Ok(*H.get(ctx, || {
        let rounds = sizes(ctx).rounds;
        let ours = |v: Vec<u64>| bg::drop_in_background(v);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            a.push(handoff_batch(ours));
            bg::flush(bg::ours);
            if let Some(p) = peers() {
                b.push(handoff_batch(p.defer_small));
                bg::flush(p.defer_signal);
            }
        }
        Handoffs {
            batch: HANDOFF_BATCH,
            ours_ns: stats::median(&a).unwrap_or(f64::NAN),
            peer_ns: stats::median(&b),
        }
    }))
}

/// Per alloc + free of 64 bytes, ns: glibc alone, through [`LimitAlloc`],
/// through `cap` (when passed in).
#[derive(Clone, Copy, Debug)]
pub struct Overhead {
    /// `System` called directly.
    pub system_ns: f64,
    /// `LimitAlloc<System>`.
    pub ours_ns: f64,
    /// `cap::Cap<System>`.
    pub cap_ns: Option<f64>,
}

/// One alloc + free of 64 bytes through `a`.
fn alloc_free(a: &dyn GlobalAlloc) {
    let layout = Layout::from_size_align(64, 8).expect("small");
    // SAFETY: a non-zero layout; the block is freed once with it.
    unsafe {
        let p = black_box(a.alloc(layout));
        if !p.is_null() {
            a.dealloc(p, layout);
        }
    }
}

/// Nanoseconds per [`alloc_free`] through `a`, over `iters` calls.
fn batch(a: &dyn GlobalAlloc, iters: usize) -> f64 {
    let t = Instant::now();
    for _ in 0..iters {
        alloc_free(a);
    }
    t.elapsed().as_nanos() as f64 / iters as f64
}

/// The limit's overhead: glibc, `LimitAlloc` and `cap` timed in turn, round
/// after round (A B C A B C …), medians.
pub fn limit_overhead(ctx: &Ctx) -> Result<Overhead, CheckError> {
    static O: PerRun<Overhead> = PerRun::new();
    Ok(*O.get(ctx, || {
        static OURS: LimitAlloc<System> = LimitAlloc::new(System, usize::MAX);
        let (rounds, iters) = (sizes(ctx).rounds * 2, 20_000);
        let cap = peers().map(|p| p.cap);
        let (mut sys, mut ours, mut capped) = (vec![], vec![], vec![]);
        for _ in 0..rounds {
            sys.push(batch(&System, iters));
            ours.push(batch(&OURS, iters));
            if let Some(c) = cap {
                capped.push(batch(c, iters));
            }
        }
        let m = |v: &[f64]| stats::median(v).unwrap_or(f64::NAN);
        Overhead { system_ns: m(&sys), ours_ns: m(&ours), cap_ns: stats::median(&capped) }
    }))
}
