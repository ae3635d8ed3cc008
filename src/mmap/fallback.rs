//! What to do when a huge allocation fails. Seed 004 (L86-89, L203-212)
//! falls back from a failed mmap to `make([]byte, size)` of the same size.
//! When mmap said `ENOMEM`, the fallback asks the same kernel for the same
//! amount, through the allocator (which itself mmaps large requests), and a
//! failed `make` is a fatal, unrecoverable error in Go (D61).
//!
//! The Rust port of that fallback, `vec![0u8; size]`, aborts the process the
//! same way (`handle_alloc_error`), shown in a child process
//! ([`super::seed_port::CHILD_FALLBACK`]). The fix: both failures as values, with
//! [`MmapBuf::new`] returning `Err` and `Vec::try_reserve_exact` for the
//! fallback, so the caller decides.
//!
//! For: C004-13, C004-24, D61. Not for: running a machine out of memory (the
//! sizes here fail at `mmap` time, before any page is touched).

use super::buf::{MapError, MmapBuf};

/// Sizes tried: twice the machine's RAM, 1 TiB, 64 TiB (`1 << 46`).
pub fn absurd_sizes() -> Vec<usize> {
    let ram = crate::measure::procfs::mem_total_bytes().unwrap_or(1 << 36) as usize;
    vec![ram.saturating_mul(2), 1 << 40, 1 << 46]
}

/// What happened at one size.
#[derive(Debug)]
pub struct Attempt {
    /// Bytes asked for.
    pub size: usize,
    /// The mmap error, or `None` when the mapping was made (then dropped).
    pub mmap_error: Option<MapError>,
    /// `try_reserve_exact` failed too.
    pub fallback_failed: bool,
}

// ANCHOR: fallible
/// Tries [`MmapBuf::new`], then the fallback, as values: neither can abort.
pub fn try_both(size: usize) -> Attempt {
    let mmap_error = MmapBuf::new(size).err();
    let mut fallback: Vec<u8> = Vec::new();
    let fallback_failed = fallback.try_reserve_exact(size).is_err();
    Attempt { size, mmap_error, fallback_failed }
}
// ANCHOR_END: fallible
