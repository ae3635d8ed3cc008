//! The last step of seed 001's hierarchy (L9-11, "… < RAM < Disk"): the
//! latency of one 4 KiB read that the page cache cannot serve.
//!
//! `O_DIRECT` makes the kernel skip the page cache and ask the device, so the
//! figure is a device round trip as this machine sees it (on a VM, the
//! virtual disk; the host may still serve it from its own memory). It needs
//! a file system that supports `O_DIRECT`: tmpfs does not, and then
//! [`read_latencies`] returns the error so the caller can say so.
//!
//! Linux-only; not a disk benchmark (no queue depth, no sequential reads).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::Instant;

use crate::measure::rng::SplitMix64;

/// The unit of an `O_DIRECT` read: buffer address, offset and length must be
/// multiples of the logical block size; 4 KiB satisfies every common device.
pub const BLOCK: usize = 4096;

// ANCHOR: block
/// A buffer `O_DIRECT` accepts: `align(4096)` puts it on a block boundary.
#[repr(C, align(4096))]
struct Block([u8; BLOCK]);
// ANCHOR_END: block

/// A temporary file that deletes itself.
struct TempFile {
    path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes a `file_bytes` file in the temp directory, syncs it, then times
/// `reads` random 4 KiB `O_DIRECT` reads from it. Returns nanoseconds per read.
pub fn read_latencies(file_bytes: usize, reads: usize) -> io::Result<Vec<f64>> {
    let blocks = (file_bytes / BLOCK).max(1);
    let tmp = TempFile {
        path: std::env::temp_dir().join(format!(
            "perf-workbook-disk-{}-{:?}",
            std::process::id(),
            Instant::now()
        )),
    };
    let mut f = File::create(&tmp.path)?;
    let chunk = vec![0xA5u8; BLOCK * 64];
    let mut left = blocks * BLOCK;
    while left > 0 {
        let n = left.min(chunk.len());
        f.write_all(&chunk[..n])?;
        left -= n;
    }
    f.sync_all()?;
    drop(f);

    let f = OpenOptions::new().read(true).custom_flags(libc::O_DIRECT).open(&tmp.path)?;
    let mut buf = Box::new(Block([0; BLOCK]));
    let mut rng = SplitMix64::new(0x5EED_D15C);
    let mut out = Vec::with_capacity(reads);
    for _ in 0..reads {
        let offset = (rng.below(blocks) * BLOCK) as u64;
        let start = Instant::now();
        let n = f.read_at(&mut buf.0, offset)?;
        out.push(start.elapsed().as_nanos() as f64);
        if n != BLOCK || buf.0[0] != 0xA5 {
            return Err(io::Error::other(format!("short or wrong read: {n} bytes")));
        }
    }
    Ok(out)
}
