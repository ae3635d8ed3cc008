//! Seed 000's `AsyncIOProcessor` and `BatchIOProcessor` run beside the
//! fixes: a [`WorkerPool`] whose results go to the caller, a [`Batcher`]
//! with a deadline, and an `enum` of task kinds. Each function returns
//! counts; the checks decide.

use super::batcher::{Batcher, ManualClock};
use super::file_io::scratch_dir;
use super::pool::{TrySubmitError, WorkerPool};
use super::seed_port::async_io::{
    self as seed, AsyncIoProcessor, BatchIoProcessor, IoTask, process_io_task,
};
use crate::measure::child::ChildOutcome;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

// ANCHOR: io_kind
/// The fix of D20's unknown type: the kinds are an `enum`, so a task of
/// another kind cannot be built, and text from outside is parsed, with an
/// error for anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    /// Read a file.
    Read,
    /// Write a file.
    Write,
    /// Copy a file.
    Copy,
}

impl std::str::FromStr for IoKind {
    type Err = io::Error;

    fn from_str(s: &str) -> io::Result<Self> {
        match s {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "copy" => Ok(Self::Copy),
            other => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unknown I/O task type {other:?}"),
            )),
        }
    }
}

/// The fix of D20's whole-file read and lost close error: stream through a
/// fixed buffer, and make the file durable, with the error returned.
pub fn copy_streaming(src: &Path, dst: &Path) -> io::Result<(u64, usize)> {
    let mut from = std::fs::File::open(src)?;
    let mut to = std::fs::File::create(dst)?;
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        to.write_all(&buf[..n])?;
        total += n as u64;
    }
    to.sync_all()?; // the write-back error comes back here, not lost at close
    Ok((total, buf.len()))
}
// ANCHOR_END: io_kind

/// What D20's port does with an unknown type and a large file, beside the fix.
#[derive(Clone, Debug)]
pub struct TaskHandling {
    /// The port's result for type "delete": no error.
    pub seed_unknown_ok: bool,
    /// The port's result for type "delete": bytes of data (none).
    pub seed_unknown_size: i64,
    /// The fix refuses "delete".
    pub fix_unknown_rejected: bool,
    /// Size of the file read.
    pub file_size: u64,
    /// Bytes the port's "read" holds at once: the whole file.
    pub seed_read_held: u64,
    /// Bytes the streaming copy holds at once.
    pub fix_held: u64,
    /// A `BufWriter` on `/dev/full` dropped without a flush: the error was seen.
    pub dropped_writer_error_seen: bool,
    /// The same, flushed first: the error was seen.
    pub flushed_writer_error_seen: bool,
}

/// D20: the unknown type, a `size` byte file read by the port and copied
/// by the fix, and the error a dropped writer loses.
pub fn task_handling(size: usize) -> io::Result<TaskHandling> {
    let dir = scratch_dir("tasks")?;
    let src = dir.join("large.bin");
    std::fs::write(&src, vec![7u8; size])?;
    let unknown = process_io_task(&IoTask {
        id: "t1".into(),
        kind: "delete".into(),
        source: src.clone(),
        ..IoTask::default()
    });
    let read = process_io_task(&IoTask {
        id: "t2".into(),
        kind: "read".into(),
        source: src.clone(),
        ..IoTask::default()
    });
    let (copied, held) = copy_streaming(&src, &dir.join("copy.bin"))?;
    let _ = std::fs::remove_dir_all(&dir);
    let full = Path::new("/dev/full");
    let dropped = std::fs::OpenOptions::new().write(true).open(full).map(|f| {
        let mut w = io::BufWriter::new(f);
        let ok = w.write_all(b"lost at close").is_ok();
        drop(w); // flushes, fails, and says nothing: like `defer dst.Close()`
        !ok
    });
    let flushed = std::fs::OpenOptions::new().write(true).open(full).map(|f| {
        let mut w = io::BufWriter::new(f);
        let _ = w.write_all(b"reported");
        w.flush().is_err()
    });
    Ok(TaskHandling {
        seed_unknown_ok: unknown.error.is_none(),
        seed_unknown_size: unknown.size,
        fix_unknown_rejected: "delete".parse::<IoKind>().is_err(),
        file_size: copied,
        seed_read_held: read.data.capacity() as u64,
        fix_held: held as u64,
        dropped_writer_error_seen: dropped.unwrap_or(false),
        flushed_writer_error_seen: flushed.unwrap_or(false),
    })
}

