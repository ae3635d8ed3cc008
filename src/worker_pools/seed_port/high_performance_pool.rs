//! Seed 000 §1.3.1 (L279-377), `HighPerformanceWorkerPool[T]`, ported.
//!
//! Each worker keeps a local batch, fills it from `jobQueue`, and processes
//! it when it holds `batchSize` jobs or when its own 10 ms ticker fires;
//! `processBatch` still runs and sends one job at a time. On cancellation a
//! worker processes its local batch, unless `processBatch` sees the
//! cancellation first, and returns: what is still queued is never run (D13).
//! Nothing drains `resultChan` but the caller (D14). The seed defines no
//! `Submit` and no `Stop`: callers send on the queue and cancel the context,
//! as the fields allow inside the package.
//!
//! What the seed leaves undefined (D75): `Job[T]`, `Result[T]`,
//! `processJob` and `updateMetrics`. [`Job`] and [`JobResult`] are the
//! least that compiles, `processJob` is the caller's function, and
//! `updateMetrics` counts under the pool's lock, the one the struct declares.

use super::go::Context;
use crossbeam_channel::{Receiver, Sender, select};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `Job[T]` (undefined in the seed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Job<T> {
    /// Which job.
    pub id: u64,
    /// Its payload.
    pub data: T,
}

/// `Result[T]` (undefined in the seed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobResult<T> {
    /// The job it answers.
    pub job_id: u64,
    /// The answer.
    pub value: T,
}

/// `PoolMetrics` (L298-304).
#[derive(Clone, Debug, Default)]
pub struct PoolMetrics {
    /// Jobs processed.
    pub processed_jobs: i64,
    /// Jobs that failed (nothing sets it).
    pub failed_jobs: i64,
    /// When the last job was processed.
    pub last_processed_at: Option<Instant>,
}

/// The ticker each worker makes: `time.NewTicker(10 * time.Millisecond)` in
/// the seed; tests pass a channel they feed.
pub type TickerFactory = Box<dyn Fn() -> Receiver<Instant> + Send + Sync>;

/// The seed's 10 ms batch ticker (L334).
pub const TICK: Duration = Duration::from_millis(10);

/// The thread-name prefix of the port's workers.
pub const THREAD_PREFIX: &str = "seedpool";

static POOLS: AtomicU32 = AtomicU32::new(0);

struct Inner<T> {
    workers: usize,
    jobs: Receiver<Job<T>>,
    /// A sender the workers keep, as the goroutines keep the Go channel:
    /// it closes only through [`HighPerformanceWorkerPool::close_job_queue`].
    jobs_open: Mutex<Option<Sender<Job<T>>>>,
    results_tx: Sender<JobResult<T>>,
    results_rx: Receiver<JobResult<T>>,
    wg: Mutex<Vec<JoinHandle<()>>>,
    ctx: Context,
    batch_size: usize,
    #[allow(dead_code)] // the seed's `timeout: 30 * time.Second`, never read
    timeout: Duration,
    metrics: Mutex<PoolMetrics>,
    process_job: Box<dyn Fn(Job<T>) -> JobResult<T> + Send + Sync>,
    ticker: TickerFactory,
    name: String,
}

// ANCHOR: port
/// `HighPerformanceWorkerPool[T]`.
pub struct HighPerformanceWorkerPool<T: Send + 'static> {
    inner: Arc<Inner<T>>,
    /// The caller's end of `jobQueue`.
    job_queue: Option<Sender<Job<T>>>,
}

impl<T: Send + Default + 'static> HighPerformanceWorkerPool<T> {
    /// `NewHighPerformanceWorkerPool(workers, queueSize, batchSize)`, with
    /// the `processJob` the seed never defines.
    pub fn new(
        workers: usize,
        queue_size: usize,
        batch_size: usize,
        process_job: impl Fn(Job<T>) -> JobResult<T> + Send + Sync + 'static,
    ) -> Self {
        Self::with_ticker(
            workers,
            queue_size,
            batch_size,
            process_job,
            Box::new(|| crossbeam_channel::tick(TICK)),
        )
    }

    /// The same with the ticker of the caller's choosing.
    pub fn with_ticker(
        workers: usize,
        queue_size: usize,
        batch_size: usize,
        process_job: impl Fn(Job<T>) -> JobResult<T> + Send + Sync + 'static,
        ticker: TickerFactory,
    ) -> Self {
        let (jobs_tx, jobs) = crossbeam_channel::bounded(queue_size);
        let (results_tx, results_rx) = crossbeam_channel::bounded(queue_size);
        let inner = Arc::new(Inner {
            workers,
            jobs,
            jobs_open: Mutex::new(Some(jobs_tx.clone())),
            results_tx,
            results_rx,
            wg: Mutex::new(Vec::new()),
            ctx: Context::with_cancel(),
            batch_size,
            timeout: Duration::from_secs(30),
            metrics: Mutex::new(PoolMetrics::default()),
            process_job: Box::new(process_job),
            ticker,
            name: format!("{THREAD_PREFIX}{}-", POOLS.fetch_add(1, Relaxed)),
        });
        Self { inner, job_queue: Some(jobs_tx) }
    }

    /// `Start()`: one goroutine per worker. Nothing stops a second call.
    pub fn start(&self) {
        let mut wg = self.inner.wg.lock().unwrap_or_else(|p| p.into_inner());
        for id in 0..self.inner.workers {
            let inner = self.inner.clone();
            let h = std::thread::Builder::new()
                .name(format!("{}{id}", self.inner.name))
                .spawn(move || inner.optimized_worker())
                .expect("spawning a worker");
            wg.push(h);
        }
    }
}

