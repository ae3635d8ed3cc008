//! Our answers to the exercises of chapter 7 (see `exercises.rs`). The page
//! `book/src/mmap/solutions.md` shows them.

use perf_workbook::mmap::{MapError, MmapBuf};
use std::path::Path;

// ANCHOR: exercise_1
/// How many page faults a loop that writes one byte every `stride` bytes
/// over `len` fresh bytes takes, with `page`-byte pages: one per page it
/// first touches.
pub fn faults_of_a_stride_loop(len: usize, stride: usize, page: usize) -> u64 {
    if stride >= page {
        // Every write lands on a page of its own (or skips some).
        len.div_ceil(stride) as u64
    } else {
        // Several writes share a page; each page is touched.
        len.div_ceil(page) as u64
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Makes every byte of `buf` read as zero again and hands its pages back to
/// the kernel, without unmapping it.
pub fn reset(buf: &mut MmapBuf) -> Result<(), MapError> {
    buf.discard() // MADV_DONTNEED: pages freed now, zero on the next touch
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Writes `text` at the start of the file at `path` through a memory
/// mapping, so that it works for an empty file too, and is in the file when
/// this returns.
pub fn write_text_via_mapping(path: &Path, text: &[u8]) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    if file.metadata()?.len() < text.len() as u64 {
        file.set_len(text.len() as u64)?; // an empty file maps as 0 bytes
    }
    // SAFETY: a file the test created and nobody truncates while it is mapped.
    let mut map = unsafe { memmap2::MmapMut::map_mut(&file)? };
    map[..text.len()].copy_from_slice(text);
    map.flush() // msync: in the file before we return
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Seed 004's `allocLargeBuffer`, the Rust way: `size` zeroed bytes whose
/// mapping lives exactly as long as the value the caller gets.
pub fn alloc_large_buffer(size: usize) -> Result<MmapBuf, MapError> {
    MmapBuf::new(size) // the caller owns the mapping; Drop unmaps it, once
}
// ANCHOR_END: exercise_4

// ANCHOR: exercise_5
/// Makes every page of `buf` resident and writable before it is used, with
/// no loop over its pages.
pub fn prefault(buf: &MmapBuf) -> Result<(), MapError> {
    buf.populate_write() // MADV_POPULATE_WRITE (Linux 5.14): the kernel faults them in
}
// ANCHOR_END: exercise_5
