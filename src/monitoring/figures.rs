//! Every measurement of the chapter, taken once per run (full or `--quick`
//! sizes, from [`Ctx`]) and kept for the rest of the process, so the
//! example's tables and the claim checks read the same numbers.
//!
//! Not for: deciding anything (see `checks/`) or laying out tables (see
//! [`super::tables`]).

use super::leaks::{self, Detection};
use super::load::{self, Trace};
use super::peers::{self, CounterRun};
use super::registry::{Counter, Registry};
use super::sampler::{self, Reader, Sampler};
use super::seed_port::fixes::{
    AllocationTable, ChannelMonitor, EXPORT_THREAD, ExportLoop,
};
use super::seed_port::seed_000::{
    CountingExporter, LOOP_THREAD, PerformanceMonitor, go_labels, read_fields,
};
use super::seed_port::seed_001::{LeakDetector, MemoryMonitor, MemoryProfiler};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc::AllocScope;
use crate::measure::child::{self, ChildOutcome};
use crate::measure::stats;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Cell<T> = PerRun<Result<T, CheckError>>;

fn once<T>(
    cell: &'static Cell<T>,
    ctx: &Ctx,
    f: impl FnOnce() -> Result<T, CheckError>,
) -> Result<&'static T, CheckError> {
    cell.get(ctx, f).as_ref().map_err(Clone::clone)
}

fn reg(e: super::registry::RegistryError) -> CheckError {
    CheckError(e.to_string())
}

fn threads(name: &str) -> Result<usize, CheckError> {
    sampler::threads_named(name).map_err(|e| CheckError(format!("/proc/self/task: {e}")))
}

// ------------------------------------------------------------ counters

/// Counter increments from two threads: ours, the peers, and the designs
/// the research timed. Rounds of 50 ms (20 ms under `--quick`), five
/// interleaved rounds (three).
pub fn counters(ctx: &Ctx) -> Result<&'static [CounterRun], CheckError> {
    static CELL: Cell<Vec<CounterRun>> = PerRun::new();
    let (ms, rounds) = (ctx.pick(50, 20), ctx.pick(5, 3));
    once(&CELL, ctx, || Ok(peers::counters(Duration::from_millis(ms), rounds)))
        .map(Vec::as_slice)
}

// ------------------------------------------------------------ torn reads

/// Reads of a metric while another thread writes it.
#[derive(Clone, Debug)]
pub struct Torn {
    /// Reads of the side that read least.
    pub reads: u64,
    /// Reads of the port.
    pub port_reads: u64,
    /// Reads of the fix.
    pub fix_reads: u64,
    /// Port: reads whose Count and Value came from different writes.
    pub port_torn: u64,
    /// Port: writes made while it was read.
    pub port_writes: u64,
    /// Fix: gauge reads whose value, update count and time disagree.
    pub fix_torn: u64,
    /// Fix: writes made while it was read.
    pub fix_writes: u64,
    /// Registry snapshots taken during the fix's run, and the torn ones.
    pub snapshots: u64,
    /// Snapshots whose gauge disagreed with itself.
    pub snapshot_torn: u64,
}

/// Runs `read` while another thread calls `write(1)`, `write(2)` … The
/// reads start after the first write and `read` is handed the count of
/// writes so far, so it can keep reading until the writer made progress
/// (on one CPU the two only alternate).
fn writer_while<R>(
    write: impl Fn(u64) + Sync,
    read: impl FnOnce(&AtomicU64) -> R,
) -> (R, u64) {
    let stop = AtomicBool::new(false);
    let written = AtomicU64::new(0);
    std::thread::scope(|s| {
        let w = s.spawn(|| {
            let mut i = 1;
            while !stop.load(Ordering::Relaxed) {
                write(i);
                written.store(i, Ordering::Relaxed);
                i += 1;
            }
        });
        while written.load(Ordering::Relaxed) == 0 {
            std::thread::yield_now();
        }
        let r = read(&written);
        stop.store(true, Ordering::Relaxed);
        let _ = w.join();
        (r, written.load(Ordering::Relaxed))
    })
}

