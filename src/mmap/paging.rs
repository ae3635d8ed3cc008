//! Demand paging, seen from user space: the shared zero page on reads, a real
//! page on the first write, residency only where touched, prefaulting, and
//! transparent huge pages.
//!
//! For: the experiments behind C004-08 … C004-11, C004-30, C004-31,
//! C004-38, C004-39 and D68, D69 (through [`super::figures`]). Each
//! experiment returns plain numbers (faults, pages, nanoseconds); the rules
//! decide. Not for: allocation strategies across sizes ([`super::sizes`]).
//!
//! Faults are this thread's (`getrusage`), and residency is that of the
//! experiment's own mapping ([`super::residency`]), so an experiment measures
//! only what it owns and other threads cannot disturb it.

use super::buf::{HUGE_PAGE, MapError, MmapBuf};
use super::residency::{self, PageMap};
use super::seed_port::seed_prewarm;
use super::sizes::touch_pages;
use crate::measure::os::ThreadCounters;
use crate::measure::procfs;
use crate::measure::rng::SplitMix64;
use crate::measure::stats;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// `AnonHugePages` of `/proc/self/smaps_rollup`, KiB (0 where absent). It is
/// process-wide: for the example and the checks, which run one at a time,
/// not for tests.
pub fn anon_huge_kib() -> u64 {
    std::fs::read_to_string("/proc/self/smaps_rollup")
        .ok()
        .and_then(|text| procfs::kib_field(&text, "AnonHugePages"))
        .unwrap_or(0)
}

/// `AnonHugePages` of the one mapping that contains `addr`, KiB, from
/// `/proc/self/smaps`: how much of that mapping the kernel backs with huge
/// pages right now. Unlike [`anon_huge_kib`], other threads' mappings do not
/// count. `None` when no mapping contains `addr` or smaps is unreadable.
pub fn mapping_anon_huge_kib(addr: usize) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in text.lines() {
        let head = line.split_whitespace().next().unwrap_or("");
        if let Some((a, b)) = head.split_once('-')
            && let (Ok(a), Ok(b)) =
                (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
        {
            inside = (a..b).contains(&addr);
            continue;
        }
        if inside && let Some(kib) = procfs::kib_field(line, "AnonHugePages") {
            return Some(kib);
        }
    }
    None
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
    /// Every byte read was zero.
    pub read_zero: bool,
    /// The mapping's pages after the reads (present; private to us).
    pub after_reads: PageMap,
    /// Distinct physical frames behind the first pages read; `None` when
    /// `/proc/self/pagemap` hides frame numbers (it shows them only to
    /// `CAP_SYS_ADMIN`).
    pub distinct_frames: Option<usize>,
    /// Present pages whose frame was looked up.
    pub frames_sampled: usize,
    /// Faults while then writing every page.
    pub write_faults: u64,
    /// The mapping's pages after the writes.
    pub after_writes: PageMap,
}

// ANCHOR: zero_page
/// Maps `n` bytes (4 KiB pages only), reads every page, then writes every
/// page, counting this thread's faults and the mapping's own pages after
/// each pass.
pub fn zero_page_experiment(n: usize) -> Result<ZeroPage, MapError> {
    let mut buf = MmapBuf::new(n)?;
    #[cfg(target_os = "linux")]
    buf.advise_no_huge_pages()?; // one zero page, not the huge zero page
    let pagemap = |buf: &MmapBuf| {
        residency::page_map(buf).map_err(|e| MapError::io("/proc/self/pagemap", n, e))
    };
    let c0 = ThreadCounters::now();
    let sum = read_pages(&buf); // read faults map the shared zero page
    let c1 = ThreadCounters::now();
    let after_reads = pagemap(&buf)?;
    let (distinct_frames, frames_sampled) = residency::distinct_frames(&buf, 4096)
        .map_err(|e| MapError::io("/proc/self/pagemap", n, e))?;
    let c2 = ThreadCounters::now();
    touch_pages(&mut buf); // write faults allocate a private zeroed page each
    let c3 = ThreadCounters::now();
    Ok(ZeroPage {
        size: n,
        read_faults: c0.delta(&c1).minor_faults,
        read_zero: sum == 0,
        after_reads,
        distinct_frames,
        frames_sampled,
        write_faults: c2.delta(&c3).minor_faults,
        after_writes: pagemap(&buf)?,
    })
}
// ANCHOR_END: zero_page

