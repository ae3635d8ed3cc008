//! Checks about serving files: confinement to the root, the memory a
//! connection needs (and what a buffer pool changes), where sendfile
//! applies, and surviving clients that go away. The measuring is in
//! `confinement.rs`, `memory.rs` and `robustness.rs`, taken once per run by
//! `figures.rs`.

use super::flag;
use crate::claims::{
    CheckError, Ctx, Evidence, Facts, Measured, Outcome::*, Rule, Threshold, Unit,
    Verdict, example,
};
use crate::measure::paired::{Effect, MIN_EFFECT};
use crate::table::{format_bytes, format_nanos};
use crate::zero_copy::confinement::{Confinement, Outcome};
use crate::zero_copy::figures::{self, Heaps, POOL_FILE_SIZES};

const SEED_LEAKS: &str = "secret leaked: seed's rootDir + \"/\" + name";
const DOTDOT_LEAKS: &str = "`..` requests that leaked with the seed's concatenation";
const JOIN_LEAKS: &str = "secret leaked: Path::join(name)";
const SERVER_SERVED: &str = "answered 200/206 or leaked: the chapter's server";

fn confinement_evidence(c: &Confinement) -> Evidence {
    let mut ev = Evidence::new(format!(
        "{} hostile request targets (`..`, escapes, absolute, symlinks out, NUL, \
         directories, a 4 KiB+ path, a FIFO) against a root with a secret file beside it",
        c.rows.len()
    ));
    ev.add("hostile requests", c.rows.len() as f64, Unit::Count);
    let leaked = |o: Option<Outcome>| o == Some(Outcome::Leaked);
    ev.add(SEED_LEAKS, c.count(|r| leaked(r.seed)) as f64, Unit::Count);
    ev.add(
        DOTDOT_LEAKS,
        c.count(|r| r.what.contains("`..`") && leaked(r.seed)) as f64,
        Unit::Count,
    );
    ev.add(JOIN_LEAKS, c.count(|r| leaked(r.join)) as f64, Unit::Count);
    ev.add(
        "directories opened by the seed's code",
        c.count(|r| r.seed == Some(Outcome::OpenedDirectory)) as f64,
        Unit::Count,
    );
    ev.add(
        SERVER_SERVED,
        c.count(|r| r.server_leaked || r.status == 200 || r.status == 206) as f64,
        Unit::Count,
    );
    ev
}

/// C000-04 and D03: the fixture's hostile requests against the seed's
/// concatenation, `Path::join` and the chapter's server.
pub fn c000_04_confinement(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::confinement(ctx)?;
    let ev = confinement_evidence(c);
    let get = |n| ev.get(n).unwrap_or(f64::NAN);
    let summary = format!(
        "the secret outside the root leaked for {} of {} hostile requests with the seed's \
         concatenation ({} of them `..`), {} with Path::join, {} with the chapter's server",
        get(SEED_LEAKS),
        c.rows.len(),
        get(DOTDOT_LEAKS),
        get(JOIN_LEAKS),
        get(SERVER_SERVED)
    );
    Ok(Measured::new(ev, summary))
}

/// D03's measurement: the same as C000-04.
pub fn d03_path_traversal(ctx: &Ctx) -> Result<Measured, CheckError> {
    c000_04_confinement(ctx)
}

/// Confirmed when the seed's code kept every hostile request inside.
pub const C000_04: Rule = Rule {
    says: "confirmed when no hostile request got the secret through the seed's \
           rootDir + \"/\" + filename; refuted when any did",
    inputs: &[SEED_LEAKS],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(SEED_LEAKS) == 0.0),
    examples: &[
        example(&[(SEED_LEAKS, 0.0)], Confirmed),
        example(&[(SEED_LEAKS, 8.0)], Refuted),
    ],
};

/// Reproduced when a `..` request escaped through the seed's code while the
/// server refused every hostile request.
pub const D03: Rule = Rule {
    says: "reproduced when a `..` request got the secret through the seed's \
           concatenation while the chapter's server served no hostile request; not \
           reproduced when no `..` request escaped; unverifiable when the server failed too",
    inputs: &[DOTDOT_LEAKS, SERVER_SERVED],
    thresholds: &[],
    decide: |f| {
        if f.get(DOTDOT_LEAKS) == 0.0 {
            Verdict::Refuted
        } else if f.get(SERVER_SERVED) == 0.0 {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("the chapter's server served a hostile request too")
        }
    },
    examples: &[
        example(&[(DOTDOT_LEAKS, 5.0), (SERVER_SERVED, 0.0)], Confirmed),
        example(&[(DOTDOT_LEAKS, 0.0)], Refuted),
        example(&[(DOTDOT_LEAKS, 5.0), (SERVER_SERVED, 1.0)], Unverifiable),
    ],
};

