//! Checks about file mappings, mapping flags and portability (seed 001
//! §6.1.1.5.3 L406-423; seed 004 L214-235, L278-285, L332-334).

use super::{MIB, evidence, nanos, size};
use crate::claims::{CheckError, Ctx, Finding, Unit, Verdict};
use crate::measure::child;
use crate::measure::os::ThreadCounters;
use crate::mmap::file::{self, TempDir};
use crate::mmap::{buf, flags};
use std::time::{Duration, Instant};

/// C001-27: mapping a file lets you operate on it as memory.
pub fn c001_27(ctx: &Ctx) -> Result<Finding, CheckError> {
    let dir = TempDir::new("c001-27")?;
    let path = dir.join("data.txt");
    file::create_file(&path, &[b'.'; 4096])?;
    let c0 = ThreadCounters::now();
    file::write_through_mapping(&path, b"Hello")?;
    let io = c0.delta(&ThreadCounters::now());
    let back = std::fs::read(&path)?;
    let hello = back.starts_with(b"Hello") && back.len() == 4096;
    let mut ev = evidence(
        ctx,
        "4 KiB file; write \"Hello\" through a shared mapping, flush, read the file back",
    );
    ev.add("file starts with Hello", hello as u8 as f64, Unit::Bool);
    ev.add("write syscalls for the write", io.syscw as f64, Unit::Count);
    // Reading: a mapping against read() into a 64 KiB buffer, same file.
    let n = ctx.pick(32 * MIB, 8 * MIB);
    let big = dir.join("big.bin");
    file::create_file(&big, &vec![3u8; n])?;
    file::sum_via_read(&big, 64 << 10)?; // both start with the file in the page cache
    let want = 3 * n as u64;
    let (mut mt, mut rt) = (vec![], vec![]);
    let (mut m_io, mut r_io) = (ThreadCounters::default(), ThreadCounters::default());
    for _ in 0..3 {
        let c = ThreadCounters::now();
        let t = Instant::now();
        let s = file::sum_via_mmap(&big)?;
        mt.push(t.elapsed().as_nanos() as f64);
        m_io = c.delta(&ThreadCounters::now());
        let c = ThreadCounters::now();
        let t = Instant::now();
        let r = file::sum_via_read(&big, 64 << 10)?;
        rt.push(t.elapsed().as_nanos() as f64);
        r_io = c.delta(&ThreadCounters::now());
        if s != want || r != want {
            return Err("file sums disagree".into());
        }
    }
    ev.add(
        format!("read {} via mmap: read syscalls", size(n)),
        m_io.syscr as f64,
        Unit::Count,
    );
    ev.add(
        format!("read {} via mmap: minor faults", size(n)),
        m_io.minor_faults as f64,
        Unit::Count,
    );
    ev.add(
        format!("read {} via read(64 KiB): read syscalls", size(n)),
        r_io.syscr as f64,
        Unit::Count,
    );
    let m_med = ev.add(
        "mmap sum (median)",
        crate::measure::stats::median(&mt).unwrap_or(0.0),
        Unit::Nanos,
    );
    let r_med = ev.add(
        "read() sum (median)",
        crate::measure::stats::median(&rt).unwrap_or(0.0),
        Unit::Nanos,
    );
    let verdict = Verdict::confirmed_if(hello && io.syscw == 0);
    let summary = format!(
        "\"Hello\" written as memory reached the file with {} write syscalls; reading {} \
         through a mapping: {} read calls and {} faults ({}), read(): {} calls ({})",
        io.syscw,
        size(n),
        m_io.syscr,
        m_io.minor_faults,
        nanos(m_med),
        r_io.syscr,
        nanos(r_med)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// D37: the seed's file mapping fails on empty and short files, and SIGBUS.
pub fn d37(ctx: &Ctx) -> Result<Finding, CheckError> {
    let dir = TempDir::new("d37")?;
    let mut ev = evidence(
        ctx,
        "the seed's map-and-copy, ported; truncation shown in a child process",
    );
    let zero = buf::map_zero_length();
    let einval = zero.errno() == Some(libc::EINVAL);
    ev.add("raw mmap(len 0) fails with EINVAL", einval as u8 as f64, Unit::Bool);
    let empty = dir.join("empty.txt");
    file::create_file(&empty, b"")?;
    let copied_empty = file::seed_write_hello(&empty)?;
    let empty_after = std::fs::read(&empty)?.len();
    ev.add("empty file: bytes copied", copied_empty as f64, Unit::Count);
    ev.add("empty file: length after", empty_after as f64, Unit::Bytes);
    let short = dir.join("short.txt");
    file::create_file(&short, b"abc")?;
    let copied_short = file::seed_write_hello(&short)?;
    let short_after = std::fs::read(&short)?;
    ev.add("3-byte file: bytes copied", copied_short as f64, Unit::Count);
    let o = child::run_mode(file::CHILD_SIGBUS, Duration::from_secs(30))?;
    let sigbus = o.signal == Some(libc::SIGBUS);
    ev.add("truncated while mapped: SIGBUS", sigbus as u8 as f64, Unit::Bool);
    // The fix: grow the file first, flush.
    file::write_through_mapping(&empty, b"Hello")?;
    let fixed = std::fs::read(&empty)? == b"Hello";
    ev.add(
        "fix (set_len + flush) on the empty file: reads Hello",
        fixed as u8 as f64,
        Unit::Bool,
    );
    let defect =
        einval && copied_empty == 0 && empty_after == 0 && copied_short < 5 && sigbus;
    let verdict = Verdict::confirmed_if(defect && fixed);
    let summary = format!(
        "empty file: mmap(len 0) → {}, memmap2 maps 0 bytes and the copy writes {copied_empty}; \
         3-byte file: {copied_short} of 5 bytes (\"{}\"); truncated while mapped: {}; \
         set_len + flush fixes the first two",
        zero.source,
        String::from_utf8_lossy(&short_after),
        o.describe()
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-25: mmap is POSIX (Linux, macOS, BSD); Windows needs VirtualAlloc.
pub fn c004_25(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(ctx, &format!("target_os = {}", std::env::consts::OS));
    let ours = crate::mmap::MmapBuf::new(MIB).is_ok();
    let portable = memmap2::MmapMut::map_anon(MIB).is_ok();
    ev.add("MmapBuf (libc::mmap) works here", ours as u8 as f64, Unit::Bool);
    ev.add("memmap2::MmapMut::map_anon works here", portable as u8 as f64, Unit::Bool);
    let verdict = Verdict::confirmed_if(cfg!(unix) && ours && portable);
    let summary = format!(
        "on {} ({}): {} works, and so does memmap2's portable map_anon (which also builds \
         for Windows)",
        std::env::consts::OS,
        if cfg!(unix) { "unix" } else { "not unix" },
        flags::platform_anonymous_map()
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-26: conditional compilation with `// +build`.
pub fn c004_26(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(
        ctx,
        "#[cfg(unix)] / #[cfg(windows)] variants of one function in one file",
    );
    ev.add("this build compiled the unix variant", cfg!(unix) as u8 as f64, Unit::Bool);
    let verdict = Verdict::not_applicable(
        "Go build-constraint syntax: `// +build` was replaced by `//go:build` in Go 1.17, \
         and each variant needs its own file.",
        format!(
            "#[cfg] on items: both variants of platform_anonymous_map live in one file; this \
             build compiled \"{}\"",
            flags::platform_anonymous_map()
        ),
    );
    Ok(Finding::new(
        verdict,
        format!(
            "Rust selects items per platform in one file: here \"{}\"",
            flags::platform_anonymous_map()
        ),
        ev,
    ))
}

/// D67: obsolete `// +build` lines, both variants in one file.
pub fn d67(ctx: &Ctx) -> Result<Finding, CheckError> {
    let f = c004_26(ctx)?;
    let verdict = Verdict::not_applicable(
        "a Go toolchain rule (build constraints, one per file); there is no Go code to run here.",
        format!(
            "Rust's #[cfg] has neither problem: one file, two items, this build compiled \"{}\"",
            flags::platform_anonymous_map()
        ),
    );
    Ok(Finding::new(verdict, f.summary, f.evidence))
}

/// C004-32: MAP_ANON, MAP_PRIVATE, MAP_SHARED, MAP_FIXED.
#[cfg(target_os = "linux")]
pub fn c004_32(ctx: &Ctx) -> Result<Finding, CheckError> {
    let v = flags::shared_vs_private()?;
    let f = flags::fixed_experiment()?;
    let mut ev = evidence(
        ctx,
        "a forked child writes 42 into a shared and a private anonymous page; MAP_FIXED over a live mapping",
    );
    ev.add(
        "parent sees the child's write: MAP_SHARED",
        v.shared_visible as u8 as f64,
        Unit::Bool,
    );
    ev.add(
        "parent sees the child's write: MAP_PRIVATE",
        v.private_visible as u8 as f64,
        Unit::Bool,
    );
    ev.add("MAP_FIXED over live data succeeded", f.fixed_ok as u8 as f64, Unit::Bool);
    ev.add("byte before", f.before as f64, Unit::Count);
    ev.add("byte after", f.after as f64, Unit::Count);
    let ok = v.shared_visible && !v.private_visible && f.fixed_ok && f.after == 0;
    let verdict = Verdict::confirmed_if(ok);
    let summary = format!(
        "after fork, a shared page carries the child's write ({}) and a private one does not \
         ({}); MAP_FIXED mapped over live data without an error (0x{:02X} became 0x{:02X})",
        v.shared_visible, v.private_visible, f.before, f.after
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// D70: `MAP_FIXED` with no warning.
#[cfg(target_os = "linux")]
pub fn d70(ctx: &Ctx) -> Result<Finding, CheckError> {
    let f = flags::fixed_experiment()?;
    let mut ev = evidence(
        ctx,
        "64 KiB mapping with 0xAB at offset 100; MAP_FIXED, then MAP_FIXED_NOREPLACE, at its address",
    );
    ev.add("MAP_FIXED reported success", f.fixed_ok as u8 as f64, Unit::Bool);
    ev.add("byte before", f.before as f64, Unit::Count);
    ev.add("byte after", f.after as f64, Unit::Count);
    ev.add(
        "MAP_FIXED_NOREPLACE refused with EEXIST",
        f.noreplace_eexist as u8 as f64,
        Unit::Bool,
    );
    let verdict = Verdict::confirmed_if(
        f.fixed_ok && f.before == 0xAB && f.after == 0 && f.noreplace_eexist,
    );
    let summary = format!(
        "MAP_FIXED silently replaced live data (0x{:02X} → 0x{:02X}); MAP_FIXED_NOREPLACE: {}",
        f.before, f.after, f.noreplace
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-37: Windows support through VirtualAlloc.
pub fn c004_37(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(ctx, &format!("target_os = {}", std::env::consts::OS));
    let portable = memmap2::MmapMut::map_anon(MIB).is_ok();
    ev.add("memmap2::MmapMut::map_anon works here", portable as u8 as f64, Unit::Bool);
    let verdict = if cfg!(windows) {
        Verdict::confirmed_if(portable)
    } else {
        Verdict::unverifiable(format!(
            "needs Windows; this is {}. The portable route in Rust is memmap2, whose \
             map_anon also builds for Windows",
            std::env::consts::OS
        ))
    };
    Ok(Finding::new(
        verdict,
        format!(
            "not testable on {}; memmap2::map_anon works here: {portable}",
            std::env::consts::OS
        ),
        ev,
    ))
}

#[cfg(not(target_os = "linux"))]
pub use self::non_linux::*;

#[cfg(not(target_os = "linux"))]
mod non_linux {
    use crate::claims::{CheckError, Ctx, Finding};
    /// C004-32 needs Linux.
    pub fn c004_32(_: &Ctx) -> Result<Finding, CheckError> {
        Err(super::super::linux_only("MAP_FIXED_NOREPLACE"))
    }
    /// D70 needs Linux.
    pub fn d70(_: &Ctx) -> Result<Finding, CheckError> {
        Err(super::super::linux_only("MAP_FIXED_NOREPLACE"))
    }
}
