//! The Go side's output read back: the one JSON document `gocheck` prints
//! (see `go/cmd/gocheck`), evidence per ledger id.
//!
//! ```json
//! { "go_version": "go1.27.3", "quick": false, "elapsed_s": 7.1,
//!   "claims": { "C004-01": { "chapter": "mmap", "condition": "…", "summary": "…",
//!     "figures": [ { "name": "make largest: allocation", "value": 864790,
//!                    "unit": "nanos" } ], "error": null, "elapsed_ms": 3.1 } } }
//! ```
//!
//! Units are [`Unit`]'s names; a figure's value may be `"inf"`, `"-inf"` or
//! `"nan"`, as in the workbook's own reports.

use crate::claims::{Evidence, Figure};
use std::collections::BTreeMap;

/// One run of `gocheck`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct GoReport {
    /// The Go version that built and ran it (`go1.27.3`).
    pub go_version: String,
    /// Whether `-quick` sizes were used.
    #[serde(default)]
    pub quick: bool,
    /// How long the measurements took.
    #[serde(default)]
    pub elapsed_s: f64,
    /// The toolchain it used for escape analysis and the race detector, or
    /// why there was none.
    #[serde(default)]
    pub toolchain: String,
    /// Evidence per ledger id.
    pub claims: BTreeMap<String, GoClaim>,
}

/// What the Go side measured for one claim.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct GoClaim {
    /// The workbook chapter it belongs to.
    pub chapter: String,
    /// What was run, with its sizes and settings.
    #[serde(default)]
    pub condition: String,
    /// The key figures in one line.
    #[serde(default)]
    pub summary: String,
    /// The measured numbers.
    #[serde(default)]
    pub figures: Vec<Figure>,
    /// Why the measurement could not be taken (then there are no figures).
    pub error: Option<String>,
    /// How long it took.
    #[serde(default)]
    pub elapsed_ms: f64,
}

impl GoClaim {
    /// The figures as the workbook's [`Evidence`].
    pub fn evidence(&self) -> Evidence {
        Evidence { condition: self.condition.clone(), figures: self.figures.clone() }
    }
}

/// Parses `gocheck`'s output.
pub fn parse(text: &str) -> Result<GoReport, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("the Go side printed no valid report: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Unit;

    #[test]
    fn a_report_parses_with_units_errors_and_non_finite_values() {
        let text = r#"{"go_version": "go1.19.8", "claims": {
            "C000-08": {"chapter": "struct_layout", "condition": "c", "summary": "s",
              "figures": [{"name": "a", "value": 64, "unit": "bytes"},
                          {"name": "r", "value": "inf", "unit": "ratio"}],
              "error": null, "elapsed_ms": 1.5},
            "D17": {"chapter": "lock_free_ring", "figures": [], "error": "no race detector"}}}"#;
        let r = parse(text).unwrap();
        assert_eq!(r.go_version, "go1.19.8");
        let c = &r.claims["C000-08"];
        assert_eq!(c.figures[0].unit, Unit::Bytes);
        assert!(c.figures[1].value.is_infinite());
        assert_eq!(c.evidence().get("a"), Some(64.0));
        assert_eq!(r.claims["D17"].error.as_deref(), Some("no race detector"));
    }

    #[test]
    fn a_wrong_unit_or_shape_is_an_error() {
        let bad_unit = r#"{"go_version": "go1", "claims": {"X": {"chapter": "c",
            "figures": [{"name": "a", "value": 1, "unit": "furlongs"}], "error": null}}}"#;
        assert!(parse(bad_unit).unwrap_err().contains("furlongs"));
        assert!(parse("{}").is_err());
        assert!(parse("not json").is_err());
    }
}
