//! Checks that run the seed's own code (ported in `seed_port.rs`) beside the
//! fix, on inputs where the port can pass as well as fail; the measuring is
//! in `ports_vs_fixes.rs`, taken once per run by `figures.rs`.
//!
//! A defect's rule reads both sides: the port fails and the fix passes →
//! reproduced; the port passes → not reproduced; both fail → unverifiable
//! (the comparison shows nothing).

use super::flag;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, Verdict, example,
};
use crate::table::format_bytes;
use crate::zero_copy::figures;
use crate::zero_copy::ports_vs_fixes::Compiled;

const SIZE: &str = "file size";
const ONE_SHOT: &str = "bytes sent by the seed's single sendfile call";
const ONE_SHOT_FAILED: &str = "the seed's function returned an error";
const LOOP_DELIVERED: &str = "bytes delivered intact by sendfile_all";

/// C000-03 and D01: seed 000's single `sendfile` call against
/// `sendfile_all`, on a non-blocking socket (as Go's are).
pub fn c000_03_one_sendfile_call(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::short_write(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} file → a non-blocking TCP socket on 127.0.0.1 (Go's sockets are non-blocking); \
         the one-shot port runs with no reader, as when the peer is slower than the sender",
        format_bytes(s.size as f64)
    ));
    ev.add(SIZE, s.size as f64, Unit::Bytes);
    ev.add(ONE_SHOT, s.one_shot_bytes as f64, Unit::Bytes);
    ev.add(ONE_SHOT_FAILED, flag(s.one_shot_failed), Unit::Bool);
    ev.add(LOOP_DELIVERED, if s.intact { s.delivered as f64 } else { 0.0 }, Unit::Bytes);
    ev.add("sendfile calls made by sendfile_all", s.looped.calls as f64, Unit::Count);
    ev.add("short counts sendfile_all resumed", s.looped.short as f64, Unit::Count);
    ev.add("EAGAIN waits (poll) in sendfile_all", s.looped.waits as f64, Unit::Count);
    let summary = format!(
        "one sendfile call moved {} of {} and the seed's function {}; sendfile_all \
         delivered {} in {} calls ({} short counts, {} waits)",
        format_bytes(s.one_shot_bytes as f64),
        format_bytes(s.size as f64),
        if s.one_shot_failed { "returned an error" } else { "succeeded" },
        format_bytes(s.delivered as f64),
        s.looped.calls,
        s.looped.short,
        s.looped.waits
    );
    Ok(Measured::new(ev, summary))
}

/// D01's measurement: the same as C000-03.
pub fn d01_short_count_is_an_error(ctx: &Ctx) -> Result<Measured, CheckError> {
    c000_03_one_sendfile_call(ctx)
}

/// Confirmed when one call moved the whole file.
pub const C000_03: Rule = Rule {
    says: "confirmed when the seed's single sendfile call moved the whole file; refuted \
           when it moved less",
    inputs: &[ONE_SHOT, SIZE],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(ONE_SHOT) >= f.get(SIZE)),
    examples: &[
        example(&[(ONE_SHOT, 16777216.0), (SIZE, 16777216.0)], Confirmed),
        example(&[(ONE_SHOT, 4160512.0), (SIZE, 16777216.0)], Refuted),
    ],
};

/// Reproduced when the seed's function failed and the loop delivered.
pub const D01: Rule = Rule {
    says: "reproduced when the seed's function reported an error on a short count and \
           sendfile_all delivered the whole file intact; not reproduced when the seed's \
           function succeeded; unverifiable when sendfile_all failed too",
    inputs: &[ONE_SHOT_FAILED, LOOP_DELIVERED, SIZE],
    thresholds: &[],
    decide: |f| {
        if f.get(ONE_SHOT_FAILED) == 0.0 {
            Verdict::Refuted
        } else if f.get(LOOP_DELIVERED) >= f.get(SIZE) {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("sendfile_all did not deliver the file either")
        }
    },
    examples: &[
        example(&[(ONE_SHOT_FAILED, 1.0), (LOOP_DELIVERED, 1e6), (SIZE, 1e6)], Confirmed),
        example(&[(ONE_SHOT_FAILED, 0.0)], Refuted),
        example(
            &[(ONE_SHOT_FAILED, 1.0), (LOOP_DELIVERED, 0.0), (SIZE, 1e6)],
            Unverifiable,
        ),
    ],
};