const USER_SAVED: &str = "memory per connection saved by sendfile, user space only";
const ALL_SAVED: &str =
    "memory per connection saved by sendfile, socket buffers included";
const MORE_USER: &str =
    "connections in the same memory, sendfile ÷ loop, user space only";
const MORE_ALL: &str =
    "connections in the same memory, sendfile ÷ loop, socket buffers included";

/// The memory a connection costs with each method: heap (its buffers, per
/// connection and per request) and the kernel's socket buffers with a
/// client that stopped reading.
fn memory_evidence(h: &Heaps, (sf_q, cl_q): (u64, u64)) -> (Evidence, [f64; 4]) {
    let mut ev = Evidence::new(
        "one keep-alive connection to the chapter's server, served on the measuring thread \
         (1 then 5 requests for a 256 KiB file separate per-connection from per-request \
         heap); socket buffers: a 64 MiB file sent to a client that reads nothing until the \
         socket takes no more, then SIOCOUTQ (sender) + SIOCINQ (receiver)",
    );
    let sf_user = ev.add(
        "user memory per connection, sendfile (heap per connection + per request)",
        (h.sendfile.per_connection + h.sendfile.per_request) as f64,
        Unit::Bytes,
    );
    let cl_user = ev.add(
        "user memory per connection, 64 KiB loop (heap per connection + per request)",
        (h.copy_loop.per_connection + h.copy_loop.per_request) as f64,
        Unit::Bytes,
    );
    let sf_q = ev.add(
        "kernel socket buffers per connection, sendfile",
        sf_q as f64,
        Unit::Bytes,
    );
    let cl_q = ev.add(
        "kernel socket buffers per connection, 64 KiB loop",
        cl_q as f64,
        Unit::Bytes,
    );
    ev.add(
        "kernel send buffer per socket, at most (tcp_wmem)",
        crate::measure::procfs::read_sys_numbers("/proc/sys/net/ipv4/tcp_wmem")
            .and_then(|v| v.get(2).copied())
            .map_or(f64::NAN, |v| v as f64),
        Unit::Bytes,
    );
    let savings = [
        ev.add(USER_SAVED, 1.0 - sf_user / cl_user, Unit::Fraction),
        ev.add(ALL_SAVED, 1.0 - (sf_user + sf_q) / (cl_user + cl_q), Unit::Fraction),
        ev.add(MORE_USER, cl_user / sf_user, Unit::Ratio),
        ev.add(MORE_ALL, (cl_user + cl_q) / (sf_user + sf_q), Unit::Ratio),
    ];
    (ev, savings)
}

/// C002-09 and C002-10: what a connection costs in memory with each method.
pub fn c002_09_memory(ctx: &Ctx) -> Result<Measured, CheckError> {
    let h = figures::heaps(ctx)?;
    let q = figures::socket_buffers(ctx)?;
    let (ev, [user, all, more_user, more_all]) = memory_evidence(h, *q);
    let summary = format!(
        "per connection: {} of heap with sendfile, {} with the 64 KiB loop (−{:.0}%); with \
         the kernel's socket buffers ({} and {}) counted, −{:.0}%; connections in the same \
         memory: {more_user:.2}× then {more_all:.2}×",
        format_bytes((h.sendfile.per_connection + h.sendfile.per_request) as f64),
        format_bytes((h.copy_loop.per_connection + h.copy_loop.per_request) as f64),
        user * 100.0,
        format_bytes(q.0 as f64),
        format_bytes(q.1 as f64),
        all * 100.0
    );
    Ok(Measured::new(ev, summary))
}

/// C002-10's measurement: the same as C002-09.
pub fn c002_10_more_connections(ctx: &Ctx) -> Result<Measured, CheckError> {
    c002_09_memory(ctx)
}