/// Calls `torn` `reads` times, then on until `written` reached
/// `min_writes` (or 2 s passed); returns (reads, torn ones).
fn read_torn(
    reads: u64,
    min_writes: u64,
    written: &AtomicU64,
    mut torn: impl FnMut() -> bool,
) -> (u64, u64) {
    let t = Instant::now();
    let (mut n, mut bad) = (0, 0);
    while n < reads
        || (written.load(Ordering::Relaxed) < min_writes
            && t.elapsed() < Duration::from_secs(2))
    {
        bad += u64::from(torn());
        n += 1;
    }
    (n, bad)
}

/// D24 and C000-25: the port's exporter reads Value and Count one after
/// another while `AddMetric` writes them; the fix's gauge is read whole.
/// 2 M reads per side (200 k under `--quick`).
pub fn torn(ctx: &Ctx) -> Result<&'static Torn, CheckError> {
    static CELL: Cell<Torn> = PerRun::new();
    let reads = ctx.pick(2_000_000u64, 200_000);
    let min_writes = ctx.pick(100_000, 10_000);
    once(&CELL, ctx, || {
        let pm = PerformanceMonitor::new(Duration::from_secs(3600));
        let labels = go_labels(&[("route", "/")]);
        pm.add_metric("latency", 0.0, &labels);
        let metric = pm.get("latency", &labels).ok_or("the port lost its metric")?;
        // The i-th write stores Value = i and makes Count = i + 1.
        let ((port_reads, port_torn), port_writes) = writer_while(
            |i| pm.add_metric("latency", i as f64, &labels),
            |written| {
                read_torn(reads, min_writes, written, || {
                    let (v, c, _) = read_fields(black_box(&metric));
                    c != v as i64 + 1
                })
            },
        );
        let registry = Registry::new(16);
        let gauge = registry.gauge("latency", &[("route", "/")]).map_err(reg)?;
        let snapshots = (reads / 1000).max(10);
        let (((fix_reads, fix_torn), (snapshots, snapshot_torn)), fix_writes) =
            writer_while(
                |i| gauge.set_at(i as f64, i),
                |written| {
                    let torn = read_torn(reads, min_writes, written, || {
                        let g = black_box(&gauge).get();
                        g.value as u64 != g.at_ns || g.updates != g.at_ns
                    });
                    let snap = read_torn(snapshots, 0, written, || {
                        match registry.snapshot().series.first().map(|s| &s.value) {
                            Some(super::registry::Value::Gauge(g)) => {
                                g.value as u64 != g.at_ns || g.updates != g.at_ns
                            }
                            _ => true,
                        }
                    });
                    (torn, snap)
                },
            );
        Ok(Torn {
            reads: port_reads.min(fix_reads),
            port_reads,
            fix_reads,
            port_torn,
            port_writes,
            fix_torn,
            fix_writes,
            snapshots,
            snapshot_torn,
        })
    })
}

// ------------------------------------------------------------ sampler costs

/// What a sample costs, against the `ReadMemStats` analogue.
#[derive(Clone, Debug)]
pub struct SampleCosts {
    /// ns per sample, with `smaps_rollup` every time.
    pub with_rollup_ns: Vec<f64>,
    /// ns per sample, without it.
    pub without_rollup_ns: Vec<f64>,
    /// ns per sample as the sampler takes them (`smaps_rollup` on every
    /// [`sampler::ROLLUP_EVERY`]-th).
    pub sampler_ns: Vec<f64>,
    /// Blocks left on the fragmented heap while `mallinfo2` ran.
    pub heap_blocks: usize,
    /// ns per `mallinfo2` call on that heap.
    pub mallinfo2_ns: Vec<f64>,
    /// Bytes allocated by a workload, and the live bytes after it freed
    /// them (the counting allocator's `HeapAlloc`).
    pub workload_bytes: u64,
    /// Live bytes after the workload (0 when it freed everything).
    pub live_after: i64,
}