const SEED_OK: &str = "the seed's function returned Ok";
const SEED_RECEIVED: &str = "bytes the client received from the seed's code";
const SPLICE_ALL: &str = "bytes the client received intact from splice_all";

/// C000-05 and D04: seed 000's splice pair against `splice_all`.
pub fn c000_05_two_splices(ctx: &Ctx) -> Result<Measured, CheckError> {
    let t = figures::truncation(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} file → TCP on 127.0.0.1 through a pipe of default capacity",
        format_bytes(t.size as f64)
    ));
    ev.add(SIZE, t.size as f64, Unit::Bytes);
    ev.add("pipe capacity (F_GETPIPE_SZ)", t.pipe_capacity as f64, Unit::Bytes);
    ev.add(SEED_OK, flag(t.seed_ok), Unit::Bool);
    ev.add(SEED_RECEIVED, t.seed_received as f64, Unit::Bytes);
    ev.add(
        SPLICE_ALL,
        if t.intact { t.looped_received as f64 } else { 0.0 },
        Unit::Bytes,
    );
    ev.add("splice calls made by splice_all", t.looped_calls as f64, Unit::Count);
    let summary = format!(
        "the seed's splice pair delivered {} of {} and returned {}; splice_all delivered {} \
         in {} calls",
        format_bytes(t.seed_received as f64),
        format_bytes(t.size as f64),
        if t.seed_ok { "Ok" } else { "an error" },
        format_bytes(t.looped_received as f64),
        t.looped_calls
    );
    Ok(Measured::new(ev, summary))
}

/// D04's measurement: the same as C000-05.
pub fn d04_splice_truncates(ctx: &Ctx) -> Result<Measured, CheckError> {
    c000_05_two_splices(ctx)
}

/// Confirmed when the seed's splice pair delivered the whole file.
pub const C000_05: Rule = Rule {
    says: "confirmed when the client received the whole file from the seed's splice \
           pair; refuted when it received less",
    inputs: &[SEED_RECEIVED, SIZE],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(SEED_RECEIVED) >= f.get(SIZE)),
    examples: &[
        example(&[(SEED_RECEIVED, 1048576.0), (SIZE, 1048576.0)], Confirmed),
        example(&[(SEED_RECEIVED, 65536.0), (SIZE, 1048576.0)], Refuted),
    ],
};

/// Reproduced when the seed's code truncated and reported success while
/// the loop delivered everything.
pub const D04: Rule = Rule {
    says: "reproduced when the seed's code returned Ok having delivered less than the \
           file and splice_all delivered it whole; not reproduced when the seed's code \
           delivered it or reported the failure; unverifiable when splice_all failed too",
    inputs: &[SEED_OK, SEED_RECEIVED, SPLICE_ALL, SIZE],
    thresholds: &[],
    decide: |f| {
        let size = f.get(SIZE);
        if f.get(SEED_OK) == 0.0 || f.get(SEED_RECEIVED) >= size {
            Verdict::Refuted
        } else if f.get(SPLICE_ALL) >= size {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("splice_all did not deliver the file either")
        }
    },
    examples: &[
        example(
            &[(SIZE, 1e6), (SEED_OK, 1.0), (SEED_RECEIVED, 65536.0), (SPLICE_ALL, 1e6)],
            Confirmed,
        ),
        example(&[(SIZE, 1e6), (SEED_OK, 0.0)], Refuted),
        example(&[(SIZE, 1e6), (SEED_OK, 1.0), (SEED_RECEIVED, 1e6)], Refuted),
        example(
            &[(SIZE, 1e6), (SEED_OK, 1.0), (SEED_RECEIVED, 65536.0), (SPLICE_ALL, 0.0)],
            Unverifiable,
        ),
    ],
};

const REUSED: &str = "the next request's pipe got the stale fd number";
const STRAY: &str = "bytes of request A that landed in that pipe";
const SCOPED: &str = "same, with BorrowedFd + thread::scope";

