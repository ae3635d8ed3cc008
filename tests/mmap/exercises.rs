//! Chapter 7's exercises: `cargo test --test mmap exercise`. To write them
//! yourself: `cargo test --test mmap --features starter`, then edit
//! tests/mmap/starter.rs until they pass.
//!
//! Every test counts what it owns: this thread's page faults, and the
//! resident pages of its own mapping (`mincore`), never the process's RSS,
//! which the tests running beside it move.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::measure::child::{self, ChildMode};
use perf_workbook::measure::machine::page_size;
use perf_workbook::measure::os;
use perf_workbook::mmap::residency::resident_pages;
use perf_workbook::mmap::sizes::touch_pages;
use perf_workbook::mmap::{MmapBuf, file};
use std::time::Duration;

const MIB: usize = 1 << 20;

fn faults_of<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let (r, d) = os::measure(f);
    (r, d.minor_faults)
}

/// Exercise 1: predict the page faults of a loop that writes one byte every
/// `stride` bytes, then count them.
#[test]
fn exercise_1_predict_the_faults_of_a_first_touch() {
    let (n, page) = (16 * MIB, page_size() as usize);
    for stride in [64, page, 2 * page, 3 * page + 1] {
        let mut m = MmapBuf::new(n).unwrap();
        m.advise_no_huge_pages().unwrap(); // base pages even where THP is `always`
        let ((), faults) = faults_of(|| {
            for i in (0..n).step_by(stride) {
                m[i] = 1;
            }
        });
        let predicted = answer::faults_of_a_stride_loop(n, stride, page);
        assert!(
            (predicted..=predicted + 16).contains(&faults),
            "stride {stride}: predicted {predicted}, counted {faults}"
        );
    }
}

/// Exercise 2: reset a scratch buffer, keeping the mapping, freeing its pages.
#[test]
fn exercise_2_reset_a_scratch_buffer_without_unmapping_it() {
    let n = 32 * MIB;
    let pages = n / page_size() as usize;
    let mut buf = MmapBuf::new(n).unwrap();
    let addr = buf.as_ptr();
    buf.fill(0xEE);
    assert_eq!(resident_pages(&buf).unwrap(), pages, "every page written is resident");
    answer::reset(&mut buf).unwrap();
    assert_eq!(buf.as_ptr(), addr, "the same mapping");
    // `fill(0)` would pass the next check but keep every page resident.
    assert_eq!(resident_pages(&buf).unwrap(), 0, "the pages went back to the kernel");
    assert!(buf.iter().step_by(4096).all(|&b| b == 0), "reads zero after reset");
    let ((), faults) = faults_of(|| {
        touch_pages(&mut buf);
    });
    assert!(faults as usize >= n / (2 * MIB), "the next touch faults again: {faults}");
}

/// Exercise 3: write "Hello" into an empty file through a mapping.
#[test]
fn exercise_3_write_hello_into_an_empty_file() {
    let dir = file::TempDir::new("exercise-3").unwrap();
    let path = dir.join("data.txt");
    file::create_file(&path, b"").unwrap();
    answer::write_text_via_mapping(&path, b"Hello").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"Hello");
    file::create_file(&path, b"0123456789").unwrap();
    answer::write_text_via_mapping(&path, b"Hello").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"Hello56789");
}

/// Runs in a child process, where no other test maps anything that could
/// take the address back between the drop and the look-up.
fn unmapped_after_drop() {
    let buf = answer::alloc_large_buffer(4 * MIB).unwrap();
    let addr = buf.as_ptr() as usize;
    assert!(os::is_mapped(addr, 4 * MIB).unwrap());
    drop(buf);
    assert!(!os::is_mapped(addr, 4 * MIB).unwrap(), "Drop unmapped it");
}

/// Exercise 4: seed 004's `allocLargeBuffer` without the finalizer: the
/// caller owns the mapping, so it can still use the buffer after the
/// function returns (where the seed's port crashes), and dropping it unmaps.
#[test]
fn exercise_4_alloc_large_buffer_owns_its_mapping() {
    child::dispatch(&[ChildMode { name: "test::unmapped", run: unmapped_after_drop }]);
    let mut buf = answer::alloc_large_buffer(MIB).unwrap();
    assert_eq!(buf.len(), MIB);
    assert!(buf.iter().step_by(4096).all(|&b| b == 0), "fresh pages read zero");
    buf[0] = 42; // the write that crashes the seed's port (D60)
    buf[MIB - 1] = 7;
    assert_eq!((buf[0], buf[MIB - 1]), (42, 7));
    let o = child::run_test(
        "exercises::exercise_4_alloc_large_buffer_owns_its_mapping",
        "test::unmapped",
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(o.success(), "{o:?}");
}

/// Exercise 5: prefault a buffer without a loop (the seed's pre-warm writes
/// one byte every 4096 bytes).
#[test]
fn exercise_5_prefault_without_a_loop() {
    let n = 16 * MIB;
    let mut buf = MmapBuf::new(n).unwrap();
    let (result, faults_in_call) = faults_of(|| answer::prefault(&buf));
    if let Err(e) = result {
        // Kernels before 5.14 do not know MADV_POPULATE_WRITE.
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        eprintln!("skipped: {e}");
        return;
    }
    assert_eq!(resident_pages(&buf).unwrap(), n / page_size() as usize, "all resident");
    // The kernel faulted them in inside the call: this thread's fault count
    // does not see them, and the touch afterwards finds every page present.
    let ((), faults) = faults_of(|| {
        touch_pages(&mut buf);
    });
    assert!(
        faults < 16,
        "{faults} faults after prefaulting ({faults_in_call} in the call)"
    );
}
