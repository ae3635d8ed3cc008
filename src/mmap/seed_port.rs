//! Faithful ports of the seeds' code for this chapter, kept apart from the
//! fixes so that each defect can be shown failing beside the code that does
//! not (the checks run the ports that crash in a child process).
//!
//! | port | seed | defect |
//! |---|---|---|
//! | [`alloc_large_buffer_seed_port`] | 004 L78-99: `runtime.SetFinalizer(&data, …munmap…)` | D60, use after unmap |
//! | [`alloc_large_buffer_with_fallback`] | 004 L86-89, L203-212: `return make([]byte, size)` on error | D61, fatal fallback |
//! | [`seed_prewarm`] | 004 L340-343: one write every 4096 bytes | D68, hard-coded page size |
//! | [`seed_write_hello`] | 001 §6.1.1.5.3 L406-423: map `data.txt`, `copy` "Hello" | D37 |
//!
//! The fixes live with their subject: [`super::buf::MmapBuf`] (ownership),
//! [`super::fallback::try_both`] (failure as a value),
//! [`super::sizes::touch_pages`] and `MADV_POPULATE_WRITE` (the page size),
//! [`super::file::write_through_mapping`] (the file mapping).

use super::buf::{MapError, MmapBuf};
use super::sizes::Buffer;
use memmap2::MmapMut;
use std::fs::OpenOptions;
use std::io;
use std::path::Path;

// ANCHOR: go_port
/// A Go slice header: copied by value, owns nothing.
#[derive(Clone, Copy, Debug)]
pub struct GoSliceHeader {
    /// Start of the data.
    pub ptr: *mut u8,
    /// Length.
    pub len: usize,
}

/// The seed's local `data` with its finalizer: unmaps when it goes away.
struct FinalizedLocal {
    data: GoSliceHeader,
}

impl Drop for FinalizedLocal {
    fn drop(&mut self) {
        // The "finalizer": runs when the local is unreachable (here: at the
        // end of its scope, i.e. a GC right after `alloc_large_buffer` returns).
        // SAFETY: unmaps the mapping this local created; what makes the port
        // wrong is not this call but the copy of the header that escaped.
        unsafe { libc::munmap(self.data.ptr.cast(), self.data.len) };
    }
}

/// The seed's `allocLargeBuffer`, ported (its fallback omitted).
pub fn alloc_large_buffer_seed_port(size: usize) -> Result<GoSliceHeader, MapError> {
    let m = MmapBuf::new(size)?;
    let data = GoSliceHeader { ptr: m.as_ptr() as *mut u8, len: m.len() };
    std::mem::forget(m); // ownership passes to the "finalizer"
    let local = FinalizedLocal { data }; // runtime.SetFinalizer(&data, …)
    Ok(local.data) // returns a copy; `local` dies here and unmaps
}
// ANCHOR_END: go_port

/// Child mode: uses the buffer the seed's port returned.
pub const CHILD_FINALIZER: &str = "mmap::seed_finalizer_use_after_unmap";

/// The child's body: write the first byte of the returned buffer.
pub fn child_use_after_unmap() {
    let header = alloc_large_buffer_seed_port(1 << 20).expect("mmap of 1 MiB");
    // SAFETY: NOT sound, on purpose: `header` points into memory the port has
    // already unmapped. This runs only in a child process, to show the crash;
    // the volatile write keeps the compiler from reasoning about it.
    unsafe { std::ptr::write_volatile(header.ptr, 42) };
    println!("wrote through the header without a crash");
}

// ANCHOR: seed_fallback
/// The seed's `allocLargeBuffer` error path, ported: on mmap failure, the
/// same size from the allocator. Aborts the process when that fails too.
pub fn alloc_large_buffer_with_fallback(size: usize) -> Buffer {
    match MmapBuf::new(size) {
        Ok(m) => Buffer::Map(m),
        Err(_) => Buffer::Vec(vec![0u8; size]), // "回退到 make()"
    }
}
// ANCHOR_END: seed_fallback

/// Child mode: the seed's fallback, ported: mmap fails, then `vec![0u8; n]`.
pub const CHILD_FALLBACK: &str = "mmap::seed_fallback_to_make";

/// The size the child asks for: 64 TiB (`1 << 46`), more than any machine
/// here can map under the default overcommit policy.
pub const FALLBACK_SIZE: usize = 1 << 46;

/// The child's body: 64 TiB through the seed's fallback.
pub fn child_fallback() {
    let b = alloc_large_buffer_with_fallback(std::hint::black_box(FALLBACK_SIZE));
    let how = if matches!(b, Buffer::Map(_)) { "mmap" } else { "the fallback" };
    println!("{how} returned a buffer of 64 TiB");
}

// ANCHOR: seed_prewarm
/// The seed's pre-warm loop, ported: one write every 4096 bytes, whatever
/// the page size. Returns the number of writes.
pub fn seed_prewarm(data: &mut [u8]) -> usize {
    let mut writes = 0;
    let mut i = 0;
    while i < data.len() {
        data[i] = 0;
        writes += 1;
        i += 4096;
    }
    std::hint::black_box(&mut *data); // the writes must reach memory
    writes
}
// ANCHOR_END: seed_prewarm

// ANCHOR: seed_write_hello
/// The seed's file snippet, ported faithfully: map the file as it is and
/// `copy` with Go's semantics (as many bytes as fit). Returns the bytes copied.
pub fn seed_write_hello(path: &Path) -> io::Result<usize> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    // SAFETY: a file the caller created for this, that nothing truncates
    // while it is mapped (the SIGBUS case is shown on its own, in a child).
    let mut data = unsafe { MmapMut::map_mut(&file)? };
    let src = b"Hello";
    let n = data.len().min(src.len()); // Go's copy(dst, src)
    data[..n].copy_from_slice(&src[..n]);
    Ok(n) // no flush; the mapping is unmapped on drop
}
// ANCHOR_END: seed_write_hello
