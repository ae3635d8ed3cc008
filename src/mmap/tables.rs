//! What `examples/mmap.rs` prints: one function per `--table`, each laying
//! out figures of [`super::figures`] (so the claim table, which reads the
//! same figures, shows the same numbers).
//!
//! Not for: measuring (see [`super::figures`]) or deciding (see `checks/`).

use super::figures::{self, MIB};
use super::sizes::{Cost, SEED_BEFORE_MS, SEED_SIZES, Strategy};
use crate::claims::{CheckError, Ctx};
use crate::measure::{machine, procfs, stats};
use crate::table::{
    Align, Table, Unit, format_bytes, format_nanos, format_ratio, format_value,
    group_thousands,
};
use std::path::Path;
use std::time::Duration;

type Tables = Result<Vec<Table>, CheckError>;

fn ns(d: Duration) -> String {
    format_nanos(d.as_nanos() as f64)
}

fn bytes(n: usize) -> String {
    format_bytes(n as f64)
}

fn count(n: impl Into<u64>) -> String {
    group_thousands(n.into() as i64)
}

fn pages_as_bytes(pages: usize) -> String {
    bytes(pages * machine::page_size() as usize)
}

fn median(v: &[f64]) -> String {
    stats::median(v).map_or_else(|| "n/a".into(), format_nanos)
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The settings every timing depends on, and the host's state: a huge-page
/// touch of fresh memory, then the same again at once.
pub fn conditions(ctx: &Ctx) -> Tables {
    let sys = |p: &str| procfs::read_sys_string(p).unwrap_or_else(|| "n/a".into());
    let mut t = Table::new(["setting", "value"]).align(1, Align::Left);
    t.row(["THP enabled", &machine::thp_mode().unwrap_or_else(|| "n/a".into())]);
    let defrag = sys("/sys/kernel/mm/transparent_hugepage/defrag");
    t.row(["THP defrag", &machine::parse_bracketed(&defrag).unwrap_or(defrag)]);
    t.row(["vm.nr_hugepages", &sys("/proc/sys/vm/nr_hugepages")]);
    t.row(["vm.overcommit_memory", &sys("/proc/sys/vm/overcommit_memory")]);
    let reporting = match super::paging::free_page_reporting() {
        Some(true) => "on",
        Some(false) => "off",
        None => "no balloon",
    };
    t.row(["balloon free page reporting", reporting]);
    let h = figures::host(ctx)?;
    let per = |d: Duration| {
        format_nanos(d.as_nanos() as f64 / (h.size / (2 * MIB)) as f64) + " per 2 MiB"
    };
    let size = bytes(h.size);
    t.row([format!("huge-page touch of {size}, fresh memory"), per(h.fresh)]);
    t.row([format!("huge-page touch of {size}, at once again"), per(h.again)]);
    t.note(
        "A large gap between the last two rows means the host backs guest memory lazily.",
    );
    Ok(vec![t])
}

fn memory_from(c: &Cost) -> &'static str {
    match (c.strategy, c.own_mapping) {
        (Strategy::Mmap | Strategy::MmapPopulate | Strategy::MmapThp, _) => "mmap",
        (_, true) => "glibc: own mmap",
        (_, false) => "glibc: heap chunk",
    }
}

