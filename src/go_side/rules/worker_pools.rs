//! Go rules for chapter 9, "Worker pools, batching and async I/O": seed
//! 000's worker pool and I/O processors, seed 001's pipeline stage and seed
//! 003's `HandleRequests`, rebuilt in Go (`go/worker_pools`) with the
//! mechanisms the claims are about (random `select`, a ticker per worker, a
//! receive without `ok`, `select` with `default`), and the race detector on
//! the shared `append` (`go/cmd/gorace append`).

use super::{ONE_ERROR, YES, at_least};
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// C000-15: a per-worker batching pool with a 10 ms ticker is "high-performance".
pub const C000_15: Rule = Rule {
    says: "refuted when the seed's design runs fewer than min_ratio × a plain pool's jobs per \
           second, saturated; holds only when the queue never runs dry if it keeps up but a \
           lone job waits more than max_p50; confirmed otherwise",
    inputs: &[
        "seed pool: p50 latency at low load",
        "seed pool ÷ plain pool, jobs per second, empty jobs",
    ],
    thresholds: &[
        Threshold {
            name: "max_p50",
            value: 100e3,
            unit: Unit::Nanos,
            source: "the chapter's latency target for a pool at low load (issue 14)",
        },
        Threshold {
            name: "min_ratio",
            value: 0.9,
            unit: Unit::Ratio,
            source: "convention: within 10% of a plain pool (a channel ranged over)",
        },
    ],
    decide: |f| {
        let keeps_up = f.get("seed pool ÷ plain pool, jobs per second, empty jobs")
            >= f.limit("min_ratio");
        let lone_waits = f.get("seed pool: p50 latency at low load") > f.limit("max_p50");
        match (keeps_up, lone_waits) {
            (false, _) => Verdict::Refuted,
            (true, true) => f.holds_only_when(
                "the queue never runs dry: at low load a lone job waits for the 10 ms ticker",
                "seed pool ÷ plain pool, jobs per second, empty jobs",
                "seed pool: p50 latency at low load",
            ),
            (true, false) => Verdict::Confirmed,
        }
    },
    examples: &[
        example(
            &[
                ("seed pool: p50 latency at low load", 5e6),
                ("seed pool ÷ plain pool, jobs per second, empty jobs", 0.1),
            ],
            Refuted,
        ),
        example(
            &[
                ("seed pool: p50 latency at low load", 5e6),
                ("seed pool ÷ plain pool, jobs per second, empty jobs", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("seed pool: p50 latency at low load", 20e3),
                ("seed pool ÷ plain pool, jobs per second, empty jobs", 1.0),
            ],
            Confirmed,
        ),
    ],
};

/// C000-16: a 10 ms ticker flushes partial batches.
pub const C000_16: Rule = Rule {
    says: "confirmed when every lone job comes out, none waiting longer than flush_bound; \
           refuted when one does not come out or waits longer",
    inputs: &[
        "lone jobs sent",
        "lone jobs delivered within 200 ms",
        "seed pool: longest wait",
    ],
    thresholds: &[Threshold {
        name: "flush_bound",
        value: 50e6,
        unit: Unit::Nanos,
        source: "five ticks of 10 ms: one tick's wait, and the scheduler's delays on a shared \
                 machine",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("lone jobs delivered within 200 ms") >= f.get("lone jobs sent")
                && f.get("seed pool: longest wait") <= f.limit("flush_bound"),
        )
    },
    examples: &[
        example(
            &[
                ("lone jobs sent", 100.0),
                ("lone jobs delivered within 200 ms", 100.0),
                ("seed pool: longest wait", 10.4e6),
            ],
            Confirmed,
        ),
        example(
            &[
                ("lone jobs sent", 100.0),
                ("lone jobs delivered within 200 ms", 99.0),
                ("seed pool: longest wait", 10.4e6),
            ],
            Refuted,
        ),
    ],
};

/// C000-17: on cancellation the remaining tasks are processed.
pub const C000_17: Rule = Rule {
    says: "refuted when a run of the seed's design, cancelled with jobs queued, ran fewer than \
           were queued; confirmed when every run ran them all",
    inputs: &["seed pool: fewest jobs run", "jobs queued"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get("seed pool: fewest jobs run") >= f.get("jobs queued"))
    },
    examples: &[
        example(&[("seed pool: fewest jobs run", 0.0), ("jobs queued", 1000.0)], Refuted),
        example(
            &[("seed pool: fewest jobs run", 1000.0), ("jobs queued", 1000.0)],
            Confirmed,
        ),
    ],
};

