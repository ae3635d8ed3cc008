//! Chapter 7, "mmap and large buffers": invariants. The exercises are in
//! `exercises.rs`.
//!
//! Every assertion is a count (page faults, pages, bytes, errno) or a
//! correctness check; none is about time. Page-fault bounds allow for
//! transparent huge pages: a first touch of `n` bytes takes between `n / 2 MiB`
//! and `n / 4 KiB` faults (plus slack).
//!
//! The test harness runs these in parallel, so a test counts only what it
//! owns: this thread's faults (`getrusage(RUSAGE_THREAD)`) and the resident
//! pages of its own mapping (`mincore`, `/proc/self/pagemap`). The few that
//! assert on process-wide figures (RSS, `VmSize`, the mapping count, glibc's
//! heap, whether an address is still mapped after a drop) run their body in
//! a child process of their own ([`in_child`]).
//!
//! FFI (`mmap`, `madvise`) does not run under Miri, so neither does this file.
#![cfg(all(target_os = "linux", not(miri)))]

mod exercises;

use perf_workbook::measure::child::{self, ChildMode};
use perf_workbook::measure::machine::page_size;
use perf_workbook::measure::os::{self, is_mapped};
use perf_workbook::measure::procfs;
use perf_workbook::mmap::paging::{self, fault_bounds};
use perf_workbook::mmap::sizes::touch_pages;
use perf_workbook::mmap::{
    MapOptions, MmapBuf, Reservation, fallback, file, flags, lifetime, numa, recycle,
    residency, seed_port,
};
use std::hint::black_box;
use std::time::Duration;

perf_workbook::count_allocations!();

const MIB: usize = 1 << 20;
const GIB: usize = 1 << 30;
const TIMEOUT: Duration = Duration::from_secs(60);

fn faults_of<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let (r, d) = os::measure(f);
    (r, d.minor_faults)
}

fn pages(n: usize) -> usize {
    n / page_size() as usize
}

fn thp_available() -> bool {
    perf_workbook::measure::machine::thp_mode().is_some_and(|m| m != "never")
}

/// Runs `body` in a child process: this test binary again, running only the
/// test `name`, where no other test thread maps, frees or allocates. The
/// test must call this first (the child runs `body` from here and exits).
fn in_child(name: &str, body: fn()) {
    child::dispatch(&[ChildMode { name: "test::body", run: body }]);
    let o = child::run_test(name, "test::body", TIMEOUT).unwrap();
    assert!(o.success(), "the child failed: {o:?}");
}

// --- allocation is lazy ---------------------------------------------------

#[test]
fn counting_allocator_keeps_a_1_gib_zeroed_vec_lazy() {
    // In a debug build too: the counting allocator forwards `alloc_zeroed`
    // to calloc. Had it not, this would memset 1 GiB (262 144 faults).
    let ((v, counts), faults) = faults_of(|| {
        perf_workbook::measure::alloc::measure(|| black_box(vec![0u8; GIB]))
    });
    assert_eq!((counts.allocs, counts.zeroed_allocs), (1, 1), "{counts:?}");
    assert!(faults < 64, "{faults} faults for an untouched 1 GiB vec");
    assert_eq!(v.len(), GIB);
}

#[test]
fn a_vec_and_a_mapping_cost_nothing_until_touched() {
    let m = paging::untouched(GIB, false).unwrap();
    assert!(m.faults < 64, "{m:?}");
    assert_eq!(m.resident_pages, 0, "{m:?}");
    let v = paging::untouched(GIB, true).unwrap();
    assert!(v.faults < 64, "{v:?}");
    assert!(v.resident_pages <= 1, "only glibc's chunk header: {v:?}");
}

#[test]
fn first_touch_takes_one_fault_per_page_for_vec_and_mmap_alike() {
    let n = 64 * MIB; // above glibc's 32 MiB threshold ceiling: always a fresh mmap
    let (lo, hi) = fault_bounds(n, 64);
    let mut v = vec![0u8; n];
    let (_, vf) = faults_of(|| touch_pages(&mut v));
    let mut m = MmapBuf::new(n).unwrap();
    let (_, mf) = faults_of(|| touch_pages(&mut m));
    for f in [vf, mf] {
        assert!((lo..=hi).contains(&f), "{f} faults not in {lo}..={hi}");
    }
}

