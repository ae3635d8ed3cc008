//! Seed 000 §1.4 (L447-610): `AsyncIOProcessor` (C000-21, D19, D20, D21)
//! and `BatchIOProcessor` (C000-23, C000-24, D22, D23), ported, beside
//! [`WorkerPool`](crate::worker_pools::WorkerPool), the
//! [`Batcher`](crate::worker_pools::Batcher) and io_uring.

use super::{YES, evidence, flag};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, example,
};
use crate::table::{format_bytes, format_nanos};
use crate::worker_pools::figures;
use crate::worker_pools::file_io::{SLOW, Way};

const YES_T: Threshold = Threshold {
    name: "yes",
    value: YES,
    unit: Unit::Bool,
    source: "a yes/no figure (1 = yes)",
};

/// C000-21: "`AsyncIOProcessor` provides asynchronous I/O". How many reads
/// the port keeps in flight per worker thread (FIFOs nobody writes, counted
/// by the kernel), and how many one io_uring thread keeps.
pub fn c000_21_async_io(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (blocked, results) = *figures::blocked_reads(ctx)?;
    let reads = figures::reads(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "the port (4 workers) given {} reads of FIFOs nobody writes, in a child: a FIFO \
             whose reader waits accepts a non-blocking open for writing; io_uring: {} reads \
             each behind a {} timeout, {} per enter, one thread",
            crate::worker_pools::io_processors::FIFOS,
            reads.slow_requests,
            format_nanos(SLOW.as_nanos() as f64),
            crate::worker_pools::file_io::DEPTH
        ),
    );
    ev.add("seed port: worker threads", 4.0, Unit::Count);
    ev.add("seed port: reads in flight at once", blocked as f64, Unit::Count);
    ev.add("seed port: results after release", results as f64, Unit::Count);
    let uring = match &reads.of(Way::Uring)?.slow {
        Ok(r) => {
            let in_flight = reads.slow_requests as f64 * SLOW.as_nanos() as f64
                / r.elapsed.as_nanos().max(1) as f64;
            ev.add(
                "io_uring: requests in flight from one thread",
                in_flight,
                Unit::Ratio,
            );
            format!("{in_flight:.0} requests in flight from one thread")
        }
        Err(e) => format!("not measured ({e})"),
    };
    let summary = format!(
        "the port's 4 workers held {blocked} reads in flight, one blocked thread each: \
         blocking I/O on worker threads; io_uring: {uring}"
    );
    Ok(Measured::new(ev, summary))
}

/// Refuted when the port keeps no more reads in flight than it has threads.
pub const C000_21: Rule = Rule {
    says: "refuted when the port keeps at most one read in flight per worker thread (each \
           read blocks its thread); confirmed when it keeps more",
    inputs: &["seed port: reads in flight at once", "seed port: worker threads"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: reads in flight at once")
                > f.get("seed port: worker threads"),
        )
    },
    examples: &[
        example(
            &[
                ("seed port: reads in flight at once", 4.0),
                ("seed port: worker threads", 4.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("seed port: reads in flight at once", 8.0),
                ("seed port: worker threads", 4.0),
            ],
            Confirmed,
        ),
    ],
};

fn partial_batch_evidence(ctx: &Ctx, what: &str) -> Result<Measured, CheckError> {
    let p = figures::partial_batch(ctx)?;
    let timeout = format_nanos(p.timeout.as_nanos() as f64);
    let mut ev = evidence(
        ctx,
        &format!(
            "{what}: batch {}, flushTimeout {timeout}; the port waited 3 × {timeout} for \
             real, the Batcher's clock was moved by hand",
            p.batch
        ),
    );
    ev.add("batch size", p.batch as f64, Unit::Count);
    ev.add(
        "seed port: tasks still buffered after 3 × flushTimeout",
        p.seed_buffered_after_wait as f64,
        Unit::Count,
    );
    ev.add(
        "seed port: tasks processed of a full batch",
        p.seed_processed_full_batch as f64,
        Unit::Count,
    );
    ev.add(
        "Batcher: items flushed before its deadline",
        p.fix_flushed_before as f64,
        Unit::Count,
    );
    ev.add(
        "Batcher: items flushed after its deadline",
        p.fix_flushed_after as f64,
        Unit::Count,
    );
    ev.add(
        "WorkerPool: tasks run of the full batch",
        p.fix_processed_full_batch as f64,
        Unit::Count,
    );
    let summary = format!(
        "one task still sat in the port's buffer after 3 × {timeout} (flushTimeout is never \
         read), and of a full batch of {} it processed {} (its processor is never started); \
         the Batcher flushed {} item at its deadline and the pool ran {} of the full batch",
        p.batch,
        p.seed_processed_full_batch,
        p.fix_flushed_after,
        p.fix_processed_full_batch
    );
    Ok(Measured::new(ev, summary))
}

