//! The exercises of chapter 7, to write yourself: run
//! `cargo test --test mmap --features starter`, then replace each `todo!()`
//! until the tests pass. Our answers are in `solution.rs`.
#![allow(unused)]

use perf_workbook::mmap::{MapError, MmapBuf};
use std::path::Path;

// ANCHOR: exercise_1
/// How many page faults a loop that writes one byte every `stride` bytes
/// over `len` fresh bytes takes, with `page`-byte pages: one per page it
/// first touches.
pub fn faults_of_a_stride_loop(len: usize, stride: usize, page: usize) -> u64 {
    // TODO: count the pages the writes land on. A stride of 64 writes many
    // times into each page; a stride of 8192 skips every other page.
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Makes every byte of `buf` read as zero again and hands its pages back to
/// the kernel, without unmapping it.
pub fn reset(buf: &mut MmapBuf) -> Result<(), MapError> {
    // TODO: `buf.fill(0)` reads as zero but keeps every page resident. One
    // `madvise` call frees them; `MmapBuf` has a method for it.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Writes `text` at the start of the file at `path` through a memory
/// mapping, so that it works for an empty file too, and is in the file when
/// this returns.
pub fn write_text_via_mapping(path: &Path, text: &[u8]) -> std::io::Result<()> {
    // TODO: open the file read-write, make it at least `text.len()` long
    // (an empty file maps as 0 bytes), map it with memmap2::MmapMut, copy,
    // and flush.
    todo!()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Seed 004's `allocLargeBuffer`, the Rust way: `size` zeroed bytes whose
/// mapping lives exactly as long as the value the caller gets.
pub fn alloc_large_buffer(size: usize) -> Result<MmapBuf, MapError> {
    // TODO: no finalizer, no raw pointer: return the owner of the mapping.
    todo!()
}
// ANCHOR_END: exercise_4

// ANCHOR: exercise_5
/// Makes every page of `buf` resident and writable before it is used, with
/// no loop over its pages.
pub fn prefault(buf: &MmapBuf) -> Result<(), MapError> {
    // TODO: the seed writes one byte every 4096 bytes. Ask the kernel to
    // fault every page in, in one call.
    todo!()
}
// ANCHOR_END: exercise_5
