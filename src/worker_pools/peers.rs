//! The pools [`WorkerPool`] is measured against, and the one loop that times
//! them all: N jobs of a given size on a given number of workers.
//!
//! | peer | what it is |
//! |---|---|
//! | [`Peer::Bare`] | crossbeam `unbounded` of `Box<dyn FnOnce()>`: the usual hand-written pool |
//! | [`Peer::Mpsc`] | `std::sync::mpsc` behind a `Mutex`, the pool of *The Rust Programming Language* ch. 21 |
//! | [`Peer::RayonSpawn`] | `rayon::Scope::spawn`, one heap job per task |
//! | [`Peer::RayonParIter`] | `par_iter().for_each`, which splits the range itself |
//! | [`Peer::Seed`] | seed 000's `HighPerformanceWorkerPool`, ported (batch 64, 10 ms ticker) |
//!
//! A job is [`spin`]: a calibrated number of dependent multiply-adds, so
//! "a 1 µs job" is CPU work, not a sleep. Pools are built before the clock
//! starts; the time covers submitting every job and waiting for the last.

use super::pool::WorkerPool;
use super::seed_port::high_performance_pool::{self as seed, HighPerformanceWorkerPool};
use crossbeam_channel::Sender;
use rayon::prelude::*;
use std::hint::black_box;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ANCHOR: spin
/// `iters` dependent multiply-adds on `x`: CPU work that cannot be folded
/// away.
#[inline(never)]
pub fn spin(x: u64, iters: u32) -> u64 {
    let mut h = x;
    for _ in 0..iters {
        h = black_box(h.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
    }
    h
}
// ANCHOR_END: spin

/// Iterations of [`spin`] per microsecond of this thread's CPU time,
/// measured once per process (the fastest of five tries).
pub fn iters_per_us() -> f64 {
    static CAL: OnceLock<f64> = OnceLock::new();
    *CAL.get_or_init(|| {
        const N: u32 = 2_000_000;
        (0..5)
            .map(|_| {
                let (_, t) = crate::measure::cpu_timed(|| black_box(spin(1, N)));
                f64::from(N) / (t.as_nanos().max(1) as f64 / 1e3)
            })
            .fold(0.0, f64::max)
    })
}

/// The iterations of a job of `ns` nanoseconds (0 for an empty job).
pub fn iters_for(ns: f64) -> u32 {
    (ns / 1e3 * iters_per_us()).round() as u32
}

/// A pool (or a peer) to time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// [`WorkerPool::submit`], results not kept.
    Ours,
    /// [`WorkerPool::submit_batch`] with 64 jobs a message.
    OursBatch64,
    /// [`WorkerPool::submit`], every result sent to a collector thread.
    OursResults,
    /// Boxed closures on a crossbeam channel.
    Bare,
    /// Boxed closures on `std::sync::mpsc` behind a mutex.
    Mpsc,
    /// `rayon::scope` + `spawn` per job.
    RayonSpawn,
    /// `par_iter().for_each`.
    RayonParIter,
    /// Seed 000's pool, results drained by a collector thread.
    Seed,
}

impl Peer {
    /// Every peer, in table order.
    pub const ALL: [Peer; 8] = [
        Peer::Ours,
        Peer::OursBatch64,
        Peer::OursResults,
        Peer::Bare,
        Peer::Mpsc,
        Peer::RayonSpawn,
        Peer::RayonParIter,
        Peer::Seed,
    ];

    /// Its name in tables and the plot.
    pub fn label(self) -> &'static str {
        match self {
            Peer::Ours => "WorkerPool::submit",
            Peer::OursBatch64 => "WorkerPool::submit_batch(64)",
            Peer::OursResults => "WorkerPool::submit + results",
            Peer::Bare => "bare crossbeam pool",
            Peer::Mpsc => "std mpsc pool",
            Peer::RayonSpawn => "rayon scope.spawn",
            Peer::RayonParIter => "rayon par_iter",
            Peer::Seed => "seed 000 pool (batch 64)",
        }
    }
}

/// The bounded queue of our pool and the seed's, in messages.
pub const QUEUE: usize = 1024;

/// Runs `n` jobs of `iters` on `workers` threads through `peer`; the time
/// from the first submission to the last job done.
pub fn time_jobs(peer: Peer, workers: usize, n: u64, iters: u32) -> Duration {
    run_jobs(peer, workers, n, move |x| spin(x, iters))
}

/// Runs `n` jobs through `peer` and counts, in the jobs, how many ran: what
/// the bench checks before it times anything.
pub fn count_jobs(peer: Peer, workers: usize, n: u64) -> u64 {
    let ran = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let r = ran.clone();
    run_jobs(peer, workers, n, move |x| {
        r.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        x
    });
    ran.load(std::sync::atomic::Ordering::Relaxed)
}

