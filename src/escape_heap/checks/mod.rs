//! The chapter's claim checks, one function per ledger id, grouped by topic.
//! Each measures with the counting allocator (and, where a claim is about
//! speed or the kernel, with a side-by-side timing or `/proc`), and computes
//! its verdict from what it measured.
//!
//! The binary that runs them must install the counting allocator (the
//! `workbook` CLI and the chapter's example do); a check panics otherwise.

pub mod escape;
pub mod growth;
pub mod retention;
pub mod values;

use super::rustc::{self, Diagnostics};
use crate::claims::{CheckError, Evidence, Unit};
use crate::measure::alloc::{AllocCounts, measure};
use crate::measure::child::{self, ChildOutcome};
use std::time::Duration;

/// The allocations `f` makes; its result is dropped after counting.
pub(crate) fn count<R>(f: impl FnOnce() -> R) -> AllocCounts {
    let (r, c) = measure(f);
    drop(r);
    c
}

/// Records allocs, reallocs and bytes requested of `c` under `label`, and
/// returns allocator calls (allocs + reallocs).
pub(crate) fn record(ev: &mut Evidence, label: &str, c: &AllocCounts) -> u64 {
    ev.add(format!("{label}: allocs"), c.allocs as f64, Unit::Count);
    ev.add(format!("{label}: reallocs"), c.reallocs as f64, Unit::Count);
    ev.add(format!("{label}: bytes requested"), c.bytes_requested as f64, Unit::Bytes);
    c.calls()
}

/// What rustc says about snippet `name`, whatever it is (for checks whose
/// verdict is whether the port compiles).
pub(crate) fn rustc_on(name: &str) -> Result<Diagnostics, CheckError> {
    rustc::diagnostics(name).map_err(CheckError)
}

/// What rustc says about snippet `name`; an error if it does not say what
/// the chapter expects (the port would no longer show the point).
pub(crate) fn rustc_says(name: &str) -> Result<Diagnostics, CheckError> {
    let d = rustc::diagnostics(name).map_err(CheckError)?;
    let expect = rustc::snippet(name).expect;
    if !d.meets(expect) {
        return Err(CheckError(format!(
            "rustc did not report {expect:?} for the port {name}.rs: {}",
            d.describe()
        )));
    }
    Ok(d)
}

/// Runs the child `modes` at the same time and returns their outcomes in order.
pub(crate) fn run_children(modes: &[&str]) -> Result<Vec<ChildOutcome>, CheckError> {
    let outcomes: Vec<Result<ChildOutcome, CheckError>> = std::thread::scope(|s| {
        let handles: Vec<_> = modes
            .iter()
            .map(|m| s.spawn(move || child::run_mode(m, Duration::from_secs(60))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| CheckError::from("child runner panicked"))?
                    .map_err(Into::into)
            })
            .collect()
    });
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, _>>()?;
    for (mode, o) in modes.iter().zip(&outcomes) {
        if o.exit_code == Some(3) {
            return Err(CheckError(format!(
                "child mode {mode} is not dispatched by this binary (call \
                 chapters::dispatch_child() first in main)"
            )));
        }
    }
    Ok(outcomes)
}

/// `-89.0%` style percentage change from `before` to `after`.
pub(crate) fn change(before: f64, after: f64) -> String {
    format!("{:+.1}%", (after - before) / before * 100.0)
}
