//! What the kernel counts for us: per-thread page faults, CPU time and I/O
//! syscalls, and process-wide memory and mapping figures.
//!
//! - [`ThreadCounters`]: `getrusage(RUSAGE_THREAD)` (minor/major faults, user
//!   and system CPU) and `/proc/thread-self/io` (`syscr`, `syscw`, `rchar`,
//!   `wchar`). Per thread, because the test harness runs tests in parallel.
//! - [`ProcStatus`]: `VmRSS`, `VmHWM`, `Threads` from `/proc/self/status`.
//! - [`mapping_count`]: lines of `/proc/self/maps`.
//!
//! Reading `/proc/thread-self/io` is itself two `read` calls on this thread
//! (the text, then end of file). A snapshot remembers exactly what it read,
//! and [`ThreadCounters::delta`] subtracts it, so a loop that makes no `read`
//! shows `syscr == 0` and `rchar == 0`.
//!
//! Not for: other processes, or I/O done by other threads. All of it is Linux
//! only; elsewhere the readers return an `Unsupported` error.

use std::io;
use std::time::Duration;

/// A snapshot of this thread's kernel counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ThreadCounters {
    /// Page faults served without I/O (first touch of anonymous memory, a
    /// page already in the page cache).
    pub minor_faults: u64,
    /// Page faults that needed I/O.
    pub major_faults: u64,
    /// CPU time in user mode (getrusage; see [`ThreadCounters::cpu`]).
    pub user_cpu: Duration,
    /// CPU time in the kernel on this thread's behalf (getrusage).
    pub system_cpu: Duration,
    /// User + system CPU time from `CLOCK_THREAD_CPUTIME_ID`, to the
    /// nanosecond. Read before getrusage, which makes the kernel bring the
    /// thread's runtime up to date, so `user_cpu`/`system_cpu` are current too
    /// (on their own they can lag by a scheduler tick, 4 ms on our VM).
    pub thread_cpu: Duration,
    /// `read`-family syscalls (read, pread, readv, recvfrom on sockets is not
    /// counted here; sendfile and splice count one each).
    pub syscr: u64,
    /// `write`-family syscalls.
    pub syscw: u64,
    /// Bytes passed to `read`-family syscalls (including page-cache hits).
    pub rchar: u64,
    /// Bytes passed to `write`-family syscalls.
    pub wchar: u64,
    /// `read` calls made to take this snapshot (not counted in `syscr` above,
    /// which the kernel reported before they finished).
    #[serde(skip)]
    pub own_reads: u64,
    /// Bytes read to take this snapshot.
    #[serde(skip)]
    pub own_bytes: u64,
}

impl ThreadCounters {
    /// Reads this thread's counters now. Panics if `/proc` or `getrusage`
    /// is unavailable; use [`ThreadCounters::try_now`] to handle that.
    pub fn now() -> Self {
        Self::try_now().expect("reading this thread's kernel counters")
    }

    /// Reads this thread's counters now.
    pub fn try_now() -> io::Result<Self> {
        imp::thread_counters()
    }

    /// `later − self`. The reads that took `self` happened after the kernel
    /// wrote `self`'s figures, so `later` counts them: they are subtracted.
    pub fn delta(&self, later: &Self) -> Self {
        Self {
            minor_faults: later.minor_faults.saturating_sub(self.minor_faults),
            major_faults: later.major_faults.saturating_sub(self.major_faults),
            user_cpu: later.user_cpu.saturating_sub(self.user_cpu),
            system_cpu: later.system_cpu.saturating_sub(self.system_cpu),
            thread_cpu: later.thread_cpu.saturating_sub(self.thread_cpu),
            syscr: later.syscr.saturating_sub(self.syscr).saturating_sub(self.own_reads),
            syscw: later.syscw.saturating_sub(self.syscw),
            rchar: later.rchar.saturating_sub(self.rchar).saturating_sub(self.own_bytes),
            wchar: later.wchar.saturating_sub(self.wchar),
            own_reads: 0,
            own_bytes: 0,
        }
    }

    /// User + system CPU, from the thread CPU clock (nanosecond resolution).
    pub fn cpu(&self) -> Duration {
        self.thread_cpu
    }
}

