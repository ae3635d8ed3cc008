//! Every measurement of the chapter, taken once per run and size (full or
//! `--quick`) and read by both the example's tables and the claim checks, so
//! the page never shows two numbers for one fact.
//!
//! | figure | what | read by |
//! |---|---|---|
//! | [`capacities`] | what fresh rings of each size hold; size 0 | C000-19, D15, `--table capacity` |
//! | [`races`] | the seed's ring under 1-2 producers and consumers; the fix; the scripted schedules | C000-18, D16, D17, `--table race` |
//! | [`speeds`] | every SPSC queue and ablation variant, interleaved rounds; the counter storm | C000-20, D18, `--table speed`, `--table ablation` |
//! | [`mpmc_speeds`] | two producers and two consumers | C000-20, `--table mpmc` |
//!
//! Timed rows are interleaved (every row in round 1, then every row in
//! round 2 …), so two rows of one round are a pair, and [`Paired`] turns
//! the per-round ratios into a median and a noise band.

use super::ablation::{Adjacent, Padded};
use super::adapters::{
    Ablation, CrossbeamArrayQueue, MutexDeque, OurMpmcAsSpsc, OurSpsc, SeedPort,
    SharedArrayQueue, StdSyncChannel,
};
use super::harness::{self, SpeedRow, speed_table};
use super::race::{self, RaceCount, Scripted};
use super::seed_port::{self, SeedRing};
use super::{CapacityError, mpmc, spsc};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::paired::Paired;
use crate::measure::stats::interleave;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Capacity every timed and raced queue uses.
pub const CAPACITY: usize = 1024;

/// Every this many operations, a thread of a "nudged" run pauses between
/// claim and publish until another thread moves the index (see
/// [`race::seed_ring`]).
pub const NUDGE: u64 = 256;

/// One size of the capacity table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityRow {
    /// The size asked for.
    pub size: usize,
    /// Slots the seed's constructor allocated.
    pub seed_slots: usize,
    /// Items a fresh seed ring accepts before `push` fails.
    pub seed_holds: usize,
    /// Items a fresh ring of ours accepts.
    pub ours_holds: usize,
}

/// What fresh rings hold, and what size 0 does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capacities {
    /// Sizes 1, 2, 3, 5, 8, 1000, 1024.
    pub rows: Vec<CapacityRow>,
    /// The panic message of the seed's `new(0).push(1)`, if it panicked.
    pub seed_zero_panic: Option<String>,
    /// Our `channel(0)` and `Queue::new(0)` both return `CapacityError::Zero`.
    pub ours_zero_rejected: bool,
}

/// Items a fresh ring of ours of capacity `n` accepts before `push` fails.
fn our_usable_capacity(n: usize) -> usize {
    let (mut p, _c) = spsc::channel::<u64>(n).expect("n >= 1");
    (0..n + 8).take_while(|&i| p.push(i as u64).is_ok()).count()
}

/// The capacity table: one thread, fresh rings, push until full. The same
/// whatever the size of the run.
pub fn capacities(ctx: &Ctx) -> &'static Capacities {
    static CELL: PerRun<Capacities> = PerRun::new();
    CELL.get(ctx, || Capacities {
        rows: [1usize, 2, 3, 5, 8, 1000, 1024]
            .into_iter()
            .map(|size| CapacityRow {
                size,
                seed_slots: SeedRing::new(size).slot_count(),
                seed_holds: seed_port::usable_capacity(size, 4096),
                ours_holds: our_usable_capacity(size),
            })
            .collect(),
        seed_zero_panic: quiet_panic_message(|| {
            SeedRing::new(0).push(1);
        }),
        ours_zero_rejected: matches!(spsc::channel::<u64>(0), Err(CapacityError::Zero))
            && matches!(mpmc::Queue::<u64>::new(0), Err(CapacityError::Zero)),
    })
}

