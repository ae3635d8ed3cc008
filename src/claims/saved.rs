//! A report saved as JSON (`workbook --format json > FILE`), read back: to
//! render the book's appendices from the committed reference report
//! (`--from`), and to compare this machine's run with it (`--compare`).
//!
//! Only what the JSON carries comes back: verdicts, summaries, evidence,
//! errors and timings. Which rule decided is looked up in the running
//! binary's registry by the caller.

use super::render::{GoResult, GoStatus, Outcome, Report, Section};
use super::rule::Rule;
use super::{CheckError, ClaimInfo, Finding, claim};
use crate::table::{Unit, format_value};
use serde_json::Value;
use std::time::Duration;

/// What the registry says of a claim id: whether its check is static, and
/// its rule. Supplied by the caller, since `claims` knows no chapter.
pub type Lookup = fn(&str) -> (bool, Option<&'static Rule>);

/// What the Go side's registry says of a claim id: its Go rule, if any.
pub type GoLookup = fn(&str) -> Option<&'static Rule>;

/// Reads a report from its JSON text (Go results read back without their
/// rules; see [`from_json_with`]).
pub fn from_json(text: &str, lookup: Lookup) -> Result<Report, String> {
    from_json_with(text, lookup, |_| None)
}

/// Reads a report from its JSON text, looking up each claim's Rust rule
/// with `lookup` and its Go rule with `go_lookup`. A report saved before
/// the Go side existed (no `go` fields) reads back with the Go side off.
pub fn from_json_with(
    text: &str,
    lookup: Lookup,
    go_lookup: GoLookup,
) -> Result<Report, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let machine = serde_json::from_value(v["machine"].clone())
        .map_err(|e| format!("no machine info: {e}"))?;
    let claims = v["claims"].as_array().ok_or("no \"claims\" array")?;
    let mut sections: Vec<Section> = Vec::new();
    for c in claims {
        let id = c["id"].as_str().ok_or("a claim without an id")?;
        let info: &'static ClaimInfo =
            claim(id).ok_or_else(|| format!("claim {id} is not in this ledger"))?;
        let slug = c["chapter"].as_str().unwrap_or(info.chapter);
        if sections.last().is_none_or(|s| s.slug != info.chapter) {
            let number = sections.len() as u8;
            let title = info.chapter;
            let _ = slug;
            sections.push(Section::new(number, info.chapter, title));
        }
        let sec = sections.last_mut().expect("just pushed");
        let (is_static, rule) = lookup(id);
        let go = go_result(id, &c["go"], go_lookup)?;
        match c["status"].as_str() {
            Some("pending") => sec.pending.push(info),
            Some("error") => sec.outcomes.push(Outcome {
                claim: info,
                result: Err(CheckError(c["error"].as_str().unwrap_or("").to_string())),
                elapsed: ms(&c["elapsed_ms"]),
                is_static,
                rule,
                go,
            }),
            _ => {
                let finding = Finding {
                    verdict: serde_json::from_value(c["verdict"].clone())
                        .map_err(|e| format!("{id}: verdict: {e}"))?,
                    summary: c["summary"].as_str().unwrap_or("").to_string(),
                    evidence: serde_json::from_value(c["evidence"].clone())
                        .map_err(|e| format!("{id}: evidence: {e}"))?,
                };
                sec.outcomes.push(Outcome {
                    claim: info,
                    result: Ok(finding),
                    elapsed: ms(&c["elapsed_ms"]),
                    is_static,
                    rule,
                    go,
                });
            }
        }
    }
    let mut go = go_status(&v["go"]);
    // A report spliced together from runs (scripts/update-reference.py) may
    // carry Go results without the run's Go status: the Go side ran.
    if go == GoStatus::Off {
        let version = sections
            .iter()
            .flat_map(|s| s.outcomes.iter())
            .find_map(|o| o.go.as_ref().map(|g| g.version.clone()));
        if let Some(version) = version {
            go =
                GoStatus::Ran { version, elapsed: Duration::ZERO, build: "saved".into() };
        }
    }
    Ok(Report {
        machine,
        quick: v["quick"].as_bool().unwrap_or(false),
        sections,
        elapsed: Duration::from_secs_f64(v["elapsed_s"].as_f64().unwrap_or(0.0)),
        go,
    })
}

/// A claim's `go` object read back; `None` for null or absent.
fn go_result(
    id: &str,
    g: &Value,
    go_lookup: GoLookup,
) -> Result<Option<GoResult>, String> {
    if g.is_null() {
        return Ok(None);
    }
    let version = g["version"].as_str().ok_or_else(|| format!("{id}: go: no version"))?;
    let result = match g["error"].as_str() {
        Some(e) => Err(CheckError(e.to_string())),
        None => Ok(Finding {
            verdict: serde_json::from_value(g["verdict"].clone())
                .map_err(|e| format!("{id}: go verdict: {e}"))?,
            summary: g["summary"].as_str().unwrap_or("").to_string(),
            evidence: serde_json::from_value(g["evidence"].clone())
                .map_err(|e| format!("{id}: go evidence: {e}"))?,
        }),
    };
    Ok(Some(GoResult { version: version.to_string(), result, rule: go_lookup(id) }))
}