/// D19: callbacks that block, on the port's workers and on the caller's side.
#[derive(Clone, Copy, Debug)]
pub struct SlowCallbacks {
    /// Workers (4 in both).
    pub workers: usize,
    /// Plain tasks submitted after the blocking ones.
    pub plain: u64,
    /// Plain tasks the port finished while the callbacks blocked.
    pub seed_done: u64,
    /// Plain tasks our pool finished while the caller's callback blocked.
    pub ours_done: u64,
    /// All tasks the port finished once the callbacks were released.
    pub seed_done_after: u64,
}

/// D19: 4 tasks whose callback waits on a gate, then `plain` tasks, through
/// the port (callbacks on its 4 workers) and through our pool (results to the
/// caller, whose callback thread waits on the gate). Counts after `wait`.
pub fn slow_callbacks(plain: u64, wait: Duration) -> io::Result<SlowCallbacks> {
    let dir = scratch_dir("callbacks")?;
    let file = dir.join("small.txt");
    std::fs::write(&file, b"hello")?;
    let workers = 4;
    // The port.
    let (gate_tx, gate_rx) = crossbeam_channel::bounded::<()>(0);
    let done = Arc::new(AtomicU64::new(0));
    let aio = AsyncIoProcessor::new(workers);
    aio.start();
    for i in 0..workers {
        let gate = gate_rx.clone();
        let cb: seed::Callback = Arc::new(move |_| {
            let _ = gate.recv(); // a slow callback: waits until the gate closes
        });
        let _ = aio.task_queue().send(read_task(i as u64, &file, Some(cb)));
    }
    for i in 0..plain {
        let d = done.clone();
        let cb: seed::Callback = Arc::new(move |_| {
            d.fetch_add(1, Relaxed);
        });
        let _ = aio.task_queue().send(read_task(100 + i, &file, Some(cb)));
    }
    let drain = {
        let results = aio.results().clone();
        std::thread::spawn(move || results.iter().count())
    };
    std::thread::sleep(wait);
    let seed_done = done.load(Relaxed);
    drop(gate_tx); // release the callbacks
    let t = Instant::now();
    while done.load(Relaxed) < plain && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let seed_done_after = done.load(Relaxed);
    aio.cancel();
    aio.wait();
    drop(aio);
    drop(drain); // it ends when the results channel's last sender goes (never: leaked with the port's Arc)
    // Ours: the callback runs where the results are read.
    let (gate_tx, gate_rx) = crossbeam_channel::bounded::<()>(0);
    let (tx, rx) = crossbeam_channel::bounded(1024);
    let path = file.clone();
    let pool = WorkerPool::new(workers, 1024, tx, move |_i: u64| std::fs::read(&path));
    let caller = std::thread::spawn(move || {
        for (n, r) in rx.iter().enumerate() {
            if n < workers {
                let _ = gate_rx.recv(); // the same slow callbacks, on the caller's side
            }
            let _ = r;
        }
    });
    for i in 0..workers as u64 + plain {
        let _ = pool.submit(i);
    }
    std::thread::sleep(wait);
    let ours_done = pool.stats().completed.saturating_sub(workers as u64);
    drop(gate_tx);
    drop(pool);
    let _ = caller.join();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(SlowCallbacks { workers, plain, seed_done, ours_done, seed_done_after })
}

fn read_task(id: u64, path: &Path, callback: Option<seed::Callback>) -> IoTask {
    IoTask {
        id: id.to_string(),
        kind: "read".into(),
        source: path.to_path_buf(),
        callback,
        ..IoTask::default()
    }
}

