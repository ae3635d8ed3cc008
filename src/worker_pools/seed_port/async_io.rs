//! Seed 000 §1.4 (L447-610), `AsyncIOProcessor` and `BatchIOProcessor`,
//! ported.
//!
//! `AsyncIOProcessor` is a worker pool whose workers make blocking file
//! calls (`os.ReadFile`, `os.WriteFile`, `io.Copy`): "async" only in that the
//! caller does not wait (C000-21). Each worker runs the task's callback
//! itself, then blocks sending the result on a 1,000-slot channel only the
//! caller drains (D19). An unknown task type gives an empty result and no
//! error; `ReadFile` reads the whole file; `dst.Close()`'s error is dropped
//! (D20). There is no `Stop` (D21).
//!
//! `BatchIOProcessor` buffers tasks and forwards them one by one when
//! `batchSize` are buffered, dropping any the queue cannot take at once
//! (D22); `flushTimeout` is never read and its processor never started
//! (D23).

use super::go::Context;
use crossbeam_channel::{Receiver, Sender, select};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// `IOTask.Callback`.
pub type Callback = Arc<dyn Fn(&IoResult) + Send + Sync>;

/// `IOTask` (L461-468).
#[derive(Clone, Default)]
pub struct IoTask {
    /// `ID`.
    pub id: String,
    /// `Type`: "read", "write" or "copy".
    pub kind: String,
    /// `Source`.
    pub source: PathBuf,
    /// `Target`.
    pub target: PathBuf,
    /// `Data`.
    pub data: Vec<u8>,
    /// `Callback`, run by the worker.
    pub callback: Option<Callback>,
}

/// `IOResult` (L470-475).
#[derive(Debug, Default)]
pub struct IoResult {
    /// `TaskID`.
    pub task_id: String,
    /// `Data`.
    pub data: Vec<u8>,
    /// `Error` (nil = `None`).
    pub error: Option<io::Error>,
    /// `Size`.
    pub size: i64,
}

/// The queues' capacity (L483-484).
pub const QUEUE: usize = 1000;

struct Inner {
    workers: usize,
    task_tx: Sender<IoTask>,
    task_rx: Receiver<IoTask>,
    result_tx: Sender<IoResult>,
    result_rx: Receiver<IoResult>,
    wg: Mutex<Vec<JoinHandle<()>>>,
    ctx: Context,
}

// ANCHOR: async_io
/// `AsyncIOProcessor`.
pub struct AsyncIoProcessor {
    inner: Arc<Inner>,
}

impl AsyncIoProcessor {
    /// `NewAsyncIOProcessor(workers)`.
    pub fn new(workers: usize) -> Self {
        let (task_tx, task_rx) = crossbeam_channel::bounded(QUEUE);
        let (result_tx, result_rx) = crossbeam_channel::bounded(QUEUE);
        Self {
            inner: Arc::new(Inner {
                workers,
                task_tx,
                task_rx,
                result_tx,
                result_rx,
                wg: Mutex::new(Vec::new()),
                ctx: Context::with_cancel(),
            }),
        }
    }

    /// `Start()`. Each worker holds the processor, as each goroutine holds
    /// `aio`: dropping the caller's handle stops nothing.
    pub fn start(&self) {
        let mut wg = self.inner.wg.lock().unwrap_or_else(|p| p.into_inner());
        for id in 0..self.inner.workers {
            let inner = self.inner.clone();
            let h = std::thread::Builder::new()
                .name(format!("seedio-{id}"))
                .spawn(move || inner.io_worker())
                .expect("spawning an I/O worker");
            wg.push(h);
        }
    }
}

impl Inner {
    /// `ioWorker` (L496-520).
    fn io_worker(&self) {
        loop {
            select! {
                recv(self.task_rx) -> task => {
                    let task = task.unwrap_or_default();
                    let result = process_io_task(&task);
                    if let Some(cb) = &task.callback {
                        cb(&result); // on this worker: a slow callback holds it
                    }
                    select! {
                        send(self.result_tx, result) -> _ => {}
                        recv(self.ctx.done()) -> _ => return,
                    }
                }
                recv(self.ctx.done()) -> _ => return,
            }
        }
    }
}