/// C000-21: the I/O processor provides asynchronous I/O.
pub const C000_21: Rule = Rule {
    says: "refuted when the design keeps at most one read in flight per worker (each read \
           holds its goroutine); confirmed when it keeps more",
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

/// C000-23: the batch processor flushes at batchSize or after flushTimeout.
pub const C000_23: Rule = Rule {
    says: "refuted when the design still holds a lone task after 3 × flushTimeout or processes \
           none of a full batch; confirmed otherwise",
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
pub const D23: Rule = Rule {
    says: "reproduced when the design keeps a lone task past 3 × flushTimeout and processes \
           none of a full batch",
    inputs: &[
        "seed port: tasks still buffered after 3 × flushTimeout",
        "seed port: tasks processed of a full batch",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: tasks still buffered after 3 × flushTimeout") > 0.0
                && f.get("seed port: tasks processed of a full batch") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed port: tasks still buffered after 3 × flushTimeout", 1.0),
                ("seed port: tasks processed of a full batch", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed port: tasks still buffered after 3 × flushTimeout", 0.0),
                ("seed port: tasks processed of a full batch", 10.0),
            ],
            Refuted,
        ),
    ],
};

/// C000-24: when the queue is full, tasks are dropped or waited for.
pub const C000_24: Rule = at_least! {
    says: "refuted when select's default drops at least one_task with no error, callback or \
           count; confirmed when none is dropped",
    input: "seed port: tasks gone without an error",
    threshold: "one_task" = 1.0, Unit::Count, "one task dropped unreported",
    at_or_above: Refuted(10.0),
    below: Confirmed(0.0),
};

/// D22: tasks dropped silently when the queue is full.
pub const D22: Rule = at_least! {
    says: "reproduced when select's default drops at least one_task with no error, callback \
           or count",
    input: "seed port: tasks gone without an error",
    threshold: "one_task" = 1.0, Unit::Count, "one task dropped unreported",
    at_or_above: Confirmed(10.0),
    below: Refuted(0.0),
};

fn races(f: &crate::claims::Facts<'_>) -> bool {
    f.get("race detector: reports") > 0.0
        || f.get("responses kept") < f.get("responses expected")
}

/// C003-30: `HandleRequests` is memory-friendly (and correct).
pub const C003_30: Rule = Rule {
    says: "refuted when the race detector reports the shared append or responses are lost; \
           confirmed otherwise",
    inputs: &["race detector: reports", "responses kept", "responses expected"],
    thresholds: &[],
    decide: |f| f.confirmed_if(!races(f)),
    examples: &[
        example(
            &[
                ("race detector: reports", 2.0),
                ("responses kept", 100.0),
                ("responses expected", 100.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("race detector: reports", 0.0),
                ("responses kept", 100.0),
                ("responses expected", 100.0),
            ],
            Confirmed,
        ),
    ],
};

/// D57: the shared append is a data race.
pub const D57: Rule = Rule {
    says: "reproduced when the race detector reports the shared append or responses are lost",
    inputs: &["race detector: reports", "responses kept", "responses expected"],
    thresholds: &[],
    decide: |f| f.confirmed_if(races(f)),
    examples: &[
        example(
            &[
                ("race detector: reports", 0.0),
                ("responses kept", 97.0),
                ("responses expected", 100.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("race detector: reports", 0.0),
                ("responses kept", 100.0),
                ("responses expected", 100.0),
            ],
            Refuted,
        ),
    ],
};

/// C003-31: a 100-slot channel caps concurrency at 100.
pub const C003_31: Rule = Rule {
    says: "confirmed when the most requests in process at once equals cap; refuted above it; \
           unverifiable below it (the slots never all filled)",
    inputs: &["seed port: most requests in process at once"],
    thresholds: &[Threshold {
        name: "cap",
        value: 100.0,
        unit: Unit::Count,
        source: "seed 003 L415, make(chan struct{}, 100)",
    }],
    decide: |f| {
        let (most, cap) =
            (f.get("seed port: most requests in process at once"), f.limit("cap"));
        if most > cap {
            Verdict::Refuted
        } else if most == cap {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("the 100 slots were never all taken at once")
        }
    },
    examples: &[
        example(&[("seed port: most requests in process at once", 100.0)], Confirmed),
        example(&[("seed port: most requests in process at once", 101.0)], Refuted),
        example(&[("seed port: most requests in process at once", 30.0)], Unverifiable),
    ],
};

/// D13: jobs lost on shutdown.
pub const D13: Rule = Rule {
    says: "reproduced when the seed's design loses queued jobs at cancel() and a plain pool, \
           closed instead, loses none",
    inputs: &["seed pool: jobs lost, worst run", "plain pool: jobs lost"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed pool: jobs lost, worst run") > 0.0
                && f.get("plain pool: jobs lost") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed pool: jobs lost, worst run", 1000.0),
                ("plain pool: jobs lost", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[("seed pool: jobs lost, worst run", 0.0), ("plain pool: jobs lost", 0.0)],
            Refuted,
        ),
    ],
};

/// D14: undrained results block every worker, and then the sender.
pub const D14: Rule = at_least! {
    says: "reproduced when the design, its results undrained, hangs (yes = 1)",
    input: "seed pool: hung",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure (1 = yes)",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// D19: the callback runs on the I/O worker.
pub const D19: Rule = Rule {
    says: "reproduced when the design finishes fewer plain tasks than it was given while its \
           callbacks block",
    inputs: &["plain tasks", "seed port: plain tasks done while callbacks block"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: plain tasks done while callbacks block")
                < f.get("plain tasks"),
        )
    },
    examples: &[
        example(
            &[
                ("plain tasks", 100.0),
                ("seed port: plain tasks done while callbacks block", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("plain tasks", 100.0),
                ("seed port: plain tasks done while callbacks block", 100.0),
            ],
            Refuted,
        ),
    ],
};

/// D20: an unknown type gives no error; ReadFile holds the whole file.
pub const D20: Rule = Rule {
    says: "reproduced when an unknown task type gives no error and a read holds the whole file",
    inputs: &[
        "seed port: unknown type gives no error",
        "file size",
        "seed port: bytes held to read the file",
    ],
    thresholds: &[Threshold {
        name: "yes",
        value: YES,
        unit: Unit::Bool,
        source: "a yes/no figure (1 = yes)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: unknown type gives no error") > f.limit("yes")
                && f.get("seed port: bytes held to read the file") >= f.get("file size"),
        )
    },
    examples: &[
        example(
            &[
                ("seed port: unknown type gives no error", 1.0),
                ("file size", 4e6),
                ("seed port: bytes held to read the file", 4.2e6),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed port: unknown type gives no error", 0.0),
                ("file size", 4e6),
                ("seed port: bytes held to read the file", 4.2e6),
            ],
            Refuted,
        ),
    ],
};

/// D21: no Stop: the workers outlive their processor.
pub const D21: Rule = Rule {
    says: "reproduced when dropping the processor leaves at least its workers' goroutines",
    inputs: &["workers", "seed port: goroutines left after its handle was dropped"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: goroutines left after its handle was dropped")
                >= f.get("workers"),
        )
    },
    examples: &[
        example(
            &[
                ("workers", 4.0),
                ("seed port: goroutines left after its handle was dropped", 4.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("workers", 4.0),
                ("seed port: goroutines left after its handle was dropped", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D50: the output is never closed.
pub const D50: Rule = Rule {
    says: "reproduced when the consumer receives every item and its range never ends",
    inputs: &["items", "seed port: items received", "seed port: consumer finished"],
    thresholds: &[Threshold {
        name: "yes",
        value: YES,
        unit: Unit::Bool,
        source: "a yes/no figure (1 = yes)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("seed port: items received") >= f.get("items")
                && f.get("seed port: consumer finished") < f.limit("yes"),
        )
    },
    examples: &[
        example(
            &[
                ("items", 10.0),
                ("seed port: items received", 10.0),
                ("seed port: consumer finished", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("items", 10.0),
                ("seed port: items received", 10.0),
                ("seed port: consumer finished", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// D74: a receive without `ok` spins on zero values after close.
pub const D74: Rule = Rule {
    says: "reproduced when the worker runs zero-value jobs after the close and a receive that \
           checks ok runs none",
    inputs: &[
        "seed pool: zero-value jobs run after close",
        "with ok checked: zero-value jobs run after close",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed pool: zero-value jobs run after close") > 0.0
                && f.get("with ok checked: zero-value jobs run after close") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("seed pool: zero-value jobs run after close", 30000.0),
                ("with ok checked: zero-value jobs run after close", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("seed pool: zero-value jobs run after close", 0.0),
                ("with ok checked: zero-value jobs run after close", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D75: `Job`, `Result`, `processJob`, `updateMetrics` are never defined.
pub const D75: Rule = Rule {
    says: "reproduced when Go's type checker reports at least one_error for the seed's shape \
           and none once the four are defined",
    inputs: &["type errors", "with the four defined: errors"],
    thresholds: &[ONE_ERROR],
    decide: |f| {
        f.confirmed_if(
            f.get("type errors") >= f.limit("one_error")
                && f.get("with the four defined: errors") == 0.0,
        )
    },
    examples: &[
        example(
            &[("type errors", 6.0), ("with the four defined: errors", 0.0)],
            Confirmed,
        ),
        example(&[("type errors", 0.0), ("with the four defined: errors", 0.0)], Refuted),
    ],
};
