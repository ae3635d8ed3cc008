//! The fixes the ports are measured beside, where the chapter's subject
//! ([`crate::monitoring::registry`], [`crate::monitoring::sampler`],
//! [`crate::monitoring::tracking`]) does not already play that part.
//!
//! - [`ExportLoop`]: seed 000's export loop with a stop: started once (a
//!   second `start` does nothing), stopped any number of times, joined on
//!   `Drop`, exporting owned snapshots of a [`Registry`].
//! - [`ChannelMonitor`]: seed 001's `MemoryMonitor` if it must keep a
//!   channel: `stop` is idempotent and closes the channel, so a consumer's
//!   loop ends; samples come from `/proc` and `getrusage`, not `mallinfo2`.
//! - [`AllocationTable`]: seed 001's `LeakDetector` keyed by the
//!   allocation's own address, with frees removing their entry.

use crate::monitoring::registry::{Registry, Snapshot};
use crate::monitoring::sampler::{Reader, Sample};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The name of an [`ExportLoop`]'s thread.
pub const EXPORT_THREAD: &str = "export-loop";

struct Stop {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl Stop {
    fn new() -> Arc<Self> {
        Arc::new(Self { stopped: Mutex::new(false), wake: Condvar::new() })
    }

    /// Waits `d` or until stopped; true when stopped.
    fn wait(&self, d: Duration) -> bool {
        let g = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
        let (g, _) = self
            .wake
            .wait_timeout_while(g, d, |s| !*s)
            .unwrap_or_else(|p| p.into_inner());
        *g
    }

    fn signal(&self) {
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }
}

// ANCHOR: export_loop
/// Exports a registry's snapshot every `interval` until stopped.
pub struct ExportLoop {
    registry: Arc<Registry>,
    interval: Duration,
    export: Arc<dyn Fn(&Snapshot) + Send + Sync>,
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
    exports: Arc<AtomicU64>,
}

impl ExportLoop {
    /// A loop, not started, that hands each snapshot to `export`.
    pub fn new(
        registry: Arc<Registry>,
        interval: Duration,
        export: impl Fn(&Snapshot) + Send + Sync + 'static,
    ) -> Self {
        Self {
            registry,
            interval,
            export: Arc::new(export),
            stop: Stop::new(),
            thread: None,
            exports: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Starts the thread; does nothing if it runs already (or ran).
    pub fn start(&mut self) {
        if self.thread.is_some() {
            return;
        }
        let (registry, export, stop, exports, interval) = (
            self.registry.clone(),
            self.export.clone(),
            self.stop.clone(),
            self.exports.clone(),
            self.interval,
        );
        self.thread = std::thread::Builder::new()
            .name(EXPORT_THREAD.into())
            .spawn(move || {
                while !stop.wait(interval) {
                    export(&registry.snapshot());
                    exports.fetch_add(1, Ordering::Relaxed);
                }
            })
            .ok();
    }

    /// Stops and joins the thread; any number of calls.
    pub fn stop(&mut self) {
        self.stop.signal();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Snapshots exported so far.
    pub fn exports(&self) -> u64 {
        self.exports.load(Ordering::Relaxed)
    }
}

impl Drop for ExportLoop {
    fn drop(&mut self) {
        self.stop();
    }
}
// ANCHOR_END: export_loop

/// The name of a [`ChannelMonitor`]'s thread.
pub const CHANNEL_THREAD: &str = "chanmon-fix";

/// A sampling thread that sends into a bounded channel, and closes it when
/// stopped.
pub struct ChannelMonitor {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
    dropped: Arc<AtomicU64>,
}

impl ChannelMonitor {
    /// Starts sampling every `interval` into a channel of `cap` slots; the
    /// receiver is the consumer's. A full channel counts the sample as
    /// dropped.
    pub fn start(
        interval: Duration,
        cap: usize,
    ) -> std::io::Result<(Self, Receiver<Sample>)> {
        let (tx, rx): (SyncSender<Sample>, Receiver<Sample>) = sync_channel(cap);
        let mut reader = Reader::open(0)?;
        let stop = Stop::new();
        let dropped = Arc::new(AtomicU64::new(0));
        let (s, d) = (stop.clone(), dropped.clone());
        let thread =
            std::thread::Builder::new().name(CHANNEL_THREAD.into()).spawn(move || {
                // `tx` lives in this thread: when it returns, the channel closes.
                while !s.wait(interval) {
                    if let Ok(sample) = reader.sample()
                        && let Err(TrySendError::Full(_)) = tx.try_send(sample)
                    {
                        d.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })?;
        Ok((Self { stop, thread: Some(thread), dropped }, rx))
    }

    /// Stops and joins; any number of calls.
    pub fn stop(&mut self) {
        self.stop.signal();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Samples dropped because the channel was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for ChannelMonitor {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Live allocations keyed by their own address; a free removes its entry.
#[derive(Default)]
pub struct AllocationTable {
    live: Mutex<HashMap<usize, (usize, Instant)>>,
}

impl AllocationTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the allocation at `addr`.
    pub fn track(&self, addr: usize, size: usize) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(addr, (size, Instant::now()));
    }

    /// Removes the allocation at `addr`; false when it was not live.
    pub fn free(&self, addr: usize) -> bool {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&addr).is_some()
    }

    /// Entries (live allocations).
    pub fn len(&self) -> usize {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when nothing is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
