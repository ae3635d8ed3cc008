//! The ports that must not compile, compiled with the workbook's snippet
//! compiler [`crate::measure::rustc`]: seed 000's exporter reading metrics
//! through references after its lock is released (`metric_snapshot`, E0505,
//! kept with chapter 3's snippets, which own the file), and seed 001's
//! `Shutdown` calling a `GetStats` that `MemoryMonitor` does not have
//! (`get_stats`, E0599), beside the same code calling the method that exists
//! (`get_stats_fixed`, compiles).

use crate::measure::rustc::{self, Options};
pub use crate::measure::rustc::{Diagnostics, Expect};
use std::sync::OnceLock;

/// A snippet of this chapter.
#[derive(Clone, Copy, Debug)]
pub struct Snippet {
    /// Its name.
    pub name: &'static str,
    /// Its source.
    pub source: &'static str,
    /// What rustc must say.
    pub expect: Expect,
}

/// This chapter's snippets (`metric_snapshot`'s source is chapter 3's file).
pub fn all() -> [Snippet; 3] {
    let m = crate::escape_heap::rustc::snippet("metric_snapshot");
    [
        Snippet { name: m.name, source: m.source, expect: m.expect },
        Snippet {
            name: "get_stats",
            source: include_str!("snippets/get_stats.rs"),
            expect: Expect::Error("E0599"),
        },
        Snippet {
            name: "get_stats_fixed",
            source: include_str!("snippets/get_stats_fixed.rs"),
            expect: Expect::Warns(&[]),
        },
    ]
}

/// Type- and borrow-checks one snippet (a binary crate, edition 2024). A
/// failure without an error code (a parse error) is an error: the port
/// would no longer show its point.
pub fn check(sn: &Snippet) -> Result<Diagnostics, String> {
    let d = rustc::check(sn.name, sn.source, Options::BIN)?;
    if !d.compiled && d.errors.is_empty() {
        return Err(format!(
            "{} failed on {} without an error code: {}",
            rustc::rustc_path(),
            sn.name,
            d.first_error.as_deref().unwrap_or("")
        ));
    }
    Ok(d)
}

/// What rustc said of each snippet, compiled once per process (all three
/// at once, one rustc each).
pub fn compiled() -> &'static Vec<(Snippet, Result<Diagnostics, String>)> {
    static CELL: OnceLock<Vec<(Snippet, Result<Diagnostics, String>)>> = OnceLock::new();
    CELL.get_or_init(|| {
        std::thread::scope(|s| {
            let hs: Vec<_> =
                all().into_iter().map(|sn| (sn, s.spawn(move || check(&sn)))).collect();
            hs.into_iter()
                .map(|(sn, h)| {
                    (sn, h.join().unwrap_or_else(|_| Err("rustc panicked".into())))
                })
                .collect()
        })
    })
}

/// The diagnostics of snippet `name`.
pub fn diagnostics(name: &str) -> Result<Diagnostics, String> {
    compiled()
        .iter()
        .find(|(s, _)| s.name == name)
        .map(|(_, d)| d.clone())
        .unwrap_or_else(|| Err(format!("no snippet {name:?}")))
}
