//! [`Batcher`]: collect items and hand them on together, when the batch is
//! full or when its oldest item has waited `max_delay`, whichever comes
//! first. The fixed cost a batch shares is the sink's: one `write_all` (and
//! one `sync_data`, if asked) per batch for [`WriteSink`], one channel
//! operation per batch for a [`WorkerPool`](super::pool::WorkerPool).
//!
//! Time comes from a [`Clock`], so tests drive the deadline with a
//! [`ManualClock`] instead of sleeping; [`run`] wakes on a tick channel
//! (`crossbeam_channel::tick` in production, a channel the test feeds in
//! tests).
//!
//! Not for: ordering across batchers, or retrying a failed flush (the error
//! goes to the caller, with the batch still held).

use crossbeam_channel::{Receiver, select};
use std::fs::File;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the time comes from.
pub trait Clock {
    /// Now.
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to: for tests.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<Instant>>);

impl ManualClock {
    /// A clock standing at the real now.
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(Instant::now())))
    }

    /// Moves every copy of this clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += d;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What a batch is handed to.
pub trait Flush<T> {
    /// Takes a whole batch (never empty). On error the batcher keeps
    /// nothing: the error says what was lost.
    fn flush(&mut self, batch: Vec<T>) -> io::Result<()>;
}

// ANCHOR: write_sink
/// Writes each batch with one `write_all` of all its items' bytes, then
/// `sync_data` if `sync` is set (a `Vec<u8>` or a socket has nothing to sync).
pub struct WriteSink<W: Write> {
    out: W,
    buf: Vec<u8>,
    sync: bool,
    /// Batches written.
    pub writes: u64,
}

impl<W: Write + Durable> WriteSink<W> {
    /// A sink writing to `out`, with `sync_data` after each batch if `sync`.
    pub fn new(out: W, sync: bool) -> Self {
        Self { out, buf: Vec::new(), sync, writes: 0 }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<T: AsRef<[u8]>, W: Write + Durable> Flush<T> for WriteSink<W> {
    fn flush(&mut self, batch: Vec<T>) -> io::Result<()> {
        self.buf.clear();
        for item in &batch {
            self.buf.extend_from_slice(item.as_ref());
        }
        self.out.write_all(&self.buf)?; // one write(2) for a file, whatever the batch size
        if self.sync {
            self.out.sync()?;
        }
        self.writes += 1;
        Ok(())
    }
}
// ANCHOR_END: write_sink

/// A writer that can push its data to stable storage.
pub trait Durable {
    /// `sync_data` for a file; nothing for memory.
    fn sync(&mut self) -> io::Result<()>;
}

impl Durable for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

impl Durable for Vec<u8> {
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<T, F: FnMut(Vec<T>) -> io::Result<()>> Flush<T> for F {
    fn flush(&mut self, batch: Vec<T>) -> io::Result<()> {
        self(batch)
    }
}

// ANCHOR: batcher
/// Holds up to `max_items` items, for at most `max_delay` after the first.
pub struct Batcher<T, S: Flush<T>, C: Clock = SystemClock> {
    /// `None` only after [`Batcher::finish`] took it.
    sink: Option<S>,
    clock: C,
    batch: Vec<T>,
    max_items: usize,
    max_delay: Duration,
    /// When the oldest item of the batch arrived.
    oldest: Option<Instant>,
    flushes: u64,
    flushed_items: u64,
}

impl<T, S: Flush<T>, C: Clock> Batcher<T, S, C> {
    /// A batcher flushing into `sink` at `max_items` items or `max_delay`
    /// after the first item, by `clock`.
    ///
    /// # Panics
    /// If `max_items` is 0.
    pub fn new(sink: S, max_items: usize, max_delay: Duration, clock: C) -> Self {
        assert!(max_items > 0, "a batch holds at least one item");
        Self {
            sink: Some(sink),
            clock,
            batch: Vec::with_capacity(max_items),
            max_items,
            max_delay,
            oldest: None,
            flushes: 0,
            flushed_items: 0,
        }
    }

    /// Adds `item`; flushes if the batch is now full. True if it flushed.
    pub fn push(&mut self, item: T) -> io::Result<bool> {
        self.oldest.get_or_insert_with(|| self.clock.now());
        self.batch.push(item);
        if self.batch.len() >= self.max_items {
            self.flush()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Flushes if the oldest item has waited `max_delay`. True if it flushed.
    pub fn poll(&mut self) -> io::Result<bool> {
        match self.deadline() {
            Some(d) if self.clock.now() >= d => self.flush().map(|()| true),
            _ => Ok(false),
        }
    }

    /// When the current batch is due, if it holds anything.
    pub fn deadline(&self) -> Option<Instant> {
        self.oldest.map(|t| t + self.max_delay)
    }

    /// Hands the batch to the sink now (nothing happens when it is empty).
    pub fn flush(&mut self) -> io::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch =
            std::mem::replace(&mut self.batch, Vec::with_capacity(self.max_items));
        let n = batch.len() as u64;
        self.oldest = None;
        let sink = self.sink.as_mut().expect("the sink is here until finish");
        sink.flush(batch)?;
        self.flushes += 1;
        self.flushed_items += n;
        Ok(())
    }

    /// Items waiting.
    pub fn pending(&self) -> usize {
        self.batch.len()
    }

    /// Batches flushed and the items they held.
    pub fn flushed(&self) -> (u64, u64) {
        (self.flushes, self.flushed_items)
    }

    /// Flushes what is left and returns the sink: the way to end a batcher
    /// and see the last flush's error (dropping one cannot report it).
    pub fn finish(mut self) -> io::Result<S> {
        self.flush()?;
        Ok(self.sink.take().expect("the sink is here until finish"))
    }
}

impl<T, S: Flush<T>, C: Clock> Drop for Batcher<T, S, C> {
    /// Flushes what is left. An error here has no caller to go to, so it
    /// is printed, never swallowed; call [`Batcher::finish`] to get it.
    fn drop(&mut self) {
        if self.sink.is_none() || self.batch.is_empty() {
            return;
        }
        let n = self.batch.len();
        if let Err(e) = self.flush() {
            eprintln!("batcher: the last {n} items were lost: {e}");
        }
    }
}
// ANCHOR_END: batcher

// ANCHOR: run
/// Feeds `items` into `batcher` until the channel closes, checking the
/// deadline at every tick; then flushes what is left. Returns the batcher's
/// sink and its (batches, items) flushed.
pub fn run<T, S: Flush<T>, C: Clock>(
    mut batcher: Batcher<T, S, C>,
    items: &Receiver<T>,
    ticks: &Receiver<Instant>,
) -> io::Result<(S, (u64, u64))> {
    loop {
        select! {
            recv(items) -> item => match item {
                Ok(item) => { batcher.push(item)?; }
                Err(_) => break, // every sender is gone
            },
            recv(ticks) -> _ => { batcher.poll()?; }
        }
    }
    batcher.flush()?;
    let flushed = batcher.flushed();
    Ok((batcher.finish()?, flushed))
}
// ANCHOR_END: run
