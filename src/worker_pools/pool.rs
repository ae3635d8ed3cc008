//! [`WorkerPool`]: a fixed set of threads fed by one bounded crossbeam
//! channel, where nothing is lost without a trace.
//!
//! - [`WorkerPool::submit`] blocks while the queue is full (backpressure);
//!   [`WorkerPool::try_submit`] hands the job back in `Err(Full(job))`;
//!   [`WorkerPool::submit_batch`] sends many jobs as one message.
//! - Results go to a bounded channel the caller creates and owns. A caller
//!   that stops reading drops its receiver: the workers then count the
//!   results nobody took ([`PoolStats::undelivered`]) instead of blocking.
//! - A job that panics gives `Err(JobPanicked)`; its worker goes on.
//! - [`WorkerPool::shutdown`] closes the queue and lets the workers finish
//!   every job already in it; `Drop` does the same and joins them.
//!
//! The jobs are data (`J`), handled by one function given at start-up, so
//! nothing is boxed per job. Not for: jobs that must be cancelled once
//! queued (drop them before submitting), or async tasks.

use crossbeam_channel::{Receiver, SendError, Sender, TrySendError};
use crossbeam_utils::CachePadded;
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::thread::JoinHandle;

/// What travels on the queue: one job, or a batch sent with one channel
/// operation (the queue's bound counts messages, so a batch takes one slot).
enum Msg<J> {
    One(J),
    Batch(Vec<J>),
}

/// What a job gives back: its value, or the panic that stopped it.
pub type JobResult<R> = Result<R, JobPanicked>;

/// A job panicked; its worker caught the panic and went on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobPanicked {
    /// The panic's message, when it was a string.
    pub message: String,
}

impl JobPanicked {
    fn from_payload(payload: Box<dyn Any + Send>) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        Self { message }
    }
}

/// Why [`WorkerPool::try_submit`] refused a job. The job comes back either way.
#[derive(Debug, PartialEq, Eq)]
pub enum TrySubmitError<J> {
    /// The queue is full: try later, or shed the job knowingly.
    Full(J),
    /// The workers are gone (they stop only when the pool shuts down).
    Closed(J),
}

/// [`WorkerPool::submit`] could not queue the job: the workers are gone.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed<J>(pub J);

/// A worker's own counters, on a cache line of their own: each is written
/// by that worker only (plain stores), so counting costs no shared
/// read-modify-write.
#[derive(Default)]
struct WorkerCounts {
    completed: AtomicU64,
    panicked: AtomicU64,
    undelivered: AtomicU64,
}

struct Counters {
    submitted: CachePadded<AtomicU64>,
    rejected: CachePadded<AtomicU64>,
    workers: Box<[CachePadded<WorkerCounts>]>,
}

/// The pool's counters at one moment. After [`WorkerPool::shutdown`],
/// `submitted == completed`: every job that was accepted ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Jobs accepted by `submit`, `try_submit` and `submit_batch`.
    pub submitted: u64,
    /// Jobs that ran (including those that panicked).
    pub completed: u64,
    /// Jobs `try_submit` handed back because the queue was full.
    pub rejected: u64,
    /// Jobs that panicked (their result is `Err`).
    pub panicked: u64,
    /// Results not delivered because the caller dropped the receiver.
    pub undelivered: u64,
    /// Messages waiting in the queue (a batch counts once).
    pub queued: usize,
    /// Worker threads still running.
    pub workers_alive: usize,
}

impl PoolStats {
    /// Accepted jobs that have not run (yet): after shutdown, jobs lost.
    pub fn not_run(&self) -> u64 {
        self.submitted.saturating_sub(self.completed)
    }
}

/// Names worker threads `{prefix}{pool}-{i}`, so a reader of
/// `/proc/self/task/*/comm` can tell one pool's threads from another's.
static POOLS: AtomicU32 = AtomicU32::new(0);

/// The thread-name prefix of [`WorkerPool`]'s workers.
pub const THREAD_PREFIX: &str = "wpool";

// ANCHOR: pool
/// A fixed set of worker threads running one handler over jobs of type `J`.
pub struct WorkerPool<J: Send + 'static, R: Send + 'static> {
    jobs: Option<Sender<Msg<J>>>,
    workers: Vec<JoinHandle<()>>,
    counters: Arc<Counters>,
    name: String,
    _results: std::marker::PhantomData<fn() -> R>,
}

impl<J: Send + 'static, R: Send + 'static> WorkerPool<J, R> {
    /// Starts `workers` threads running `handler` over jobs from a queue of
    /// `queue` messages; every result goes to `results`.
    ///
    /// # Panics
    /// If `workers` or `queue` is 0, or a thread cannot be spawned.
    pub fn new<F>(
        workers: usize,
        queue: usize,
        results: Sender<JobResult<R>>,
        handler: F,
    ) -> Self
    where
        F: Fn(J) -> R + Send + Sync + 'static,
    {
        Self::start(workers, queue, Some(results), handler)
    }

    /// [`WorkerPool::new`] for jobs whose results nobody reads (they are
    /// counted, then dropped).
    pub fn without_results<F>(workers: usize, queue: usize, handler: F) -> Self
    where
        F: Fn(J) -> R + Send + Sync + 'static,
    {
        Self::start(workers, queue, None, handler)
    }

