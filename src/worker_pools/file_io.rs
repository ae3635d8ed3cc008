//! Reading N blocks of a file four ways: one `pread` after another on this
//! thread; a blocking pool ([`WorkerPool`], one job per read); tokio's
//! `spawn_blocking` (what `tokio::fs` does); and io_uring ([`UringReader`]).
//!
//! Two devices: the page cache (the blocks were just read, so a read is a
//! copy), and a slow device that adds [`SLOW`] per request (a sleep before
//! each `pread`; for io_uring a hard-linked timeout). Offloading pays only
//! against the slow one: there, `k` requests in flight take the time of
//! one; in the page cache every hand-off is cost.

use super::pool::WorkerPool;
use super::uring::UringReader;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The block size: 4 KiB.
pub const BLOCK: usize = 4096;
/// What the slow device adds to each request.
pub const SLOW: Duration = Duration::from_millis(1);
/// Threads of the blocking pool and of tokio's blocking pool.
pub const THREADS: usize = 4;
/// io_uring reads per `io_uring_enter`.
pub const DEPTH: usize = 64;

/// A way to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// `pread` in a loop on this thread.
    Sequential,
    /// [`WorkerPool`] of [`THREADS`] threads, one job per read.
    Pool,
    /// `tokio::task::spawn_blocking` per read, at most [`THREADS`] threads.
    SpawnBlocking,
    /// io_uring, [`DEPTH`] reads per enter, this thread only.
    Uring,
}

impl Way {
    /// All four, in table order.
    pub const ALL: [Way; 4] =
        [Way::Sequential, Way::Pool, Way::SpawnBlocking, Way::Uring];

    /// Its name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Way::Sequential => "sequential pread",
            Way::Pool => "blocking pool (4 threads)",
            Way::SpawnBlocking => "tokio spawn_blocking (4 threads)",
            Way::Uring => "io_uring (64 per enter, 1 thread)",
        }
    }
}

/// A file of `blocks` × 4 KiB in a directory of its own, removed on drop.
pub struct BlockFile {
    dir: PathBuf,
    /// The file, open for reading.
    pub file: Arc<File>,
    /// Its blocks.
    pub blocks: u64,
}

impl BlockFile {
    /// Writes the file (block `i` starts with byte `i % 251`), then reads
    /// it once so that it is in the page cache.
    pub fn create(blocks: u64) -> io::Result<Self> {
        let dir = scratch_dir("blocks")?;
        let path = dir.join("blocks.bin");
        let mut data = vec![0u8; blocks as usize * BLOCK];
        for (i, b) in data.chunks_mut(BLOCK).enumerate() {
            b.fill((i % 251) as u8);
        }
        std::fs::write(&path, &data)?;
        let file = File::open(&path)?;
        let mut buf = vec![0u8; BLOCK];
        for i in 0..blocks {
            file.read_exact_at(&mut buf, i * BLOCK as u64)?;
        }
        Ok(Self { dir, file: Arc::new(file), blocks })
    }

    /// The path of the file.
    pub fn path(&self) -> PathBuf {
        self.dir.join("blocks.bin")
    }

    /// The sum of the first byte of every block, what each way must return.
    pub fn expected_sum(&self) -> u64 {
        (0..self.blocks).map(|i| i % 251).sum()
    }
}

impl Drop for BlockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh directory for this process under the system's temporary one.
pub fn scratch_dir(what: &str) -> io::Result<PathBuf> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "perf-workbook-worker_pools-{}-{what}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One block read, slowed by `delay` first when given.
fn read_one(file: &File, block: u64, delay: Option<Duration>) -> io::Result<u64> {
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    thread_local!(static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; BLOCK]));
    BUF.with_borrow_mut(|buf| {
        file.read_exact_at(buf, block * BLOCK as u64)?;
        Ok(u64::from(buf[0]))
    })
}

/// What one run of a way did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reads {
    /// Wall time for all the reads.
    pub elapsed: Duration,
    /// Sum of each block's first byte (checked against the file).
    pub sum: u64,
    /// `io_uring_enter` calls (io_uring only).
    pub enters: u64,
    /// `read`-family syscalls on the calling thread.
    pub syscr: u64,
}

// ANCHOR: four_ways
/// Reads every block of `f` once, `way`, each behind `delay` when given.
pub fn read_all(f: &BlockFile, way: Way, delay: Option<Duration>) -> io::Result<Reads> {
    let blocks: Vec<u64> = (0..f.blocks).collect();
    let before = crate::measure::os::ThreadCounters::try_now()?;
    // Each way builds what it needs (threads, a runtime, a ring) before
    // the clock starts.
    let t = Instant::now();
    let (sum, enters, elapsed) = match way {
        Way::Sequential => {
            let mut sum = 0;
            for &b in &blocks {
                sum += read_one(&f.file, b, delay)?;
            }
            (sum, 0, t.elapsed())
        }
        Way::Pool => {
            let (tx, rx) = crossbeam_channel::bounded(blocks.len());
            let file = f.file.clone();
            let pool =
                WorkerPool::new(THREADS, 1024, tx, move |b| read_one(&file, b, delay));
            let t = Instant::now();
            for &b in &blocks {
                let _ = pool.submit(b);
            }
            drop(pool); // runs every queued read, then joins
            let elapsed = t.elapsed();
            let mut sum = 0;
            for r in rx.try_iter() {
                sum += r.map_err(|p| io::Error::other(p.message))??;
            }
            (sum, 0, elapsed)
        }
        Way::SpawnBlocking => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .max_blocking_threads(THREADS)
                .build()?;
            let file = f.file.clone();
            let t = Instant::now();
            let sum = rt.block_on(async move {
                let handles: Vec<_> = blocks
                    .iter()
                    .map(|&b| {
                        let file = file.clone();
                        tokio::task::spawn_blocking(move || read_one(&file, b, delay))
                    })
                    .collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.map_err(io::Error::other)??;
                }
                Ok::<u64, io::Error>(sum)
            })?;
            (sum, 0, t.elapsed())
        }
        Way::Uring => {
            let mut ring = UringReader::new(DEPTH, BLOCK)?;
            let t = Instant::now();
            let sum = ring.read_blocks(&f.file, &blocks, delay)?;
            (sum, ring.enters(), t.elapsed())
        }
    };
    let d = before.delta(&crate::measure::os::ThreadCounters::try_now()?);
    if sum != f.expected_sum() {
        return Err(io::Error::other(format!(
            "{}: read the wrong bytes ({sum}, expected {})",
            way.label(),
            f.expected_sum()
        )));
    }
    Ok(Reads { elapsed, sum, enters, syscr: d.syscr })
}
// ANCHOR_END: four_ways

/// True if `path`'s file system is tmpfs (where `sync_data` is free).
pub fn on_tmpfs(path: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        nix::sys::statfs::statfs(path)
            .map(|s| s.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC)
            .unwrap_or(false)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        false
    }
}