/// Confirmed when the saving reaches the seed's −40% with the socket
/// buffers counted; refuted when it does not even without them.
pub const C002_09: Rule = Rule {
    says: "confirmed when sendfile saves at least memory_target of a connection's memory \
           with the kernel's socket buffers counted; refuted when it saves less even in \
           user space alone; otherwise holds only when counting user-space memory",
    inputs: &[USER_SAVED, ALL_SAVED],
    thresholds: &[Threshold {
        name: "memory_target",
        value: 0.4,
        unit: Unit::Fraction,
        source: "seed 002 §1.5.1.1.5.1 L111: memory use −40–80% (the lower end; more \
                 exceeds the target)",
    }],
    decide: |f| {
        let target = f.limit("memory_target");
        if f.get(ALL_SAVED) >= target {
            Verdict::Confirmed
        } else if f.get(USER_SAVED) < target {
            Verdict::Refuted
        } else {
            f.holds_only_when(
                "\"memory\" means the connection's user-space buffers, which sendfile \
                 does without; the kernel's socket buffers, the same for both methods, \
                 are most of a connection's memory and are not saved",
                USER_SAVED,
                ALL_SAVED,
            )
        }
    },
    examples: &[
        example(&[(ALL_SAVED, 0.5)], Confirmed),
        example(&[(ALL_SAVED, 0.01), (USER_SAVED, 0.1)], Refuted),
        example(&[(ALL_SAVED, 0.01), (USER_SAVED, 0.88)], HoldsOnlyWhen),
    ],
};

/// Confirmed when sendfile fits at least `more_connections` × as many
/// connections in the same memory with socket buffers counted.
pub const C002_10: Rule = Rule {
    says: "confirmed when the same memory holds at least more_connections × as many \
           sendfile connections as loop connections with the kernel's socket buffers \
           counted; refuted when not even in user space alone; otherwise holds only when \
           per-connection user memory is the limit",
    inputs: &[MORE_USER, MORE_ALL],
    thresholds: &[Threshold {
        name: "more_connections",
        value: 1.1,
        unit: Unit::Ratio,
        source: "convention: at least 10% more connections; below that, \"more\" is \
                 within what the kernel's buffer autotuning moves from one connection to \
                 the next",
    }],
    decide: |f| {
        let min = f.limit("more_connections");
        if f.get(MORE_ALL) >= min {
            Verdict::Confirmed
        } else if f.get(MORE_USER) < min {
            Verdict::Refuted
        } else {
            f.holds_only_when(
                "per-connection user memory is the limit; the kernel's socket buffers, \
                 threads and file descriptors cost the same with either method",
                MORE_USER,
                MORE_ALL,
            )
        }
    },
    examples: &[
        example(&[(MORE_ALL, 2.0)], Confirmed),
        example(&[(MORE_ALL, 1.0), (MORE_USER, 1.0)], Refuted),
        example(&[(MORE_ALL, 1.01), (MORE_USER, 8.0)], HoldsOnlyWhen),
    ],
};

const FROM_FILE: &str = "bytes sent from a regular file";
const FROM_PIPE: &str = "bytes sent from a pipe";
const FROM_SOCKET: &str = "bytes sent from a socket";
const SOURCE_SIZE: &str = "regular file size";

/// C002-11: sendfile from a regular file (a static asset, a backup, a log),
/// a pipe and a socket (a live or generated stream).
pub fn c002_11_where_sendfile_applies(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::sources(ctx)?;
    let mut ev = Evidence::new(
        "sendfile to a TCP socket on 127.0.0.1 from three sources: a regular file (a static \
         asset, a backup, a log), a pipe and a socket (a live or generated stream)",
    );
    ev.add(SOURCE_SIZE, s.size as f64, Unit::Bytes);
    ev.add(FROM_FILE, s.from_file as f64, Unit::Bytes);
    ev.add(FROM_PIPE, s.from_pipe as f64, Unit::Bytes);
    ev.add(FROM_SOCKET, s.from_socket as f64, Unit::Bytes);
    ev.add(
        "the pipe and the socket were refused with EINVAL",
        flag(s.refused_with_einval),
        Unit::Bool,
    );
    let summary = format!(
        "sendfile moved all {} of a regular file, {} from a pipe and {} from a socket{}",
        format_bytes(s.from_file as f64),
        format_bytes(s.from_pipe as f64),
        format_bytes(s.from_socket as f64),
        if s.refused_with_einval { " (EINVAL for both)" } else { "" }
    );
    Ok(Measured::new(ev, summary))
}