/// A fresh 1 GiB-class buffer, allocated and left untouched.
#[derive(Clone, Copy, Debug)]
pub struct Untouched {
    /// Bytes allocated.
    pub size: usize,
    /// Faults during the allocation.
    pub faults: u64,
    /// Resident pages of the buffer afterwards (`mincore`).
    pub resident_pages: usize,
}

/// Allocates `n` bytes with `vec![0u8; n]` (`via_vec`) or [`MmapBuf::new`],
/// touches nothing, and counts faults and the buffer's resident pages.
pub fn untouched(n: usize, via_vec: bool) -> Result<Untouched, MapError> {
    let resident = |b: &[u8]| {
        residency::resident_pages(b).map_err(|e| MapError::io("mincore", n, e))
    };
    let c0 = ThreadCounters::now();
    let (faults, resident_pages) = if via_vec {
        let v = black_box(vec![0u8; black_box(n)]);
        let faults = c0.delta(&ThreadCounters::now()).minor_faults;
        (faults, resident(&v)?)
    } else {
        let m = MmapBuf::new(n)?;
        let faults = c0.delta(&ThreadCounters::now()).minor_faults;
        (faults, resident(&m)?)
    };
    Ok(Untouched { size: n, faults, resident_pages })
}

/// Allocate a lot, touch a little.
#[derive(Clone, Copy, Debug)]
pub struct DemandPaging {
    /// Bytes allocated.
    pub size: usize,
    /// Bytes touched (from the start).
    pub touched: usize,
    /// Allocated with `vec![0u8; size]` (else [`MmapBuf::new`]).
    pub via_vec: bool,
    /// Faults while touching.
    pub faults: u64,
    /// Resident pages of the whole buffer afterwards (`mincore`).
    pub resident_pages: usize,
}

