//! Every measurement of the chapter, taken once per run (full or `--quick`
//! sizes, from [`Ctx`]) and kept for the rest of the process, so that the
//! example's tables and the claim checks read the same numbers.
//!
//! Each function sizes an experiment and caches it in a [`PerRun`]; the
//! experiments live with their subject ([`super::peers`],
//! [`super::lifecycle`], [`super::io_processors`], [`super::handoffs`],
//! [`super::writes`], [`super::file_io`]). The seed ports that hang run in
//! a child process, killed after [`HANG_TIMEOUT`]. Not for: deciding
//! anything (see `checks/`) or laying out tables (see [`super::tables`]).

use super::file_io::{self, BlockFile, Reads, SLOW, Way};
use super::handoffs::{self, Consumers, Requests};
use super::io_processors::{self, FullQueue, PartialBatch, SlowCallbacks, TaskHandling};
use super::lifecycle::{
    self, ClosedQueue, IdleWakeups, MockTick, ShutdownLoss, ThreadsAfterDrop, Undrained,
};
use super::peers::{self, Peer};
use super::pool::{JobResult, TrySubmitError, WorkerPool};
use super::undefined::{self, Undefined};
use super::writes::{self, WriteRun};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::escape_heap::rustc::{self, Diagnostics};
use crate::measure::{child, stats};
use std::time::Duration;

/// How long a child that is expected to hang may run before it is killed.
pub const HANG_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long a child that is expected to end may run.
const CHILD_TIMEOUT: Duration = Duration::from_secs(30);

type Cell<T> = PerRun<Result<T, CheckError>>;

fn once<T>(
    cell: &'static Cell<T>,
    ctx: &Ctx,
    f: impl FnOnce() -> Result<T, CheckError>,
) -> Result<&'static T, CheckError> {
    cell.get(ctx, f).as_ref().map_err(Clone::clone)
}

fn run_child(mode: &str, timeout: Duration) -> Result<child::ChildOutcome, CheckError> {
    child::run_mode(mode, timeout)
        .map_err(|e| CheckError(format!("starting the child {mode}: {e}")))
}

/// The machine's state when the timings were taken.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    /// CPUs this process may use.
    pub cpus: usize,
    /// The 1-minute load average.
    pub load: f64,
}

impl Load {
    /// Reads it now.
    pub fn now() -> Self {
        let cpus = crate::measure::cpu::allowed_cpus().map_or(1, |c| c.len());
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok())
            .unwrap_or(f64::NAN);
        Self { cpus, load }
    }

    /// CPUs left idle by the rest of the machine: CPUs − load, at least 0.
    pub fn idle(&self) -> f64 {
        (self.cpus as f64 - self.load).max(0.0)
    }
}

/// One point of the sweep: a peer, a job size, the median of its rounds.
#[derive(Clone, Copy, Debug)]
pub struct SweepPoint {
    /// The pool.
    pub peer: Peer,
    /// CPU work per job, ns (0: an empty job).
    pub job_ns: f64,
    /// Jobs per round.
    pub jobs: u64,
    /// Median time of the rounds.
    pub median: Duration,
}

impl SweepPoint {
    /// Jobs per second.
    pub fn jobs_per_sec(&self) -> f64 {
        self.jobs as f64 / self.median.as_secs_f64().max(1e-9)
    }
}

/// Every peer at every job size, 2 workers.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The points.
    pub points: Vec<SweepPoint>,
    /// Rounds per point (interleaved: every peer and size once per round).
    pub rounds: usize,
    /// The machine before and after.
    pub load: (Load, Load),
}

impl Sweep {
    /// The point of `peer` at `job_ns`.
    pub fn at(&self, peer: Peer, job_ns: f64) -> Result<&SweepPoint, CheckError> {
        self.points.iter().find(|p| p.peer == peer && p.job_ns == job_ns).ok_or_else(
            || CheckError(format!("no sweep point for {} at {job_ns} ns", peer.label())),
        )
    }

    /// `a`'s jobs per second ÷ `b`'s, at `job_ns`.
    pub fn ratio(&self, a: Peer, b: Peer, job_ns: f64) -> Result<f64, CheckError> {
        Ok(self.at(a, job_ns)?.jobs_per_sec() / self.at(b, job_ns)?.jobs_per_sec())
    }

