//! Every measurement of the chapter, taken once per run (full or `--quick`
//! sizes, from [`Ctx`]) and kept for the rest of the process, so that the
//! example's tables and the claim checks read the same numbers: a page never
//! shows two figures for one fact.
//!
//! Each function here sizes an experiment and caches it in a [`PerRun`]; the
//! experiments themselves live with their subject ([`super::sizes`],
//! [`super::paging`], [`super::lifetime`] …). Not for: deciding anything
//! (see `checks/`) or laying out tables (see [`super::tables`]).

use super::fallback::{self, Attempt};
use super::file::{self, RoundTrip, SeedFile};
use super::flags::{self, FixedView, ForkView, ReserveView};
use super::lifetime::{self, AllocatorView, LeakView, RaiiRun, Threads};
use super::numa::{self, Layout, NumaLatency};
use super::paging::{
    self, DemandPaging, FaultSplit, HostProbe, HugePages, HugeTlb, Prefault, Prewarm,
    TlbReads, Untouched, ZeroPage,
};
use super::recycle::{self, Turn};
use super::seed_port;
use super::sizes::{self, Bandwidth, Cost, SEED_SIZES, Strategy};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::child::{self, ChildOutcome};
use std::time::Duration;

/// 1 MiB.
pub const MIB: usize = 1 << 20;
/// 1 GiB.
pub const GIB: usize = 1 << 30;
/// How long a child process of this chapter may run.
const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

type Cell<T> = PerRun<Result<T, CheckError>>;

/// The figure in `cell` for `ctx`'s sizes, measured by `f` on first use.
fn once<T>(
    cell: &'static Cell<T>,
    ctx: &Ctx,
    f: impl FnOnce() -> Result<T, CheckError>,
) -> Result<&'static T, CheckError> {
    cell.get(ctx, f).as_ref().map_err(Clone::clone)
}

/// Every [`Strategy`] at every size: the seed's seven sizes (1 MB … 1 GB),
/// or the first three under `--quick`. Three interleaved rounds per size
/// below 100 MiB and one from there up (two under `--quick`).
pub fn sizes(ctx: &Ctx) -> Result<&'static [Cost], CheckError> {
    static CELL: Cell<Vec<Cost>> = PerRun::new();
    let list = ctx.pick(&SEED_SIZES[..], &SEED_SIZES[..3]);
    let quick = ctx.quick;
    once(&CELL, ctx, || {
        let rounds = |n: usize| match (quick, n < 100 * MIB) {
            (true, _) => 2,
            (false, true) => 3,
            (false, false) => 1,
        };
        Ok(sizes::measure_all(list, rounds)?)
    })
    .map(Vec::as_slice)
}

/// The cost of `strategy` at `size` in the size table.
pub fn cost(
    ctx: &Ctx,
    strategy: Strategy,
    size: usize,
) -> Result<&'static Cost, CheckError> {
    sizes(ctx)?
        .iter()
        .find(|c| c.strategy == strategy && c.size == size)
        .ok_or_else(|| CheckError(format!("no {} row at {size} B", strategy.label())))
}

/// The largest size of the size table.
pub fn largest_size(ctx: &Ctx) -> Result<usize, CheckError> {
    sizes(ctx)?.iter().map(|c| c.size).max().ok_or_else(|| "no sizes measured".into())
}

/// `vec![0u8; 1 GiB]`, allocation and first touch: the size table's row in a
/// full run; under `--quick`, whose table stops at 50 MiB, measured on its
/// own (the seed's figure is for 1 GB).
pub fn gib_zeroed(ctx: &Ctx) -> Result<&'static Cost, CheckError> {
    static CELL: Cell<Cost> = PerRun::new();
    once(&CELL, ctx, || match cost(ctx, Strategy::VecZeroed, GIB) {
        Ok(c) => Ok(*c),
        Err(_) => Ok(sizes::measure(Strategy::VecZeroed, GIB)?),
    })
}

/// Four turns of `vec![0u8; n]` → touch → free at 16 and 64 MiB, in a fresh
/// child process (glibc's mmap threshold at its default).
pub fn recycle(ctx: &Ctx) -> Result<&'static [Turn], CheckError> {
    static CELL: Cell<Vec<Turn>> = PerRun::new();
    once(&CELL, ctx, || Ok(recycle::recycle_in_child()?)).map(Vec::as_slice)
}

