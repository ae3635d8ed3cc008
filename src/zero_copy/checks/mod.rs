//! The chapter's claim checks, one per ledger id, in ledger order.
//!
//! - [`transfer`]: what the methods cost (the side-by-side loopback
//!   comparison is measured once per run and shared);
//! - [`seed`]: the seed's own code, ported and failing;
//! - [`server`]: confinement, robustness and memory of the file server.
//!
//! Thresholds a verdict depends on are named constants here, so the page
//! can state them.

pub mod seed;
pub mod server;
pub mod transfer;

use super::loopback::{self, MethodRuns};
use super::method::Method;
use crate::claims::{Check, CheckError, Ctx};
use std::sync::OnceLock;

/// A ratio of sender CPU below this counts as "lower CPU".
pub const CPU_SAVING: f64 = 0.9;
/// The seed's word "significantly" (显著), read as its own lowest target:
/// +50% throughput.
pub const SIGNIFICANT_GAIN: f64 = 1.5;
/// A throughput ratio below this counts as "no gain".
pub const NO_GAIN: f64 = 1.05;

/// The checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check { id: "C000-01", run: transfer::c000_01 },
    Check { id: "C000-02", run: transfer::c000_02 },
    Check { id: "C000-03", run: seed::c000_03 },
    Check { id: "C000-04", run: server::c000_04 },
    Check { id: "C000-05", run: seed::c000_05 },
    Check { id: "C000-22", run: seed::c000_22 },
    Check { id: "C001-26", run: seed::c001_26 },
    Check { id: "C002-01", run: transfer::c002_01 },
    Check { id: "C002-02", run: transfer::c002_02 },
    Check { id: "C002-03", run: transfer::c002_03 },
    Check { id: "C002-04", run: transfer::c002_04 },
    Check { id: "C002-05", run: transfer::c002_05 },
    Check { id: "C002-06", run: transfer::c002_06 },
    Check { id: "C002-07", run: transfer::c002_07 },
    Check { id: "C002-08", run: transfer::c002_08 },
    Check { id: "C002-09", run: server::c002_09 },
    Check { id: "C002-10", run: server::c002_10 },
    Check { id: "C002-11", run: server::c002_11 },
    Check { id: "C002-12", run: server::c002_12 },
    Check { id: "C002-13", run: server::c002_13 },
    Check { id: "D01", run: seed::d01 },
    Check { id: "D02", run: transfer::d02 },
    Check { id: "D03", run: server::d03 },
    Check { id: "D04", run: seed::d04 },
    Check { id: "D05", run: seed::d05 },
    Check { id: "D06", run: seed::d06 },
    Check { id: "D36", run: seed::d36 },
    Check { id: "D51", run: transfer::d51 },
    Check { id: "D52", run: server::d52 },
];

/// The side-by-side run most checks read: a file in the page cache sent to
/// 127.0.0.1 by each method, interleaved.
#[derive(Debug)]
pub struct Comparison {
    /// File size (bytes per transfer).
    pub size: u64,
    /// Transfers per sample.
    pub reps: u32,
    /// Samples per method.
    pub rounds: usize,
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
            "{} file in the page cache → 127.0.0.1; {} transfers per sample, {} interleaved \
             samples per method, medians; sender = the checking thread, receiver = another \
             thread on the same machine",
            crate::claims::verdict::format_bytes(self.size as f64),
            self.reps,
            self.rounds
        )
    }
}

/// The comparison for this run's size (`--quick`: 4 MiB × 2 × 3 rounds;
/// full: 16 MiB × 4 × 5 rounds), measured on first use.
pub fn comparison(ctx: &Ctx) -> Result<&'static Comparison, CheckError> {
    static FULL: OnceLock<Result<Comparison, String>> = OnceLock::new();
    static QUICK: OnceLock<Result<Comparison, String>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    cell.get_or_init(|| measure_comparison(ctx).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CheckError(format!("loopback comparison: {e}")))
}

fn measure_comparison(ctx: &Ctx) -> std::io::Result<Comparison> {
    let (size, reps, rounds) = ctx.pick((16 << 20, 4, 5), (4 << 20, 2, 3));
    let dir = super::files::Scratch::new("comparison")?;
    let path = dir.join("payload.bin");
    super::files::write_pattern_file(&path, size, 1)?;
    let file = std::fs::File::open(&path)?;
    let runs = loopback::compare(&Comparison::METHODS, &file, size, reps, rounds)?;
    Ok(Comparison { size, reps, rounds, runs })
}

/// `1.23` → `+23%`, `0.8` → `−20%`.
pub fn change(ratio: f64) -> String {
    let pct = (ratio - 1.0) * 100.0;
    if pct >= 0.0 { format!("+{pct:.0}%") } else { format!("−{:.0}%", -pct) }
}