/// C000-24, D22: more tasks than the queue holds.
#[derive(Clone, Copy, Debug)]
pub struct FullQueue {
    /// Tasks offered.
    pub offered: u64,
    /// The port: tasks sitting in its (never started) processor's queue.
    pub seed_queued: u64,
    /// The port: tasks still in its buffer.
    pub seed_buffered: u64,
    /// The port: tasks gone with no error, callback or count.
    pub seed_silent: u64,
    /// Ours: accepted by `try_submit`.
    pub ours_accepted: u64,
    /// Ours: handed back in `Err(Full(task))`.
    pub ours_returned: u64,
    /// Ours: accepted tasks that ran once the workers were free.
    pub ours_ran: u64,
}

/// [`seed::QUEUE`] + `extra` tasks into the port (batches of 10) and into our
/// pool (4 workers kept busy, queue [`seed::QUEUE`], `try_submit`).
pub fn full_queue(extra: u64) -> FullQueue {
    let offered = seed::QUEUE as u64 + extra;
    let bio = BatchIoProcessor::new(10, Duration::from_millis(100));
    for i in 0..offered {
        bio.add_task(IoTask {
            id: i.to_string(),
            kind: "read".into(),
            ..IoTask::default()
        });
    }
    let seed_queued = bio.processor().queued() as u64;
    let seed_buffered = bio.buffered() as u64;
    let seed_silent = offered - seed_queued - seed_buffered;
    // Ours: four workers held by a gate, so the queue fills.
    let (gate_tx, gate_rx) = crossbeam_channel::bounded::<()>(0);
    let started = Arc::new(AtomicU64::new(0));
    let s = started.clone();
    let pool = WorkerPool::without_results(4, seed::QUEUE, move |gate: bool| {
        if gate {
            s.fetch_add(1, Relaxed);
            let _ = gate_rx.recv();
        }
    });
    for _ in 0..4 {
        let _ = pool.submit(true);
    }
    let t = Instant::now();
    while started.load(Relaxed) < 4 && t.elapsed() < Duration::from_secs(10) {
        std::thread::yield_now();
    }
    let (mut accepted, mut returned) = (0, 0);
    for _ in 0..offered {
        match pool.try_submit(false) {
            Ok(()) => accepted += 1,
            Err(TrySubmitError::Full(_task)) => returned += 1, // the caller has it back
            Err(TrySubmitError::Closed(_)) => {}
        }
    }
    drop(gate_tx);
    let stats = pool.shutdown();
    FullQueue {
        offered,
        seed_queued,
        seed_buffered,
        seed_silent,
        ours_accepted: accepted,
        ours_returned: returned,
        ours_ran: stats.completed - 4,
    }
}

/// C000-23, D23: a batch that never fills.
#[derive(Clone, Copy, Debug)]
pub struct PartialBatch {
    /// The batch size (10) and the flush timeout of both.
    pub batch: usize,
    /// The flush timeout.
    pub timeout: Duration,
    /// The port: tasks still buffered after one task and 3 × the timeout.
    pub seed_buffered_after_wait: u64,
    /// The port: tasks processed after a full batch and 3 × the timeout.
    pub seed_processed_full_batch: u64,
    /// The fix: items flushed before the deadline.
    pub fix_flushed_before: u64,
    /// The fix: items flushed once the clock passed the deadline.
    pub fix_flushed_after: u64,
    /// The fix: of a full batch handed to our pool, tasks run.
    pub fix_processed_full_batch: u64,
}