/// D05: seed 000's raw fd numbers outliving their pipe, in a child process,
/// beside the scoped borrow.
pub fn d05_stale_fd_numbers(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::stale_fds(ctx)?;
    let mut ev = Evidence::new(
        "seed 000 L127-138's helper goroutine, with the caller returning first: it holds the \
         pipe's write end as an integer; the pipe is closed; the next request opens a pipe \
         (run in a child process, since it writes into whatever has that number)",
    );
    ev.add(REUSED, flag(s.reused), Unit::Bool);
    ev.add(STRAY, s.stray as f64, Unit::Bytes);
    ev.add(SCOPED, s.scoped_stray as f64, Unit::Bytes);
    let summary = format!(
        "a stale fd number spliced {} of one request into the next request's pipe; with a \
         scoped borrow: {}",
        format_bytes(s.stray as f64),
        format_bytes(s.scoped_stray as f64)
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the stale number spliced bytes into the next request's
/// pipe and the scoped borrow did not.
pub const D05: Rule = Rule {
    says: "reproduced when the next request's pipe got the stale number and bytes of the \
           first request landed in it, while the scoped borrow let none through; not \
           reproduced when none landed; unverifiable when the scoped borrow leaked too",
    inputs: &[REUSED, STRAY, SCOPED],
    thresholds: &[],
    decide: |f| {
        if f.get(REUSED) == 0.0 || f.get(STRAY) == 0.0 {
            Verdict::Refuted
        } else if f.get(SCOPED) == 0.0 {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("the scoped borrow let bytes through as well")
        }
    },
    examples: &[
        example(&[(REUSED, 1.0), (STRAY, 4096.0), (SCOPED, 0.0)], Confirmed),
        example(&[(REUSED, 0.0)], Refuted),
        example(&[(REUSED, 1.0), (STRAY, 0.0)], Refuted),
        example(&[(REUSED, 1.0), (STRAY, 4096.0), (SCOPED, 4096.0)], Unverifiable),
    ],
};

const TCP_PANICKED: &str = "the seed's assertion panicked on a TCP connection";
const UNIX_PANICKED: &str = "the seed's assertion panicked on a Unix-domain connection";
const TCP_DELIVERED: &str = "sendfile_all<impl AsFd> delivered intact over TCP";
const UNIX_DELIVERED: &str =
    "sendfile_all<impl AsFd> delivered intact over a Unix-domain socket";

/// D06: seed 000 L137's unchecked `conn.(*net.TCPConn)` on the two kinds of
/// stream connection a Go server's `net.Conn` can be, beside the fix.
pub fn d06_unchecked_assertion(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (size, kinds) = figures::connection_kinds(ctx)?;
    let mut ev = Evidence::new(format!(
        "a {} file sent over a TCP connection and over a Unix-domain stream socket (both \
         are a net.Conn in Go): the seed's unchecked `conn.(*net.TCPConn)` port, then \
         sendfile_all, which takes any `impl AsFd`",
        format_bytes(*size as f64)
    ));
    ev.add(SIZE, *size as f64, Unit::Bytes);
    let kind =
        |name| kinds.iter().find(|k| k.name == name).ok_or("connection kind missing");
    let (tcp, unix) = (kind("TCP")?, kind("Unix-domain")?);
    ev.add(TCP_PANICKED, flag(tcp.port_panicked), Unit::Bool);
    ev.add(UNIX_PANICKED, flag(unix.port_panicked), Unit::Bool);
    ev.add(TCP_DELIVERED, tcp.fix_delivered as f64, Unit::Bytes);
    ev.add(UNIX_DELIVERED, unix.fix_delivered as f64, Unit::Bytes);
    let word = |p: bool| if p { "panicked" } else { "passed" };
    let summary = format!(
        "the unchecked assertion {} on TCP and {} on a Unix-domain socket; \
         sendfile_all<impl AsFd> delivered {} and {} intact",
        word(tcp.port_panicked),
        word(unix.port_panicked),
        format_bytes(tcp.fix_delivered as f64),
        format_bytes(unix.fix_delivered as f64)
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the assertion passed on TCP and panicked on the Unix
/// socket, over which the fix delivered.
pub const D06: Rule = Rule {
    says: "reproduced when the seed's assertion passed on TCP but panicked on a \
           Unix-domain connection, over which sendfile_all delivered the whole file; not \
           reproduced when it panicked on neither; unverifiable when it failed on TCP too \
           (a broken port) or the fix did not deliver",
    inputs: &[TCP_PANICKED, UNIX_PANICKED, TCP_DELIVERED, UNIX_DELIVERED, SIZE],
    thresholds: &[],
    decide: |f| {
        let size = f.get(SIZE);
        if f.get(UNIX_PANICKED) == 0.0 {
            Verdict::Refuted
        } else if f.get(TCP_PANICKED) != 0.0 {
            Verdict::unverifiable(
                "the port panicked on TCP too: it is broken, not the seed",
            )
        } else if f.get(UNIX_DELIVERED) >= size && f.get(TCP_DELIVERED) >= size {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("sendfile_all did not deliver the file either")
        }
    },
    examples: &[
        example(
            &[
                (SIZE, 1e6),
                (UNIX_PANICKED, 1.0),
                (TCP_PANICKED, 0.0),
                (UNIX_DELIVERED, 1e6),
                (TCP_DELIVERED, 1e6),
            ],
            Confirmed,
        ),
        example(&[(SIZE, 1e6), (UNIX_PANICKED, 0.0)], Refuted),
        example(&[(SIZE, 1e6), (UNIX_PANICKED, 1.0), (TCP_PANICKED, 1.0)], Unverifiable),
        example(
            &[
                (SIZE, 1e6),
                (UNIX_PANICKED, 1.0),
                (TCP_PANICKED, 0.0),
                (UNIX_DELIVERED, 0.0),
                (TCP_DELIVERED, 1e6),
            ],
            Unverifiable,
        ),
    ],
};

const RUSTC: &str = "rustc ran";
const STUB_CHECKS: &str = "the seed's SendFile stub, ported: type-checks";
const BODY_CHECKS: &str = "the same signature with a body: type-checks";

/// D51: seed 002's `SendFile` is a stub with no return. Its faithful Rust
/// port and the same signature with a body go through the same `rustc`.
pub fn d51_stub_send_file(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (stub, body) = figures::stub_compiles(ctx)?;
    let mut ev = Evidence::new(
        "seed 002 §1.5.1.1.3 L61-65's SendFile (a signature promising a count and an error, \
         and a comment for a body) ported to Rust as written, and the same signature with a \
         body; each type-checked by rustc as a library (--emit metadata)",
    );
    let ran = !matches!(stub, Compiled::NoCompiler(_))
        && !matches!(body, Compiled::NoCompiler(_));
    ev.add(RUSTC, flag(ran), Unit::Bool);
    ev.add(STUB_CHECKS, flag(*stub == Compiled::Ok), Unit::Bool);
    ev.add(BODY_CHECKS, flag(*body == Compiled::Ok), Unit::Bool);
    let say = |c: &Compiled| match c {
        Compiled::Ok => "compiles".to_string(),
        Compiled::Failed(Some(code)) => format!("fails with {code}"),
        Compiled::Failed(None) => "fails".to_string(),
        Compiled::NoCompiler(why) => format!("could not be checked ({why})"),
    };
    let summary = format!(
        "the seed's SendFile, ported as written, {}; with a body, {} (so no figure of seed \
         002 came from its code: C002-07, C002-08 and C002-09 measure them on working code)",
        say(stub),
        say(body)
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the stub does not type-check and the same signature with
/// a body does.
pub const D51: Rule = Rule {
    says: "reproduced when the ported stub fails to type-check and the same signature \
           with a body passes; not reproduced when the stub type-checks; unverifiable \
           without rustc, or when both fail",
    inputs: &[RUSTC, STUB_CHECKS, BODY_CHECKS],
    thresholds: &[],
    decide: |f| {
        if f.get(RUSTC) == 0.0 {
            Verdict::unverifiable("no rustc could be run here to type-check the port")
        } else if f.get(STUB_CHECKS) != 0.0 {
            Verdict::Refuted
        } else if f.get(BODY_CHECKS) != 0.0 {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("rustc rejected the version with a body as well")
        }
    },
    examples: &[
        example(&[(RUSTC, 1.0), (STUB_CHECKS, 0.0), (BODY_CHECKS, 1.0)], Confirmed),
        example(&[(RUSTC, 1.0), (STUB_CHECKS, 1.0)], Refuted),
        example(&[(RUSTC, 0.0)], Unverifiable),
        example(&[(RUSTC, 1.0), (STUB_CHECKS, 0.0), (BODY_CHECKS, 0.0)], Unverifiable),
    ],
};
