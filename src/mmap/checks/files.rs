//! File mappings (seed 001 §6.1.1.5.3, L406-423).

use super::{evidence, flag};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::mmap::figures;
use crate::table::{format_bytes, format_nanos};

/// C001-27: "mapping a file lets you operate on memory directly". Writes
/// "Hello" into a 4 KiB file through a shared mapping (no `write` call),
/// and reads a file through a mapping and through `read()`.
pub fn c001_27_write_through_a_mapping(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = figures::round_trip(ctx)?;
    let mut ev = evidence(
        ctx,
        "4 KiB file; \"Hello\" through a shared mapping, flushed, the file read back",
    );
    ev.add("file starts with Hello", flag(r.hello), Unit::Bool);
    ev.add("write syscalls for the write", r.write_syscalls as f64, Unit::Count);
    let n = format_bytes(r.read_size as f64);
    let (m_calls, m_faults, m_ns) = r.mmap_read;
    let (r_calls, r_ns) = r.read_read;
    ev.add(format!("read {n} via mmap: read syscalls"), m_calls as f64, Unit::Count);
    ev.add(format!("read {n} via mmap: minor faults"), m_faults as f64, Unit::Count);
    ev.add(
        format!("read {n} via read(64 KiB): read syscalls"),
        r_calls as f64,
        Unit::Count,
    );
    ev.add("mmap sum (median)", m_ns, Unit::Nanos);
    ev.add("read() sum (median)", r_ns, Unit::Nanos);
    let summary = format!(
        "\"Hello\" written as memory reached the file with {} write syscalls; reading {n} \
         through a mapping: {m_calls} read calls and {m_faults} faults ({}), read(): \
         {r_calls} calls ({})",
        r.write_syscalls,
        format_nanos(m_ns),
        format_nanos(r_ns)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the bytes written as memory reach the file with no
/// `write` call.
pub const C001_27: Rule = Rule {
    says: "confirmed when the file reads \"Hello\" and the write through the mapping made \
           no write syscall; refuted otherwise",
    inputs: &["file starts with Hello", "write syscalls for the write"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("file starts with Hello") == 1.0
                && f.get("write syscalls for the write") == 0.0,
        )
    },
    examples: &[
        example(
            &[("file starts with Hello", 1.0), ("write syscalls for the write", 0.0)],
            Confirmed,
        ),
        example(
            &[("file starts with Hello", 1.0), ("write syscalls for the write", 1.0)],
            Refuted,
        ),
    ],
};

/// D37: the seed's file snippet on an empty file, a short file and a file
/// truncated while mapped (the last in a child process), beside the fix
/// (`set_len` first, `flush` after).
pub fn d37_seed_file_mapping(ctx: &Ctx) -> Result<Measured, CheckError> {
    let s = figures::seed_file(ctx)?;
    let o = figures::sigbus_child(ctx)?;
    let mut ev =
        evidence(ctx, "the seed's map-and-copy, ported; truncation in a child process");
    ev.add("raw mmap(len 0) fails with EINVAL", flag(s.zero_length_einval), Unit::Bool);
    ev.add("empty file: bytes copied", s.empty_copied as f64, Unit::Count);
    ev.add("3-byte file: bytes copied", s.short_copied as f64, Unit::Count);
    ev.add(
        "truncated while mapped: SIGBUS",
        flag(o.signal == Some(libc::SIGBUS)),
        Unit::Bool,
    );
    ev.add(
        "fix (set_len + flush) on the empty file: reads Hello",
        flag(s.fix_works),
        Unit::Bool,
    );
    let summary = format!(
        "empty file: mmap(len 0) → {}, memmap2 maps 0 bytes and the copy writes {}; 3-byte \
         file: {} of 5 bytes (\"{}\"); truncated while mapped: {}; set_len + flush fixes the \
         first two",
        s.zero_length_error,
        s.empty_copied,
        s.short_copied,
        s.short_after,
        o.describe()
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port loses bytes or crashes and the fix works.
pub const D37: Rule = Rule {
    says: "reproduced when the port copies fewer than text_len bytes into the empty or the \
           short file, or dies of SIGBUS, while the fix writes the text; not reproduced when \
           the port does none of these; unverifiable when the fix fails too",
    inputs: &[
        "empty file: bytes copied",
        "3-byte file: bytes copied",
        "truncated while mapped: SIGBUS",
        "fix (set_len + flush) on the empty file: reads Hello",
    ],
    thresholds: &[Threshold {
        name: "text_len",
        value: 5.0,
        unit: Unit::Count,
        source: "\"Hello\" is five bytes",
    }],
    decide: |f| {
        let fails = f.get("empty file: bytes copied") < f.limit("text_len")
            || f.get("3-byte file: bytes copied") < f.limit("text_len")
            || f.get("truncated while mapped: SIGBUS") == 1.0;
        if !fails {
            Verdict::Refuted
        } else if f.get("fix (set_len + flush) on the empty file: reads Hello") == 1.0 {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable(
                "the fix failed too, so the port's failure proves nothing",
            )
        }
    },
    examples: &[
        example(
            &[
                ("empty file: bytes copied", 0.0),
                ("3-byte file: bytes copied", 3.0),
                ("truncated while mapped: SIGBUS", 1.0),
                ("fix (set_len + flush) on the empty file: reads Hello", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("empty file: bytes copied", 5.0),
                ("3-byte file: bytes copied", 5.0),
                ("truncated while mapped: SIGBUS", 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("empty file: bytes copied", 0.0),
                ("3-byte file: bytes copied", 3.0),
                ("truncated while mapped: SIGBUS", 1.0),
                ("fix (set_len + flush) on the empty file: reads Hello", 0.0),
            ],
            Unverifiable,
        ),
    ],
};
