//! Seed 000's `HighPerformanceWorkerPool` run beside [`WorkerPool`] through
//! a pool's life: a job waiting for the ticker, an idle pool, results nobody
//! drains, a closed queue, shutdown with jobs queued, a handle dropped
//! without stopping. Each function returns counts; the checks decide.
//!
//! The scenarios that hang the port run in a child process (the
//! `CHILD_*` modes below), which the caller kills after a time-out and
//! reads from what it printed.

use super::pool::{self, WorkerPool};
use super::seed_port::async_io::{AsyncIoProcessor, IoTask};
use super::seed_port::high_performance_pool::{self as seed, HighPerformanceWorkerPool};
use crate::measure::child::ChildOutcome;
use crate::measure::os::ProcStatus;
use std::io;
use std::time::{Duration, Instant};

type SeedPool = HighPerformanceWorkerPool<u64>;

fn echo(j: seed::Job<u64>) -> seed::JobResult<u64> {
    seed::JobResult { job_id: j.id, value: j.data }
}

// ANCHOR: shutdown_loss
/// Jobs run when the pool is told to stop right after `jobs` were queued,
/// for the seed's port (`cancel()`, once per run, `runs` runs) and for
/// [`WorkerPool::shutdown`].
#[derive(Clone, Debug)]
pub struct ShutdownLoss {
    /// Jobs queued before the stop.
    pub jobs: u64,
    /// Jobs the port ran, per run.
    pub seed_completed: Vec<u64>,
    /// Jobs our pool ran.
    pub ours_completed: u64,
}

/// See [`ShutdownLoss`]: 2 workers, a queue of `jobs`, batches of 64.
pub fn shutdown_loss(runs: usize, jobs: u64) -> ShutdownLoss {
    let seed_completed = (0..runs)
        .map(|_| {
            let ran = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let counter = ran.clone();
            let pool = SeedPool::new(2, jobs as usize, 64, move |j| {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                echo(j)
            });
            pool.start();
            for i in 0..jobs {
                pool.send(seed::Job { id: i, data: i });
            }
            pool.cancel(); // "处理剩余任务"
            pool.wait();
            ran.load(std::sync::atomic::Ordering::Relaxed)
        })
        .collect();
    let ours = WorkerPool::without_results(2, jobs as usize, |x: u64| {
        std::hint::black_box(x);
    });
    for i in 0..jobs {
        let _ = ours.submit(i);
    }
    let stats = ours.shutdown();
    ShutdownLoss { jobs, seed_completed, ours_completed: stats.completed }
}
// ANCHOR_END: shutdown_loss

/// The port's partial batch and its ticker, driven by hand.
#[derive(Clone, Copy, Debug)]
pub struct MockTick {
    /// Results out after the job was taken from the queue and before any tick.
    pub before_tick: usize,
    /// Results out after one tick.
    pub after_tick: usize,
}

/// One job into a one-worker port with batches of 64 and a ticker the test
/// feeds: nothing comes out until the tick, then the job does.
pub fn mock_tick() -> MockTick {
    let (tick_tx, tick_rx) = crossbeam_channel::unbounded::<Instant>();
    let pool = SeedPool::with_ticker(1, 8, 64, echo, Box::new(move || tick_rx.clone()));
    pool.start();
    pool.send(seed::Job { id: 1, data: 1 });
    let t = Instant::now();
    while pool.queued() > 0 && t.elapsed() < Duration::from_secs(5) {
        std::thread::yield_now();
    }
    // Give the worker time it does not need: the job is in its batch.
    let before_tick =
        pool.results().recv_timeout(Duration::from_millis(30)).map_or(0, |_| 1);
    let _ = tick_tx.send(Instant::now());
    let after_tick = before_tick
        + pool.results().recv_timeout(Duration::from_secs(5)).map_or(0, |_| 1);
    pool.cancel();
    pool.wait();
    MockTick { before_tick, after_tick }
}

