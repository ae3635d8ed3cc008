//! File mappings (seed 001 §6.1.1.5.3, L406-423): write "Hello" into a mapped
//! file, read a file through a mapping instead of `read()`, and the ways the
//! seed's snippet goes wrong (D37).
//!
//! The seed maps `data.txt` read-write and `copy`s "Hello" into it. Three
//! things it does not handle: an empty file (a zero-length `mmap` is
//! `EINVAL`; `memmap2` maps it as an empty slice instead, so nothing is
//! written and nothing fails), a file shorter than the data (Go's `copy` stops
//! at the shorter length: silent truncation), and a file that shrinks while
//! mapped (touching a page past the new end raises SIGBUS, which is why
//! `memmap2`'s `map` is `unsafe`). It also never flushes.
//!
//! For: C001-27, D37. Not for: anonymous memory ([`super::buf`]).

use memmap2::{Mmap, MmapMut};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A temporary directory for this process, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `perf-workbook-mmap-<pid>-<tag>` under the system temp dir.
    pub fn new(tag: &str) -> io::Result<Self> {
        let dir = std::env::temp_dir()
            .join(format!("perf-workbook-mmap-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    /// A path inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ANCHOR: write_hello
/// Writes `data` at the start of the file at `path` through a shared
/// mapping, growing the file first if it is shorter, then flushes.
pub fn write_through_mapping(path: &Path, data: &[u8]) -> io::Result<()> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    if file.metadata()?.len() < data.len() as u64 {
        file.set_len(data.len() as u64)?; // an empty file would map as 0 bytes
    }
    // SAFETY: the file was opened by us a moment ago and nothing else in this
    // program maps or truncates it while `map` lives. (Another process that
    // truncates it would make access past the new end raise SIGBUS: that is
    // what this `unsafe` cannot rule out.)
    let mut map = unsafe { MmapMut::map_mut(&file)? };
    map[..data.len()].copy_from_slice(data);
    map.flush()?; // msync: the bytes reach the file before we return
    Ok(())
}
// ANCHOR_END: write_hello

// ANCHOR: seed_port
/// The seed's snippet, ported faithfully: map the file as it is and `copy`
/// with Go's semantics (as many bytes as fit). Returns the bytes copied.
pub fn seed_write_hello(path: &Path) -> io::Result<usize> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    // SAFETY: as in `write_through_mapping`.
    let mut data = unsafe { MmapMut::map_mut(&file)? };
    let src = b"Hello";
    let n = data.len().min(src.len()); // Go's copy(dst, src)
    data[..n].copy_from_slice(&src[..n]);
    Ok(n) // no flush; the mapping is unmapped on drop
}
// ANCHOR_END: seed_port

/// Creates (or truncates) `path` with `contents`.
pub fn create_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    File::create(path)?.write_all(contents)
}

/// Sums every byte of the file at `path` through a read-only mapping.
pub fn sum_via_mmap(path: &Path) -> io::Result<u64> {
    let file = File::open(path)?;
    // SAFETY: our own temporary file, not modified while mapped.
    let map = unsafe { Mmap::map(&file)? };
    Ok(map.iter().map(|&b| b as u64).sum())
}

/// Sums every byte of the file at `path` with `read()` into a `buf_size` buffer.
pub fn sum_via_read(path: &Path, buf_size: usize) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; buf_size];
    let mut sum = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(sum);
        }
        sum += buf[..n].iter().map(|&b| b as u64).sum::<u64>();
    }
}

/// Child mode: map a 2-page file, shrink it to 0, read the mapping.
pub const CHILD_SIGBUS: &str = "mmap::truncated_file_sigbus";

// ANCHOR: sigbus
/// The child's body. Reading a mapped page that lies wholly past the end of
/// the file raises SIGBUS: the mapping still has its length, the file not.
pub fn child_truncated_file() {
    let dir = TempDir::new("sigbus").expect("temp dir");
    let path = dir.join("shrinks.bin");
    create_file(&path, &[7u8; 8192]).expect("create");
    let file = OpenOptions::new().read(true).write(true).open(&path).expect("open");
    // SAFETY: NOT upheld, on purpose: the file is truncated below while
    // mapped. This runs only in a child process, to show the SIGBUS.
    let map = unsafe { Mmap::map(&file).expect("map") };
    drop(dir); // remove the directory now: the crash below skips destructors
    file.set_len(0).expect("truncate"); // as another process might
    let byte = std::hint::black_box(&map[..])[4096]; // SIGBUS here
    println!("read {byte} past the end of a truncated file");
}
// ANCHOR_END: sigbus