/// Allocates `size` bytes with `vec![0u8; size]` (`via_vec`) or [`MmapBuf`],
/// writes one byte per page in the first `touched` bytes, and counts the
/// faults and the buffer's resident pages.
pub fn demand_paging(
    size: usize,
    touched: usize,
    via_vec: bool,
) -> Result<DemandPaging, MapError> {
    let mut v;
    let mut m;
    let buf: &mut [u8] = if via_vec {
        v = vec![0u8; black_box(size)];
        &mut v
    } else {
        m = MmapBuf::new(size)?;
        &mut m
    };
    let c0 = ThreadCounters::now();
    touch_pages(&mut buf[..touched]);
    let c1 = ThreadCounters::now();
    let resident_pages =
        residency::resident_pages(buf).map_err(|e| MapError::io("mincore", size, e))?;
    Ok(DemandPaging {
        size,
        touched,
        via_vec,
        faults: c0.delta(&c1).minor_faults,
        resident_pages,
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
    /// `AnonHugePages` of the huge-page mapping once touched, KiB: how much
    /// of it the kernel could back with huge pages (less when memory is short
    /// or fragmented).
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
        h.aligned = (huge.as_ptr() as usize).is_multiple_of(HUGE_PAGE);
        let t = Instant::now();
        let (writes, c) = crate::measure::os::measure(|| touch_pages(&mut huge));
        h.huge_touch_ns.push(t.elapsed().as_nanos() as f64);
        h.huge_faults = c.minor_faults;
        h.huge_writes = writes;
        h.anon_huge_kib =
            mapping_anon_huge_kib(huge.as_ptr() as usize).unwrap_or(0) as i64;
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
        let mut rng = SplitMix64::new(0x5EED);
        let t = Instant::now();
        let mut sum = 0u64;
        for _ in 0..reads {
            sum = sum.wrapping_add(m[rng.below(n)] as u64);
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

/// Random reads at a chosen memory-level parallelism, 4 KiB pages against
/// transparent huge pages: the TLB's part of a random read.
#[derive(Clone, Debug)]
pub struct TlbReads {
    /// Bytes of each mapping.
    pub size: usize,
    /// Chains read in turn (loads in flight).
    pub chains: usize,
    /// Loads per round.
    pub loads: usize,
    /// ns per load, 4 KiB pages, one per round.
    pub small_ns: Vec<f64>,
    /// ns per load, `MADV_HUGEPAGE`, one per round.
    pub huge_ns: Vec<f64>,
    /// ns per load with one chain (no overlap), 4 KiB pages, one per round.
    pub small_one_ns: Vec<f64>,
    /// The same with huge pages.
    pub huge_one_ns: Vec<f64>,
    /// Growth of `AnonHugePages` while the huge-page mapping was filled, KiB.
    pub anon_huge_kib: i64,
}

impl TlbReads {
    /// 4 KiB time ÷ huge-page time, round by round, at `chains`-way parallelism.
    pub fn ratios(&self) -> Vec<f64> {
        self.small_ns.iter().zip(&self.huge_ns).map(|(s, h)| s / h).collect()
    }
}

// ANCHOR: tlb
/// Writes one random cycle through the 64-byte lines of `buf`: the first
/// word of line `order[k]` holds the index of line `order[k + 1]`.
pub fn line_cycle(buf: &mut [u8], order: &[u32]) {
    let words: &mut [u64] = bytemuck_words(buf);
    for k in 0..order.len() {
        let next = order[(k + 1) % order.len()];
        words[order[k] as usize * 8] = u64::from(next);
    }
}

/// `buf` as 64-bit words (its start is page-aligned, its length a multiple of 8).
fn bytemuck_words(buf: &mut [u8]) -> &mut [u64] {
    assert!((buf.as_ptr() as usize).is_multiple_of(8) && buf.len().is_multiple_of(8));
    // SAFETY: the pointer is 8-byte aligned and the length a multiple of 8
    // (checked above); every bit pattern is a valid u64; the borrow of `buf`
    // is carried into the result, so nothing else touches the bytes.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast(), buf.len() / 8) }
}

/// Follows `K` chains through the line cycle of `buf` ([`line_cycle`]),
/// `steps` loads each, in turn; returns the lines reached.
pub fn chase_lines<const K: usize>(
    buf: &[u8],
    starts: &[u32; K],
    steps: usize,
) -> [usize; K] {
    assert!((buf.as_ptr() as usize).is_multiple_of(8) && buf.len().is_multiple_of(8));
    // SAFETY: as in `bytemuck_words`, read-only.
    let words: &[u64] =
        unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), buf.len() / 8) };
    let mut at = starts.map(|s| s as usize);
    for _ in 0..steps {
        for a in at.iter_mut() {
            *a = words[*a * 8] as usize;
        }
    }
    black_box(at)
}

/// [`chase_lines`], timed: ns per load.
fn chase_ns<const K: usize>(buf: &[u8], starts: &[u32; K], steps: usize) -> f64 {
    let t = Instant::now();
    chase_lines(buf, starts, steps);
    t.elapsed().as_nanos() as f64 / (K * steps) as f64
}

/// Chains through one random cycle of every 64-byte line of an `n`-byte
/// mapping with 4 KiB pages and of one with `MADV_HUGEPAGE`, 32 chains in
/// turn (32 loads in flight) and one, `rounds` rounds interleaved.
#[cfg(target_os = "linux")]
pub fn tlb_experiment(n: usize, rounds: usize) -> Result<TlbReads, MapError> {
    const CHAINS: usize = 32;
    let lines = n / 64;
    let mut order: Vec<u32> = (0..lines as u32).collect();
    SplitMix64::new(0x71B).shuffle(&mut order);
    let mut small = MmapBuf::new(n)?;
    small.advise_no_huge_pages()?;
    line_cycle(&mut small, &order);
    let mut huge = MmapBuf::new(n)?;
    huge.advise_huge_pages()?;
    let ahp0 = anon_huge_kib() as i64;
    line_cycle(&mut huge, &order);
    let anon_huge_kib = anon_huge_kib() as i64 - ahp0;
    let starts: [u32; CHAINS] = std::array::from_fn(|j| order[j * lines / CHAINS]);
    let steps = lines / CHAINS;
    let mut r = TlbReads {
        size: n,
        chains: CHAINS,
        loads: CHAINS * steps,
        small_ns: vec![],
        huge_ns: vec![],
        small_one_ns: vec![],
        huge_one_ns: vec![],
        anon_huge_kib,
    };
    for _ in 0..rounds.max(1) {
        r.small_ns.push(chase_ns(&small, &starts, steps));
        r.huge_ns.push(chase_ns(&huge, &starts, steps));
        r.small_one_ns.push(chase_ns(&small, &[starts[0]], steps));
        r.huge_one_ns.push(chase_ns(&huge, &[starts[0]], steps));
    }
    Ok(r)
}
// ANCHOR_END: tlb

/// A first-touch fault split into zeroing the page and the rest.
#[derive(Clone, Debug)]
pub struct FaultSplit {
    /// Bytes of each mapping.
    pub size: usize,
    /// Faults of the first touch (last round).
    pub faults: u64,
    /// First touch of a fresh mapping, one write per page: ns per page, per round.
    pub fault_ns: Vec<f64>,
    /// `memset` of each 4 KiB page of the same mapping, now resident: ns per
    /// page, per round.
    pub memset_ns: Vec<f64>,
}

impl FaultSplit {
    /// Median fault cost minus median zeroing cost, ns per page.
    pub fn rest_ns(&self) -> f64 {
        stats::median(&self.fault_ns).unwrap_or(f64::NAN)
            - stats::median(&self.memset_ns).unwrap_or(f64::NAN)
    }
}

// ANCHOR: fault_split
/// Maps `n` bytes (4 KiB pages), writes one byte per page (each write a
/// fault: the kernel takes a page, zeroes it, maps it), then `memset`s every
/// 4 KiB page of the now-resident mapping (the zeroing alone, done the way
/// the kernel does it, a page at a time). `rounds` rounds, a fresh mapping
/// each.
#[cfg(target_os = "linux")]
pub fn fault_split_experiment(n: usize, rounds: usize) -> Result<FaultSplit, MapError> {
    let page = crate::measure::machine::page_size() as usize;
    let pages = (n / page) as f64;
    let mut s = FaultSplit { size: n, faults: 0, fault_ns: vec![], memset_ns: vec![] };
    for _ in 0..rounds.max(1) {
        let mut m = MmapBuf::new(n)?;
        m.advise_no_huge_pages()?;
        let t = Instant::now();
        let (_, c) = crate::measure::os::measure(|| touch_pages(&mut m));
        s.fault_ns.push(t.elapsed().as_nanos() as f64 / pages);
        s.faults = c.minor_faults;
        let t = Instant::now();
        for chunk in m.chunks_mut(page) {
            // black_box: a memset of memory nobody reads could be dropped.
            black_box(chunk).fill(0);
        }
        s.memset_ns.push(t.elapsed().as_nanos() as f64 / pages);
        black_box(&mut *m);
    }
    Ok(s)
}
// ANCHOR_END: fault_split

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
    let reserved = procfs::read_sys_number("/proc/sys/vm/nr_hugepages");
    let opts = MapOptions { hugetlb: true, ..Default::default() };
    match MmapBuf::with_options(HUGE_PAGE, opts) {
        Err(e) => HugeTlb { reserved, error: Some(e), faults: 0 },
        Ok(mut m) => {
            let (_, c) = crate::measure::os::measure(|| touch_pages(&mut m));
            HugeTlb { reserved, error: None, faults: c.minor_faults }
        }
    }
}

