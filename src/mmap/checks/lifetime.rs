//! Who unmaps a buffer, what happens when mapping fails, and who notices a
//! leak (seed 004 L69-128, L180-212, L317-328).

use super::{evidence, flag, nanos};
use crate::claims::{
    CheckError, Ctx, Facts, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::procfs;
use crate::mmap::figures;
use crate::mmap::lifetime::LeakView;
use crate::table::format_bytes;

fn size(n: usize) -> String {
    format_bytes(n as f64)
}

fn kib(k: i64) -> f64 {
    k as f64 * 1024.0
}

/// C004-12 is static: a claim about Go's collector.
pub fn c004_12_go_gc() -> Verdict {
    Verdict::not_applicable(
        "a claim about Go's garbage collector, which only a Go program can measure (the \
         workbook's optional Go side does not cover it); Rust has no collector, and Go's \
         never scans a []byte anyway (pointer-free memory sits in noscan spans), mmapped or \
         not.",
        "memory from mmap is invisible to the global allocator, and to every tool built on \
         it: the analogue measures what the counting allocator sees of a touched 64 MiB \
         mapping",
    )
}

/// C004-12's Rust analogue: a touched 64 MiB mapping, as the global
/// allocator sees it and as `mincore` does.
pub fn c004_12_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let a = figures::allocator_view(ctx)?;
    let mut ev =
        evidence(ctx, &format!("MmapBuf::new({}), every page written", size(a.size)));
    if let Some(b) = a.allocator_bytes {
        ev.add("bytes the counting allocator saw", b as f64, Unit::Bytes);
    }
    let page = crate::measure::machine::page_size() as usize;
    let resident = ev.add(
        "resident pages of the mapping",
        (a.resident_pages * page) as f64,
        Unit::Bytes,
    );
    let summary = format!(
        "no GC in Rust; a touched {} mapping: {} counted by the global allocator, {} resident",
        size(a.size),
        a.allocator_bytes
            .map_or_else(|| "n/a (not installed)".into(), |b| format_bytes(b as f64)),
        format_bytes(resident)
    );
    Ok(Measured::new(ev, summary))
}

/// Records the absurd sizes: whether mmap failed, and whether the same-size
/// fallback would have rescued it.
fn fallback_measure(ctx: &Ctx, what: &str) -> Result<Measured, CheckError> {
    let attempts = figures::absurd(ctx)?;
    let mut ev = evidence(ctx, what);
    for a in attempts {
        let name = size(a.size);
        ev.add(format!("{name}: mmap failed"), flag(a.mmap_error.is_some()), Unit::Bool);
        ev.add(
            format!("{name}: same-size fallback failed"),
            flag(a.fallback_failed),
            Unit::Bool,
        );
    }
    let failed = attempts.iter().filter(|a| a.mmap_error.is_some()).count();
    let rescued =
        attempts.iter().filter(|a| a.mmap_error.is_some() && !a.fallback_failed).count();
    ev.add("absurd sizes where mmap failed", failed as f64, Unit::Count);
    ev.add("of those, rescued by the same-size fallback", rescued as f64, Unit::Count);
    let overcommit = procfs::read_sys_number("/proc/sys/vm/overcommit_memory");
    if let Some(o) = overcommit {
        ev.add("vm.overcommit_memory", o as f64, Unit::Count);
    }
    let summary = format!(
        "mmap failed, as a value, at {failed} of {} absurd sizes (2 × RAM, 1 TiB, 64 TiB) and \
         the same-size fallback rescued {rescued}: after ENOMEM it asks the same kernel for \
         the same memory",
        attempts.len()
    );
    Ok(Measured::new(ev, summary))
}

/// C004-13: `allocLargeBuffer` mmaps and falls back to `make()` on error
/// (seed 004 L76-99). Sizes no machine here can map, tried as values.
pub fn c004_13_fallback(ctx: &Ctx) -> Result<Measured, CheckError> {
    fallback_measure(ctx, "2 × RAM, 1 TiB and 64 TiB; fallback = Vec::try_reserve_exact")
}

/// C004-24: "mmap can fail (out of memory), so fall back to make()" (seed
/// 004 L203-212). The same attempts as C004-13.
pub fn c004_24_error_fallback(ctx: &Ctx) -> Result<Measured, CheckError> {
    fallback_measure(ctx, "2 × RAM, 1 TiB and 64 TiB, as values (no abort)")
}