/// Every strategy at every size, and the seed's `make()` timings beside
/// `vec![0u8; n]`.
pub fn sizes(ctx: &Ctx) -> Tables {
    let costs = figures::sizes(ctx)?;
    let header = [
        "size",
        "strategy",
        "alloc",
        "faults",
        "touch",
        "faults",
        "total",
        "free",
        "memory from",
    ];
    let mut t = Table::new(header).align(1, Align::Left).align(8, Align::Left);
    for (i, c) in costs.iter().enumerate() {
        if i > 0 && costs[i - 1].size != c.size {
            t.row([""]);
        }
        t.row([
            bytes(c.size),
            c.strategy.label().into(),
            ns(c.alloc),
            count(c.alloc_faults),
            ns(c.touch),
            count(c.touch_faults),
            ns(c.total()),
            ns(c.free),
            memory_from(c).into(),
        ]);
    }
    t.note(format!(
        "median of {} interleaved rounds per size by total; touch = one write per page; \
         free is not part of total",
        ctx.pick("3 (1 from 100 MiB up)", "2")
    ));
    let mut seed = Table::new([
        "size",
        "seed make",
        "vec![0] alloc",
        "vec![0] alloc+touch",
        "seed / alloc",
    ]);
    for (n, seed_ms) in SEED_SIZES.iter().zip(SEED_BEFORE_MS) {
        let Ok(c) = figures::cost(ctx, Strategy::VecZeroed, *n) else { continue };
        let alloc = c.alloc.as_nanos() as f64;
        seed.row([
            bytes(*n),
            format_nanos(seed_ms * 1e6),
            format_nanos(alloc),
            ns(c.total()),
            format_ratio(seed_ms * 1e6 / alloc.max(1.0)),
        ]);
    }
    seed.note(
        "the seed's make() timings (seed 004 L27-35) beside vec![0u8; n] (C004-07)",
    );
    Ok(vec![t, seed])
}

/// What the first-touch plot shows, in numbers; writes the SVG to `path`
/// when one is given.
pub fn plot(ctx: &Ctx, path: Option<&Path>) -> Tables {
    let costs = figures::sizes(ctx)?;
    let (lo, hi) = (SEED_SIZES[0], figures::largest_size(ctx)?);
    let mut t = Table::new([
        "strategy".to_string(),
        format!("total at {}", bytes(lo)),
        format!("total at {}", bytes(hi)),
        "growth".into(),
    ]);
    for s in Strategy::ALL {
        let (a, b) = (figures::cost(ctx, s, lo)?, figures::cost(ctx, s, hi)?);
        let growth = b.total().as_nanos() as f64 / a.total().as_nanos().max(1) as f64;
        t.row([s.label().into(), ns(a.total()), ns(b.total()), format_ratio(growth)]);
    }
    t.note(format!("size grows {}×; the plot is log-log", hi / lo));
    match path {
        Some(p) => {
            let m = machine::MachineInfo::collect();
            let caption = format!(
                "cargo run --release --example mmap -- --table plot --plot · {} · {} · THP {} · {}",
                m.cpu_model, m.kernel, m.thp, m.profile
            );
            std::fs::write(p, super::plot::render_svg(costs, &caption))
                .map_err(|e| CheckError(format!("{}: {e}", p.display())))?;
            t.note(format!("plot written to {}", p.display()));
        }
        None => {
            t.note("add --plot PATH to write the plot (SVG)");
        }
    }
    Ok(vec![t])
}

/// Lazy allocation, the zero page, and demand paging.
pub fn paging(ctx: &Ctx) -> Tables {
    let mut lazy = Table::new(["1 GiB, untouched", "faults", "resident"]);
    for (name, u) in
        ["vec![0u8; n]", "MmapBuf::new(n)"].iter().zip(figures::untouched(ctx)?)
    {
        lazy.row([name.to_string(), count(u.faults), pages_as_bytes(u.resident_pages)]);
    }
    let z = figures::zero_page(ctx)?;
    let mut zero = Table::new(["pass", "faults", "present", "private", "all zero"]);
    zero.row([
        "read".into(),
        count(z.read_faults),
        pages_as_bytes(z.after_reads.present),
        pages_as_bytes(z.after_reads.private),
        yes(z.read_zero).into(),
    ]);
    zero.row([
        "then write".into(),
        count(z.write_faults),
        pages_as_bytes(z.after_writes.present),
        pages_as_bytes(z.after_writes.private),
        String::new(),
    ]);
    zero.note(format!(
        "a fresh {} mapping (4 KiB pages); present and private pages of that mapping, \
         from /proc/self/pagemap",
        bytes(z.size)
    ));
    zero.note(match z.distinct_frames {
        Some(d) => format!("physical frames behind the first {} pages read: {d}", z.frames_sampled),
        None => "physical frames: hidden (/proc/self/pagemap shows them only to CAP_SYS_ADMIN)"
            .into(),
    });
    let mut demand = Table::new(["allocation", "touched", "faults", "resident"]);
    for d in figures::demand(ctx)? {
        let name = if d.via_vec { "vec![0u8; 1 GiB]" } else { "MmapBuf::new(1 GiB)" };
        demand.row([
            name.into(),
            bytes(d.touched),
            count(d.faults),
            pages_as_bytes(d.resident_pages),
        ]);
    }
    demand.note(
        "one write per page of the first part; resident pages of the buffer (mincore)",
    );
    Ok(vec![lazy, zero, demand])
}

