//! Batched writes, counted: N records through a [`Batcher`] into a file,
//! with the `write` syscalls of the writing thread taken from
//! `/proc/thread-self/io` (`syscw`), and the time per record with and
//! without `sync_data` after each batch.

use super::batcher::{Batcher, SystemClock, WriteSink};
use super::file_io::{on_tmpfs, scratch_dir};
use crate::measure::os::ThreadCounters;
use std::io;
use std::time::{Duration, Instant};

/// The record size.
pub const RECORD: usize = 64;

/// One run of the batcher into a fresh file.
#[derive(Clone, Copy, Debug)]
pub struct WriteRun {
    /// Records written.
    pub records: u64,
    /// Records per batch.
    pub batch: usize,
    /// `sync_data` after each batch.
    pub sync: bool,
    /// `write` syscalls counted on this thread.
    pub syscw: u64,
    /// Batches the batcher flushed.
    pub flushes: u64,
    /// Bytes in the file afterwards.
    pub file_bytes: u64,
    /// Wall time for all the records.
    pub elapsed: Duration,
    /// The file is on tmpfs (where `sync_data` costs nothing).
    pub tmpfs: bool,
}

impl WriteRun {
    /// Nanoseconds per record.
    pub fn ns_per_record(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.records as f64
    }
}

// ANCHOR: batched_writes
/// Writes `records` records of [`RECORD`] bytes, `batch` per `write_all`.
pub fn batched_writes(records: u64, batch: usize, sync: bool) -> io::Result<WriteRun> {
    let dir = scratch_dir("writes")?;
    let path = dir.join("log.bin");
    let file = std::fs::File::create(&path)?;
    let tmpfs = on_tmpfs(&dir);
    let long = Duration::from_secs(3600); // only size flushes here
    let mut b = Batcher::new(WriteSink::new(file, sync), batch, long, SystemClock);
    let before = ThreadCounters::try_now()?;
    let t = Instant::now();
    for i in 0..records {
        b.push([(i % 251) as u8; RECORD])?;
    }
    let sink = b.finish()?; // the last, partial batch
    let elapsed = t.elapsed();
    let d = before.delta(&ThreadCounters::try_now()?);
    let flushes = sink.writes;
    drop(sink);
    let file_bytes = std::fs::metadata(&path)?.len();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(WriteRun {
        records,
        batch,
        sync,
        syscw: d.syscw,
        flushes,
        file_bytes,
        elapsed,
        tmpfs,
    })
}
// ANCHOR_END: batched_writes
