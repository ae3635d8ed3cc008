//! The sampler: a thread that reads the process's own figures every
//! `interval` and keeps the latest sample. The fix for seed 001's
//! `MemoryMonitor` (§6.1.1.8.1), whose ticker calls `runtime.ReadMemStats`
//! (which stops the world), pushes each sample into a 100-slot channel that
//! nobody reads, drops the newest sample once it is full, has a `Stop` that
//! panics when called twice, and never closes its channel.
//!
//! Here:
//! - a sample reads `/proc/self/status` (resident set, its peak, threads),
//!   `/proc/self/io`, `/proc/self/smaps_rollup` (Rss, Pss, Anonymous, Swap),
//!   `getrusage` (CPU time, faults) and, when the tracking allocator is this
//!   binary's global allocator, its live bytes. Each file is opened once and
//!   re-read with `pread` into a buffer allocated once: a tick allocates
//!   nothing and stops no other thread (no `mallinfo2`, which walks the
//!   heap under the arena locks);
//! - the latest sample replaces the previous one; a sample replaced before
//!   anyone read it is counted as dropped, so a reader always sees the
//!   newest figures and knows how many it missed;
//! - [`Sampler::stop`] wakes the thread at once, joins it, and may be called
//!   any number of times; `Drop` calls it;
//! - the cost of every sample goes into a [`Histogram`]: the monitor
//!   monitors itself.
//!
//! [`Sampler::mark`] and [`Mark::finish`] give the peak resident set and the
//! CPU time of a stretch of work: the `workbook` binary reports them per
//! chapter.

use super::registry::{Histogram, HistogramValue};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `/proc/self/io`: bytes and calls through read and write system calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Io {
    /// Bytes read (`rchar`).
    pub rchar: u64,
    /// Bytes written (`wchar`).
    pub wchar: u64,
    /// Read system calls.
    pub syscr: u64,
    /// Write system calls.
    pub syscw: u64,
}

/// `/proc/self/smaps_rollup`, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rollup {
    /// Resident.
    pub rss: u64,
    /// Proportional set size.
    pub pss: u64,
    /// Anonymous resident memory (heap, stacks, anonymous maps).
    pub anonymous: u64,
    /// Swapped out.
    pub swap: u64,
}

/// One reading of the process's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Sample {
    /// 1 for the first sample of a sampler, then 2, 3 …
    pub seq: u64,
    /// When, since the sampler started.
    pub at: Duration,
    /// Resident set (`VmRSS`), bytes.
    pub rss_bytes: u64,
    /// Peak resident set of the process so far (`VmHWM`), bytes.
    pub hwm_bytes: u64,
    /// Threads in the process.
    pub threads: u64,
    /// `/proc/self/io`, when readable.
    pub io: Option<Io>,
    /// `/proc/self/smaps_rollup`, when readable and asked for.
    pub rollup: Option<Rollup>,
    /// User CPU time of the process (every thread).
    pub user_cpu: Duration,
    /// System CPU time of the process.
    pub sys_cpu: Duration,
    /// Minor page faults of the process.
    pub minor_faults: u64,
    /// Major page faults of the process.
    pub major_faults: u64,
    /// Live heap bytes, from the tracking allocator when it is this binary's
    /// global allocator ([`super::tracking::live_bytes`]).
    pub live_bytes: Option<i64>,
    /// Heap bytes allocated so far, from the same source.
    pub allocated_bytes: Option<u64>,
    /// How long taking this sample took.
    pub cost: Duration,
}

impl Sample {
    /// User + system CPU time.
    pub fn cpu(&self) -> Duration {
        self.user_cpu + self.sys_cpu
    }
}

/// The name of a sampler's thread (`comm` holds 15 bytes).
pub const SAMPLER_THREAD: &str = "mon-sampler";

/// What a sampler reads, and how often.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Time between samples.
    pub interval: Duration,
    /// Read `/proc/self/smaps_rollup` on every `rollup_every`-th sample
    /// (0: never). It walks every mapping's page tables, so it costs several
    /// times the rest of a sample together, and more as the resident set
    /// grows.
    pub rollup_every: u32,
}

