//! Compiles the chapter's faithful ports of seed code with `rustc` and reports
//! what it said: the error codes (`E0515` …) and the lint names of the
//! warnings (`unused_variables` …).
//!
//! Why this exists: the ports that must not compile are `compile_fail`
//! doctests in this module tree, but on stable Rust rustdoc does **not**
//! check the error code written after `compile_fail` (it parses it only on
//! nightly), so a port that failed for another reason would still pass. The
//! claim checks and `tests/escape_heap/` compile the same files with
//! `rustc --error-format=json` and compare the codes, on every toolchain.
//!
//! The API other chapters use: [`snippet`] (a port and what rustc must say),
//! [`check_source`] (compile any source), [`diagnostics`] and
//! [`error_codes`] (what rustc said about a port, compiled once per process).
//!
//! Not for: anything that needs dependencies. A snippet is one std-only file
//! with its own `fn main`, compiled with `--emit=metadata` (type and borrow
//! checking, no code generation: about 30 ms each).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// What a snippet is expected to do under rustc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Fail with this error code (among possibly others).
    Error(&'static str),
    /// Compile, warning with (at least) these lints.
    Warns(&'static [&'static str]),
}

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

/// What rustc said about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// rustc exited with status 0.
    pub compiled: bool,
    /// Error codes, in the order reported (`E0515`).
    pub errors: Vec<String>,
    /// Lint names of the warnings, in the order reported (`unused_variables`).
    pub warnings: Vec<String>,
}

impl Diagnostics {
    /// True when rustc did what `expect` says.
    pub fn meets(&self, expect: Expect) -> bool {
        match expect {
            Expect::Error(code) => {
                !self.compiled && self.errors.iter().any(|e| e == code)
            }
            Expect::Warns(lints) => {
                self.compiled
                    && lints.iter().all(|l| self.warnings.iter().any(|w| w == l))
            }
        }
    }

    /// `error E0515` / `compiles, 2 warnings (unused_variables ×2)`.
    pub fn describe(&self) -> String {
        if !self.compiled {
            return format!("error {}", self.errors.join(", "));
        }
        let mut lints: Vec<(&str, usize)> = Vec::new();
        for w in &self.warnings {
            match lints.iter_mut().find(|(l, _)| l == w) {
                Some((_, n)) => *n += 1,
                None => lints.push((w, 1)),
            }
        }
        let list: Vec<String> = lints.iter().map(|(l, n)| format!("{l} ×{n}")).collect();
        format!("compiles, {} warnings ({})", self.warnings.len(), list.join(", "))
    }
}

/// The compiler to run: `$RUSTC` if set, else `rustc` from `PATH`.
pub fn rustc_path() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

/// Type- and borrow-checks `source` as a binary crate (edition 2024) and
/// collects the diagnostics.
pub fn check_source(name: &str, source: &str) -> Result<Diagnostics, String> {
    let dir = scratch_dir(name)?;
    let file = dir.join(format!("{name}.rs"));
    std::fs::write(&file, source)
        .map_err(|e| format!("writing {}: {e}", file.display()))?;
    let out = Command::new(rustc_path())
        .args(["--edition", "2024", "--crate-type", "bin", "--emit=metadata"])
        .args(["--error-format=json", "--crate-name", "snippet", "-o"])
        .arg(dir.join("snippet.rmeta"))
        .arg(&file)
        .output()
        .map_err(|e| {
            format!("cannot run {} (needed to compile the ports): {e}", rustc_path())
        });
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    let mut d = Diagnostics { compiled: out.status.success(), ..Default::default() };
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(code) = v["code"]["code"].as_str() else { continue };
        match v["level"].as_str() {
            Some("error") => d.errors.push(code.to_string()),
            Some("warning") => d.warnings.push(code.to_string()),
            _ => {}
        }
    }
    if !d.compiled && d.errors.is_empty() {
        return Err(format!(
            "{} failed without a diagnostic: {}",
            rustc_path(),
            String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("")
        ));
    }
    Ok(d)
}

fn scratch_dir(name: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "perf-workbook-escape-heap-{}-{name}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
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
