//! The seeds' claims about monitoring: what `ReadMemStats` reports
//! (C000-14), whether seed 000's monitor is thread-safe (C000-25) and
//! exports until stopped (C000-26), whether seed 001's leak detector works
//! (C001-30), its profiler counts (C001-31) and its memory monitor drops
//! when full (C001-32), whether speed, memory and CPU can be watched
//! (C002-14), and seed 003's causes of leaks (C003-39).

use super::flag;
use crate::claims::Outcome::{Confirmed, Refuted, Unverifiable};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::machine::build_profile;
use crate::measure::stats;
use crate::monitoring::{figures, snippets};
use crate::table::{format_bytes, format_nanos, format_value};

// ------------------------------------------------------------ C000-14

/// C000-14: `runtime.ReadMemStats` reports NumGC, PauseTotalNs, HeapAlloc.
pub fn c000_14_read_mem_stats() -> Verdict {
    Verdict::not_applicable(
        "runtime.ReadMemStats is Go's runtime API: NumGC and PauseTotalNs count the \
         collector's cycles and pauses, which Rust does not have, and the call stops the \
         world to read them (the Go side measures that)",
        "HeapAlloc's counterpart is the counting allocator's live bytes; the nearest call to \
         ReadMemStats is glibc's mallinfo2, which locks and walks every arena, so the \
         chapter's sampler reads /proc and getrusage instead",
    )
}

/// C000-14's analogue: live bytes back to zero after a workload, and what
/// mallinfo2 costs beside a sample.
pub fn c000_14_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::sample_costs(ctx)?;
    let mut ev = Evidence::new(format!(
        "a workload of 100 × 4 KiB, then freed; mallinfo2 on a heap of {} small blocks; \
         {}",
        c.heap_blocks,
        build_profile()
    ));
    ev.add("bytes the workload allocated", c.workload_bytes as f64, Unit::Bytes);
    ev.add("live bytes after it freed them", c.live_after as f64, Unit::Bytes);
    let mi = ev.add(
        "mallinfo2 per call, fragmented heap (median)",
        figures::median(&c.mallinfo2_ns),
        Unit::Nanos,
    );
    let sa = ev.add(
        "sampler: ns per sample (mean)",
        stats::mean(&c.sampler_ns).unwrap_or(f64::NAN),
        Unit::Nanos,
    );
    Ok(Measured::new(
        ev,
        format!(
            "live bytes return to {} after the workload; mallinfo2 takes {} on a \
             fragmented heap, a /proc sample {}",
            c.live_after,
            format_nanos(mi),
            format_nanos(sa)
        ),
    ))
}

// ------------------------------------------------------------ C000-25

const SNAP_COMPILES: &str = "literal port of exportMetrics compiles";
const PORT_TORN: &str = "port analogue: torn reads (Value and Count from two writes)";
const PORT_READS: &str = "port analogue: reads";

/// C000-25: the seed's monitor as a thread-safe, real-time collector.
pub fn c000_25_thread_safe(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = figures::torn(ctx)?;
    let d = snippets::diagnostics("metric_snapshot").map_err(CheckError)?;
    let runs = figures::counters(ctx)?;
    let mut ev = Evidence::new(format!(
        "rustc on snippets/metric_snapshot.rs; fields written one after another (atomics, \
         the safe analogue of the Go struct) while an exporter reads them; two threads \
         incrementing, each thread's CPU time; {}",
        build_profile()
    ));
    ev.add(SNAP_COMPILES, flag(d.compiled), Unit::Bool);
    ev.add(PORT_READS, t.port_reads as f64, Unit::Count);
    ev.add(PORT_TORN, t.port_torn as f64, Unit::Count);
    for r in runs {
        ev.add(format!("CPU ns per increment, {}", r.label), r.ns_per_inc, Unit::Nanos);
    }
    let seed = runs.last().map_or(f64::NAN, |r| r.ns_per_inc);
    Ok(Measured::new(
        ev,
        format!(
            "the literal exporter does not compile ({}); its field-by-field analogue saw {} \
             torn reads in {}; an update costs {} (a per-thread counter: {})",
            d.describe(),
            t.port_torn,
            t.port_reads,
            format_nanos(seed),
            format_nanos(runs.first().map_or(f64::NAN, |r| r.ns_per_inc))
        ),
    ))
}