// --- zero page and demand paging --------------------------------------------

#[test]
fn reads_map_the_zero_page_and_writes_allocate() {
    let n = 64 * MIB;
    let z = paging::zero_page_experiment(n).unwrap();
    let (lo, hi) = fault_bounds(n, 64);
    assert!((lo.max(1)..=hi).contains(&z.read_faults), "{z:?}");
    assert!(z.read_zero, "{z:?}");
    assert_eq!(z.after_reads.present, pages(n), "every page read is mapped: {z:?}");
    assert_eq!(z.after_reads.private, 0, "… to a page that is not ours: {z:?}");
    assert_eq!(z.after_writes.private, pages(n), "every page written is ours: {z:?}");
    assert!(z.write_faults >= pages(n) as u64, "{z:?}");
    if let Some(frames) = z.distinct_frames {
        assert_eq!(frames, 1, "every read page shares one frame: {z:?}");
    }
}

#[test]
fn touching_1_mib_of_1_gib_makes_1_mib_resident() {
    for via_vec in [false, true] {
        let d = paging::demand_paging(GIB, MIB, via_vec).unwrap();
        assert!(d.faults <= 256 + 16, "{d:?}");
        // 256 pages written; the Vec also has glibc's header page, and THP
        // may back each end of the range with a 2 MiB page.
        assert!((pages(MIB)..=pages(5 * MIB)).contains(&d.resident_pages), "{d:?}");
    }
}

// --- prefaulting and huge pages ----------------------------------------------

#[test]
fn populate_leaves_no_faults_for_the_touch() {
    let n = 16 * MIB;
    let mut m = MmapBuf::populated(n).unwrap();
    let (_, f) = faults_of(|| touch_pages(&mut m));
    assert!(f < 16, "{f} faults after MAP_POPULATE");
    let mut m = MmapBuf::new(n).unwrap();
    match m.populate_write() {
        Ok(()) => {
            let (_, f) = faults_of(|| touch_pages(&mut m));
            assert!(f < 16, "{f} faults after MADV_POPULATE_WRITE");
        }
        // Kernels before 5.14 do not know MADV_POPULATE_WRITE.
        Err(e) => assert_eq!(e.errno(), Some(libc::EINVAL), "{e}"),
    }
}

#[test]
fn the_seeds_prewarm_moves_the_faults_and_over_touches_huge_pages() {
    let n = 16 * MIB;
    let p = paging::prewarm_experiment(n, false).unwrap();
    assert_eq!(p.writes, n / 4096);
    let (lo, hi) = fault_bounds(n, 16);
    assert!((lo..=hi).contains(&p.faults) && p.later_faults < 16, "{p:?}");
    if thp_available() {
        let h = paging::prewarm_experiment(n, true).unwrap();
        assert!(h.faults <= lo + 64, "one fault per huge page (and slack): {h:?}");
        assert!(h.writes as u64 > 8 * h.faults, "{h:?}");
    }
}

#[test]
fn huge_pages_take_one_fault_per_2_mib() {
    if !thp_available() {
        eprintln!("skipped: transparent huge pages are off");
        return;
    }
    let n = 64 * MIB;
    let h = paging::huge_page_experiment(n, 1).unwrap();
    // Every 2 MiB the kernel backs with a huge page is one fault; where it
    // finds no free huge page (memory short or fragmented), it falls back to
    // one fault per 4 KiB page. The mapping's own AnonHugePages says which.
    let page = perf_workbook::measure::machine::page_size() as u64;
    let backed = (h.anon_huge_kib.max(0) as u64 * 1024).min(n as u64);
    let huge = backed / (2 * MIB) as u64;
    let small = (n as u64 - backed).div_ceil(page);
    assert!(h.huge_faults >= huge && h.huge_faults <= huge + small + 64, "{h:?}");
    if backed == n as u64 {
        let (lo, _) = fault_bounds(n, 0);
        assert!(h.huge_faults <= lo + 64, "{h:?}");
        assert!(h.huge_faults * 8 < h.small_faults, "{h:?}");
    } else {
        eprintln!("the kernel backed {backed} of {n} bytes with huge pages: {h:?}");
    }
}

