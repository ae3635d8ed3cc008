//! The measurements several checks of this chapter read: the threaded race
//! runs (C000-18, D16, D17) and the speed table (C000-20, D18), each taken
//! once per process and size (`--quick` or not), so `workbook --chapter
//! lock_free_ring` pays for each once; and the helpers that record them as
//! evidence.

use super::ablation::{Adjacent, Padded};
use super::harness::{Ablation, MutexDeque, OurSpsc, SeedPort, SpeedRow, speed_table};
use super::mpmc;
use super::race::{self, RaceCount};
use crate::claims::{CheckError, Ctx, Evidence, Unit};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Capacity every timed and raced queue uses (the workload).
pub(super) const CAPACITY: usize = 1024;

/// Remembers one value per `quick` flag for the life of the process.
struct Memo<T>(Mutex<Vec<(bool, Arc<T>)>>);

impl<T> Memo<T> {
    const fn new() -> Self {
        Self(Mutex::new(Vec::new()))
    }

    fn get(
        &self,
        quick: bool,
        make: impl FnOnce() -> Result<T, CheckError>,
    ) -> Result<Arc<T>, CheckError> {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, v)) = cache.iter().find(|(q, _)| *q == quick) {
            return Ok(v.clone());
        }
        let v = Arc::new(make()?);
        cache.push((quick, v.clone()));
        Ok(v)
    }
}

/// Every this many operations, a thread of a "nudged" run pauses between
/// claim and publish until another thread moves the index (see
/// [`race::seed_ring`]).
pub(super) const NUDGE: u64 = 256;

/// The seed ring's threaded runs, plain (`[0]`) and nudged (`[1]`), and the
/// fix's, all with `n` values per producer through 2048 slots (capacity 1024
/// for the fix).
#[derive(Debug)]
pub(super) struct Races {
    pub(super) n: u64,
    pub(super) one_and_one: [RaceCount; 2],
    pub(super) two_producers: [RaceCount; 2],
    pub(super) two_consumers: [RaceCount; 2],
    pub(super) fix: RaceCount,
}

static RACES: Memo<Races> = Memo::new();

pub(super) fn races(ctx: &Ctx) -> Result<Arc<Races>, CheckError> {
    RACES.get(ctx.quick, || {
        let n = ctx.pick(200_000, 30_000);
        let size = CAPACITY + 1; // rounds to 2048 slots, as in `SeedPort`
        let both = |p, c| [0, NUDGE].map(|k| race::seed_ring(p, c, n, size, k));
        let (one_and_one, two_producers, two_consumers) =
            (both(1, 1), both(2, 1), both(1, 2));
        let fix = race::mpmc_queue(2, 2, n, CAPACITY);
        if fix.faults() != 0 {
            return Err(CheckError(format!(
                "our MPMC queue lost or duplicated values: {fix:?}"
            )));
        }
        Ok(Races { n, one_and_one, two_producers, two_consumers, fix })
    })
}

pub(super) fn faults(runs: &[RaceCount]) -> u64 {
    runs.iter().map(RaceCount::faults).sum()
}

/// Duplicated and phantom values: values popped more often than pushed.
pub(super) fn extra(c: &RaceCount) -> u64 {
    c.duplicated + c.phantom
}

pub(super) fn record(ev: &mut Evidence, label: &str, c: &RaceCount) {
    let label = if c.preempt_every > 0 {
        format!("{label}, nudged every {}", c.preempt_every)
    } else {
        label.to_string()
    };
    ev.add(format!("{label}: values sent"), c.sent as f64, Unit::Count);
    ev.add(format!("{label}: lost"), c.lost as f64, Unit::Count);
    ev.add(format!("{label}: duplicated"), c.duplicated as f64, Unit::Count);
    ev.add(format!("{label}: phantom (never pushed)"), c.phantom as f64, Unit::Count);
    ev.add(format!("{label}: out of order"), c.out_of_order as f64, Unit::Count);
}

/// The SPSC speed table (ns per item, interleaved rounds), shared by C000-20
/// and D18.
pub(super) struct Speeds {
    pub(super) n: u64,
    pub(super) rounds: usize,
    pub(super) rows: Vec<SpeedRow>,
    /// 2 producers + 2 consumers: our MPMC queue and the mutex.
    pub(super) mpmc_rows: Vec<SpeedRow>,
}

static SPEEDS: Memo<Speeds> = Memo::new();