/// An eager fill against a refill of the same memory (128 MiB; 64 MiB quick).
pub fn bandwidth(ctx: &Ctx) -> Result<&'static Bandwidth, CheckError> {
    static CELL: Cell<Bandwidth> = PerRun::new();
    let n = ctx.pick(128 * MIB, 64 * MIB);
    once(&CELL, ctx, || Ok(sizes::bandwidth_experiment(n)?))
}

/// 1 GiB allocated and left untouched: `[vec![0u8; n], MmapBuf::new(n)]`.
pub fn untouched(ctx: &Ctx) -> Result<&'static [Untouched; 2], CheckError> {
    static CELL: Cell<[Untouched; 2]> = PerRun::new();
    once(&CELL, ctx, || {
        Ok([paging::untouched(GIB, true)?, paging::untouched(GIB, false)?])
    })
}

/// Read every page of a fresh mapping, then write every page (256 MiB;
/// 64 MiB quick).
pub fn zero_page(ctx: &Ctx) -> Result<&'static ZeroPage, CheckError> {
    static CELL: Cell<ZeroPage> = PerRun::new();
    let n = ctx.pick(256 * MIB, 64 * MIB);
    once(&CELL, ctx, || Ok(paging::zero_page_experiment(n)?))
}

/// 1 GiB allocated, the first 1 MiB and the first 64 MiB (16 MiB quick)
/// touched, through `MmapBuf` then `vec![0u8; n]`.
pub fn demand(ctx: &Ctx) -> Result<&'static [DemandPaging], CheckError> {
    static CELL: Cell<Vec<DemandPaging>> = PerRun::new();
    let more = ctx.pick(64 * MIB, 16 * MIB);
    once(&CELL, ctx, || {
        let mut rows = Vec::new();
        for via_vec in [false, true] {
            for touched in [MIB, more] {
                rows.push(paging::demand_paging(GIB, touched, via_vec)?);
            }
        }
        Ok(rows)
    })
    .map(Vec::as_slice)
}

/// The seed's pre-warm loop on a plain mapping, and on one with
/// `MADV_HUGEPAGE` (128 MiB; 32 MiB quick).
pub fn prewarm(ctx: &Ctx) -> Result<&'static [Prewarm; 2], CheckError> {
    static CELL: Cell<[Prewarm; 2]> = PerRun::new();
    let n = ctx.pick(128 * MIB, 32 * MIB);
    once(&CELL, ctx, || {
        Ok([paging::prewarm_experiment(n, false)?, paging::prewarm_experiment(n, true)?])
    })
}

/// Demand faults against `MAP_POPULATE` and `MADV_POPULATE_WRITE` (256 MiB,
/// five rounds; 32 MiB, three rounds quick).
pub fn prefault(ctx: &Ctx) -> Result<&'static Prefault, CheckError> {
    static CELL: Cell<Prefault> = PerRun::new();
    let (n, rounds) = ctx.pick((256 * MIB, 5), (32 * MIB, 3));
    once(&CELL, ctx, || prefault_linux(n, rounds))
}

#[cfg(target_os = "linux")]
fn prefault_linux(n: usize, rounds: usize) -> Result<Prefault, CheckError> {
    Ok(paging::prefault_experiment(n, rounds)?)
}

#[cfg(not(target_os = "linux"))]
fn prefault_linux(_: usize, _: usize) -> Result<Prefault, CheckError> {
    Err(CheckError::requires_linux("MAP_POPULATE"))
}

/// First touch with 4 KiB pages against `MADV_HUGEPAGE` (256 MiB, five
/// rounds; 64 MiB, three rounds quick).
pub fn huge(ctx: &Ctx) -> Result<&'static HugePages, CheckError> {
    static CELL: Cell<HugePages> = PerRun::new();
    let (n, rounds) = ctx.pick((256 * MIB, 5), (64 * MIB, 3));
    once(&CELL, ctx, || huge_linux(n, rounds))
}

#[cfg(target_os = "linux")]
fn huge_linux(n: usize, rounds: usize) -> Result<HugePages, CheckError> {
    Ok(paging::huge_page_experiment(n, rounds)?)
}

