//! The ledger: every claim (`C…`) and seed defect (`D…`) the workbook checks,
//! the verdicts a check can reach, and the renderers that print them.
//!
//! - [`ledger`] is the catalogue, read from `src/claims/ledger.tsv`: for each
//!   id, the owning chapter slug, the seed file and section, what the Go guide
//!   claims (in English, with its exact figures), and the verdict the research
//!   ledger *predicted*. The prediction is never shown as a result: a check
//!   measures, and the renderers flag where the measurement disagrees.
//! - [`Check`], [`Finding`], [`Evidence`], [`Verdict`]: what a chapter
//!   registers ([`check`]) and what its checks return ([`verdict`]).
//! - [`Rule`]: the deciding half of a measured check, a pure function of the
//!   evidence with named thresholds and examples (see [`rule`]).
//! - [`render`]: terminal table, Markdown (for the book), JSON.
//!
//! This module knows nothing of chapters beyond their slugs; the registry of
//! chapters and their checks is [`crate::chapters`].

pub mod check;
pub mod render;
pub mod rule;
pub mod saved;
pub mod verdict;

pub use crate::table::Unit;
pub use check::{Check, How, Measure, Measured};
pub use rule::{Example, Facts, Outcome, Rule, Threshold, example};
pub use verdict::{CheckError, Ctx, Evidence, Figure, Finding, PerRun, Verdict};

use std::sync::OnceLock;

/// How a claim is phrased in the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// States or implies a number.
    Quantitative,
    /// A statement without a number.
    Qualitative,
    /// Both.
    Mixed,
    /// A defect in the seed's own code or measurement.
    Defect(Severity),
}

/// How bad a seed defect is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Cosmetic: compile errors in passing, unused fields.
    Low,
    /// Leaks, misleading benchmarks, races under some use.
    Medium,
    /// Silent data loss or wrong results.
    High,
    /// Memory safety or security.
    Critical,
}

/// The verdict the research ledger predicted before any measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prediction {
    /// Predicted to hold.
    Confirmed,
    /// Predicted false.
    Refuted,
    /// Predicted to hold under a condition.
    HoldsOnlyWhen,
    /// A Go-runtime fact with no Rust counterpart.
    NotApplicable,
    /// No workload in the seed to reproduce.
    Unverifiable,
    /// A defect predicted to reproduce.
    Reproduced,
}

/// One entry of the catalogue.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClaimInfo {
    /// `C000-01` … for claims, `D01` … for defects.
    pub id: &'static str,
    /// Slug of the owning chapter; `later-…` for chapters not in this book yet.
    pub chapter: &'static str,
    /// Seed number, `000` … `004`.
    pub seed: &'static str,
    /// Section and line numbers in the seed.
    pub location: &'static str,
    /// Quantitative, qualitative, or a defect with its severity.
    pub kind: Kind,
    /// What the research ledger predicted.
    pub predicted: Prediction,
    /// What the seed claims (or what is wrong, for a defect), in English.
    pub statement: &'static str,
}

impl ClaimInfo {
    /// True for `D…` entries.
    pub fn is_defect(&self) -> bool {
        matches!(self.kind, Kind::Defect(_))
    }

    /// The seed's file name under `shared/seeds/`.
    pub fn seed_file(&self) -> &'static str {
        seed_file(self.seed).unwrap_or("unknown seed")
    }
}

/// File name of a seed, by number.
pub fn seed_file(seed: &str) -> Option<&'static str> {
    Some(match seed {
        "000" => "000_aff7e1ac513375da.txt",
        "001" => "001_99f7e010924d615c.txt",
        "002" => "002_a9af441658ebcb65.txt",
        "003" => "003_7c96195e1be60ac8.txt",
        "004" => "004_93937e00a48dfd07.txt",
        _ => return None,
    })
}

const LEDGER_TSV: &str = include_str!("ledger.tsv");

