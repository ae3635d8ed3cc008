//! Demand paging, the zero page, prefaulting and huge pages (seed 004
//! L41-67, L258-276, L336-351).

use super::{LAZY_MIN, evidence, flag, per_2mib};
use crate::claims::{
    CheckError, Ctx, Facts, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::stats;
use crate::mmap::figures::{self, GIB, MIB};
use crate::table::{format_bytes, format_nanos, format_ratio};

fn size(n: usize) -> String {
    format_bytes(n as f64)
}

fn page_bytes(pages: usize) -> f64 {
    (pages * crate::measure::machine::page_size() as usize) as f64
}

/// "Nothing faulted in": under `max_faults`, and under `max_resident`.
const UNTOUCHED: [Threshold; 2] = [
    Threshold {
        name: "max_faults",
        value: 64.0,
        unit: Unit::Count,
        source: "slack: 1 GiB has 262,144 pages; glibc writes one header page, and the \
                 allocation's own bookkeeping may fault a few more",
    },
    Threshold {
        name: "max_resident",
        value: 1048576.0,
        unit: Unit::Bytes,
        source: "slack: under 1 MiB of a 1 GiB buffer resident is nothing touched",
    },
];

fn lazy(f: &Facts<'_>, faults: &str, resident: &str) -> bool {
    f.get(faults) < f.limit("max_faults") && f.get(resident) < f.limit("max_resident")
}

/// C004-08: "mmap reserves virtual memory and relies on lazy allocation"
/// (seed 004 L41). `MmapBuf::new(1 GiB)`, untouched: faults, resident pages.
pub fn c004_08_mmap_is_lazy(ctx: &Ctx) -> Result<Measured, CheckError> {
    let [_, m] = figures::untouched(ctx)?;
    let mut ev =
        evidence(ctx, "MmapBuf::new(1 GiB), nothing touched; resident = mincore");
    ev.add("mmap: faults", m.faults as f64, Unit::Count);
    ev.add("mmap: resident", page_bytes(m.resident_pages), Unit::Bytes);
    let summary = format!(
        "mapping 1 GiB: {} faults, {} of it resident",
        m.faults,
        format_bytes(page_bytes(m.resident_pages))
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when mapping 1 GiB faults nothing in.
pub const C004_08: Rule = Rule {
    says: "confirmed when an untouched 1 GiB mapping took fewer than max_faults faults and \
           has less than max_resident resident; refuted otherwise",
    inputs: &["mmap: faults", "mmap: resident"],
    thresholds: &UNTOUCHED,
    decide: |f| f.confirmed_if(lazy(f, "mmap: faults", "mmap: resident")),
    examples: &[
        example(&[("mmap: faults", 0.0), ("mmap: resident", 0.0)], Confirmed),
        example(&[("mmap: faults", 262144.0), ("mmap: resident", 1073741824.0)], Refuted),
    ],
};

/// C004-09: "make() grabs physical memory at once; mmap only reserves"
/// (seed 004 L55-57). 1 GiB each way, untouched.
pub fn c004_09_make_against_mmap(ctx: &Ctx) -> Result<Measured, CheckError> {
    let [v, m] = figures::untouched(ctx)?;
    let mut ev = evidence(ctx, "1 GiB each, nothing touched; resident = mincore");
    for (name, u) in [("vec![0u8; n]", v), ("mmap", m)] {
        ev.add(format!("{name}: faults"), u.faults as f64, Unit::Count);
        ev.add(format!("{name}: resident"), page_bytes(u.resident_pages), Unit::Bytes);
    }
    let summary = format!(
        "both only reserve: vec![0u8; 1 GiB] {} faults, {} resident; mmap {} faults, {} \
         resident",
        v.faults,
        format_bytes(page_bytes(v.resident_pages)),
        m.faults,
        format_bytes(page_bytes(m.resident_pages))
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the `Vec` is populated at allocation and the mapping is not.
pub const C004_09: Rule = Rule {
    says: "confirmed when vec![0u8; n] is not lazy (max_faults or more faults, or \
           max_resident resident) while the mapping is; refuted otherwise",
    inputs: &[
        "vec![0u8; n]: faults",
        "vec![0u8; n]: resident",
        "mmap: faults",
        "mmap: resident",
    ],
    thresholds: &UNTOUCHED,
    decide: |f| {
        let vec_lazy = lazy(f, "vec![0u8; n]: faults", "vec![0u8; n]: resident");
        let mmap_lazy = lazy(f, "mmap: faults", "mmap: resident");
        f.confirmed_if(!vec_lazy && mmap_lazy)
    },
    examples: &[
        example(
            &[
                ("vec![0u8; n]: faults", 262145.0),
                ("vec![0u8; n]: resident", 1073745920.0),
                ("mmap: faults", 0.0),
                ("mmap: resident", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("vec![0u8; n]: faults", 1.0),
                ("vec![0u8; n]: resident", 4096.0),
                ("mmap: faults", 0.0),
                ("mmap: resident", 0.0),
            ],
            Refuted,
        ),
    ],
};

fn zero_page_evidence(
    ctx: &Ctx,
) -> Result<(crate::claims::Evidence, String), CheckError> {
    let z = figures::zero_page(ctx)?;
    let pages = z.after_writes.pages as f64;
    let mut ev = evidence(
        ctx,
        &format!(
            "fresh {} mapping, 4 KiB pages: read every page, then write every page; \
             pages from /proc/self/pagemap",
            size(z.size)
        ),
    );
    ev.add("read pass: faults per 2 MiB", per_2mib(z.read_faults, z.size), Unit::Count);
    ev.add("read pass: all bytes zero", flag(z.read_zero), Unit::Bool);
    ev.add("read pass: present pages", z.after_reads.present as f64, Unit::Count);
    ev.add(
        "read pass: private share",
        z.after_reads.private as f64 / pages,
        Unit::Fraction,
    );
    ev.add("write pass: faults per 2 MiB", per_2mib(z.write_faults, z.size), Unit::Count);
    ev.add(
        "write pass: private share",
        z.after_writes.private as f64 / pages,
        Unit::Fraction,
    );
    if let Some(d) = z.distinct_frames {
        ev.add("read pass: distinct physical frames", d as f64, Unit::Count);
    }
    ev.add(
        "read pass: pages whose frame was looked up",
        z.frames_sampled as f64,
        Unit::Count,
    );
    let summary = format!(
        "{}: reading every page took {} faults and made {} of {} pages private; writing took \
         {} faults and made {} private",
        size(z.size),
        z.read_faults,
        z.after_reads.private,
        z.after_reads.pages,
        z.write_faults,
        z.after_writes.private
    );
    Ok((ev, summary))
}

/// C004-10: "reads map every page to one zero page; the first write
/// allocates a real page" (seed 004 L59-62).
pub fn c004_10_zero_page(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, summary) = zero_page_evidence(ctx)?;
    Ok(Measured::new(ev, summary))
}

/// C004-30: "a page fault allocates a page … and returns the zero page"
/// (seed 004 L266-270): the same experiment, read as two kinds of fault.
pub fn c004_30_page_fault(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, summary) = zero_page_evidence(ctx)?;
    Ok(Measured::new(ev, format!("two kinds of fault: {summary}")))
}

/// The zero-page thresholds.
const ZERO_PAGE_LIMITS: [Threshold; 3] = [
    LAZY_MIN,
    Threshold {
        name: "max_read_private",
        value: 0.01,
        unit: Unit::Fraction,
        source: "reads allocate no page of their own; 1% slack",
    },
    Threshold {
        name: "min_write_private",
        value: 0.9,
        unit: Unit::Fraction,
        source: "every page written gets a page of its own; 10% slack",
    },
];

/// Reads fault but share pages; writes fault and get pages of their own.
fn reads_share_writes_allocate(f: &Facts<'_>) -> bool {
    f.get("read pass: faults per 2 MiB") >= f.limit("lazy_min")
        && f.get("read pass: all bytes zero") == 1.0
        && f.get("read pass: private share") <= f.limit("max_read_private")
        && f.get("write pass: faults per 2 MiB") >= f.limit("lazy_min")
        && f.get("write pass: private share") >= f.limit("min_write_private")
}

/// C004-10 and C004-30: confirmed when reads fault without making pages of
/// their own and writes fault and do.
pub const ZERO_PAGE: Rule = Rule {
    says: "confirmed when the read pass faults (lazy_min per 2 MiB), reads zeros and leaves \
           at most max_read_private of the pages private, and the write pass faults again \
           and makes at least min_write_private private; refuted otherwise",
    inputs: &[
        "read pass: faults per 2 MiB",
        "read pass: all bytes zero",
        "read pass: private share",
        "write pass: faults per 2 MiB",
        "write pass: private share",
    ],
    thresholds: &ZERO_PAGE_LIMITS,
    decide: |f| f.confirmed_if(reads_share_writes_allocate(f)),
    examples: &[
        example(
            &[
                ("read pass: faults per 2 MiB", 512.0),
                ("read pass: all bytes zero", 1.0),
                ("read pass: private share", 0.0),
                ("write pass: faults per 2 MiB", 512.0),
                ("write pass: private share", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("read pass: faults per 2 MiB", 512.0),
                ("read pass: all bytes zero", 1.0),
                ("read pass: private share", 1.0),
                ("write pass: faults per 2 MiB", 0.0),
                ("write pass: private share", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-31: "copy-on-write: processes share the same zero page" (seed 004
/// L272-276): the zero-page experiment, and the physical frames behind the
/// pages read.
pub fn c004_31_shared_zero_page(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (ev, _) = zero_page_evidence(ctx)?;
    let z = figures::zero_page(ctx)?;
    let frames = match z.distinct_frames {
        Some(d) => {
            format!("{d} physical frame(s) behind {} pages read", z.frames_sampled)
        }
        None => "frame numbers hidden (pagemap shows them only to CAP_SYS_ADMIN)".into(),
    };
    let summary = format!(
        "{} read as zero with {} private pages: {frames}; writing gave each page its own \
         copy ({} private)",
        size(z.size),
        z.after_reads.private,
        z.after_writes.private
    );
    Ok(Measured::new(ev, summary))
}

/// Unverifiable where the frame numbers are hidden; confirmed when the
/// zero-page rule holds and every page read sits on one frame.
pub const C004_31: Rule = Rule {
    says: "unverifiable when /proc/self/pagemap hides frame numbers; confirmed when the \
           zero-page rule holds and the pages read share one physical frame; refuted \
           otherwise",
    inputs: &[
        "read pass: faults per 2 MiB",
        "read pass: all bytes zero",
        "read pass: private share",
        "write pass: faults per 2 MiB",
        "write pass: private share",
        "read pass: distinct physical frames",
    ],
    thresholds: &ZERO_PAGE_LIMITS,
    decide: |f| {
        if !f.has("read pass: distinct physical frames") {
            return Verdict::unverifiable(
                "/proc/self/pagemap shows frame numbers only to CAP_SYS_ADMIN, so whether \
                 the pages read share one physical page cannot be seen here (an unreadable \
                 frame is not a shared one)",
            );
        }
        let one = f.get("read pass: distinct physical frames") == 1.0;
        f.confirmed_if(reads_share_writes_allocate(f) && one)
    },
    examples: &[
        example(
            &[
                ("read pass: faults per 2 MiB", 512.0),
                ("read pass: all bytes zero", 1.0),
                ("read pass: private share", 0.0),
                ("write pass: faults per 2 MiB", 512.0),
                ("write pass: private share", 1.0),
                ("read pass: distinct physical frames", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("read pass: faults per 2 MiB", 512.0),
                ("read pass: all bytes zero", 1.0),
                ("read pass: private share", 0.0),
                ("write pass: faults per 2 MiB", 512.0),
                ("write pass: private share", 1.0),
                ("read pass: distinct physical frames", 4096.0),
            ],
            Refuted,
        ),
        example(&[("read pass: faults per 2 MiB", 512.0)], Unverifiable),
    ],
};

/// C004-11: "allocate 1 GB, touch 1 MB, and only 1 MB is used" (seed 004
/// L64-67). 1 GiB through `MmapBuf` and `vec![0u8; n]`, the first 1 MiB
/// written one byte per page; the buffer's resident pages (`mincore`).
pub fn c004_11_demand_paging(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev =
        evidence(ctx, "1 GiB allocated, the first 1 MiB written one byte per page");
    let mut parts = Vec::new();
    for d in figures::demand(ctx)?.iter().filter(|d| d.touched == MIB && d.size == GIB) {
        let name = if d.via_vec { "vec" } else { "mmap" };
        ev.add(format!("{name}: faults"), d.faults as f64, Unit::Count);
        let r = ev.add(
            format!("{name}: resident"),
            page_bytes(d.resident_pages),
            Unit::Bytes,
        );
        parts.push(format!("{name}: {} faults, {} resident", d.faults, format_bytes(r)));
    }
    Ok(Measured::new(ev, format!("touching 1 MiB of 1 GiB: {}", parts.join("; "))))
}

/// Confirmed when touching 1 MiB of 1 GiB makes about 1 MiB resident.
pub const C004_11: Rule = Rule {
    says: "confirmed when, through mmap and vec alike, between min_resident and \
           max_resident is resident and at most max_faults faults were taken; refuted \
           otherwise",
    inputs: &["mmap: faults", "mmap: resident", "vec: faults", "vec: resident"],
    thresholds: &[
        Threshold {
            name: "min_resident",
            value: 1048576.0,
            unit: Unit::Bytes,
            source: "the 1 MiB written",
        },
        Threshold {
            name: "max_resident",
            value: 5.0 * 1048576.0,
            unit: Unit::Bytes,
            source: "1 MiB plus 4 MiB: transparent huge pages may back each end of the \
                     range with a 2 MiB page",
        },
        Threshold {
            name: "max_faults",
            value: 272.0,
            unit: Unit::Count,
            source: "256 pages of 4 KiB in 1 MiB, plus 16 of slack",
        },
    ],
    decide: |f| {
        let ok = |name: &str| {
            let r = f.get(&format!("{name}: resident"));
            r >= f.limit("min_resident")
                && r <= f.limit("max_resident")
                && f.get(&format!("{name}: faults")) <= f.limit("max_faults")
        };
        f.confirmed_if(ok("mmap") && ok("vec"))
    },
    examples: &[
        example(
            &[
                ("mmap: faults", 256.0),
                ("mmap: resident", 1048576.0),
                ("vec: faults", 255.0),
                ("vec: resident", 1052672.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("mmap: faults", 256.0),
                ("mmap: resident", 1048576.0),
                ("vec: faults", 262144.0),
                ("vec: resident", 1073741824.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-29: "virtual memory can be far larger than physical memory" (seed
/// 004 L260-264). A `PROT_NONE`, `MAP_NORESERVE` reservation of 64 GiB or
/// twice the RAM: `VmSize` and `VmRSS` of this process (the checks run one
/// at a time).
pub fn c004_29_reservation(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = figures::reservation(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!("Reservation::new({}): PROT_NONE, MAP_NORESERVE", size(r.size)),
    );
    ev.add("RAM", r.ram as f64, Unit::Bytes);
    ev.add("reservation succeeded", flag(r.ok.is_none()), Unit::Bool);
    ev.add("reserved / RAM", r.size as f64 / r.ram.max(1) as f64, Unit::Ratio);
    ev.add(
        "VmSize growth / reserved",
        r.vm_size_kib as f64 * 1024.0 / r.size as f64,
        Unit::Fraction,
    );
    ev.add("RSS growth", r.rss_kib as f64 * 1024.0, Unit::Bytes);
    if let Some(o) = r.overcommit {
        ev.add("vm.overcommit_memory", o as f64, Unit::Count);
    }
    let summary = match &r.ok {
        None => format!(
            "reserved {} of address space on a machine with {} of RAM: VmSize +{}, RSS +{}",
            size(r.size),
            format_bytes((r.ram >> 20 << 20) as f64),
            format_bytes(r.vm_size_kib as f64 * 1024.0),
            format_bytes(r.rss_kib.max(0) as f64 * 1024.0)
        ),
        Some(e) => format!("reserving {} failed: {e}", size(r.size)),
    };
    Ok(Measured::new(ev, summary))
}

/// Confirmed when a reservation larger than RAM shows in `VmSize` in full
/// and costs no resident memory.
pub const C004_29: Rule = Rule {
    says: "confirmed when a reservation larger than RAM succeeded, VmSize grew by at least \
           min_vm_share of it and RSS by less than max_rss; refuted otherwise",
    inputs: &[
        "reservation succeeded",
        "reserved / RAM",
        "VmSize growth / reserved",
        "RSS growth",
    ],
    thresholds: &[
        Threshold {
            name: "min_vm_share",
            value: 0.99,
            unit: Unit::Fraction,
            source: "the whole reservation in the address space; 1% slack for other threads",
        },
        Threshold {
            name: "max_rss",
            value: 1048576.0,
            unit: Unit::Bytes,
            source: "slack: the kernel's per-CPU RSS counters lag by a few hundred KiB",
        },
    ],
    decide: |f| {
        f.confirmed_if(
            f.get("reservation succeeded") == 1.0
                && f.get("reserved / RAM") > 1.0
                && f.get("VmSize growth / reserved") >= f.limit("min_vm_share")
                && f.get("RSS growth") < f.limit("max_rss"),
        )
    },
    examples: &[
        example(
            &[
                ("reservation succeeded", 1.0),
                ("reserved / RAM", 2.7),
                ("VmSize growth / reserved", 1.0),
                ("RSS growth", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("reservation succeeded", 0.0),
                ("reserved / RAM", 2.7),
                ("VmSize growth / reserved", 0.0),
                ("RSS growth", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-38: "pre-warm by writing one byte every 4 KB" (seed 004 L336-344).
/// The seed's loop, ported: the faults it takes and those left for a later
/// pass; beside it, prefaulting in the kernel, for the cost.
pub fn c004_38_prewarm(ctx: &Ctx) -> Result<Measured, CheckError> {
    let [plain, _] = figures::prewarm(ctx)?;
    let p = figures::prefault(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "the seed's loop on {}; prefaulting on {}, {} interleaved rounds, medians",
            size(plain.size),
            size(p.size),
            p.rounds
        ),
    );
    ev.add(
        "pre-warm loop: faults per 2 MiB",
        per_2mib(plain.faults, plain.size),
        Unit::Count,
    );
    ev.add("later pass: faults", plain.later_faults as f64, Unit::Count);
    let median = |v: &[f64]| stats::median(v).unwrap_or(f64::NAN);
    ev.add("demand faults + touch (median)", median(&p.demand_ns), Unit::Nanos);
    ev.add("MAP_POPULATE + touch (median)", median(&p.map_populate_ns), Unit::Nanos);
    ev.add(
        "touch faults after MAP_POPULATE",
        p.faults_after_map_populate as f64,
        Unit::Count,
    );
    ev.add("demand / MAP_POPULATE", p.map_populate_speedup(), Unit::Ratio);
    if let (Some(s), Some(f)) =
        (p.populate_write_speedup(), p.faults_after_populate_write)
    {
        ev.add(
            "MADV_POPULATE_WRITE + touch (median)",
            median(&p.populate_write_ns),
            Unit::Nanos,
        );
        ev.add("touch faults after MADV_POPULATE_WRITE", f as f64, Unit::Count);
        ev.add("demand / MADV_POPULATE_WRITE", s, Unit::Ratio);
    }
    let summary = format!(
        "{}: the pre-warm loop took {} faults and left {} for later; demand faults take {} \
         the time of MAP_POPULATE{}",
        size(plain.size),
        plain.faults,
        plain.later_faults,
        format_ratio(p.map_populate_speedup()),
        p.populate_write_speedup()
            .map(|s| format!(" and {} that of MADV_POPULATE_WRITE", format_ratio(s)))
            .unwrap_or_default()
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the loop takes the faults and leaves none for later.
pub const C004_38: Rule = Rule {
    says: "confirmed when the pre-warm loop faults at least lazy_min times per 2 MiB and a \
           later pass at most max_later times; refuted otherwise",
    inputs: &["pre-warm loop: faults per 2 MiB", "later pass: faults"],
    thresholds: &[
        LAZY_MIN,
        Threshold {
            name: "max_later",
            value: 16.0,
            unit: Unit::Count,
            source: "slack: pages the kernel may reclaim or collapse meanwhile",
        },
    ],
    decide: |f| {
        f.confirmed_if(
            f.get("pre-warm loop: faults per 2 MiB") >= f.limit("lazy_min")
                && f.get("later pass: faults") <= f.limit("max_later"),
        )
    },
    examples: &[
        example(
            &[("pre-warm loop: faults per 2 MiB", 512.0), ("later pass: faults", 0.0)],
            Confirmed,
        ),
        example(
            &[
                ("pre-warm loop: faults per 2 MiB", 512.0),
                ("later pass: faults", 32768.0),
            ],
            Refuted,
        ),
        example(
            &[("pre-warm loop: faults per 2 MiB", 0.0), ("later pass: faults", 0.0)],
            Refuted,
        ),
    ],
};

/// C004-39: "huge pages via MAP_HUGETLB cut page-table overhead" (seed 004
/// L346-351). `MAP_HUGETLB` for one 2 MiB page; the first touch with 4 KiB
/// pages against `MADV_HUGEPAGE` (transparent huge pages); random reads.
pub fn c004_39_huge_pages(ctx: &Ctx) -> Result<Measured, CheckError> {
    let tlb = figures::hugetlb(ctx)?;
    let h = figures::huge(ctx)?;
    let (_, reads, small, huge) = figures::random_reads(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "{}; touch: medians of interleaved rounds; {reads} random reads",
            size(h.size)
        ),
    );
    ev.add("vm.nr_hugepages", tlb.reserved.unwrap_or(0) as f64, Unit::Count);
    ev.add("MAP_HUGETLB worked", flag(tlb.error.is_none()), Unit::Bool);
    let enomem = tlb.error.as_ref().is_some_and(|e| e.is_enomem());
    ev.add("MAP_HUGETLB failed with ENOMEM", flag(enomem), Unit::Bool);
    ev.add("4 KiB pages: touch faults", h.small_faults as f64, Unit::Count);
    ev.add("MADV_HUGEPAGE: touch faults", h.huge_faults as f64, Unit::Count);
    ev.add(
        "touch faults, 4 KiB pages / MADV_HUGEPAGE",
        h.small_faults as f64 / h.huge_faults.max(1) as f64,
        Unit::Ratio,
    );
    ev.add(
        "MADV_HUGEPAGE: AnonHugePages of the mapping",
        h.anon_huge_kib as f64 * 1024.0,
        Unit::Bytes,
    );
    ev.add("first touch: 4 KiB time / huge time", h.touch_speedup(), Unit::Ratio);
    let (s, b) =
        (stats::median(small).unwrap_or(0.0), stats::median(huge).unwrap_or(0.0));
    ev.add("random read, 4 KiB pages", s, Unit::Nanos);
    ev.add("random read, huge pages", b, Unit::Nanos);
    let hugetlb = match &tlb.error {
        Some(e) => format!("MAP_HUGETLB: {}", e.source),
        None => format!("MAP_HUGETLB: 2 MiB in {} fault(s)", tlb.faults),
    };
    let summary = format!(
        "{hugetlb} (nr_hugepages = {}); THP on {}: {} faults instead of {}, random read {} \
         against {}",
        tlb.reserved.unwrap_or(0),
        size(h.size),
        h.huge_faults,
        h.small_faults,
        format_nanos(b),
        format_nanos(s)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when `MAP_HUGETLB` works; holds only when pages are reserved
/// when it fails with `ENOMEM` while transparent huge pages cut the faults;
/// refuted otherwise.
pub const C004_39: Rule = Rule {
    says: "confirmed when MAP_HUGETLB works; holds only when hugetlb pages are reserved when \
           it fails with ENOMEM and MADV_HUGEPAGE cuts the touch faults at least thp_cut-fold; \
           refuted otherwise",
    inputs: &[
        "MAP_HUGETLB worked",
        "MAP_HUGETLB failed with ENOMEM",
        "touch faults, 4 KiB pages / MADV_HUGEPAGE",
    ],
    thresholds: &[Threshold {
        name: "thp_cut",
        value: 8.0,
        unit: Unit::Ratio,
        source: "huge pages served most of the range (512× fewer faults when all of it)",
    }],
    decide: |f| {
        if f.get("MAP_HUGETLB worked") == 1.0 {
            Verdict::Confirmed
        } else if f.get("MAP_HUGETLB failed with ENOMEM") == 1.0
            && f.get("touch faults, 4 KiB pages / MADV_HUGEPAGE") >= f.limit("thp_cut")
        {
            f.holds_only_when(
                "hugetlb pages are reserved (vm.nr_hugepages > 0); without them MAP_HUGETLB \
                 fails with ENOMEM. Transparent huge pages (MADV_HUGEPAGE) need no \
                 reservation and cut the faults as promised",
                "touch faults, 4 KiB pages / MADV_HUGEPAGE",
                "MAP_HUGETLB worked",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[("MAP_HUGETLB worked", 1.0)], Confirmed),
        example(
            &[
                ("MAP_HUGETLB worked", 0.0),
                ("MAP_HUGETLB failed with ENOMEM", 1.0),
                ("touch faults, 4 KiB pages / MADV_HUGEPAGE", 512.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("MAP_HUGETLB worked", 0.0),
                ("MAP_HUGETLB failed with ENOMEM", 1.0),
                ("touch faults, 4 KiB pages / MADV_HUGEPAGE", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// D68: the pre-warm loop hard-codes 4 KiB pages (seed 004 L340-343). The
/// seed's loop, ported, on a mapping with `MADV_HUGEPAGE`: writes per fault.
pub fn d68_hard_coded_page(ctx: &Ctx) -> Result<Measured, CheckError> {
    let [_, huge] = figures::prewarm(ctx)?;
    let page = crate::measure::machine::page_size();
    let mut ev = evidence(
        ctx,
        &format!("the seed's 4096-byte stride on {} with MADV_HUGEPAGE", size(huge.size)),
    );
    ev.add("page size (sysconf)", page as f64, Unit::Bytes);
    ev.add("seed's loop on huge pages: writes", huge.writes as f64, Unit::Count);
    ev.add("seed's loop on huge pages: faults", huge.faults as f64, Unit::Count);
    let per = ev.add(
        "seed's loop on huge pages: writes per fault",
        huge.writes as f64 / huge.faults.max(1) as f64,
        Unit::Ratio,
    );
    let summary = format!(
        "with huge pages the 4096-byte stride makes {per:.0} writes per fault ({} writes, {} \
         faults); the page size here is {page} B; MADV_POPULATE_WRITE needs no loop at all",
        huge.writes, huge.faults
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the stride is not the page size, or when one fault
/// serves several of its writes (huge pages).
pub const D68: Rule = Rule {
    says: "reproduced when the page size is not base_page, or the seed's loop makes more \
           than over_touch writes per fault on huge pages; not reproduced otherwise",
    inputs: &["page size (sysconf)", "seed's loop on huge pages: writes per fault"],
    thresholds: &[
        Threshold {
            name: "base_page",
            value: 4096.0,
            unit: Unit::Bytes,
            source: "the stride the seed's loop hard-codes",
        },
        Threshold {
            name: "over_touch",
            value: 1.5,
            unit: Unit::Ratio,
            source: "one write per fault is what the loop is for; half again is wasted",
        },
    ],
    decide: |f| {
        f.confirmed_if(
            f.get("page size (sysconf)") != f.limit("base_page")
                || f.get("seed's loop on huge pages: writes per fault")
                    > f.limit("over_touch"),
        )
    },
    examples: &[
        example(
            &[
                ("page size (sysconf)", 4096.0),
                ("seed's loop on huge pages: writes per fault", 512.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("page size (sysconf)", 16384.0),
                ("seed's loop on huge pages: writes per fault", 4.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("page size (sysconf)", 4096.0),
                ("seed's loop on huge pages: writes per fault", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// D69: `MAP_HUGETLB` suggested with no caveats (seed 004 L348-351).
pub fn d69_hugetlb_no_caveat(ctx: &Ctx) -> Result<Measured, CheckError> {
    let tlb = figures::hugetlb(ctx)?;
    let mut ev = evidence(ctx, "MmapBuf::with_options(2 MiB, MAP_HUGETLB)");
    ev.add("vm.nr_hugepages", tlb.reserved.unwrap_or(0) as f64, Unit::Count);
    ev.add("MAP_HUGETLB worked", flag(tlb.error.is_none()), Unit::Bool);
    let enomem = tlb.error.as_ref().is_some_and(|e| e.is_enomem());
    ev.add("MAP_HUGETLB failed with ENOMEM", flag(enomem), Unit::Bool);
    let summary = match &tlb.error {
        Some(e) => format!("with nr_hugepages = {}: {e}", tlb.reserved.unwrap_or(0)),
        None => format!(
            "{} hugetlb pages are reserved here, so MAP_HUGETLB worked ({} fault)",
            tlb.reserved.unwrap_or(0),
            tlb.faults
        ),
    };
    Ok(Measured::new(ev, summary))
}

/// Reproduced when `MAP_HUGETLB` fails with `ENOMEM`; unverifiable where
/// pages are reserved (it cannot fail that way here).
pub const D69: Rule = Rule {
    says: "reproduced when MAP_HUGETLB fails with ENOMEM; unverifiable when hugetlb pages \
           are reserved; not reproduced otherwise",
    inputs: &["MAP_HUGETLB failed with ENOMEM", "vm.nr_hugepages"],
    thresholds: &[],
    decide: |f| {
        if f.get("MAP_HUGETLB failed with ENOMEM") == 1.0 {
            Verdict::Confirmed
        } else if f.get("vm.nr_hugepages") > 0.0 {
            Verdict::unverifiable(
                "hugetlb pages are reserved on this machine, so MAP_HUGETLB works and the \
                 failure the seed leaves out cannot be shown",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[("MAP_HUGETLB failed with ENOMEM", 1.0)], Confirmed),
        example(
            &[("MAP_HUGETLB failed with ENOMEM", 0.0), ("vm.nr_hugepages", 8.0)],
            Unverifiable,
        ),
        example(
            &[("MAP_HUGETLB failed with ENOMEM", 0.0), ("vm.nr_hugepages", 0.0)],
            Refuted,
        ),
    ],
};