    /// Idle CPUs when the sweep began (the reading after it counts the
    /// sweep's own threads).
    pub fn idle_cpus(&self) -> f64 {
        self.load.0.idle()
    }
}

/// Workers of every pool in the sweep.
pub const WORKERS: usize = 2;

/// Idle CPUs a speed ratio needs before it is judged: two, within half a
/// CPU of someone else's load (the 1-minute load average moves slowly, and
/// counts a process that has just stopped).
pub const IDLE_FOR_SPEED: f64 = 1.5;

/// The job sizes of the sweep, ns.
pub fn job_sizes(ctx: &Ctx) -> &'static [f64] {
    ctx.pick(&[0.0, 100.0, 1_000.0, 10_000.0], &[0.0, 1_000.0])
}

/// Every [`Peer`] at every job size, `WORKERS` workers, interleaved rounds
/// (5; 3 under `--quick`), each round about 20 ms of work (8 quick).
pub fn sweep(ctx: &Ctx) -> Result<&'static Sweep, CheckError> {
    static CELL: Cell<Sweep> = PerRun::new();
    let (rounds, work_ns, max_jobs) = ctx.pick((5, 20e6, 200_000), (3, 8e6, 50_000));
    let sizes = job_sizes(ctx);
    once(&CELL, ctx, || {
        let before = Load::now();
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); sizes.len() * Peer::ALL.len()];
        let jobs_at = |ns: f64| ((work_ns / ns.max(100.0)) as u64).min(max_jobs);
        for _ in 0..rounds {
            for (si, &ns) in sizes.iter().enumerate() {
                let iters = peers::iters_for(ns);
                for (pi, &peer) in Peer::ALL.iter().enumerate() {
                    let t = peers::time_jobs(peer, WORKERS, jobs_at(ns), iters);
                    times[si * Peer::ALL.len() + pi].push(t.as_nanos() as f64);
                }
            }
        }
        let after = Load::now();
        let mut points = Vec::new();
        for (si, &ns) in sizes.iter().enumerate() {
            for (pi, &peer) in Peer::ALL.iter().enumerate() {
                let m =
                    stats::median(&times[si * Peer::ALL.len() + pi]).unwrap_or(f64::NAN);
                points.push(SweepPoint {
                    peer,
                    job_ns: ns,
                    jobs: jobs_at(ns),
                    median: Duration::from_nanos(m as u64),
                });
            }
        }
        Ok(Sweep { points, rounds, load: (before, after) })
    })
}

/// Submit-to-result latency at low load, ns: (ours, the seed's).
#[derive(Clone, Debug)]
pub struct Latency {
    /// Our pool.
    pub ours: Vec<f64>,
    /// The seed's port (batch 64, 10 ms ticker).
    pub seed: Vec<f64>,
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    s[((s.len() - 1) as f64 * p).round() as usize]
}

impl Latency {
    /// (p50, p99) of ours.
    pub fn ours_p(&self) -> (f64, f64) {
        (percentile(&self.ours, 0.5), percentile(&self.ours, 0.99))
    }

    /// (p50, p99) of the seed's.
    pub fn seed_p(&self) -> (f64, f64) {
        (percentile(&self.seed, 0.5), percentile(&self.seed, 0.99))
    }
}

/// 200 jobs through ours and 100 through the seed's (40 and 30 quick), one
/// at a time, 1 to 3 ms apart.
pub fn latency(ctx: &Ctx) -> Result<&'static Latency, CheckError> {
    static CELL: Cell<Latency> = PerRun::new();
    let (ours, seed) = ctx.pick((200, 100), (40, 30));
    once(&CELL, ctx, || {
        Ok(Latency {
            ours: peers::latencies(false, ours),
            seed: peers::latencies(true, seed),
        })
    })
}

/// Both pools idle for 300 ms (100 quick).
pub fn idle(ctx: &Ctx) -> Result<&'static IdleWakeups, CheckError> {
    static CELL: Cell<IdleWakeups> = PerRun::new();
    let ms = ctx.pick(300, 100);
    once(&CELL, ctx, || Ok(lifecycle::idle_wakeups(Duration::from_millis(ms))?))
}

/// The port's batch under a ticker driven by hand.
pub fn mock_tick(ctx: &Ctx) -> Result<&'static MockTick, CheckError> {
    static CELL: Cell<MockTick> = PerRun::new();
    once(&CELL, ctx, || Ok(lifecycle::mock_tick()))
}