impl Config {
    /// Every `interval`, with `smaps_rollup` on every 10th sample.
    pub fn every(interval: Duration) -> Self {
        Self { interval, rollup_every: ROLLUP_EVERY }
    }
}

/// How often the default sampler reads `smaps_rollup`: every 10th sample.
pub const ROLLUP_EVERY: u32 = 10;

// ANCHOR: reader
/// The files a sample reads, opened once, and one buffer.
pub struct Reader {
    status: File,
    io: Option<File>,
    rollup: Option<File>,
    rollup_every: u32,
    buf: Vec<u8>,
    start: Instant,
    seq: u64,
}

impl Reader {
    /// Opens `/proc/self/status` (required), `/proc/self/io` and, unless
    /// `rollup_every` is 0, `/proc/self/smaps_rollup` (read on every
    /// `rollup_every`-th sample, the first included); the optional files are
    /// skipped when unreadable.
    pub fn open(rollup_every: u32) -> io::Result<Self> {
        Ok(Self {
            status: File::open("/proc/self/status")?,
            io: File::open("/proc/self/io").ok(),
            rollup: if rollup_every > 0 {
                File::open("/proc/self/smaps_rollup").ok()
            } else {
                None
            },
            rollup_every,
            buf: vec![0; 16 << 10],
            start: Instant::now(),
            seq: 0,
        })
    }

    /// When this reader was opened (samples' `at` counts from here).
    pub fn started(&self) -> Instant {
        self.start
    }

    fn read(buf: &mut [u8], f: &File) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let got = f.read_at(&mut buf[n..], n as u64)?;
            if got == 0 {
                break;
            }
            n += got;
        }
        Ok(n)
    }

    /// Takes one sample (no allocation: the buffer is reused).
    pub fn sample(&mut self) -> io::Result<Sample> {
        let t = Instant::now();
        self.seq += 1;
        let mut s =
            Sample { seq: self.seq, at: self.start.elapsed(), ..Sample::default() };
        let n = Self::read(&mut self.buf, &self.status)?;
        let text = &self.buf[..n];
        s.rss_bytes = field(text, b"VmRSS:").unwrap_or(0) * 1024;
        s.hwm_bytes = field(text, b"VmHWM:").unwrap_or(0) * 1024;
        s.threads = field(text, b"Threads:").unwrap_or(0);
        if let Some(f) = &self.io
            && let Ok(n) = Self::read(&mut self.buf, f)
        {
            let text = &self.buf[..n];
            s.io = Some(Io {
                rchar: field(text, b"rchar:").unwrap_or(0),
                wchar: field(text, b"wchar:").unwrap_or(0),
                syscr: field(text, b"syscr:").unwrap_or(0),
                syscw: field(text, b"syscw:").unwrap_or(0),
            });
        }
        let due = self.rollup_every > 0
            && (self.seq - 1).is_multiple_of(u64::from(self.rollup_every));
        if let Some(f) = self.rollup.as_ref().filter(|_| due)
            && let Ok(n) = Self::read(&mut self.buf, f)
        {
            let text = &self.buf[..n];
            s.rollup = Some(Rollup {
                rss: field(text, b"Rss:").unwrap_or(0) * 1024,
                pss: field(text, b"Pss:").unwrap_or(0) * 1024,
                anonymous: field(text, b"Anonymous:").unwrap_or(0) * 1024,
                swap: field(text, b"Swap:").unwrap_or(0) * 1024,
            });
        }
        let ru = rusage(libc::RUSAGE_SELF);
        s.user_cpu = tv(ru.ru_utime);
        s.sys_cpu = tv(ru.ru_stime);
        s.minor_faults = ru.ru_minflt as u64;
        s.major_faults = ru.ru_majflt as u64;
        s.live_bytes = super::tracking::live_bytes();
        s.allocated_bytes = super::tracking::allocated_bytes();
        s.cost = t.elapsed();
        Ok(s)
    }
}
// ANCHOR_END: reader

