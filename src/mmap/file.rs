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
//! `memmap2`'s `map` is `unsafe`). It also never flushes. The port is
//! [`super::seed_port::seed_write_hello`]; the fix is [`write_through_mapping`].
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

/// Writing "Hello" through a mapping, and reading a file through one.
#[derive(Clone, Debug)]
pub struct RoundTrip {
    /// The file read back starts with "Hello" and kept its 4 KiB.
    pub hello: bool,
    /// `write`-family syscalls made while writing through the mapping.
    pub write_syscalls: u64,
    /// Bytes of the file read both ways.
    pub read_size: usize,
    /// Through a mapping: read syscalls, faults, ns (median of 3).
    pub mmap_read: (u64, u64, f64),
    /// Through `read()` into 64 KiB: read syscalls, ns (median of 3).
    pub read_read: (u64, f64),
}

/// C001-27's experiment: "Hello" into a 4 KiB file through a shared mapping,
/// then a `read_size` file summed through a mapping and through `read()`
/// (both from the page cache), three interleaved rounds.
pub fn round_trip(read_size: usize) -> io::Result<RoundTrip> {
    use crate::measure::os::ThreadCounters;
    let dir = TempDir::new("round-trip")?;
    let path = dir.join("data.txt");
    create_file(&path, &[b'.'; 4096])?;
    let c0 = ThreadCounters::now();
    write_through_mapping(&path, b"Hello")?;
    let io = c0.delta(&ThreadCounters::now());
    let back = std::fs::read(&path)?;
    let big = dir.join("big.bin");
    create_file(&big, &vec![3u8; read_size])?;
    sum_via_read(&big, 64 << 10)?; // both start with the file in the page cache
    let want = 3 * read_size as u64;
    let (mut mt, mut rt) = (vec![], vec![]);
    let (mut m_io, mut r_io) = (ThreadCounters::default(), ThreadCounters::default());
    for _ in 0..3 {
        let c = ThreadCounters::now();
        let t = std::time::Instant::now();
        let s = sum_via_mmap(&big)?;
        mt.push(t.elapsed().as_nanos() as f64);
        m_io = c.delta(&ThreadCounters::now());
        let c = ThreadCounters::now();
        let t = std::time::Instant::now();
        let r = sum_via_read(&big, 64 << 10)?;
        rt.push(t.elapsed().as_nanos() as f64);
        r_io = c.delta(&ThreadCounters::now());
        if s != want || r != want {
            return Err(io::Error::other("the two file sums disagree"));
        }
    }
    let median = |v: &[f64]| crate::measure::stats::median(v).unwrap_or(f64::NAN);
    Ok(RoundTrip {
        hello: back.starts_with(b"Hello") && back.len() == 4096,
        write_syscalls: io.syscw,
        read_size,
        mmap_read: (m_io.syscr, m_io.minor_faults, median(&mt)),
        read_read: (r_io.syscr, median(&rt)),
    })
}

/// What the seed's file snippet does with the files it does not expect, and
/// what the fix does (D37).
#[derive(Clone, Debug)]
pub struct SeedFile {
    /// A raw `mmap` of length 0 failed with `EINVAL`.
    pub zero_length_einval: bool,
    /// What that call said.
    pub zero_length_error: String,
    /// Bytes the port copied into an empty file.
    pub empty_copied: usize,
    /// Bytes the port copied into a 3-byte file, and what the file says.
    pub short_copied: usize,
    /// The 3-byte file afterwards.
    pub short_after: String,
    /// The fix (`set_len` + `flush`) on the empty file: it reads "Hello".
    pub fix_works: bool,
}

/// Runs the seed's port on an empty and a 3-byte file, then the fix.
pub fn seed_file_experiment() -> io::Result<SeedFile> {
    use super::seed_port::seed_write_hello;
    let dir = TempDir::new("seed-file")?;
    let zero = super::buf::map_zero_length();
    let empty = dir.join("empty.txt");
    create_file(&empty, b"")?;
    let empty_copied = seed_write_hello(&empty)?;
    let short = dir.join("short.txt");
    create_file(&short, b"abc")?;
    let short_copied = seed_write_hello(&short)?;
    let short_after = String::from_utf8_lossy(&std::fs::read(&short)?).into_owned();
    write_through_mapping(&empty, b"Hello")?;
    Ok(SeedFile {
        zero_length_einval: zero.errno() == Some(libc::EINVAL),
        zero_length_error: zero.source.to_string(),
        empty_copied,
        short_copied,
        short_after,
        fix_works: std::fs::read(&empty)? == b"Hello",
    })
}