/// 1,000 jobs, then stop: 20 runs of the port (5 quick), one of ours.
pub fn shutdown(ctx: &Ctx) -> Result<&'static ShutdownLoss, CheckError> {
    static CELL: Cell<ShutdownLoss> = PerRun::new();
    let runs = ctx.pick(20, 5);
    once(&CELL, ctx, || Ok(lifecycle::shutdown_loss(runs, 1000)))
}

/// 10 jobs, the queue closed, results read for 50 ms.
pub fn closed_queue(ctx: &Ctx) -> Result<&'static ClosedQueue, CheckError> {
    static CELL: Cell<ClosedQueue> = PerRun::new();
    once(&CELL, ctx, || Ok(lifecycle::closed_queue(10, Duration::from_millis(50))))
}

/// The port with undrained results, in a child; ours in the same spot.
pub fn undrained(ctx: &Ctx) -> Result<&'static Undrained, CheckError> {
    static CELL: Cell<Undrained> = PerRun::new();
    once(&CELL, ctx, || {
        let o = run_child(lifecycle::CHILD_UNDRAINED, HANG_TIMEOUT)?;
        Ok(lifecycle::undrained(&o))
    })
}

/// Threads before and after dropping each pool, in a child.
pub fn threads(ctx: &Ctx) -> Result<&'static ThreadsAfterDrop, CheckError> {
    static CELL: Cell<ThreadsAfterDrop> = PerRun::new();
    once(&CELL, ctx, || {
        let o = run_child(lifecycle::CHILD_THREADS, CHILD_TIMEOUT)?;
        Ok(lifecycle::threads_after_drop(&o)?)
    })
}

/// The unknown task type, a 16 MiB read (4 MiB quick), the writer on /dev/full.
pub fn task_handling(ctx: &Ctx) -> Result<&'static TaskHandling, CheckError> {
    static CELL: Cell<TaskHandling> = PerRun::new();
    let size = ctx.pick(16 << 20, 4 << 20);
    once(&CELL, ctx, || Ok(io_processors::task_handling(size)?))
}

/// Four blocking callbacks, then 100 plain tasks, 200 ms (100 quick).
pub fn slow_callbacks(ctx: &Ctx) -> Result<&'static SlowCallbacks, CheckError> {
    static CELL: Cell<SlowCallbacks> = PerRun::new();
    let wait = Duration::from_millis(ctx.pick(200, 100));
    once(&CELL, ctx, || Ok(io_processors::slow_callbacks(100, wait)?))
}

/// 1,010 tasks into queues of 1,000.
pub fn full_queue(ctx: &Ctx) -> Result<&'static FullQueue, CheckError> {
    static CELL: Cell<FullQueue> = PerRun::new();
    once(&CELL, ctx, || Ok(io_processors::full_queue(10)))
}

/// One task and a batch of 10, port and fix.
pub fn partial_batch(ctx: &Ctx) -> Result<&'static PartialBatch, CheckError> {
    static CELL: Cell<PartialBatch> = PerRun::new();
    once(&CELL, ctx, || Ok(io_processors::partial_batch()))
}

/// The port's workers blocked on FIFOs, in a child: (blocked at once, results).
pub fn blocked_reads(ctx: &Ctx) -> Result<&'static (u64, u64), CheckError> {
    static CELL: Cell<(u64, u64)> = PerRun::new();
    once(&CELL, ctx, || {
        let o = run_child(io_processors::CHILD_BLOCKED_READS, CHILD_TIMEOUT)?;
        Ok(io_processors::blocked_reads(&o)?)
    })
}

/// The port's pipeline consumer (a child) and the fixed stage's.
pub fn consumers(ctx: &Ctx) -> Result<&'static Consumers, CheckError> {
    static CELL: Cell<Consumers> = PerRun::new();
    once(&CELL, ctx, || {
        let o = run_child(handoffs::CHILD_PIPELINE, HANG_TIMEOUT)?;
        Ok(handoffs::consumers(&o))
    })
}

/// 2,000 requests (500 quick) through `HandleRequests`, port and fix.
pub fn requests(ctx: &Ctx) -> Result<&'static Requests, CheckError> {
    static CELL: Cell<Requests> = PerRun::new();
    let n = ctx.pick(2000, 500);
    once(&CELL, ctx, || Ok(handoffs::requests(n)))
}