#[cfg(not(target_os = "linux"))]
fn huge_linux(_: usize, _: usize) -> Result<HugePages, CheckError> {
    Err(CheckError::requires_linux("MADV_HUGEPAGE"))
}

/// Random one-byte reads over a resident region: `(region, reads per round,
/// ns per read with 4 KiB pages, ns per read with huge pages)`, three rounds.
pub type RandomReads = (usize, usize, Vec<f64>, Vec<f64>);

/// [`RandomReads`] over 256 MiB (64 MiB quick).
pub fn random_reads(ctx: &Ctx) -> Result<&'static RandomReads, CheckError> {
    static CELL: Cell<RandomReads> = PerRun::new();
    let (n, reads) = ctx.pick((256 * MIB, 4_000_000), (64 * MIB, 1_000_000));
    once(&CELL, ctx, || random_linux(n, reads))
}

#[cfg(target_os = "linux")]
fn random_linux(n: usize, reads: usize) -> Result<RandomReads, CheckError> {
    let (small, huge) = paging::random_access_ns(n, reads, 3)?;
    Ok((n, reads, small, huge))
}

#[cfg(not(target_os = "linux"))]
fn random_linux(_: usize, _: usize) -> Result<RandomReads, CheckError> {
    Err(CheckError::requires_linux("MADV_HUGEPAGE"))
}

/// Random reads at 32-way memory-level parallelism (and one chain), 4 KiB
/// pages against `MADV_HUGEPAGE`: 256 MiB, five rounds (64 MiB, three quick).
pub fn tlb(ctx: &Ctx) -> Result<&'static TlbReads, CheckError> {
    static CELL: Cell<TlbReads> = PerRun::new();
    let (n, rounds) = ctx.pick((256 * MIB, 5), (64 * MIB, 3));
    once(&CELL, ctx, || tlb_linux(n, rounds))
}

#[cfg(target_os = "linux")]
fn tlb_linux(n: usize, rounds: usize) -> Result<TlbReads, CheckError> {
    Ok(paging::tlb_experiment(n, rounds)?)
}

#[cfg(not(target_os = "linux"))]
fn tlb_linux(_: usize, _: usize) -> Result<TlbReads, CheckError> {
    Err(CheckError::requires_linux("MADV_HUGEPAGE"))
}

/// A first-touch fault split into zeroing and the rest: 256 MiB, seven
/// rounds (64 MiB, three quick).
pub fn fault_split(ctx: &Ctx) -> Result<&'static FaultSplit, CheckError> {
    static CELL: Cell<FaultSplit> = PerRun::new();
    let (n, rounds) = ctx.pick((256 * MIB, 7), (64 * MIB, 3));
    once(&CELL, ctx, || fault_split_linux(n, rounds))
}

#[cfg(target_os = "linux")]
fn fault_split_linux(n: usize, rounds: usize) -> Result<FaultSplit, CheckError> {
    Ok(paging::fault_split_experiment(n, rounds)?)
}

#[cfg(not(target_os = "linux"))]
fn fault_split_linux(_: usize, _: usize) -> Result<FaultSplit, CheckError> {
    Err(CheckError::requires_linux("MADV_NOHUGEPAGE"))
}

/// `MAP_HUGETLB` for one 2 MiB page.
pub fn hugetlb(ctx: &Ctx) -> Result<&'static HugeTlb, CheckError> {
    static CELL: Cell<HugeTlb> = PerRun::new();
    once(&CELL, ctx, hugetlb_linux)
}

#[cfg(target_os = "linux")]
fn hugetlb_linux() -> Result<HugeTlb, CheckError> {
    Ok(paging::hugetlb_experiment())
}

#[cfg(not(target_os = "linux"))]
fn hugetlb_linux() -> Result<HugeTlb, CheckError> {
    Err(CheckError::requires_linux("MAP_HUGETLB"))
}

/// The host behind a VM, probed with fresh huge-page memory (256 MiB;
/// 64 MiB quick).
pub fn host(ctx: &Ctx) -> Result<&'static HostProbe, CheckError> {
    static CELL: Cell<HostProbe> = PerRun::new();
    let n = ctx.pick(256 * MIB, 64 * MIB);
    once(&CELL, ctx, || Ok(paging::host_probe(n)?))
}