/// "Holds only when" the source is a regular file, when a pipe or socket is
/// refused.
pub const C002_11: Rule = Rule {
    says: "refuted when sendfile could not send a whole regular file; confirmed when it \
           also sent from a pipe and a socket (live streams); otherwise holds only when the \
           bytes are a file's",
    inputs: &[FROM_FILE, SOURCE_SIZE, FROM_PIPE, FROM_SOCKET],
    thresholds: &[],
    decide: |f| {
        if f.get(FROM_FILE) < f.get(SOURCE_SIZE) {
            Verdict::Refuted
        } else if f.get(FROM_PIPE) > 0.0 && f.get(FROM_SOCKET) > 0.0 {
            Verdict::Confirmed
        } else {
            f.holds_only_when(
                "the bytes are a file's, unchanged, going to a plaintext socket: not for \
                 live streams (no file: sendfile refuses a pipe or socket source), nor TLS \
                 without kTLS, compression or transcoding (the bytes must change in user \
                 space)",
                FROM_FILE,
                FROM_PIPE,
            )
        }
    },
    examples: &[
        example(&[(FROM_FILE, 0.0), (SOURCE_SIZE, 1e6)], Refuted),
        example(
            &[
                (FROM_FILE, 1e6),
                (SOURCE_SIZE, 1e6),
                (FROM_PIPE, 21.0),
                (FROM_SOCKET, 19.0),
            ],
            Confirmed,
        ),
        example(&[(FROM_FILE, 1e6), (SOURCE_SIZE, 1e6), (FROM_PIPE, 0.0)], HoldsOnlyWhen),
    ],
};

const FRESH_HEAP: &str =
    "copy-loop server: heap bytes per request, a new buffer per response";
const POOLED_HEAP: &str = "copy-loop server: heap bytes per request, pooled buffers";

/// `serving CPU per request, pooled ÷ new buffer, 64 KiB file: median`.
fn pool_figure(size: &str, stat: &str) -> String {
    format!("serving CPU per request, pooled ÷ new buffer, {size} file: {stat}")
}

/// C002-12: buffer pools, tested where a request does allocate a buffer:
/// the server's copy-loop path, with a new buffer per response against
/// pooled buffers; heap per request, and the serving thread's CPU per
/// request, round by round.
pub fn c002_12_buffer_pools(ctx: &Ctx) -> Result<Measured, CheckError> {
    let h = figures::heaps(ctx)?;
    let timings = figures::pool_timing(ctx)?;
    let mut ev = Evidence::new(format!(
        "the chapter's server with a 64 KiB read/write loop, one keep-alive connection \
         served on the measuring thread: heap per request (counting allocator), and the \
         serving thread's CPU time per request for files of {}, the two servers taking \
         turns for {} rounds; ratios pooled ÷ new buffer per round",
        POOL_FILE_SIZES.map(|s| format_bytes(s as f64)).join(" and "),
        timings.first().map_or(0, |t| t.ratio.n)
    ));
    ev.add(FRESH_HEAP, h.copy_loop.per_request as f64, Unit::Bytes);
    ev.add(POOLED_HEAP, h.pooled.per_request as f64, Unit::Bytes);
    ev.add(
        "sendfile server: heap bytes per request",
        h.sendfile.per_request as f64,
        Unit::Bytes,
    );
    let mut parts = Vec::new();
    for t in timings {
        let size = format_bytes(t.file_size as f64);
        ev.add(
            format!("serving CPU per request, new buffer, {size} file"),
            t.fresh_ns,
            Unit::Nanos,
        );
        ev.add(
            format!("serving CPU per request, pooled, {size} file"),
            t.pooled_ns,
            Unit::Nanos,
        );
        for (stat, v) in [
            ("first quartile", t.ratio.q1),
            ("median", t.ratio.median),
            ("third quartile", t.ratio.q3),
        ] {
            ev.add(pool_figure(&size, stat), v, Unit::Ratio);
        }
        parts.push(format!(
            "{size} file: {} pooled vs {} ({})",
            format_nanos(t.pooled_ns),
            format_nanos(t.fresh_ns),
            t.ratio.describe()
        ));
    }
    let summary = format!(
        "the pool took the copy loop from {} to {} of heap per request; serving CPU per \
         request: {}; the sendfile path allocates {} per request (nothing to pool)",
        format_bytes(h.copy_loop.per_request as f64),
        format_bytes(h.pooled.per_request as f64),
        parts.join("; "),
        format_bytes(h.sendfile.per_request as f64)
    );
    Ok(Measured::new(ev, summary))
}