/// The sampler's cost per sample (200 samples each way; 50 under
/// `--quick`), and `mallinfo2` on a heap fragmented by 200 k small blocks
/// with every other one freed (50 k).
pub fn sample_costs(ctx: &Ctx) -> Result<&'static SampleCosts, CheckError> {
    static CELL: Cell<SampleCosts> = PerRun::new();
    let (n, blocks) = (ctx.pick(200, 50), ctx.pick(200_000, 50_000));
    once(&CELL, ctx, || {
        let time = |r: &mut Reader| -> Result<Vec<f64>, CheckError> {
            let _ = r.sample()?; // warm
            (0..n)
                .map(|_| {
                    let t = Instant::now();
                    black_box(r.sample()?);
                    Ok(t.elapsed().as_nanos() as f64)
                })
                .collect()
        };
        let with_rollup_ns = time(&mut Reader::open(1)?)?;
        let without_rollup_ns = time(&mut Reader::open(0)?)?;
        let sampler_ns = time(&mut Reader::open(sampler::ROLLUP_EVERY)?)?;
        // A fragmented heap: small blocks of mixed sizes, every other freed.
        let mut kept: Vec<Option<Box<[u8]>>> = (0..blocks)
            .map(|i| Some(vec![1u8; 32 + (i * 37) % 480].into_boxed_slice()))
            .collect();
        for b in kept.iter_mut().step_by(2) {
            *b = None;
        }
        let mallinfo2_ns: Vec<f64> = (0..ctx.pick(20, 5))
            .map(|_| {
                let t = Instant::now();
                black_box(super::seed_port::seed_001::read_mem_stats());
                t.elapsed().as_nanos() as f64
            })
            .collect();
        let heap_blocks = kept.iter().filter(|b| b.is_some()).count();
        drop(kept);
        let scope = AllocScope::start();
        let work: Vec<Vec<u8>> =
            (0..100).map(|i| black_box(vec![i as u8; 4096])).collect();
        let workload_bytes = scope.counts().bytes_requested;
        drop(work);
        let live_after = scope.counts().live_bytes();
        Ok(SampleCosts {
            with_rollup_ns,
            without_rollup_ns,
            sampler_ns,
            heap_blocks,
            mallinfo2_ns,
            workload_bytes,
            live_after,
        })
    })
}

// ------------------------------------------------------------ the sampler's life

/// A sampler started, left unread, read, stopped twice, and dropped.
#[derive(Clone, Debug)]
pub struct SamplerLife {
    /// Interval.
    pub interval: Duration,
    /// How long it ran unread.
    pub ran: Duration,
    /// Samples taken.
    pub taken: u64,
    /// Samples dropped unread (all but the newest).
    pub dropped: u64,
    /// The sequence number of the sample read at the end.
    pub read_seq: u64,
    /// How old it was when read.
    pub read_age: Duration,
    /// Threads named `mon-sampler` while it ran, and after `stop`.
    pub threads_running: usize,
    /// After stop.
    pub threads_after_stop: usize,
    /// A second `stop` panicked.
    pub second_stop_panicked: bool,
    /// How long `stop` took (wake, join).
    pub stop_took: Duration,
    /// Threads left after another sampler was dropped without `stop`.
    pub threads_after_drop: usize,
}

pub use sampler::SAMPLER_THREAD;

/// The sampler at a 1 ms interval, unread for 300 ms (150 ms under
/// `--quick`), as the seed's memory monitor is in C001-32.
pub fn sampler_life(ctx: &Ctx) -> Result<&'static SamplerLife, CheckError> {
    static CELL: Cell<SamplerLife> = PerRun::new();
    let ran = Duration::from_millis(ctx.pick(300, 150));
    once(&CELL, ctx, || {
        let interval = Duration::from_millis(1);
        let mut s = Sampler::start(interval)?;
        std::thread::sleep(ran);
        let threads_running = threads(SAMPLER_THREAD)?;
        let (latest, taken) = s.latest_with_taken().ok_or("the sampler has no sample")?;
        let read_age = s.age(&latest);
        let dropped = s.dropped();
        let t = Instant::now();
        s.stop();
        let stop_took = t.elapsed();
        let second_stop_panicked =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                s.stop();
            }))
            .is_err();
        let threads_after_stop = threads(SAMPLER_THREAD)?;
        drop(Sampler::start(interval)?);
        let threads_after_drop = threads(SAMPLER_THREAD)?;
        Ok(SamplerLife {
            interval,
            ran,
            taken,
            dropped,
            read_seq: latest.seq,
            read_age,
            threads_running,
            threads_after_stop,
            second_stop_panicked,
            stop_took,
            threads_after_drop,
        })
    })
}

