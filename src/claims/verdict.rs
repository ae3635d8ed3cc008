//! What a check returns: evidence (named figures, each with a unit, and the
//! condition they were measured under) and the verdict computed from it.
//!
//! The rule of the workbook: `Confirmed`, `Refuted` and `HoldsOnlyWhen` are
//! computed from figures measured in the same run. Only `NotApplicable` and
//! `Unverifiable` may be decided without measuring, and both carry a reason.

use std::fmt;

/// How a check judged a claim.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// The claim holds here. For a defect: the defect reproduces.
    Confirmed,
    /// The claim is false here. For a defect: it does not reproduce.
    Refuted,
    /// The claim holds, but only under `condition`, which the evidence shows.
    HoldsOnlyWhen {
        /// The condition, stated precisely.
        condition: String,
    },
    /// A Go-runtime fact with no Rust counterpart.
    NotApplicable {
        /// Why it does not carry over.
        reason: String,
        /// The nearest Rust analogue (measured in the evidence where possible).
        analogue: String,
    },
    /// Nothing in the seed can be run to check it.
    Unverifiable {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// `Confirmed` if `holds`, else `Refuted`.
    pub fn confirmed_if(holds: bool) -> Self {
        if holds { Self::Confirmed } else { Self::Refuted }
    }

    /// `HoldsOnlyWhen { condition }`.
    pub fn holds_only_when(condition: impl Into<String>) -> Self {
        Self::HoldsOnlyWhen { condition: condition.into() }
    }

    /// `NotApplicable { reason, analogue }`.
    pub fn not_applicable(
        reason: impl Into<String>,
        analogue: impl Into<String>,
    ) -> Self {
        Self::NotApplicable { reason: reason.into(), analogue: analogue.into() }
    }

    /// `Unverifiable { reason }`.
    pub fn unverifiable(reason: impl Into<String>) -> Self {
        Self::Unverifiable { reason: reason.into() }
    }

    /// The verdict's category, as a short label (`confirmed`, `refuted`,
    /// `holds only when`, `not applicable`, `unverifiable`). For a defect,
    /// `reproduced` and `not reproduced` replace the first two.
    pub fn label(&self, defect: bool) -> &'static str {
        match (self, defect) {
            (Self::Confirmed, false) => "confirmed",
            (Self::Confirmed, true) => "reproduced",
            (Self::Refuted, false) => "refuted",
            (Self::Refuted, true) => "not reproduced",
            (Self::HoldsOnlyWhen { .. }, _) => "holds only when",
            (Self::NotApplicable { .. }, _) => "not applicable",
            (Self::Unverifiable { .. }, _) => "unverifiable",
        }
    }

    /// The text that goes with the verdict: the condition, or the reason and
    /// the analogue. Empty for `Confirmed` and `Refuted`.
    pub fn detail(&self) -> String {
        match self {
            Self::Confirmed | Self::Refuted => String::new(),
            Self::HoldsOnlyWhen { condition } => condition.clone(),
            Self::NotApplicable { reason, analogue } => {
                format!("{reason} Rust analogue: {analogue}")
            }
            Self::Unverifiable { reason } => reason.clone(),
        }
    }

    /// Whether this verdict is the one the research ledger predicted.
    pub fn matches(&self, predicted: super::Prediction) -> bool {
        use super::Prediction as P;
        matches!(
            (self, predicted),
            (Self::Confirmed, P::Confirmed | P::Reproduced)
                | (Self::Refuted, P::Refuted)
                | (Self::HoldsOnlyWhen { .. }, P::HoldsOnlyWhen)
                | (Self::NotApplicable { .. }, P::NotApplicable)
                | (Self::Unverifiable { .. }, P::Unverifiable)
        )
    }
}

/// The unit of a [`Figure`]; decides how it is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count of events (allocations, syscalls, faults, items).
    Count,
    /// Bytes, printed exactly and in KiB/MiB/GiB.
    Bytes,
    /// Nanoseconds, printed in ns/µs/ms/s as fits.
    Nanos,
    /// A ratio, printed as `1.23×`.
    Ratio,
    /// A fraction, printed as a percentage (0.25 → `25.0%`).
    Fraction,
    /// Bytes per second, printed in MiB/s or GiB/s.
    BytesPerSec,
    /// Operations per second, printed in M/s.
    PerSec,
    /// Yes (1) or no (0).
    Bool,
}

/// One measured number.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Figure {
    /// What was measured, e.g. `syscr, sendfile loop, 8 MiB`.
    pub name: String,
    /// The number, in the unit's base (bytes, ns, count …).
    pub value: f64,
    /// How to read `value`.
    pub unit: Unit,
}

impl Figure {
    /// A figure.
    pub fn new(name: impl Into<String>, value: f64, unit: Unit) -> Self {
        Self { name: name.into(), value, unit }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.name, format_value(self.value, self.unit))
    }
}

