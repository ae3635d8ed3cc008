//! Compiles one std-only source file with `rustc` and reports what it said:
//! whether it compiled, the error codes (`E0515` …) and the lint names of the
//! warnings (`unused_variables` …).
//!
//! For the chapters' faithful ports of seed code that must not compile (or
//! must warn), and for Rust analogues of Go compile errors. On stable Rust,
//! rustdoc does not check the error code written after `compile_fail` (it
//! parses it only on nightly), so a port that failed for another reason
//! would still pass as a doctest; compiling it here with
//! `--error-format=json` and comparing the codes works on every toolchain.
//!
//! Only type and borrow checking (`--emit=metadata`, no code generation:
//! tens of milliseconds a file). Not for anything with dependencies.

use std::path::PathBuf;
use std::process::Command;

/// The compiler to run: `$RUSTC` if set, else `rustc` from `PATH`.
pub fn rustc_path() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

/// How to compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options<'a> {
    /// `bin` (the file has its own `fn main`) or `lib`.
    pub crate_type: &'a str,
    /// `2024`, `2021` …
    pub edition: &'a str,
    /// More arguments, e.g. `["-D", "warnings"]`.
    pub extra: &'a [&'a str],
}

impl Options<'static> {
    /// A binary crate, edition 2024, default lints.
    pub const BIN: Self = Self { crate_type: "bin", edition: "2024", extra: &[] };
    /// A library crate, edition 2024, default lints.
    pub const LIB: Self = Self { crate_type: "lib", edition: "2024", extra: &[] };
}

/// What rustc must say about a file, for a port to make its point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Fail with this error code (among possibly others).
    Error(&'static str),
    /// Compile, warning with (at least) these lints.
    Warns(&'static [&'static str]),
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
    /// The first error message, for errors without a code (a parse error).
    pub first_error: Option<String>,
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

/// Why a file could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RustcError {
    /// No compiler could be started (the workbook's binary run without a
    /// Rust toolchain on `PATH`): a check says "unverifiable here".
    NoCompiler(String),
    /// Anything else (a scratch directory, a failure without a diagnostic).
    Other(String),
}

impl std::fmt::Display for RustcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoCompiler(e) | Self::Other(e) => f.write_str(e),
        }
    }
}

impl From<RustcError> for String {
    fn from(e: RustcError) -> Self {
        e.to_string()
    }
}

/// Type- and borrow-checks `source` (called `name`, for messages and the
/// scratch directory) and collects the diagnostics.
pub fn check(
    name: &str,
    source: &str,
    opts: Options<'_>,
) -> Result<Diagnostics, RustcError> {
    let dir = scratch_dir(name)?;
    let file = dir.join(format!("{name}.rs"));
    let result = std::fs::write(&file, source)
        .map_err(|e| RustcError::Other(format!("writing {}: {e}", file.display())))
        .and_then(|()| {
            Command::new(rustc_path())
                .args(["--edition", opts.edition, "--crate-type", opts.crate_type])
                .args([
                    "--emit=metadata",
                    "--error-format=json",
                    "--crate-name",
                    "snippet",
                ])
                .arg("-o")
                .arg(dir.join("snippet.rmeta"))
                .args(opts.extra)
                .arg(&file)
                .output()
                .map_err(|e| {
                    RustcError::NoCompiler(format!("cannot run {}: {e}", rustc_path()))
                })
        });
    let _ = std::fs::remove_dir_all(&dir);
    let out = result?;
    let mut d = Diagnostics { compiled: out.status.success(), ..Default::default() };
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let level = v["level"].as_str();
        if level == Some("error") && d.first_error.is_none() {
            d.first_error = v["message"].as_str().map(str::to_string);
        }
        let Some(code) = v["code"]["code"].as_str() else { continue };
        match level {
            Some("error") => d.errors.push(code.to_string()),
            Some("warning") => d.warnings.push(code.to_string()),
            _ => {}
        }
    }
    Ok(d)
}

fn scratch_dir(name: &str) -> Result<PathBuf, RustcError> {
    let dir = std::env::temp_dir().join(format!(
        "perf-workbook-rustc-{}-{name}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| RustcError::Other(format!("creating {}: {e}", dir.display())))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore)]
    fn errors_and_warnings_are_reported_by_code() {
        let d = check("ok", "fn main() { let x = 1; }", Options::BIN).unwrap();
        assert!(d.compiled);
        assert_eq!(d.warnings, ["unused_variables"]);
        let d = check("parse", "fn main( {", Options::BIN).unwrap();
        assert!(!d.compiled && d.errors.is_empty() && d.first_error.is_some());
        let d = check("bad", "fn main() { let s: u8 = \"x\"; }", Options::BIN).unwrap();
        assert!(!d.compiled);
        assert_eq!(d.errors, ["E0308"]);
        assert_eq!(d.describe(), "error E0308");
        let strict = Options { extra: &["-D", "warnings"], ..Options::LIB };
        let d = check("deny", "use std::time::Duration;", strict).unwrap();
        assert!(!d.compiled);
        assert_eq!(d.errors, ["unused_imports"]);
        assert!(d.meets(Expect::Error("unused_imports")));
        assert!(!d.meets(Expect::Warns(&["unused_imports"])));
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn a_missing_compiler_is_its_own_error() {
        // `RUSTC` is read per call; setting it here would race with the other
        // tests, so a child process runs the probe with it set.
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "measure::rustc::tests::probe_missing_compiler",
                "--ignored",
            ])
            .env("RUSTC", "/nonexistent/rustc")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }

    #[test]
    #[ignore = "run by a_missing_compiler_is_its_own_error in a child process"]
    fn probe_missing_compiler() {
        let e = check("x", "fn main() {}", Options::BIN).unwrap_err();
        assert!(matches!(e, RustcError::NoCompiler(_)), "{e:?}");
    }
}
