//! Seed 001 §6.1.1.7-§6.1.1.10 (L546-768, L880-917): `LeakDetector`,
//! `MemoryProfiler` and `MemoryMonitor`, ported.
//!
//! - `LeakDetector` (L546-615): the "allocation ID" is the address of the
//!   call-stack buffer `TrackAllocation` fills (L569-575), not of anything
//!   the caller allocated, so the caller must carry it to `TrackFree`; a
//!   free only marks the entry (L591-600), nothing removes it, so the map
//!   grows with every allocation ever tracked (D41); and it sees only what
//!   it is told about, never memory that stays reachable by mistake (an
//!   `Rc` cycle whose owner "freed" it).
//! - `MemoryProfiler` (L621-684): per-name counters under one mutex;
//!   `GetStats` copies every entry (C001-31).
//! - `MemoryMonitor` (L690-768): a ticker calls `runtime.ReadMemStats`
//!   (here its analogue, glibc's `mallinfo2`, which walks every arena under
//!   its lock); each sample goes into a 100-slot channel with
//!   `select … default`, so once full the *newest* is dropped (C001-32,
//!   D78); nothing reads the channel in the seed (its only reader,
//!   `Shutdown` at L909-917, calls a `GetStats` that does not exist: D48);
//!   `Stop` closes `stop`, and a second `Stop` panics; the metrics channel
//!   is never closed, so a `range` over it never ends (D42).
//!
//! Instrumentation not in the seed: `MemoryMonitor::collected` records when
//! each sample was taken, so a reader can tell which one it got.

use super::gochan::GoChan;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// `Allocation` (L556-562).
#[derive(Clone, Debug)]
pub struct Allocation {
    /// `ID`: the address of the call-stack buffer.
    pub id: usize,
    /// `Size`.
    pub size: usize,
    /// `Stack`: the buffer (`runtime.Callers` fills it; here, the return
    /// addresses are stand-ins: the function's own address).
    pub stack: Arc<[usize; 32]>,
    /// `Time`.
    pub time: Instant,
    /// `Freed`.
    pub freed: bool,
}

/// `LeakDetector` (L549-554).
pub struct LeakDetector {
    allocations: RwLock<HashMap<usize, Allocation>>,
    enabled: bool,
}

impl Default for LeakDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl LeakDetector {
    /// `NewLeakDetector()` (L564-569).
    pub fn new() -> Self {
        Self { allocations: RwLock::new(HashMap::new()), enabled: true }
    }

    // ANCHOR: track_allocation
    /// `TrackAllocation(size)` (L571-589): the ID is the address of the
    /// stack buffer, which escapes into the map (as in Go, where storing
    /// `stack[:n]` moves the array to the heap).
    pub fn track_allocation(&self, size: usize) -> usize {
        if !self.enabled {
            return 0;
        }
        let mut stack = [0usize; 32];
        stack[0] = Self::track_allocation as fn(&Self, usize) -> usize as usize;
        let stack = Arc::new(stack);
        let id = stack.as_ptr() as usize;
        let a = Allocation { id, size, stack, time: Instant::now(), freed: false };
        self.allocations.write().unwrap_or_else(|p| p.into_inner()).insert(id, a);
        id
    }

    /// `TrackFree(ptr)` (L591-600): marks the entry; removes nothing.
    pub fn track_free(&self, id: usize) {
        if !self.enabled {
            return;
        }
        let mut map = self.allocations.write().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = map.get_mut(&id) {
            a.freed = true;
        }
    }
    // ANCHOR_END: track_allocation

    /// `ReportLeaks()` (L602-614): entries not marked freed.
    pub fn report_leaks(&self) -> Vec<Allocation> {
        let map = self.allocations.read().unwrap_or_else(|p| p.into_inner());
        map.values().filter(|a| !a.freed).cloned().collect()
    }

