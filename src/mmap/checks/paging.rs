//! Checks about demand paging, the zero page, prefaulting and huge pages
//! (seed 004 L41-67, L258-285, L330-355).

use super::{GIB, MIB, evidence, faults_look_lazy, nanos, pages, size, untouched};
use crate::claims::{CheckError, Ctx, Finding, Unit, Verdict};
use crate::measure::os::ThreadCounters;
use crate::mmap::paging::{self, ZeroPage};
use crate::mmap::{MmapBuf, flags, sizes};
use std::sync::OnceLock;

fn kib_to_bytes(k: i64) -> f64 {
    k as f64 * 1024.0
}

/// Allocates `n` bytes both ways and reports faults and RSS growth of each
/// (untouched).
fn lazy_both(n: usize) -> Result<[(u64, i64); 2], CheckError> {
    let r0 = paging::rss_kib()? as i64;
    let c0 = ThreadCounters::now();
    let v = std::hint::black_box(vec![0u8; n]);
    let c1 = ThreadCounters::now();
    let r1 = paging::rss_kib()? as i64;
    let m = MmapBuf::new(n)?;
    let c2 = ThreadCounters::now();
    let r2 = paging::rss_kib()? as i64;
    drop((v, m));
    Ok([(c0.delta(&c1).minor_faults, r1 - r0), (c1.delta(&c2).minor_faults, r2 - r1)])
}