/// Whether the pool's CPU per request fell beyond the noise band at `size`.
fn pool_faster(f: &Facts<'_>, size: &str) -> bool {
    let p = crate::measure::paired::Paired {
        n: 0,
        q1: f.get(&pool_figure(size, "first quartile")),
        median: f.get(&pool_figure(size, "median")),
        q3: f.get(&pool_figure(size, "third quartile")),
    };
    p.effect_beyond(f.limit("min_effect")) == Effect::Lower
}

/// Refuted when the pool saves no heap; confirmed when it also saves CPU
/// at both sizes; otherwise "holds only when", naming the side that holds.
pub const C002_12: Rule = Rule {
    says: "refuted when pooled buffers allocate as much per request as a new buffer per \
           response; confirmed when the serving CPU per request also falls beyond the \
           noise band and min_effect at both file sizes; otherwise holds only when \
           (counting heap, or at the file size where the CPU fell)",
    inputs: &[
        FRESH_HEAP,
        POOLED_HEAP,
        "serving CPU per request, pooled ÷ new buffer, 64 KiB file: first quartile",
        "serving CPU per request, pooled ÷ new buffer, 64 KiB file: median",
        "serving CPU per request, pooled ÷ new buffer, 64 KiB file: third quartile",
        "serving CPU per request, pooled ÷ new buffer, 1 MiB file: first quartile",
        "serving CPU per request, pooled ÷ new buffer, 1 MiB file: median",
        "serving CPU per request, pooled ÷ new buffer, 1 MiB file: third quartile",
    ],
    thresholds: &[Threshold {
        name: "min_effect",
        value: MIN_EFFECT,
        unit: Unit::Fraction,
        source: "convention: a change under 5%, however steady, is too small to make a \
                 practice worth following",
    }],
    decide: |f| {
        if f.get(POOLED_HEAP) >= f.get(FRESH_HEAP) {
            return Verdict::Refuted;
        }
        let (small, large) = ("64 KiB", "1 MiB");
        match (pool_faster(f, small), pool_faster(f, large)) {
            (true, true) => Verdict::Confirmed,
            (true, false) => f.holds_only_when(
                "the file is one buffer-full: there the new buffer's allocation and zeroing \
                 is a measurable part of a request; for a larger file the copying outweighs \
                 it",
                &pool_figure(small, "median"),
                &pool_figure(large, "median"),
            ),
            (false, true) => f.holds_only_when(
                "the file is large",
                &pool_figure(large, "median"),
                &pool_figure(small, "median"),
            ),
            (false, false) => f.holds_only_when(
                "what is counted is heap allocated per request: the pool removes it, but the \
                 serving CPU per request did not fall beyond the noise band at either size",
                FRESH_HEAP,
                &pool_figure(small, "median"),
            ),
        }
    },
    examples: &[
        example(&[(FRESH_HEAP, 65536.0), (POOLED_HEAP, 65536.0)], Refuted),
        example(
            &[
                (FRESH_HEAP, 65536.0),
                (POOLED_HEAP, 0.0),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: first quartile",
                    0.8,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: median",
                    0.85,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: third quartile",
                    0.9,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 1 MiB file: first quartile",
                    0.85,
                ),
                ("serving CPU per request, pooled ÷ new buffer, 1 MiB file: median", 0.9),
                (
                    "serving CPU per request, pooled ÷ new buffer, 1 MiB file: third quartile",
                    0.93,
                ),
            ],
            Confirmed,
        ),
        example(
            &[
                (FRESH_HEAP, 65536.0),
                (POOLED_HEAP, 0.0),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: first quartile",
                    0.8,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: median",
                    0.85,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: third quartile",
                    0.9,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 1 MiB file: first quartile",
                    0.95,
                ),
                ("serving CPU per request, pooled ÷ new buffer, 1 MiB file: median", 1.0),
                (
                    "serving CPU per request, pooled ÷ new buffer, 1 MiB file: third quartile",
                    1.05,
                ),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (FRESH_HEAP, 65536.0),
                (POOLED_HEAP, 0.0),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: first quartile",
                    0.95,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: median",
                    1.0,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 64 KiB file: third quartile",
                    1.05,
                ),
                (
                    "serving CPU per request, pooled ÷ new buffer, 1 MiB file: first quartile",
                    0.95,
                ),
                ("serving CPU per request, pooled ÷ new buffer, 1 MiB file: median", 1.0),
                (
                    "serving CPU per request, pooled ÷ new buffer, 1 MiB file: third quartile",
                    1.05,
                ),
            ],
            HoldsOnlyWhen,
        ),
    ],
};

const SF_PER_REQUEST: &str = "server, sendfile: heap bytes per request";