/// C000-25: refuted when the literal port's exporter cannot be compiled
/// (the borrow checker rejects reading shared metrics after the lock is
/// released: the race) or its analogue is seen torn.
pub const C000_25: Rule = Rule {
    says: "refuted when the literal port of exportMetrics does not compile (Rust rejects \
           its race) or its field-by-field analogue reads a torn metric; confirmed when it \
           compiles and no read is torn",
    inputs: &[SNAP_COMPILES, PORT_TORN],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(SNAP_COMPILES) == 1.0 && f.get(PORT_TORN) == 0.0),
    examples: &[
        example(&[(SNAP_COMPILES, 0.0), (PORT_TORN, 0.0)], Refuted),
        example(&[(SNAP_COMPILES, 1.0), (PORT_TORN, 3.0)], Refuted),
        example(&[(SNAP_COMPILES, 1.0), (PORT_TORN, 0.0)], Confirmed),
    ],
};

// ------------------------------------------------------------ C000-26

const EXPORTS: &str = "port: exports in the run (started once)";
const EXPECTED: &str = "ticks in the run (run ÷ interval)";
const STOP_TOOK: &str = "port: loop ended after stopChan was closed";

/// C000-26: the export loop ticks until its stop channel is closed.
pub fn c000_26_ticker_export(ctx: &Ctx) -> Result<Measured, CheckError> {
    let e = figures::export_runs(ctx)?;
    let mut ev = Evidence::new(format!(
        "the port with a counting exporter, {} interval, {} run; then close(stopChan), \
         which the seed never does (D25)",
        format_nanos(e.interval.as_nanos() as f64),
        format_nanos(e.ran.as_nanos() as f64)
    ));
    ev.add(EXPORTS, e.port_once_exports as f64, Unit::Count);
    ev.add(EXPECTED, e.ran.as_secs_f64() / e.interval.as_secs_f64(), Unit::Count);
    ev.add(STOP_TOOK, e.port_stop_took.as_nanos() as f64, Unit::Nanos);
    ev.add(
        "port: loop threads after that",
        e.port_threads_after_close as f64,
        Unit::Count,
    );
    Ok(Measured::new(
        ev,
        format!(
            "{} exports in {} at {}; the loop ended {} after its channel was closed",
            e.port_once_exports,
            format_nanos(e.ran.as_nanos() as f64),
            format_nanos(e.interval.as_nanos() as f64),
            format_nanos(e.port_stop_took.as_nanos() as f64)
        ),
    ))
}

/// C000-26: confirmed when the exports follow the ticker and the loop ends
/// promptly once stopped.
pub const C000_26: Rule = Rule {
    says: "confirmed when the exports are between min_share and max_share of the ticks \
           and the loop ends within max_stop of its stop channel closing",
    inputs: &[EXPORTS, EXPECTED, STOP_TOOK],
    thresholds: &[
        Threshold {
            name: "min_share",
            value: 0.5,
            unit: Unit::Ratio,
            source: "convention: a ticker on a busy machine may skip ticks, not most of them",
        },
        Threshold {
            name: "max_share",
            value: 1.5,
            unit: Unit::Ratio,
            source: "convention: one loop exports once per tick, never twice",
        },
        Threshold {
            name: "max_stop",
            value: 1e9,
            unit: Unit::Nanos,
            source: "the research's check: joined within 1 s",
        },
    ],
    decide: |f| {
        let share = f.get(EXPORTS) / f.get(EXPECTED);
        f.confirmed_if(
            share >= f.limit("min_share")
                && share <= f.limit("max_share")
                && f.get(STOP_TOOK) <= f.limit("max_stop"),
        )
    },
    examples: &[
        example(&[(EXPORTS, 29.0), (EXPECTED, 30.0), (STOP_TOOK, 2e6)], Confirmed),
        example(&[(EXPORTS, 2.0), (EXPECTED, 30.0), (STOP_TOOK, 2e6)], Refuted),
        example(&[(EXPORTS, 60.0), (EXPECTED, 30.0), (STOP_TOOK, 2e6)], Refuted),
        example(&[(EXPORTS, 30.0), (EXPECTED, 30.0), (STOP_TOOK, 5e9)], Refuted),
    ],
};