#[test]
fn hugetlb_without_reserved_pages_is_an_error_not_an_abort() {
    let reserved = procfs::read_sys_number("/proc/sys/vm/nr_hugepages").unwrap_or(0);
    let r = MmapBuf::with_options(
        2 * MIB,
        MapOptions { hugetlb: true, ..Default::default() },
    );
    match (reserved, r) {
        (0, Err(e)) => {
            assert!(e.is_enomem(), "{e}");
            assert!(e.to_string().contains("nr_hugepages"), "{e}");
        }
        (0, Ok(_)) => panic!("MAP_HUGETLB worked with no pages reserved"),
        (_, r) => assert!(r.is_ok() || r.is_err_and(|e| e.is_enomem())),
    }
}

#[test]
fn discard_hands_pages_back_and_keeps_the_range() {
    let d = paging::discard_experiment(32 * MIB).unwrap();
    assert_eq!(d.resident_before, pages(32 * MIB), "{d:?}");
    assert_eq!(d.resident_after, 0, "{d:?}");
    assert!(d.still_mapped && d.reads_zero, "{d:?}");
}

// --- NUMA ---------------------------------------------------------------------

#[test]
fn binding_a_mapping_to_a_node_places_its_pages_there() {
    let Some(node) = numa::memory_nodes().and_then(|n| n.first().copied()) else {
        eprintln!("skipped: no NUMA information in /sys");
        return;
    };
    let mut m = MmapBuf::new(4 * MIB).unwrap();
    numa::bind(&m, node).unwrap();
    touch_pages(&mut m);
    for at in (0..4 * MIB).step_by(64 * 4096) {
        assert_eq!(numa::node_of(&m[at]).unwrap(), node);
    }
}

#[test]
fn the_numa_chase_visits_every_line_once_per_cycle() {
    let Some(node) = numa::memory_nodes().and_then(|n| n.first().copied()) else {
        eprintln!("skipped: no NUMA information in /sys");
        return;
    };
    let n = 256 << 10;
    let (m, placed) = numa::chase_buffer(n, node, 7).unwrap();
    assert_eq!(placed, 1.0);
    let lines = n / 64;
    let mut seen = vec![false; lines];
    let mut line = 0usize;
    for _ in 0..lines {
        assert!(!seen[line], "line {line} visited twice");
        seen[line] = true;
        line =
            u64::from_ne_bytes(m[line * 64..line * 64 + 8].try_into().unwrap()) as usize;
    }
    assert_eq!(line, 0, "one cycle through every line");
    assert!(seen.iter().all(|&s| s));
}

// --- ownership and lifetimes --------------------------------------------------

fn gone_after_drop() {
    let m = MmapBuf::new(4 * MIB).unwrap();
    let addr = m.as_ptr() as usize;
    assert!(is_mapped(addr, 4 * MIB).unwrap());
    drop(m);
    assert!(!is_mapped(addr, 4 * MIB).unwrap());
}

#[test]
fn the_mapping_is_gone_after_drop() {
    in_child("the_mapping_is_gone_after_drop", gone_after_drop);
}

fn raii_cycles_leave_the_footprint_alone() {
    let r = lifetime::raii_run(10_000).unwrap();
    assert_eq!(r.checked, 20_000);
    assert!(r.after.mappings <= r.before.mappings, "{r:?}");
    assert!(r.after.vm_size_kib < r.before.vm_size_kib + 1024, "{r:?}");
}

#[test]
fn ten_thousand_cycles_leave_the_mapping_count_at_its_baseline() {
    in_child(
        "ten_thousand_cycles_leave_the_mapping_count_at_its_baseline",
        raii_cycles_leave_the_footprint_alone,
    );
}

#[test]
fn mmap_buf_is_send_and_sync() {
    static_assertions::assert_impl_all!(MmapBuf: Send, Sync);
    static_assertions::assert_not_impl_any!(Reservation: std::ops::Deref);
}