/// glibc's recycled chunks: four turns at 16 and 64 MiB, in a fresh process.
pub fn recycle(ctx: &Ctx) -> Tables {
    let mut t = Table::new([
        "size",
        "turn",
        "allocation",
        "alloc faults",
        "touch faults",
        "memory from",
    ])
    .align(5, Align::Left);
    for turn in figures::recycle(ctx)? {
        let pages = (turn.size / machine::page_size() as usize) as u64;
        let from = match (turn.own_mapping, turn.touch_faults * 2 >= pages) {
            (true, _) => "own mmap: zeroed lazily by the kernel",
            (false, true) => "heap, fresh from sbrk: calloc skips the memset",
            (false, false) => "heap, recycled chunk: calloc memsets it",
        };
        t.row([
            bytes(turn.size),
            turn.iteration.to_string(),
            format_nanos(turn.alloc_ns),
            count(turn.alloc_faults),
            count(turn.touch_faults),
            from.into(),
        ]);
    }
    t.note("vec![0u8; n] → touch every page → free, in a fresh child process");
    Ok(vec![t])
}

/// The seed's pre-warm loop, and prefaulting in the kernel.
pub fn prefault(ctx: &Ctx) -> Tables {
    let mut warm =
        Table::new(["seed's pre-warm loop on", "writes", "faults", "later faults"]);
    for p in figures::prewarm(ctx)? {
        let pages = if p.huge { "MADV_HUGEPAGE" } else { "4 KiB pages" };
        warm.row([
            format!("{} of {pages}", bytes(p.size)),
            count(p.writes as u64),
            count(p.faults),
            count(p.later_faults),
        ]);
    }
    warm.note(
        "one write every 4096 bytes (seed 004 L340-343), then one write per page again",
    );
    let p = figures::prefault(ctx)?;
    let mut t = Table::new(["variant", "median", "vs demand", "later faults"]);
    t.row(["demand faults (touch loop)", &median(&p.demand_ns), "1.00×", "-"]);
    t.row([
        "MAP_POPULATE, then touch loop".into(),
        median(&p.map_populate_ns),
        format_ratio(p.map_populate_speedup()),
        count(p.faults_after_map_populate),
    ]);
    if let (Some(s), Some(f)) =
        (p.populate_write_speedup(), p.faults_after_populate_write)
    {
        t.row([
            "MADV_POPULATE_WRITE, then touch".into(),
            median(&p.populate_write_ns),
            format_ratio(s),
            count(f),
        ]);
    }
    t.note(format!(
        "map {} and make every page resident, {} interleaved rounds; demand faults per \
         round: {}; \"vs demand\" = demand time / this time",
        bytes(p.size),
        p.rounds,
        count(p.demand_faults)
    ));
    Ok(vec![warm, t])
}

