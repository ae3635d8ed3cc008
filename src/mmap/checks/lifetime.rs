//! Checks about who frees a mapping, what fails, and who notices a leak
//! (seed 004 L69-128, L180-212, L317-328).

use super::{MIB, evidence, size};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::child::{self, ChildOutcome};
use crate::mmap::fallback::{self, Attempt};
use crate::mmap::lifetime::{self, Footprint, LeakView};
use crate::mmap::{MmapBuf, sizes};
use std::time::Duration;

const CHILD_TIMEOUT: Duration = Duration::from_secs(30);

fn kib(k: i64) -> f64 {
    k as f64 * 1024.0
}

/// C004-12: mmap'd memory is off the Go heap, so the GC never scans it.
pub fn c004_12(ctx: &Ctx) -> Result<Finding, CheckError> {
    let n = 64 * MIB;
    let mut ev = evidence(ctx, &format!("MmapBuf::new({}), every page written", size(n)));
    let rss0 = crate::mmap::paging::rss_kib()? as i64;
    let seen = if crate::measure::alloc::is_installed() {
        let (m, counts) = crate::measure::alloc::measure(|| {
            let mut m = MmapBuf::new(n);
            if let Ok(m) = m.as_mut() {
                sizes::touch_pages(m);
            }
            m
        });
        (m?, Some(counts.bytes_requested))
    } else {
        let mut m = MmapBuf::new(n)?;
        sizes::touch_pages(&mut m);
        (m, None)
    };
    let (mapping, seen) = seen;
    let rss = crate::mmap::paging::rss_kib()? as i64 - rss0;
    drop(mapping);
    if let Some(b) = seen {
        ev.add("bytes the counting allocator saw", b as f64, Unit::Bytes);
    }
    ev.add("RSS growth while it was mapped", kib(rss), Unit::Bytes);
    let analogue = match seen {
        Some(b) => format!(
            "memory from mmap is invisible to the global allocator: the counting allocator \
             saw {b} bytes while RSS grew by {}",
            size(kib(rss) as usize)
        ),
        None => {
            "memory from mmap is invisible to the global allocator (not installed in \
                 this binary, so not measured here)"
                .into()
        }
    };
    let verdict = Verdict::not_applicable(
        "Rust has no garbage collector, and Go's collector never scans a []byte anyway \
         (pointer-free memory sits in noscan spans), mmapped or not.",
        analogue,
    );
    let summary = format!(
        "no GC in Rust; a touched 64 MiB mapping: {} counted by the global allocator, RSS +{}",
        seen.map(|b| format!("{b} B")).unwrap_or_else(|| "n/a".into()),
        size(kib(rss).max(0.0) as usize)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// Tries the absurd sizes, records them; returns (failures, rescued by the fallback).
fn fallback_evidence(ev: &mut Evidence) -> (usize, usize) {
    let attempts: Vec<Attempt> =
        fallback::absurd_sizes().into_iter().map(fallback::try_both).collect();
    for a in &attempts {
        let name = size(a.size);
        ev.add(
            format!("{name}: mmap failed"),
            a.mmap_error.is_some() as u8 as f64,
            Unit::Bool,
        );
        ev.add(
            format!("{name}: same-size fallback failed"),
            a.fallback_failed as u8 as f64,
            Unit::Bool,
        );
    }
    let failures = attempts.iter().filter(|a| a.mmap_error.is_some()).count();
    let rescued =
        attempts.iter().filter(|a| a.mmap_error.is_some() && !a.fallback_failed).count();
    (failures, rescued)
}

fn overcommit() -> String {
    crate::mmap::paging::read_sys_number("/proc/sys/vm/overcommit_memory")
        .map_or_else(|| "unknown".into(), |m| m.to_string())
}

/// C004-13: mmap, and fall back to `make()` on error.
pub fn c004_13(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev =
        evidence(ctx, "2 × RAM, 1 TiB and 64 TiB; fallback = Vec::try_reserve_exact");
    let (failures, rescued) = fallback_evidence(&mut ev);
    let verdict = if failures == 0 {
        Verdict::unverifiable(format!(
            "no size failed to map here (vm.overcommit_memory = {})",
            overcommit()
        ))
    } else {
        Verdict::confirmed_if(rescued > 0)
    };
    let summary = format!(
        "mmap failed at {failures} of 3 absurd sizes and the same-size fallback rescued {rescued} \
         of them: after ENOMEM the fallback asks the same kernel for the same memory"
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-24: mmap can fail (out of memory), so fall back to `make()`.
pub fn c004_24(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(ctx, "2 × RAM, 1 TiB and 64 TiB, as values (no abort)");
    let (failures, rescued) = fallback_evidence(&mut ev);
    let verdict = if failures == 0 {
        Verdict::unverifiable(format!(
            "nothing failed to map (vm.overcommit_memory = {})",
            overcommit()
        ))
    } else {
        Verdict::confirmed_if(rescued > 0)
    };
    let summary = format!(
        "mmap can fail, and here reported it as a value {failures} times; \"fall back to \
         make()\" rescued {rescued}: in Go a failed make is a fatal error, not a fallback"
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// The seed's finalizer design, ported, in a child: how it ended.
fn finalizer_child() -> Result<ChildOutcome, CheckError> {
    Ok(child::run_mode(lifetime::CHILD_FINALIZER, CHILD_TIMEOUT)?)
}

/// The RAII loop and the footprint around it.
fn raii(ctx: &Ctx, ev: &mut Evidence) -> Result<bool, CheckError> {
    let count = ctx.pick(10_000, 1_000);
    lifetime::raii_cycles(2, MIB)?; // the first cycles may grow the heap a little
    let before = Footprint::now()?;
    let checked = lifetime::raii_cycles(count, MIB)?;
    let after = Footprint::now()?;
    ev.add("RAII cycles (map 1 MiB, write, check, drop)", count as f64, Unit::Count);
    ev.add("bytes checked", checked as f64, Unit::Count);
    ev.add("mappings before", before.mappings as f64, Unit::Count);
    ev.add("mappings after", after.mappings as f64, Unit::Count);
    let grew = after.vm_size_kib as i64 - before.vm_size_kib as i64;
    ev.add("VmSize growth", kib(grew), Unit::Bytes);
    Ok(after.mappings <= before.mappings && grew < 1024)
}

/// C004-14: `SetFinalizer` frees automatically: "guaranteed no leak".
pub fn c004_14(ctx: &Ctx) -> Result<Finding, CheckError> {
    let o = finalizer_child()?;
    let mut ev = evidence(
        ctx,
        "the seed's allocLargeBuffer ported with a finalizer that runs when the local \
         slice header dies (a GC right after the return), then one write; in a child",
    );
    let segv = o.signal == Some(libc::SIGSEGV);
    ev.add("port: killed by SIGSEGV", segv as u8 as f64, Unit::Bool);
    let raii_ok = raii(ctx, &mut ev)?;
    let verdict = Verdict::confirmed_if(!segv);
    let summary = format!(
        "the finalizer on the local header unmaps memory the caller still uses ({}); Rust \
         ownership: {} map/drop cycles, mappings back to baseline: {}",
        o.describe(),
        ctx.pick(10_000, 1_000),
        if raii_ok { "yes" } else { "no" }
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// D60: use-after-unmap through the finalizer on a local.
pub fn d60(ctx: &Ctx) -> Result<Finding, CheckError> {
    let o = finalizer_child()?;
    let mut ev =
        evidence(ctx, "port in a child process; fix = MmapBuf (Drop + borrowed slices)");
    let segv = o.signal == Some(libc::SIGSEGV);
    ev.add("port: killed by SIGSEGV", segv as u8 as f64, Unit::Bool);
    // The fix: the mapping lives exactly as long as its owner.
    let m = MmapBuf::new(MIB)?;
    let addr = m.as_ptr() as usize;
    let mapped_while_owned = crate::measure::os::is_mapped(addr, MIB)?;
    drop(m);
    let gone_after_drop = !crate::measure::os::is_mapped(addr, MIB)?;
    ev.add(
        "fix: mapped while the owner lives",
        mapped_while_owned as u8 as f64,
        Unit::Bool,
    );
    ev.add("fix: gone after drop", gone_after_drop as u8 as f64, Unit::Bool);
    let raii_ok = raii(ctx, &mut ev)?;
    let verdict =
        Verdict::confirmed_if(segv && mapped_while_owned && gone_after_drop && raii_ok);
    let yes = |b: bool| if b { "yes" } else { "no" };
    let summary = format!(
        "the faithful port: {}; the fix (MmapBuf): mapped while owned {}, unmapped at drop \
         {}, footprint unchanged over {} cycles {} (a slice cannot outlive it: \
         compile_fail doctest)",
        o.describe(),
        yes(mapped_while_owned),
        yes(gone_after_drop),
        ctx.pick(10_000, 1_000),
        yes(raii_ok)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// D61: the fallback to `make()` cannot fail gracefully.
pub fn d61(ctx: &Ctx) -> Result<Finding, CheckError> {
    let o = child::run_mode(fallback::CHILD_FALLBACK, CHILD_TIMEOUT)?;
    let mut ev = evidence(
        ctx,
        "64 TiB through the ported fallback (in a child), then through try_reserve_exact",
    );
    let aborted = o.signal == Some(libc::SIGABRT);
    ev.add("port: aborted", aborted as u8 as f64, Unit::Bool);
    let fix = fallback::try_both(1 << 46);
    let fix_ok = fix.fallback_failed; // and we are still running
    ev.add("fix: try_reserve_exact returned Err", fix_ok as u8 as f64, Unit::Bool);
    let verdict = Verdict::confirmed_if(aborted && fix_ok);
    let said = o.stderr.lines().next().unwrap_or("").trim().to_string();
    let summary = format!(
        "mmap ENOMEM then vec![0u8; 64 TiB]: {} (\"{said}\"); with try_reserve_exact the \
         failure is a value: {}",
        o.describe(),
        if fix_ok { "Err, process alive" } else { "no error" }
    );
    Ok(Finding::new(verdict, summary, ev))
}

fn leak(ev: &mut Evidence) -> Result<LeakView, CheckError> {
    let l = lifetime::leak_view(16, 64 * MIB)?;
    ev.add("mappings leaked", l.count as f64, Unit::Count);
    ev.add("bytes leaked", (l.count * l.size) as f64, Unit::Bytes);
    ev.add("RSS growth (what docker stats sees)", kib(l.rss_kib), Unit::Bytes);
    ev.add("VmSize growth", kib(l.vm_size_kib), Unit::Bytes);
    ev.add(
        "leaked mappings found in /proc/self/maps",
        l.found_in_maps as f64,
        Unit::Count,
    );
    if let Some(b) = l.heap_bytes {
        ev.add("bytes the counting allocator saw (heap profile)", b as f64, Unit::Bytes);
    }
    Ok(l)
}

/// RSS shows under 10 % of the leak.
fn rss_blind(l: &LeakView) -> bool {
    kib(l.rss_kib) < 0.1 * (l.count * l.size) as f64
}

fn leak_summary(l: &LeakView) -> String {
    format!(
        "{} leaked {} mappings: RSS +{} KiB, heap profile {}, /proc/self/maps finds {} of them, \
         VmSize +{}",
        l.count,
        size(l.size),
        l.rss_kib,
        l.heap_bytes.map_or_else(|| "n/a".into(), |b| format!("{b} B")),
        l.found_in_maps,
        size(kib(l.vm_size_kib).max(0.0) as usize)
    )
}

/// C004-22: the leak risk is solved by `SetFinalizer`, checked with `docker stats`.
pub fn c004_22(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(
        ctx,
        "16 mappings of 64 MiB kept and never used again, one page written in each",
    );
    let l = leak(&mut ev)?;
    let o = finalizer_child()?;
    let segv = o.signal == Some(libc::SIGSEGV);
    ev.add("finalizer port: killed by SIGSEGV", segv as u8 as f64, Unit::Bool);
    let verdict = Verdict::confirmed_if(!rss_blind(&l) && !segv);
    let summary = format!(
        "the finalizer port: {}; an RSS-based check (docker stats) {} the leak: {}",
        o.describe(),
        if rss_blind(&l) { "misses" } else { "sees" },
        leak_summary(&l)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-23: mmap is thread-safe; each buffer is independent.
pub fn c004_23(ctx: &Ctx) -> Result<Finding, CheckError> {
    static_assertions::assert_impl_all!(MmapBuf: Send, Sync);
    let cycles = ctx.pick(300, 100);
    let n = 256 << 10;
    let work = |tag: u8| -> Result<usize, String> {
        let mut ok = 0;
        for _ in 0..cycles {
            let mut m = MmapBuf::new(n).map_err(|e| e.to_string())?;
            m.fill(tag);
            ok += m.iter().all(|&b| b == tag) as usize;
        }
        Ok(ok)
    };
    // Two threads first, alive at the same time and allocating: glibc then
    // creates the two malloc arenas and caches the two stacks (mappings
    // that outlive the threads), so the threads below reuse them and the
    // mapping count compares the buffers alone.
    let both = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                std::hint::black_box(vec![1u8; 64]);
                both.wait();
            });
        }
    });
    let before = Footprint::now()?;
    let t = std::time::Instant::now();
    let one = work(1)?;
    let serial = t.elapsed();
    let t = std::time::Instant::now();
    let both: Vec<Result<usize, String>> = std::thread::scope(|s| {
        let a = s.spawn(|| work(2));
        let b = s.spawn(|| work(3));
        [a, b]
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    });
    let parallel = t.elapsed();
    let after = Footprint::now()?;
    let mut good = one;
    for r in both {
        good += r?;
    }
    let mut ev = evidence(
        ctx,
        &format!("{cycles} cycles per thread of map {} → fill → check → drop", size(n)),
    );
    ev.add("MmapBuf: Send + Sync (compile-time)", 1.0, Unit::Bool);
    ev.add("buffers correct", good as f64, Unit::Count);
    ev.add("buffers made", (3 * cycles) as f64, Unit::Count);
    ev.add("1 thread, 1× work", serial.as_nanos() as f64, Unit::Nanos);
    ev.add("2 threads, 2× work", parallel.as_nanos() as f64, Unit::Nanos);
    let scaling = ev.add(
        "throughput, 2 threads / 1 thread",
        2.0 * serial.as_secs_f64() / parallel.as_secs_f64(),
        Unit::Ratio,
    );
    ev.add("mappings before", before.mappings as f64, Unit::Count);
    ev.add("mappings after", after.mappings as f64, Unit::Count);
    let back = after.mappings <= before.mappings;
    let verdict = Verdict::confirmed_if(good == 3 * cycles && back);
    let summary = format!(
        "{good} of {} buffers correct across 2 threads, mappings {} → {}; 2 threads give \
         {scaling:.2}× the throughput of 1 (faults and munmap share mmap_lock)",
        3 * cycles,
        before.mappings,
        after.mappings
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-36: `/proc/<pid>/maps`, `docker stats` and pprof to check for leaks.
pub fn c004_36(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(
        ctx,
        "16 mappings of 64 MiB kept and never used again, one page written in each",
    );
    let l = leak(&mut ev)?;
    let maps_sees = l.found_in_maps == l.count;
    let heap_blind = l.heap_bytes.is_some_and(|b| b < (l.count * l.size) as u64 / 10);
    let verdict = Verdict::confirmed_if(maps_sees && !heap_blind && !rss_blind(&l));
    let summary =
        format!("only /proc/self/maps (and VmSize) see it: {}", leak_summary(&l));
    Ok(Finding::new(verdict, summary, ev))
}

/// D66: neither `docker stats` nor a heap profile sees an mmap leak.
pub fn d66(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(
        ctx,
        "16 mappings of 64 MiB kept and never used again, one page written in each",
    );
    let l = leak(&mut ev)?;
    let heap_blind = l.heap_bytes.is_some_and(|b| b < (l.count * l.size) as u64 / 10);
    let verdict =
        Verdict::confirmed_if(rss_blind(&l) && heap_blind && l.found_in_maps == l.count);
    Ok(Finding::new(verdict, leak_summary(&l), ev))
}