/// `processIOTask` (L523-560).
pub fn process_io_task(task: &IoTask) -> IoResult {
    let mut result = IoResult { task_id: task.id.clone(), ..IoResult::default() };
    match task.kind.as_str() {
        "read" => match fs::read(&task.source) {
            // the whole file, however large
            Ok(data) => {
                result.size = data.len() as i64;
                result.data = data;
            }
            Err(e) => result.error = Some(e),
        },
        "write" => {
            let written = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o644)
                .open(&task.target)
                .and_then(|mut f| io::Write::write_all(&mut f, &task.data));
            result.error = written.err();
            result.size = task.data.len() as i64;
        }
        "copy" => {
            let mut src = match File::open(&task.source) {
                Ok(f) => f,
                Err(e) => {
                    result.error = Some(e);
                    return result;
                }
            };
            let mut dst = match File::create(&task.target) {
                Ok(f) => f,
                Err(e) => {
                    result.error = Some(e);
                    return result;
                }
            };
            match io::copy(&mut src, &mut dst) {
                Ok(n) => result.size = n as i64,
                Err(e) => result.error = Some(e),
            }
            // `defer dst.Close()`: its error goes nowhere (so does Drop's).
        }
        _ => {} // an unknown Type: empty result, nil error
    }
    result
}
// ANCHOR_END: async_io

impl AsyncIoProcessor {
    /// `aio.taskQueue`, the caller's way in.
    pub fn task_queue(&self) -> &Sender<IoTask> {
        &self.inner.task_tx
    }

    /// `aio.resultChan`.
    pub fn results(&self) -> &Receiver<IoResult> {
        &self.inner.result_rx
    }

    /// `aio.cancel()`, which the seed never exposes: only tests and the
    /// checks call it, to end their ports.
    pub fn cancel(&self) {
        self.inner.ctx.cancel();
    }

    /// `aio.wg.Wait()`.
    pub fn wait(&self) {
        let handles: Vec<_> =
            self.inner.wg.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
        for h in handles {
            let _ = h.join();
        }
    }

    /// Tasks waiting in the queue (an observation; the seed has no accessor).
    pub fn queued(&self) -> usize {
        self.inner.task_rx.len()
    }
}

// ANCHOR: batch_io
/// `BatchIOProcessor` (L565-610).
pub struct BatchIoProcessor {
    batch_size: usize,
    #[allow(dead_code)] // stored, never read: no timer flush (D23)
    flush_timeout: Duration,
    buffer: Mutex<Vec<IoTask>>,
    processor: AsyncIoProcessor, // never started (D23)
}

impl BatchIoProcessor {
    /// `NewBatchIOProcessor(batchSize, flushTimeout)`.
    pub fn new(batch_size: usize, flush_timeout: Duration) -> Self {
        Self {
            batch_size,
            flush_timeout,
            buffer: Mutex::new(Vec::with_capacity(batch_size)),
            processor: AsyncIoProcessor::new(4),
        }
    }

    /// `AddTask`: buffers; flushes, under the lock, at `batchSize`.
    pub fn add_task(&self, task: IoTask) {
        let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
        buffer.push(task);
        if buffer.len() >= self.batch_size {
            self.flush(&mut buffer);
        }
    }

    /// `flush`: one send per task; a full queue drops the task ("队列满时丢弃
    /// 任务或等待": drop, or wait; the code only drops).
    fn flush(&self, buffer: &mut Vec<IoTask>) {
        for task in buffer.drain(..) {
            select! {
                send(self.processor.task_queue(), task) -> _ => {}
                default => {}
            }
        }
    }
}
// ANCHOR_END: batch_io

impl BatchIoProcessor {
    /// Tasks buffered, not yet flushed (an observation).
    pub fn buffered(&self) -> usize {
        self.buffer.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// The inner processor (never started), for observation.
    pub fn processor(&self) -> &AsyncIoProcessor {
        &self.processor
    }
}