// ANCHOR: run_jobs
/// Runs `job(i)` for `i` in `0..n` through `peer` on `workers` threads.
pub fn run_jobs<F>(peer: Peer, workers: usize, n: u64, job: F) -> Duration
where
    F: Fn(u64) -> u64 + Send + Sync + Clone + 'static,
{
    match peer {
        Peer::Ours => {
            let pool = WorkerPool::without_results(workers, QUEUE, move |x| {
                black_box(job(x));
            });
            let t = Instant::now();
            for i in 0..n {
                let _ = pool.submit(i);
            }
            pool.shutdown(); // every job queued has run when it returns
            t.elapsed()
        }
        Peer::OursBatch64 => {
            let pool = WorkerPool::without_results(workers, QUEUE, move |x| {
                black_box(job(x));
            });
            let t = Instant::now();
            let mut i = 0;
            while i < n {
                let end = (i + 64).min(n);
                let _ = pool.submit_batch((i..end).collect());
                i = end;
            }
            pool.shutdown();
            t.elapsed()
        }
        Peer::OursResults => {
            let (tx, rx) = crossbeam_channel::bounded(QUEUE);
            let pool = WorkerPool::new(workers, QUEUE, tx, job);
            let t = Instant::now();
            let collector = std::thread::spawn(move || {
                rx.iter().take(n as usize).fold(0u64, |a, r| a ^ r.unwrap_or(0))
            });
            for i in 0..n {
                let _ = pool.submit(i);
            }
            black_box(collector.join().expect("collector"));
            let e = t.elapsed();
            drop(pool);
            e
        }
        Peer::Bare => {
            let pool = BarePool::new(workers);
            let t = Instant::now();
            for i in 0..n {
                let job = job.clone();
                pool.execute(move || {
                    black_box(job(i));
                });
            }
            drop(pool); // joins after the queue runs dry
            t.elapsed()
        }
        Peer::Mpsc => {
            let pool = MpscPool::new(workers);
            let t = Instant::now();
            for i in 0..n {
                let job = job.clone();
                pool.execute(move || {
                    black_box(job(i));
                });
            }
            drop(pool);
            t.elapsed()
        }
        Peer::RayonSpawn => {
            let pool = rayon_pool(workers);
            let t = Instant::now();
            pool.scope(|s| {
                for i in 0..n {
                    let job = &job;
                    s.spawn(move |_| {
                        black_box(job(i));
                    });
                }
            });
            t.elapsed()
        }
        Peer::RayonParIter => {
            let pool = rayon_pool(workers);
            let t = Instant::now();
            pool.install(|| {
                (0..n).into_par_iter().for_each(|i| {
                    black_box(job(i));
                })
            });
            t.elapsed()
        }
        Peer::Seed => {
            let pool = HighPerformanceWorkerPool::new(workers, QUEUE, 64, move |j| {
                seed::JobResult { job_id: j.id, value: job(j.id) }
            });
            pool.start();
            let t = Instant::now();
            std::thread::scope(|s| {
                let results = pool.results();
                let collector = s.spawn(move || {
                    results.iter().take(n as usize).fold(0u64, |a, r| a ^ r.value)
                });
                for i in 0..n {
                    pool.send(seed::Job { id: i, data: 0u64 });
                }
                black_box(collector.join().expect("collector"));
            });
            let e = t.elapsed();
            pool.cancel();
            pool.wait();
            e
        }
    }
}
// ANCHOR_END: run_jobs

/// A rayon pool of `workers` threads.
pub fn rayon_pool(workers: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("building a rayon pool")
}

type Task = Box<dyn FnOnce() + Send + 'static>;

// ANCHOR: bare_pool
/// The hand-written pool: boxed closures on an unbounded crossbeam channel.
pub struct BarePool {
    tx: Option<Sender<Task>>,
    workers: Vec<JoinHandle<()>>,
}

impl BarePool {
    /// `workers` threads.
    pub fn new(workers: usize) -> Self {
        let (tx, rx) = crossbeam_channel::unbounded::<Task>();
        let workers = (0..workers)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || rx.iter().for_each(|job| job()))
            })
            .collect();
        Self { tx: Some(tx), workers }
    }

    /// Queues `f` (one allocation for the box, unless `f` captures nothing).
    pub fn execute(&self, f: impl FnOnce() + Send + 'static) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Box::new(f));
        }
    }
}

impl Drop for BarePool {
    fn drop(&mut self) {
        drop(self.tx.take());
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
// ANCHOR_END: bare_pool

/// The Rust book's pool: `std::sync::mpsc`, one receiver behind a mutex.
pub struct MpscPool {
    tx: Option<mpsc::Sender<Task>>,
    workers: Vec<JoinHandle<()>>,
}

impl MpscPool {
    /// `workers` threads.
    pub fn new(workers: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        let workers = (0..workers)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || {
                    loop {
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        Self { tx: Some(tx), workers }
    }

    /// Queues `f`.
    pub fn execute(&self, f: impl FnOnce() + Send + 'static) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Box::new(f));
        }
    }
}

impl Drop for MpscPool {
    fn drop(&mut self) {
        drop(self.tx.take());
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Latency at low load: `jobs` empty jobs, one at a time, each submitted
/// after a pause of 1 to 3 ms (random, so they fall at every phase of the
/// seed's ticker), through our pool (`seed == false`) or the seed's (batch
/// 64, 10 ms ticker), 2 workers each. Nanoseconds from submit to result.
pub fn latencies(seed_pool: bool, jobs: usize) -> Vec<f64> {
    let mut rng = crate::measure::rng::SplitMix64::new(0x1a7e);
    let mut pause = move || Duration::from_micros(1000 + rng.below(2000) as u64);
    let mut out = Vec::with_capacity(jobs);
    if seed_pool {
        let pool = HighPerformanceWorkerPool::new(2, QUEUE, 64, |j: seed::Job<u64>| {
            seed::JobResult { job_id: j.id, value: j.data }
        });
        pool.start();
        for i in 0..jobs as u64 {
            std::thread::sleep(pause());
            let t = Instant::now();
            pool.send(seed::Job { id: i, data: i });
            let _ = pool.results().recv();
            out.push(t.elapsed().as_nanos() as f64);
        }
        pool.cancel();
        pool.wait();
    } else {
        let (tx, rx) = crossbeam_channel::bounded(QUEUE);
        let pool = WorkerPool::new(2, QUEUE, tx, |t: Instant| t);
        for _ in 0..jobs {
            std::thread::sleep(pause());
            let _ = pool.submit(Instant::now());
            if let Ok(Ok(t)) = rx.recv() {
                out.push(t.elapsed().as_nanos() as f64);
            }
        }
    }
    out
}