/// C004-13 and C004-24: unverifiable when nothing failed to map; confirmed
/// when the fallback rescued a failure; refuted when it never did.
pub const FALLBACK_RESCUES: Rule = Rule {
    says: "unverifiable when no absurd size failed to map; confirmed when the same-size \
           fallback rescued at least one failure; refuted otherwise",
    inputs: &[
        "absurd sizes where mmap failed",
        "of those, rescued by the same-size fallback",
    ],
    thresholds: &[],
    decide: |f| {
        if f.get("absurd sizes where mmap failed") == 0.0 {
            Verdict::unverifiable(
                "no absurd size failed to map here (the overcommit policy let them \
                 through), so the fallback never ran",
            )
        } else {
            f.confirmed_if(f.get("of those, rescued by the same-size fallback") > 0.0)
        }
    },
    examples: &[
        example(
            &[
                ("absurd sizes where mmap failed", 3.0),
                ("of those, rescued by the same-size fallback", 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("absurd sizes where mmap failed", 3.0),
                ("of those, rescued by the same-size fallback", 1.0),
            ],
            Confirmed,
        ),
        example(&[("absurd sizes where mmap failed", 0.0)], Unverifiable),
    ],
};

/// The finalizer port's outcome and the RAII footprint.
fn ownership_evidence(
    ctx: &Ctx,
    what: &str,
) -> Result<(crate::claims::Evidence, String), CheckError> {
    let o = figures::finalizer_port(ctx)?;
    let r = figures::raii(ctx)?;
    let mut ev = evidence(ctx, what);
    ev.add("port: crashed (SIGSEGV)", flag(o.signal == Some(libc::SIGSEGV)), Unit::Bool);
    ev.add("RAII cycles (map 1 MiB, write, check, drop)", r.count as f64, Unit::Count);
    ev.add(
        "RAII: mapping count growth",
        r.after.mappings as f64 - r.before.mappings as f64,
        Unit::Count,
    );
    ev.add(
        "RAII: VmSize growth",
        kib(r.after.vm_size_kib as i64 - r.before.vm_size_kib as i64),
        Unit::Bytes,
    );
    ev.add("RAII cycles: time", nanos(r.elapsed), Unit::Nanos);
    let text = format!(
        "the finalizer on the local header, in a child: {}; Rust ownership: {} map/drop \
         cycles, mappings {} → {}",
        o.describe(),
        r.count,
        r.before.mappings,
        r.after.mappings
    );
    Ok((ev, text))
}

/// C004-14: "`SetFinalizer` frees the buffer automatically: no manual
/// management, guaranteed no leak" (seed 004 L91-96, L114-128). The seed's
/// design, ported, in a child process; Rust's ownership beside it.
pub fn c004_14_finalizer(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, summary) = ownership_evidence(
        ctx,
        "the seed's allocLargeBuffer ported with a finalizer that runs when the local slice \
         header dies (a GC right after the return), then one write; in a child",
    )?;
    Ok(Measured::new(ev, summary))
}

/// Refuted when the port crashes (the finalizer unmapped memory in use).
pub const C004_14: Rule = Rule {
    says: "refuted when the ported finalizer design crashes with SIGSEGV; confirmed \
           otherwise",
    inputs: &["port: crashed (SIGSEGV)"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("port: crashed (SIGSEGV)") == 0.0),
    examples: &[
        example(&[("port: crashed (SIGSEGV)", 1.0)], Refuted),
        example(&[("port: crashed (SIGSEGV)", 0.0)], Confirmed),
    ],
};

/// Records what each tool sees of the leak.
fn leak_evidence(
    ctx: &Ctx,
    ev: &mut crate::claims::Evidence,
) -> Result<&'static LeakView, CheckError> {
    let l = figures::leak(ctx)?;
    let leaked = (l.count * l.size) as f64;
    ev.add("mappings leaked", l.count as f64, Unit::Count);
    ev.add("bytes leaked", leaked, Unit::Bytes);
    ev.add("RSS growth (what docker stats sees)", kib(l.rss_kib), Unit::Bytes);
    ev.add("RSS growth / bytes leaked", kib(l.rss_kib) / leaked, Unit::Fraction);
    ev.add("VmSize growth", kib(l.vm_size_kib), Unit::Bytes);
    ev.add(
        "found in /proc/self/maps / leaked",
        l.found_in_maps as f64 / l.count as f64,
        Unit::Fraction,
    );
    if let Some(b) = l.heap_bytes {
        ev.add("bytes the counting allocator saw (heap profile)", b as f64, Unit::Bytes);
        ev.add("heap profile bytes / bytes leaked", b as f64 / leaked, Unit::Fraction);
    }
    Ok(l)
}