/// Formats a value in its unit, the way the tables print it.
pub fn format_value(v: f64, unit: Unit) -> String {
    if v.is_nan() {
        return "n/a".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    match unit {
        Unit::Count => {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                group_thousands(v as i64)
            } else {
                format!("{v:.2}")
            }
        }
        Unit::Bytes => format_bytes(v),
        Unit::Nanos => format_nanos(v),
        Unit::Ratio => {
            if v >= 100.0 {
                format!("{v:.0}×")
            } else {
                format!("{v:.2}×")
            }
        }
        Unit::Fraction => format!("{:.1}%", v * 100.0),
        Unit::BytesPerSec => {
            if v >= (1u64 << 30) as f64 {
                format!("{:.2} GiB/s", v / (1u64 << 30) as f64)
            } else {
                format!("{:.0} MiB/s", v / (1u64 << 20) as f64)
            }
        }
        Unit::PerSec => {
            if v >= 1e6 {
                format!("{:.1} M/s", v / 1e6)
            } else {
                format!("{:.0} /s", v)
            }
        }
        Unit::Bool => if v != 0.0 { "yes" } else { "no" }.to_string(),
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `4096` → `4 KiB`, `1536` → `1,536 B (1.5 KiB)`.
pub fn format_bytes(v: f64) -> String {
    const UNITS: [(&str, f64); 3] =
        [("GiB", (1u64 << 30) as f64), ("MiB", (1u64 << 20) as f64), ("KiB", 1024.0)];
    if v.fract() == 0.0 {
        for (name, size) in UNITS {
            if v.abs() >= size && (v / size).fract() == 0.0 {
                return format!("{} {name}", group_thousands((v / size) as i64));
            }
        }
        let exact = format!("{} B", group_thousands(v as i64));
        for (name, size) in UNITS {
            if v.abs() >= size {
                return format!("{exact} ({:.1} {name})", v / size);
            }
        }
        return exact;
    }
    format!("{v:.1} B")
}

/// `1500.0` → `1.50 µs`.
pub fn format_nanos(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2} s", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} ms", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.2} µs", v / 1e3)
    } else {
        format!("{v:.2} ns")
    }
}

/// Figures and the condition they were measured under.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// Sizes, build profile, repetitions, anything a reader needs to redo it.
    pub condition: String,
    /// The measured numbers.
    pub figures: Vec<Figure>,
}

impl Evidence {
    /// Empty evidence measured under `condition`.
    pub fn new(condition: impl Into<String>) -> Self {
        Self { condition: condition.into(), figures: Vec::new() }
    }

    /// Adds a figure and returns its value, so a check can record a number
    /// and decide on it in one line.
    pub fn add(&mut self, name: impl Into<String>, value: f64, unit: Unit) -> f64 {
        self.figures.push(Figure::new(name, value, unit));
        value
    }

    /// The value of the figure called `name`, if recorded.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.figures.iter().find(|f| f.name == name).map(|f| f.value)
    }
}

/// A check's result: the verdict, the evidence it was computed from, and a
/// one-line summary that states the key figure.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Finding {
    /// The computed verdict.
    pub verdict: Verdict,
    /// The key figure in words, e.g. "both structs are 64 B in every layout".
    pub summary: String,
    /// Everything measured.
    pub evidence: Evidence,
}

impl Finding {
    /// Bundles a verdict with its evidence and summary.
    pub fn new(verdict: Verdict, summary: impl Into<String>, evidence: Evidence) -> Self {
        Self { verdict, summary: summary.into(), evidence }
    }
}

/// Sizes to use: the full run or `--quick` (small sizes, for CI).
#[derive(Clone, Copy, Debug, Default)]
pub struct Ctx {
    /// Small sizes and few repetitions.
    pub quick: bool,
}

impl Ctx {
    /// `full` normally, `quick` under `--quick`.
    pub fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }
}

/// A check could not run (a missing kernel feature, an I/O error). Not a
/// verdict: the CLI reports it and exits non-zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckError(pub String);

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckError {}

impl CheckError {
    /// The error a Linux-only check returns on other systems.
    pub fn requires_linux(what: &str) -> Self {
        Self(format!("{what} requires Linux"))
    }
}

impl From<std::io::Error> for CheckError {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<String> for CheckError {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for CheckError {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

/// A claim check a chapter registers: the claim id and the function that
/// measures and judges it.
#[derive(Clone, Copy)]
pub struct Check {
    /// A ledger id, e.g. `C000-08` or `D10`.
    pub id: &'static str,
    /// Measures and returns the finding.
    pub run: fn(&Ctx) -> Result<Finding, CheckError>,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_in_their_units() {
        assert_eq!(format_value(1024.0, Unit::Count), "1,024");
        assert_eq!(format_value(-1234567.0, Unit::Count), "-1,234,567");
        assert_eq!(format_value(4096.0, Unit::Bytes), "4 KiB");
        assert_eq!(format_value(64.0, Unit::Bytes), "64 B");
        assert_eq!(format_value(1536.0, Unit::Bytes), "1,536 B (1.5 KiB)");
        assert_eq!(format_value((1u64 << 30) as f64, Unit::Bytes), "1 GiB");
        assert_eq!(format_value(1500.0, Unit::Nanos), "1.50 µs");
        assert_eq!(format_value(0.4, Unit::Nanos), "0.40 ns");
        assert_eq!(format_value(2.5e9, Unit::Nanos), "2.50 s");
        assert_eq!(format_value(1.234, Unit::Ratio), "1.23×");
        assert_eq!(format_value(16000.0, Unit::Ratio), "16000×");
        assert_eq!(format_value(0.66, Unit::Fraction), "66.0%");
        assert_eq!(format_value(1.0, Unit::Bool), "yes");
        assert_eq!(format_value(f64::INFINITY, Unit::Ratio), "∞");
        assert_eq!(format_value(f64::NAN, Unit::Nanos), "n/a");
    }

    #[test]
    fn defect_verdicts_read_as_reproduction() {
        assert_eq!(Verdict::Confirmed.label(true), "reproduced");
        assert_eq!(Verdict::Refuted.label(false), "refuted");
        assert!(Verdict::Confirmed.matches(crate::claims::Prediction::Reproduced));
        assert!(!Verdict::Refuted.matches(crate::claims::Prediction::Confirmed));
    }

    #[test]
    fn evidence_add_returns_the_value() {
        let mut e = Evidence::new("test");
        let v = e.add("x", 3.0, Unit::Count);
        assert_eq!(v, 3.0);
        assert_eq!(e.get("x"), Some(3.0));
        assert_eq!(e.get("y"), None);
    }
}
