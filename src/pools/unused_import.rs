//! D07's Rust counterpart. Seed 000 imports `time` and never uses it (§1.2.1
//! L151-154), which Go rejects at compile time. In Rust an unused `use` is
//! the `unused_imports` lint: a warning by default, an error under
//! `-D warnings`. This compiles a one-line crate both ways with `rustc`
//! (`--emit=metadata`: checking only, tens of milliseconds) and reports what
//! it said. It decides nothing about Go.
//!
//! Not for: snippets with dependencies.

use std::path::PathBuf;
use std::process::Command;

/// The crate compiled: an import nothing uses.
pub const SOURCE: &str = "use std::time::Duration;\n";

/// What `rustc` did with [`SOURCE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LintOutcome {
    /// It compiled with the default lints.
    pub compiles_by_default: bool,
    /// The default run warned `unused_imports`.
    pub warns_unused_import: bool,
    /// It compiled with `-D warnings`.
    pub compiles_denying_warnings: bool,
}

/// `$RUSTC`, or `rustc` on the `PATH`.
fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string())
}

fn scratch_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "perf-workbook-pools-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Compiles [`SOURCE`] with default lints and with `-D warnings`.
pub fn compile() -> Result<LintOutcome, String> {
    let dir = scratch_dir()?;
    let file = dir.join("unused_import.rs");
    let run = |extra: &[&str]| {
        Command::new(rustc())
            .args(["--edition", "2024", "--crate-type", "lib", "--emit=metadata"])
            .args(["--crate-name", "unused_import", "--out-dir"])
            .arg(&dir)
            .args(extra)
            .arg(&file)
            .output()
            .map_err(|e| {
                format!("cannot run {} (the D07 analogue needs it): {e}", rustc())
            })
    };
    let result = std::fs::write(&file, SOURCE)
        .map_err(|e| format!("writing {}: {e}", file.display()))
        .and_then(|()| Ok((run(&[])?, run(&["-D", "warnings"])?)));
    let _ = std::fs::remove_dir_all(&dir);
    let (default, denying) = result?;
    Ok(LintOutcome {
        compiles_by_default: default.status.success(),
        warns_unused_import: String::from_utf8_lossy(&default.stderr)
            .contains("unused_imports"),
        compiles_denying_warnings: denying.status.success(),
    })
}