/// Runs `f` and returns its result with the change in this thread's counters.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, ThreadCounters) {
    let before = ThreadCounters::now();
    let r = f();
    let after = ThreadCounters::now();
    (r, before.delta(&after))
}

// ANCHOR: thread_cpu
/// This thread's CPU time from `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`:
/// nanosecond resolution, unlike `getrusage`, whose CPU times can advance in
/// scheduler ticks (4 ms steps on this workbook's VM).
#[cfg(unix)]
pub fn thread_cpu_time() -> io::Result<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call,
    // and CLOCK_THREAD_CPUTIME_ID exists on Linux (since 2.6.12) and the BSDs.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}
// ANCHOR_END: thread_cpu

/// This thread's CPU time (Unix only).
#[cfg(not(unix))]
pub fn thread_cpu_time() -> io::Result<Duration> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "the thread CPU clock requires Unix"))
}

/// Process-wide memory figures from `/proc/self/status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProcStatus {
    /// Resident set size, KiB.
    pub vm_rss_kib: u64,
    /// Peak resident set size ("high water mark"), KiB.
    pub vm_hwm_kib: u64,
    /// Virtual size, KiB.
    pub vm_size_kib: u64,
    /// Threads in the process.
    pub threads: u64,
}

impl ProcStatus {
    /// Reads `/proc/self/status`.
    pub fn now() -> io::Result<Self> {
        let text = std::fs::read_to_string("/proc/self/status")?;
        Ok(Self::parse(&text))
    }

    /// Parses the text of a `/proc/<pid>/status` file; missing keys stay 0.
    pub fn parse(text: &str) -> Self {
        let mut s = Self::default();
        for line in text.lines() {
            let Some((key, rest)) = line.split_once(':') else { continue };
            let value = rest.split_whitespace().next().and_then(|v| v.parse().ok());
            let Some(value) = value else { continue };
            match key {
                "VmRSS" => s.vm_rss_kib = value,
                "VmHWM" => s.vm_hwm_kib = value,
                "VmSize" => s.vm_size_kib = value,
                "Threads" => s.threads = value,
                _ => {}
            }
        }
        s
    }
}

/// Number of mappings (lines) in `/proc/self/maps`.
pub fn mapping_count() -> io::Result<usize> {
    Ok(std::fs::read_to_string("/proc/self/maps")?.lines().count())
}

/// True if some mapping in `/proc/self/maps` overlaps `[start, start + len)`.
pub fn is_mapped(start: usize, len: usize) -> io::Result<bool> {
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    let end = start + len;
    Ok(maps.lines().any(|line| {
        let range = line.split_whitespace().next().unwrap_or("");
        let Some((a, b)) = range.split_once('-') else { return false };
        match (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) {
            (Ok(a), Ok(b)) => a < end && start < b,
            _ => false,
        }
    }))
}

/// Parses the text of `/proc/<pid>/io` into (`rchar`, `wchar`, `syscr`, `syscw`).
pub fn parse_proc_io(text: &str) -> (u64, u64, u64, u64) {
    let (mut rchar, mut wchar, mut syscr, mut syscw) = (0, 0, 0, 0);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let Ok(value) = value.trim().parse::<u64>() else { continue };
        match key {
            "rchar" => rchar = value,
            "wchar" => wchar = value,
            "syscr" => syscr = value,
            "syscw" => syscw = value,
            _ => {}
        }
    }
    (rchar, wchar, syscr, syscw)
}

#[cfg(target_os = "linux")]
mod imp {
    use super::{ThreadCounters, parse_proc_io};
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    use std::io::{self, Read};
    use std::time::Duration;

