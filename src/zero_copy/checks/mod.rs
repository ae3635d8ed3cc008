//! The chapter's claim checks, one per ledger id, in ledger order.
//!
//! - [`transfer`]: what the methods copy and cost; the counts come from one
//!   transfer per method ([`comparison`]), the timings from [`matrix`],
//!   both measured once per run and shared;
//! - [`seed`]: the seed's own code, ported and failing;
//! - [`server`]: confinement, robustness and memory of the file server.
//!
//! Thresholds a verdict depends on are named constants here, so the page
//! can state them.

pub mod matrix;
pub mod seed;
pub mod server;
pub mod transfer;

use super::loopback::{self, MethodRuns, Placement, Setup};
use super::method::Method;
use crate::claims::{Check, CheckError, Ctx};
use std::sync::OnceLock;

/// The seed's CPU target, −30% to −60%: a saving of at least 30% (ratio
/// ≤ 0.7) counts as reaching it.
pub const CPU_TARGET: f64 = 0.7;
/// The seed's throughput target, +50% to +200%: a gain of at least 50%
/// (ratio ≥ 1.5) counts as reaching it; more than +200% exceeds it.
pub const THROUGHPUT_TARGET: f64 = 1.5;

/// The checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::legacy("C000-01", transfer::c000_01),
    Check::legacy("C000-02", transfer::c000_02),
    Check::legacy("C000-03", seed::c000_03),
    Check::legacy("C000-04", server::c000_04),
    Check::legacy("C000-05", seed::c000_05),
    Check::legacy("C000-22", seed::c000_22),
    Check::legacy("C001-26", seed::c001_26),
    Check::legacy("C002-01", transfer::c002_01),
    Check::legacy("C002-02", transfer::c002_02),
    Check::legacy("C002-03", transfer::c002_03),
    Check::legacy("C002-04", transfer::c002_04),
    Check::legacy("C002-05", transfer::c002_05),
    Check::legacy("C002-06", transfer::c002_06),
    Check::legacy("C002-07", transfer::c002_07),
    Check::legacy("C002-08", transfer::c002_08),
    Check::legacy("C002-09", server::c002_09),
    Check::legacy("C002-10", server::c002_10),
    Check::legacy("C002-11", server::c002_11),
    Check::legacy("C002-12", server::c002_12),
    Check::legacy("C002-13", server::c002_13),
    Check::legacy("D01", seed::d01),
    Check::legacy("D02", transfer::d02),
    Check::legacy("D03", server::d03),
    Check::legacy("D04", seed::d04),
    Check::legacy("D05", seed::d05),
    Check::legacy("D06", seed::d06),
    Check::legacy("D36", seed::d36),
    Check::legacy("D51", transfer::d51),
    Check::legacy("D52", server::d52),
];

/// The counting run: a file in the page cache sent to 127.0.0.1 once by
/// each method. The checks that read it use only counts (syscalls, bytes
/// through user space, heap bytes), which do not change from run to run;
/// the timing claims read [`matrix`].
#[derive(Debug)]
pub struct Comparison {
    /// File size (bytes per transfer).
    pub size: u64,
    /// One entry per method.
    pub runs: Vec<MethodRuns>,
}

impl Comparison {
    /// The methods it compares.
    pub const METHODS: [Method; 3] =
        [Method::ReadWrite(64 << 10), Method::StdIoCopy, Method::Sendfile];

    /// The runs of `method`.
    pub fn of(&self, method: Method) -> &MethodRuns {
        self.runs.iter().find(|r| r.method == method).expect("method in the comparison")
    }

    /// The conditions, for the evidence.
    pub fn condition(&self) -> String {
        format!(
            "{} file in the page cache → 127.0.0.1, sent once by each method after one \
             untimed transfer; counts from /proc/thread-self/io and the counting allocator, \
             on the sending thread",
            crate::table::format_bytes(self.size as f64),
        )
    }
}

/// The counting run for this run's size (`--quick`: 4 MiB; full: 16 MiB),
/// measured on first use.
pub fn comparison(ctx: &Ctx) -> Result<&'static Comparison, CheckError> {
    static FULL: OnceLock<Result<Comparison, String>> = OnceLock::new();
    static QUICK: OnceLock<Result<Comparison, String>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    cell.get_or_init(|| measure_comparison(ctx).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CheckError(format!("loopback comparison: {e}")))
}

fn measure_comparison(ctx: &Ctx) -> std::io::Result<Comparison> {
    let size = ctx.pick(16 << 20, 4 << 20);
    let dir = super::files::Scratch::new("comparison")?;
    let path = dir.join("payload.bin");
    super::files::write_pattern_file(&path, size, 1)?;
    let file = std::fs::File::open(&path)?;
    let setup = Setup::pinned(Placement::Unpinned);
    let runs = loopback::compare(setup, &Comparison::METHODS, &file, size, 1, 1)?;
    Ok(Comparison { size, runs })
}

/// `1.23` → `+23%`, `0.8` → `−20%`.
pub fn change(ratio: f64) -> String {
    let pct = (ratio - 1.0) * 100.0;
    if pct >= 0.0 { format!("+{pct:.0}%") } else { format!("−{:.0}%", -pct) }
}