/// Runs `f`; if it panics, returns the panic's message, without printing it
/// (the default hook is put back afterwards).
fn quiet_panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> Option<String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(f);
    std::panic::set_hook(hook);
    result.err().map(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// One configuration of threads on the seed's ring, plain and nudged.
#[derive(Clone, Debug)]
pub struct RaceRun {
    /// Producer threads.
    pub producers: usize,
    /// Consumer threads.
    pub consumers: usize,
    /// Left to the scheduler.
    pub plain: RaceCount,
    /// Nudged every [`NUDGE`] operations.
    pub nudged: RaceCount,
}

impl RaceRun {
    /// Faults of both runs.
    pub fn faults(&self) -> u64 {
        self.plain.faults() + self.nudged.faults()
    }

    /// Positions two producers both claimed, in both runs.
    pub fn shared_positions(&self) -> u64 {
        self.plain.shared_positions + self.nudged.shared_positions
    }
}

/// The seed's ring with threads, the fix under the same accounting, and the
/// deterministic schedules.
#[derive(Clone, Debug)]
pub struct Races {
    /// Values per producer.
    pub n: u64,
    /// 1 + 1, 2 + 1, 1 + 2, 2 + 2 (producers + consumers).
    pub runs: Vec<RaceRun>,
    /// Our MPMC queue, 2 + 2.
    pub fix: RaceCount,
    /// Two producers claim one position, step by step.
    pub scripted_lost: Scripted,
    /// A late publish moves `head` backwards, step by step.
    pub scripted_back: Scripted,
    /// Slots still holding a popped value after 3 pushes and 3 pops.
    pub retained_after_pop: usize,
}

impl Races {
    /// The run with `p` producers and `c` consumers.
    pub fn run(&self, p: usize, c: usize) -> &RaceRun {
        self.runs
            .iter()
            .find(|r| (r.producers, r.consumers) == (p, c))
            .expect("every configuration is run")
    }

    /// Faults of every run with more than one producer or consumer.
    pub fn shared_faults(&self) -> u64 {
        self.runs
            .iter()
            .filter(|r| r.producers + r.consumers > 2)
            .map(RaceRun::faults)
            .sum()
    }
}

/// The race measurement. An error if the fix loses or duplicates anything.
pub fn races(ctx: &Ctx) -> Result<&'static Races, CheckError> {
    static CELL: PerRun<Result<Races, CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        let n = ctx.pick(200_000, 30_000);
        let size = CAPACITY + 1; // rounds to 2048 slots, as in `SeedPort`
        let runs = [(1, 1), (2, 1), (1, 2), (2, 2)]
            .into_iter()
            .map(|(p, c)| RaceRun {
                producers: p,
                consumers: c,
                plain: race::seed_ring(p, c, n, size, 0),
                nudged: race::seed_ring(p, c, n, size, NUDGE),
            })
            .collect();
        let fix = race::mpmc_queue(2, 2, n, CAPACITY);
        if fix.faults() != 0 {
            return Err(CheckError(format!(
                "our MPMC queue lost or duplicated values: {fix:?}"
            )));
        }
        Ok(Races {
            n,
            runs,
            fix,
            scripted_lost: race::scripted_lost_item(),
            scripted_back: race::scripted_head_backwards(),
            retained_after_pop: race::slots_retained_after_pop(),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Row names of the SPSC speed table.
pub mod row {
    /// Our ring, single items.
    pub const OURS: &str = "spsc (ours)";
    /// Our ring, batches of 64.
    pub const OURS_BATCH: &str = "spsc (ours), batch 64";
    /// crossbeam's ArrayQueue as SPSC.
    pub const ARRAY_QUEUE: &str = "crossbeam ArrayQueue";
    /// Our MPMC queue as SPSC.
    pub const MPMC_AS_SPSC: &str = "mpmc (ours), 1 and 1";
    /// std's bounded channel.
    pub const SYNC_CHANNEL: &str = "std sync_channel";
    /// The locking baseline.
    pub const MUTEX: &str = "Mutex<VecDeque>";
    /// The seed's ring.
    pub const SEED: &str = "seed port";
    /// Ablation: padded counters, cached indices (our design).
    pub const PADDED_CACHED: &str = "padded, cached";
    /// Ablation: padded, uncached.
    pub const PADDED_UNCACHED: &str = "padded, uncached";
    /// Ablation: adjacent counters, cached.
    pub const ADJACENT_CACHED: &str = "adjacent, cached";
    /// Ablation: adjacent, uncached.
    pub const ADJACENT_UNCACHED: &str = "adjacent, uncached";
    /// Ablation: the seed's choices but its wasted slot, Go's SeqCst stores.
    pub const SEQ_CST: &str = "adjacent, uncached, SeqCst stores";
    /// Our ring, threads left to the scheduler.
    pub const OURS_UNPINNED: &str = "spsc (ours), unpinned";
    /// The mutex, threads left to the scheduler.
    pub const MUTEX_UNPINNED: &str = "Mutex<VecDeque>, unpinned";
    /// Our MPMC queue, 2 producers + 2 consumers.
    pub const MPMC_OURS: &str = "mpmc (ours), 2+2";
    /// crossbeam's ArrayQueue, 2 + 2.
    pub const MPMC_ARRAY_QUEUE: &str = "crossbeam ArrayQueue, 2+2";
    /// The mutex, 2 + 2.
    pub const MPMC_MUTEX: &str = "Mutex<VecDeque>, 2+2";
}

/// A set of rows timed in interleaved rounds.
#[derive(Debug)]
pub struct Timed {
    /// Items per run.
    pub n: u64,
    /// Rounds.
    pub rounds: usize,
    /// The rows, each with one ns-per-item figure per round.
    pub rows: Vec<SpeedRow>,
}

impl Timed {
    /// The row called `name` (panics on a name no table has: a bug here).
    pub fn row(&self, name: &str) -> &SpeedRow {
        self.rows
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name:?}"))
    }

    /// Median ns per item of row `name`.
    pub fn ns(&self, name: &str) -> f64 {
        self.row(name).median_ns()
    }

    /// The per-round ratios `time(a) / time(b)`: how many times longer `a`
    /// took than `b` in the same round (above 1: `b` is faster).
    pub fn paired(&self, a: &str, b: &str) -> Option<Paired> {
        Paired::of(&self.row(a).ns_per_item, &self.row(b).ns_per_item)
    }
}

/// The SPSC speed table, and false sharing in isolation.
#[derive(Debug)]
pub struct Speeds {
    /// Every SPSC row, pinned to two CPUs when the process may use two.
    pub table: Timed,
    /// How the threads were placed, for reports.
    pub placement: String,
    /// True when the two threads had a CPU each.
    pub two_cpus: bool,
    /// Stores per thread in each counter-storm run.
    pub storm_n: u64,
    /// Nanoseconds per counter-storm run, counters 8 bytes apart.
    pub storm_adjacent: Vec<f64>,
    /// The same, counters 128 bytes apart.
    pub storm_padded: Vec<f64>,
}

impl Speeds {
    /// Storm rounds: adjacent over padded, per round.
    pub fn storm(&self) -> Option<Paired> {
        Paired::of(&self.storm_adjacent, &self.storm_padded)
    }
}

/// The SPSC speed measurement. Every run checks that each value arrives
/// once and in order before its time counts (an error otherwise).
pub fn speeds(ctx: &Ctx) -> Result<&'static Speeds, CheckError> {
    static CELL: PerRun<Result<Speeds, CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        use row::*;
        let (n, rounds) = ctx.pick((500_000, 7), (50_000, 3));
        let c = CAPACITY;
        let mut rows = vec![
            SpeedRow::spsc::<OurSpsc>(OURS, c, 1),
            SpeedRow::spsc::<OurSpsc>(OURS_BATCH, c, 64),
            SpeedRow::spsc::<CrossbeamArrayQueue>(ARRAY_QUEUE, c, 1),
            SpeedRow::spsc::<OurMpmcAsSpsc>(MPMC_AS_SPSC, c, 1),
            SpeedRow::spsc::<StdSyncChannel>(SYNC_CHANNEL, c, 1),
            SpeedRow::spsc::<MutexDeque>(MUTEX, c, 1),
            SpeedRow::spsc::<SeedPort>(SEED, c, 1),
            SpeedRow::spsc::<Ablation<Padded, true>>(PADDED_CACHED, c, 1),
            SpeedRow::spsc::<Ablation<Padded, false>>(PADDED_UNCACHED, c, 1),
            SpeedRow::spsc::<Ablation<Adjacent, true>>(ADJACENT_CACHED, c, 1),
            SpeedRow::spsc::<Ablation<Adjacent, false>>(ADJACENT_UNCACHED, c, 1),
            SpeedRow::spsc::<Ablation<Adjacent, false, true>>(SEQ_CST, c, 1),
            SpeedRow::spsc_unpinned::<OurSpsc>(OURS_UNPINNED, c),
            SpeedRow::spsc_unpinned::<MutexDeque>(MUTEX_UNPINNED, c),
        ];
        speed_table(&mut rows, n, rounds)?;
        let storm_n = ctx.pick(1_000_000, 250_000);
        let (storm_adjacent, storm_padded) = interleave(
            rounds,
            || harness::counter_storm::<Adjacent>(storm_n),
            || harness::counter_storm::<Padded>(storm_n),
        );
        Ok(Speeds {
            table: Timed { n, rounds, rows },
            placement: harness::placement(),
            two_cpus: harness::two_cpus().is_some(),
            storm_n,
            storm_adjacent,
            storm_padded,
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Two producers and two consumers: our MPMC queue, crossbeam's, the mutex.
pub fn mpmc_speeds(ctx: &Ctx) -> Result<&'static Timed, CheckError> {
    static CELL: PerRun<Result<Timed, CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        use row::*;
        let (n, rounds) = ctx.pick((500_000, 7), (50_000, 3));
        let mut rows = vec![
            SpeedRow::mpmc::<mpmc::Queue<u64>>(MPMC_OURS, 2, 2, CAPACITY),
            SpeedRow::mpmc::<SharedArrayQueue>(MPMC_ARRAY_QUEUE, 2, 2, CAPACITY),
            SpeedRow::mpmc::<(Mutex<VecDeque<u64>>, usize)>(MPMC_MUTEX, 2, 2, CAPACITY),
        ];
        speed_table(&mut rows, n, rounds)?;
        Ok(Timed { n, rounds, rows })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The 1-minute load average: a spinning queue needs a core per thread, so
/// a reader must know whether other work competed. Context, not a verdict.
pub fn load_average() -> Option<f64> {
    crate::measure::procfs::read_sys_string("/proc/loadavg")
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
}