/// A touched mapping, written and then handed back with `MADV_DONTNEED`
/// (64 MiB; 32 MiB quick).
pub fn discard(ctx: &Ctx) -> Result<&'static paging::Discard, CheckError> {
    static CELL: Cell<paging::Discard> = PerRun::new();
    let n = ctx.pick(64 * MIB, 32 * MIB);
    once(&CELL, ctx, || discard_linux(n))
}

#[cfg(target_os = "linux")]
fn discard_linux(n: usize) -> Result<paging::Discard, CheckError> {
    Ok(paging::discard_experiment(n)?)
}

#[cfg(not(target_os = "linux"))]
fn discard_linux(_: usize) -> Result<paging::Discard, CheckError> {
    Err(CheckError::requires_linux("MADV_DONTNEED"))
}

/// Short-lived 1 MiB buffers: cycles of allocate → touch → free.
#[derive(Clone, Copy, Debug)]
pub struct Churn {
    /// Bytes per buffer.
    pub size: usize,
    /// Cycles timed.
    pub cycles: usize,
    /// A fresh mapping each cycle: faults and ns per cycle.
    pub mmap: (f64, f64),
    /// `vec![0u8; n]` each cycle (glibc reuses its chunk): faults and ns.
    pub vec: (f64, f64),
}

/// [`Churn`] at 1 MiB, 200 cycles (50 quick).
pub fn churn(ctx: &Ctx) -> Result<&'static Churn, CheckError> {
    static CELL: Cell<Churn> = PerRun::new();
    let cycles = ctx.pick(200, 50);
    once(&CELL, ctx, || {
        let mmap = recycle::churn(MIB, cycles, true)?;
        let vec = recycle::churn(MIB, cycles, false)?;
        Ok(Churn { size: MIB, cycles, mmap, vec })
    })
}

/// The seed's finalizer, ported, run in a child process.
pub fn finalizer_port(ctx: &Ctx) -> Result<&'static ChildOutcome, CheckError> {
    static CELL: Cell<ChildOutcome> = PerRun::new();
    once(&CELL, ctx, || Ok(child::run_mode(seed_port::CHILD_FINALIZER, CHILD_TIMEOUT)?))
}

/// The seed's fallback to `make`, ported, run in a child process.
pub fn fallback_port(ctx: &Ctx) -> Result<&'static ChildOutcome, CheckError> {
    static CELL: Cell<ChildOutcome> = PerRun::new();
    once(&CELL, ctx, || Ok(child::run_mode(seed_port::CHILD_FALLBACK, CHILD_TIMEOUT)?))
}

/// The file truncated while mapped, in a child process.
pub fn sigbus_child(ctx: &Ctx) -> Result<&'static ChildOutcome, CheckError> {
    static CELL: Cell<ChildOutcome> = PerRun::new();
    once(&CELL, ctx, || Ok(child::run_mode(file::CHILD_SIGBUS, CHILD_TIMEOUT)?))
}

/// 10,000 cycles (1,000 quick) of map 1 MiB, write, check, drop.
pub fn raii(ctx: &Ctx) -> Result<&'static RaiiRun, CheckError> {
    static CELL: Cell<RaiiRun> = PerRun::new();
    let count = ctx.pick(10_000, 1_000);
    once(&CELL, ctx, || Ok(lifetime::raii_run(count)?))
}

/// Sixteen 64 MiB mappings leaked, one page written in each, as each tool
/// sees them.
pub fn leak(ctx: &Ctx) -> Result<&'static LeakView, CheckError> {
    static CELL: Cell<LeakView> = PerRun::new();
    once(&CELL, ctx, || Ok(lifetime::leak_view(16, 64 * MIB)?))
}

/// A touched 64 MiB mapping, as the global allocator sees it.
pub fn allocator_view(ctx: &Ctx) -> Result<&'static AllocatorView, CheckError> {
    static CELL: Cell<AllocatorView> = PerRun::new();
    once(&CELL, ctx, || Ok(lifetime::allocator_view(64 * MIB)?))
}

