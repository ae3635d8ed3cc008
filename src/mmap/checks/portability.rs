//! Portability and Go build constraints (seed 004 L214-235, L332-334).

use super::{evidence, flag};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Unit, Verdict, example,
};
use crate::mmap::flags::platform_anonymous_map;

/// C004-25: "mmap is POSIX: Linux, macOS and BSD work; Windows needs
/// VirtualAlloc" (seed 004 L214-222). Measures the half this system can:
/// on a POSIX system, whether an anonymous `mmap` works (through libc and
/// through memmap2). The Windows half is C004-37, unverifiable here.
pub fn c004_25_posix(ctx: &Ctx) -> Result<Measured, CheckError> {
    let os = std::env::consts::OS;
    let mut ev =
        evidence(ctx, &format!("target_os = {os}; only this system's half measured"));
    let posix = cfg!(unix);
    ev.add("POSIX system (cfg(unix))", flag(posix), Unit::Bool);
    let ours = crate::mmap::MmapBuf::new(1 << 20).is_ok();
    let portable = memmap2::MmapMut::map_anon(1 << 20).is_ok();
    ev.add("MmapBuf (libc::mmap) works here", flag(ours), Unit::Bool);
    ev.add("memmap2::MmapMut::map_anon works here", flag(portable), Unit::Bool);
    let summary = format!(
        "on {os} ({}): {} works: {}, memmap2's map_anon: {}; the Windows half \
         (VirtualAlloc) is not measured on this system (C004-37)",
        if posix { "POSIX" } else { "not POSIX" },
        platform_anonymous_map(),
        if ours { "yes" } else { "no" },
        if portable { "yes" } else { "no" }
    );
    Ok(Measured::new(ev, summary))
}

/// Unverifiable off POSIX (the Windows half belongs to C004-37); on a POSIX
/// system, confirmed when an anonymous mapping works.
pub const C004_25: Rule = Rule {
    says: "unverifiable on a system that is not POSIX; on a POSIX system confirmed for that \
           half when an anonymous mmap works through libc and memmap2, refuted otherwise",
    inputs: &[
        "POSIX system (cfg(unix))",
        "MmapBuf (libc::mmap) works here",
        "memmap2::MmapMut::map_anon works here",
    ],
    thresholds: &[],
    decide: |f| {
        if f.get("POSIX system (cfg(unix))") == 0.0 {
            return Verdict::unverifiable(
                "the claim's POSIX half needs a POSIX system, and its Windows half \
                 (VirtualAlloc) is C004-37's",
            );
        }
        f.confirmed_if(
            f.get("MmapBuf (libc::mmap) works here") == 1.0
                && f.get("memmap2::MmapMut::map_anon works here") == 1.0,
        )
    },
    examples: &[
        example(
            &[
                ("POSIX system (cfg(unix))", 1.0),
                ("MmapBuf (libc::mmap) works here", 1.0),
                ("memmap2::MmapMut::map_anon works here", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("POSIX system (cfg(unix))", 1.0),
                ("MmapBuf (libc::mmap) works here", 0.0),
                ("memmap2::MmapMut::map_anon works here", 1.0),
            ],
            Refuted,
        ),
        example(&[("POSIX system (cfg(unix))", 0.0)], Unverifiable),
    ],
};

/// C004-26 is static: Go's build-constraint syntax.
pub fn c004_26_build_tags() -> Verdict {
    Verdict::not_applicable(
        "a rule of Go's toolchain (`// +build` gave way to `//go:build` in Go 1.17, and two \
         definitions of one function need two files), which only the Go toolchain can \
         decide; the workbook does not run Go for this claim.",
        "#[cfg] on items: both variants of platform_anonymous_map live in one file, and the \
         analogue records which one this build compiled",
    )
}

/// D67 is static: the same Go toolchain rule, as a defect of the seed.
pub fn d67_build_tags() -> Verdict {
    Verdict::not_applicable(
        "a defect against Go's toolchain (obsolete `// +build` lines, two definitions in \
         one file), which only the Go toolchain can show; the workbook does not run Go for \
         it.",
        "Rust's #[cfg] has neither problem: one file, two items; the analogue records which \
         one this build compiled",
    )
}

/// The Rust analogue of C004-26 and D67: `#[cfg]` picked one of two items
/// in one file.
pub fn cfg_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(
        ctx,
        "#[cfg(unix)] / #[cfg(windows)] variants of one function in one file",
    );
    ev.add("this build compiled the unix variant", flag(cfg!(unix)), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "Rust selects items per platform in one file: here \"{}\"",
            platform_anonymous_map()
        ),
    ))
}

/// C004-37 is static here: Windows support needs Windows.
pub fn c004_37_virtual_alloc() -> Verdict {
    Verdict::unverifiable(format!(
        "VirtualAlloc needs Windows, and this chapter's programs run on Unix (this is {}); \
         the portable route in Rust is memmap2, whose map_anon also builds for Windows",
        std::env::consts::OS
    ))
}

/// C004-37's analogue: memmap2's portable anonymous mapping, here.
pub fn c004_37_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let os = std::env::consts::OS;
    let mut ev = evidence(ctx, &format!("target_os = {os}"));
    let portable = memmap2::MmapMut::map_anon(1 << 20).is_ok();
    ev.add("memmap2::MmapMut::map_anon works here", flag(portable), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "not testable on {os}; memmap2::map_anon works here: {}",
            if portable { "yes" } else { "no" }
        ),
    ))
}