impl<T: Send + Default + 'static> Inner<T> {
    /// `optimizedWorker` (L329-362).
    fn optimized_worker(&self) {
        let mut batch: Vec<Job<T>> = Vec::with_capacity(self.batch_size);
        let ticker = (self.ticker)();
        loop {
            select! {
                recv(self.jobs) -> job => {
                    // `job := <-wp.jobQueue`: a closed channel gives the
                    // zero value, at once, every time (D74).
                    batch.push(job.unwrap_or_default());
                    if batch.len() >= self.batch_size {
                        self.process_batch(&mut batch);
                    }
                }
                recv(ticker) -> _ => {
                    if !batch.is_empty() {
                        self.process_batch(&mut batch);
                    }
                }
                recv(self.ctx.done()) -> _ => {
                    // "处理剩余任务": only this worker's local batch.
                    if !batch.is_empty() {
                        self.process_batch(&mut batch);
                    }
                    return;
                }
            }
        }
    }

    /// `processBatch` (L366-377): one `processJob` and one send per job;
    /// returns mid-batch when the context is cancelled.
    fn process_batch(&self, batch: &mut Vec<Job<T>>) {
        for job in batch.drain(..) {
            let result = (self.process_job)(job);
            self.update_metrics();
            select! {
                send(self.results_tx, result) -> _ => {}
                recv(self.ctx.done()) -> _ => return, // the rest of the batch is dropped
            }
        }
    }

    /// `updateMetrics` (undefined in the seed): counts under the lock.
    fn update_metrics(&self) {
        let mut m = self.metrics.lock().unwrap_or_else(|p| p.into_inner());
        m.processed_jobs += 1;
        m.last_processed_at = Some(Instant::now());
    }
}
// ANCHOR_END: port

impl<T: Send + 'static> HighPerformanceWorkerPool<T> {
    /// `wp.jobQueue <- job`: blocks while the queue is full.
    pub fn send(&self, job: Job<T>) {
        if let Some(q) = &self.job_queue {
            let _ = q.send(job);
        }
    }

    /// `select { case wp.jobQueue <- job: default: }`: false when full.
    pub fn try_send(&self, job: Job<T>) -> bool {
        self.job_queue.as_ref().is_some_and(|q| q.try_send(job).is_ok())
    }

    /// `wp.resultChan`, for the caller to drain.
    pub fn results(&self) -> &Receiver<JobResult<T>> {
        &self.inner.results_rx
    }

    /// `wp.cancel()`.
    pub fn cancel(&self) {
        self.inner.ctx.cancel();
    }

    /// `close(wp.jobQueue)`: what a caller does to say "no more jobs".
    pub fn close_job_queue(&mut self) {
        self.job_queue = None;
        drop(self.inner.jobs_open.lock().unwrap_or_else(|p| p.into_inner()).take());
    }

    /// `wp.wg.Wait()`.
    pub fn wait(&self) {
        let handles: Vec<_> =
            self.inner.wg.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
        for h in handles {
            let _ = h.join();
        }
    }

    /// `metrics.ProcessedJobs`.
    pub fn processed_jobs(&self) -> i64 {
        self.inner.metrics.lock().unwrap_or_else(|p| p.into_inner()).processed_jobs
    }

    /// Jobs waiting in `jobQueue` (an observation; the seed has no accessor).
    pub fn queued(&self) -> usize {
        self.inner.jobs.len()
    }

    /// The prefix of the workers' thread names.
    pub fn thread_name_prefix(&self) -> &str {
        &self.inner.name
    }
}
