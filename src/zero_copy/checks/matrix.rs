//! The timing claims' measurement: sendfile against a 64 KiB read/write
//! loop, side by side on 127.0.0.1, at four file sizes and in two thread
//! placements, and the per-round ratios that decide whether they differ.
//!
//! - Two placements, because on loopback they answer different questions.
//!   With the sender and the receiver pinned to **two CPUs**, the sending
//!   thread's CPU time is the sender's cost (plus the TCP receive path,
//!   which loopback runs in the sender's context for both methods), and
//!   every wake-up of the other side crosses CPUs. With both pinned to
//!   **one CPU**, nothing crosses CPUs and the threads' CPU times (plus the
//!   kernel's softirq threads) add up to everything the transfer cost the
//!   machine; how it is split between the two threads depends on where the
//!   scheduler switched, so only the sum is read there.
//! - Four sizes, because the effects change with size: a 4 KiB transfer is
//!   one round trip, a 16 MiB one does not fit in a CPU's L2 cache or in
//!   the socket buffers.
//! - Each sample is a batch of transfers; the two methods alternate round by
//!   round (A B, B A, …) on one connection, and [`Paired`] decides from the
//!   per-round ratios.
//!
//! Not for: counts (syscalls, bytes through user space, heap), which need
//! no repetition and come from [`super::comparison`].

use crate::claims::{CheckError, Ctx, Evidence, Unit};
use crate::table::format_bytes;
use crate::zero_copy::loopback::{self, MethodRuns, Placement, Sample, Setup, reps_for};
use crate::zero_copy::method::Method;
use crate::zero_copy::paired::{Effect, MIN_EFFECT, Paired};
use std::sync::OnceLock;

/// The file sizes every timing claim is checked at.
pub const SIZES: [u64; 4] = [4 << 10, 64 << 10, 1 << 20, 16 << 20];

/// The baseline every ratio divides by.
pub const LOOP: Method = Method::ReadWrite(64 << 10);

/// One size in one placement: both methods' samples and their paired ratios
/// (sendfile ÷ loop, per round).
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
    /// The 64 KiB loop's samples.
    pub looped: MethodRuns,
    /// sendfile's samples.
    pub sendfile: MethodRuns,
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
    /// `16 MiB, two CPUs`.
    pub fn name(&self) -> String {
        format!("{}, {}", format_bytes(self.size as f64), self.placement.label())
    }
}

/// Every cell, measured once per run.
#[derive(Debug)]
pub struct Matrix {
    /// Rounds per cell (pairs of samples).
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