/// The whole catalogue, in ledger order.
pub fn ledger() -> &'static [ClaimInfo] {
    static LEDGER: OnceLock<Vec<ClaimInfo>> = OnceLock::new();
    LEDGER.get_or_init(|| {
        parse_ledger(LEDGER_TSV).expect("src/claims/ledger.tsv is well formed")
    })
}

/// The catalogue entry for `id`.
pub fn claim(id: &str) -> Option<&'static ClaimInfo> {
    ledger().iter().find(|c| c.id == id)
}

/// Parses the catalogue format: one entry per line, seven tab-separated
/// fields (`id chapter seed location kind predicted statement`); lines that
/// start with `#` are comments.
pub fn parse_ledger(text: &'static str) -> Result<Vec<ClaimInfo>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&'static str> = line.split('\t').collect();
        let [id, chapter, seed, location, kind, predicted, statement] = f[..] else {
            return Err(format!(
                "ledger line {}: expected 7 fields, got {}",
                n + 1,
                f.len()
            ));
        };
        let kind = match kind {
            "Q" => Kind::Quantitative,
            "QL" => Kind::Qualitative,
            "Q-QL" => Kind::Mixed,
            "defect-low" => Kind::Defect(Severity::Low),
            "defect-medium" => Kind::Defect(Severity::Medium),
            "defect-high" => Kind::Defect(Severity::High),
            "defect-critical" => Kind::Defect(Severity::Critical),
            other => {
                return Err(format!("ledger line {}: unknown kind {other:?}", n + 1));
            }
        };
        let predicted = match predicted {
            "CONFIRMED" => Prediction::Confirmed,
            "REFUTED" => Prediction::Refuted,
            "HOLDS-ONLY-WHEN" => Prediction::HoldsOnlyWhen,
            "N/A-RUST" => Prediction::NotApplicable,
            "UNVERIFIABLE" => Prediction::Unverifiable,
            "REPRODUCED" => Prediction::Reproduced,
            other => {
                return Err(format!(
                    "ledger line {}: unknown prediction {other:?}",
                    n + 1
                ));
            }
        };
        if seed_file(seed).is_none() {
            return Err(format!("ledger line {}: unknown seed {seed:?}", n + 1));
        }
        let id_ok = match id.as_bytes() {
            [b'C', s @ .., b'-', a, b] => {
                s == seed.as_bytes() && a.is_ascii_digit() && b.is_ascii_digit()
            }
            [b'D', a, b] => a.is_ascii_digit() && b.is_ascii_digit(),
            _ => false,
        };
        if !id_ok || (id.starts_with('D') != matches!(kind, Kind::Defect(_))) {
            return Err(format!("ledger line {}: malformed id {id:?}", n + 1));
        }
        out.push(ClaimInfo { id, chapter, seed, location, kind, predicted, statement });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_parses_and_ids_are_unique() {
        let l = ledger();
        assert_eq!(l.iter().filter(|c| !c.is_defect()).count(), 169);
        assert_eq!(l.iter().filter(|c| c.is_defect()).count(), 72);
        let mut ids: Vec<_> = l.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), l.len());
    }

    #[test]
    fn every_claim_names_a_known_seed_and_a_statement() {
        for c in ledger() {
            assert!(c.seed_file().ends_with(".txt"), "{}", c.id);
            assert!(c.statement.len() > 10, "{}", c.id);
            assert!(!c.location.is_empty(), "{}", c.id);
        }
    }

    #[test]
    fn malformed_lines_are_rejected() {
        assert!(parse_ledger("C000-01\tzero_copy\t000").is_err());
        assert!(parse_ledger("C001-01\tx\t000\tL1\tQ\tCONFIRMED\ttext").is_err());
        assert!(parse_ledger("D01\tx\t000\tL1\tQ\tCONFIRMED\ttext").is_err());
        assert!(parse_ledger("C000-01\tx\t000\tL1\tQ\tMAYBE\ttext").is_err());
        assert_eq!(
            parse_ledger("# c\nC000-01\tx\t000\tL1\tQ\tCONFIRMED\ttext").unwrap().len(),
            1
        );
    }
}