/// `MAP_HUGETLB`, transparent huge pages, and random reads.
pub fn thp(ctx: &Ctx) -> Tables {
    let tlb = figures::hugetlb(ctx)?;
    let h = figures::huge(ctx)?;
    let mut t = Table::new(["pages", "faults", "touch (median)", "AnonHugePages"]);
    t.row(["4 KiB", &count(h.small_faults), &median(&h.small_touch_ns), "-"]);
    t.row([
        "MADV_HUGEPAGE".into(),
        count(h.huge_faults),
        median(&h.huge_touch_ns),
        format_bytes(h.anon_huge_kib as f64 * 1024.0),
    ]);
    t.note(match &tlb.error {
        Some(e) => {
            format!("MAP_HUGETLB (nr_hugepages = {}): {e}", tlb.reserved.unwrap_or(0))
        }
        None => format!("MAP_HUGETLB: one 2 MiB page in {} fault(s)", tlb.faults),
    });
    t.note(format!(
        "{} touched, {} interleaved rounds; first touch, 4 KiB / huge: {} (mapping 2 MiB-aligned: {})",
        bytes(h.size),
        h.small_touch_ns.len(),
        format_ratio(h.touch_speedup()),
        yes(h.aligned)
    ));
    let (area, reads, small, huge) = figures::random_reads(ctx)?;
    let mut r = Table::new(["pages", "ns per random read (median)"]);
    r.row(["4 KiB", &median(small)]);
    r.row(["MADV_HUGEPAGE", &median(huge)]);
    r.note(format!(
        "random one-byte reads over a resident {}, {} per round, {} rounds; 4 KiB / huge: {}",
        bytes(*area),
        count(*reads as u64),
        small.len(),
        format_ratio(stats::ratio_of_medians(small, huge).unwrap_or(f64::NAN))
    ));
    let tlb = figures::tlb(ctx)?;
    let mut l = Table::new(["pages", "32 chains: ns per read", "1 chain: ns per read"])
        .titled(format!(
            "the TLB's part: random reads through one cycle of every 64-byte line of {}",
            bytes(tlb.size)
        ));
    l.row(["4 KiB".to_string(), median(&tlb.small_ns), median(&tlb.small_one_ns)]);
    l.row(["MADV_HUGEPAGE".to_string(), median(&tlb.huge_ns), median(&tlb.huge_one_ns)]);
    let ratios = tlb.ratios();
    let one = stats::ratio_of_medians(&tlb.small_one_ns, &tlb.huge_one_ns);
    l.row([
        "4 KiB ÷ huge".to_string(),
        format!(
            "{} ({}–{})",
            format_ratio(stats::median(&ratios).unwrap_or(f64::NAN)),
            format_ratio(stats::min(&ratios).unwrap_or(f64::NAN)),
            format_ratio(stats::max(&ratios).unwrap_or(f64::NAN))
        ),
        format_ratio(one.unwrap_or(f64::NAN)),
    ]);
    l.note(format!(
        "{} chains read in turn keep {} loads in flight; {} loads per round, {} interleaved \
         rounds, medians (the ratio: median of the per-round ratios, lowest–highest); \
         AnonHugePages grew by {} for the huge-page mapping",
        tlb.chains,
        tlb.chains,
        count(tlb.loads as u64),
        tlb.small_ns.len(),
        format_bytes(tlb.anon_huge_kib as f64 * 1024.0)
    ));
    Ok(vec![t, r, l])
}

/// A first-touch fault, split into zeroing the page and the rest.
pub fn fault(ctx: &Ctx) -> Tables {
    let f = figures::fault_split(ctx)?;
    let fault = stats::median(&f.fault_ns).unwrap_or(f64::NAN);
    let zero = stats::median(&f.memset_ns).unwrap_or(f64::NAN);
    let mut t = Table::new(["per 4 KiB page", "ns", "share"]);
    t.row(["first touch (a fault)".to_string(), format_nanos(fault), "100%".into()]);
    t.row([
        "memset of 4 KiB (the zeroing)".to_string(),
        format_nanos(zero),
        format_value(zero / fault, Unit::Fraction),
    ]);
    t.row([
        "the rest (trap, page allocation, page tables)".to_string(),
        format_nanos(f.rest_ns()),
        format_value(f.rest_ns() / fault, Unit::Fraction),
    ]);
    t.note(format!(
        "a fresh {} mapping with 4 KiB pages, one write per page ({} faults), then a memset of \
         every page of it, now resident; {} rounds, medians",
        bytes(f.size),
        count(f.faults),
        f.fault_ns.len()
    ));
    Ok(vec![t])
}