// ------------------------------------------------------------ the scripted load

/// The scripted load (C002-14, the plot).
pub fn trace(ctx: &Ctx) -> Result<&'static Trace, CheckError> {
    static CELL: Cell<Trace> = PerRun::new();
    let script = load::Script::sized(ctx.quick);
    once(&CELL, ctx, || Ok(load::run(script)?))
}

// ------------------------------------------------------------ leaks

/// The detector on every scenario: 16 rounds each (8 under `--quick`).
pub fn detections(ctx: &Ctx) -> Result<&'static [Detection], CheckError> {
    static CELL: Cell<Vec<Detection>> = PerRun::new();
    let rounds = ctx.pick(16, 8);
    once(&CELL, ctx, || {
        if !crate::measure::alloc::is_installed() {
            return Err("the leak detector needs the counting allocator \
                        (perf_workbook::count_allocations!) in this binary"
                .into());
        }
        Ok(leaks::detect_all(rounds))
    })
    .map(Vec::as_slice)
}

/// Seed 001's `LeakDetector` beside the fix, on N tracked allocations and
/// an `Rc` cycle.
#[derive(Clone, Debug)]
pub struct DetectorPort {
    /// Allocations tracked and freed.
    pub n: usize,
    /// Entries left in the port's map after N frees.
    pub port_entries: usize,
    /// IDs equal to the address of the allocation they stand for.
    pub ids_matching_addresses: usize,
    /// Entries left in the fix's table.
    pub fix_entries: usize,
    /// Leaks the port reports for the Rc cycle whose owner called TrackFree.
    pub port_cycle_leaks: usize,
    /// Bytes our detector finds retained by the same cycle.
    pub detector_cycle_bytes: i64,
}

/// 10 000 tracked allocations (1 000 under `--quick`).
pub fn detector_port(ctx: &Ctx) -> Result<&'static DetectorPort, CheckError> {
    static CELL: Cell<DetectorPort> = PerRun::new();
    let n = ctx.pick(10_000, 1_000);
    once(&CELL, ctx, || {
        let port = LeakDetector::new();
        let fix = AllocationTable::new();
        let mut matching = 0;
        for i in 0..n {
            let buf = black_box(vec![i as u8; 64]);
            let id = port.track_allocation(buf.len());
            fix.track(buf.as_ptr() as usize, buf.len());
            matching += usize::from(id == buf.as_ptr() as usize);
            fix.free(buf.as_ptr() as usize);
            drop(buf);
            port.track_free(id);
        }
        // An Rc cycle whose owner believes it freed it.
        let cycle_port = LeakDetector::new();
        let id = cycle_port.track_allocation(2 * leaks::ROUND_BYTES);
        let cycle = leaks::SCENARIOS
            .iter()
            .find(|s| s.name == "Rc cycle")
            .ok_or("no Rc cycle scenario")?;
        let found = leaks::detect(cycle, leaks::MIN_ROUNDS);
        cycle_port.track_free(id);
        Ok(DetectorPort {
            n,
            port_entries: port.len(),
            ids_matching_addresses: matching,
            fix_entries: fix.len(),
            port_cycle_leaks: cycle_port.report_leaks().len(),
            detector_cycle_bytes: found.retained_bytes,
        })
    })
}

// ------------------------------------------------------------ PerformanceMonitor