/// C004-08: mmap reserves virtual memory and relies on lazy allocation.
pub fn c004_08(ctx: &Ctx) -> Result<Finding, CheckError> {
    let [_, (faults, rss)] = lazy_both(GIB)?;
    let mut ev = evidence(ctx, "MmapBuf::new(1 GiB), nothing touched");
    ev.add("faults", faults as f64, Unit::Count);
    ev.add("RSS growth", kib_to_bytes(rss), Unit::Bytes);
    let verdict = Verdict::confirmed_if(untouched(faults) && rss < 1024);
    let summary = format!("mapping 1 GiB: {}, RSS +{rss} KiB", super::faults(faults));
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-09: `make` grabs physical memory; mmap only reserves.
pub fn c004_09(ctx: &Ctx) -> Result<Finding, CheckError> {
    let [(vf, vr), (mf, mr)] = lazy_both(GIB)?;
    let mut ev = evidence(ctx, "1 GiB each, nothing touched");
    ev.add("vec![0u8; n]: faults", vf as f64, Unit::Count);
    ev.add("vec![0u8; n]: RSS growth", kib_to_bytes(vr), Unit::Bytes);
    ev.add("mmap: faults", mf as f64, Unit::Count);
    ev.add("mmap: RSS growth", kib_to_bytes(mr), Unit::Bytes);
    let vec_lazy = untouched(vf) && vr < 1024;
    let mmap_lazy = untouched(mf) && mr < 1024;
    let verdict = Verdict::confirmed_if(!vec_lazy && mmap_lazy);
    let summary = format!(
        "both only reserve: vec![0u8; 1 GiB] {}, RSS +{vr} KiB; mmap {}, RSS +{mr} KiB",
        super::faults(vf),
        super::faults(mf)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// The zero-page experiment, once per process and size class.
fn zero_page(ctx: &Ctx) -> Result<&'static ZeroPage, CheckError> {
    static FULL: OnceLock<Result<ZeroPage, String>> = OnceLock::new();
    static QUICK: OnceLock<Result<ZeroPage, String>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    let n = ctx.pick(128 * MIB, 64 * MIB);
    cell.get_or_init(|| paging::zero_page_experiment(n).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CheckError(e.clone()))
}

fn zero_page_evidence(ctx: &Ctx, z: &ZeroPage) -> crate::claims::Evidence {
    let mut ev = evidence(
        ctx,
        &format!(
            "fresh {} mapping: read every page, then write every page",
            size(z.size)
        ),
    );
    ev.add("read pass: faults", z.read_faults as f64, Unit::Count);
    ev.add("read pass: RSS growth", kib_to_bytes(z.read_rss_kib), Unit::Bytes);
    ev.add("read pass: all bytes zero", z.read_zero as u8 as f64, Unit::Bool);
    ev.add("write pass: faults", z.write_faults as f64, Unit::Count);
    ev.add("write pass: RSS growth", kib_to_bytes(z.write_rss_kib), Unit::Bytes);
    if let Some(d) = z.distinct_frames {
        ev.add(
            format!("distinct frames behind {} read pages", z.frames_sampled),
            d as f64,
            Unit::Count,
        );
    }
    ev
}

/// Reads left RSS flat (≤ 2 MiB) and writes made it grow by ≥ 90 % of the size.
fn reads_share_writes_allocate(z: &ZeroPage) -> bool {
    faults_look_lazy(z.read_faults, z.size)
        && z.read_zero
        && z.read_rss_kib <= 2048
        && kib_to_bytes(z.write_rss_kib) >= 0.9 * z.size as f64
}

/// C004-10: reads map the zero page; the first write allocates a page.
pub fn c004_10(ctx: &Ctx) -> Result<Finding, CheckError> {
    let z = zero_page(ctx)?;
    let ev = zero_page_evidence(ctx, z);
    let verdict = Verdict::confirmed_if(reads_share_writes_allocate(z));
    let summary = format!(
        "{}: reading every page took {} faults and RSS +{} KiB; writing took {} faults and \
         RSS +{} KiB",
        size(z.size),
        z.read_faults,
        z.read_rss_kib,
        z.write_faults,
        z.write_rss_kib
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-11: allocate 1 GB, touch 1 MB, use 1 MB.
pub fn c004_11(ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = evidence(ctx, "1 GiB allocated, first 1 MiB written one byte per page");
    let mut ok = true;
    let mut parts = vec![];
    for via_vec in [false, true] {
        let d = paging::demand_paging(GIB, MIB, via_vec)?;
        let name = if via_vec { "vec![0u8; 1 GiB]" } else { "mmap 1 GiB" };
        ev.add(format!("{name}: faults"), d.faults as f64, Unit::Count);
        ev.add(format!("{name}: RSS growth"), kib_to_bytes(d.rss_kib), Unit::Bytes);
        // 1 MiB, within the kernel's per-CPU RSS counter slack (a few hundred KiB).
        ok &= (512..=1024 + 4096).contains(&d.rss_kib) && d.faults <= pages(MIB) + 16;
        parts.push(format!("{name}: {} faults, RSS +{} KiB", d.faults, d.rss_kib));
    }
    let verdict = Verdict::confirmed_if(ok);
    Ok(Finding::new(
        verdict,
        format!("touching 1 MiB of 1 GiB: {}", parts.join("; ")),
        ev,
    ))
}

/// C004-29: virtual memory can be much larger than physical memory.
pub fn c004_29(ctx: &Ctx) -> Result<Finding, CheckError> {
    let ram = crate::mmap::fallback::mem_total_bytes().unwrap_or(0) as usize;
    let n = (64usize << 30).max(ram.saturating_mul(2));
    let r = flags::reserve_experiment(n);
    let mut ev = evidence(
        ctx,
        &format!("Reservation::new({}): PROT_NONE, MAP_NORESERVE", size(n)),
    );
    ev.add("RAM", r.ram as f64, Unit::Bytes);
    ev.add("reservation succeeded", r.ok.is_none() as u8 as f64, Unit::Bool);
    ev.add("VmSize growth", kib_to_bytes(r.vm_size_kib), Unit::Bytes);
    ev.add("RSS growth", kib_to_bytes(r.rss_kib), Unit::Bytes);
    if let Some(o) = r.overcommit {
        ev.add("vm.overcommit_memory", o as f64, Unit::Count);
    }
    let ok = r.ok.is_none()
        && n as u64 > r.ram
        && r.rss_kib < 1024
        && kib_to_bytes(r.vm_size_kib) >= 0.99 * n as f64;
    let verdict = Verdict::confirmed_if(ok);
    let summary = match &r.ok {
        None => format!(
            "reserved {} of address space on a {} machine: VmSize +{}, RSS +{} KiB",
            size(n),
            super::approx_size(r.ram as f64),
            size(r.vm_size_kib as usize * 1024),
            r.rss_kib
        ),
        Some(e) => format!("reserving {} failed: {e}", size(n)),
    };
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-30: a page fault allocates a page and "returns the zero page".
pub fn c004_30(ctx: &Ctx) -> Result<Finding, CheckError> {
    let z = zero_page(ctx)?;
    let ev = zero_page_evidence(ctx, z);
    let verdict =
        Verdict::confirmed_if(reads_share_writes_allocate(z) && z.write_faults > 0);
    let summary = format!(
        "two kinds of fault: a read fault maps the shared zero page ({} faults, RSS +{} KiB), \
         a write fault allocates a zeroed page of its own ({} faults, RSS +{} KiB)",
        z.read_faults, z.read_rss_kib, z.write_faults, z.write_rss_kib
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-31: copy-on-write: everyone shares the same zero page.
pub fn c004_31(ctx: &Ctx) -> Result<Finding, CheckError> {
    let z = zero_page(ctx)?;
    let ev = zero_page_evidence(ctx, z);
    let one_frame = z.distinct_frames.is_none_or(|d| d == 1);
    let verdict = Verdict::confirmed_if(reads_share_writes_allocate(z) && one_frame);
    let frames = match z.distinct_frames {
        Some(d) => {
            format!("{d} physical frame(s) behind {} pages read", z.frames_sampled)
        }
        None => "frame numbers hidden (pagemap needs CAP_SYS_ADMIN)".into(),
    };
    let summary = format!(
        "{} read as zero with RSS +{} KiB: {frames}; writing gave each page its own copy \
         (RSS +{} KiB)",
        size(z.size),
        z.read_rss_kib,
        z.write_rss_kib
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-38: pre-warm by writing one byte per 4 KB.
#[cfg(target_os = "linux")]
pub fn c004_38(ctx: &Ctx) -> Result<Finding, CheckError> {
    let n = ctx.pick(128 * MIB, 32 * MIB);
    let rounds = ctx.pick(3, 2);
    // The seed's loop, as a pre-warm: then a second pass finds every page present.
    let mut m = MmapBuf::new(n)?;
    let (_, first) = crate::measure::os::measure(|| sizes::touch_pages(&mut m));
    let (_, second) = crate::measure::os::measure(|| sizes::touch_pages(&mut m));
    drop(m);
    let p = paging::prefault_experiment(n, rounds)?;
    let mut ev =
        evidence(ctx, &format!("{}; {rounds} interleaved rounds, medians", size(n)));
    ev.add("pre-warm loop: faults", first.minor_faults as f64, Unit::Count);
    ev.add("later pass: faults", second.minor_faults as f64, Unit::Count);
    ev.add(
        "demand faults + touch (median)",
        crate::measure::stats::median(&p.demand_ns).unwrap_or(0.0),
        Unit::Nanos,
    );
    ev.add(
        "MAP_POPULATE + touch (median)",
        crate::measure::stats::median(&p.map_populate_ns).unwrap_or(0.0),
        Unit::Nanos,
    );
    ev.add(
        "touch faults after MAP_POPULATE",
        p.faults_after_map_populate as f64,
        Unit::Count,
    );
    let speedup = ev.add("demand / MAP_POPULATE", p.map_populate_speedup(), Unit::Ratio);
    if let (Some(s), Some(f)) =
        (p.populate_write_speedup(), p.faults_after_populate_write)
    {
        ev.add(
            "MADV_POPULATE_WRITE + touch (median)",
            crate::measure::stats::median(&p.populate_write_ns).unwrap_or(0.0),
            Unit::Nanos,
        );
        ev.add("touch faults after MADV_POPULATE_WRITE", f as f64, Unit::Count);
        ev.add("demand / MADV_POPULATE_WRITE", s, Unit::Ratio);
    }
    let moved = faults_look_lazy(first.minor_faults, n) && second.minor_faults < 16;
    let verdict = Verdict::confirmed_if(moved && p.faults_after_map_populate < 16);
    let summary = format!(
        "{}: the pre-warm loop took {} faults and left {} for later; demand faults take \
         {speedup:.2}× the time of MAP_POPULATE{}",
        size(n),
        first.minor_faults,
        second.minor_faults,
        p.populate_write_speedup()
            .map(|s| format!(" and {s:.2}× that of MADV_POPULATE_WRITE"))
            .unwrap_or_default()
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// The huge-page experiment, once per process and size class.
#[cfg(target_os = "linux")]
fn huge(ctx: &Ctx) -> Result<&'static paging::HugePages, CheckError> {
    static FULL: OnceLock<Result<paging::HugePages, String>> = OnceLock::new();
    static QUICK: OnceLock<Result<paging::HugePages, String>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    cell.get_or_init(|| {
        paging::huge_page_experiment(ctx.pick(128 * MIB, 64 * MIB), ctx.pick(3, 2))
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| CheckError(e.clone()))
}

/// C004-39: huge pages via `MAP_HUGETLB` cut page-table overhead.
#[cfg(target_os = "linux")]
pub fn c004_39(ctx: &Ctx) -> Result<Finding, CheckError> {
    let tlb = paging::hugetlb_experiment();
    let h = huge(ctx)?;
    let n = h.size;
    let reads = ctx.pick(2_000_000, 500_000);
    let (small, huge) = paging::random_access_ns(n, reads, 3)?;
    let small_ns = crate::measure::stats::median(&small).unwrap_or(0.0);
    let huge_ns = crate::measure::stats::median(&huge).unwrap_or(0.0);
    let mut ev = evidence(
        ctx,
        &format!(
            "{}; touch: medians of interleaved rounds; {reads} random reads",
            size(n)
        ),
    );
    ev.add("vm.nr_hugepages", tlb.reserved.unwrap_or(0) as f64, Unit::Count);
    ev.add("MAP_HUGETLB worked", tlb.error.is_none() as u8 as f64, Unit::Bool);
    ev.add("4 KiB pages: touch faults", h.small_faults as f64, Unit::Count);
    ev.add("MADV_HUGEPAGE: touch faults", h.huge_faults as f64, Unit::Count);
    ev.add(
        "MADV_HUGEPAGE: AnonHugePages growth",
        kib_to_bytes(h.anon_huge_kib),
        Unit::Bytes,
    );
    ev.add("first touch: 4 KiB time / huge time", h.touch_speedup(), Unit::Ratio);
    ev.add("random read, 4 KiB pages", small_ns, Unit::Nanos);
    ev.add("random read, huge pages", huge_ns, Unit::Nanos);
    let thp_works = h.huge_faults * 8 < h.small_faults && h.anon_huge_kib > 0;
    let verdict = match &tlb.error {
        Some(e) if e.is_enomem() && thp_works => Verdict::unruled_holds_only_when(
            "hugetlb pages are reserved (vm.nr_hugepages > 0; without them MAP_HUGETLB \
             fails with ENOMEM). Transparent huge pages (MADV_HUGEPAGE) need no \
             reservation and give the same fault and TLB savings",
        ),
        Some(_) => Verdict::Refuted,
        None => Verdict::confirmed_if(tlb.faults <= 1),
    };
    let hugetlb = match &tlb.error {
        Some(e) => format!("MAP_HUGETLB: {}", e.source),
        None => format!("MAP_HUGETLB: 2 MiB in {} fault(s)", tlb.faults),
    };
    let summary = format!(
        "{hugetlb} (nr_hugepages = {}); THP on {}: {} faults instead of {}, first touch \
         time 4 KiB/huge {:.2}×, random read {} vs {}",
        tlb.reserved.unwrap_or(0),
        size(n),
        h.huge_faults,
        h.small_faults,
        h.touch_speedup(),
        nanos(huge_ns),
        nanos(small_ns)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-40: NUMA: bind memory to a node.
pub fn c004_40(ctx: &Ctx) -> Result<Finding, CheckError> {
    let nodes = flags::numa_nodes();
    let mut ev = evidence(ctx, "nodes listed in /sys/devices/system/node/");
    let verdict = match nodes {
        Some(1) => Verdict::unruled_holds_only_when(
            "the machine has several NUMA nodes; with one node every page is local and \
             binding changes nothing",
        ),
        Some(n) => Verdict::unverifiable(format!(
            "{n} nodes here, but this check does not measure local against remote access"
        )),
        None => Verdict::unverifiable("no NUMA information in /sys on this system"),
    };
    if let Some(n) = nodes {
        ev.add("NUMA nodes", n as f64, Unit::Count);
    }
    let summary = match nodes {
        Some(n) => format!("{n} NUMA node(s) on this machine"),
        None => "NUMA topology not visible".into(),
    };
    Ok(Finding::new(verdict, summary, ev))
}

/// D68: the pre-warm loop hard-codes 4 KiB pages.
#[cfg(target_os = "linux")]
pub fn d68(ctx: &Ctx) -> Result<Finding, CheckError> {
    let h = huge(ctx)?;
    let page = crate::measure::machine::page_size();
    let mut ev = evidence(
        ctx,
        &format!("{} with MADV_HUGEPAGE, the seed's 4096-byte stride", size(h.size)),
    );
    ev.add("page size (sysconf)", page as f64, Unit::Bytes);
    let writes = ev.add("writes by the loop", (h.size / 4096) as f64, Unit::Count);
    let faults = ev.add("faults they caused", h.huge_faults as f64, Unit::Count);
    let per = ev.add("writes per fault", writes / faults.max(1.0), Unit::Ratio);
    let verdict = Verdict::confirmed_if(per > 1.5 || page != 4096);
    let summary = format!(
        "with huge pages the 4096-byte stride makes {:.0} writes per fault ({} writes, {} \
         faults); the page size here is {page} B; MADV_POPULATE_WRITE needs no loop at all",
        per, writes, faults
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// D69: `MAP_HUGETLB` suggested with no caveats.
#[cfg(target_os = "linux")]
pub fn d69(ctx: &Ctx) -> Result<Finding, CheckError> {
    let tlb = paging::hugetlb_experiment();
    let mut ev = evidence(ctx, "MmapBuf::with_options(2 MiB, MAP_HUGETLB)");
    ev.add("vm.nr_hugepages", tlb.reserved.unwrap_or(0) as f64, Unit::Count);
    ev.add("MAP_HUGETLB worked", tlb.error.is_none() as u8 as f64, Unit::Bool);
    let enomem = tlb.error.as_ref().is_some_and(|e| e.is_enomem());
    ev.add("failed with ENOMEM", enomem as u8 as f64, Unit::Bool);
    let verdict = Verdict::confirmed_if(enomem && tlb.reserved == Some(0));
    let summary = match &tlb.error {
        Some(e) => format!("with nr_hugepages = {}: {e}", tlb.reserved.unwrap_or(0)),
        None => format!(
            "{} hugetlb pages are reserved here, so MAP_HUGETLB worked ({} fault)",
            tlb.reserved.unwrap_or(0),
            tlb.faults
        ),
    };
    Ok(Finding::new(verdict, summary, ev))
}

#[cfg(not(target_os = "linux"))]
pub use self::non_linux::*;

#[cfg(not(target_os = "linux"))]
mod non_linux {
    use crate::claims::{CheckError, Ctx, Finding};
    /// C004-38 needs Linux.
    pub fn c004_38(_: &Ctx) -> Result<Finding, CheckError> {
        Err(super::super::linux_only("MAP_POPULATE and MADV_POPULATE_WRITE"))
    }
    /// C004-39 needs Linux.
    pub fn c004_39(_: &Ctx) -> Result<Finding, CheckError> {
        Err(super::super::linux_only("MAP_HUGETLB and MADV_HUGEPAGE"))
    }
    /// D68 needs Linux.
    pub fn d68(_: &Ctx) -> Result<Finding, CheckError> {
        Err(super::super::linux_only("MADV_HUGEPAGE"))
    }
    /// D69 needs Linux.
    pub fn d69(_: &Ctx) -> Result<Finding, CheckError> {
        Err(super::super::linux_only("MAP_HUGETLB"))
    }
}