/// The seed's finalizer, Rust ownership, and who sees a leak.
pub fn lifetime(ctx: &Ctx) -> Tables {
    let mut t = Table::new(["what", "result"]).align(1, Align::Left);
    t.row([
        "seed's finalizer, ported (child process)",
        &figures::finalizer_port(ctx)?.describe(),
    ]);
    let r = figures::raii(ctx)?;
    t.row([
        format!("MmapBuf, {} × (map 1 MiB, write, drop)", count(r.count as u64)),
        ns(r.elapsed),
    ]);
    t.row([
        "  mappings before → after",
        &format!("{} → {}", r.before.mappings, r.after.mappings),
    ]);
    t.row([
        "  VmSize before → after",
        &format!(
            "{} → {}",
            format_bytes(r.before.vm_size_kib as f64 * 1024.0),
            format_bytes(r.after.vm_size_kib as f64 * 1024.0)
        ),
    ]);
    let l = figures::leak(ctx)?;
    let mut leak = Table::new(["tool", "sees"]);
    leak.row([
        "RSS (docker stats)",
        &format!("+{}", format_bytes(l.rss_kib as f64 * 1024.0)),
    ]);
    leak.row([
        "heap profile (counting allocator)",
        &l.heap_bytes.map_or_else(|| "n/a".into(), |b| format_bytes(b as f64)),
    ]);
    leak.row(["VmSize", &format!("+{}", format_bytes(l.vm_size_kib as f64 * 1024.0))]);
    leak.row(["/proc/self/maps", &format!("{} of {} found", l.found_in_maps, l.count)]);
    leak.note(format!(
        "{} leaked {} mappings, one page written in each",
        l.count,
        bytes(l.size)
    ));
    Ok(vec![t, leak])
}

/// Mapping failures as values, and the seed's fallback to `make()`.
pub fn failure(ctx: &Ctx) -> Tables {
    let mut t = Table::new(["size", "MmapBuf::new", "same-size try_reserve_exact"])
        .align(1, Align::Left)
        .align(2, Align::Left);
    for a in figures::absurd(ctx)? {
        let mapped = a
            .mmap_error
            .as_ref()
            .map_or_else(|| "mapped".into(), |e| e.source.to_string());
        t.row([
            bytes(a.size),
            mapped,
            if a.fallback_failed { "Err" } else { "Ok" }.into(),
        ]);
    }
    let o = figures::fallback_port(ctx)?;
    let said = o.stderr.lines().next().unwrap_or("").trim().to_string();
    t.note(format!(
        "the seed's fallback, ported, 64 TiB in a child process: {} ({said})",
        o.describe()
    ));
    t.note(format!(
        "vm.overcommit_memory = {}",
        procfs::read_sys_string("/proc/sys/vm/overcommit_memory")
            .unwrap_or_else(|| "n/a".into())
    ));
    Ok(vec![t])
}

/// NUMA nodes, and local against remote reads where there are two.
pub fn numa(ctx: &Ctx) -> Tables {
    let (layout, latency) = figures::numa(ctx)?;
    let mut t = Table::new(["figure", "value"]);
    let nodes = layout.as_ref().map(|l| l.nodes.len());
    t.row([
        "NUMA nodes with memory",
        &nodes.map_or_else(|| "n/a".into(), |n| n.to_string()),
    ]);
    match latency {
        Some(l) => {
            t.row([
                format!("read, local node {} (median)", l.local_node),
                median(&l.local_ns),
            ]);
            t.row([
                format!("read, remote node {} (median)", l.remote_node),
                median(&l.remote_ns),
            ]);
            let ratio =
                stats::ratio_of_medians(&l.remote_ns, &l.local_ns).unwrap_or(f64::NAN);
            t.row(["remote / local", &format_ratio(ratio)]);
            t.row([
                "pages on the node asked for",
                &format!(
                    "{:.0}% local, {:.0}% remote",
                    l.local_placed * 100.0,
                    l.remote_placed * 100.0
                ),
            ]);
            t.note(format!(
                "pointer chase over {} per node from CPU {}, {} rounds",
                bytes(l.size),
                l.cpu,
                l.local_ns.len()
            ));
        }
        None => {
            t.note(
                "one node: every page is local, so there is no remote access to compare",
            );
        }
    }
    Ok(vec![t])
}
