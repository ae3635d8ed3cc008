//! Test material: scratch directories that delete themselves, files of
//! pseudo-random bytes, and a streaming checksum to prove that what arrived
//! is what was sent, byte for byte and in order.
//!
//! Not a cryptographic hash: it detects lost, repeated, reordered and
//! corrupted bytes, which is all a transfer test needs.

use crate::measure::rng::SplitMix64;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A directory under the system's temp dir, removed with everything in it
/// when dropped.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates `perf-workbook-zero_copy-<pid>-<n>-<tag>` in the temp dir.
    pub fn new(tag: &str) -> io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("perf-workbook-zero_copy-{}-{n}-{tag}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `self.path().join(name)`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A streaming checksum: the result does not depend on how the bytes were
/// split into chunks, but does depend on their order.
#[derive(Clone, Debug)]
pub struct Checksum {
    state: u64,
    len: u64,
    tail: [u8; 8],
    tail_len: usize,
}

impl Default for Checksum {
    fn default() -> Self {
        Self { state: 0x9e37_79b9_7f4a_7c15, len: 0, tail: [0; 8], tail_len: 0 }
    }
}

impl Checksum {
    fn mix(&mut self, word: u64) {
        self.state =
            (self.state.rotate_left(23) ^ word).wrapping_mul(0x2127_599b_f432_5c37);
    }

    /// Adds `data`.
    pub fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(data.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&data[..take]);
            self.tail_len += take;
            data = &data[take..];
            if self.tail_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            self.mix(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    /// The checksum of everything added, and the byte count.
    pub fn finish(&self) -> (u64, u64) {
        let mut c = self.clone();
        let mut last = [0u8; 8];
        last[..c.tail_len].copy_from_slice(&c.tail[..c.tail_len]);
        c.mix(u64::from_le_bytes(last));
        c.mix(c.len);
        (c.state, c.len)
    }

    /// The checksum of `data`.
    pub fn of(data: &[u8]) -> u64 {
        let mut c = Self::default();
        c.update(data);
        c.finish().0
    }
}

/// Writes `len` pseudo-random bytes (from `seed`) to `path` and returns their
/// checksum. The file is then in the page cache, as the chapter's
/// measurements assume.
pub fn write_pattern_file(path: &Path, len: u64, seed: u64) -> io::Result<u64> {
    let mut file = File::create(path)?;
    let mut sum = Checksum::default();
    let mut rng = SplitMix64::new(seed);
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        rng.fill_bytes(&mut chunk[..n]);
        file.write_all(&chunk[..n])?;
        sum.update(&chunk[..n]);
        left -= n as u64;
    }
    Ok(sum.finish().0)
}

/// A file of `len` zero bytes that takes no disk space (a hole), for
/// demonstrations where only the size matters.
pub fn sparse_file(path: &Path, len: u64) -> io::Result<File> {
    let file =
        File::options().read(true).write(true).create(true).truncate(true).open(path)?;
    file.set_len(len)?;
    Ok(file)
}

/// Reads `path` to the end and returns its checksum.
pub fn checksum_file(path: &Path) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut sum = Checksum::default();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf)? {
            0 => return Ok(sum.finish().0),
            n => sum.update(&buf[..n]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_ignores_chunking_but_not_order() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = Checksum::of(&data);
        for split in [1, 3, 7, 8, 9, 500, 999] {
            let mut c = Checksum::default();
            for part in data.chunks(split) {
                c.update(part);
            }
            assert_eq!(c.finish(), (whole, 1000), "split {split}");
        }
        let mut swapped = data.clone();
        swapped.swap(10, 11);
        assert_ne!(Checksum::of(&swapped), whole);
        assert_ne!(Checksum::of(&data[..999]), whole);
        assert_ne!(Checksum::of(&[]), Checksum::of(&[0]));
    }

    #[test]
    #[cfg_attr(miri, ignore = "file I/O")]
    fn pattern_files_round_trip() {
        let dir = Scratch::new("files-test").unwrap();
        for len in [0, 1, 8, 13, 100_000] {
            let p = dir.join(&format!("f{len}"));
            let sum = write_pattern_file(&p, len, 42).unwrap();
            assert_eq!(std::fs::metadata(&p).unwrap().len(), len);
            assert_eq!(checksum_file(&p).unwrap(), sum);
        }
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
    }
}