    /// Why the sender's own CPU time could not be measured, when it could
    /// not: it is only separable with the threads on two CPUs.
    pub fn without_two_cpus(&self) -> Option<String> {
        self.skipped.iter().find(|(p, _)| *p == Placement::TwoCpus).map(|(_, why)| {
            format!(
                "the sender's own CPU time needs the sender and the receiver on two CPUs, and \
                 {why}; run it on a machine with two or more CPUs"
            )
        })
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
             127.0.0.1 by sendfile and by a 64 KiB read/write loop; {} rounds per size and \
             placement, the two methods alternating; each sample sends the file until {} has \
             moved or {} transfers are done, each transfer waiting for the receiver's 1-byte \
             acknowledgement; \
             placements: {placements}; TCP congestion control {} (system default: \
             {}); ratios are sendfile ÷ loop per round: median (interquartile range); a \
             difference counts when the interquartile range excludes 1.0 and the median moves \
             by at least {:.0}%",
            residency * 100.0,
            self.rounds,
            format_bytes(self.sample_bytes as f64),
            self.max_reps,
            self.congestion,
            loopback::system_congestion().unwrap_or_else(|| "unknown".into()),
            MIN_EFFECT * 100.0
        )
    }

    /// Records `what` (median and quartiles of the ratio) for every cell.
    pub fn record(&self, ev: &mut Evidence, what: &str, f: impl Fn(&Cell) -> Paired) {
        for c in &self.cells {
            let p = f(c);
            let name = c.name();
            ev.add(
                format!("{what}, sendfile ÷ loop, {name}: median"),
                p.median,
                Unit::Ratio,
            );
            ev.add(
                format!("{what}, sendfile ÷ loop, {name}: first quartile"),
                p.q1,
                Unit::Ratio,
            );
            ev.add(
                format!("{what}, sendfile ÷ loop, {name}: third quartile"),
                p.q3,
                Unit::Ratio,
            );
        }
    }

    /// Records a per-method median figure for every cell.
    pub fn record_medians(
        &self,
        ev: &mut Evidence,
        what: &str,
        unit: Unit,
        f: impl Fn(&MethodRuns) -> f64,
    ) {
        for c in &self.cells {
            let name = c.name();
            ev.add(format!("{what}, 64 KiB loop, {name}"), f(&c.looped), unit);
            ev.add(format!("{what}, sendfile, {name}"), f(&c.sendfile), unit);
        }
    }

    /// `4 KiB 1.01|1.03, 64 KiB 1.31|1.10, …`: the median ratio per size,
    /// one CPU | two CPUs.
    pub fn row(&self, f: impl Fn(&Cell) -> Paired) -> String {
        SIZES
            .iter()
            .map(|&size| {
                let at = |p: Placement| {
                    self.cells
                        .iter()
                        .find(|c| c.placement == p && c.size == size)
                        .map_or("–".to_string(), |c| format!("{:.2}", f(c).median))
                };
                format!(
                    "{} {}|{}",
                    format_bytes(size as f64),
                    at(Placement::OneCpu),
                    at(Placement::TwoCpus)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The cells of `cells` whose `f` is `effect`.
pub fn with_effect<'a>(
    cells: impl IntoIterator<Item = &'a Cell>,
    effect: Effect,
    f: impl Fn(&Cell) -> Paired,
) -> Vec<&'a Cell> {
    cells.into_iter().filter(|c| f(c).effect() == effect).collect()
}

/// Where `cells` are: `64 KiB–1 MiB on one CPU and 16 MiB on two CPUs`, or
/// `4 KiB on either placement` when both placements have the same sizes.
pub fn cells_text(cells: &[&Cell]) -> String {
    let sizes_in = |p: Placement| -> Vec<u64> {
        cells.iter().filter(|c| c.placement == p).map(|c| c.size).collect()
    };
    let [one, two] = Placement::PINNED.map(sizes_in);
    if one == two {
        return format!("{} on either placement", sizes_text(&one));
    }
    let mut parts = Vec::new();
    for (p, sizes) in Placement::PINNED.iter().zip([one, two]) {
        if !sizes.is_empty() {
            parts.push(format!("{} on {}", sizes_text(&sizes), p.label()));
        }
    }
    parts.join(" and ")
}

/// `64 KiB–16 MiB`, `4 KiB and 16 MiB`: runs of neighbours in [`SIZES`]
/// become ranges.
pub fn sizes_text(sizes: &[u64]) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for (i, &size) in SIZES.iter().enumerate() {
        if !sizes.contains(&size) {
            continue;
        }
        match runs.last_mut() {
            Some((_, last)) if i > 0 && *last == SIZES[i - 1] => *last = size,
            _ => runs.push((size, size)),
        }
    }
    let names: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                format_bytes(a as f64)
            } else {
                format!("{}–{}", format_bytes(a as f64), format_bytes(b as f64))
            }
        })
        .collect();
    match names.as_slice() {
        [] => "no size".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The matrix for this run (`--quick`: fewer rounds, smaller samples),
/// measured on first use.
pub fn matrix(ctx: &Ctx) -> Result<&'static Matrix, CheckError> {
    static FULL: OnceLock<Result<Matrix, String>> = OnceLock::new();
    static QUICK: OnceLock<Result<Matrix, String>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    cell.get_or_init(|| measure(ctx))
        .as_ref()
        .map_err(|e| CheckError(format!("sendfile vs loop timing: {e}")))
}

fn measure(ctx: &Ctx) -> Result<Matrix, String> {
    // Full: 15 rounds of ≥ 32 MiB samples (at most 400 transfers, so a
    // 4 KiB sample stays short); quick: 9 rounds of ≥ 8 MiB, at most 100.
    let (rounds, sample_bytes, cap) = ctx.pick((15, 32 << 20, 400), (9, 8 << 20, 100));
    let largest = *SIZES.iter().max().expect("sizes");
    let io = |e: std::io::Error| e.to_string();
    let dir = crate::zero_copy::files::Scratch::new("matrix").map_err(io)?;
    let path = dir.join("payload.bin");
    crate::zero_copy::files::write_pattern_file(&path, largest, 5).map_err(io)?;
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
            let setup = Setup::pinned(placement);
            let runs = loopback::compare(
                setup,
                &[LOOP, Method::Sendfile],
                &file,
                size,
                reps,
                rounds,
            )
            .map_err(|e| {
                format!("{} at {}: {e}", placement.label(), format_bytes(size as f64))
            })?;
            let residency = loopback::page_cache_residency(&file, size).map_err(io)?;
            congestion.clone_from(&runs[0].congestion);
            let [looped, sendfile]: [MethodRuns; 2] =
                runs.try_into().map_err(|_| "two methods, two runs".to_string())?;
            let pair = |f: fn(&Sample) -> f64| {
                sendfile.paired(&looped, f).ok_or_else(|| "too few rounds".to_string())
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
                looped,
                sendfile,
            });
        }
    }
    if cells.is_empty() {
        return Err("no thread placement is available to this process".into());
    }
    Ok(Matrix { rounds, sample_bytes, max_reps: cap, congestion, cells, skipped })
}