    fn start<F>(
        workers: usize,
        queue: usize,
        results: Option<Sender<JobResult<R>>>,
        handler: F,
    ) -> Self
    where
        F: Fn(J) -> R + Send + Sync + 'static,
    {
        assert!(workers > 0 && queue > 0, "a pool needs a worker and a queue slot");
        let (tx, rx) = crossbeam_channel::bounded(queue);
        let counters = Arc::new(Counters {
            submitted: CachePadded::default(),
            rejected: CachePadded::default(),
            workers: (0..workers).map(|_| CachePadded::default()).collect(),
        });
        let handler = Arc::new(handler);
        let name = format!("{THREAD_PREFIX}{}-", POOLS.fetch_add(1, Relaxed));
        let workers = (0..workers)
            .map(|i| {
                let (rx, results, handler, counters) =
                    (rx.clone(), results.clone(), handler.clone(), counters.clone());
                std::thread::Builder::new()
                    .name(format!("{name}{i}"))
                    .spawn(move || work(&rx, results, &*handler, &counters.workers[i]))
                    .expect("spawning a worker thread")
            })
            .collect();
        Self { jobs: Some(tx), workers, counters, name, _results: Default::default() }
    }

    fn queue(&self) -> &Sender<Msg<J>> {
        self.jobs.as_ref().expect("the queue is open until shutdown")
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: J) -> Result<(), Closed<J>> {
        self.counters.submitted.fetch_add(1, Relaxed);
        match self.queue().send(Msg::One(job)) {
            Ok(()) => Ok(()),
            Err(SendError(msg)) => {
                self.counters.submitted.fetch_sub(1, Relaxed);
                Err(Closed(one(msg)))
            }
        }
    }

    /// Queues `job` if there is room now; otherwise hands it back.
    pub fn try_submit(&self, job: J) -> Result<(), TrySubmitError<J>> {
        self.counters.submitted.fetch_add(1, Relaxed);
        match self.queue().try_send(Msg::One(job)) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.counters.submitted.fetch_sub(1, Relaxed);
                Err(match e {
                    TrySendError::Full(msg) => {
                        self.counters.rejected.fetch_add(1, Relaxed);
                        TrySubmitError::Full(one(msg))
                    }
                    TrySendError::Disconnected(msg) => TrySubmitError::Closed(one(msg)),
                })
            }
        }
    }

    /// Queues all of `jobs` as one message (one channel operation for the
    /// lot), waiting while the queue is full.
    pub fn submit_batch(&self, jobs: Vec<J>) -> Result<(), Closed<Vec<J>>> {
        let n = jobs.len() as u64;
        if n == 0 {
            return Ok(());
        }
        self.counters.submitted.fetch_add(n, Relaxed);
        match self.queue().send(Msg::Batch(jobs)) {
            Ok(()) => Ok(()),
            Err(SendError(msg)) => {
                self.counters.submitted.fetch_sub(n, Relaxed);
                Err(Closed(match msg {
                    Msg::Batch(v) => v,
                    Msg::One(j) => vec![j],
                }))
            }
        }
    }

    /// The counters now (see [`PoolStats`]).
    pub fn stats(&self) -> PoolStats {
        let c = &self.counters;
        let sum = |f: fn(&WorkerCounts) -> &AtomicU64| -> u64 {
            c.workers.iter().map(|w| f(w).load(Relaxed)).sum()
        };
        PoolStats {
            submitted: c.submitted.load(Relaxed),
            completed: sum(|w| &w.completed),
            rejected: c.rejected.load(Relaxed),
            panicked: sum(|w| &w.panicked),
            undelivered: sum(|w| &w.undelivered),
            queued: self.jobs.as_ref().map_or(0, Sender::len),
            workers_alive: self.workers.iter().filter(|h| !h.is_finished()).count(),
        }
    }

    /// The prefix of this pool's thread names (`wpool3-`), as
    /// `/proc/self/task/*/comm` shows them.
    pub fn thread_name_prefix(&self) -> &str {
        &self.name
    }

    /// Closes the queue, lets the workers run every job already in it, joins
    /// them, and returns the final counters.
    pub fn shutdown(mut self) -> PoolStats {
        self.close_and_join();
        self.stats()
    }

    fn close_and_join(&mut self) {
        drop(self.jobs.take()); // the workers' `recv` fails once the queue is empty
        for h in self.workers.drain(..) {
            // A worker never panics (jobs are caught); if one did, its
            // counters still say what it did.
            let _ = h.join();
        }
    }
}

impl<J: Send + 'static, R: Send + 'static> Drop for WorkerPool<J, R> {
    /// Same as [`WorkerPool::shutdown`]: every queued job still runs.
    fn drop(&mut self) {
        self.close_and_join();
    }
}

fn one<J>(msg: Msg<J>) -> J {
    match msg {
        Msg::One(j) => j,
        Msg::Batch(_) => unreachable!("submit and try_submit send single jobs"),
    }
}

/// A worker: runs jobs until the queue is closed *and* empty.
fn work<J, R>(
    jobs: &Receiver<Msg<J>>,
    results: Option<Sender<JobResult<R>>>,
    handler: &(impl Fn(J) -> R + ?Sized),
    counts: &WorkerCounts,
) {
    let mut done = 0u64;
    let mut run = |job: J| {
        let out = panic::catch_unwind(AssertUnwindSafe(|| handler(job)))
            .map_err(JobPanicked::from_payload);
        if out.is_err() {
            counts.panicked.fetch_add(1, Relaxed);
        }
        done += 1;
        counts.completed.store(done, Relaxed);
        if let Some(tx) = &results
            && tx.send(out).is_err()
        {
            counts.undelivered.fetch_add(1, Relaxed);
        }
    };
    // `iter` ends only when every sender is gone and the queue is empty.
    for msg in jobs.iter() {
        match msg {
            Msg::One(job) => run(job),
            Msg::Batch(batch) => batch.into_iter().for_each(&mut run),
        }
    }
}
// ANCHOR_END: pool