/// C000-23: "`BatchIOProcessor` flushes at batchSize or after flushTimeout".
pub fn c000_23_batch_flush(ctx: &Ctx) -> Result<Measured, CheckError> {
    partial_batch_evidence(ctx, "the seed's batch processor")
}

/// Refuted when a small batch is never flushed or a full one never processed.
pub const C000_23: Rule = Rule {
    says: "refuted when the port still holds a task after 3 × flushTimeout or processes none \
           of a full batch; confirmed when it flushes by time and processes the batch",
    inputs: &[
        "seed port: tasks still buffered after 3 × flushTimeout",
        "seed port: tasks processed of a full batch",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: tasks still buffered after 3 × flushTimeout") == 0.0
                && f.get("seed port: tasks processed of a full batch") > 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed port: tasks still buffered after 3 × flushTimeout", 1.0),
                ("seed port: tasks processed of a full batch", 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("seed port: tasks still buffered after 3 × flushTimeout", 0.0),
                ("seed port: tasks processed of a full batch", 10.0),
            ],
            Confirmed,
        ),
    ],
};

/// D23: no timer flush, and a processor never started.
pub fn d23_no_timer_no_start(ctx: &Ctx) -> Result<Measured, CheckError> {
    partial_batch_evidence(ctx, "the seed's batch processor beside a Batcher")
}

/// Reproduced when the port fails both ways and the fix does neither.
pub const D23: Rule = Rule {
    says: "reproduced when the port keeps a lone task past 3 × flushTimeout and processes \
           none of a full batch, while the Batcher flushes at its deadline and the pool runs \
           the batch",
    inputs: &[
        "seed port: tasks still buffered after 3 × flushTimeout",
        "seed port: tasks processed of a full batch",
        "Batcher: items flushed after its deadline",
        "WorkerPool: tasks run of the full batch",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: tasks still buffered after 3 × flushTimeout") > 0.0
                && f.get("seed port: tasks processed of a full batch") == 0.0
                && f.get("Batcher: items flushed after its deadline") > 0.0
                && f.get("WorkerPool: tasks run of the full batch") > 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed port: tasks still buffered after 3 × flushTimeout", 1.0),
                ("seed port: tasks processed of a full batch", 0.0),
                ("Batcher: items flushed after its deadline", 1.0),
                ("WorkerPool: tasks run of the full batch", 10.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed port: tasks still buffered after 3 × flushTimeout", 0.0),
                ("seed port: tasks processed of a full batch", 0.0),
                ("Batcher: items flushed after its deadline", 1.0),
                ("WorkerPool: tasks run of the full batch", 10.0),
            ],
            Refuted,
        ),
    ],
};

fn full_queue_evidence(ctx: &Ctx, what: &str) -> Result<Measured, CheckError> {
    let q = figures::full_queue(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{what}: {} tasks into queues of 1,000: the port's (batches of 10, processor \
             never started), and WorkerPool's with its 4 workers busy (try_submit)",
            q.offered
        ),
    );
    ev.add("tasks offered", q.offered as f64, Unit::Count);
    ev.add("seed port: tasks queued", q.seed_queued as f64, Unit::Count);
    ev.add("seed port: tasks gone without an error", q.seed_silent as f64, Unit::Count);
    ev.add("WorkerPool: tasks accepted", q.ours_accepted as f64, Unit::Count);
    ev.add(
        "WorkerPool: tasks handed back by try_submit",
        q.ours_returned as f64,
        Unit::Count,
    );
    ev.add(
        "WorkerPool: tasks neither accepted nor handed back",
        q.offered.saturating_sub(q.ours_accepted + q.ours_returned) as f64,
        Unit::Count,
    );
    ev.add("WorkerPool: accepted tasks run", q.ours_ran as f64, Unit::Count);
    let summary = format!(
        "of {} tasks the port queued {} and the other {} vanished: AddTask returned for each \
         with no error, callback or count; WorkerPool accepted {} and handed {} back in \
         Err(Full(task)), then ran all {} it accepted",
        q.offered,
        q.seed_queued,
        q.seed_silent,
        q.ours_accepted,
        q.ours_returned,
        q.ours_ran
    );
    Ok(Measured::new(ev, summary))
}

