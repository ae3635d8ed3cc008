//! The chapter's faithful ports of seed code that rustc must reject or warn
//! about, each with what it must say, compiled once per process by the
//! instrument [`crate::measure::rustc`].
//!
//! The ports that must not compile are also `compile_fail` doctests in this
//! module tree, but on stable Rust rustdoc does **not** check the error code
//! written after `compile_fail`, so a port that failed for another reason
//! would still pass. The claim checks and `tests/escape_heap/` compare the
//! codes rustc reports, on every toolchain.
//!
//! The API other chapters use: [`snippet`] (a port and what rustc must say),
//! [`check_source`] (compile any source), [`diagnostics`] and
//! [`error_codes`] (what rustc said about a port, compiled once per process).
//!
//! Not for: anything that needs dependencies. A snippet is one std-only file
//! with its own `fn main`, compiled with `--emit=metadata` (type and borrow
//! checking, no code generation: about 30 ms each).

pub use crate::measure::rustc::{Diagnostics, Expect, rustc_path};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A faithful port of a seed's code, kept as a file under `snippets/`.
#[derive(Clone, Copy, Debug)]
pub struct Snippet {
    /// The file name without `.rs`.
    pub name: &'static str,
    /// The source text.
    pub source: &'static str,
    /// What rustc must say about it.
    pub expect: Expect,
}

/// Every snippet of the chapter.
pub const SNIPPETS: &[Snippet] = &[
    Snippet {
        name: "return_ref_to_local",
        source: include_str!("snippets/return_ref_to_local.rs"),
        expect: Expect::Error("E0515"),
    },
    Snippet {
        name: "undefined_size",
        source: include_str!("snippets/undefined_size.rs"),
        expect: Expect::Error("E0425"),
    },
    Snippet {
        name: "unused_locals",
        source: include_str!("snippets/unused_locals.rs"),
        expect: Expect::Warns(&["unused_variables"]),
    },
    Snippet {
        name: "buffer_reset",
        source: include_str!("snippets/buffer_reset.rs"),
        expect: Expect::Error("E0599"),
    },
    Snippet {
        name: "reassign_large",
        source: include_str!("snippets/reassign_large.rs"),
        expect: Expect::Warns(&["unused_assignments", "unused_variables"]),
    },
    Snippet {
        name: "slice_outlives_data",
        source: include_str!("snippets/slice_outlives_data.rs"),
        expect: Expect::Error("E0505"),
    },
    Snippet {
        name: "shared_append",
        source: include_str!("snippets/shared_append.rs"),
        expect: Expect::Error("E0499"),
    },
    Snippet {
        name: "metric_snapshot",
        source: include_str!("snippets/metric_snapshot.rs"),
        expect: Expect::Error("E0505"),
    },
];

/// The snippet called `name`. Panics on an unknown name (a typo in this crate).
pub fn snippet(name: &str) -> &'static Snippet {
    SNIPPETS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no snippet {name:?}"))
}

/// Type- and borrow-checks `source` as a binary crate (edition 2024) and
/// collects the diagnostics (see [`crate::measure::rustc`]).
pub fn check_source(name: &str, source: &str) -> Result<Diagnostics, String> {
    let d =
        crate::measure::rustc::check(name, source, crate::measure::rustc::Options::BIN)?;
    if !d.compiled && d.errors.is_empty() {
        return Err(format!(
            "{} failed without an error code: {}",
            rustc_path(),
            d.first_error.as_deref().unwrap_or("")
        ));
    }
    Ok(d)
}

/// Every snippet, compiled once per process: one rustc process per snippet,
/// all started together (each takes a few tens of milliseconds).
pub fn all() -> &'static HashMap<&'static str, Result<Diagnostics, String>> {
    static DIAGNOSTICS: OnceLock<HashMap<&'static str, Result<Diagnostics, String>>> =
        OnceLock::new();
    DIAGNOSTICS.get_or_init(|| {
        std::thread::scope(|s| {
            let handles: Vec<_> = SNIPPETS
                .iter()
                .map(|sn| (sn.name, s.spawn(|| check_source(sn.name, sn.source))))
                .collect();
            handles
                .into_iter()
                .map(|(name, h)| {
                    (
                        name,
                        h.join().unwrap_or_else(|_| Err("rustc thread panicked".into())),
                    )
                })
                .collect()
        })
    })
}

/// What rustc says about snippet `name` (from [`all`], compiling every
/// snippet on first use). Later chapters call this with their own snippet
/// names once they add them to [`SNIPPETS`].
pub fn diagnostics(name: &str) -> Result<Diagnostics, String> {
    all().get(name).cloned().unwrap_or_else(|| Err(format!("no snippet {name:?}")))
}

/// The error codes rustc reports for snippet `name` (empty when it compiles).
pub fn error_codes(name: &str) -> Result<Vec<String>, String> {
    diagnostics(name).map(|d| d.errors)
}

/// What rustc says about snippet `name`, or an error when it does not say
/// what [`Snippet::expect`] records (the port would no longer show its point).
pub fn expected(name: &str) -> Result<Diagnostics, String> {
    let d = diagnostics(name)?;
    let expect = snippet(name).expect;
    if d.meets(expect) {
        Ok(d)
    } else {
        Err(format!(
            "rustc did not report {expect:?} for the port {name}.rs: {}",
            d.describe()
        ))
    }
}
