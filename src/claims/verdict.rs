//! What a check returns: evidence (named figures, each with a unit, and the
//! condition they were measured under) and the verdict computed from it.
//!
//! The rule of the workbook: `Confirmed`, `Refuted` and `HoldsOnlyWhen` are
//! computed by a [`Rule`](super::Rule) from figures measured in the same run. Only
//! `NotApplicable` and `Unverifiable` may be decided without measuring (a
//! check registered as [`Check::fixed`](super::Check::fixed)), and both carry a reason.

use crate::table::{Unit, format_value};
use std::fmt;

/// How a check judged a claim.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// The claim holds here. For a defect: the defect reproduces.
    Confirmed,
    /// The claim is false here. For a defect: it does not reproduce.
    Refuted,
    /// The claim holds, but only under `condition`, which the evidence shows
    /// from both sides. Reached only through
    /// [`Facts::holds_only_when`](super::rule::Facts::holds_only_when).
    HoldsOnlyWhen {
        /// The condition, stated precisely.
        condition: String,
        /// The names of the two figures that show it: where the claim holds,
        /// and where it does not.
        sides: [String; 2],
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
            Self::HoldsOnlyWhen { condition, .. } => condition.clone(),
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

/// One measured number.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    /// What was measured, e.g. `syscr, sendfile loop, 8 MiB`.
    pub name: String,
    /// The number, in the unit's base (bytes, ns, count …). In JSON, a
    /// number; `"inf"`, `"-inf"` or `"nan"` when not finite (a speed-up
    /// over a zero reading is infinite), so a saved report reads back whole.
    #[serde(with = "non_finite_as_text")]
    pub value: f64,
    /// How to read `value`.
    pub unit: Unit,
}

/// (De)serialises an `f64` as a JSON number, or as `"inf"`, `"-inf"` or
/// `"nan"` (JSON has no such numbers; serde_json would write `null`).
pub mod non_finite_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `v`.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else if v.is_nan() {
            s.serialize_str("nan")
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    /// Reads a number or one of the three words (`null` reads as NaN).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Num {
            N(f64),
            T(String),
            Null(()),
        }
        Ok(match Num::deserialize(d)? {
            Num::N(v) => v,
            Num::T(t) => match t.as_str() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                _ => f64::NAN,
            },
            Num::Null(()) => f64::NAN,
        })
    }
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

/// Figures and the condition they were measured under.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// A chapter's measurements, taken once per run and per size (full or
/// `--quick`) and shared by the example's tables and the claim checks, so a
/// page never shows two numbers for one fact. Each `figures.rs` keeps one
/// `static` per measurement:
///
/// ```
/// use perf_workbook::claims::{CheckError, Ctx, PerRun};
/// fn sizes(ctx: &Ctx) -> Result<&'static Vec<u64>, CheckError> {
///     static SIZES: PerRun<Result<Vec<u64>, CheckError>> = PerRun::new();
///     SIZES.get(ctx, || Ok(vec![1, 2, 3])).as_ref().map_err(Clone::clone)
/// }
/// assert_eq!(sizes(&Ctx { quick: true }).unwrap().len(), 3);
/// ```
pub struct PerRun<T> {
    cells: [std::sync::OnceLock<T>; 2],
}

impl<T> PerRun<T> {
    /// Nothing measured yet.
    pub const fn new() -> Self {
        Self { cells: [std::sync::OnceLock::new(), std::sync::OnceLock::new()] }
    }

    /// The measurement for `ctx`'s sizes, taken by `measure` on first use.
    pub fn get(&'static self, ctx: &Ctx, measure: impl FnOnce() -> T) -> &'static T {
        self.cells[usize::from(ctx.quick)].get_or_init(measure)
    }
}

impl<T> Default for PerRun<T> {
    fn default() -> Self {
        Self::new()
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

#[cfg(test)]
mod tests {
    use super::*;

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