/// Voluntary context switches of this process's threads whose name starts
/// with `prefix` (from `/proc/self/task/*/comm` and `status`), and how many
/// such threads there are.
pub fn switches_of(prefix: &str) -> io::Result<(usize, u64)> {
    let (mut threads, mut switches) = (0, 0);
    for entry in std::fs::read_dir("/proc/self/task")? {
        let dir = entry?.path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else { continue };
        if !comm.trim_end().starts_with(prefix) {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(dir.join("status")) else { continue };
        threads += 1;
        switches += status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok((threads, switches))
}

/// Wake-ups per second of an idle pool's threads.
#[derive(Clone, Copy, Debug)]
pub struct IdleWakeups {
    /// The port's 2 workers, per second each.
    pub seed_per_thread: f64,
    /// Our 2 workers, per second each.
    pub ours_per_thread: f64,
    /// How long each pool sat idle.
    pub idle: Duration,
}

/// Both pools with 2 workers, idle for `idle`: their threads' voluntary
/// context switches (each one a wake-up and a sleep).
pub fn idle_wakeups(idle: Duration) -> io::Result<IdleWakeups> {
    let per_thread = |prefix: &str| -> io::Result<f64> {
        // A thread names itself once it runs: wait for both.
        let t = Instant::now();
        while switches_of(prefix)?.0 < 2 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(5)); // and for them to settle
        let (n0, s0) = switches_of(prefix)?;
        let t = Instant::now();
        std::thread::sleep(idle);
        let (n1, s1) = switches_of(prefix)?;
        let secs = t.elapsed().as_secs_f64();
        if n0 == 0 || n0 != n1 {
            return Err(io::Error::other(format!(
                "found {n0}, then {n1} threads {prefix}*"
            )));
        }
        Ok((s1 - s0) as f64 / n1 as f64 / secs)
    };
    let seed = SeedPool::new(2, 8, 64, echo);
    seed.start();
    let seed_per_thread = per_thread(seed.thread_name_prefix());
    seed.cancel();
    seed.wait();
    let ours = WorkerPool::without_results(2, 8, |x: u64| x);
    let ours_per_thread = per_thread(ours.thread_name_prefix());
    drop(ours);
    Ok(IdleWakeups {
        seed_per_thread: seed_per_thread?,
        ours_per_thread: ours_per_thread?,
        idle,
    })
}

/// After `close(jobQueue)`: jobs the port ran that nobody sent (Go's zero
/// value), against what our pool runs after its queue closes.
#[derive(Clone, Copy, Debug)]
pub struct ClosedQueue {
    /// Jobs sent before the close.
    pub sent: u64,
    /// Results with the zero value, out of the port within `window`.
    pub seed_zero_jobs: u64,
    /// Jobs our pool ran in all.
    pub ours_ran: u64,
    /// How long the port's results were read after the close.
    pub window: Duration,
}

/// `sent` jobs with payload 1, then the queue closed, results read for
/// `window`: the port's worker keeps receiving zero-valued jobs (D74).
pub fn closed_queue(sent: u64, window: Duration) -> ClosedQueue {
    let mut pool = SeedPool::new(1, 8, 1, echo);
    pool.start();
    for i in 0..sent {
        pool.send(seed::Job { id: i + 1, data: 1 });
    }
    pool.close_job_queue();
    let t = Instant::now();
    let mut zero = 0;
    while t.elapsed() < window {
        if let Ok(r) = pool.results().recv_timeout(Duration::from_millis(5))
            && r.value == 0
        {
            zero += 1;
        }
    }
    pool.cancel();
    pool.wait();
    let ours = WorkerPool::without_results(1, 8, |x: u64| x);
    for _ in 0..sent {
        let _ = ours.submit(1);
    }
    let stats = ours.shutdown(); // closes the queue; the workers stop at its end
    ClosedQueue { sent, seed_zero_jobs: zero, ours_ran: stats.completed, window }
}

/// Child mode: the port with nobody draining its results (D14).
pub const CHILD_UNDRAINED: &str = "worker_pools::seed_pool_undrained_results";

/// The port's sizes in [`child_undrained`]: 2 workers, queue 8, batches of 4.
pub const UNDRAINED: (usize, usize, usize) = (2, 8, 4);

/// Jobs the child tries to send.
pub const UNDRAINED_JOBS: u64 = 100;

/// The child's body: sends [`UNDRAINED_JOBS`] with blocking sends and never
/// reads a result; a watcher prints `sent S processed P` every 20 ms. It
/// hangs once both channels are full; the parent's time-out ends it.
pub fn child_undrained() {
    let (workers, queue, batch) = UNDRAINED;
    let processed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let p = processed.clone();
    let pool = SeedPool::new(workers, queue, batch, move |j| {
        p.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        echo(j)
    });
    pool.start();
    let (p, s) = (processed.clone(), sent.clone());
    std::thread::spawn(move || {
        loop {
            println!(
                "sent {} processed {}",
                s.load(std::sync::atomic::Ordering::Relaxed),
                p.load(std::sync::atomic::Ordering::Relaxed)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    for i in 0..UNDRAINED_JOBS {
        pool.send(seed::Job { id: i, data: i });
        sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    println!("all sent");
}

/// What the undrained-results child showed, and our pool in the same spot.
#[derive(Clone, Debug)]
pub struct Undrained {
    /// How the child ended ("timed out (killed)" when it hung).
    pub seed_ended: String,
    /// The child hung (killed at the time-out).
    pub seed_hung: bool,
    /// Its last progress line: jobs sent and processed.
    pub seed_sent: u64,
    /// Jobs the port processed before it stalled.
    pub seed_processed: u64,
    /// Our pool: jobs submitted before the receiver was dropped undrained.
    pub ours_submitted: u64,
    /// Our pool: completed + undelivered after shutdown (all accounted).
    pub ours_completed: u64,
    /// Our pool: results counted as undelivered.
    pub ours_undelivered: u64,
}

/// Reads the child's last progress line, and runs our pool the same way:
/// 2 workers, queue 8, results channel of 8 never read, then the receiver
/// dropped; shutdown returns with every job accounted for.
pub fn undrained(o: &ChildOutcome) -> Undrained {
    let sent = last_value(o, "sent").unwrap_or(0);
    let processed = last_value(o, "processed").unwrap_or(0);
    let (tx, rx) = crossbeam_channel::bounded(UNDRAINED.1);
    let ours = WorkerPool::new(UNDRAINED.0, UNDRAINED.1, tx, |x: u64| x);
    let mut submitted = 0;
    for i in 0..UNDRAINED_JOBS {
        match ours.try_submit(i) {
            Ok(()) => submitted += 1,
            Err(pool::TrySubmitError::Full(_)) => {
                // The caller decides: it stops reading, and says so.
                drop(rx);
                let _ = ours.submit(i);
                submitted += 1;
                for j in i + 1..UNDRAINED_JOBS {
                    let _ = ours.submit(j);
                    submitted += 1;
                }
                break;
            }
            Err(pool::TrySubmitError::Closed(_)) => break,
        }
    }
    let stats = ours.shutdown();
    Undrained {
        seed_ended: o.describe(),
        seed_hung: o.timed_out,
        seed_sent: sent,
        seed_processed: processed,
        ours_submitted: submitted,
        ours_completed: stats.completed,
        ours_undelivered: stats.undelivered,
    }
}

/// Child mode: threads left behind by a dropped pool (D21).
pub const CHILD_THREADS: &str = "worker_pools::threads_after_drop";

/// The child's body: prints the thread count at start, after an
/// `AsyncIOProcessor` of 4 workers is started and its handle dropped, and
/// after a [`WorkerPool`] of 4 is started and dropped. In a child so that no
/// other thread comes or goes meanwhile.
pub fn child_threads() {
    let threads = || ProcStatus::now().map(|s| s.threads).unwrap_or(0);
    println!("start {}", threads());
    let aio = AsyncIoProcessor::new(4);
    aio.start();
    let _ = aio.task_queue().send(IoTask::default()); // one task, so they ran
    std::thread::sleep(Duration::from_millis(20));
    drop(aio); // no Stop in the seed: the goroutines live on
    std::thread::sleep(Duration::from_millis(20));
    let seed = threads();
    println!("seed {seed}");
    let ours = WorkerPool::without_results(4, 8, |x: u64| x);
    let _ = ours.submit(1);
    drop(ours); // closes the queue and joins
    // A joined thread can still be counted for a moment: the kernel wakes
    // the joiner before it removes the exited thread from the process's
    // count. So wait, up to a second, for the count to come back down; a
    // thread that was not joined never does.
    let mut after = threads();
    for _ in 0..100 {
        if after <= seed {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        after = threads();
    }
    println!("ours {after}");
}

/// Threads alive: at start, after the port was dropped, after ours was.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadsAfterDrop {
    /// At the child's start.
    pub start: u64,
    /// After the port's handle was dropped.
    pub after_seed: u64,
    /// After our pool was dropped too.
    pub after_ours: u64,
}

/// Parses [`child_threads`]'s output.
pub fn threads_after_drop(o: &ChildOutcome) -> Result<ThreadsAfterDrop, String> {
    match (last_value(o, "start"), last_value(o, "seed"), last_value(o, "ours")) {
        (Some(start), Some(after_seed), Some(after_ours)) => {
            Ok(ThreadsAfterDrop { start, after_seed, after_ours })
        }
        _ => Err(format!(
            "the threads child ended with {}: {}",
            o.describe(),
            o.stderr.trim()
        )),
    }
}

/// The number after the last `key` word a child printed. (Under the test
/// harness the first line a child prints follows `test name ... `.)
pub fn last_value(o: &ChildOutcome, key: &str) -> Option<u64> {
    o.stdout.lines().rev().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().rposition(|w| *w == key)?;
        words.get(at + 1)?.parse().ok()
    })
}
