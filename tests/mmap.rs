//! Chapter 7, "mmap and large buffers": invariants and exercises.
//!
//! Every assertion is a count (page faults, resident KiB, bytes, errno) or a
//! correctness check; none is about time. Page-fault bounds allow for
//! transparent huge pages: a first touch of `n` bytes takes between `n / 2 MiB`
//! and `n / 4 KiB` faults (plus slack). Tests that read the process-wide RSS
//! take the `serial()` lock, so parallel tests cannot disturb them, and no test
//! here relies on glibc's recycled chunks except the one that shows them (in a
//! fresh child process).
//!
//! FFI (`mmap`, `madvise`) does not run under Miri, so neither does this file.
#![cfg(all(target_os = "linux", not(miri)))]

use perf_workbook::measure::child::{self, ChildMode};
use perf_workbook::measure::os::{self, ThreadCounters, is_mapped};
use perf_workbook::mmap::paging::{self, fault_bounds, rss_kib};
use perf_workbook::mmap::sizes::touch_pages;
use perf_workbook::mmap::{
    MapError, MapOptions, MmapBuf, Reservation, fallback, file, flags, lifetime, recycle,
};
use std::hint::black_box;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

perf_workbook::count_allocations!();

const MIB: usize = 1 << 20;
const GIB: usize = 1 << 30;

/// Held by every test that reads RSS or makes large resident buffers.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn faults_of<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let (r, d) = os::measure(f);
    (r, d.minor_faults)
}