/// The seed's pre-warm loop ([`seed_prewarm`]) on a fresh mapping, then a
/// second pass over the same pages.
#[derive(Clone, Copy, Debug)]
pub struct Prewarm {
    /// Bytes mapped.
    pub size: usize,
    /// The mapping asked for transparent huge pages.
    pub huge: bool,
    /// Writes the loop made (one per 4096 bytes).
    pub writes: usize,
    /// Faults they caused.
    pub faults: u64,
    /// Faults of a second write to every page afterwards.
    pub later_faults: u64,
}

// ANCHOR: prewarm
/// Maps `n` bytes (with `MADV_HUGEPAGE` when `huge`), runs the seed's
/// pre-warm loop over it, then writes every page again.
pub fn prewarm_experiment(n: usize, huge: bool) -> Result<Prewarm, MapError> {
    let mut m = MmapBuf::new(n)?;
    #[cfg(target_os = "linux")]
    if huge {
        m.advise_huge_pages()?;
    } else {
        m.advise_no_huge_pages()?;
    }
    let (writes, first) = crate::measure::os::measure(|| seed_prewarm(&mut m));
    let (_, later) = crate::measure::os::measure(|| touch_pages(&mut m));
    Ok(Prewarm {
        size: n,
        huge,
        writes,
        faults: first.minor_faults,
        later_faults: later.minor_faults,
    })
}
// ANCHOR_END: prewarm