pub(super) const OURS: &str = "spsc (ours)";
pub(super) const PADDED_CACHED: &str = "padded, cached";
pub(super) const PADDED_UNCACHED: &str = "padded, uncached";
pub(super) const ADJACENT_CACHED: &str = "adjacent, cached";
pub(super) const ADJACENT_UNCACHED: &str = "adjacent, uncached";
pub(super) const SEQ_CST_STORES: &str = "adjacent, uncached, SeqCst stores";
pub(super) const SEED: &str = "seed port";
pub(super) const MUTEX: &str = "Mutex<VecDeque>";
pub(super) const OURS_UNPINNED: &str = "spsc (ours), unpinned";
pub(super) const MUTEX_UNPINNED: &str = "Mutex<VecDeque>, unpinned";
pub(super) const MPMC_OURS: &str = "mpmc (ours), 2+2";
pub(super) const MPMC_MUTEX: &str = "Mutex<VecDeque>, 2+2";

pub(super) fn speeds(ctx: &Ctx) -> Result<Arc<Speeds>, CheckError> {
    SPEEDS.get(ctx.quick, || {
        let n = ctx.pick(200_000, 40_000);
        let rounds = ctx.pick(5, 3);
        let mut rows = vec![
            SpeedRow::spsc::<OurSpsc>(OURS, CAPACITY, 1),
            SpeedRow::spsc::<Ablation<Padded, true>>(PADDED_CACHED, CAPACITY, 1),
            SpeedRow::spsc::<Ablation<Padded, false>>(PADDED_UNCACHED, CAPACITY, 1),
            SpeedRow::spsc::<Ablation<Adjacent, true>>(ADJACENT_CACHED, CAPACITY, 1),
            SpeedRow::spsc::<Ablation<Adjacent, false>>(ADJACENT_UNCACHED, CAPACITY, 1),
            SpeedRow::spsc::<Ablation<Adjacent, false, true>>(
                SEQ_CST_STORES,
                CAPACITY,
                1,
            ),
            SpeedRow::spsc::<SeedPort>(SEED, CAPACITY, 1),
            SpeedRow::spsc::<MutexDeque>(MUTEX, CAPACITY, 1),
            SpeedRow::spsc_unpinned::<OurSpsc>(OURS_UNPINNED, CAPACITY),
            SpeedRow::spsc_unpinned::<MutexDeque>(MUTEX_UNPINNED, CAPACITY),
        ];
        speed_table(&mut rows, n, rounds)?;
        let mut mpmc_rows = vec![
            SpeedRow::mpmc::<mpmc::Queue<u64>>(MPMC_OURS, 2, 2, CAPACITY),
            SpeedRow::mpmc::<(Mutex<VecDeque<u64>>, usize)>(MPMC_MUTEX, 2, 2, CAPACITY),
        ];
        speed_table(&mut mpmc_rows, n / 2, rounds)?;
        Ok(Speeds { n, rounds, rows, mpmc_rows })
    })
}

/// The 1-minute load average and the CPU count: a spinning queue needs a
/// core per thread, so a reader must know whether other work competed.
fn load_and_cpus() -> (Option<f64>, usize) {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    #[cfg(target_os = "linux")]
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok());
    #[cfg(not(target_os = "linux"))]
    let load = None;
    (load, cpus)
}

/// Records the load average and CPU count, and returns them as a note for
/// the summary. The average includes this program's own threads and whatever
/// ran in the minute before, so it is context for the reader, not a verdict.
pub(super) fn record_load(ev: &mut Evidence) -> String {
    let (load, cpus) = load_and_cpus();
    ev.add("logical CPUs", cpus as f64, Unit::Count);
    match load {
        Some(l) => {
            ev.add("1-minute load average when measured", l, Unit::Count);
            format!(" [load average {l:.1}, {cpus} CPUs]")
        }
        None => String::new(),
    }
}

impl Speeds {
    pub(super) fn ns(&self, name: &str) -> f64 {
        self.rows
            .iter()
            .chain(&self.mpmc_rows)
            .find(|r| r.name == name)
            .map_or(f64::NAN, SpeedRow::median_ns)
    }

    pub(super) fn record(&self, ev: &mut Evidence) {
        for r in self.rows.iter().chain(&self.mpmc_rows) {
            ev.add(
                format!("{}: ns per item (median)", r.name),
                r.median_ns(),
                Unit::Nanos,
            );
        }
    }
}