/// The report's top-level `go` object read back.
fn go_status(g: &Value) -> GoStatus {
    let reason = || g["reason"].as_str().unwrap_or("").to_string();
    match g["status"].as_str() {
        Some("ran") => GoStatus::Ran {
            version: g["version"].as_str().unwrap_or("go").to_string(),
            elapsed: Duration::from_secs_f64(
                g["elapsed_s"].as_f64().unwrap_or(0.0).max(0.0),
            ),
            build: g["build"].as_str().unwrap_or("").to_string(),
        },
        Some("skipped") => GoStatus::Skipped(reason()),
        Some("failed") => GoStatus::Failed(reason()),
        _ => GoStatus::Off,
    }
}

fn ms(v: &Value) -> Duration {
    Duration::from_secs_f64(v.as_f64().unwrap_or(0.0).max(0.0) / 1e3)
}

/// One difference between this run and a saved report.
#[derive(Clone, Debug, PartialEq)]
pub enum Difference {
    /// The verdict's label differs.
    Verdict {
        /// Claim id.
        id: &'static str,
        /// Here.
        here: String,
        /// In the saved report.
        saved: String,
    },
    /// The Go verdict's label differs (or one report has a Go result and
    /// the other none).
    GoVerdict {
        /// Claim id.
        id: &'static str,
        /// Here (`none` without a Go result).
        here: String,
        /// In the saved report.
        saved: String,
    },
    /// A figure differs by more than [`FIGURE_FACTOR`] (either way).
    Figure {
        /// Claim id.
        id: &'static str,
        /// Figure name.
        name: String,
        /// Unit.
        unit: Unit,
        /// Here.
        here: f64,
        /// In the saved report.
        saved: f64,
    },
}

/// How far apart two figures must be to be listed: more than 2× either way.
pub const FIGURE_FACTOR: f64 = 2.0;

/// Where `here` differs from `saved`: verdicts first, then figures, in
/// ledger order. Claims only one report has are skipped.
pub fn compare(here: &Report, saved: &Report) -> Vec<Difference> {
    let mut verdicts = Vec::new();
    let mut figures = Vec::new();
    let label = |o: &Outcome| match &o.result {
        Ok(f) => f.verdict.label(o.claim.is_defect()).to_string(),
        Err(_) => "error".to_string(),
    };
    for o in here.outcomes() {
        let Some(s) = saved.outcomes().find(|s| s.claim.id == o.claim.id) else {
            continue;
        };
        if label(o) != label(s) {
            verdicts.push(Difference::Verdict {
                id: o.claim.id,
                here: label(o),
                saved: label(s),
            });
        }
        let go_label = |o: &Outcome| {
            o.go.as_ref().map_or("none", |g| g.label(o.claim.is_defect())).to_string()
        };
        // A Go verdict only one side has is a difference only when both
        // reports ran the Go side.
        let both_ran = matches!(here.go, GoStatus::Ran { .. })
            && matches!(saved.go, GoStatus::Ran { .. });
        if go_label(o) != go_label(s) && (both_ran || (o.go.is_some() && s.go.is_some()))
        {
            verdicts.push(Difference::GoVerdict {
                id: o.claim.id,
                here: go_label(o),
                saved: go_label(s),
            });
        }
        let (Ok(a), Ok(b)) = (&o.result, &s.result) else { continue };
        for fa in &a.evidence.figures {
            let Some(fb) = b.evidence.figures.iter().find(|f| f.name == fa.name) else {
                continue;
            };
            if far_apart(fa.value, fb.value) {
                figures.push(Difference::Figure {
                    id: o.claim.id,
                    name: fa.name.clone(),
                    unit: fa.unit,
                    here: fa.value,
                    saved: fb.value,
                });
            }
        }
    }
    verdicts.extend(figures);
    verdicts
}

fn far_apart(a: f64, b: f64) -> bool {
    if !a.is_finite() || !b.is_finite() || a == b {
        return false;
    }
    let (lo, hi) = (a.abs().min(b.abs()), a.abs().max(b.abs()));
    (a.signum() != b.signum() && hi > 0.0) || hi > FIGURE_FACTOR * lo
}