    pub fn thread_counters() -> io::Result<ThreadCounters> {
        // The clock first: reading it updates the runtime getrusage reports.
        let thread_cpu = super::thread_cpu_time()?;
        let usage = getrusage(UsageWho::RUSAGE_THREAD).map_err(io::Error::from)?;
        // A fixed stack buffer and one open/read/close: no heap allocation, so
        // reading the counters never shows up in the counting allocator.
        let mut buf = [0u8; 512];
        let mut file = std::fs::File::open("/proc/thread-self/io")?;
        let (mut len, mut reads) = (0, 0u64);
        loop {
            let n = file.read(&mut buf[len..])?;
            reads += 1;
            len += n;
            if n == 0 || len == buf.len() {
                break;
            }
        }
        let text = std::str::from_utf8(&buf[..len])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let (rchar, wchar, syscr, syscw) = parse_proc_io(text);
        let micros = |tv: nix::sys::time::TimeVal| {
            Duration::from_micros(tv.num_microseconds() as u64)
        };
        Ok(ThreadCounters {
            minor_faults: usage.minor_page_faults() as u64,
            major_faults: usage.major_page_faults() as u64,
            user_cpu: micros(usage.user_time()),
            system_cpu: micros(usage.system_time()),
            thread_cpu,
            syscr,
            syscw,
            rchar,
            wchar,
            own_reads: reads,
            own_bytes: len as u64,
        })
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::ThreadCounters;
    use std::io;

    pub fn thread_counters() -> io::Result<ThreadCounters> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "per-thread counters require Linux (getrusage(RUSAGE_THREAD), /proc/thread-self/io)",
        ))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::hint::black_box;
    use std::io::{Read, Write};

    #[test]
    fn reading_the_counters_costs_nothing() {
        let before = ThreadCounters::now();
        let after = ThreadCounters::now();
        let d = before.delta(&after);
        assert_eq!((d.syscr, d.syscw, d.rchar, d.wchar), (0, 0, 0, 0), "{d:?}");
    }

    #[test]
    fn a_read_loop_is_counted_call_by_call() {
        let dir = std::env::temp_dir().join(format!("pw-os-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("read-loop.bin");
        std::fs::File::create(&path).unwrap().write_all(&vec![7u8; 64 * 1024]).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let mut buf = [0u8; 4096];
        let (total, d) = measure(|| {
            let mut total = 0;
            loop {
                let n = file.read(&mut buf).unwrap();
                if n == 0 {
                    break total;
                }
                total += n;
            }
        });
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(total, 64 * 1024);
        // 16 full reads and the final read that returns 0.
        assert_eq!(d.syscr, 17, "{d:?}");
        assert_eq!(d.rchar, 64 * 1024, "{d:?}");
    }

    #[test]
    fn first_touch_of_fresh_pages_is_one_minor_fault_per_page() {
        // A fresh anonymous mapping (not `vec!`: glibc may hand back a
        // recycled heap chunk that calloc has already zeroed, and touched).
        const LEN: usize = 16 << 20;
        let mut v = memmap2::MmapMut::map_anon(LEN).unwrap();
        let (_, d) = measure(|| {
            for i in (0..LEN).step_by(4096) {
                v[i] = 1;
            }
            black_box(&v);
        });
        let pages = (LEN / 4096) as u64;
        // With transparent huge pages a 2 MiB fault covers 512 pages.
        assert!(d.minor_faults >= pages / 512, "{d:?}");
        assert!(d.minor_faults <= pages + 16, "{d:?}");
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let (_, d) = measure(|| {
            let mut x = 0u64;
            for i in 0..5_000_000u64 {
                x = black_box(x.wrapping_add(i));
            }
            x
        });
        assert!(d.cpu() > Duration::ZERO, "{d:?}");
    }

    #[test]
    fn status_parses_the_fields_we_use() {
        let s = ProcStatus::parse(
            "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nVmSize:\t 9000 kB\nThreads:\t3\n",
        );
        assert_eq!(
            s,
            ProcStatus {
                vm_rss_kib: 1024,
                vm_hwm_kib: 2048,
                vm_size_kib: 9000,
                threads: 3
            }
        );
        let live = ProcStatus::now().unwrap();
        assert!(live.vm_rss_kib > 0 && live.threads >= 1);
    }

    #[test]
    fn a_new_mapping_shows_up_and_goes_away() {
        // binary, heap, stack, vdso, libc …: every process has several.
        assert!(mapping_count().unwrap() > 4);
        let m = memmap2::MmapMut::map_anon(1 << 20).unwrap();
        let addr = m.as_ptr() as usize;
        assert!(is_mapped(addr, 1 << 20).unwrap());
        drop(m);
        assert!(!is_mapped(addr, 1 << 20).unwrap());
    }
}
