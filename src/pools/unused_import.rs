//! D07's Rust counterpart. Seed 000 imports `time` and never uses it (§1.2.1
//! L151-154), which Go rejects at compile time. In Rust an unused `use` is
//! the `unused_imports` lint: a warning by default, an error under
//! `-D warnings`. This compiles a one-line crate both ways with `rustc`
//! (`--emit=metadata`: checking only, tens of milliseconds) and reports what
//! it said. It decides nothing about Go.
//!
//! Not for: snippets with dependencies.

use crate::measure::rustc::{self, Options};

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

/// Compiles [`SOURCE`] with default lints and with `-D warnings`.
pub fn compile() -> Result<LintOutcome, String> {
    let default = rustc::check("unused_import", SOURCE, Options::LIB)?;
    let strict = Options { extra: &["-D", "warnings"], ..Options::LIB };
    let denying = rustc::check("unused_import", SOURCE, strict)?;
    Ok(LintOutcome {
        compiles_by_default: default.compiled,
        warns_unused_import: default.warnings.iter().any(|w| w == "unused_imports"),
        compiles_denying_warnings: denying.compiled,
    })
}
