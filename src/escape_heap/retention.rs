//! Retention and release: what keeps a large buffer alive after only a small
//! part of it is wanted (seed 003 策略4, L288-308), and when freed memory
//! leaves the process (seed 001 §6.1.1.9.2, L851-855).
//!
//! In Go a sub-slice `data[:10]` keeps the whole backing array reachable. In
//! Rust a borrowed `&data[..10]` cannot outlive `data`; the compiler says so:
//!
//! ```compile_fail,E0505
#![doc = include_str!("snippets/slice_outlives_data.rs")]
//! ```
//!
//! The owned forms reproduce the Go leak: `Vec::truncate` keeps the capacity,
//! and `bytes::Bytes::slice` keeps its parent's allocation alive (the analogue
//! of Go's `data[:10:10]`, which caps the capacity but shares the array).
//!
//! The seed's "explicit release" (`largeData = nil`, defect D46) compiles in
//! Rust with warnings, and there the assignment does free the buffer:
//!
//! ```
#![doc = include_str!("snippets/reassign_large.rs")]
//! ```
//!
//! Not about allocator tuning: whether glibc returns freed pages to the
//! kernel depends on the block size (`mmap` threshold, 128 KiB to 32 MiB);
//! [`drop_releases_rss`] uses a size above the largest threshold.

use bytes::Bytes;

// ANCHOR: keep_head
/// Seed 003 L293-296 with an owned buffer: `truncate` shortens the `Vec` but
/// keeps its whole capacity.
pub fn head_by_truncate(mut data: Vec<u8>, n: usize) -> Vec<u8> {
    data.truncate(n);
    data
}

/// `truncate` then `shrink_to_fit`: the allocator is asked to shrink the
/// block to `n` bytes.
pub fn head_by_shrink(mut data: Vec<u8>, n: usize) -> Vec<u8> {
    data.truncate(n);
    data.shrink_to_fit();
    data
}

/// Seed 003 L299-303: copy the head into a new `n`-byte buffer; `data` is
/// freed when it goes out of scope here.
pub fn head_by_copy(data: Vec<u8>, n: usize) -> Vec<u8> {
    data[..n].to_vec()
}
// ANCHOR_END: keep_head

// ANCHOR: bytes_head
/// The analogue of Go's `data[:n:n]`: a view of `n` bytes that shares, and
/// so keeps alive, the parent's whole allocation.
pub fn head_by_bytes_slice(data: Bytes, n: usize) -> Bytes {
    data.slice(..n)
}

/// A `Bytes` that owns a copy of the head; the parent is freed with `data`.
pub fn head_by_bytes_copy(data: Bytes, n: usize) -> Bytes {
    Bytes::copy_from_slice(&data[..n])
}
// ANCHOR_END: bytes_head

/// Process RSS in KiB just before and just after dropping a `size`-byte
/// buffer whose pages were all written: `(before_drop, after_drop)`.
#[cfg(target_os = "linux")]
pub fn drop_releases_rss(size: usize) -> std::io::Result<(u64, u64)> {
    use crate::measure::os::ProcStatus;
    // ANCHOR: drop_rss
    let large = std::hint::black_box(vec![1u8; size]); // every page written
    let before = ProcStatus::now()?.vm_rss_kib;
    drop(large); // freed here, not at some later collection
    let after = ProcStatus::now()?.vm_rss_kib;
    // ANCHOR_END: drop_rss
    Ok((before, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_head_has_the_first_bytes() {
        let data: Vec<u8> = (0..100).collect();
        let want: Vec<u8> = (0..10).collect();
        assert_eq!(head_by_truncate(data.clone(), 10), want);
        assert_eq!(head_by_shrink(data.clone(), 10), want);
        assert_eq!(head_by_copy(data.clone(), 10), want);
        let b = Bytes::from(data);
        assert_eq!(head_by_bytes_slice(b.clone(), 10), want);
        assert_eq!(head_by_bytes_copy(b, 10), want);
    }
}
