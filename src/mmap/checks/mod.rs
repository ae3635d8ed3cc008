//! The chapter's claim checks, in ledger order. Each is two halves: a
//! measure function (`cNNN_NN_what`, `dNN_what`) that reads
//! [`super::figures`] and records evidence, and a rule (`CNNN_NN`, or a
//! shared one) that decides from that evidence alone. A few claims about
//! Go's toolchain or Windows are static (not applicable or unverifiable
//! here), with their reason and the Rust analogue measured.
//!
//! | file | claims |
//! |---|---|
//! | [`alloc`] | what allocating costs, and when: C004-01 … C004-07, C004-17 |
//! | [`paging`] | lazy allocation, the zero page, prefaulting, huge pages: C004-08 … C004-11, C004-29 … C004-31, C004-38, C004-39, D68, D69 |
//! | [`numa`] | binding memory to a node: C004-40 |
//! | [`worth`] | when an explicit mapping pays: C004-15, C004-33 … C004-35 |
//! | [`lifetime`] | who unmaps, what fails, who sees a leak: C004-12 … C004-14, C004-22 … C004-24, C004-36, D60, D61, D66 |
//! | [`files`] | file mappings: C001-27, D37 |
//! | [`flags`] | mapping flags: C004-32, D70 |
//! | [`portability`] | POSIX, Windows, build constraints: C004-25, C004-26, C004-37, D67 |

mod alloc;
mod files;
mod flags;
mod lifetime;
mod numa;
mod paging;
mod portability;
mod worth;

use crate::claims::{Check, Ctx, Evidence, Threshold, Unit};
use crate::measure::machine;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C001-27", files::c001_27_write_through_a_mapping, &files::C001_27),
    Check::measured("C004-01", alloc::c004_01_gib_allocation, &alloc::C004_01),
    Check::measured("C004-02", alloc::c004_02_zero_fill_at_allocation, &alloc::C004_02),
    Check::measured("C004-03", alloc::c004_03_cpu_writes_the_buffer, &alloc::C004_03),
    Check::measured("C004-04", alloc::c004_04_page_allocations, &alloc::C004_04),
    Check::measured("C004-06", alloc::c004_06_memory_bandwidth, &alloc::C004_06),
    Check::measured("C004-07", alloc::c004_07_seed_timings, &alloc::C004_07),
    Check::measured("C004-08", paging::c004_08_mmap_is_lazy, &paging::C004_08),
    Check::measured("C004-09", paging::c004_09_make_against_mmap, &paging::C004_09),
    Check::measured("C004-10", paging::c004_10_zero_page, &paging::ZERO_PAGE),
    Check::measured("C004-11", paging::c004_11_demand_paging, &paging::C004_11),
    Check::fixed("C004-12", lifetime::c004_12_go_gc, Some(lifetime::c004_12_analogue)),
    Check::measured("C004-13", lifetime::c004_13_fallback, &lifetime::FALLBACK_RESCUES),
    Check::measured("C004-14", lifetime::c004_14_finalizer, &lifetime::C004_14),
    Check::measured("C004-15", worth::c004_15_mmap_above_10_mb, &worth::C004_15),
    Check::measured("C004-17", alloc::c004_17_under_1_ms, &alloc::C004_17),
    Check::measured("C004-22", lifetime::c004_22_leak_check, &lifetime::C004_22),
    Check::measured("C004-23", lifetime::c004_23_threads, &lifetime::C004_23),
    Check::measured(
        "C004-24",
        lifetime::c004_24_error_fallback,
        &lifetime::FALLBACK_RESCUES,
    ),
    Check::measured("C004-25", portability::c004_25_posix, &portability::C004_25),
    Check::fixed(
        "C004-26",
        portability::c004_26_build_tags,
        Some(portability::cfg_analogue),
    ),
    Check::measured("C004-29", paging::c004_29_reservation, &paging::C004_29),
    Check::measured("C004-30", paging::c004_30_page_fault, &paging::ZERO_PAGE),
    Check::measured("C004-31", paging::c004_31_shared_zero_page, &paging::C004_31),
    Check::measured("C004-32", flags::c004_32_mapping_flags, &flags::C004_32),
    Check::measured("C004-33", worth::c004_33_when_to_map, &worth::C004_33),
    Check::measured("C004-34", worth::c004_34_short_lived, &worth::C004_34),
    Check::measured("C004-35", worth::c004_35_threshold, &worth::C004_35),
    Check::measured("C004-36", lifetime::c004_36_leak_tools, &lifetime::C004_36),
    Check::fixed(
        "C004-37",
        portability::c004_37_virtual_alloc,
        Some(portability::c004_37_analogue),
    ),
    Check::measured("C004-38", paging::c004_38_prewarm, &paging::C004_38),
    Check::measured("C004-39", paging::c004_39_huge_pages, &paging::C004_39),
    Check::measured("C004-40", numa::c004_40_numa_binding, &numa::C004_40),
    Check::measured("D37", files::d37_seed_file_mapping, &files::D37),
    Check::measured("D60", lifetime::d60_use_after_unmap, &lifetime::D60),
    Check::measured("D61", lifetime::d61_fatal_fallback, &lifetime::D61),
    Check::measured("D66", lifetime::d66_leak_invisible, &lifetime::D66),
    Check::fixed("D67", portability::d67_build_tags, Some(portability::cfg_analogue)),
    Check::measured("D68", paging::d68_hard_coded_page, &paging::D68),
    Check::measured("D69", paging::d69_hugetlb_no_caveat, &paging::D69),
    Check::measured("D70", flags::d70_map_fixed, &flags::D70),
];

/// The conditions every check states: build, page size, THP mode, sizes,
/// and what the check adds.
fn evidence(ctx: &Ctx, what: &str) -> Evidence {
    let thp = machine::thp_mode().unwrap_or_else(|| "n/a".into());
    Evidence::new(format!(
        "{what}; {} build, page {} B, THP {thp}{}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        machine::page_size(),
        if ctx.quick { ", --quick sizes" } else { "" }
    ))
}

/// Faults per 2 MiB of `size` bytes: 512 for one fault per 4 KiB page, 1
/// for one per huge page, 0 when nothing was faulted in.
fn per_2mib(faults: u64, size: usize) -> f64 {
    faults as f64 / (size as f64 / (2 << 20) as f64)
}

/// A yes/no figure.
fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// Nanoseconds of a duration.
fn nanos(d: std::time::Duration) -> f64 {
    d.as_nanos() as f64
}

/// The threshold that tells a lazy first touch from memory zeroed earlier.
const LAZY_MIN: Threshold = Threshold {
    name: "lazy_min",
    value: 0.5,
    unit: Unit::Count,
    source: "a first touch of lazily zeroed memory faults at least once per 2 MiB (once \
             per huge page, 512 times with 4 KiB pages); memory written earlier takes none",
};

/// The slack for "mmap saves page faults".
const MIN_SAVING: Threshold = Threshold {
    name: "min_saving",
    value: 16.0,
    unit: Unit::Count,
    source: "slack: glibc writes a chunk header into the first page of its own mapping, \
             and transparent huge pages may round the ends",
};