/// The number after `key` at the start of a line of `text` (`VmRSS:  1234 kB`).
pub fn field(text: &[u8], key: &[u8]) -> Option<u64> {
    let mut rest = text;
    loop {
        if rest.starts_with(key) {
            let after = &rest[key.len()..];
            let digits = after.iter().skip_while(|b| **b == b' ' || **b == b'\t');
            let mut v: u64 = 0;
            let mut any = false;
            for b in digits {
                if b.is_ascii_digit() {
                    v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                    any = true;
                } else {
                    break;
                }
            }
            return any.then_some(v);
        }
        let nl = rest.iter().position(|b| *b == b'\n')?;
        rest = &rest[nl + 1..];
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

fn rusage(who: libc::c_int) -> libc::rusage {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage; getrusage only writes it.
    unsafe { libc::getrusage(who, &mut ru) };
    ru
}

/// CPU time (user + system) of this process, and of its waited-for children.
pub fn cpu_times() -> (Duration, Duration) {
    let me = rusage(libc::RUSAGE_SELF);
    let kids = rusage(libc::RUSAGE_CHILDREN);
    (tv(me.ru_utime) + tv(me.ru_stime), tv(kids.ru_utime) + tv(kids.ru_stime))
}

struct Shared {
    latest: Mutex<Option<Sample>>,
    unread: AtomicBool,
    taken: AtomicU64,
    dropped: AtomicU64,
    errors: AtomicU64,
    window_peak: AtomicU64,
    stop: Mutex<bool>,
    wake: Condvar,
    cost: Histogram,
}

impl Shared {
    fn publish(&self, s: Sample) {
        self.window_peak.fetch_max(s.rss_bytes, Ordering::Relaxed);
        self.cost.record(s.cost.as_nanos() as u64);
        let mut latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        // Counted under the lock, so `latest_with_taken` sees both together.
        self.taken.fetch_add(1, Ordering::Relaxed);
        if latest.is_some() && self.unread.load(Ordering::Relaxed) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        *latest = Some(s);
        self.unread.store(true, Ordering::Relaxed);
    }
}

// ANCHOR: sampler
/// A sampling thread; see the module documentation.
pub struct Sampler {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    interval: Duration,
    started: Instant,
}

impl Sampler {
    /// Starts sampling every `interval` (with `smaps_rollup`).
    pub fn start(interval: Duration) -> io::Result<Self> {
        Self::with(Config::every(interval))
    }

    /// Starts a sampler as `config` says. Fails when `/proc/self/status`
    /// cannot be opened or the thread cannot be spawned.
    pub fn with(config: Config) -> io::Result<Self> {
        let mut reader = Reader::open(config.rollup_every)?;
        let started = reader.started();
        let first = reader.sample()?;
        let shared = Arc::new(Shared {
            latest: Mutex::new(None),
            unread: AtomicBool::new(false),
            taken: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            window_peak: AtomicU64::new(0),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            cost: Histogram::new(),
        });
        shared.publish(first);
        let s = shared.clone();
        let interval = config.interval.max(Duration::from_micros(100));
        let thread =
            std::thread::Builder::new().name(SAMPLER_THREAD.into()).spawn(move || {
                let mut next = Instant::now() + interval;
                loop {
                    let stopped = s.stop.lock().unwrap_or_else(|p| p.into_inner());
                    let now = Instant::now();
                    let wait = next.saturating_duration_since(now);
                    let (stopped, _) = s
                        .wake
                        .wait_timeout_while(stopped, wait, |stop| !*stop)
                        .unwrap_or_else(|p| p.into_inner());
                    if *stopped {
                        return;
                    }
                    drop(stopped);
                    match reader.sample() {
                        Ok(sample) => s.publish(sample),
                        Err(_) => {
                            s.errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    // The next tick on the grid; skip ticks missed while
                    // descheduled instead of sampling in a burst.
                    next += interval;
                    let now = Instant::now();
                    if next < now {
                        next = now + interval;
                    }
                }
            })?;
        Ok(Self { shared, thread: Some(thread), interval, started })
    }

    /// The newest sample (and marks it read).
    pub fn latest(&self) -> Option<Sample> {
        self.latest_with_taken().map(|(s, _)| s)
    }

    /// The newest sample and the number of samples taken when it was read
    /// (equal to its `seq`: nothing newer exists).
    pub fn latest_with_taken(&self) -> Option<(Sample, u64)> {
        let latest = self.shared.latest.lock().unwrap_or_else(|p| p.into_inner());
        self.shared.unread.store(false, Ordering::Relaxed);
        latest.map(|s| (s, self.shared.taken.load(Ordering::Relaxed)))
    }

    /// Stops the thread and joins it. Any number of calls; `Drop` calls it.
    pub fn stop(&mut self) {
        *self.shared.stop.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// True until [`Sampler::stop`].
    pub fn is_running(&self) -> bool {
        self.thread.is_some()
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop();
    }
}
// ANCHOR_END: sampler

impl Sampler {
    /// The time between samples.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How old `sample` is now (it must come from this sampler).
    pub fn age(&self, sample: &Sample) -> Duration {
        self.started.elapsed().saturating_sub(sample.at)
    }

    /// Samples the thread took (the first, taken by `start`, included).
    pub fn taken(&self) -> u64 {
        self.shared.taken.load(Ordering::Relaxed)
    }

    /// Samples replaced before anyone read them.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Samples that failed to read.
    pub fn errors(&self) -> u64 {
        self.shared.errors.load(Ordering::Relaxed)
    }

    /// The cost of each sample so far (ns).
    pub fn cost(&self) -> HistogramValue {
        self.shared.cost.get()
    }

    /// Takes a sample on the calling thread now (for the edges of a
    /// stretch of work): it counts towards the peak of [`Sampler::mark`],
    /// and is not published as the latest (its `seq` is 0).
    pub fn sample_now(&self) -> io::Result<Sample> {
        let mut r = Reader::open(0)?;
        let mut s = r.sample()?;
        s.seq = 0;
        s.at = self.started.elapsed();
        self.shared.window_peak.fetch_max(s.rss_bytes, Ordering::Relaxed);
        Ok(s)
    }

    // ANCHOR: mark
    /// Starts measuring a stretch of work: its peak resident set (the
    /// highest sample from now until [`Mark::finish`]) and the CPU time the
    /// process and its children spend meanwhile. One mark at a time: a new
    /// mark restarts the peak.
    pub fn mark(&self) -> Mark {
        let rss = self.sample_now().map_or(0, |s| s.rss_bytes);
        self.shared.window_peak.store(rss, Ordering::Relaxed);
        let (cpu, children) = cpu_times();
        Mark { cpu, children, taken: self.taken(), start: Instant::now() }
    }
    // ANCHOR_END: mark
}

/// The start of a stretch of work; see [`Sampler::mark`].
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    cpu: Duration,
    children: Duration,
    taken: u64,
    start: Instant,
}

/// What a stretch of work used, from the sampler.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Usage {
    /// The highest resident set sampled during it, bytes.
    pub peak_rss_bytes: u64,
    /// CPU time of this process (every thread, the sampler's included).
    pub cpu_time: Duration,
    /// CPU time of the child processes it waited for.
    pub children_cpu_time: Duration,
    /// Wall time.
    pub wall: Duration,
    /// Samples taken during it.
    pub samples: u64,
}

impl Mark {
    /// Ends the stretch: one last sample, then the peak and the CPU time.
    pub fn finish(self, sampler: &Sampler) -> Usage {
        let _ = sampler.sample_now();
        let (cpu, children) = cpu_times();
        Usage {
            peak_rss_bytes: sampler.shared.window_peak.load(Ordering::Relaxed),
            cpu_time: cpu.saturating_sub(self.cpu),
            children_cpu_time: children.saturating_sub(self.children),
            wall: self.start.elapsed(),
            samples: sampler.taken() - self.taken,
        }
    }
}

/// Threads of this process whose name (`/proc/self/task/*/comm`) is `name`.
pub fn threads_named(name: &str) -> io::Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir("/proc/self/task")? {
        let comm =
            std::fs::read_to_string(entry?.path().join("comm")).unwrap_or_default();
        if comm.trim_end() == name {
            n += 1;
        }
    }
    Ok(n)
}