/// Two threads mapping 256 KiB buffers, 300 cycles each (100 quick).
pub fn threads(ctx: &Ctx) -> Result<&'static Threads, CheckError> {
    static CELL: Cell<Threads> = PerRun::new();
    let cycles = ctx.pick(300, 100);
    once(&CELL, ctx, || Ok(lifetime::threads_experiment(cycles, 256 << 10)?))
}

/// Mapping failures at absurd sizes, and the same-size fallback.
pub fn absurd(ctx: &Ctx) -> Result<&'static [Attempt], CheckError> {
    static CELL: Cell<Vec<Attempt>> = PerRun::new();
    once(&CELL, ctx, || {
        Ok(fallback::absurd_sizes().into_iter().map(fallback::try_both).collect())
    })
    .map(Vec::as_slice)
}

/// "Hello" through a mapping; a 32 MiB file (8 MiB quick) read both ways.
pub fn round_trip(ctx: &Ctx) -> Result<&'static RoundTrip, CheckError> {
    static CELL: Cell<RoundTrip> = PerRun::new();
    let n = ctx.pick(32 * MIB, 8 * MIB);
    once(&CELL, ctx, || Ok(file::round_trip(n)?))
}

/// The seed's file snippet on an empty and a short file, and the fix.
pub fn seed_file(ctx: &Ctx) -> Result<&'static SeedFile, CheckError> {
    static CELL: Cell<SeedFile> = PerRun::new();
    once(&CELL, ctx, || Ok(file::seed_file_experiment()?))
}

/// A forked child's writes to a shared and a private page.
pub fn fork_view(ctx: &Ctx) -> Result<&'static ForkView, CheckError> {
    static CELL: Cell<ForkView> = PerRun::new();
    once(&CELL, ctx, || Ok(flags::shared_vs_private()?))
}

/// `MAP_FIXED` and `MAP_FIXED_NOREPLACE` over a live mapping.
pub fn fixed(ctx: &Ctx) -> Result<&'static FixedView, CheckError> {
    static CELL: Cell<FixedView> = PerRun::new();
    once(&CELL, ctx, fixed_linux)
}

#[cfg(target_os = "linux")]
fn fixed_linux() -> Result<FixedView, CheckError> {
    Ok(flags::fixed_experiment()?)
}

#[cfg(not(target_os = "linux"))]
fn fixed_linux() -> Result<FixedView, CheckError> {
    Err(CheckError::requires_linux("MAP_FIXED_NOREPLACE"))
}

/// A reservation of 64 GiB or twice the RAM, whichever is larger.
pub fn reservation(ctx: &Ctx) -> Result<&'static ReserveView, CheckError> {
    static CELL: Cell<ReserveView> = PerRun::new();
    once(&CELL, ctx, || {
        let ram = crate::measure::procfs::mem_total_bytes().unwrap_or(0) as usize;
        Ok(flags::reserve_experiment((64usize << 30).max(ram.saturating_mul(2))))
    })
}

/// The NUMA layout, and local against remote reads where there are two
/// nodes (256 MiB buffers, 2,000,000 reads, five rounds; 64 MiB, 500,000
/// and three quick).
pub fn numa(
    ctx: &Ctx,
) -> Result<&'static (Option<Layout>, Option<NumaLatency>), CheckError> {
    static CELL: Cell<(Option<Layout>, Option<NumaLatency>)> = PerRun::new();
    let (n, steps, rounds) = ctx.pick((256 * MIB, 2_000_000, 5), (64 * MIB, 500_000, 3));
    once(&CELL, ctx, || {
        let layout = numa::layout();
        let latency = match layout.as_ref().and_then(|l| l.pair) {
            Some(pair) => Some(numa_linux(pair, n, steps, rounds)?),
            None => None,
        };
        Ok((layout, latency))
    })
}

#[cfg(target_os = "linux")]
fn numa_linux(
    (cpu, local, remote): (usize, usize, usize),
    n: usize,
    steps: usize,
    rounds: usize,
) -> Result<NumaLatency, CheckError> {
    Ok(numa::local_against(cpu, (local, remote), n, steps, rounds)?)
}

#[cfg(not(target_os = "linux"))]
fn numa_linux(
    _: (usize, usize, usize),
    _: usize,
    _: usize,
    _: usize,
) -> Result<NumaLatency, CheckError> {
    Err(CheckError::requires_linux("mbind"))
}
