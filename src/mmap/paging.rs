//! Demand paging, seen from user space: the shared zero page on reads, a real
//! page on the first write, residency only where touched, prefaulting, and
//! transparent huge pages.
//!
//! For: the experiments behind C004-08 … C004-11, C004-29 … C004-31,
//! C004-38, C004-39 and D68, D69, and the example's tables. Each experiment
//! returns plain numbers (faults, resident KiB, nanoseconds); the checks
//! decide. Not for: allocation strategies across sizes ([`super::sizes`]).
//!
//! Resident memory is `VmRSS` of the whole process, so these experiments
//! assume no other thread allocates meanwhile (the tests serialise them).

use super::buf::{HUGE_PAGE, MapError, MmapBuf};
use super::sizes::touch_pages;
use crate::measure::os::{ProcStatus, ThreadCounters};
use crate::measure::stats;
use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

/// `VmRSS` now, KiB.
pub fn rss_kib() -> io::Result<u64> {
    Ok(ProcStatus::now()?.vm_rss_kib)
}

/// `AnonHugePages` of `/proc/self/smaps_rollup`, KiB (0 where absent).
pub fn anon_huge_kib() -> io::Result<u64> {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup")?;
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("AnonHugePages:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0))
}

/// A number from a `/proc/sys` or `/sys` file, if readable.
pub fn read_sys_number(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Whether a virtio balloon with free page reporting is present (Linux VMs):
/// the guest then hands freed blocks of 2 MiB and more back to the host, and
/// the next first touch of that memory also waits for the host to back it
/// again. `None` when there is no virtio balloon.
pub fn free_page_reporting() -> Option<bool> {
    const VIRTIO_ID_BALLOON: &str = "0x0005";
    const VIRTIO_BALLOON_F_REPORTING: usize = 5;
    let dir = std::fs::read_dir("/sys/bus/virtio/devices").ok()?;
    dir.filter_map(Result::ok).find_map(|d| {
        let id = std::fs::read_to_string(d.path().join("device")).ok()?;
        if id.trim() != VIRTIO_ID_BALLOON {
            return None;
        }
        let bits = std::fs::read_to_string(d.path().join("features")).ok()?;
        Some(bits.as_bytes().get(VIRTIO_BALLOON_F_REPORTING) == Some(&b'1'))
    })
}

/// Reads one byte of every page, without writing.
pub fn read_pages(buf: &[u8]) -> u64 {
    let page = crate::measure::machine::page_size() as usize;
    let mut sum = 0u64;
    for i in (0..buf.len()).step_by(page) {
        // SAFETY: `i < buf.len()`; a volatile read so that every page is
        // really loaded (the compiler could otherwise assume zero-filled
        // memory or fold the loop).
        sum += unsafe { std::ptr::read_volatile(buf.as_ptr().add(i)) } as u64;
    }
    black_box(sum)
}

/// What reading, then writing, every page of a fresh mapping did.
#[derive(Clone, Copy, Debug)]
pub struct ZeroPage {
    /// Bytes mapped.
    pub size: usize,
    /// Faults while reading every page.
    pub read_faults: u64,
    /// Resident growth after the reads, KiB.
    pub read_rss_kib: i64,
    /// Every byte read was zero.
    pub read_zero: bool,
    /// Distinct physical frames behind the first pages read, when
    /// `/proc/self/pagemap` shows frame numbers (it needs `CAP_SYS_ADMIN`).
    pub distinct_frames: Option<usize>,
    /// Pages whose frame was looked up.
    pub frames_sampled: usize,
    /// Faults while then writing every page.
    pub write_faults: u64,
    /// Resident growth after the writes (from before the reads), KiB.
    pub write_rss_kib: i64,
}

// ANCHOR: zero_page
/// Maps `n` bytes, reads every page, then writes every page, measuring
/// faults and resident memory after each pass.
pub fn zero_page_experiment(n: usize) -> Result<ZeroPage, MapError> {
    let mut buf = MmapBuf::new(n)?;
    let rss0 = rss_kib().unwrap_or(0) as i64;
    let c0 = ThreadCounters::now();
    let sum = read_pages(&buf); // read faults map the shared zero page
    let c1 = ThreadCounters::now();
    let rss1 = rss_kib().unwrap_or(0) as i64;
    let (distinct_frames, frames_sampled) = frames_behind(&buf, 4096);
    touch_pages(&mut buf); // write faults allocate a private zeroed page each
    let c2 = ThreadCounters::now();
    let rss2 = rss_kib().unwrap_or(0) as i64;
    Ok(ZeroPage {
        size: n,
        read_faults: c0.delta(&c1).minor_faults,
        read_rss_kib: rss1 - rss0,
        read_zero: sum == 0,
        distinct_frames,
        frames_sampled,
        write_faults: c1.delta(&c2).minor_faults,
        write_rss_kib: rss2 - rss0,
    })
}
// ANCHOR_END: zero_page

/// Distinct page-frame numbers among the first `max_pages` pages of `buf`
/// that are present, from `/proc/self/pagemap` (`None` when the frame numbers
/// are hidden, as they are without `CAP_SYS_ADMIN`).
pub fn frames_behind(buf: &[u8], max_pages: usize) -> (Option<usize>, usize) {
    use std::io::{Read, Seek, SeekFrom};
    let page = crate::measure::machine::page_size() as usize;
    let pages = (buf.len() / page).min(max_pages);
    let Ok(mut f) = std::fs::File::open("/proc/self/pagemap") else { return (None, 0) };
    let first = buf.as_ptr() as usize / page;
    let mut raw = vec![0u8; pages * 8];
    if f.seek(SeekFrom::Start((first * 8) as u64)).is_err()
        || f.read_exact(&mut raw).is_err()
    {
        return (None, 0);
    }
    let mut frames: Vec<u64> = raw
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .filter(|e| e >> 63 == 1) // present
        .map(|e| e & ((1 << 55) - 1))
        .collect();
    let sampled = frames.len();
    if frames.iter().all(|&f| f == 0) {
        return (None, sampled);
    }
    frames.sort_unstable();
    frames.dedup();
    (Some(frames.len()), sampled)
}

/// Allocate a lot, touch a little.
#[derive(Clone, Copy, Debug)]
pub struct DemandPaging {
    /// Bytes mapped.
    pub size: usize,
    /// Bytes touched (from the start).
    pub touched: usize,
    /// Faults while touching.
    pub faults: u64,
    /// Resident growth, KiB.
    pub rss_kib: i64,
}

/// Allocates `size` bytes with `vec![0u8; size]` (`via_vec`) or [`MmapBuf`],
/// writes one byte per page in the first `touched` bytes, and measures.
pub fn demand_paging(
    size: usize,
    touched: usize,
    via_vec: bool,
) -> Result<DemandPaging, MapError> {
    let rss0 = rss_kib().unwrap_or(0) as i64;
    let mut v;
    let mut m;
    let buf: &mut [u8] = if via_vec {
        v = vec![0u8; size];
        &mut v
    } else {
        m = MmapBuf::new(size)?;
        &mut m
    };
    let c0 = ThreadCounters::now();
    touch_pages(&mut buf[..touched]);
    let c1 = ThreadCounters::now();
    let rss1 = rss_kib().unwrap_or(0) as i64;
    Ok(DemandPaging {
        size,
        touched,
        faults: c0.delta(&c1).minor_faults,
        rss_kib: rss1 - rss0,
    })
}

/// Prefaulting compared with demand faults, one buffer size.
#[derive(Clone, Debug)]
pub struct Prefault {
    /// Bytes.
    pub size: usize,
    /// Rounds (each runs every variant once, in turn).
    pub rounds: usize,
    /// Demand faults: map, then write one byte per page (ns per round).
    pub demand_ns: Vec<f64>,
    /// `MAP_POPULATE` map, then the same writes (ns per round).
    pub map_populate_ns: Vec<f64>,
    /// Map + `MADV_POPULATE_WRITE`, then the same writes (ns per round);
    /// empty when the kernel lacks it.
    pub populate_write_ns: Vec<f64>,
    /// Faults during the writes after `MAP_POPULATE` (last round).
    pub faults_after_map_populate: u64,
    /// Faults during the writes after `MADV_POPULATE_WRITE` (last round).
    pub faults_after_populate_write: Option<u64>,
    /// Faults of the demand variant (last round).
    pub demand_faults: u64,
}

impl Prefault {
    /// Demand time / `MAP_POPULATE` time (medians): > 1 means populate is faster.
    pub fn map_populate_speedup(&self) -> f64 {
        stats::ratio_of_medians(&self.demand_ns, &self.map_populate_ns).unwrap_or(0.0)
    }

    /// Demand time / `MADV_POPULATE_WRITE` time (medians).
    pub fn populate_write_speedup(&self) -> Option<f64> {
        stats::ratio_of_medians(&self.demand_ns, &self.populate_write_ns)
    }
}

// ANCHOR: prefault
/// Maps `n` bytes and makes every page writable-resident three ways, rounds
/// interleaved (demand, MAP_POPULATE, MADV_POPULATE_WRITE, demand, …). Each
/// variant ends with the same write loop, so all three end in the same state.
#[cfg(target_os = "linux")]
pub fn prefault_experiment(n: usize, rounds: usize) -> Result<Prefault, MapError> {
    let mut p = Prefault {
        size: n,
        rounds,
        demand_ns: vec![],
        map_populate_ns: vec![],
        populate_write_ns: vec![],
        faults_after_map_populate: 0,
        faults_after_populate_write: None,
        demand_faults: 0,
    };
    let mut populate_write_works = true;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut m = MmapBuf::new(n)?;
        let (_, c) = crate::measure::os::measure(|| touch_pages(&mut m));
        p.demand_ns.push(t.elapsed().as_nanos() as f64);
        p.demand_faults = c.minor_faults;
        drop(m);

        let t = Instant::now();
        let mut m = MmapBuf::populated(n)?;
        let (_, c) = crate::measure::os::measure(|| touch_pages(&mut m));
        p.map_populate_ns.push(t.elapsed().as_nanos() as f64);
        p.faults_after_map_populate = c.minor_faults;
        drop(m);

        if populate_write_works {
            let t = Instant::now();
            let mut m = MmapBuf::new(n)?;
            if m.populate_write().is_err() {
                populate_write_works = false; // kernel < 5.14
                continue;
            }
            let (_, c) = crate::measure::os::measure(|| touch_pages(&mut m));
            p.populate_write_ns.push(t.elapsed().as_nanos() as f64);
            p.faults_after_populate_write = Some(c.minor_faults);
        }
    }
    Ok(p)
}
// ANCHOR_END: prefault

/// First touch with 4 KiB pages against transparent huge pages.
#[derive(Clone, Debug)]
pub struct HugePages {
    /// Bytes.
    pub size: usize,
    /// Faults touching every page, plain mapping.
    pub small_faults: u64,
    /// Faults touching every page after `MADV_HUGEPAGE`.
    pub huge_faults: u64,
    /// Growth of `AnonHugePages` while the huge-page mapping was touched, KiB.
    pub anon_huge_kib: i64,
    /// Writes the touch loop made (one per base page) on the huge mapping.
    pub huge_writes: usize,
    /// Touch times, plain mapping (ns, one per round).
    pub small_touch_ns: Vec<f64>,
    /// Touch times, huge-page mapping (ns, one per round).
    pub huge_touch_ns: Vec<f64>,
    /// Whether the mapping started on a 2 MiB boundary.
    pub aligned: bool,
}

impl HugePages {
    /// 4 KiB touch time / huge-page touch time (medians).
    pub fn touch_speedup(&self) -> f64 {
        stats::ratio_of_medians(&self.small_touch_ns, &self.huge_touch_ns).unwrap_or(0.0)
    }
}

// ANCHOR: thp
/// Touches `n` bytes with and without `MADV_HUGEPAGE`, rounds interleaved.
#[cfg(target_os = "linux")]
pub fn huge_page_experiment(n: usize, rounds: usize) -> Result<HugePages, MapError> {
    let mut h = HugePages {
        size: n,
        small_faults: 0,
        huge_faults: 0,
        anon_huge_kib: 0,
        huge_writes: 0,
        small_touch_ns: vec![],
        huge_touch_ns: vec![],
        aligned: false,
    };
    for _ in 0..rounds.max(1) {
        let mut small = MmapBuf::new(n)?;
        let t = Instant::now();
        let (_, c) = crate::measure::os::measure(|| touch_pages(&mut small));
        h.small_touch_ns.push(t.elapsed().as_nanos() as f64);
        h.small_faults = c.minor_faults;
        drop(small);

        let mut huge = MmapBuf::new(n)?;
        huge.advise_huge_pages()?;
        h.aligned = huge.as_ptr() as usize % HUGE_PAGE == 0;
        let ahp0 = anon_huge_kib().unwrap_or(0) as i64;
        let t = Instant::now();
        let (writes, c) = crate::measure::os::measure(|| touch_pages(&mut huge));
        h.huge_touch_ns.push(t.elapsed().as_nanos() as f64);
        h.huge_faults = c.minor_faults;
        h.huge_writes = writes;
        h.anon_huge_kib = anon_huge_kib().unwrap_or(0) as i64 - ahp0;
    }
    Ok(h)
}
// ANCHOR_END: thp

/// Random reads over a resident region, 4 KiB pages against huge pages:
/// ns per read, one figure per round for each. Both mappings are made and
/// touched once; the rounds then alternate between them.
#[cfg(target_os = "linux")]
pub fn random_access_ns(
    n: usize,
    reads: usize,
    rounds: usize,
) -> Result<(Vec<f64>, Vec<f64>), MapError> {
    let mut small = MmapBuf::new(n)?;
    small.advise_no_huge_pages()?;
    touch_pages(&mut small);
    let mut huge = MmapBuf::new(n)?;
    huge.advise_huge_pages()?;
    touch_pages(&mut huge);
    let read = |m: &MmapBuf| {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let t = Instant::now();
        let mut sum = 0u64;
        for _ in 0..reads {
            // xorshift: a cheap, dependency-free pseudo-random index.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sum = sum.wrapping_add(m[x as usize % n] as u64);
        }
        black_box(sum);
        t.elapsed().as_nanos() as f64 / reads as f64
    };
    let (mut a, mut b) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds.max(1) {
        a.push(read(&small));
        b.push(read(&huge));
    }
    Ok((a, b))
}

/// The outcome of `MAP_HUGETLB` for one 2 MiB huge page.
#[derive(Debug)]
pub struct HugeTlb {
    /// `/proc/sys/vm/nr_hugepages`.
    pub reserved: Option<u64>,
    /// The mapping's error, or `None` when it worked.
    pub error: Option<MapError>,
    /// Faults touching it when it worked.
    pub faults: u64,
}

/// Tries `MAP_HUGETLB` for one huge page and touches it if that worked.
#[cfg(target_os = "linux")]
pub fn hugetlb_experiment() -> HugeTlb {
    use super::buf::MapOptions;
    let reserved = read_sys_number("/proc/sys/vm/nr_hugepages");
    let opts = MapOptions { hugetlb: true, ..Default::default() };
    match MmapBuf::with_options(HUGE_PAGE, opts) {
        Err(e) => HugeTlb { reserved, error: Some(e), faults: 0 },
        Ok(mut m) => {
            let (_, c) = crate::measure::os::measure(|| touch_pages(&mut m));
            HugeTlb { reserved, error: None, faults: c.minor_faults }
        }
    }
}

/// Bounds for the faults of a first touch of `n` bytes: one per 2 MiB (all
/// huge pages) to one per base page, plus `slack`.
pub fn fault_bounds(n: usize, slack: u64) -> (u64, u64) {
    let page = crate::measure::machine::page_size() as usize;
    ((n / HUGE_PAGE) as u64, n.div_ceil(page) as u64 + slack)
}

/// A duration in nanoseconds, for evidence.
pub fn ns(d: Duration) -> f64 {
    d.as_nanos() as f64
}
