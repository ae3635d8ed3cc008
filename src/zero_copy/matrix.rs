//! The timing comparison: every method of [`Method::ALL`] side by side on
//! 127.0.0.1, at four file sizes and in two thread placements, and the
//! per-round ratios sendfile ÷ the 64 KiB loop that the timing claims read.
//!
//! - Two placements, because on loopback they answer different questions.
//!   With the sender and the receiver pinned to **two CPUs**, the sending
//!   thread's CPU time is the sender's cost (plus the TCP receive path,
//!   which loopback runs in the sender's context for every method), and
//!   every wake-up of the other side crosses CPUs. With both pinned to
//!   **one CPU**, nothing crosses CPUs and the threads' CPU times (plus the
//!   kernel's softirq threads) add up to everything the transfer cost the
//!   machine; how it is split between the two threads depends on where the
//!   scheduler switched, so only the sum is read there.
//! - Four sizes, because the effects change with size: a 4 KiB transfer is
//!   one round trip, a 16 MiB one does not fit in a CPU's L2 cache or in
//!   the socket buffers.
//! - Each sample is a batch of transfers; the methods take turns round by
//!   round (A B C D E, B C D E A, …) on one connection, and [`Paired`]
//!   compares two of them from the per-round ratios.
//!
//! Not for: counts (syscalls, bytes through user space, heap), which need
//! no repetition and come from one transfer per method (`figures::counts`).

use super::files::{Scratch, write_pattern_file};
use super::loopback::{self, MethodRuns, Placement, Sample, Setup, reps_for};
use super::method::Method;
use crate::claims::Ctx;
use crate::measure::paired::Paired;
use crate::table::format_bytes;

/// The file sizes every timing claim is checked at.
pub const SIZES: [u64; 4] = [4 << 10, 64 << 10, 1 << 20, 16 << 20];

/// The baseline every ratio divides by.
pub const LOOP: Method = Method::ReadWrite(64 << 10);

/// One size in one placement: every method's samples, and the paired ratios
/// sendfile ÷ loop per round.
#[derive(Debug)]
pub struct Cell {
    /// Where the threads ran.
    pub placement: Placement,
    /// File size.
    pub size: u64,
    /// Transfers per sample.
    pub reps: u32,
    /// Fraction of the file in the page cache after the samples (mincore).
    pub residency: f64,
    /// Every method's samples, in [`Method::ALL`] order.
    pub runs: Vec<MethodRuns>,
    /// Throughput, sendfile ÷ loop.
    pub throughput: Paired,
    /// Sending thread's CPU per GiB, sendfile ÷ loop.
    pub sender_cpu: Paired,
    /// Sender + receiver + softirq threads' CPU per GiB, sendfile ÷ loop.
    pub total_cpu: Paired,
    /// Time per transfer (to the receiver's acknowledgement), sendfile ÷ loop.
    pub latency: Paired,
}

impl Cell {
    /// `16 MiB, two CPUs`: how the evidence names the cell.
    pub fn name(&self) -> String {
        cell_name(self.placement, self.size)
    }

    /// The samples of `method`.
    pub fn of(&self, method: Method) -> &MethodRuns {
        self.runs.iter().find(|r| r.method == method).expect("every method is measured")
    }

    /// The 64 KiB loop's samples.
    pub fn looped(&self) -> &MethodRuns {
        self.of(LOOP)
    }

    /// sendfile's samples.
    pub fn sendfile(&self) -> &MethodRuns {
        self.of(Method::Sendfile)
    }
}

/// `16 MiB, two CPUs`.
pub fn cell_name(placement: Placement, size: u64) -> String {
    format!("{}, {}", format_bytes(size as f64), placement.label())
}

/// Every cell, measured once per run.
#[derive(Debug)]
pub struct Matrix {
    /// Rounds per cell (one sample per method each).
    pub rounds: usize,
    /// Bytes a sample moves at least, unless capped by `max_reps`.
    pub sample_bytes: u64,
    /// Most transfers in one sample.
    pub max_reps: u32,
    /// The TCP congestion control the connections used.
    pub congestion: String,
    /// Cells, placement by placement, sizes in [`SIZES`] order.
    pub cells: Vec<Cell>,
    /// Placements this process could not use, and why (one CPU in its
    /// affinity mask leaves only the one-CPU placement).
    pub skipped: Vec<(Placement, String)>,
}

