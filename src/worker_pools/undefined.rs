//! D75: seed 000's pool uses `Job[T]`, `Result[T]`, `processJob` and
//! `updateMetrics` and defines none of them (§1.3.1 L282-283, L368-369), so
//! the section does not compile. Its Rust port, with the same four holes,
//! is compiled with `rustc` (the shared instrument [`crate::measure::rustc`]),
//! beside the same port with the four defined.

use crate::measure::rustc::{Diagnostics, Options, check};

/// The port as written.
pub const PORT: &str = include_str!("snippets/undefined_job.rs");

/// The port with the missing pieces defined.
pub const DEFINED: &str = include_str!("snippets/defined_job.rs");

/// What rustc said of each.
#[derive(Clone, Debug)]
pub struct Undefined {
    /// The port as written.
    pub port: Diagnostics,
    /// With the definitions.
    pub defined: Diagnostics,
}

impl Undefined {
    /// Errors of the port that name something missing: E0412 (no such
    /// type), E0425 (no such value) or E0599 (no such method).
    pub fn missing_items(&self) -> usize {
        self.port
            .errors
            .iter()
            .filter(|e| ["E0412", "E0425", "E0599"].contains(&e.as_str()))
            .count()
    }
}

/// Compiles both (`--emit=metadata`, tens of milliseconds each).
pub fn compile() -> Result<Undefined, String> {
    Ok(Undefined {
        port: check("wp_undefined_job", PORT, Options::BIN)?,
        defined: check("wp_defined_job", DEFINED, Options::BIN)?,
    })
}