/// Seed 000's monitor: last write wins, unbounded series, label aliasing.
#[derive(Clone, Debug)]
pub struct MonitorValues {
    /// Increments per thread (two threads).
    pub per_thread: u64,
    /// The port's `Value` after every thread added 1.0 each time.
    pub port_value: f64,
    /// The port's `Count`.
    pub port_count: i64,
    /// Our counter's total.
    pub fix_total: u64,
    /// Distinct label values written.
    pub distinct: usize,
    /// Series in the port's map.
    pub port_series: usize,
    /// Our registry's cap.
    pub cap: usize,
    /// Series in our registry.
    pub fix_series: usize,
    /// Registrations our registry refused.
    pub fix_refused: u64,
    /// The port's stored labels changed when the caller changed its map.
    pub port_labels_changed: bool,
    /// Ours changed.
    pub fix_labels_changed: bool,
}

/// 100 k increments per thread (10 k under `--quick`); 10 000 distinct
/// user ids against a cap of 1 000.
pub fn monitor_values(ctx: &Ctx) -> Result<&'static MonitorValues, CheckError> {
    static CELL: Cell<MonitorValues> = PerRun::new();
    let per_thread = ctx.pick(100_000, 10_000);
    once(&CELL, ctx, || {
        let pm = PerformanceMonitor::new(Duration::from_secs(3600));
        let counter = Counter::new();
        let empty = go_labels(&[]);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    let local = counter.local();
                    for _ in 0..per_thread {
                        pm.add_metric("requests", 1.0, &empty);
                        local.inc();
                    }
                });
            }
        });
        let m = pm.get("requests", &empty).ok_or("the port lost its metric")?;
        let (port_value, port_count, _) = read_fields(&m);
        let (distinct, cap) = (10_000, 1_000);
        let series_port = PerformanceMonitor::new(Duration::from_secs(3600));
        let registry = Registry::new(cap);
        for user in 0..distinct {
            let id = user.to_string();
            series_port.add_metric("logins", 1.0, &go_labels(&[("user", &id)]));
            if let Ok(c) = registry.counter("logins", &[("user", &id)]) {
                c.inc();
            }
        }
        // Label aliasing: the caller changes its map after the call.
        let labels = go_labels(&[("route", "/a")]);
        let alias_port = PerformanceMonitor::new(Duration::from_secs(3600));
        alias_port.add_metric("hits", 1.0, &labels);
        let stored = alias_port.get("hits", &labels).ok_or("the port lost its metric")?;
        labels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert("route".into(), "/b".into());
        let port_labels_changed = stored
            .labels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get("route")
            .is_some_and(|v| v == "/b");
        let alias_fix = Registry::new(8);
        let mut mine = [("route".to_string(), "/a".to_string())];
        {
            let pairs: Vec<(&str, &str)> =
                mine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            alias_fix.counter("hits", &pairs).map_err(reg)?.inc();
        }
        mine[0].1 = "/b".into();
        let fix_labels_changed = alias_fix
            .snapshot()
            .series
            .iter()
            .any(|s| s.labels.get("route") == Some(mine[0].1.as_str()));
        Ok(MonitorValues {
            per_thread,
            port_value,
            port_count,
            fix_total: counter.value(),
            distinct,
            port_series: series_port.len(),
            cap,
            fix_series: registry.len(),
            fix_refused: registry.snapshot().refused,
            port_labels_changed,
            fix_labels_changed,
        })
    })
}

/// Seed 000's export loop, and ours, over the same time.
#[derive(Clone, Debug)]
pub struct ExportRuns {
    /// The interval.
    pub interval: Duration,
    /// How long each ran.
    pub ran: Duration,
    /// Port started once: exports.
    pub port_once_exports: u64,
    /// Port: how long its loop took to end after `stopChan` was closed.
    pub port_stop_took: Duration,
    /// Port loop threads left after that.
    pub port_threads_after_close: usize,
    /// Port started twice: exports over the same time.
    pub port_twice_exports: u64,
    /// Port started twice: its loop threads after every handle was dropped.
    pub port_threads_after_drop: usize,
    /// Fix started twice: exports.
    pub fix_exports: u64,
    /// Fix: threads while running.
    pub fix_threads_running: usize,
    /// Fix: threads after it was dropped.
    pub fix_threads_after_drop: usize,
    /// Fix: how long `Drop` took (stop and join).
    pub fix_drop_took: Duration,
}

