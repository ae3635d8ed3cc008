//! A check as a chapter registers it: a claim id and how its verdict is
//! reached, measured and decided by a [`Rule`], or static with its reason.
//! This module sits above [`super::verdict`] (what a verdict and its evidence
//! are) and [`super::rule`] (how a rule decides), and ties the two together.

use super::rule::{Outcome, Rule};
use super::verdict::{CheckError, Ctx, Evidence, Finding, Verdict};
use std::fmt;

/// What a check's measuring half returns: the evidence, and one line that
/// states its key figures (never the verdict: the rule decides that).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// Everything measured.
    pub evidence: Evidence,
    /// The key figures in words, e.g. "an mmap of 1024 MiB takes 23 µs".
    pub summary: String,
}

impl Measured {
    /// Evidence and its summary.
    pub fn new(evidence: Evidence, summary: impl Into<String>) -> Self {
        Self { evidence, summary: summary.into() }
    }
}

/// The measuring half of a check.
pub type Measure = fn(&Ctx) -> Result<Measured, CheckError>;

/// How a check reaches its verdict.
#[derive(Clone, Copy)]
pub enum How {
    /// Measures, then a [`Rule`] decides from the evidence alone.
    Measured {
        /// Runs the workload.
        measure: Measure,
        /// Decides.
        rule: &'static Rule,
    },
    /// A verdict no measurement decides (`NotApplicable` or `Unverifiable`),
    /// with its reason; `analogue` may measure the nearest Rust counterpart
    /// for the reader, without deciding anything.
    Static {
        /// The verdict and its reason.
        verdict: fn() -> Verdict,
        /// The measured Rust analogue, if any.
        analogue: Option<Measure>,
    },
}

/// A claim check a chapter registers: the claim id and how it is decided.
#[derive(Clone, Copy)]
pub struct Check {
    /// A ledger id, e.g. `C000-08` or `D10`.
    pub id: &'static str,
    /// Measured and ruled, or static.
    pub how: How,
}

impl Check {
    /// A measured check: `measure`, then `rule`.
    pub const fn measured(
        id: &'static str,
        measure: Measure,
        rule: &'static Rule,
    ) -> Self {
        Self { id, how: How::Measured { measure, rule } }
    }

    /// A static check: `verdict` must be `NotApplicable` or `Unverifiable`.
    pub const fn fixed(
        id: &'static str,
        verdict: fn() -> Verdict,
        analogue: Option<Measure>,
    ) -> Self {
        Self { id, how: How::Static { verdict, analogue } }
    }

    /// The rule, for a measured check.
    pub fn rule(&self) -> Option<&'static Rule> {
        match self.how {
            How::Measured { rule, .. } => Some(rule),
            _ => None,
        }
    }

    /// True when no measurement decides the verdict.
    pub fn is_static(&self) -> bool {
        matches!(self.how, How::Static { .. })
    }

    /// Measures (where it does) and decides.
    pub fn run(&self, ctx: &Ctx) -> Result<Finding, CheckError> {
        match self.how {
            How::Measured { measure, rule } => {
                let m = measure(ctx)?;
                let verdict = rule
                    .apply(&m.evidence)
                    .map_err(|e| CheckError(format!("the rule could not decide: {e}")))?;
                Ok(Finding::new(verdict, m.summary, m.evidence))
            }
            How::Static { verdict, analogue } => {
                let verdict = verdict();
                if Outcome::of(&verdict).is_measured() {
                    return Err(CheckError(format!(
                        "a static check may only be not applicable or unverifiable, \
                         not {}",
                        verdict.label(false)
                    )));
                }
                let m = match analogue {
                    Some(measure) => measure(ctx)?,
                    None => Measured::new(
                        Evidence::new("nothing measured: the verdict is static"),
                        "nothing on this machine can measure it (the reason follows)",
                    ),
                };
                Ok(Finding::new(verdict, m.summary, m.evidence))
            }
        }
    }
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("static", &self.is_static())
            .finish_non_exhaustive()
    }
}
