//! Seed 000 §1.3.1 (L279-377), `HighPerformanceWorkerPool`: its speed and
//! latency (C000-15), its ticker (C000-16), its shutdown (C000-17, D13), its
//! undrained results (D14), its closed queue (D74) and the pieces it never
//! defines (D75). The port runs beside [`WorkerPool`](crate::worker_pools::WorkerPool).

use super::{YES, evidence, flag};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::table::{format_nanos, format_ratio};
use crate::worker_pools::figures;
use crate::worker_pools::peers::Peer;

/// C000-15: "a worker pool that batches per worker (batchSize, 10 ms
/// ticker) is high-performance". Its latency alone at low load, and its
/// throughput on empty jobs beside ours (both delivering every result).
pub fn c000_15_high_performance(ctx: &Ctx) -> Result<Measured, CheckError> {
    let lat = figures::latency(ctx)?;
    let sweep = figures::sweep(ctx)?;
    let (seed50, seed99) = lat.seed_p();
    let (ours50, ours99) = lat.ours_p();
    let ratio = sweep.ratio(Peer::Seed, Peer::OursResults, 0.0)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "one job at a time, 1-3 ms apart ({} through the port, {} through ours), 2 \
             workers, batch 64, 10 ms ticker; throughput: {} empty jobs, 2 workers, results \
             drained, median of {} interleaved rounds; {} CPUs, load {:.1}",
            lat.seed.len(),
            lat.ours.len(),
            sweep.at(Peer::Seed, 0.0)?.jobs,
            sweep.rounds,
            sweep.load.0.cpus,
            sweep.load.0.load
        ),
    );
    ev.add("seed pool: p50 latency at low load", seed50, Unit::Nanos);
    ev.add("seed pool: p99 latency at low load", seed99, Unit::Nanos);
    ev.add("WorkerPool: p50 latency at low load", ours50, Unit::Nanos);
    ev.add("WorkerPool: p99 latency at low load", ours99, Unit::Nanos);
    ev.add("seed pool ÷ WorkerPool, jobs per second, empty jobs", ratio, Unit::Ratio);
    let summary = format!(
        "a lone job waits {} (p50) in the port against {} in WorkerPool; saturated, the \
         port runs {} WorkerPool's jobs per second (one processJob and one send per job: \
         its batches share no cost)",
        format_nanos(seed50),
        format_nanos(ours50),
        format_ratio(ratio)
    );
    Ok(Measured::new(ev, summary))
}

/// Refuted when the port is slower than ours saturated; "holds only when"
/// saturated if it keeps up there but makes a lone job wait; confirmed when
/// it does neither.
pub const C000_15: Rule = Rule {
    says: "refuted when the port's saturated throughput is below min_ratio × WorkerPool's; \
           holds only when the queue never runs dry if it keeps up saturated but a lone job \
           waits more than max_p50; confirmed otherwise",
    inputs: &[
        "seed pool: p50 latency at low load",
        "seed pool ÷ WorkerPool, jobs per second, empty jobs",
    ],
    thresholds: &[
        Threshold {
            name: "max_p50",
            value: 100e3,
            unit: Unit::Nanos,
            source: "the chapter's latency target for a pool at low load (issue 14); a \
                     parked worker wakes in tens of microseconds",
        },
        Threshold {
            name: "min_ratio",
            value: 0.9,
            unit: Unit::Ratio,
            source: "convention: within 10% of a plain bounded-channel pool, the noise \
                     band of interleaved rounds on a shared machine",
        },
    ],
    decide: |f| {
        let keeps_up = f.get("seed pool ÷ WorkerPool, jobs per second, empty jobs")
            >= f.limit("min_ratio");
        let lone_waits = f.get("seed pool: p50 latency at low load") > f.limit("max_p50");
        match (keeps_up, lone_waits) {
            (false, _) => Verdict::Refuted,
            (true, true) => f.holds_only_when(
                "the queue never runs dry: at low load a lone job waits for the 10 ms ticker",
                "seed pool ÷ WorkerPool, jobs per second, empty jobs",
                "seed pool: p50 latency at low load",
            ),
            (true, false) => Verdict::Confirmed,
        }
    },
    examples: &[
        example(
            &[
                ("seed pool: p50 latency at low load", 5e6),
                ("seed pool ÷ WorkerPool, jobs per second, empty jobs", 0.4),
            ],
            Refuted,
        ),
        example(
            &[
                ("seed pool: p50 latency at low load", 5e6),
                ("seed pool ÷ WorkerPool, jobs per second, empty jobs", 1.1),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("seed pool: p50 latency at low load", 20e3),
                ("seed pool ÷ WorkerPool, jobs per second, empty jobs", 0.95),
            ],
            Confirmed,
        ),
    ],
};