/// C000-24: "when the queue is full, tasks are dropped or waited for".
pub fn c000_24_full_queue(ctx: &Ctx) -> Result<Measured, CheckError> {
    full_queue_evidence(ctx, "a full queue")
}

/// Refuted when tasks vanish with nothing to tell the caller.
pub const C000_24: Rule = Rule {
    says: "refuted when the port drops tasks without an error, callback or count (it never \
           waits); confirmed when every task past the queue's capacity is waited for or \
           reported",
    inputs: &["seed port: tasks gone without an error"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("seed port: tasks gone without an error") == 0.0),
    examples: &[
        example(&[("seed port: tasks gone without an error", 10.0)], Refuted),
        example(&[("seed port: tasks gone without an error", 0.0)], Confirmed),
    ],
};

/// D22: silent drops when the queue is full.
pub fn d22_silent_drop(ctx: &Ctx) -> Result<Measured, CheckError> {
    full_queue_evidence(ctx, "silent drops")
}

/// Reproduced when the port drops silently and WorkerPool accounts for all.
pub const D22: Rule = Rule {
    says: "reproduced when the port drops tasks silently and WorkerPool accepts or hands \
           back every one",
    inputs: &[
        "seed port: tasks gone without an error",
        "WorkerPool: tasks neither accepted nor handed back",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: tasks gone without an error") > 0.0
                && f.get("WorkerPool: tasks neither accepted nor handed back") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed port: tasks gone without an error", 10.0),
                ("WorkerPool: tasks neither accepted nor handed back", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed port: tasks gone without an error", 0.0),
                ("WorkerPool: tasks neither accepted nor handed back", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D19: the callback runs on the I/O worker.
pub fn d19_callback_on_worker(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::slow_callbacks(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{} tasks whose callback waits on a gate, then {} plain reads, {} workers; \
             counted before the gate opens: the port (callbacks on its workers) and \
             WorkerPool (results to the caller, whose callback waits)",
            s.workers, s.plain, s.workers
        ),
    );
    ev.add("plain tasks", s.plain as f64, Unit::Count);
    ev.add(
        "seed port: plain tasks done while callbacks block",
        s.seed_done as f64,
        Unit::Count,
    );
    ev.add(
        "seed port: plain tasks done once released",
        s.seed_done_after as f64,
        Unit::Count,
    );
    ev.add(
        "WorkerPool: plain tasks done while the callback blocks",
        s.ours_done as f64,
        Unit::Count,
    );
    let summary = format!(
        "while {} slow callbacks ran, the port finished {} of {} plain tasks ({} once they \
         returned): each callback held a worker; WorkerPool finished {}",
        s.workers, s.seed_done, s.plain, s.seed_done_after, s.ours_done
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when slow callbacks stall the port and not our pool.
pub const D19: Rule = Rule {
    says: "reproduced when the port finishes fewer plain tasks than it was given while its \
           callbacks block, and WorkerPool finishes them all",
    inputs: &[
        "plain tasks",
        "seed port: plain tasks done while callbacks block",
        "WorkerPool: plain tasks done while the callback blocks",
    ],
    thresholds: &[],
    decide: |f| {
        let plain = f.get("plain tasks");
        f.confirmed_if(
            f.get("seed port: plain tasks done while callbacks block") < plain
                && f.get("WorkerPool: plain tasks done while the callback blocks")
                    >= plain,
        )
    },
    examples: &[
        example(
            &[
                ("plain tasks", 100.0),
                ("seed port: plain tasks done while callbacks block", 0.0),
                ("WorkerPool: plain tasks done while the callback blocks", 100.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("plain tasks", 100.0),
                ("seed port: plain tasks done while callbacks block", 100.0),
                ("WorkerPool: plain tasks done while the callback blocks", 100.0),
            ],
            Refuted,
        ),
    ],
};

/// D20: unknown type, whole-file reads, the close error.
pub fn d20_task_handling(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = figures::task_handling(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "processIOTask ported: a task of type \"delete\", a \"read\" of a {} file; the fix: \
             IoKind parsed from text, a 64 KiB streaming copy with sync_all; a BufWriter on \
             /dev/full dropped, and flushed",
            format_bytes(t.file_size as f64)
        ),
    );
    ev.add("seed port: unknown type gives no error", flag(t.seed_unknown_ok), Unit::Bool);
    ev.add("fix: unknown type rejected", flag(t.fix_unknown_rejected), Unit::Bool);
    ev.add("file size", t.file_size as f64, Unit::Bytes);
    ev.add(
        "seed port: bytes held to read the file",
        t.seed_read_held as f64,
        Unit::Bytes,
    );
    ev.add("fix: bytes held to copy the file", t.fix_held as f64, Unit::Bytes);
    ev.add(
        "BufWriter dropped on /dev/full: error seen",
        flag(t.dropped_writer_error_seen),
        Unit::Bool,
    );
    ev.add(
        "BufWriter flushed on /dev/full: error seen",
        flag(t.flushed_writer_error_seen),
        Unit::Bool,
    );
    let summary = format!(
        "type \"delete\": the port returns {} bytes and {}; the fix refuses it. Reading a {} \
         file the port holds {}, the streaming copy {}. A write error left to the close: \
         dropping a writer {} it, flushing {} it",
        t.seed_unknown_size,
        if t.seed_unknown_ok { "no error" } else { "an error" },
        format_bytes(t.file_size as f64),
        format_bytes(t.seed_read_held as f64),
        format_bytes(t.fix_held as f64),
        if t.dropped_writer_error_seen { "reports" } else { "loses" },
        if t.flushed_writer_error_seen { "reports" } else { "loses" },
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port accepts an unknown type and holds the whole file,
/// and the fix rejects it and streams.
pub const D20: Rule = Rule {
    says: "reproduced when the port answers an unknown type with no error and holds a whole \
           file in memory to read it, while the fix rejects the type and copies through a \
           buffer smaller than the file",
    inputs: &[
        "seed port: unknown type gives no error",
        "fix: unknown type rejected",
        "file size",
        "seed port: bytes held to read the file",
        "fix: bytes held to copy the file",
    ],
    thresholds: &[YES_T],
    decide: |f| {
        let file = f.get("file size");
        f.confirmed_if(
            f.get("seed port: unknown type gives no error") > f.limit("yes")
                && f.get("fix: unknown type rejected") > f.limit("yes")
                && f.get("seed port: bytes held to read the file") >= file
                && f.get("fix: bytes held to copy the file") < file,
        )
    },
    examples: &[
        example(
            &[
                ("seed port: unknown type gives no error", 1.0),
                ("fix: unknown type rejected", 1.0),
                ("file size", 16e6),
                ("seed port: bytes held to read the file", 16e6),
                ("fix: bytes held to copy the file", 65536.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed port: unknown type gives no error", 0.0),
                ("fix: unknown type rejected", 1.0),
                ("file size", 16e6),
                ("seed port: bytes held to read the file", 16e6),
                ("fix: bytes held to copy the file", 65536.0),
            ],
            Refuted,
        ),
    ],
};

/// D21: no Stop: the workers outlive the handle.
pub fn d21_no_stop(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = figures::threads(ctx)?;
    let mut ev = evidence(
        ctx,
        "a child counts its threads (/proc/self/status): at start, after an AsyncIOProcessor \
         of 4 workers is started and its handle dropped, after a WorkerPool of 4 is started \
         and dropped",
    );
    ev.add("workers", 4.0, Unit::Count);
    ev.add(
        "seed port: threads left after its handle was dropped",
        t.after_seed as f64 - t.start as f64,
        Unit::Count,
    );
    ev.add(
        "WorkerPool: threads left after drop",
        t.after_ours as f64 - t.after_seed as f64,
        Unit::Count,
    );
    let summary = format!(
        "threads: {} at start, {} after the port's handle was dropped (its {} workers live \
         on, blocked), {} after a WorkerPool of 4 was started and dropped ({} of its threads \
         left: closed and joined)",
        t.start,
        t.after_seed,
        t.after_seed.saturating_sub(t.start),
        t.after_ours,
        t.after_ours.saturating_sub(t.after_seed)
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port leaves its workers and WorkerPool leaves none.
pub const D21: Rule = Rule {
    says: "reproduced when dropping the port's handle leaves all its workers running and \
           dropping WorkerPool leaves none",
    inputs: &[
        "workers",
        "seed port: threads left after its handle was dropped",
        "WorkerPool: threads left after drop",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: threads left after its handle was dropped")
                >= f.get("workers")
                && f.get("WorkerPool: threads left after drop") <= 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("workers", 4.0),
                ("seed port: threads left after its handle was dropped", 4.0),
                ("WorkerPool: threads left after drop", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("workers", 4.0),
                ("seed port: threads left after its handle was dropped", 0.0),
                ("WorkerPool: threads left after drop", 0.0),
            ],
            Refuted,
        ),
    ],
};