fn thp_available() -> bool {
    perf_workbook::measure::machine::thp_mode().is_some_and(|m| m != "never")
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
fn a_mapping_costs_nothing_until_touched() {
    let _g = serial();
    let rss0 = rss_kib().unwrap();
    let (m, faults) = faults_of(|| MmapBuf::new(GIB).unwrap());
    let grew = rss_kib().unwrap() as i64 - rss0 as i64;
    assert!(faults < 64, "{faults}");
    assert!(grew < 1024, "RSS grew {grew} KiB");
    assert_eq!(m.len(), GIB);
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
    let _g = serial();
    let n = 64 * MIB;
    let z = paging::zero_page_experiment(n).unwrap();
    let (lo, hi) = fault_bounds(n, 64);
    assert!((lo.max(1)..=hi).contains(&z.read_faults), "{z:?}");
    assert!(z.read_zero, "{z:?}");
    assert!(z.read_rss_kib <= 2048, "reads made {} KiB resident", z.read_rss_kib);
    assert!(z.write_rss_kib as f64 * 1024.0 >= 0.9 * n as f64, "{z:?}");
    if let Some(frames) = z.distinct_frames {
        assert_eq!(frames, 1, "every read page shares one frame: {z:?}");
    }
}

#[test]
fn touching_1_mib_of_1_gib_makes_1_mib_resident() {
    let _g = serial();
    for via_vec in [false, true] {
        let d = paging::demand_paging(GIB, MIB, via_vec).unwrap();
        assert!(d.faults <= 256 + 16, "{d:?}");
        assert!((512..=1024 + 4096).contains(&d.rss_kib), "{d:?}");
    }
}

// --- prefaulting and huge pages ----------------------------------------------

#[test]
fn populate_leaves_no_faults_for_the_touch() {
    let _g = serial();
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
fn huge_pages_take_one_fault_per_2_mib() {
    if !thp_available() {
        eprintln!("skipped: transparent huge pages are off");
        return;
    }
    let _g = serial();
    let n = 64 * MIB;
    let h = paging::huge_page_experiment(n, 1).unwrap();
    // With THP every aligned 2 MiB is one fault; allow slack for the kernel
    // falling back to 4 KiB pages where it finds no free huge page.
    let (lo, _) = fault_bounds(n, 0);
    assert!(h.huge_faults >= lo && h.huge_faults <= lo + 64, "{h:?}");
    assert!(h.anon_huge_kib > 0, "{h:?}");
    assert!(h.huge_faults * 8 < h.small_faults, "{h:?}");
}

#[test]
fn hugetlb_without_reserved_pages_is_an_error_not_an_abort() {
    let reserved = paging::read_sys_number("/proc/sys/vm/nr_hugepages").unwrap_or(0);
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

// --- ownership and lifetimes --------------------------------------------------

#[test]
fn the_mapping_is_gone_after_drop() {
    let m = MmapBuf::new(4 * MIB).unwrap();
    let addr = m.as_ptr() as usize;
    assert!(is_mapped(addr, 4 * MIB).unwrap());
    drop(m);
    assert!(!is_mapped(addr, 4 * MIB).unwrap());
}

/// Runs in a child process: there, no other test thread maps or unmaps
/// anything, so the process-wide counts can be compared exactly.
fn raii_cycles_in_a_quiet_process() {
    lifetime::raii_cycles(2, MIB).unwrap();
    let before = lifetime::Footprint::now().unwrap();
    assert_eq!(lifetime::raii_cycles(10_000, MIB).unwrap(), 20_000);
    let after = lifetime::Footprint::now().unwrap();
    assert!(after.mappings <= before.mappings, "{before:?} → {after:?}");
    assert!(after.vm_size_kib < before.vm_size_kib + 1024, "{before:?} → {after:?}");
    println!("mappings {} → {}", before.mappings, after.mappings);
}

#[test]
fn ten_thousand_cycles_leave_the_mapping_count_at_its_baseline() {
    child::dispatch(&[ChildMode {
        name: "test::raii",
        run: raii_cycles_in_a_quiet_process,
    }]);
    let o = child::run_test(
        "ten_thousand_cycles_leave_the_mapping_count_at_its_baseline",
        "test::raii",
        TIMEOUT,
    )
    .unwrap();
    assert!(o.success(), "{o:?}");
    assert!(o.stdout.contains("mappings"), "{o:?}");
}

#[test]
fn mmap_buf_is_send_and_sync() {
    static_assertions::assert_impl_all!(MmapBuf: Send, Sync);
    static_assertions::assert_not_impl_any!(Reservation: std::ops::Deref);
}

#[test]
fn discard_hands_pages_back_and_keeps_the_range() {
    let _g = serial();
    let n = 32 * MIB;
    let mut m = MmapBuf::new(n).unwrap();
    m.fill(7);
    let before = rss_kib().unwrap();
    m.discard().unwrap();
    let after = rss_kib().unwrap();
    assert!(
        before.saturating_sub(after) as usize * 1024 >= n * 9 / 10,
        "{before} → {after}"
    );
    assert!(m.iter().step_by(4096).all(|&b| b == 0));
    assert!(is_mapped(m.as_ptr() as usize, n).unwrap());
}

#[test]
fn a_leaked_mapping_is_invisible_to_rss_and_the_allocator() {
    let _g = serial();
    let l = lifetime::leak_view(8, 64 * MIB).unwrap();
    assert_eq!(l.found_in_maps, 8);
    assert_eq!(l.heap_bytes, Some(0), "{l:?}");
    assert!(l.rss_kib < 8 * 64 * 1024 / 10, "{l:?}");
    assert!(l.vm_size_kib >= 8 * 64 * 1024, "{l:?}");
}

// --- failure is a value -------------------------------------------------------

#[test]
fn absurd_sizes_are_errors_not_aborts() {
    let e = MmapBuf::new(usize::MAX).unwrap_err();
    assert!(e.is_enomem(), "{e}");
    let e = MmapBuf::new(0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    let overcommit = paging::read_sys_number("/proc/sys/vm/overcommit_memory");
    if overcommit != Some(1) {
        let a = fallback::try_both(1 << 46);
        assert!(a.mmap_error.as_ref().is_some_and(|e| e.is_enomem()), "{a:?}");
        assert!(a.fallback_failed, "{a:?}");
    }
}

#[test]
fn a_reservation_larger_than_ram_costs_no_memory() {
    let _g = serial();
    let ram = fallback::mem_total_bytes().unwrap() as usize;
    let r = flags::reserve_experiment(2 * ram);
    assert!(r.ok.is_none(), "{r:?}");
    assert!(r.rss_kib < 1024, "{r:?}");
    assert!(r.vm_size_kib as usize * 1024 >= 2 * ram - (1 << 20), "{r:?}");
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
    let dir = file::TempDir::new("round-trip").unwrap();
    let path = dir.join("data.txt");
    file::create_file(&path, &[b'.'; 4096]).unwrap();
    let c0 = ThreadCounters::now();
    file::write_through_mapping(&path, b"Hello").unwrap();
    assert_eq!(c0.delta(&ThreadCounters::now()).syscw, 0, "no write() calls");
    let back = std::fs::read(&path).unwrap();
    assert_eq!(&back[..5], b"Hello");
    assert_eq!(back.len(), 4096);
    let big = dir.join("big.bin");
    file::create_file(&big, &vec![3u8; 4 * MIB]).unwrap();
    assert_eq!(file::sum_via_mmap(&big).unwrap(), 3 * 4 * MIB as u64);
    assert_eq!(file::sum_via_read(&big, 64 << 10).unwrap(), 3 * 4 * MIB as u64);
}

#[test]
fn the_seeds_copy_writes_nothing_into_an_empty_file_and_truncates_into_a_short_one() {
    let dir = file::TempDir::new("seed-copy").unwrap();
    let empty = dir.join("empty.txt");
    file::create_file(&empty, b"").unwrap();
    assert_eq!(file::seed_write_hello(&empty).unwrap(), 0);
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
    let short = dir.join("short.txt");
    file::create_file(&short, b"abc").unwrap();
    assert_eq!(file::seed_write_hello(&short).unwrap(), 3);
    assert_eq!(std::fs::read(&short).unwrap(), b"Hel");
    assert_eq!(perf_workbook::mmap::buf::map_zero_length().errno(), Some(libc::EINVAL));
}

// --- crashes, in child processes ---------------------------------------------------

const MODES: &[ChildMode] = perf_workbook::mmap::CHILD_MODES;
const TIMEOUT: Duration = Duration::from_secs(60);

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
        lifetime::CHILD_FINALIZER,
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(o.signal_name(), Some("SIGSEGV"), "{o:?}");
}

#[test]
fn the_seeds_fallback_aborts_where_try_reserve_returns_an_error() {
    child::dispatch(MODES);
    if paging::read_sys_number("/proc/sys/vm/overcommit_memory") == Some(1) {
        eprintln!("skipped: overcommit_memory = 1 lets 64 TiB be mapped");
        return;
    }
    let o = child::run_test(
        "the_seeds_fallback_aborts_where_try_reserve_returns_an_error",
        fallback::CHILD_FALLBACK,
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(o.signal_name(), Some("SIGABRT"), "{o:?}");
    assert!(o.stderr.contains("memory allocation of"), "{o:?}");
    assert!(fallback::try_both(1 << 46).fallback_failed);
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

#[test]
fn frequent_small_buffers_fault_every_time_only_through_mmap() {
    let (mmap_faults, _) = recycle::churn(MIB, 20, true).unwrap();
    let (vec_faults, _) = recycle::churn(MIB, 20, false).unwrap();
    assert!(mmap_faults >= 128.0, "{mmap_faults} faults per fresh 1 MiB mapping");
    assert!(vec_faults < 16.0, "{vec_faults} faults per reused 1 MiB Vec");
}

// --- exercises --------------------------------------------------------------------

/// Exercise 1: predict, then count, the faults of a first touch. Change
/// `STRIDE` to 8192 (every other page) or 64 (every 64th byte) and predict
/// again before you run it: a fault happens per *page* first touched.
#[test]
fn exercise_1_count_the_faults_of_a_first_touch() {
    // ANCHOR: exercise_1
    const STRIDE: usize = 4096;
    let n = 16 * MIB;
    let mut m = MmapBuf::new(n).unwrap();
    m.advise_no_huge_pages().unwrap(); // 4 KiB pages even where THP is `always`
    let (_, faults) = faults_of(|| {
        for i in (0..n).step_by(STRIDE) {
            m[i] = 1;
        }
    });
    let pages_touched = n.div_ceil(STRIDE.max(4096)) as u64;
    assert!(faults >= pages_touched && faults <= pages_touched + 16, "{faults}");
    // ANCHOR_END: exercise_1
}

// ANCHOR: exercise_2
/// A buffer reused across jobs. Between jobs, `reset` must make every byte
/// read as zero again *and* hand the pages back to the kernel, so an idle
/// scratch buffer costs no RAM, and it must not unmap the buffer.
struct Scratch {
    buf: MmapBuf,
}

impl Scratch {
    fn reset(&mut self) -> Result<(), MapError> {
        // ANCHOR_END: exercise_2
        self.buf.discard() // MADV_DONTNEED: pages freed now, zero on next touch
    }
}

#[test]
fn exercise_2_reset_a_scratch_buffer_without_unmapping_it() {
    let _g = serial();
    let n = 32 * MIB;
    let mut s = Scratch { buf: MmapBuf::new(n).unwrap() };
    let addr = s.buf.as_ptr();
    s.buf.fill(0xEE);
    let before = rss_kib().unwrap();
    s.reset().unwrap();
    let after = rss_kib().unwrap();
    assert_eq!(s.buf.as_ptr(), addr, "same mapping");
    assert!(s.buf.iter().step_by(4096).all(|&b| b == 0), "reads zero after reset");
    // A `fill(0)` would pass the test above but keep every page resident.
    assert!(
        before.saturating_sub(after) as usize * 1024 >= n * 9 / 10,
        "{before} → {after} KiB"
    );
    let (_, faults) = faults_of(|| touch_pages(&mut s.buf));
    assert!(faults >= fault_bounds(n, 0).0.max(1), "pages were handed back: {faults}");
}

// ANCHOR: exercise_3
/// Writes `text` at the start of the file at `path` through a memory
/// mapping, so that it works for an empty file too, and is on disk (in the
/// page cache, written back by the kernel) when this returns.
fn write_text_via_mapping(path: &std::path::Path, text: &[u8]) -> std::io::Result<()> {
    // ANCHOR_END: exercise_3
    let file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    if file.metadata()?.len() < text.len() as u64 {
        file.set_len(text.len() as u64)?;
    }
    // SAFETY: a file this test created and nobody else truncates while mapped.
    let mut map = unsafe { memmap2::MmapMut::map_mut(&file)? };
    map[..text.len()].copy_from_slice(text);
    map.flush()
}

#[test]
fn exercise_3_write_hello_into_an_empty_file() {
    let dir = file::TempDir::new("exercise-3").unwrap();
    let path = dir.join("data.txt");
    file::create_file(&path, b"").unwrap();
    write_text_via_mapping(&path, b"Hello").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"Hello");
    file::create_file(&path, b"0123456789").unwrap();
    write_text_via_mapping(&path, b"Hello").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"Hello56789");
}

/// Exercise 4: the seed's finalizer bug does not compile in Rust. Uncomment
/// the block and read the error; then see why `keep` below is fine.
#[test]
fn exercise_4_a_slice_cannot_outlive_its_mapping() {
    // ANCHOR: exercise_4
    fn alloc_large_buffer(size: usize) -> Result<MmapBuf, MapError> {
        MmapBuf::new(size) // the caller owns the mapping: no finalizer needed
    }
    let keep = alloc_large_buffer(MIB).unwrap();
    let view: &[u8] = keep.as_slice();
    // let dangling: &[u8] = {
    //     let local = alloc_large_buffer(MIB).unwrap();
    //     local.as_slice() // error[E0597]: `local` does not live long enough
    // };
    assert_eq!(view.len(), MIB);
    // ANCHOR_END: exercise_4
    let addr = keep.as_ptr() as usize;
    drop(keep);
    assert!(!is_mapped(addr, MIB).unwrap());
}