/// The seed's pool with its undefined pieces, compiled with rustc.
pub fn undefined(ctx: &Ctx) -> Result<&'static Undefined, CheckError> {
    static CELL: Cell<Undefined> = PerRun::new();
    once(&CELL, ctx, || Ok(undefined::compile()?))
}

/// Seed 003's `append` from many threads, ported to a `Vec`: what rustc says.
pub fn shared_append(ctx: &Ctx) -> Result<&'static Diagnostics, CheckError> {
    static CELL: Cell<Diagnostics> = PerRun::new();
    once(&CELL, ctx, || Ok(rustc::diagnostics("shared_append")?))
}

/// Batched writes.
#[derive(Clone, Debug)]
pub struct Writes {
    /// 2,000 records (500 quick) at batches of 1, 8 and 64, no sync.
    pub plain: Vec<WriteRun>,
    /// 256 records (64 quick) at batches of 1 and 64, `sync_data` each batch.
    pub synced: Vec<WriteRun>,
}

impl Writes {
    /// The synced run at `batch`.
    pub fn synced_at(&self, batch: usize) -> Result<&WriteRun, CheckError> {
        self.synced
            .iter()
            .find(|r| r.batch == batch)
            .ok_or_else(|| CheckError(format!("no synced run at batch {batch}")))
    }
}

/// The batch sizes of the plain writes.
pub const WRITE_BATCHES: [usize; 3] = [1, 8, 64];

/// See [`Writes`].
pub fn writes(ctx: &Ctx) -> Result<&'static Writes, CheckError> {
    static CELL: Cell<Writes> = PerRun::new();
    let (n, n_sync) = ctx.pick((2000, 256), (500, 64));
    once(&CELL, ctx, || {
        let plain = WRITE_BATCHES
            .iter()
            .map(|&b| writes::batched_writes(n, b, false))
            .collect::<Result<_, _>>()?;
        let synced = [1, 64]
            .iter()
            .map(|&b| writes::batched_writes(n_sync, b, true))
            .collect::<Result<_, _>>()?;
        Ok(Writes { plain, synced })
    })
}

/// One way of reading, on both devices.
#[derive(Clone, Debug)]
pub struct WayReads {
    /// The way.
    pub way: Way,
    /// Page cache: the median round, or why it could not run.
    pub cached: Result<Reads, String>,
    /// The slow device: the median round, or why it could not run.
    pub slow: Result<Reads, String>,
}

/// The four ways at both devices.
#[derive(Clone, Debug)]
pub struct FileReads {
    /// Blocks read from the page cache per round.
    pub cached_blocks: u64,
    /// Requests to the slow device per round.
    pub slow_requests: u64,
    /// Rounds (interleaved).
    pub rounds: usize,
    /// Per way.
    pub ways: Vec<WayReads>,
    /// The file is on tmpfs.
    pub tmpfs: bool,
}

impl FileReads {
    /// The reads of `way`.
    pub fn of(&self, way: Way) -> Result<&WayReads, CheckError> {
        self.ways
            .iter()
            .find(|w| w.way == way)
            .ok_or_else(|| CheckError(format!("no reads for {}", way.label())))
    }
}

fn median_reads(runs: &[Result<Reads, String>]) -> Result<Reads, String> {
    let mut ok: Vec<Reads> = Vec::new();
    for r in runs {
        ok.push(r.clone()?);
    }
    ok.sort_by_key(|r| r.elapsed);
    ok.get(ok.len() / 2).copied().ok_or_else(|| "no rounds".into())
}