impl Matrix {
    /// The cells of one placement, in size order.
    pub fn cells_in(&self, placement: Placement) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(move |c| c.placement == placement)
    }

    /// The conditions, for the evidence.
    pub fn condition(&self) -> String {
        let residency = self.cells.iter().map(|c| c.residency).fold(1.0, f64::min);
        let placements = Placement::PINNED
            .iter()
            .map(|p| match self.skipped.iter().find(|(s, _)| s == p) {
                Some((_, why)) => format!("{} (not measured: {why})", p.label()),
                None => format!("{} ({})", p.label(), p.describe()),
            })
            .collect::<Vec<_>>()
            .join(" and ");
        format!(
            "a file in the page cache (at least {:.0}% resident after every cell) sent to \
             127.0.0.1 by each of {} methods, taking turns; {} rounds per size and \
             placement; each sample sends the file until {} has moved or {} transfers are \
             done, each transfer waiting for the receiver's 1-byte acknowledgement; \
             placements: {placements}; TCP congestion control {} (system default: {}); \
             ratios are sendfile ÷ 64 KiB loop per round: median and quartiles",
            residency * 100.0,
            Method::ALL.len(),
            self.rounds,
            format_bytes(self.sample_bytes as f64),
            self.max_reps,
            self.congestion,
            loopback::system_congestion().unwrap_or_else(|| "unknown".into()),
        )
    }
}

/// Measures the matrix (`--quick`: fewer rounds, smaller samples).
pub fn measure(ctx: &Ctx) -> Result<Matrix, String> {
    // Full: 11 rounds of ≥ 32 MiB samples (at most 200 transfers, so a
    // 4 KiB sample, one round trip per transfer, stays short); quick: 7
    // rounds of ≥ 8 MiB, at most 60 transfers.
    let (rounds, sample_bytes, cap) = ctx.pick((11, 32 << 20, 200), (7, 8 << 20, 60));
    let largest = *SIZES.iter().max().expect("sizes");
    let io = |e: std::io::Error| e.to_string();
    let dir = Scratch::new("matrix").map_err(io)?;
    let path = dir.join("payload.bin");
    write_pattern_file(&path, largest, 5).map_err(io)?;
    let file = std::fs::File::open(&path).map_err(io)?;
    // Written back now, so that no writeback runs during the samples.
    file.sync_all().map_err(io)?;
    let mut cells = Vec::new();
    let mut skipped = Vec::new();
    let mut congestion = String::new();
    for placement in Placement::PINNED {
        if let Err(e) = placement.cpus() {
            skipped.push((placement, e.to_string()));
            continue;
        }
        for size in SIZES {
            let reps = reps_for(size, sample_bytes).min(cap);
            let runs = loopback::compare(
                Setup::pinned(placement),
                &Method::ALL,
                &file,
                size,
                reps,
                rounds,
            )
            .map_err(|e| format!("{}: {e}", cell_name(placement, size)))?;
            let residency = loopback::page_cache_residency(&file, size).map_err(io)?;
            congestion.clone_from(&runs[0].congestion);
            let find = |m| runs.iter().find(|r| r.method == m).expect("measured");
            let (looped, sendfile) = (find(LOOP), find(Method::Sendfile));
            let pair = |f: fn(&Sample) -> f64| {
                sendfile.paired(looped, f).ok_or_else(|| "too few rounds".to_string())
            };
            cells.push(Cell {
                placement,
                size,
                reps,
                residency,
                throughput: pair(Sample::throughput)?,
                sender_cpu: pair(Sample::sender_cpu_per_gib)?,
                total_cpu: pair(Sample::total_cpu_per_gib)?,
                latency: pair(Sample::latency)?,
                runs,
            });
        }
    }
    if cells.is_empty() {
        return Err("no thread placement is available to this process".into());
    }
    Ok(Matrix { rounds, sample_bytes, max_reps: cap, congestion, cells, skipped })
}