/// 10 ms interval, 300 ms each (150 ms under `--quick`).
pub fn export_runs(ctx: &Ctx) -> Result<&'static ExportRuns, CheckError> {
    static CELL: Cell<ExportRuns> = PerRun::new();
    let ran = Duration::from_millis(ctx.pick(300, 150));
    once(&CELL, ctx, || {
        let interval = Duration::from_millis(10);
        let counted = |n: &Arc<AtomicU64>| {
            PerformanceMonitor::with_exporter(
                interval,
                Box::new(CountingExporter(n.clone())),
            )
        };
        // Started once, then its stop channel closed (C000-26).
        let once_n = Arc::new(AtomicU64::new(0));
        let pm = counted(&once_n);
        pm.start();
        std::thread::sleep(ran);
        let port_once_exports = once_n.load(Ordering::Relaxed);
        let t = Instant::now();
        pm.close_stop_chan();
        while threads(LOOP_THREAD)? > 0 && t.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let port_stop_took = t.elapsed();
        let port_threads_after_close = threads(LOOP_THREAD)?;
        // Started twice, every handle dropped (D25). `cleanup` is ours: it
        // ends the leaked loops after they were counted.
        let twice_n = Arc::new(AtomicU64::new(0));
        let pm = counted(&twice_n);
        let cleanup = pm.clone();
        pm.start();
        pm.start();
        std::thread::sleep(ran);
        let port_twice_exports = twice_n.load(Ordering::Relaxed);
        drop(pm);
        std::thread::sleep(3 * interval);
        let port_threads_after_drop = threads(LOOP_THREAD)?;
        cleanup.close_stop_chan();
        drop(cleanup);
        // The fix, started twice.
        let exported = Arc::new(AtomicU64::new(0));
        let e = exported.clone();
        let mut fix = ExportLoop::new(Arc::new(Registry::new(16)), interval, move |_| {
            e.fetch_add(1, Ordering::Relaxed);
        });
        fix.start();
        fix.start();
        std::thread::sleep(ran);
        let fix_threads_running = threads(EXPORT_THREAD)?;
        let fix_exports = exported.load(Ordering::Relaxed);
        let t = Instant::now();
        drop(fix);
        let fix_drop_took = t.elapsed();
        let fix_threads_after_drop = threads(EXPORT_THREAD)?;
        Ok(ExportRuns {
            interval,
            ran,
            port_once_exports,
            port_stop_took,
            port_threads_after_close,
            port_twice_exports,
            port_threads_after_drop,
            fix_exports,
            fix_threads_running,
            fix_threads_after_drop,
            fix_drop_took,
        })
    })
}

// ------------------------------------------------------------ MemoryProfiler

/// Seed 001's profiler from two threads.
#[derive(Clone, Debug)]
pub struct ProfilerRun {
    /// Calls per thread.
    pub per_thread: u64,
    /// Allocations counted.
    pub allocations: u64,
    /// Bytes counted.
    pub bytes: u64,
    /// Size per call.
    pub size: u64,
    /// Changing the map GetStats returned changed the profiler.
    pub copy_aliases: bool,
    /// ns per TrackAllocation (wall time over both threads' calls).
    pub ns_per_call: f64,
}

/// 100 k calls per thread (10 k under `--quick`).
pub fn profiler(ctx: &Ctx) -> Result<&'static ProfilerRun, CheckError> {
    static CELL: Cell<ProfilerRun> = PerRun::new();
    let per_thread = ctx.pick(100_000u64, 10_000);
    once(&CELL, ctx, || {
        let p = MemoryProfiler::new();
        let size = 64u64;
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..per_thread {
                        p.track_allocation("buffer", size as usize);
                    }
                });
            }
        });
        let ns_per_call = t.elapsed().as_nanos() as f64 / (2 * per_thread) as f64;
        let stats = p.get_stats();
        let s = stats.get("buffer").copied().unwrap_or_default();
        let mut copy = p.get_stats();
        if let Some(c) = copy.get_mut("buffer") {
            c.allocations = 0;
        }
        let copy_aliases = p.get_stats().get("buffer").map(|x| x.allocations) == Some(0);
        Ok(ProfilerRun {
            per_thread,
            allocations: s.allocations,
            bytes: s.bytes,
            size,
            copy_aliases,
            ns_per_call,
        })
    })
}