// ------------------------------------------------------------ C001-30

const N: &str = "allocations tracked, then freed";
const PORT_ENTRIES: &str = "port: entries left after every free";
const PORT_CYCLE: &str = "port: leaks reported for an Rc cycle its owner marked freed";
const DETECTOR_CYCLE: &str = "our detector: bytes that cycle retains";

/// C001-30: seed 001's `LeakDetector` against N allocations and a cycle.
pub fn c001_30_leak_detector(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::detector_port(ctx)?;
    let mut ev = Evidence::new(
        "the port: TrackAllocation/TrackFree around each 64-byte Vec; an Rc cycle whose \
         owner calls TrackFree when it drops its handles; our detector on the same cycle",
    );
    ev.add(N, d.n as f64, Unit::Count);
    ev.add(PORT_ENTRIES, d.port_entries as f64, Unit::Count);
    ev.add(PORT_CYCLE, d.port_cycle_leaks as f64, Unit::Count);
    ev.add(DETECTOR_CYCLE, d.detector_cycle_bytes as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "after {} frees the port still holds {} entries; it reports {} leaks for a cycle \
             that retains {}",
            d.n,
            d.port_entries,
            d.port_cycle_leaks,
            format_bytes(d.detector_cycle_bytes as f64)
        ),
    ))
}

/// C001-30: refuted when the detector itself keeps an entry per freed
/// allocation, or misses a leak our detector finds.
pub const C001_30: Rule = Rule {
    says: "refuted when the port keeps an entry for every freed allocation or reports no \
           leak for a cycle that retains memory; confirmed when it empties and reports it",
    inputs: &[N, PORT_ENTRIES, PORT_CYCLE, DETECTOR_CYCLE],
    thresholds: &[],
    decide: |f| {
        let leaks_itself = f.get(PORT_ENTRIES) >= f.get(N);
        let misses = f.get(DETECTOR_CYCLE) > 0.0 && f.get(PORT_CYCLE) == 0.0;
        f.confirmed_if(!leaks_itself && !misses)
    },
    examples: &[
        example(
            &[
                (N, 1000.0),
                (PORT_ENTRIES, 1000.0),
                (PORT_CYCLE, 0.0),
                (DETECTOR_CYCLE, 9e5),
            ],
            Refuted,
        ),
        example(
            &[(N, 1000.0), (PORT_ENTRIES, 0.0), (PORT_CYCLE, 0.0), (DETECTOR_CYCLE, 9e5)],
            Refuted,
        ),
        example(
            &[(N, 1000.0), (PORT_ENTRIES, 0.0), (PORT_CYCLE, 1.0), (DETECTOR_CYCLE, 9e5)],
            Confirmed,
        ),
    ],
};

// ------------------------------------------------------------ C001-31

const COUNTED: &str = "Allocations counted";
const MADE: &str = "TrackAllocation calls (two threads)";
const BYTES_COUNTED: &str = "Bytes counted";
const BYTES_MADE: &str = "bytes passed to TrackAllocation";
const ALIASES: &str = "changing GetStats' result changes the profiler";

/// C001-31: seed 001's `MemoryProfiler` from two threads.
pub fn c001_31_profiler(ctx: &Ctx) -> Result<Measured, CheckError> {
    let p = figures::profiler(ctx)?;
    let mut ev = Evidence::new(format!(
        "two threads × {} TrackAllocation(\"buffer\", {}); then a GetStats copy changed",
        p.per_thread, p.size
    ));
    ev.add(COUNTED, p.allocations as f64, Unit::Count);
    ev.add(MADE, (2 * p.per_thread) as f64, Unit::Count);
    ev.add(BYTES_COUNTED, p.bytes as f64, Unit::Bytes);
    ev.add(BYTES_MADE, (2 * p.per_thread * p.size) as f64, Unit::Bytes);
    ev.add(ALIASES, flag(p.copy_aliases), Unit::Bool);
    ev.add("wall ns per call", p.ns_per_call, Unit::Nanos);
    Ok(Measured::new(
        ev,
        format!(
            "{} of {} allocations counted under contention, copies independent: {}; {} per \
             call",
            p.allocations,
            2 * p.per_thread,
            !p.copy_aliases,
            format_nanos(p.ns_per_call)
        ),
    ))
}

