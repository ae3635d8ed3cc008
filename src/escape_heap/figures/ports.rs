//! The seeds' races fixed, and the seeds' code compiled by rustc.

use super::common::{Figure, count, once};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::escape_heap::races;
use crate::escape_heap::rustc::{self, Diagnostics};

/// The race fixes (D57's and D24's, shown; their claims belong to later chapters).
#[derive(Debug)]
pub struct Races {
    /// Requests answered.
    pub requests: usize,
    /// Workers.
    pub workers: usize,
    /// (fix, all answers in order, caller's allocations, workers' allocations).
    pub fixes: Vec<(&'static str, bool, u64, u64)>,
    /// Metrics in the snapshot, and the snapshot's allocations.
    pub snapshot: (usize, u64),
}

/// The fixes, run and counted.
pub fn races(ctx: &Ctx) -> Figure<Races> {
    static CELL: PerRun<Result<Races, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let (n, workers) = (1000u32, 4);
        let requests: Vec<u32> = (0..n).collect();
        let want: Vec<u32> = requests.iter().map(|&x| races::process(x)).collect();
        let fixes = [
            (
                "scoped threads, own slots",
                races::answer_with_scoped_slots(&requests, workers),
            ),
            (
                "channel of (index, answer)",
                races::answer_with_channel(&requests, workers),
            ),
            ("Mutex<Vec> + sort", races::answer_with_mutex(&requests, workers)),
        ]
        .into_iter()
        .map(|(name, a)| (name, a.responses == want, a.caller.allocs, a.workers.allocs))
        .collect();
        let registry = races::MetricRegistry::default();
        let metrics = 10;
        for i in 0..metrics {
            registry.add(&format!("metric-{i}"), 1.0);
        }
        let snapshot = (metrics, count(|| registry.snapshot()).allocs);
        Ok(Races { requests: n as usize, workers, fixes, snapshot })
    })
}

/// A seed snippet ported line by line, and what rustc said about it.
#[derive(Debug)]
pub struct Port {
    /// The snippet's name (its file under `snippets/`, without `.rs`).
    pub name: &'static str,
    /// Where in the seeds it comes from.
    pub seed: &'static str,
    /// What rustc said.
    pub rustc: Diagnostics,
}

/// Every port, compiled once per run.
pub fn ports(ctx: &Ctx) -> Figure<Vec<Port>> {
    static CELL: PerRun<Result<Vec<Port>, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        [
            ("return_ref_to_local", "001 §6.1.1.3.2 L84-87"),
            ("undefined_size", "001 §6.1.1.3.2 L68-82 (D30)"),
            ("unused_locals", "001 §6.1.1.3.1 L45-55 (D29)"),
            ("buffer_reset", "001 §6.1.1.9.1 L820-843 (D45)"),
            ("reassign_large", "001 §6.1.1.9.2 L851-862 (D46)"),
            ("slice_outlives_data", "003 strategy 4 L292-296"),
            ("shared_append", "003 best practice 2 L407-440 (D57)"),
            ("metric_snapshot", "000 §1.5.1 L695-709 (D24)"),
        ]
        .into_iter()
        .map(|(name, seed)| {
            Ok(Port { name, seed, rustc: rustc::diagnostics(name).map_err(CheckError)? })
        })
        .collect()
    })
}

/// What rustc said about port `name`, whatever it was.
pub fn port_as_is(ctx: &Ctx, name: &str) -> Result<&'static Diagnostics, CheckError> {
    ports(ctx)?
        .iter()
        .find(|p| p.name == name)
        .map(|p| &p.rustc)
        .ok_or_else(|| CheckError(format!("no port {name}")))
}

/// What rustc said about port `name`, checked against what the chapter
/// expects of it (an error when it says something else: the port would no
/// longer show its point).
pub fn port(ctx: &Ctx, name: &str) -> Result<&'static Diagnostics, CheckError> {
    let d = port_as_is(ctx, name)?;
    let expect = rustc::snippet(name).expect;
    if !d.meets(expect) {
        return Err(CheckError(format!(
            "rustc did not report {expect:?} for the port {name}.rs: {}",
            d.describe()
        )));
    }
    Ok(d)
}