/// D52: a buffer pool for a sendfile server.
pub fn d52_pool_for_sendfile(ctx: &Ctx) -> Result<Measured, CheckError> {
    let h = figures::heaps(ctx)?;
    let mut ev = Evidence::new(
        "one keep-alive connection to the chapter's server; heap per request on each path",
    );
    ev.add(SF_PER_REQUEST, h.sendfile.per_request as f64, Unit::Bytes);
    ev.add(
        "server, sendfile: allocations per request",
        h.sendfile.allocs_per_request as f64,
        Unit::Count,
    );
    ev.add(
        "server, 64 KiB loop: heap bytes per request",
        h.copy_loop.per_request as f64,
        Unit::Bytes,
    );
    ev.add(
        "server, 64 KiB loop: allocations per request",
        h.copy_loop.allocs_per_request as f64,
        Unit::Count,
    );
    let summary = format!(
        "the sendfile path allocates {} per request, so a buffer pool would hold buffers \
         nothing uses; only the fallback loop ({} per request) could use one",
        format_bytes(h.sendfile.per_request as f64),
        format_bytes(h.copy_loop.per_request as f64)
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the sendfile path allocates nothing per request.
pub const D52: Rule = Rule {
    says: "reproduced when a request on the sendfile path allocates no heap (a pool there \
           holds buffers nothing uses); not reproduced when it allocates some",
    inputs: &[SF_PER_REQUEST],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(SF_PER_REQUEST) == 0.0),
    examples: &[
        example(&[(SF_PER_REQUEST, 0.0)], Confirmed),
        example(&[(SF_PER_REQUEST, 65536.0)], Refuted),
    ],
};

const MISSING: &str = "status for a missing file";
const CLEAN: &str = "sendfile to a closed peer: an error, not a crash";
const KILLED: &str = "default SIGPIPE action: process killed by SIGPIPE";
const SURVIVES: &str = "after ignore_sigpipe(): process survives";
const RESUMED: &str = "resumed with Range: 206 and an intact file";

/// C002-13: a missing file, a peer that has gone, SIGPIPE, and a dropped
/// download resumed with `Range`.
pub fn c002_13_errors(ctx: &Ctx) -> Result<Measured, CheckError> {
    let e = figures::errors(ctx)?;
    let mut ev = Evidence::new(
        "the chapter's server and sendfile_all on 127.0.0.1; SIGPIPE demonstrations in child \
         processes with its default action restored",
    );
    ev.add(MISSING, f64::from(e.missing_status), Unit::Count);
    let clean = matches!(
        e.closed_peer,
        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
    );
    ev.add(CLEAN, flag(clean), Unit::Bool);
    ev.add(KILLED, flag(e.killed_by_sigpipe), Unit::Bool);
    ev.add(SURVIVES, flag(e.guarded_survived), Unit::Bool);
    ev.add("bytes before the client dropped", e.before_drop as f64, Unit::Bytes);
    ev.add(RESUMED, flag(e.resumed), Unit::Bool);
    let summary = format!(
        "missing file → {}; closed peer → {:?} (a default SIGPIPE action would kill the \
         process: {}); a Range retry from byte {} rebuilt the file: {}",
        e.missing_status,
        e.closed_peer,
        e.killed_how,
        e.before_drop,
        if e.resumed { "yes" } else { "no" }
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when every failure is handled as the advice says (and the
/// unhandled SIGPIPE shows why it must be).
pub const C002_13: Rule = Rule {
    says: "confirmed when a missing file gets a 404, a closed peer an error value, the \
           default SIGPIPE action kills a process that does not guard against it while \
           the guarded one survives, and a Range retry resumes the download intact; \
           refuted when any of these fails",
    inputs: &[MISSING, CLEAN, KILLED, SURVIVES, RESUMED],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get(MISSING) == 404.0
                && f.get(CLEAN) != 0.0
                && f.get(KILLED) != 0.0
                && f.get(SURVIVES) != 0.0
                && f.get(RESUMED) != 0.0,
        )
    },
    examples: &[
        example(
            &[
                (MISSING, 404.0),
                (CLEAN, 1.0),
                (KILLED, 1.0),
                (SURVIVES, 1.0),
                (RESUMED, 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (MISSING, 404.0),
                (CLEAN, 1.0),
                (KILLED, 1.0),
                (SURVIVES, 1.0),
                (RESUMED, 0.0),
            ],
            Refuted,
        ),
        example(&[(MISSING, 500.0)], Refuted),
    ],
};