/// The comparison as text, one difference per line.
pub fn comparison_text(diffs: &[Difference], saved_name: &str) -> String {
    let nv = diffs
        .iter()
        .filter(|d| {
            matches!(d, Difference::Verdict { .. } | Difference::GoVerdict { .. })
        })
        .count();
    let nf = diffs.len() - nv;
    let mut s = format!(
        "\ncompared with {saved_name}: {nv} verdicts differ, {nf} figures differ by more \
         than {FIGURE_FACTOR}×\n"
    );
    for d in diffs {
        match d {
            Difference::Verdict { id, here, saved } => {
                s.push_str(&format!("  {id:<8} verdict: {here} here, {saved} there\n"));
            }
            Difference::GoVerdict { id, here, saved } => {
                s.push_str(&format!(
                    "  {id:<8} Go verdict: {here} here, {saved} there\n"
                ));
            }
            Difference::Figure { id, name, unit, here, saved } => {
                s.push_str(&format!(
                    "  {id:<8} {name}: {} here, {} there\n",
                    format_value(*here, *unit),
                    format_value(*saved, *unit)
                ));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::render::json;
    use crate::claims::{Evidence, Verdict};
    use crate::measure::machine::MachineInfo;

    fn report(verdict: Verdict, ns: f64) -> Report {
        let mut ev = Evidence::new("x");
        ev.add("alloc", ns, Unit::Nanos);
        ev.add("faults", 10.0, Unit::Count);
        let mut sec = Section::new(7, "mmap", "mmap and large buffers");
        sec.outcomes.push(Outcome {
            claim: claim("C004-01").unwrap(),
            result: Ok(Finding::new(verdict, "s", ev)),
            elapsed: Duration::from_millis(2),
            is_static: false,
            rule: None,
            go: None,
        });
        Report {
            machine: MachineInfo::collect(),
            quick: true,
            sections: vec![sec],
            elapsed: Duration::from_millis(2),
            go: GoStatus::Off,
        }
    }

    #[test]
    fn a_saved_report_reads_back_as_it_was_written() {
        let r = report(Verdict::Refuted, 23_000.0);
        let text = serde_json::to_string(&json(&r)).unwrap();
        let back = from_json(&text, |_| (false, None)).unwrap();
        let (a, b) = (r.outcomes().next().unwrap(), back.outcomes().next().unwrap());
        assert_eq!(a.result, b.result);
        assert_eq!(back.machine, r.machine);
        assert!(from_json("{}", |_| (false, None)).is_err());
    }

    #[test]
    fn comparison_lists_verdicts_and_figures_twice_apart() {
        let here = report(Verdict::Refuted, 23_000.0);
        assert!(compare(&here, &report(Verdict::Refuted, 40_000.0)).is_empty());
        let d = compare(&here, &report(Verdict::Confirmed, 50_000.0));
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            matches!(&d[0], Difference::Verdict { saved, .. } if saved == "confirmed")
        );
        assert!(matches!(&d[1], Difference::Figure { name, .. } if name == "alloc"));
        let text = comparison_text(&d, "ref.json");
        assert!(text.contains("1 verdicts differ, 1 figures differ"), "{text}");
    }

    #[test]
    fn go_results_read_back_and_compare() {
        let r = crate::claims::render::tests::with_go();
        let text = serde_json::to_string(&json(&r)).unwrap();
        let back = from_json_with(&text, |_| (false, None), |_| None).unwrap();
        assert_eq!(back.go, r.go);
        for (a, b) in r.outcomes().zip(back.outcomes()) {
            let (ga, gb) = (a.go.as_ref(), b.go.as_ref());
            assert_eq!(ga.map(|g| &g.result), gb.map(|g| &g.result), "{}", a.claim.id);
        }
        // The same report without its Go results: both ran, so C000-08 and
        // D10 lost theirs.
        let mut none = crate::claims::render::tests::with_go();
        for o in none.sections[0].outcomes.iter_mut() {
            o.go = None;
        }
        let d = compare(&none, &back);
        let go: Vec<&Difference> =
            d.iter().filter(|d| matches!(d, Difference::GoVerdict { .. })).collect();
        assert_eq!(go.len(), 2, "{d:?}");
        assert!(
            comparison_text(&d, "x")
                .contains("C000-08  Go verdict: none here, confirmed there")
        );
        // Go results without the top-level status still count as a Go run.
        let mut spliced = json(&r);
        spliced.as_object_mut().unwrap().remove("go");
        let back = from_json(&spliced.to_string(), |_| (false, None)).unwrap();
        assert!(
            matches!(back.go, GoStatus::Ran { ref version, .. } if version == "go1.27.3")
        );
        // A report saved before the Go side existed reads back with it off.
        let mut old = json(&report(Verdict::Refuted, 1.0));
        old.as_object_mut().unwrap().remove("go");
        let back = from_json(&old.to_string(), |_| (false, None)).unwrap();
        assert_eq!(back.go, GoStatus::Off);
    }
}