/// 4,096 page-cached blocks (1,024 quick) and 64 slow requests (32 quick),
/// each way, interleaved rounds (5 and 3; 3 and 2 quick).
pub fn reads(ctx: &Ctx) -> Result<&'static FileReads, CheckError> {
    static CELL: Cell<FileReads> = PerRun::new();
    let (blocks, slow, rounds, slow_rounds) =
        ctx.pick((4096, 64, 5, 3), (1024, 32, 3, 2));
    once(&CELL, ctx, || {
        let cached_file = BlockFile::create(blocks)?;
        let slow_file = BlockFile::create(slow)?;
        let tmpfs = file_io::on_tmpfs(&cached_file.path());
        let mut cached: Vec<Vec<Result<Reads, String>>> =
            vec![Vec::new(); Way::ALL.len()];
        let mut slowed: Vec<Vec<Result<Reads, String>>> =
            vec![Vec::new(); Way::ALL.len()];
        for r in 0..rounds {
            for (i, &way) in Way::ALL.iter().enumerate() {
                cached[i].push(
                    file_io::read_all(&cached_file, way, None).map_err(|e| e.to_string()),
                );
                if r < slow_rounds {
                    slowed[i].push(
                        file_io::read_all(&slow_file, way, Some(SLOW))
                            .map_err(|e| e.to_string()),
                    );
                }
            }
        }
        let ways = Way::ALL
            .iter()
            .enumerate()
            .map(|(i, &way)| WayReads {
                way,
                cached: median_reads(&cached[i]),
                slow: median_reads(&slowed[i]),
            })
            .collect();
        Ok(FileReads { cached_blocks: blocks, slow_requests: slow, rounds, ways, tmpfs })
    })
}

/// How often `select!` took the first of two ready cases, of 10,000.
pub fn select_split(ctx: &Ctx) -> Result<&'static (usize, usize), CheckError> {
    static CELL: Cell<(usize, usize)> = PerRun::new();
    once(&CELL, ctx, || {
        let n = 10_000;
        Ok((super::seed_port::go::select_split(n), n))
    })
}

/// Our pool's promises, counted: see [`contract`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Contract {
    /// `try_submit` calls while the 2 workers were busy and the 4-slot queue full.
    pub offered: u64,
    /// Of those, accepted.
    pub accepted: u64,
    /// Of those, handed back in `Err(Full(job))`, the job intact.
    pub returned: u64,
    /// Jobs that panicked.
    pub panicked: u64,
    /// `Err` results received.
    pub err_results: u64,
    /// Workers alive after the panic.
    pub alive_after_panic: usize,
    /// Jobs accepted in all.
    pub submitted: u64,
    /// Jobs that ran, after shutdown.
    pub completed: u64,
    /// Results received in all.
    pub results: u64,
}

enum ContractJob {
    Wait(crossbeam_channel::Receiver<()>),
    Panic,
    Value(u64),
}

/// 2 workers held by a gate, 10 `try_submit`s into a queue of 4, the gate
/// opened, one job that panics, 100 more, shutdown.
pub fn contract(ctx: &Ctx) -> Result<&'static Contract, CheckError> {
    static CELL: Cell<Contract> = PerRun::new();
    once(&CELL, ctx, || {
        let (tx, rx) = crossbeam_channel::bounded::<JobResult<u64>>(1024);
        let pool = WorkerPool::new(2, 4, tx, |job: ContractJob| match job {
            ContractJob::Wait(gate) => {
                let _ = gate.recv();
                0
            }
            ContractJob::Panic => panic!("job 7 failed"),
            ContractJob::Value(v) => v,
        });
        let (gate_tx, gate_rx) = crossbeam_channel::bounded::<()>(0);
        for _ in 0..2 {
            let _ = pool.submit(ContractJob::Wait(gate_rx.clone()));
        }
        let t = std::time::Instant::now();
        while pool.stats().queued > 0 && t.elapsed() < Duration::from_secs(10) {
            std::thread::yield_now();
        }
        let mut c = Contract { offered: 10, ..Contract::default() };
        for v in 0..10 {
            match pool.try_submit(ContractJob::Value(v)) {
                Ok(()) => c.accepted += 1,
                Err(TrySubmitError::Full(ContractJob::Value(back))) if back == v => {
                    c.returned += 1
                }
                Err(_) => {}
            }
        }
        drop(gate_tx);
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {})); // the panic is the point: keep stderr quiet
        let _ = pool.submit(ContractJob::Panic);
        let t = std::time::Instant::now();
        while pool.stats().panicked == 0 && t.elapsed() < Duration::from_secs(10) {
            std::thread::yield_now();
        }
        std::panic::set_hook(hook);
        c.alive_after_panic = pool.stats().workers_alive;
        for v in 0..100 {
            let _ = pool.submit(ContractJob::Value(v));
        }
        let s = pool.shutdown();
        for r in rx.try_iter() {
            c.results += 1;
            c.err_results += u64::from(r.is_err());
        }
        c.panicked = s.panicked;
        c.submitted = s.submitted;
        c.completed = s.completed;
        Ok(c)
    })
}