fn leak_summary(l: &LeakView) -> String {
    format!(
        "{} leaked {} mappings: RSS +{}, heap profile {}, /proc/self/maps finds {} of them, \
         VmSize +{}",
        l.count,
        size(l.size),
        format_bytes(kib(l.rss_kib.max(0))),
        l.heap_bytes.map_or_else(|| "n/a".into(), |b| format_bytes(b as f64)),
        l.found_in_maps,
        format_bytes(kib(l.vm_size_kib.max(0)))
    )
}

/// The share under which a tool is blind to the leak.
const BLIND: Threshold = Threshold {
    name: "blind",
    value: 0.1,
    unit: Unit::Fraction,
    source: "convention: a tool that shows under a tenth of the leaked bytes misses it",
};

/// C004-22: "the leak risk is solved by SetFinalizer, verified with docker
/// stats" (seed 004 L182-192).
pub fn c004_22_leak_check(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(
        ctx,
        "16 mappings of 64 MiB kept and never used again, one page written in each",
    );
    let l = leak_evidence(ctx, &mut ev)?;
    let o = figures::finalizer_port(ctx)?;
    ev.add("port: crashed (SIGSEGV)", flag(o.signal == Some(libc::SIGSEGV)), Unit::Bool);
    let summary = format!("the finalizer port: {}; {}", o.describe(), leak_summary(l));
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the finalizer design holds up and RSS shows the leak.
pub const C004_22: Rule = Rule {
    says: "confirmed when the ported finalizer does not crash and RSS shows at least blind \
           of a leak; refuted otherwise",
    inputs: &["port: crashed (SIGSEGV)", "RSS growth / bytes leaked"],
    thresholds: &[BLIND],
    decide: |f| {
        f.confirmed_if(
            f.get("port: crashed (SIGSEGV)") == 0.0
                && f.get("RSS growth / bytes leaked") >= f.limit("blind"),
        )
    },
    examples: &[
        example(
            &[("port: crashed (SIGSEGV)", 1.0), ("RSS growth / bytes leaked", 0.0)],
            Refuted,
        ),
        example(
            &[("port: crashed (SIGSEGV)", 0.0), ("RSS growth / bytes leaked", 0.0)],
            Refuted,
        ),
        example(
            &[("port: crashed (SIGSEGV)", 0.0), ("RSS growth / bytes leaked", 1.0)],
            Confirmed,
        ),
    ],
};

/// C004-23: "mmap is a thread-safe syscall; each buffer is independent"
/// (seed 004 L194-201). `MmapBuf: Send + Sync` is asserted at compile time;
/// two threads map, fill, check and drop buffers side by side.
pub fn c004_23_threads(ctx: &Ctx) -> Result<Measured, CheckError> {
    static_assertions::assert_impl_all!(crate::mmap::MmapBuf: Send, Sync);
    let t = figures::threads(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{} cycles per thread of map {} → fill → check → drop",
            t.cycles,
            size(t.size)
        ),
    );
    ev.add("MmapBuf: Send + Sync (compile-time)", 1.0, Unit::Bool);
    ev.add("buffers correct / made", t.correct as f64 / t.made as f64, Unit::Fraction);
    ev.add(
        "mapping count growth",
        t.mappings.1 as f64 - t.mappings.0 as f64,
        Unit::Count,
    );
    ev.add("1 thread, 1× work", nanos(t.one_thread), Unit::Nanos);
    ev.add("2 threads, 2× work", nanos(t.two_threads), Unit::Nanos);
    let scaling = ev.add(
        "throughput, 2 threads / 1 thread",
        2.0 * nanos(t.one_thread) / nanos(t.two_threads),
        Unit::Ratio,
    );
    let summary = format!(
        "{} of {} buffers correct across 2 threads, mappings {} → {}; 2 threads give {:.2}× \
         the throughput of 1 (faults and munmap share mmap_lock)",
        t.correct, t.made, t.mappings.0, t.mappings.1, scaling
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when every buffer is right and no mapping is left behind.
pub const C004_23: Rule = Rule {
    says: "confirmed when every buffer made by two threads reads back right and the mapping \
           count does not grow; refuted otherwise",
    inputs: &["buffers correct / made", "mapping count growth"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("buffers correct / made") == 1.0
                && f.get("mapping count growth") <= 0.0,
        )
    },
    examples: &[
        example(
            &[("buffers correct / made", 1.0), ("mapping count growth", 0.0)],
            Confirmed,
        ),
        example(
            &[("buffers correct / made", 0.99), ("mapping count growth", 0.0)],
            Refuted,
        ),
        example(
            &[("buffers correct / made", 1.0), ("mapping count growth", 300.0)],
            Refuted,
        ),
    ],
};

/// C004-36: "check for leaks with /proc/<pid>/maps, docker stats and a pprof
/// heap profile" (seed 004 L317-328).
pub fn c004_36_leak_tools(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(
        ctx,
        "16 mappings of 64 MiB kept and never used again, one page written in each",
    );
    let l = leak_evidence(ctx, &mut ev)?;
    Ok(Measured::new(
        ev,
        format!("only /proc/self/maps (and VmSize) see it: {}", leak_summary(l)),
    ))
}

/// Every tool's view, or unverifiable without the heap profile's stand-in.
fn heap_seen(f: &Facts<'_>) -> Option<f64> {
    f.has("heap profile bytes / bytes leaked")
        .then(|| f.get("heap profile bytes / bytes leaked"))
}

const NO_HEAP_PROFILE: &str = "the counting allocator, the heap profile's stand-in, is not \
                               installed in this binary";

/// Confirmed when all three tools see the leak.
pub const C004_36: Rule = Rule {
    says: "unverifiable without the counting allocator; confirmed when /proc/self/maps finds \
           every leaked mapping and RSS and the heap profile each show at least blind of the \
           leak; refuted otherwise",
    inputs: &[
        "found in /proc/self/maps / leaked",
        "RSS growth / bytes leaked",
        "heap profile bytes / bytes leaked",
    ],
    thresholds: &[BLIND],
    decide: |f| {
        let Some(heap) = heap_seen(f) else {
            return Verdict::unverifiable(NO_HEAP_PROFILE);
        };
        f.confirmed_if(
            f.get("found in /proc/self/maps / leaked") == 1.0
                && f.get("RSS growth / bytes leaked") >= f.limit("blind")
                && heap >= f.limit("blind"),
        )
    },
    examples: &[
        example(
            &[
                ("found in /proc/self/maps / leaked", 1.0),
                ("RSS growth / bytes leaked", 0.001),
                ("heap profile bytes / bytes leaked", 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("found in /proc/self/maps / leaked", 1.0),
                ("RSS growth / bytes leaked", 1.0),
                ("heap profile bytes / bytes leaked", 1.0),
            ],
            Confirmed,
        ),
        example(&[("found in /proc/self/maps / leaked", 1.0)], Unverifiable),
    ],
};

/// D66: neither `docker stats` nor a heap profile sees an mmap leak (seed
/// 004 L188-192, L319-328).
pub fn d66_leak_invisible(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(
        ctx,
        "16 mappings of 64 MiB kept and never used again, one page written in each",
    );
    let l = leak_evidence(ctx, &mut ev)?;
    Ok(Measured::new(ev, leak_summary(l)))
}

/// Reproduced when RSS and the heap profile miss the leak and
/// `/proc/self/maps` finds it.
pub const D66: Rule = Rule {
    says: "unverifiable without the counting allocator; reproduced when RSS and the heap \
           profile each show under blind of the leak while /proc/self/maps finds every \
           mapping; not reproduced otherwise",
    inputs: &[
        "found in /proc/self/maps / leaked",
        "RSS growth / bytes leaked",
        "heap profile bytes / bytes leaked",
    ],
    thresholds: &[BLIND],
    decide: |f| {
        let Some(heap) = heap_seen(f) else {
            return Verdict::unverifiable(NO_HEAP_PROFILE);
        };
        f.confirmed_if(
            f.get("found in /proc/self/maps / leaked") == 1.0
                && f.get("RSS growth / bytes leaked") < f.limit("blind")
                && heap < f.limit("blind"),
        )
    },
    examples: &[
        example(
            &[
                ("found in /proc/self/maps / leaked", 1.0),
                ("RSS growth / bytes leaked", 0.001),
                ("heap profile bytes / bytes leaked", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("found in /proc/self/maps / leaked", 1.0),
                ("RSS growth / bytes leaked", 1.0),
                ("heap profile bytes / bytes leaked", 0.0),
            ],
            Refuted,
        ),
        example(&[("RSS growth / bytes leaked", 0.0)], Unverifiable),
    ],
};

/// D60: the finalizer on a local unmaps memory still in use (seed 004
/// L91-96). The port crashes in a child; the fix, `MmapBuf`, is mapped while
/// its owner lives, gone after `drop`, and leaves no mapping behind.
pub fn d60_use_after_unmap(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (mut ev, text) = ownership_evidence(
        ctx,
        "port in a child process; fix = MmapBuf (Drop + borrowed slices)",
    )?;
    let m = crate::mmap::MmapBuf::new(1 << 20)?;
    let addr = m.as_ptr() as usize;
    let owned = crate::measure::os::is_mapped(addr, 1 << 20)?;
    drop(m);
    let gone = !crate::measure::os::is_mapped(addr, 1 << 20)?;
    ev.add(
        "fix: mapped while the owner lives and gone after drop",
        flag(owned && gone),
        Unit::Bool,
    );
    let summary = format!(
        "{text}; the fix is mapped while owned and gone after drop: {} (a slice cannot \
         outlive it: compile_fail doctest)",
        if owned && gone { "yes" } else { "no" }
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port crashes and the fix passes.
pub const D60: Rule = Rule {
    says: "reproduced when the port crashes with SIGSEGV while MmapBuf is mapped exactly as \
           long as its owner and leaves the mapping count where it was; not reproduced when \
           the port does not crash; unverifiable when the fix fails too",
    inputs: &[
        "port: crashed (SIGSEGV)",
        "fix: mapped while the owner lives and gone after drop",
        "RAII: mapping count growth",
    ],
    thresholds: &[],
    decide: |f| {
        if f.get("port: crashed (SIGSEGV)") == 0.0 {
            Verdict::Refuted
        } else if f.get("fix: mapped while the owner lives and gone after drop") == 1.0
            && f.get("RAII: mapping count growth") <= 0.0
        {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable(
                "the fix failed too, so the port's crash cannot be pinned on the finalizer",
            )
        }
    },
    examples: &[
        example(
            &[
                ("port: crashed (SIGSEGV)", 1.0),
                ("fix: mapped while the owner lives and gone after drop", 1.0),
                ("RAII: mapping count growth", 0.0),
            ],
            Confirmed,
        ),
        example(&[("port: crashed (SIGSEGV)", 0.0)], Refuted),
        example(
            &[
                ("port: crashed (SIGSEGV)", 1.0),
                ("fix: mapped while the owner lives and gone after drop", 1.0),
                ("RAII: mapping count growth", 10000.0),
            ],
            Unverifiable,
        ),
    ],
};

/// D61: the fallback to `make()` cannot fail gracefully (seed 004 L86-89,
/// L203-212). 64 TiB through the ported fallback in a child, then through
/// `try_reserve_exact`.
pub fn d61_fatal_fallback(ctx: &Ctx) -> Result<Measured, CheckError> {
    let o = figures::fallback_port(ctx)?;
    let attempts = figures::absurd(ctx)?;
    let big = attempts
        .iter()
        .find(|a| a.size == crate::mmap::seed_port::FALLBACK_SIZE)
        .ok_or("no 64 TiB attempt")?;
    let mut ev = evidence(
        ctx,
        "64 TiB through the ported fallback (in a child), then through try_reserve_exact",
    );
    ev.add("64 TiB: mmap failed", flag(big.mmap_error.is_some()), Unit::Bool);
    ev.add("port: aborted (SIGABRT)", flag(o.signal == Some(libc::SIGABRT)), Unit::Bool);
    ev.add("fix: try_reserve_exact returned Err", flag(big.fallback_failed), Unit::Bool);
    let said = o.stderr.lines().next().unwrap_or("").trim().to_string();
    let summary = format!(
        "mmap ENOMEM then vec![0u8; 64 TiB]: {} (\"{said}\"); with try_reserve_exact the \
         failure is a value: {}",
        o.describe(),
        if big.fallback_failed { "Err, process alive" } else { "no error" }
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port aborts and the fix returns an error.
pub const D61: Rule = Rule {
    says: "unverifiable when 64 TiB maps (overcommit); reproduced when the port aborts and \
           try_reserve_exact returns Err; not reproduced when the port does not abort; \
           unverifiable when the fix fails too",
    inputs: &[
        "64 TiB: mmap failed",
        "port: aborted (SIGABRT)",
        "fix: try_reserve_exact returned Err",
    ],
    thresholds: &[],
    decide: |f| {
        if f.get("64 TiB: mmap failed") == 0.0 {
            Verdict::unverifiable(
                "64 TiB mapped here (the overcommit policy let it through), so the fallback \
                 never ran",
            )
        } else if f.get("port: aborted (SIGABRT)") == 0.0 {
            Verdict::Refuted
        } else if f.get("fix: try_reserve_exact returned Err") == 1.0 {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("the fix did not report the failure either")
        }
    },
    examples: &[
        example(
            &[
                ("64 TiB: mmap failed", 1.0),
                ("port: aborted (SIGABRT)", 1.0),
                ("fix: try_reserve_exact returned Err", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[("64 TiB: mmap failed", 1.0), ("port: aborted (SIGABRT)", 0.0)],
            Refuted,
        ),
        example(&[("64 TiB: mmap failed", 0.0)], Unverifiable),
    ],
};