// ------------------------------------------------------------ MemoryMonitor

/// Seed 001's memory monitor left unread, beside the sampler.
#[derive(Clone, Debug)]
pub struct MonitorFill {
    /// Interval.
    pub interval: Duration,
    /// How long both ran unread.
    pub ran: Duration,
    /// Port: samples collected.
    pub collected: usize,
    /// Port: samples in the channel (its capacity is 100).
    pub buffered: usize,
    /// Port: the position (1 = oldest) of the sample a reader then gets.
    pub read_position: usize,
    /// Port: how old that sample was when read.
    pub read_age: Duration,
    /// The sampler's figures over the same time.
    pub sampler: SamplerLife,
}

/// 1 ms interval, 300 ms unread (150 ms under `--quick`).
pub fn monitor_fill(ctx: &Ctx) -> Result<&'static MonitorFill, CheckError> {
    static CELL: Cell<MonitorFill> = PerRun::new();
    let ran = Duration::from_millis(ctx.pick(300, 150));
    once(&CELL, ctx, || {
        let interval = Duration::from_millis(1);
        let mm = MemoryMonitor::new(interval);
        mm.start();
        std::thread::sleep(ran);
        let ch = mm.get_metrics();
        let buffered = ch.len();
        let first = ch
            .recv_timeout(Duration::from_secs(1))
            .ok()
            .flatten()
            .ok_or("the port's channel is empty")?;
        let read_age = first.timestamp.elapsed();
        mm.stop();
        std::thread::sleep(5 * interval);
        let times = mm.collected.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let read_position =
            times.iter().position(|t| *t == first.timestamp).map_or(0, |i| i + 1);
        Ok(MonitorFill {
            interval,
            ran,
            collected: times.len(),
            buffered,
            read_position,
            read_age,
            sampler: sampler_life(ctx)?.clone(),
        })
    })
}

/// How a `Shutdown` child ended: the second `Stop`, and the `range`.
#[derive(Clone, Debug)]
pub struct Shutdown {
    /// How the child ended.
    pub outcome: ChildOutcome,
    /// Its second `Stop` panicked.
    pub second_stop_panicked: bool,
    /// Its consumer's loop over the channel ended.
    pub range_ended: bool,
}

/// How long a `Shutdown` child may run before it counts as hung.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(3);

/// D42: the port's and the fix's shutdown, each in a child process.
pub fn shutdowns(ctx: &Ctx) -> Result<&'static (Shutdown, Shutdown), CheckError> {
    static CELL: Cell<(Shutdown, Shutdown)> = PerRun::new();
    once(&CELL, ctx, || {
        let run = |mode: &str| -> Result<Shutdown, CheckError> {
            let outcome = child::run_mode(mode, SHUTDOWN_TIMEOUT)?;
            Ok(Shutdown {
                second_stop_panicked: outcome
                    .stdout
                    .contains("second stop panicked: true"),
                range_ended: outcome.stdout.contains("range ended"),
                outcome,
            })
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| run("monitoring::memmon_port_shutdown"));
            let b = s.spawn(|| run("monitoring::chanmon_fix_shutdown"));
            (a.join(), b.join())
        });
        let a =
            a.map_err(|_| CheckError("the port's child runner panicked".into()))??;
        let b = b.map_err(|_| CheckError("the fix's child runner panicked".into()))??;
        Ok((a, b))
    })
}

fn quiet_catch(f: impl FnOnce()) -> bool {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    std::panic::set_hook(hook);
    panicked
}