/// C000-16: "a 10 ms ticker flushes partial batches". The port's ticker
/// replaced by a channel the check feeds: one job in, one tick, one result.
pub fn c000_16_ticker_flush(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::mock_tick(ctx)?;
    let lat = figures::latency(ctx)?;
    let idle = figures::idle(ctx)?;
    let (seed50, seed99) = lat.seed_p();
    let mut ev = evidence(
        ctx,
        "the port, 1 worker, batch 64, its ticker a channel fed by hand: one job, 30 ms \
         without a tick, then one tick; latency and idle wake-ups with the real 10 ms ticker",
    );
    ev.add("mock ticker: results before the tick", m.before_tick as f64, Unit::Count);
    ev.add("mock ticker: results after one tick", m.after_tick as f64, Unit::Count);
    ev.add("seed pool: p50 latency at low load", seed50, Unit::Nanos);
    ev.add("seed pool: p99 latency at low load", seed99, Unit::Nanos);
    ev.add(
        "seed pool: wake-ups per idle worker per second",
        idle.seed_per_thread,
        Unit::PerSec,
    );
    ev.add(
        "WorkerPool: wake-ups per idle worker per second",
        idle.ours_per_thread,
        Unit::PerSec,
    );
    let summary = format!(
        "{} result before the tick, {} after one: the ticker is what flushes a partial \
         batch; with the real 10 ms ticker a lone job waits {} (p50), {} (p99), and each idle \
         worker wakes {:.0} times a second (WorkerPool's: {:.0})",
        m.before_tick,
        m.after_tick,
        format_nanos(seed50),
        format_nanos(seed99),
        idle.seed_per_thread,
        idle.ours_per_thread
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when nothing leaves before the tick and the job leaves after one.
pub const C000_16: Rule = Rule {
    says: "confirmed when the partial batch leaves after one tick and not before; refuted \
           otherwise",
    inputs: &[
        "mock ticker: results before the tick",
        "mock ticker: results after one tick",
    ],
    thresholds: &[Threshold {
        name: "one_job",
        value: 1.0,
        unit: Unit::Count,
        source: "the check sends one job",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("mock ticker: results before the tick") == 0.0
                && f.get("mock ticker: results after one tick") == f.limit("one_job"),
        )
    },
    examples: &[
        example(
            &[
                ("mock ticker: results before the tick", 0.0),
                ("mock ticker: results after one tick", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("mock ticker: results before the tick", 0.0),
                ("mock ticker: results after one tick", 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("mock ticker: results before the tick", 1.0),
                ("mock ticker: results after one tick", 1.0),
            ],
            Refuted,
        ),
    ],
};

fn shutdown_evidence(ctx: &Ctx, what: &str) -> Result<Measured, CheckError> {
    let s = figures::shutdown(ctx)?;
    let fewest = s.seed_completed.iter().copied().min().unwrap_or(0);
    let losing = s.seed_completed.iter().filter(|&&c| c < s.jobs).count();
    let split = figures::select_split(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{what}: {} jobs queued, then cancel() (the port, {} runs) or shutdown() \
             (WorkerPool); 2 workers, batch 64",
            s.jobs,
            s.seed_completed.len()
        ),
    );
    ev.add("jobs queued", s.jobs as f64, Unit::Count);
    ev.add("seed pool: fewest jobs run", fewest as f64, Unit::Count);
    ev.add("seed pool: jobs lost, worst run", (s.jobs - fewest) as f64, Unit::Count);
    ev.add("seed pool: runs that lost jobs", losing as f64, Unit::Count);
    ev.add("WorkerPool: jobs run", s.ours_completed as f64, Unit::Count);
    ev.add(
        "WorkerPool: jobs lost",
        s.jobs.saturating_sub(s.ours_completed) as f64,
        Unit::Count,
    );
    ev.add(
        "select!: share of picks of the job case, both ready",
        split.0 as f64 / split.1 as f64,
        Unit::Fraction,
    );
    let summary = format!(
        "of {} queued jobs the port ran as few as {fewest} ({losing} of {} runs lost jobs, \
         silently); WorkerPool ran {}. With both cases ready, select! took the job case in \
         {:.0}% of {} picks, as Go's select does",
        s.jobs,
        s.seed_completed.len(),
        s.ours_completed,
        100.0 * split.0 as f64 / split.1 as f64,
        split.1
    );
    Ok(Measured::new(ev, summary))
}

/// C000-17: "on cancellation, remaining tasks are processed".
pub fn c000_17_cancel_finishes_queue(ctx: &Ctx) -> Result<Measured, CheckError> {
    shutdown_evidence(ctx, "the seed's cancellation path")
}

/// Refuted when some run of the port ran fewer jobs than were queued.
pub const C000_17: Rule = Rule {
    says: "refuted when a run of the port, cancelled with jobs queued, ran fewer than were \
           queued; confirmed when every run ran them all",
    inputs: &["seed pool: fewest jobs run", "jobs queued"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get("seed pool: fewest jobs run") >= f.get("jobs queued"))
    },
    examples: &[
        example(
            &[("seed pool: fewest jobs run", 420.0), ("jobs queued", 1000.0)],
            Refuted,
        ),
        example(
            &[("seed pool: fewest jobs run", 1000.0), ("jobs queued", 1000.0)],
            Confirmed,
        ),
    ],
};

/// D13: jobs lost on shutdown.
pub fn d13_loss_on_shutdown(ctx: &Ctx) -> Result<Measured, CheckError> {
    shutdown_evidence(ctx, "shutdown with jobs queued")
}

/// Reproduced when the port loses jobs and WorkerPool loses none.
pub const D13: Rule = Rule {
    says: "reproduced when the port loses queued jobs at cancel() and WorkerPool's \
           shutdown() loses none",
    inputs: &["seed pool: jobs lost, worst run", "WorkerPool: jobs lost"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed pool: jobs lost, worst run") > 0.0
                && f.get("WorkerPool: jobs lost") == 0.0,
        )
    },
    examples: &[
        example(
            &[("seed pool: jobs lost, worst run", 580.0), ("WorkerPool: jobs lost", 0.0)],
            Confirmed,
        ),
        example(
            &[("seed pool: jobs lost, worst run", 0.0), ("WorkerPool: jobs lost", 0.0)],
            Refuted,
        ),
    ],
};

/// D14: results nobody drains block every worker.
pub fn d14_undrained_results(ctx: &Ctx) -> Result<Measured, CheckError> {
    let u = figures::undrained(ctx)?;
    let (workers, queue, batch) = crate::worker_pools::lifecycle::UNDRAINED;
    let mut ev = evidence(
        ctx,
        &format!(
            "the port ({workers} workers, queue {queue}, batch {batch}) sent {} jobs with \
             nobody reading results, in a child killed after {} ms; WorkerPool the same, its \
             results receiver dropped once try_submit found the queue full",
            crate::worker_pools::lifecycle::UNDRAINED_JOBS,
            figures::HANG_TIMEOUT.as_millis()
        ),
    );
    ev.add("seed pool: hung", flag(u.seed_hung), Unit::Bool);
    ev.add("seed pool: jobs sent before it hung", u.seed_sent as f64, Unit::Count);
    ev.add(
        "seed pool: jobs processed before it hung",
        u.seed_processed as f64,
        Unit::Count,
    );
    ev.add("results channel + workers", (queue + workers) as f64, Unit::Count);
    ev.add("WorkerPool: jobs submitted", u.ours_submitted as f64, Unit::Count);
    ev.add(
        "WorkerPool: jobs not run after shutdown",
        u.ours_submitted.saturating_sub(u.ours_completed) as f64,
        Unit::Count,
    );
    ev.add(
        "WorkerPool: results counted undelivered",
        u.ours_undelivered as f64,
        Unit::Count,
    );
    let summary = format!(
        "the port processed {} jobs (results channel {queue} + {workers} workers each \
         holding one), then every sender blocked: the child {} with {} jobs sent; \
         WorkerPool ran all {} and counted {} results nobody took",
        u.seed_processed, u.seed_ended, u.seed_sent, u.ours_submitted, u.ours_undelivered
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port hangs and WorkerPool runs every job.
pub const D14: Rule = Rule {
    says: "reproduced when the port hangs with its results undrained and WorkerPool, its \
           receiver dropped, leaves no job unrun",
    inputs: &["seed pool: hung", "WorkerPool: jobs not run after shutdown"],
    thresholds: &[Threshold {
        name: "yes",
        value: YES,
        unit: Unit::Bool,
        source: "a yes/no figure (1 = yes)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("seed pool: hung") > f.limit("yes")
                && f.get("WorkerPool: jobs not run after shutdown") == 0.0,
        )
    },
    examples: &[
        example(
            &[("seed pool: hung", 1.0), ("WorkerPool: jobs not run after shutdown", 0.0)],
            Confirmed,
        ),
        example(
            &[("seed pool: hung", 0.0), ("WorkerPool: jobs not run after shutdown", 0.0)],
            Refuted,
        ),
    ],
};

/// D74: after `close(jobQueue)`, the port's worker keeps receiving zero values.
pub fn d74_zero_values_after_close(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::closed_queue(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{} jobs with payload 1, then the job queue closed and results read for {} ms \
             (the port: 1 worker, batch 1); WorkerPool: {} jobs, then shutdown",
            c.sent,
            c.window.as_millis(),
            c.sent
        ),
    );
    ev.add("jobs sent", c.sent as f64, Unit::Count);
    ev.add(
        "seed pool: zero-value jobs run after close",
        c.seed_zero_jobs as f64,
        Unit::Count,
    );
    ev.add(
        "WorkerPool: jobs run beyond those sent",
        c.ours_ran.saturating_sub(c.sent) as f64,
        Unit::Count,
    );
    let summary = format!(
        "after the close the port's worker ran {} jobs nobody sent in {} ms (Go's receive \
         on a closed channel gives the zero value at once, and L339 does not check `ok`); \
         WorkerPool's workers stopped after the {} sent",
        c.seed_zero_jobs,
        c.window.as_millis(),
        c.ours_ran
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port runs zero-value jobs and ours runs none extra.
pub const D74: Rule = Rule {
    says: "reproduced when the port runs jobs nobody sent after its queue closes and \
           WorkerPool runs none",
    inputs: &[
        "seed pool: zero-value jobs run after close",
        "WorkerPool: jobs run beyond those sent",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed pool: zero-value jobs run after close") > 0.0
                && f.get("WorkerPool: jobs run beyond those sent") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed pool: zero-value jobs run after close", 90_000.0),
                ("WorkerPool: jobs run beyond those sent", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed pool: zero-value jobs run after close", 0.0),
                ("WorkerPool: jobs run beyond those sent", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D75: `Job`, `Result`, `processJob`, `updateMetrics` are never defined.
pub fn d75_undefined_pieces(ctx: &Ctx) -> Result<Measured, CheckError> {
    let u = figures::undefined(ctx)?;
    let mut ev = evidence(
        ctx,
        "the port with the seed's four undefined pieces, and with them defined, type-checked \
         by rustc --emit=metadata",
    );
    ev.add(
        "port: rustc errors naming a missing item",
        u.missing_items() as f64,
        Unit::Count,
    );
    ev.add("with the four defined: compiles", flag(u.defined.compiled), Unit::Bool);
    let summary = format!(
        "as written: {}; with Job, JobResult, process_job and update_metrics defined: {}",
        u.port.describe(),
        if u.defined.compiled { "compiles".to_string() } else { u.defined.describe() }
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port fails on missing items and compiles with them.
pub const D75: Rule = Rule {
    says: "reproduced when rustc rejects the port for missing items and accepts it with the \
           four defined",
    inputs: &[
        "port: rustc errors naming a missing item",
        "with the four defined: compiles",
    ],
    thresholds: &[Threshold {
        name: "yes",
        value: YES,
        unit: Unit::Bool,
        source: "a yes/no figure (1 = yes)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("port: rustc errors naming a missing item") > 0.0
                && f.get("with the four defined: compiles") > f.limit("yes"),
        )
    },
    examples: &[
        example(
            &[
                ("port: rustc errors naming a missing item", 5.0),
                ("with the four defined: compiles", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("port: rustc errors naming a missing item", 0.0),
                ("with the four defined: compiles", 1.0),
            ],
            Refuted,
        ),
    ],
};