    /// Entries in the map (instrumentation).
    pub fn len(&self) -> usize {
        self.allocations.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when nothing was ever tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `MemoryStats` (L627-632).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryStats {
    /// `Allocations`.
    pub allocations: u64,
    /// `Bytes`.
    pub bytes: u64,
    /// `Frees`.
    pub frees: u64,
    /// `FreedBytes`.
    pub freed_bytes: u64,
}

/// `MemoryProfiler` (L623-626).
#[derive(Default)]
pub struct MemoryProfiler {
    stats: RwLock<HashMap<String, MemoryStats>>,
}

impl MemoryProfiler {
    /// `NewMemoryProfiler()`.
    pub fn new() -> Self {
        Self::default()
    }

    /// `TrackAllocation(name, size)` (L640-650).
    pub fn track_allocation(&self, name: &str, size: usize) {
        let mut m = self.stats.write().unwrap_or_else(|p| p.into_inner());
        let s = m.entry(name.to_string()).or_default();
        s.allocations += 1;
        s.bytes += size as u64;
    }

    /// `TrackFree(name, size)` (L652-662).
    pub fn track_free(&self, name: &str, size: usize) {
        let mut m = self.stats.write().unwrap_or_else(|p| p.into_inner());
        let s = m.entry(name.to_string()).or_default();
        s.frees += 1;
        s.freed_bytes += size as u64;
    }

    /// `GetStats()` (L664-682): a copy of every entry.
    pub fn get_stats(&self) -> HashMap<String, MemoryStats> {
        self.stats.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// `MemoryMetrics` (L697-707): glibc's figures where Go's have one.
#[derive(Clone, Copy, Debug)]
pub struct MemoryMetrics {
    /// `Timestamp`.
    pub timestamp: Instant,
    /// `HeapAlloc` ≈ `mallinfo2().uordblks` (bytes in use).
    pub heap_alloc: u64,
    /// `HeapSys` ≈ `arena + hblkhd` (bytes from the system).
    pub heap_sys: u64,
    /// `HeapIdle` ≈ `fordblks` (free bytes in the heap).
    pub heap_idle: u64,
    /// `HeapInuse` ≈ `uordblks`.
    pub heap_inuse: u64,
    /// `HeapReleased`: no glibc counterpart (0).
    pub heap_released: u64,
    /// `HeapObjects`: no glibc counterpart (0).
    pub heap_objects: u64,
    /// `NumGC`: no collector (0).
    pub num_gc: u32,
    /// `PauseTotalNs`: no collector (0).
    pub pause_total_ns: u64,
}

/// The analogue of `runtime.ReadMemStats` (which stops the world): glibc's
/// `mallinfo2`, which locks and walks each arena's free lists in turn.
pub fn read_mem_stats() -> MemoryMetrics {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallinfo2 takes no arguments and returns a plain struct.
    let m = unsafe { libc::mallinfo2() };
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    let (alloc, sys, idle) =
        (m.uordblks as u64, (m.arena + m.hblkhd) as u64, m.fordblks as u64);
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let (alloc, sys, idle) = (0, 0, 0);
    MemoryMetrics {
        timestamp: Instant::now(),
        heap_alloc: alloc,
        heap_sys: sys,
        heap_idle: idle,
        heap_inuse: alloc,
        heap_released: 0,
        heap_objects: 0,
        num_gc: 0,
        pause_total_ns: 0,
    }
}

/// The name of the port's monitor thread.
pub const MONITOR_THREAD: &str = "memmon-port";

/// `MemoryMonitor` (L692-696).
#[derive(Clone)]
pub struct MemoryMonitor {
    interval: Duration,
    metrics: Arc<GoChan<MemoryMetrics>>,
    stop: Arc<GoChan<()>>,
    /// Instrumentation: when each sample was collected.
    pub collected: Arc<Mutex<Vec<Instant>>>,
}

impl MemoryMonitor {
    /// `NewMemoryMonitor(interval)` (L709-715): a 100-slot channel.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            metrics: Arc::new(GoChan::new(100)),
            stop: Arc::new(GoChan::new(0)),
            collected: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// `Start()` (L717-719).
    pub fn start(&self) {
        let mm = self.clone();
        let _ = std::thread::Builder::new()
            .name(MONITOR_THREAD.into())
            .spawn(move || mm.monitor());
    }

    // ANCHOR: stop
    /// `Stop()` (L721-723): `close(mm.stop)`; a second call panics.
    pub fn stop(&self) {
        self.stop.close();
    }
    // ANCHOR_END: stop

    /// `monitor()` (L725-737).
    fn monitor(&self) {
        let mut next = Instant::now() + self.interval;
        loop {
            let wait = next.saturating_duration_since(Instant::now());
            match self.stop.recv_timeout(wait) {
                Ok(_) => return, // closed
                Err(super::gochan::TimedOut) => {
                    self.collect_metrics();
                    next += self.interval;
                }
            }
        }
    }

    // ANCHOR: collect
    /// `collectMetrics()` (L739-762): `ReadMemStats`, then a send that drops
    /// the sample when the channel is full.
    fn collect_metrics(&self) {
        let m = read_mem_stats();
        self.collected.lock().unwrap_or_else(|p| p.into_inner()).push(m.timestamp);
        let _dropped = !self.metrics.try_send(m);
    }
    // ANCHOR_END: collect

    /// `GetMetrics()` (L764-766): the channel, never closed.
    pub fn get_metrics(&self) -> Arc<GoChan<MemoryMetrics>> {
        self.metrics.clone()
    }

    /// Samples collected so far (instrumentation).
    pub fn collected(&self) -> usize {
        self.collected.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