/// Child mode: the port's `Shutdown`: start, stop, stop again, then range
/// over `GetMetrics()` (the channel nobody closes: this never returns).
pub fn child_port_shutdown() {
    let mm = MemoryMonitor::new(Duration::from_millis(2));
    mm.start();
    std::thread::sleep(Duration::from_millis(20));
    mm.stop();
    println!("second stop panicked: {}", quiet_catch(|| mm.stop()));
    let mut n = 0;
    mm.get_metrics().range(|_| n += 1);
    println!("range ended after {n} samples");
}

/// Child mode: the fix's shutdown: the same steps; the channel closes when
/// the thread ends.
pub fn child_fix_shutdown() {
    let Ok((mut mon, rx)) = ChannelMonitor::start(Duration::from_millis(2), 100) else {
        println!("could not start");
        return;
    };
    std::thread::sleep(Duration::from_millis(20));
    mon.stop();
    println!("second stop panicked: {}", quiet_catch(|| mon.stop()));
    let n = rx.iter().count();
    println!("range ended after {n} samples");
}

/// Child mode: an `Rc` cycle of 1 MiB, then exit (for valgrind).
pub fn child_rc_cycle() {
    let cycle = leaks::SCENARIOS.iter().find(|s| s.name == "Rc cycle");
    if let Some(c) = cycle {
        let mut w = (c.make)();
        for _ in 0..32 {
            w.round();
        }
    }
}

// ------------------------------------------------------------ valgrind

/// Valgrind's leak check of the `Rc` cycle child, when installed.
#[derive(Clone, Debug)]
pub struct Valgrind {
    /// `valgrind --version`, or `None` when not installed.
    pub version: Option<String>,
    /// Bytes "definitely lost" (the cycle's `Rc` boxes).
    pub definitely_lost: Option<u64>,
    /// Bytes "indirectly lost" (what they own).
    pub indirectly_lost: Option<u64>,
    /// Bytes the child leaked (32 rounds of two 16 KiB buffers).
    pub leaked: u64,
}

/// Runs the `Rc` cycle child under `valgrind --leak-check=full`.
pub fn valgrind(ctx: &Ctx) -> Result<&'static Valgrind, CheckError> {
    static CELL: Cell<Valgrind> = PerRun::new();
    once(&CELL, ctx, || {
        let leaked = 32 * 2 * leaks::ROUND_BYTES as u64;
        let version = std::process::Command::new("valgrind")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        if version.is_none() {
            return Ok(Valgrind {
                version,
                definitely_lost: None,
                indirectly_lost: None,
                leaked,
            });
        }
        let exe = std::env::current_exe()?;
        let out = std::process::Command::new("timeout")
            .args(["120", "valgrind", "--leak-check=full", "--show-leak-kinds=definite"])
            .arg(exe)
            .env(child::CHILD_ENV, "monitoring::rc_cycle_leak")
            .output()?;
        let text = String::from_utf8_lossy(&out.stderr);
        let lost = |what: &str| {
            text.lines().find_map(|l| {
                let rest = l.split(what).nth(1)?;
                rest.split_whitespace().next()?.replace(',', "").parse().ok()
            })
        };
        Ok(Valgrind {
            version,
            definitely_lost: lost("definitely lost:"),
            indirectly_lost: lost("indirectly lost:"),
            leaked,
        })
    })
}

/// Median of `v` (NaN when empty).
pub fn median(v: &[f64]) -> f64 {
    stats::median(v).unwrap_or(f64::NAN)
}

/// A small registry for the example's first table: one counter, one gauge,
/// one histogram.
pub fn example_registry() -> Result<Registry, CheckError> {
    let r = Registry::new(64);
    r.counter("requests_total", &[("route", "/a")]).map_err(reg)?.add(3);
    r.gauge("queue_depth", &[]).map_err(reg)?.set(7.0);
    let h = r.histogram("latency_ns", &[]).map_err(reg)?;
    for v in [120, 130, 800, 9_000] {
        h.record(v);
    }
    Ok(r)
}