/// One task, then a full batch, through the port (waiting for real: 3 × a
/// 20 ms timeout) and through [`Batcher`] with a [`ManualClock`] (no waiting).
pub fn partial_batch() -> PartialBatch {
    let (batch, timeout) = (10, Duration::from_millis(20));
    let processed = Arc::new(AtomicU64::new(0));
    let task = |i: u64| {
        let p = processed.clone();
        let cb: seed::Callback = Arc::new(move |_| {
            p.fetch_add(1, Relaxed);
        });
        IoTask { id: i.to_string(), callback: Some(cb), ..IoTask::default() }
    };
    let bio = BatchIoProcessor::new(batch, timeout);
    bio.add_task(task(0));
    std::thread::sleep(3 * timeout);
    let seed_buffered_after_wait = bio.buffered() as u64;
    for i in 1..batch as u64 {
        bio.add_task(task(i));
    }
    std::thread::sleep(3 * timeout);
    let seed_processed_full_batch = processed.load(Relaxed);
    // The fix: a batcher flushing into our pool.
    let clock = ManualClock::new();
    let pool = WorkerPool::without_results(4, 64, |_t: u64| ());
    let (fix_flushed_before, fix_flushed_after, fix_processed_full_batch);
    {
        let sink =
            |b: Vec<u64>| pool.submit_batch(b).map_err(|_| io::Error::other("closed"));
        let mut b = Batcher::new(sink, batch, timeout, clock.clone());
        let _ = b.push(0);
        let _ = b.poll();
        fix_flushed_before = b.flushed().1;
        clock.advance(timeout);
        let _ = b.poll();
        fix_flushed_after = b.flushed().1;
        for i in 1..=batch as u64 {
            let _ = b.push(i);
        }
        let _ = b.finish();
    }
    let stats = pool.shutdown();
    fix_processed_full_batch = stats.completed - fix_flushed_after;
    PartialBatch {
        batch,
        timeout,
        seed_buffered_after_wait,
        seed_processed_full_batch,
        fix_flushed_before,
        fix_flushed_after,
        fix_processed_full_batch,
    }
}

/// Child mode: the port's workers blocked in I/O, counted (C000-21).
pub const CHILD_BLOCKED_READS: &str = "worker_pools::seed_io_blocked_reads";

/// FIFOs the child reads, twice the port's 4 workers.
pub const FIFOS: usize = 8;

/// The child's body: the port (4 workers) gets [`FIFOS`] "read" tasks, each
/// of a FIFO nobody writes, so each read blocks its worker in `open`. Then
/// it counts, from the last FIFO to the first, those whose reader is
/// waiting (a non-blocking open for writing succeeds only then; the
/// writer's close gives that reader end of file), and prints `blocked N`.
/// The rest are released the same way.
pub fn child_blocked_reads() {
    let dir = scratch_dir("fifos").expect("a scratch directory");
    let fifos: Vec<PathBuf> = (0..FIFOS).map(|i| dir.join(format!("f{i}"))).collect();
    for f in &fifos {
        nix::unistd::mkfifo(f, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
    }
    let aio = AsyncIoProcessor::new(4);
    aio.start();
    for (i, f) in fifos.iter().enumerate() {
        let _ = aio.task_queue().send(read_task(i as u64, f, None));
    }
    std::thread::sleep(Duration::from_millis(200)); // every worker takes a task
    let release = |f: &Path| {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(f)
            .is_ok() // ENXIO: no reader waiting
    };
    let blocked = fifos.iter().rev().filter(|f| release(f)).count();
    println!("blocked {blocked}");
    let mut results = 0;
    let t = Instant::now();
    while results < FIFOS && t.elapsed() < Duration::from_secs(10) {
        for f in &fifos {
            release(f);
        }
        while aio.results().try_recv().is_ok() {
            results += 1;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    println!("results {results}");
    aio.cancel();
    aio.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads [`child_blocked_reads`]'s output: (reads blocked at once, results).
pub fn blocked_reads(o: &ChildOutcome) -> Result<(u64, u64), String> {
    let get = |key| super::lifecycle::last_value(o, key);
    match (get("blocked"), get("results")) {
        (Some(b), Some(r)) => Ok((b, r)),
        _ => Err(format!(
            "the FIFO child ended with {}: {}",
            o.describe(),
            o.stderr.trim()
        )),
    }
}