/// The host behind a virtual machine, probed: the first touch of `size`
/// bytes of fresh huge-page memory, then the same again at once.
#[derive(Clone, Copy, Debug)]
pub struct HostProbe {
    /// Bytes touched each time.
    pub size: usize,
    /// The first touch.
    pub fresh: Duration,
    /// The touch right after, reusing the pages just freed.
    pub again: Duration,
}

/// Maps `n` bytes with `MADV_HUGEPAGE`, touches every page, unmaps, twice.
///
/// The pair shows the state of the host behind a virtual machine: the first
/// touch of guest memory the host has not backed (or has taken back) also
/// waits for the host, several milliseconds per 2 MiB page; the second,
/// reusing the pages just freed, does not. With a balloon that reports free
/// pages (see [`free_page_reporting`]), memory freed for more than a few
/// seconds goes back to the host and is cold again, so warming it up long
/// before a timing does not help: the timings of this chapter interleave
/// their variants instead, so each reuses memory the previous one has just
/// freed.
pub fn host_probe(n: usize) -> Result<HostProbe, MapError> {
    let touch = || -> Result<Duration, MapError> {
        let mut m = MmapBuf::new(n)?;
        #[cfg(target_os = "linux")]
        m.advise_huge_pages()?;
        let t = Instant::now();
        touch_pages(&mut m);
        Ok(t.elapsed())
    };
    let fresh = touch()?;
    Ok(HostProbe { size: n, fresh, again: touch()? })
}

/// Handing a mapping's pages back with `MADV_DONTNEED` (C004-33).
#[derive(Clone, Copy, Debug)]
pub struct Discard {
    /// Bytes mapped.
    pub size: usize,
    /// Resident pages of the mapping after writing every page.
    pub resident_before: usize,
    /// Resident pages after `MADV_DONTNEED`.
    pub resident_after: usize,
    /// The range is still mapped afterwards.
    pub still_mapped: bool,
    /// The first and last bytes read zero afterwards.
    pub reads_zero: bool,
}

/// Writes every page of a fresh `n`-byte mapping, then discards them.
#[cfg(target_os = "linux")]
pub fn discard_experiment(n: usize) -> Result<Discard, MapError> {
    let resident = |m: &MmapBuf| {
        residency::resident_pages(m).map_err(|e| MapError::io("mincore", n, e))
    };
    let mut m = MmapBuf::new(n)?;
    touch_pages(&mut m);
    let resident_before = resident(&m)?;
    m.discard()?;
    let resident_after = resident(&m)?;
    let still_mapped = crate::measure::os::is_mapped(m.as_ptr() as usize, n)
        .map_err(|e| MapError::io("/proc/self/maps", n, e))?;
    Ok(Discard {
        size: n,
        resident_before,
        resident_after,
        still_mapped,
        reads_zero: m[0] == 0 && m[n - 1] == 0,
    })
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