/// C001-31: confirmed when every call is counted and GetStats copies.
pub const C001_31: Rule = Rule {
    says: "confirmed when the profiler counts exactly the calls and bytes of two threads \
           and GetStats' result is a copy",
    inputs: &[COUNTED, MADE, BYTES_COUNTED, BYTES_MADE, ALIASES],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get(COUNTED) == f.get(MADE)
                && f.get(BYTES_COUNTED) == f.get(BYTES_MADE)
                && f.get(ALIASES) == 0.0,
        )
    },
    examples: &[
        example(
            &[
                (COUNTED, 20.0),
                (MADE, 20.0),
                (BYTES_COUNTED, 64.0),
                (BYTES_MADE, 64.0),
                (ALIASES, 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (COUNTED, 19.0),
                (MADE, 20.0),
                (BYTES_COUNTED, 64.0),
                (BYTES_MADE, 64.0),
                (ALIASES, 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                (COUNTED, 20.0),
                (MADE, 20.0),
                (BYTES_COUNTED, 64.0),
                (BYTES_MADE, 64.0),
                (ALIASES, 1.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ C001-32

const COLLECTED: &str = "port: samples collected";
const BUFFERED: &str = "port: samples in the channel";
const CAPACITY: &str = "port: channel capacity";
const TICKS: &str = "ticks in the run (run ÷ interval)";

/// C001-32: seed 001's `MemoryMonitor`, unread.
pub fn c001_32_monitor_drops(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::monitor_fill(ctx)?;
    let mut ev = Evidence::new(format!(
        "the port at {} for {}, nothing reading its channel (as in the seed)",
        format_nanos(m.interval.as_nanos() as f64),
        format_nanos(m.ran.as_nanos() as f64)
    ));
    ev.add(COLLECTED, m.collected as f64, Unit::Count);
    ev.add(BUFFERED, m.buffered as f64, Unit::Count);
    ev.add(CAPACITY, 100.0, Unit::Count);
    ev.add(TICKS, m.ran.as_secs_f64() / m.interval.as_secs_f64(), Unit::Count);
    ev.add(
        "port: samples dropped",
        m.collected.saturating_sub(m.buffered) as f64,
        Unit::Count,
    );
    Ok(Measured::new(
        ev,
        format!(
            "{} samples collected, {} kept, {} dropped silently",
            m.collected,
            m.buffered,
            m.collected.saturating_sub(m.buffered)
        ),
    ))
}

/// C001-32: confirmed when it samples on its ticker and, once the channel
/// is full, drops the rest.
pub const C001_32: Rule = Rule {
    says: "confirmed when the port collects at least min_share of the ticks, keeps exactly \
           its capacity and drops the rest; unverifiable when too few ticks came to fill it",
    inputs: &[COLLECTED, BUFFERED, CAPACITY, TICKS],
    thresholds: &[Threshold {
        name: "min_share",
        value: 0.5,
        unit: Unit::Ratio,
        source: "convention: a ticker on a busy machine may skip ticks, not most of them",
    }],
    decide: |f| {
        let (collected, cap) = (f.get(COLLECTED), f.get(CAPACITY));
        if collected <= cap {
            return Verdict::unverifiable(
                "the monitor did not fill its channel during the run (too few ticks)",
            );
        }
        f.confirmed_if(
            collected >= f.limit("min_share") * f.get(TICKS) && f.get(BUFFERED) == cap,
        )
    },
    examples: &[
        example(
            &[(COLLECTED, 290.0), (BUFFERED, 100.0), (CAPACITY, 100.0), (TICKS, 300.0)],
            Confirmed,
        ),
        example(
            &[(COLLECTED, 290.0), (BUFFERED, 99.0), (CAPACITY, 100.0), (TICKS, 300.0)],
            Refuted,
        ),
        example(
            &[(COLLECTED, 120.0), (BUFFERED, 100.0), (CAPACITY, 100.0), (TICKS, 300.0)],
            Refuted,
        ),
        example(
            &[(COLLECTED, 80.0), (BUFFERED, 80.0), (CAPACITY, 100.0), (TICKS, 300.0)],
            Unverifiable,
        ),
    ],
};

// ------------------------------------------------------------ C002-14

const RSS_RISE: &str = "resident set rise, grow phase over idle";
const HELD: &str = "bytes the grow phase holds";
const CHURN_RATE: &str = "median allocation rate, churn phase";
const IDLE_RATE: &str = "median allocation rate, idle phase";
const SPIN_CPU: &str = "median CPU use, spin phase";
const IDLE_CPU: &str = "median CPU use, idle phase";
const CHURN_MEAN: &str = "allocation rate across the churn phase";
const SPIN_USED: &str = "worker's CPU time while spinning (its thread clock)";
const SPIN_SEEN: &str = "process CPU time the sampler saw across the spin phase";

/// C002-14: speed, memory and CPU, watched by the sampler over a scripted load.
pub fn c002_14_watch_load(ctx: &Ctx) -> Result<Measured, CheckError> {
    let tr = figures::trace(ctx)?;
    let phase_rss = |p: &str, f: fn(u64, u64) -> u64, init| {
        tr.in_phase(p).map(|x| x.sample.rss_bytes).fold(init, f)
    };
    let idle_rss = phase_rss("idle", u64::min, u64::MAX);
    let grow_rss = phase_rss("grow", u64::max, 0);
    let med = |v: Vec<(std::time::Duration, f64, &str)>, p: &str| {
        let xs: Vec<f64> = v.iter().filter(|x| x.2 == p).map(|x| x.1).collect();
        figures::median(&xs)
    };
    let mut ev = Evidence::new(format!(
        "the scripted load (idle, grow, churn, spin, release) sampled every {}; the \
         worker's allocated bytes published through a registry counter",
        format_nanos(tr.interval.as_nanos() as f64)
    ));
    let rise = ev.add(
        RSS_RISE,
        grow_rss.saturating_sub(if idle_rss == u64::MAX { 0 } else { idle_rss }) as f64,
        Unit::Bytes,
    );
    ev.add(HELD, tr.held_bytes as f64, Unit::Bytes);
    ev.add(CHURN_RATE, med(tr.alloc_rates(), "churn"), Unit::BytesPerSec);
    ev.add(IDLE_RATE, med(tr.alloc_rates(), "idle"), Unit::BytesPerSec);
    let churn = ev.add(
        CHURN_MEAN,
        tr.alloc_rate_across("churn").unwrap_or(0.0),
        Unit::BytesPerSec,
    );
    let spin = ev.add(SPIN_CPU, med(tr.cpu_utilisation(), "spin"), Unit::Fraction);
    ev.add(IDLE_CPU, med(tr.cpu_utilisation(), "idle"), Unit::Fraction);
    ev.add(SPIN_USED, tr.spin_cpu.as_nanos() as f64, Unit::Nanos);
    let seen = tr.cpu_seen_across("spin").map_or(0.0, |d| d.as_nanos() as f64);
    ev.add(SPIN_SEEN, seen, Unit::Nanos);
    ev.add("samples recorded", tr.points.len() as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "RSS rose {} while {} was held; {} allocated across churn; the spinning \
             worker used {} of CPU ({} of a CPU) and the sampler saw {} across the phase",
            format_bytes(rise),
            format_bytes(tr.held_bytes as f64),
            format_value(churn, Unit::BytesPerSec),
            format_nanos(tr.spin_cpu.as_nanos() as f64),
            format_value(spin, Unit::Fraction),
            format_nanos(seen)
        ),
    ))
}

/// C002-14: confirmed when each of the three figures moves with its phase.
/// CPU is judged against the worker's own thread clock, not against a
/// fixed share of a CPU: on a busy machine the spinning thread may get
/// little of one, and the sampler must still see what it got.
pub const C002_14: Rule = Rule {
    says: "confirmed when the sampled resident set rises by at least min_rss_share of the \
           bytes held, the allocation rate across the churn phase exceeds the idle median by min_rate, and the \
           process CPU time the sampler saw across the spin phase is at least \
           min_cpu_share of the CPU time the spinning worker used; refuted when any of \
           them is not seen; unverifiable when the worker got less than min_spin_cpu of \
           CPU (a machine too busy to spin on)",
    inputs: &[RSS_RISE, HELD, CHURN_MEAN, IDLE_RATE, SPIN_USED, SPIN_SEEN],
    thresholds: &[
        Threshold {
            name: "min_rss_share",
            value: 0.5,
            unit: Unit::Fraction,
            source: "convention: the sampler sees at least half of what is held and touched",
        },
        Threshold {
            name: "min_rate",
            value: 1048576.0,
            unit: Unit::BytesPerSec,
            source: "convention: 1 MiB/s, far above an idle thread and far below any churn",
        },
        Threshold {
            name: "min_cpu_share",
            value: 0.9,
            unit: Unit::Fraction,
            source: "convention: getrusage counts every thread's CPU, so the process's \
                     time across the phase includes the worker's; a tenth is left for \
                     clock granularity",
        },
        Threshold {
            name: "min_spin_cpu",
            value: 5e6,
            unit: Unit::Nanos,
            source: "convention: five milliseconds, several sampling intervals' worth",
        },
    ],
    decide: |f| {
        let memory = f.get(RSS_RISE) >= f.limit("min_rss_share") * f.get(HELD);
        let speed = f.get(CHURN_MEAN) - f.get(IDLE_RATE) >= f.limit("min_rate");
        let used = f.get(SPIN_USED);
        if memory && speed && used < f.limit("min_spin_cpu") {
            return Verdict::unverifiable(
                "the spinning worker got too little CPU to see (a busy machine)",
            );
        }
        let cpu = f.get(SPIN_SEEN) >= f.limit("min_cpu_share") * used;
        f.confirmed_if(memory && speed && cpu)
    },
    examples: &[
        example(
            &[
                (RSS_RISE, 6e7),
                (HELD, 6.4e7),
                (CHURN_MEAN, 1e10),
                (IDLE_RATE, 0.0),
                (SPIN_USED, 2e8),
                (SPIN_SEEN, 2.1e8),
            ],
            Confirmed,
        ),
        example(
            &[
                (RSS_RISE, 1e6),
                (HELD, 6.4e7),
                (CHURN_MEAN, 1e10),
                (IDLE_RATE, 0.0),
                (SPIN_USED, 2e8),
                (SPIN_SEEN, 2.1e8),
            ],
            Refuted,
        ),
        example(
            &[
                (RSS_RISE, 6e7),
                (HELD, 6.4e7),
                (CHURN_MEAN, 1e10),
                (IDLE_RATE, 0.0),
                (SPIN_USED, 2e8),
                (SPIN_SEEN, 1e7),
            ],
            Refuted,
        ),
        example(
            &[
                (RSS_RISE, 6e7),
                (HELD, 6.4e7),
                (CHURN_MEAN, 0.0),
                (IDLE_RATE, 0.0),
                (SPIN_USED, 2e8),
                (SPIN_SEEN, 2.1e8),
            ],
            Refuted,
        ),
        example(
            &[
                (RSS_RISE, 6e7),
                (HELD, 6.4e7),
                (CHURN_MEAN, 1e10),
                (IDLE_RATE, 0.0),
                (SPIN_USED, 1e6),
                (SPIN_SEEN, 1e6),
            ],
            Unverifiable,
        ),
    ],
};

// ------------------------------------------------------------ C003-39

const CAUSES: &str = "seed 003's causes, Rust analogue found leaking (of 4)";
const KINDS: &str = "Rust's four leak kinds found (of 4)";
const FALSE_POSITIVES: &str = "false positives on the leak-free workloads";

/// The scenarios that stand for seed 003's four causes.
const SEED_CAUSES: [&str; 4] = [
    "thread per request",
    "unbounded cache",
    "closure keeps buffer",
    "sub-slice keeps buffer",
];
/// Rust's four leak kinds.
const RUST_KINDS: [&str; 4] = ["mem::forget", "Box::leak", "Rc cycle", "grow-only Vec"];

/// C003-39: seed 003's causes of steady growth, and the detector.
pub fn c003_39_leak_causes(ctx: &Ctx) -> Result<Measured, CheckError> {
    let ds = figures::detections(ctx)?;
    let found = |names: &[&str]| {
        ds.iter().filter(|d| names.contains(&d.name) && d.found_leak()).count() as f64
    };
    let fp = ds.iter().filter(|d| !d.leaks && d.found_leak()).count() as f64;
    let clean = ds.iter().filter(|d| !d.leaks).count();
    let mut ev = Evidence::new(format!(
        "each scenario run for {} rounds on its own thread, live heap bytes (or threads) \
         read after each round and after it was dropped; {} leak-free workloads",
        ds.first().map_or(0, |d| d.live_after_round.len()),
        clean
    ));
    ev.add(CAUSES, found(&SEED_CAUSES), Unit::Count);
    ev.add(KINDS, found(&RUST_KINDS), Unit::Count);
    ev.add(FALSE_POSITIVES, fp, Unit::Count);
    for d in ds {
        ev.add(
            format!("{}: retained after drop", d.name),
            if d.by_threads {
                d.retained_threads as f64
            } else {
                d.retained_bytes as f64
            },
            if d.by_threads { Unit::Count } else { Unit::Bytes },
        );
    }
    let v = figures::valgrind(ctx)?;
    let valgrind = match (&v.version, v.definitely_lost) {
        (None, _) => "valgrind: not installed".to_string(),
        (Some(_), Some(b)) => {
            let lost = b + v.indirectly_lost.unwrap_or(0);
            ev.add(
                "valgrind: Rc cycle child, definitely + indirectly lost",
                lost as f64,
                Unit::Bytes,
            );
            format!(
                "valgrind finds {} lost in the Rc cycle child",
                format_bytes(lost as f64)
            )
        }
        (Some(_), None) => "valgrind: no leak summary".to_string(),
    };
    Ok(Measured::new(
        ev,
        format!(
            "{} of 4 causes and {} of 4 Rust leak kinds found growing or retained; {} false \
             positives on {clean} leak-free workloads; {valgrind}",
            found(&SEED_CAUSES),
            found(&RUST_KINDS),
            fp
        ),
    ))
}

/// C003-39: confirmed when each cause's analogue leaks and the detector is
/// trustworthy (finds Rust's four kinds, no false positive).
pub const C003_39: Rule = Rule {
    says: "confirmed when all four causes' analogues are found leaking by a detector that \
           finds Rust's four kinds with no false positive; refuted when a cause's analogue \
           does not leak; unverifiable when the detector misses a kind or flags a leak-free \
           workload",
    inputs: &[CAUSES, KINDS, FALSE_POSITIVES],
    thresholds: &[],
    decide: |f| {
        if f.get(KINDS) < 4.0 || f.get(FALSE_POSITIVES) > 0.0 {
            return Verdict::unverifiable(
                "the detector missed a leak kind or flagged a leak-free workload",
            );
        }
        f.confirmed_if(f.get(CAUSES) == 4.0)
    },
    examples: &[
        example(&[(CAUSES, 4.0), (KINDS, 4.0), (FALSE_POSITIVES, 0.0)], Confirmed),
        example(&[(CAUSES, 3.0), (KINDS, 4.0), (FALSE_POSITIVES, 0.0)], Refuted),
        example(&[(CAUSES, 4.0), (KINDS, 4.0), (FALSE_POSITIVES, 1.0)], Unverifiable),
        example(&[(CAUSES, 4.0), (KINDS, 3.0), (FALSE_POSITIVES, 0.0)], Unverifiable),
    ],
};
