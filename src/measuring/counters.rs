//! Reading what the kernel already counts: the foundation's
//! [`ThreadCounters`] (`getrusage(RUSAGE_THREAD)` and `/proc/thread-self/io`)
//! and [`ProcStatus`] (`/proc/self/status`), shown on workloads whose counts
//! can be predicted exactly.
//!
//! - Reading a 1 MiB file three ways: one `read` per call of the loop, so the
//!   `syscr` count is the number of calls, and `rchar` the bytes.
//! - Touching fresh anonymous memory: one minor fault per 4 KiB page (fewer
//!   with transparent huge pages), and `VmRSS` grows by what was touched.
//! - getrusage's CPU time: how often it actually changes.
//!
//! Linux only: elsewhere every function returns an `Unsupported` error.

use crate::measure::os::{ProcStatus, ThreadCounters};
use std::hint::black_box;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A temporary file of `len` bytes, removed on drop.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Creates it under the system temp directory with a unique name.
    pub fn new(len: usize) -> io::Result<Self> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir()
            .join(format!("perf-workbook-measuring-{}-{n}.bin", std::process::id()));
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&vec![b'x'; len])?;
        f.sync_all()?;
        Ok(Self { path })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMethod {
    /// `read` into a buffer of this many bytes until it returns 0.
    Loop(usize),
    /// `std::fs::read`: sized from the file's metadata.
    FsRead,
    /// A `BufReader` (8 KiB buffer), one line at a time; the file has no
    /// newline, so `read_until` fills the buffer again and again.
    BufReaderLines,
}

// ANCHOR: read_counts
/// Reads `path` with `method` and returns the bytes read and the change in
/// this thread's counters (syscr, rchar, CPU).
pub fn read_counts(
    path: &Path,
    method: ReadMethod,
) -> io::Result<(usize, ThreadCounters)> {
    let before = ThreadCounters::try_now()?;
    let total = match method {
        ReadMethod::Loop(chunk) => {
            let mut f = std::fs::File::open(path)?;
            let mut buf = vec![0u8; chunk];
            let mut total = 0;
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break total;
                }
                total += n;
            }
        }
        ReadMethod::FsRead => std::fs::read(path)?.len(),
        ReadMethod::BufReaderLines => {
            let mut r = BufReader::new(std::fs::File::open(path)?);
            let mut line = Vec::new();
            r.read_until(b'\n', &mut line)?
        }
    };
    let after = ThreadCounters::try_now()?;
    Ok((total, before.delta(&after)))
}
// ANCHOR_END: read_counts

/// What touching fresh memory does to the counters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TouchCounts {
    /// Bytes touched (one write per 4 KiB page).
    pub bytes: usize,
    /// Minor page faults on this thread.
    pub minor_faults: u64,
    /// Change in `VmRSS`, KiB (process-wide: other threads can move it).
    pub rss_delta_kib: i64,
}

/// Maps `bytes` of fresh anonymous memory, writes one byte per page, and
/// reports faults and RSS growth.
pub fn touch_counts(bytes: usize) -> io::Result<TouchCounts> {
    let mut m = memmap2::MmapMut::map_anon(bytes)?;
    let rss0 = ProcStatus::now()?.vm_rss_kib as i64;
    let before = ThreadCounters::try_now()?;
    for i in (0..bytes).step_by(4096) {
        m[i] = 1;
    }
    black_box(&m);
    let after = ThreadCounters::try_now()?;
    let rss1 = ProcStatus::now()?.vm_rss_kib as i64;
    drop(m);
    Ok(TouchCounts {
        bytes,
        minor_faults: before.delta(&after).minor_faults,
        rss_delta_kib: rss1 - rss0,
    })
}

/// How often `getrusage(RUSAGE_THREAD)`'s CPU time moves: calls nothing but
/// getrusage until its user + system time has advanced by `cpu` (or a
/// second has passed), counting the changes. Returns the CPU time per change
/// (its effective resolution, by its own account) and the number of changes.
///
/// Nothing else may run in the loop: reading the thread CPU clock makes the
/// kernel bring the thread's runtime up to date, and getrusage then looks
/// precise too.
#[cfg(target_os = "linux")]
pub fn getrusage_resolution(cpu: Duration) -> io::Result<(Duration, u32)> {
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    let read = || -> io::Result<Duration> {
        let u = getrusage(UsageWho::RUSAGE_THREAD).map_err(io::Error::from)?;
        let us = u.user_time().num_microseconds() + u.system_time().num_microseconds();
        Ok(Duration::from_micros(us as u64))
    };
    let start = std::time::Instant::now();
    let first = read()?;
    let (mut last, mut changes) = (first, 0u32);
    while last - first < cpu && start.elapsed() < Duration::from_secs(1) {
        let now = read()?;
        if now != last {
            changes += 1;
            last = now;
        }
    }
    Ok(((last - first) / changes.max(1), changes))
}

/// How often getrusage's CPU time moves (Linux only).
#[cfg(not(target_os = "linux"))]
pub fn getrusage_resolution(_cpu: Duration) -> io::Result<(Duration, u32)> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "RUSAGE_THREAD requires Linux"))
}
