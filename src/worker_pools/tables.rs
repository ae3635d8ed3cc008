//! What `examples/worker_pools.rs` prints: one function per `--table`, each
//! laying out figures of [`super::figures`] (so the claim table, which reads
//! the same figures, shows the same numbers).
//!
//! Not for: measuring (see [`super::figures`]) or deciding (see `checks/`).

use super::figures::{self, Sweep, WORKERS};
use super::file_io::{DEPTH, SLOW, THREADS, Way};
use super::peers::{self, Peer};
use crate::claims::{CheckError, Ctx};
use crate::measure::machine;
use crate::table::Unit;
use crate::table::{
    Align, Table, format_bytes, format_nanos, format_ratio, format_value,
};
use std::path::Path;

type Tables = Result<Vec<Table>, CheckError>;

fn per_sec(v: f64) -> String {
    format_value(v, Unit::PerSec)
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn count(n: impl Into<u64>) -> String {
    format_value(n.into() as f64, Unit::Count)
}

/// The state of the machine every timing depends on.
pub fn conditions(ctx: &Ctx) -> Tables {
    let load = figures::Load::now();
    let mut t = Table::new(["condition", "value"]).align(1, Align::Left);
    t.row(["CPUs this process may use", &load.cpus.to_string()]);
    t.row(["load average (1 min)", &format!("{:.2}", load.load)]);
    t.row(["CPUs idle (CPUs − load)", &format!("{:.1}", load.idle())]);
    let uring = match super::uring::UringReader::new(4, 4096) {
        Ok(_) => "available".to_string(),
        Err(e) => e.to_string(),
    };
    t.row(["io_uring", &uring]);
    let tmp = std::env::temp_dir();
    t.row([
        "temporary directory".to_string(),
        format!(
            "{} ({})",
            tmp.display(),
            if super::file_io::on_tmpfs(&tmp) {
                "tmpfs: sync_data is free"
            } else {
                "not tmpfs"
            }
        ),
    ]);
    t.row([
        "spin iterations per µs (the job unit)",
        &format!("{:.0}", peers::iters_per_us()),
    ]);
    t.row(["build", machine::build_profile().as_str()]);
    let _ = ctx;
    t.note(format!(
        "Speed ratios (--table targets) are judged only with {} or more CPUs idle; on a busier machine they are printed, not judged.",
        figures::IDLE_FOR_SPEED
    ));
    Ok(vec![t])
}

/// What [`WorkerPool`](super::WorkerPool) promises, counted.
pub fn contract(ctx: &Ctx) -> Tables {
    let c = figures::contract(ctx)?;
    let s = figures::shutdown(ctx)?;
    let fewest = s.seed_completed.iter().copied().min().unwrap_or(0);
    let mut t =
        Table::new(["promise", "counted", "seed 000's pool"]).align(2, Align::Left);
    t.row([
        "try_submit on a full queue hands the job back".to_string(),
        format!("{} of {} returned, {} accepted", c.returned, c.offered, c.accepted),
        "no Submit; callers send and block, or drop".into(),
    ]);
    t.row([
        "a job that panics gives Err; its worker goes on".to_string(),
        format!(
            "{} panicked, {} Err result, {} of {} workers alive",
            c.panicked, c.err_results, c.alive_after_panic, WORKERS
        ),
        "a panic in processJob kills the process".into(),
    ]);
    t.row([
        "every accepted job runs before shutdown returns".to_string(),
        format!("{} accepted, {} ran, {} results", c.submitted, c.completed, c.results),
        format!(
            "{fewest} of {} ran after cancel (worst of {} runs)",
            s.jobs,
            s.seed_completed.len()
        ),
    ]);
    t.note("2 workers held by a gate, a queue of 4: 10 try_submits, then the gate opens, one job panics, 100 more, shutdown. Seed column: 1,000 jobs queued, then cancel().");
    Ok(vec![t])
}

fn ratio_cell(sweep: &Sweep, a: Peer, b: Peer, ns: f64) -> String {
    sweep.ratio(a, b, ns).map_or_else(|_| "-".into(), format_ratio)
}

/// Empty jobs and 1 µs jobs through every pool, 2 workers.
pub fn throughput(ctx: &Ctx) -> Tables {
    let sweep = figures::sweep(ctx)?;
    let mut t = Table::new([
        "pool",
        "empty jobs/s",
        "÷ bare pool",
        "÷ rayon spawn",
        "1 µs jobs/s",
        "÷ par_iter",
    ])
    .align(0, Align::Left);
    for peer in Peer::ALL {
        let empty = sweep.at(peer, 0.0)?;
        let micro = sweep.at(peer, 1_000.0)?;
        t.row([
            peer.label().to_string(),
            per_sec(empty.jobs_per_sec()),
            ratio_cell(sweep, peer, Peer::Bare, 0.0),
            ratio_cell(sweep, peer, Peer::RayonSpawn, 0.0),
            per_sec(micro.jobs_per_sec()),
            ratio_cell(sweep, peer, Peer::RayonParIter, 1_000.0),
        ]);
    }
    t.note(format!(
        "{WORKERS} workers each; {} empty jobs and {} jobs of 1 µs of CPU per round; median of {} interleaved rounds. CPUs {}, load {:.1} before and {:.1} after: {:.1} idle.",
        sweep.at(Peer::Ours, 0.0)?.jobs,
        sweep.at(Peer::Ours, 1_000.0)?.jobs,
        sweep.rounds,
        sweep.load.0.cpus,
        sweep.load.0.load,
        sweep.load.1.load,
        sweep.idle_cpus()
    ));
    t.note("WorkerPool::submit keeps no results (as the bare pool); + results sends each to a collector thread, as the seed's pool does.");
    Ok(vec![t])
}

/// Every target of the chapter, measured, side by side.
pub fn targets(ctx: &Ctx) -> Tables {
    let sweep = figures::sweep(ctx)?;
    let lat = figures::latency(ctx)?;
    let w = figures::writes(ctx)?;
    let reads = figures::reads(ctx)?;
    let idle = sweep.idle_cpus();
    let mut t = Table::new(["target", "measured", "goal", "met"]).align(0, Align::Left);
    let ratio_row = |t: &mut Table, what: &str, v: f64, goal: f64, speed: bool| {
        let met = if speed && idle < figures::IDLE_FOR_SPEED {
            format!("not asserted ({idle:.1} CPUs idle)")
        } else {
            yes(v >= goal).to_string()
        };
        t.row([
            what.to_string(),
            format_ratio(v),
            format!("≥ {}", format_ratio(goal)),
            met,
        ]);
    };
    ratio_row(
        &mut t,
        "empty jobs: WorkerPool::submit ÷ bare crossbeam pool",
        sweep.ratio(Peer::Ours, Peer::Bare, 0.0)?,
        1.0,
        true,
    );
    ratio_row(
        &mut t,
        "empty jobs: WorkerPool::submit ÷ rayon scope.spawn",
        sweep.ratio(Peer::Ours, Peer::RayonSpawn, 0.0)?,
        2.0,
        true,
    );
    ratio_row(
        &mut t,
        "empty jobs per item: submit_batch(64) ÷ submit",
        sweep.ratio(Peer::OursBatch64, Peer::Ours, 0.0)?,
        4.0,
        true,
    );
    ratio_row(
        &mut t,
        "1 µs jobs: submit_batch(64) ÷ rayon par_iter",
        sweep.ratio(Peer::OursBatch64, Peer::RayonParIter, 1_000.0)?,
        0.9,
        true,
    );
    let (p50, _) = lat.ours_p();
    let (seed50, _) = lat.seed_p();
    t.row([
        "p50 latency at low load: WorkerPool".to_string(),
        format_nanos(p50),
        "≤ 100.00 µs".into(),
        yes(p50 <= 100e3).into(),
    ]);
    t.row([
        "p50 latency at low load: seed 000's pool (for comparison)".to_string(),
        format_nanos(seed50),
        "~5 ms (half the ticker)".into(),
        "-".into(),
    ]);
    let exact = w.plain.iter().all(|r| r.syscw == r.records.div_ceil(r.batch as u64));
    t.row([
        "write syscalls = ceil(N / B), B = 1, 8, 64".to_string(),
        w.plain.iter().map(|r| r.syscw.to_string()).collect::<Vec<_>>().join(", "),
        w.plain
            .iter()
            .map(|r| r.records.div_ceil(r.batch as u64).to_string())
            .collect::<Vec<_>>()
            .join(", "),
        yes(exact).into(),
    ]);
    let (one, sixty_four) = (w.synced_at(1)?, w.synced_at(64)?);
    let sync_ratio = sixty_four.ns_per_record() / one.ns_per_record();
    t.row([
        "sync_data per record: batch 64 ÷ batch 1".to_string(),
        format!("1/{:.0}", 1.0 / sync_ratio),
        "≤ 1/20".into(),
        if one.tmpfs {
            "not asserted (tmpfs)".into()
        } else {
            yes(sync_ratio <= 1.0 / 20.0).into()
        },
    ]);
    match &reads.of(Way::Uring)?.cached {
        Ok(u) => {
            let expected = reads.cached_blocks.div_ceil(DEPTH as u64);
            t.row([
                format!("io_uring_enter calls = ceil(N / {DEPTH})"),
                u.enters.to_string(),
                expected.to_string(),
                yes(u.enters == expected).into(),
            ]);
            if let Ok(seq) = &reads.of(Way::Sequential)?.cached {
                let r = seq.elapsed.as_secs_f64() / u.elapsed.as_secs_f64();
                ratio_row(
                    &mut t,
                    "page-cached 4 KiB reads: io_uring ÷ pread",
                    r,
                    0.9,
                    true,
                );
            }
        }
        Err(e) => {
            t.row(["io_uring".to_string(), e.clone(), "-".into(), "-".into()]);
        }
    }
    if let (Ok(seq), Ok(pool)) =
        (&reads.of(Way::Sequential)?.slow, &reads.of(Way::Pool)?.slow)
    {
        let r = seq.elapsed.as_secs_f64() / pool.elapsed.as_secs_f64();
        ratio_row(&mut t, "1 ms device: 4-thread pool ÷ sequential", r, 3.0, false);
    }
    t.note(format!(
        "Speed ratios are judged with {} or more CPUs idle when the sweep began (here {idle:.1}); the rest are counts. Throughput: {WORKERS} workers; latency: one job at a time, 1-3 ms apart.",
        figures::IDLE_FOR_SPEED
    ));
    Ok(vec![t])
}

/// Latency at low load and the cost of an idle ticker.
pub fn latency(ctx: &Ctx) -> Tables {
    let lat = figures::latency(ctx)?;
    let idle = figures::idle(ctx)?;
    let m = figures::mock_tick(ctx)?;
    let mut t = Table::new(["pool", "jobs", "p50", "p99", "idle wake-ups/s per worker"])
        .align(0, Align::Left);
    let (o50, o99) = lat.ours_p();
    let (s50, s99) = lat.seed_p();
    t.row([
        "WorkerPool".to_string(),
        lat.ours.len().to_string(),
        format_nanos(o50),
        format_nanos(o99),
        format!("{:.1}", idle.ours_per_thread),
    ]);
    t.row([
        "seed 000's pool (batch 64, 10 ms ticker)".to_string(),
        lat.seed.len().to_string(),
        format_nanos(s50),
        format_nanos(s99),
        format!("{:.1}", idle.seed_per_thread),
    ]);
    t.note(format!(
        "Submit to result, one job at a time, 1-3 ms apart, 2 workers. Wake-ups: voluntary context switches of the pool's threads over {} idle. With a ticker fed by hand, the port gave {} result before the tick and {} after one.",
        format_nanos(idle.idle.as_nanos() as f64),
        m.before_tick,
        m.after_tick
    ));
    Ok(vec![t])
}

/// The sweep as a table, and as an SVG when `svg` names a file.
pub fn plot(ctx: &Ctx, svg: Option<&Path>) -> Tables {
    let sweep = figures::sweep(ctx)?;
    let sizes = figures::job_sizes(ctx);
    let mut header = vec!["pool".to_string()];
    header.extend(sizes.iter().map(|&ns| {
        if ns == 0.0 {
            "empty".to_string()
        } else {
            format!("{} jobs/s", format_nanos(ns))
        }
    }));
    let mut t = Table::new(header).align(0, Align::Left);
    for peer in Peer::ALL {
        let mut row = vec![peer.label().to_string()];
        for &ns in sizes {
            row.push(
                sweep.at(peer, ns).map_or("-".into(), |p| per_sec(p.jobs_per_sec())),
            );
        }
        t.row(row);
    }
    let caption = format!(
        "{WORKERS} workers, median of {} rounds, {} build, {} CPUs, load {:.1}",
        sweep.rounds,
        if cfg!(debug_assertions) { "debug" } else { "release" },
        sweep.load.0.cpus,
        sweep.load.0.load
    );
    match svg {
        Some(path) => {
            std::fs::write(path, super::plot::render_svg(&sweep.points, &caption))?;
            t.note(format!("Plot written to {}.", path.display()));
        }
        None => {
            t.note("Add --plot PATH to write these as an SVG.");
        }
    }
    Ok(vec![t])
}

/// Batched writes: syscalls counted, and what `sync_data` costs per record.
pub fn writes(ctx: &Ctx) -> Tables {
    let w = figures::writes(ctx)?;
    let mut t = Table::new([
        "records",
        "batch",
        "sync_data",
        "write syscalls",
        "ceil(N / B)",
        "file bytes",
        "per record",
    ]);
    for r in w.plain.iter().chain(&w.synced) {
        t.row([
            count(r.records),
            r.batch.to_string(),
            yes(r.sync).to_string(),
            count(r.syscw),
            count(r.records.div_ceil(r.batch as u64)),
            format_bytes(r.file_bytes as f64),
            format_nanos(r.ns_per_record()),
        ]);
    }
    t.note(format!(
        "{} B records through a Batcher into a fresh file; syscalls are the writing thread's syscw (/proc/thread-self/io); {}.",
        super::writes::RECORD,
        if w.synced.first().is_some_and(|r| r.tmpfs) { "the file is on tmpfs, where sync_data costs nothing" } else { "sync_data reaches the disk" }
    ));
    Ok(vec![t])
}

/// File reads four ways, page cache and a slow device.
pub fn io(ctx: &Ctx) -> Tables {
    let r = figures::reads(ctx)?;
    let mut t = Table::new([
        "way",
        "page cache: per read",
        "÷ pread",
        "enters",
        "read syscalls",
        "1 ms device: total",
        "÷ sequential",
    ])
    .align(0, Align::Left);
    let seq = r.of(Way::Sequential)?;
    for w in &r.ways {
        let (c_per, c_ratio, enters, syscr) = match (&w.cached, &seq.cached) {
            (Ok(c), Ok(s)) => (
                format_nanos(c.elapsed.as_nanos() as f64 / r.cached_blocks as f64),
                format_ratio(s.elapsed.as_secs_f64() / c.elapsed.as_secs_f64()),
                count(c.enters),
                count(c.syscr),
            ),
            (Err(e), _) | (_, Err(e)) => (e.clone(), "-".into(), "-".into(), "-".into()),
        };
        let (s_total, s_ratio) = match (&w.slow, &seq.slow) {
            (Ok(c), Ok(s)) => (
                format_nanos(c.elapsed.as_nanos() as f64),
                format_ratio(s.elapsed.as_secs_f64() / c.elapsed.as_secs_f64()),
            ),
            (Err(e), _) | (_, Err(e)) => (e.clone(), "-".into()),
        };
        t.row([
            w.way.label().to_string(),
            c_per,
            c_ratio,
            enters,
            syscr,
            s_total,
            s_ratio,
        ]);
    }
    t.note(format!(
        "{} blocks of 4 KiB from the page cache, median of {} interleaved rounds; {} requests to a device that adds {} each (a sleep before pread; for io_uring a hard-linked timeout). Read syscalls: the calling thread's syscr ({THREADS} pool threads read on their own threads; io_uring reads make none). {}",
        r.cached_blocks,
        r.rounds,
        r.slow_requests,
        format_nanos(SLOW.as_nanos() as f64),
        if r.tmpfs { "The file is on tmpfs." } else { "" }
    ));
    Ok(vec![t])
}

/// Each seed defect beside its fix.
pub fn seed(ctx: &Ctx) -> Tables {
    let mut t = Table::new(["defect", "seed's code, ported", "fix"])
        .align(1, Align::Left)
        .align(2, Align::Left);
    let s = figures::shutdown(ctx)?;
    let fewest = s.seed_completed.iter().copied().min().unwrap_or(0);
    t.row([
        "D13 jobs lost at shutdown".to_string(),
        format!("{fewest} of {} ran after cancel()", s.jobs),
        format!("{} of {} ran (shutdown drains)", s.ours_completed, s.jobs),
    ]);
    let u = figures::undrained(ctx)?;
    t.row([
        "D14 undrained results".to_string(),
        format!("{} processed, then {} (child)", u.seed_processed, u.seed_ended),
        format!("{} ran, {} counted undelivered", u.ours_completed, u.ours_undelivered),
    ]);
    let c = figures::slow_callbacks(ctx)?;
    t.row([
        "D19 callback on the worker".to_string(),
        format!("{} of {} plain tasks done while callbacks block", c.seed_done, c.plain),
        format!("{} of {} done (callbacks on the caller's side)", c.ours_done, c.plain),
    ]);
    let h = figures::task_handling(ctx)?;
    t.row([
        "D20 unknown type, whole-file read".to_string(),
        format!(
            "\"delete\": {}; reading {} holds {}",
            if h.seed_unknown_ok { "no error" } else { "error" },
            format_bytes(h.file_size as f64),
            format_bytes(h.seed_read_held as f64)
        ),
        format!(
            "\"delete\": {}; copy holds {}",
            if h.fix_unknown_rejected { "rejected" } else { "accepted" },
            format_bytes(h.fix_held as f64)
        ),
    ]);
    let th = figures::threads(ctx)?;
    t.row([
        "D21 no Stop".to_string(),
        format!("threads {} → {} after drop (child)", th.start, th.after_seed),
        format!("threads {} → {} after drop", th.after_seed, th.after_ours),
    ]);
    let q = figures::full_queue(ctx)?;
    t.row([
        "D22 silent drop".to_string(),
        format!("{} of {} tasks gone, no error", q.seed_silent, q.offered),
        format!("{} handed back in Err(Full)", q.ours_returned),
    ]);
    let p = figures::partial_batch(ctx)?;
    t.row([
        "D23 no timer, never started".to_string(),
        format!(
            "{} task buffered after 3 × flushTimeout; {} of {} processed",
            p.seed_buffered_after_wait, p.seed_processed_full_batch, p.batch
        ),
        format!(
            "{} flushed at the deadline; {} of {} run",
            p.fix_flushed_after, p.fix_processed_full_batch, p.batch
        ),
    ]);
    let cons = figures::consumers(ctx)?;
    t.row([
        "D50 output never closed".to_string(),
        format!(
            "consumer got {} of {}, finished: {} (child)",
            cons.seed_received,
            cons.items,
            yes(cons.seed_finished)
        ),
        format!("got {}, finished: {}", cons.fix_received, yes(cons.fix_finished)),
    ]);
    let r = figures::requests(ctx)?;
    let d = figures::shared_append(ctx)?;
    t.row([
        "D57 shared append".to_string(),
        format!(
            "to a Vec: rustc {}; two interleaved appends keep {}",
            d.describe(),
            r.interleaved_len
        ),
        format!("{} answered once, in order: {}", r.requests, yes(r.fix_in_order)),
    ]);
    let z = figures::closed_queue(ctx)?;
    t.row([
        "D74 zero values after close".to_string(),
        format!("{} jobs nobody sent, in {} ms", z.seed_zero_jobs, z.window.as_millis()),
        format!("{} of {} sent, then stop", z.ours_ran, z.sent),
    ]);
    let un = figures::undefined(ctx)?;
    t.row([
        "D75 undefined pieces".to_string(),
        format!("rustc: {}", un.port.describe()),
        format!("defined: {}", if un.defined.compiled { "compiles" } else { "fails" }),
    ]);
    t.note(
        "\"(child)\": run in a child process, killed after its time-out when it hangs.",
    );
    Ok(vec![t])
}

/// Seed 003's semaphore and `HandleRequests`, and the select! split.
pub fn requests(ctx: &Ctx) -> Tables {
    let r = figures::requests(ctx)?;
    let split = figures::select_split(ctx)?;
    let mut t = Table::new(["", "seed 003's HandleRequests, ported", "fixed"])
        .align(0, Align::Left);
    t.row([
        "most requests in flight at once".to_string(),
        r.seed_most_in_flight.to_string(),
        r.fix_most_in_flight.to_string(),
    ]);
    t.row([
        "responses kept".to_string(),
        format!("{} of {}", r.seed_responses, r.requests),
        format!(
            "{} of {}, in order: {}",
            if r.fix_in_order { r.requests } else { 0 },
            r.requests,
            yes(r.fix_in_order)
        ),
    ]);
    t.row([
        "two appends that both read the length first".to_string(),
        format!("{} of 2 kept", r.interleaved_len),
        "n/a: each request owns its slot".into(),
    ]);
    t.note(format!(
        "{} requests of {} each, at most 100 at once. select! with two cases ready took the first {:.1}% of {} times, as Go's select does.",
        r.requests,
        format_nanos(super::seed_port::handle_requests::PROCESS_TIME.as_nanos() as f64),
        100.0 * split.0 as f64 / split.1 as f64,
        split.1
    ));
    Ok(vec![t])
}