fn leak_is_invisible() {
    let l = lifetime::leak_view(8, 64 * MIB).unwrap();
    assert_eq!(l.found_in_maps, 8, "{l:?}");
    assert_eq!(l.heap_bytes, Some(0), "{l:?}");
    assert!(l.rss_kib < 8 * 64 * 1024 / 10, "{l:?}");
    assert!(l.vm_size_kib >= 8 * 64 * 1024, "{l:?}");
}

#[test]
fn a_leaked_mapping_is_invisible_to_rss_and_the_allocator() {
    in_child("a_leaked_mapping_is_invisible_to_rss_and_the_allocator", leak_is_invisible);
}

#[test]
fn the_global_allocator_does_not_see_a_mapping() {
    let a = lifetime::allocator_view(16 * MIB).unwrap();
    assert_eq!(a.allocator_bytes, Some(0), "{a:?}");
    assert_eq!(a.resident_pages, pages(16 * MIB), "{a:?}");
}

// --- failure is a value -------------------------------------------------------

#[test]
fn absurd_sizes_are_errors_not_aborts() {
    let e = MmapBuf::new(usize::MAX).unwrap_err();
    assert!(e.is_enomem(), "{e}");
    let e = MmapBuf::new(0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    if procfs::read_sys_number("/proc/sys/vm/overcommit_memory") != Some(1) {
        let a = fallback::try_both(seed_port::FALLBACK_SIZE);
        assert!(a.mmap_error.as_ref().is_some_and(|e| e.is_enomem()), "{a:?}");
        assert!(a.fallback_failed, "{a:?}");
    }
}

fn reservation_costs_nothing() {
    let ram = procfs::mem_total_bytes().unwrap() as usize;
    let r = flags::reserve_experiment(2 * ram);
    assert!(r.ok.is_none(), "{r:?}");
    assert!(r.rss_kib < 1024, "{r:?}");
    assert!(r.vm_size_kib as usize * 1024 >= 2 * ram - (1 << 20), "{r:?}");
}

#[test]
fn a_reservation_larger_than_ram_costs_no_memory() {
    in_child("a_reservation_larger_than_ram_costs_no_memory", reservation_costs_nothing);
    // Here, in the parallel harness: only what the reservation owns.
    let ram = procfs::mem_total_bytes().unwrap() as usize;
    let r = Reservation::new(2 * ram).unwrap();
    assert_eq!(r.len(), 2 * ram);
}

// --- flags --------------------------------------------------------------------

#[test]
fn map_fixed_replaces_live_data_and_noreplace_refuses() {
    let f = flags::fixed_experiment().unwrap();
    if f.noreplace.contains("ignored the flag") {
        eprintln!("skipped: this kernel predates MAP_FIXED_NOREPLACE (4.17)");
        return;
    }
    assert!(f.fixed_ok);
    assert_eq!((f.before, f.after), (0xAB, 0), "MAP_FIXED silently zeroed the page");
    assert!(f.noreplace_eexist, "{}", f.noreplace);
}

#[test]
fn a_shared_page_carries_a_forked_childs_write_and_a_private_one_does_not() {
    let v = flags::shared_vs_private().unwrap();
    assert!(v.shared_visible && !v.private_visible, "{v:?}");
}

// --- files ----------------------------------------------------------------------

#[test]
fn file_round_trip_through_a_shared_mapping() {
    let r = file::round_trip(4 * MIB).unwrap();
    assert!(r.hello, "{r:?}");
    assert_eq!(r.write_syscalls, 0, "no write() calls: {r:?}");
    assert_eq!(r.mmap_read.0, 0, "no read() calls through the mapping: {r:?}");
    assert!(r.read_read.0 >= (4 * MIB / (64 << 10)) as u64, "{r:?}");
}

#[test]
fn the_seeds_copy_writes_nothing_into_an_empty_file_and_truncates_into_a_short_one() {
    let s = file::seed_file_experiment().unwrap();
    assert!(s.zero_length_einval, "{s:?}");
    assert_eq!(s.empty_copied, 0, "{s:?}");
    assert_eq!((s.short_copied, s.short_after.as_str()), (3, "Hel"), "{s:?}");
    assert!(s.fix_works, "{s:?}");
}

// --- crashes, in child processes ---------------------------------------------------

const MODES: &[ChildMode] = perf_workbook::mmap::CHILD_MODES;

#[test]
fn a_file_truncated_while_mapped_raises_sigbus() {
    child::dispatch(MODES);
    let o = child::run_test(
        "a_file_truncated_while_mapped_raises_sigbus",
        file::CHILD_SIGBUS,
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(o.signal_name(), Some("SIGBUS"), "{o:?}");
}

#[test]
fn the_seeds_finalizer_unmaps_memory_still_in_use() {
    child::dispatch(MODES);
    let o = child::run_test(
        "the_seeds_finalizer_unmaps_memory_still_in_use",
        seed_port::CHILD_FINALIZER,
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(o.signal_name(), Some("SIGSEGV"), "{o:?}");
}

#[test]
fn the_seeds_fallback_aborts_where_try_reserve_returns_an_error() {
    child::dispatch(MODES);
    if procfs::read_sys_number("/proc/sys/vm/overcommit_memory") == Some(1) {
        eprintln!("skipped: overcommit_memory = 1 lets 64 TiB be mapped");
        return;
    }
    let o = child::run_test(
        "the_seeds_fallback_aborts_where_try_reserve_returns_an_error",
        seed_port::CHILD_FALLBACK,
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(o.signal_name(), Some("SIGABRT"), "{o:?}");
    assert!(o.stderr.contains("memory allocation of"), "{o:?}");
    assert!(fallback::try_both(seed_port::FALLBACK_SIZE).fallback_failed);
}

#[test]
fn glibc_zeroes_a_recycled_16_mib_chunk_at_allocation_but_never_a_64_mib_one() {
    child::dispatch(MODES);
    let o = child::run_test(
        "glibc_zeroes_a_recycled_16_mib_chunk_at_allocation_but_never_a_64_mib_one",
        recycle::CHILD_RECYCLE,
        TIMEOUT,
    )
    .unwrap();
    assert!(o.success(), "{o:?}");
    let turns = recycle::parse_turns(&o.stdout);
    assert_eq!(turns.len(), 8, "{}", o.stdout);
    let pages = |n: usize| (n / 4096) as u64;
    // 16 MiB: the first allocation is a fresh mapping, zeroed lazily …
    let first = &turns[0];
    assert!(
        first.own_mapping && first.touch_faults >= pages(first.size) / 2,
        "{first:?}"
    );
    // … from the third on, glibc recycles a resident heap chunk and memsets it.
    for t in &turns[2..4] {
        assert!(!t.own_mapping && t.touch_faults < pages(t.size) / 16, "{t:?}");
    }
    // 64 MiB is above the threshold's 32 MiB ceiling: lazy every time.
    for t in &turns[4..] {
        assert!(t.own_mapping && t.touch_faults >= pages(t.size) / 2, "{t:?}");
    }
}

fn churn_faults() {
    let (mmap_faults, _) = recycle::churn(MIB, 20, true).unwrap();
    let (vec_faults, _) = recycle::churn(MIB, 20, false).unwrap();
    assert!(mmap_faults >= 128.0, "{mmap_faults} faults per fresh 1 MiB mapping");
    assert!(vec_faults < 16.0, "{vec_faults} faults per reused 1 MiB Vec");
}

#[test]
fn frequent_small_buffers_fault_every_time_only_through_mmap() {
    // glibc's heap and thresholds are process-wide: in a child of its own.
    in_child("frequent_small_buffers_fault_every_time_only_through_mmap", churn_faults);
}

#[test]
fn mincore_and_pagemap_agree_on_a_mapping_of_ours() {
    let mut m = MmapBuf::new(8 * MIB).unwrap();
    m.advise_no_huge_pages().unwrap();
    touch_pages(&mut m[..2 * MIB]);
    let map = residency::page_map(&m).unwrap();
    assert_eq!(residency::resident_pages(&m).unwrap(), pages(2 * MIB));
    assert_eq!((map.present, map.private), (pages(2 * MIB), pages(2 * MIB)), "{map:?}");
}
