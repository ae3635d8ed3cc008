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
//! | [`batches`] | ours and the floor ring over batch size and capacity; rtrb and ringbuf at two points | `--table batch` |
//! | [`latencies`] | round trips over two queues (ping-pong), and over one bare cache line each way | `--table latency` |
//!
//! Timed rows are interleaved (every row in round 1, then every row in
//! round 2 …), so two rows of one round are a pair, and [`Paired`] turns
//! the per-round ratios into a median and a noise band.

use super::ablation::{Adjacent, Padded};
use super::adapters::{
    Ablation, CrossbeamArrayQueue, Floor, MutexDeque, OurMpmcAsSpsc, OurSpsc, Ringbuf,
    Rtrb, SeedPort, SharedArrayQueue, StdSyncChannel,
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
    /// rtrb, single items.
    pub const RTRB: &str = "rtrb";
    /// ringbuf, single items.
    pub const RINGBUF: &str = "ringbuf";
    /// The reference ring of `floor.rs`.
    pub const FLOOR: &str = "floor ring (reference)";
    /// Ping-pong without a queue: one atomic each way.
    pub const LINE: &str = "cache line, no queue";
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
            SpeedRow::spsc::<Rtrb>(RTRB, c, 1),
            SpeedRow::spsc::<Ringbuf>(RINGBUF, c, 1),
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

/// Capacities of the batch table (powers of two, so the floor ring has
/// exactly as many slots as ours).
pub const BATCH_CAPACITIES: [usize; 3] = [1024, 8192, 65536];

/// Batch sizes of the batch table (each at most the capacity).
pub const BATCH_SIZES: [usize; 6] = [1, 8, 64, 256, 1024, 4096];

/// The streaming point: batches of 1,024 through 65,536 slots, where ours,
/// the floor ring and both peers are timed side by side.
pub const STREAM: (usize, usize) = (65536, 1024);

/// The point the speed table's batch row uses: batches of 64 through 1,024.
pub const SMALL: (usize, usize) = (1024, 64);

/// One row of the batch table: a ring at one capacity and batch size.
#[derive(Debug)]
pub struct BatchRow {
    /// Which ring: [`row::OURS`], [`row::FLOOR`], [`row::RTRB`], [`row::RINGBUF`].
    pub ring: &'static str,
    /// Slots.
    pub capacity: usize,
    /// Items per call on both sides.
    pub batch: usize,
    /// Items per run.
    pub n: u64,
    /// The timed runs.
    pub timed: SpeedRow,
}

/// The batch curve: every ring × capacity × batch, timed in interleaved rounds.
#[derive(Debug)]
pub struct Batches {
    /// Rounds.
    pub rounds: usize,
    /// Every row, capacity by capacity, batch by batch.
    pub rows: Vec<BatchRow>,
    /// How the threads were placed.
    pub placement: String,
}

impl Batches {
    /// The row of `ring` at `(capacity, batch)`, if that cell was timed.
    pub fn get(
        &self,
        ring: &str,
        (capacity, batch): (usize, usize),
    ) -> Option<&SpeedRow> {
        self.rows
            .iter()
            .find(|r| r.ring == ring && r.capacity == capacity && r.batch == batch)
            .map(|r| &r.timed)
    }

    /// Per-round time ratio of `a` at cell `ca` over `b` at cell `cb`.
    pub fn paired(
        &self,
        (a, ca): (&str, (usize, usize)),
        (b, cb): (&str, (usize, usize)),
    ) -> Option<Paired> {
        Paired::of(&self.get(a, ca)?.ns_per_item, &self.get(b, cb)?.ns_per_item)
    }
}

/// Items per run for a batch size and capacity: enough for the run to last
/// milliseconds whatever the batch (single items take ~10-200 ns, streaming
/// ones ~1 ns), and many laps of the ring (a run shorter than a few laps
/// times a producer filling an empty ring, not the two sides together).
fn batch_items(ctx: &Ctx, capacity: usize, batch: usize) -> u64 {
    let by_batch = ctx.pick(250_000, 25_000) * batch.min(16) as u64;
    let by_laps = ctx.pick(16, 4) * capacity as u64;
    by_batch.max(by_laps)
}

/// The batch curve: ours and the floor ring at every capacity and batch
/// size (batch ≤ capacity), rtrb and ringbuf at [`SMALL`] and [`STREAM`];
/// every run checks order, as in [`speeds`], and is taken at its median
/// chunk's pace (`harness::transfer_paced`), so that a moment when either
/// thread lost its CPU does not decide a cell.
pub fn batches(ctx: &Ctx) -> Result<&'static Batches, CheckError> {
    static CELL: PerRun<Result<Batches, CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        let rounds = ctx.pick(7, 3);
        let mut rows = Vec::new();
        let mut add = |ring: &'static str, capacity: usize, batch: usize| {
            let timed = match ring {
                row::OURS => SpeedRow::spsc_paced::<OurSpsc>(ring, capacity, batch),
                row::FLOOR => SpeedRow::spsc_paced::<Floor>(ring, capacity, batch),
                row::RTRB => SpeedRow::spsc_paced::<Rtrb>(ring, capacity, batch),
                _ => SpeedRow::spsc_paced::<Ringbuf>(ring, capacity, batch),
            };
            let n = batch_items(ctx, capacity, batch);
            rows.push(BatchRow { ring, capacity, batch, n, timed });
        };
        for capacity in BATCH_CAPACITIES {
            for batch in BATCH_SIZES.into_iter().filter(|&b| b <= capacity) {
                add(row::OURS, capacity, batch);
                add(row::FLOOR, capacity, batch);
                if (capacity, batch) == SMALL || (capacity, batch) == STREAM {
                    add(row::RTRB, capacity, batch);
                    add(row::RINGBUF, capacity, batch);
                }
            }
        }
        for _ in 0..rounds {
            for r in &mut rows {
                r.timed.time_round(r.n)?;
            }
        }
        Ok(Batches { rounds, rows, placement: harness::placement() })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Round trips over two queues of [`CAPACITY`], and over bare cache lines.
pub fn latencies(ctx: &Ctx) -> Result<&'static Timed, CheckError> {
    static CELL: PerRun<Result<Timed, CheckError>> = PerRun::new();
    CELL.get(ctx, || {
        use row::*;
        let (n, rounds) = ctx.pick((100_000, 7), (10_000, 3));
        let c = CAPACITY;
        let mut rows = vec![
            SpeedRow::line_ping_pong(LINE),
            SpeedRow::ping_pong::<OurSpsc>(OURS, c),
            SpeedRow::ping_pong::<Rtrb>(RTRB, c),
            SpeedRow::ping_pong::<Ringbuf>(RINGBUF, c),
            SpeedRow::ping_pong::<Floor>(FLOOR, c),
            SpeedRow::ping_pong::<CrossbeamArrayQueue>(ARRAY_QUEUE, c),
            SpeedRow::ping_pong::<MutexDeque>(MUTEX, c),
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
