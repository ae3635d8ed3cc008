//! Renderers for a [`Report`]: a terminal table, Markdown (the book's ledger
//! and defect appendices), and JSON (for other programs).
//!
//! A report is a list of [`Section`]s (one per chapter, titled by the caller)
//! holding the [`Outcome`] of each check and the claims still pending.

use super::rule::{Outcome as RuleOutcome, Rule};
use super::{ClaimInfo, Finding, Verdict};
use crate::claims::CheckError;
use crate::measure::machine::MachineInfo;
use std::fmt::Write as _;
use std::time::Duration;

/// The result of running one check.
#[derive(Debug)]
pub struct Outcome {
    /// The claim checked.
    pub claim: &'static ClaimInfo,
    /// The finding, or why the check could not run.
    pub result: Result<Finding, CheckError>,
    /// How long the check took.
    pub elapsed: Duration,
    /// True when the check is registered as static (no measurement decides).
    pub is_static: bool,
    /// The rule that decided, for a measured check.
    pub rule: Option<&'static Rule>,
    /// What the Go side measured for this claim and the verdict a Go rule
    /// computed from it (see `crate::go_side`); `None` when the Go side did
    /// not run or does not measure this claim.
    pub go: Option<GoResult>,
}

/// The Go side's result for one claim: the claim judged on Go itself, next
/// to the Rust verdict of the same [`Outcome`] (which is then the Rust
/// analogue's).
#[derive(Clone, Debug)]
pub struct GoResult {
    /// The Go version that measured, as `go version` spells it (`go1.27.3`).
    pub version: String,
    /// The verdict, summary and evidence, or why the Go measurement or its
    /// rule could not decide.
    pub result: Result<Finding, CheckError>,
    /// The Go rule that decided.
    pub rule: Option<&'static Rule>,
}

impl GoResult {
    /// `Go 1.27.3`, the version as the report prints it.
    pub fn version_label(&self) -> String {
        go_label(&self.version)
    }

    /// The verdict's label, or `error`.
    pub fn label(&self, defect: bool) -> &'static str {
        match &self.result {
            Ok(f) => f.verdict.label(defect),
            Err(_) => "error",
        }
    }
}

/// `go1.27.3` → `Go 1.27.3`.
pub fn go_label(version: &str) -> String {
    format!("Go {}", version.strip_prefix("go").unwrap_or(version))
}

/// Whether, and how, the Go side ran for a report.
#[derive(Clone, Debug, PartialEq)]
pub enum GoStatus {
    /// Not asked for: `--no-go`, a chapter's example, a saved report
    /// without Go results. Nothing is printed.
    Off,
    /// No Go toolchain was found: the run says so in one line, with how to
    /// enable it.
    Skipped(String),
    /// The Go side could not be built or run; no claim has a Go result.
    Failed(String),
    /// It ran.
    Ran {
        /// The Go version that measured (`go1.27.3`).
        version: String,
        /// Building (when the sources changed) and measuring, in all.
        elapsed: Duration,
        /// How the build went: cached, or built in how long.
        build: String,
    },
}

impl GoStatus {
    /// The one line the text report prints about the Go side (none when
    /// off); `measured` is the number of claims with a Go result.
    pub fn line(&self, measured: usize) -> Option<String> {
        match self {
            Self::Off => None,
            Self::Skipped(why) => Some(format!("Go side: skipped: {why}")),
            Self::Failed(why) => Some(format!("Go side: could not run: {why}")),
            Self::Ran { version, elapsed, build } => Some(format!(
                "Go side: {} measured {} claims in {:.1} s ({build}); a claim it measured shows its Go verdict under the Rust one",
                go_label(version),
                measured,
                elapsed.as_secs_f64()
            )),
        }
    }
}

impl Outcome {
    /// Whether a measurement decided this verdict: a measured check whose
    /// rule reached confirmed, refuted or "holds only when".
    pub fn is_measured_verdict(&self) -> bool {
        matches!(&self.result, Ok(f) if super::Outcome::of(&f.verdict).is_measured())
            && !self.is_static
    }

    /// The verdict's category differs from the research ledger's prediction.
    pub fn differs_from_prediction(&self) -> bool {
        matches!(&self.result, Ok(f) if !f.verdict.matches(self.claim.predicted))
    }
}

/// One chapter's part of a report.
#[derive(Debug)]
pub struct Section {
    /// Chapter number.
    pub number: u8,
    /// Chapter slug (the book page is `<slug>.md`).
    pub slug: &'static str,
    /// Chapter title.
    pub title: &'static str,
    /// Checks that ran.
    pub outcomes: Vec<Outcome>,
    /// Claims of this chapter without a check yet.
    pub pending: Vec<&'static ClaimInfo>,
}

impl Section {
    /// An empty section for a chapter.
    pub fn new(number: u8, slug: &'static str, title: &'static str) -> Self {
        Self { number, slug, title, outcomes: Vec::new(), pending: Vec::new() }
    }
}

/// Everything a run produced.
#[derive(Debug)]
pub struct Report {
    /// Where it ran.
    pub machine: MachineInfo,
    /// Whether `--quick` sizes were used.
    pub quick: bool,
    /// Per chapter.
    pub sections: Vec<Section>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Whether the Go side ran, and how.
    pub go: GoStatus,
}

/// Verdict tallies, in display order.
pub const CATEGORIES: [&str; 6] = [
    "confirmed",
    "refuted",
    "holds only when",
    "not applicable",
    "unverifiable",
    "reproduced",
];

impl Report {
    /// Every outcome, in order.
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.sections.iter().flat_map(|s| s.outcomes.iter())
    }

    /// Number of checks that failed to run.
    pub fn errors(&self) -> usize {
        self.outcomes().filter(|o| o.result.is_err()).count()
    }

    /// Number of pending claims.
    pub fn pending(&self) -> usize {
        self.sections.iter().map(|s| s.pending.len()).sum()
    }

    /// `(label, count)` for each verdict label present, in a stable order.
    pub fn tally(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for o in self.outcomes() {
            if let Ok(f) = &o.result {
                let label = f.verdict.label(o.claim.is_defect());
                match counts.iter_mut().find(|(l, _)| *l == label) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((label, 1)),
                }
            }
        }
        let rank =
            |l: &str| CATEGORIES.iter().position(|c| *c == l).unwrap_or(CATEGORIES.len());
        counts.sort_by_key(|(l, _)| rank(l));
        counts
    }

    /// Measured verdicts that differ from the research ledger's prediction:
    /// the measurement's surprises.
    pub fn surprises(&self) -> Vec<&Outcome> {
        self.outcomes()
            .filter(|o| o.is_measured_verdict() && o.differs_from_prediction())
            .collect()
    }

    /// Verdicts that differ from the prediction without a measurement deciding
    /// them: static checks (reclassified by the author, with a reason) and
    /// rules that found the claim unmeasurable on this machine.
    pub fn reclassified(&self) -> Vec<&Outcome> {
        self.outcomes()
            .filter(|o| {
                o.result.is_ok()
                    && !o.is_measured_verdict()
                    && o.differs_from_prediction()
            })
            .collect()
    }

    /// `(measured, static)` counts of the checks that ran.
    pub fn measured_and_static(&self) -> (usize, usize) {
        let st = self.outcomes().filter(|o| o.is_static).count();
        (self.outcomes().count() - st, st)
    }

    /// `(label, count)` of the Go verdicts, in the order of [`CATEGORIES`].
    pub fn go_tally(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for o in self.outcomes() {
            if let Some(GoResult { result: Ok(f), .. }) = &o.go {
                let label = f.verdict.label(o.claim.is_defect());
                match counts.iter_mut().find(|(l, _)| *l == label) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((label, 1)),
                }
            }
        }
        let rank =
            |l: &str| CATEGORIES.iter().position(|c| *c == l).unwrap_or(CATEGORIES.len());
        counts.sort_by_key(|(l, _)| rank(l));
        counts
    }

    /// Go results that are errors.
    pub fn go_errors(&self) -> usize {
        self.outcomes().filter(|o| matches!(&o.go, Some(g) if g.result.is_err())).count()
    }

    /// Claims with a Go result whose Go verdict's category differs from the
    /// Rust verdict's: the claim behaves differently in the language it was
    /// made about and in the one the book teaches.
    pub fn go_differs(&self) -> Vec<&Outcome> {
        self.outcomes()
            .filter(|o| match (&o.result, &o.go) {
                (Ok(r), Some(GoResult { result: Ok(g), .. })) => {
                    RuleOutcome::of(&r.verdict) != RuleOutcome::of(&g.verdict)
                }
                _ => false,
            })
            .collect()
    }

    /// The verdicts line: the Rust tally alone, or, when the Go side ran,
    /// `Go: … ; Rust: …`.
    pub fn verdicts_line(&self) -> String {
        match self.go {
            GoStatus::Ran { .. } => {
                let mut parts: Vec<String> =
                    self.go_tally().iter().map(|(l, n)| format!("{n} {l}")).collect();
                parts.push(format!("{} errors", self.go_errors()));
                format!("Go: {}; Rust: {}", parts.join(" · "), self.tally_line())
            }
            _ => self.tally_line(),
        }
    }

    /// `3 confirmed · 2 refuted · … · 0 errors`.
    pub fn tally_line(&self) -> String {
        let mut parts: Vec<String> =
            self.tally().iter().map(|(l, n)| format!("{n} {l}")).collect();
        if self.pending() > 0 {
            parts.push(format!("{} pending (chapter not written yet)", self.pending()));
        }
        parts.push(format!("{} errors", self.errors()));
        parts.join(" · ")
    }
}

fn predicted_label(p: super::Prediction) -> &'static str {
    use super::Prediction as P;
    match p {
        P::Confirmed => "confirmed",
        P::Refuted => "refuted",
        P::HoldsOnlyWhen => "holds only when",
        P::NotApplicable => "not applicable",
        P::Unverifiable => "unverifiable",
        P::Reproduced => "reproduced",
    }
}

/// Word-wraps `text` to `width` columns, prefixing every line with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len()
            && line.chars().count() + 1 + word.chars().count() > width
        {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The terminal table. `verbose` adds each check's condition and figures.
pub fn text(report: &Report, verbose: bool) -> String {
    let mut s = String::new();
    let checked = report.outcomes().count();
    let _ = writeln!(
        s,
        "perf-workbook: {checked} claims checked in {:.1} s ({} sizes)",
        report.elapsed.as_secs_f64(),
        if report.quick { "--quick" } else { "full" }
    );
    let _ = writeln!(s, "machine: {}", report.machine);
    if let Some(line) =
        report.go.line(report.outcomes().filter(|o| o.go.is_some()).count())
    {
        let _ = writeln!(s, "{line}");
    }
    for sec in &report.sections {
        s.push_str(&text_section(sec, verbose));
    }
    let _ = writeln!(s, "\nverdicts: {}", report.verdicts_line());
    s.push_str(&differences_text(report));
    s
}

/// The two lines that list where the verdicts differ from the research
/// ledger's predictions: measured surprises, then reclassifications.
pub fn differences_text(report: &Report) -> String {
    let mut s = String::new();
    let list = |os: Vec<&Outcome>| -> Vec<String> {
        os.iter()
            .map(|o| {
                format!(
                    "{} (predicted {})",
                    o.claim.id,
                    predicted_label(o.claim.predicted)
                )
            })
            .collect()
    };
    let surprises = list(report.surprises());
    if !surprises.is_empty() {
        s.push_str(&wrap(
            &format!(
                "measured, and differs from the research prediction: {}",
                surprises.join(", ")
            ),
            "",
            100,
        ));
    }
    let re = list(report.reclassified());
    if !re.is_empty() {
        s.push_str(&wrap(
            &format!("reclassified without measuring a verdict: {}", re.join(", ")),
            "",
            100,
        ));
    }
    let differ = go_differences(report);
    if !differ.is_empty() {
        s.push_str(&wrap(
            &format!("Go and the Rust analogue differ: {}", differ.join(", ")),
            "",
            100,
        ));
    }
    s
}

/// `C003-15 (Go confirmed, Rust refuted)` for every claim whose Go verdict
/// differs from its Rust verdict.
pub fn go_differences(report: &Report) -> Vec<String> {
    report
        .go_differs()
        .iter()
        .filter_map(|o| {
            let (Ok(r), Some(GoResult { result: Ok(g), .. })) = (&o.result, &o.go) else {
                return None;
            };
            let defect = o.claim.is_defect();
            Some(format!(
                "{} (Go {}, Rust {})",
                o.claim.id,
                g.verdict.label(defect),
                r.verdict.label(defect)
            ))
        })
        .collect()
}

/// One chapter's block of the terminal table.
pub fn text_section(sec: &Section, verbose: bool) -> String {
    let mut s = String::new();
    // `+ 0.0`: an empty f64 sum is -0.0, which would print as "-0.0 s".
    let secs: f64 =
        sec.outcomes.iter().map(|o| o.elapsed.as_secs_f64()).sum::<f64>() + 0.0;
    let _ = writeln!(
        s,
        "\n{} · {}  ({}, {} claims, {:.1} s)",
        sec.number,
        sec.title,
        sec.slug,
        sec.outcomes.len() + sec.pending.len(),
        secs
    );
    for o in &sec.outcomes {
        let label = match &o.result {
            Ok(f) => f.verdict.label(o.claim.is_defect()).to_uppercase(),
            Err(_) => "ERROR".to_string(),
        };
        let label =
            if o.is_static && o.result.is_ok() { format!("{label}*") } else { label };
        let _ = writeln!(
            s,
            "  {:<8} {:<16} {}",
            o.claim.id,
            label,
            shorten(o.claim.statement, 72)
        );
        let rust = if o.go.is_some() { "Rust analogue: " } else { "" };
        match &o.result {
            Ok(f) => {
                s.push_str(&wrap(&format!("→ {rust}{}", f.summary), "           ", 100));
                let detail = f.verdict.detail();
                if !detail.is_empty() {
                    let tag = match f.verdict {
                        Verdict::HoldsOnlyWhen { .. } => "when:",
                        _ if o.is_static => "static, because:",
                        _ => "why:",
                    };
                    s.push_str(&wrap(&format!("{tag} {detail}"), "           ", 100));
                }
                if let Verdict::HoldsOnlyWhen { sides, .. } = &f.verdict {
                    let shown: Vec<String> = sides
                        .iter()
                        .filter_map(|n| f.evidence.figures.iter().find(|x| &x.name == n))
                        .map(|x| x.to_string())
                        .collect();
                    if !shown.is_empty() {
                        s.push_str(&wrap(
                            &format!("both sides: {}", shown.join("; ")),
                            "           ",
                            100,
                        ));
                    }
                }
                if verbose {
                    if let Some(rule) = o.rule {
                        s.push_str(&wrap(
                            &format!("rule: {}", rule.says),
                            "           ",
                            100,
                        ));
                        if !rule.thresholds.is_empty() {
                            s.push_str(&wrap(
                                &format!("thresholds: {}", rule.threshold_line()),
                                "           ",
                                100,
                            ));
                        }
                    }
                    s.push_str(&wrap(
                        &format!("measured under: {}", f.evidence.condition),
                        "           ",
                        100,
                    ));
                    for fig in &f.evidence.figures {
                        let _ = writeln!(s, "             {fig}");
                    }
                }
            }
            Err(e) => s.push_str(&wrap(
                &format!(
                    "could not run{}: {e}",
                    if rust.is_empty() { "" } else { " (Rust)" }
                ),
                "           ",
                100,
            )),
        }
        if let Some(g) = &o.go {
            s.push_str(&text_go(o.claim, g, verbose));
        }
    }
    if !sec.pending.is_empty() {
        let ids: Vec<&str> = sec.pending.iter().map(|c| c.id).collect();
        s.push_str(&wrap(
            &format!("not verified yet (chapter not written): {}", ids.join(", ")),
            "  ",
            100,
        ));
    }
    s
}

/// The Go line (and, verbose, the Go rule and figures) under a claim.
fn text_go(claim: &ClaimInfo, g: &GoResult, verbose: bool) -> String {
    let mut s = String::new();
    let pad = "           ";
    match &g.result {
        Ok(f) => {
            s.push_str(&wrap(
                &format!(
                    "{}: {} — {}",
                    g.version_label(),
                    f.verdict.label(claim.is_defect()),
                    f.summary
                ),
                pad,
                100,
            ));
            if let Verdict::HoldsOnlyWhen { condition, .. } = &f.verdict {
                s.push_str(&wrap(&format!("Go, when: {condition}"), pad, 100));
            }
            if verbose {
                if let Some(rule) = g.rule {
                    s.push_str(&wrap(&format!("Go rule: {}", rule.says), pad, 100));
                    if !rule.thresholds.is_empty() {
                        s.push_str(&wrap(
                            &format!("thresholds: {}", rule.threshold_line()),
                            pad,
                            100,
                        ));
                    }
                }
                s.push_str(&wrap(
                    &format!("measured in Go under: {}", f.evidence.condition),
                    pad,
                    100,
                ));
                for fig in &f.evidence.figures {
                    let _ = writeln!(s, "             {fig}");
                }
            }
        }
        Err(e) => s.push_str(&wrap(
            &format!("{}: could not run: {e}", g.version_label()),
            pad,
            100,
        )),
    }
    s
}

/// Makes `text` safe inside a Markdown table cell: escapes `|`, and `<`, `>`
/// and `&` outside code spans (inside them Markdown shows text as is).
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for ch in text.chars() {
        match ch {
            '`' => {
                in_code = !in_code;
                out.push(ch);
            }
            '|' => out.push_str("\\|"),
            '\n' => out.push(' '),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '&' if !in_code => out.push_str("&amp;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Which entries a Markdown page covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    /// Claims and defects.
    All,
    /// `C…` entries.
    Claims,
    /// `D…` entries.
    Defects,
}

impl Only {
    /// Whether `claim` belongs on the page.
    pub fn admits(&self, claim: &ClaimInfo) -> bool {
        match self {
            Self::All => true,
            Self::Claims => !claim.is_defect(),
            Self::Defects => claim.is_defect(),
        }
    }
}

/// Markdown for the book. `command` is the command line that regenerates it.
pub fn markdown(report: &Report, only: Only, command: &str) -> String {
    let mut s = String::new();
    let title = match only {
        Only::Defects => "Appendix B: The seed defects",
        Only::Claims => "Appendix A: The claims ledger",
        Only::All => "The claims ledger and the seed defects",
    };
    let _ = writeln!(s, "# {title}\n");
    let intro = match only {
        Only::Defects => {
            "Every defect in the Go guides' own code and measurements that this book \
             covers, with the chapter that demonstrates it. *Reproduced* means the \
             chapter's faithful port shows the defect (beside a fix that does not have \
             it); the verdict comes from that demonstration, run on the machine below."
        }
        _ => {
            "Every claim of the five Go guides that this book covers, with the verdict \
             its check computed on the machine below. A verdict is never typed in: each \
             comes from figures measured in this run, except *not applicable* and \
             *unverifiable*, which carry their reason. Your machine may disagree; run \
             the command below to find out."
        }
    };
    let _ = writeln!(s, "{intro}\n");
    let later: Vec<&str> = super::ledger()
        .iter()
        .filter(|c| c.chapter.starts_with("later-") && only.admits(c))
        .map(|c| c.id)
        .collect();
    if !later.is_empty() {
        let _ = writeln!(
            s,
            "Not covered yet: {} entries of the research ledger belong to chapters this \
             book does not have yet (allocator tuning, monitoring): {}.\n",
            later.len(),
            later.join(", ")
        );
    }
    let _ = writeln!(s, "Generated by:\n\n```text\n{command}\n```\n");
    let _ = writeln!(
        s,
        "Measured on: {} ({} sizes; the run took {:.1} s).\n",
        report.machine,
        if report.quick { "--quick" } else { "full" },
        report.elapsed.as_secs_f64()
    );
    let _ = writeln!(s, "| verdict | count |\n|---|---:|");
    for (label, n) in report.tally() {
        let _ = writeln!(s, "| {label} | {n} |");
    }
    if report.pending() > 0 {
        let _ =
            writeln!(s, "| pending (chapter not written yet) | {} |", report.pending());
    }
    if report.errors() > 0 {
        let _ = writeln!(s, "| could not run | {} |", report.errors());
    }
    s.push('\n');
    let (measured, fixed) = report.measured_and_static();
    let _ = writeln!(
        s,
        "{measured} of these verdicts were decided by a rule from figures measured in \
         the run; {fixed} are static (marked \\*): *not applicable* or *unverifiable* \
         by their nature, with the reason beside them.\n"
    );
    let listed = |os: Vec<&Outcome>| -> Vec<String> {
        os.iter()
            .filter(|o| only.admits(o.claim))
            .map(|o| {
                format!(
                    "{} (predicted *{}*)",
                    o.claim.id,
                    predicted_label(o.claim.predicted)
                )
            })
            .collect()
    };
    let surprises = listed(report.surprises());
    if !surprises.is_empty() {
        let _ = writeln!(
            s,
            "Measured, and different from the research ledger's prediction: {}.\n",
            surprises.join(", ")
        );
    }
    let reclassified = listed(report.reclassified());
    if !reclassified.is_empty() {
        let _ = writeln!(
            s,
            "Reclassified without measuring a verdict (a static verdict, or a claim \
             this machine cannot measure), different from the prediction: {}.\n",
            reclassified.join(", ")
        );
    }
    let with_go = matches!(report.go, GoStatus::Ran { .. });
    if let GoStatus::Ran { version, .. } = &report.go {
        let judged =
            report.outcomes().filter(|o| only.admits(o.claim) && o.go.is_some()).count();
        let tally: Vec<String> =
            report.go_tally().iter().map(|(l, n)| format!("{n} {l}")).collect();
        let _ = writeln!(
            s,
            "The Go column: {judged} of these entries were also measured in Go ({}) by \
             the Go side (`go/`), and judged on Go itself by a rule of their own: {}. \
             Where a claim has a Go verdict, the verdict column is its Rust analogue's.\n",
            go_label(version),
            tally.join(" · ")
        );
        let differ: Vec<String> = go_differences(report)
            .into_iter()
            .filter(|d| claim_of(d).is_some_and(|c| only.admits(c)))
            .collect();
        if !differ.is_empty() {
            let _ = writeln!(
                s,
                "Go and the Rust analogue differ on: {}.\n",
                differ.join(", ")
            );
        }
    }
    for sec in &report.sections {
        let outcomes: Vec<&Outcome> =
            sec.outcomes.iter().filter(|o| only.admits(o.claim)).collect();
        let pending: Vec<&&ClaimInfo> =
            sec.pending.iter().filter(|c| only.admits(c)).collect();
        if outcomes.is_empty() && pending.is_empty() {
            continue;
        }
        let _ = writeln!(s, "## {} · [{}]({}.md)\n", sec.number, sec.title, sec.slug);
        let (go_head, go_rule) = if with_go { (" Go |", "---|") } else { ("", "") };
        if only == Only::Defects {
            let _ = writeln!(
                s,
                "| id | seed | severity | defect | verdict | evidence |{go_head}"
            );
            let _ = writeln!(s, "|---|---|---|---|---|---|{go_rule}");
        } else {
            let _ = writeln!(
                s,
                "| id | seed | the Go guide says | verdict | measured |{go_head}"
            );
            let _ = writeln!(s, "|---|---|---|---|---|{go_rule}");
        }
        for o in outcomes {
            let (verdict, measured) = match &o.result {
                Ok(f) => {
                    let star = if o.is_static { "\\*" } else { "" };
                    let mut v =
                        format!("**{}**{star}", f.verdict.label(o.claim.is_defect()));
                    let detail = f.verdict.detail();
                    if !detail.is_empty() {
                        v = format!("{v}: {}", md_escape(&detail));
                    }
                    (v, md_escape(&f.summary))
                }
                Err(e) => ("**could not run**".to_string(), md_escape(&e.0)),
            };
            let go = with_go.then(|| md_go(o));
            s.push_str(&md_row(o.claim, only, &verdict, &measured, go.as_deref()));
        }
        for c in pending {
            let go = with_go.then_some("");
            s.push_str(&md_row(c, only, "pending", "chapter not written yet", go));
        }
        s.push('\n');
    }
    s
}

/// The Go cell of a Markdown row: the Go verdict and its summary.
fn md_go(o: &Outcome) -> String {
    match &o.go {
        None => String::new(),
        Some(g) => match &g.result {
            Ok(f) => {
                let mut v = format!("**{}**", f.verdict.label(o.claim.is_defect()));
                if let Verdict::HoldsOnlyWhen { condition, .. } = &f.verdict {
                    v = format!("{v}: {}", md_escape(condition));
                }
                format!("{v} ({}): {}", g.version_label(), md_escape(&f.summary))
            }
            Err(e) => {
                format!("**could not run** ({}): {}", g.version_label(), md_escape(&e.0))
            }
        },
    }
}

/// The ledger entry a `go_differences` item names.
fn claim_of(item: &str) -> Option<&'static ClaimInfo> {
    super::claim(item.split(' ').next()?)
}

fn md_row(
    c: &ClaimInfo,
    only: Only,
    verdict: &str,
    measured: &str,
    go: Option<&str>,
) -> String {
    let go = go.map_or(String::new(), |g| format!(" {g} |"));
    let seed = format!("{} {}", c.seed, md_escape(c.location));
    if only == Only::Defects {
        let sev = match c.kind {
            super::Kind::Defect(sev) => format!("{sev:?}").to_lowercase(),
            _ => String::new(),
        };
        format!(
            "| {} | {seed} | {sev} | {} | {verdict} | {measured} |{go}\n",
            c.id,
            md_escape(c.statement)
        )
    } else {
        format!(
            "| {} | {seed} | {} | {verdict} | {measured} |{go}\n",
            c.id,
            md_escape(c.statement)
        )
    }
}

/// The JSON document: machine info and one object per claim.
pub fn json(report: &Report) -> serde_json::Value {
    use serde_json::json;
    let mut claims = Vec::new();
    for sec in &report.sections {
        for o in &sec.outcomes {
            let (status, verdict, label, summary, evidence, error) = match &o.result {
                Ok(f) => (
                    "checked",
                    serde_json::to_value(&f.verdict).unwrap_or_default(),
                    json!(f.verdict.label(o.claim.is_defect())),
                    json!(f.summary),
                    serde_json::to_value(&f.evidence).unwrap_or_default(),
                    serde_json::Value::Null,
                ),
                Err(e) => (
                    "error",
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                    serde_json::Value::Null,
                    json!(e.0),
                ),
            };
            let rule = o.rule.map(|r| {
                json!({
                    "says": r.says,
                    "inputs": r.inputs,
                    "thresholds": r.thresholds,
                    "outcomes": r.outcomes(),
                })
            });
            let go =
                o.go.as_ref().map_or(serde_json::Value::Null, |g| go_json(o.claim, g));
            claims.push(json!({
                "id": o.claim.id,
                "chapter": sec.slug,
                "status": status,
                "static": o.is_static,
                "rule": rule,
                "kind": o.claim.kind,
                "seed": o.claim.seed_file(),
                "location": o.claim.location,
                "statement": o.claim.statement,
                "predicted": o.claim.predicted,
                "verdict": verdict,
                "verdict_label": label,
                "summary": summary,
                "evidence": evidence,
                "error": error,
                "elapsed_ms": o.elapsed.as_secs_f64() * 1e3,
                "go": go,
            }));
        }
        for c in &sec.pending {
            claims.push(json!({
                "id": c.id,
                "chapter": sec.slug,
                "status": "pending",
                "static": null,
                "rule": null,
                "kind": c.kind,
                "seed": c.seed_file(),
                "location": c.location,
                "statement": c.statement,
                "predicted": c.predicted,
                "verdict": null,
                "verdict_label": null,
                "summary": null,
                "evidence": null,
                "error": null,
                "elapsed_ms": null,
                "go": null,
            }));
        }
    }
    let counts: serde_json::Map<String, serde_json::Value> =
        report.tally().into_iter().map(|(l, n)| (l.to_string(), json!(n))).collect();
    json!({
        "machine": report.machine,
        "quick": report.quick,
        "elapsed_s": report.elapsed.as_secs_f64(),
        "counts": counts,
        "pending": report.pending(),
        "errors": report.errors(),
        "go": go_status_json(report),
        "claims": claims,
    })
}

/// One claim's `go` object: `{ version, verdict, verdict_label, summary,
/// evidence, error, rule }`.
fn go_json(claim: &ClaimInfo, g: &GoResult) -> serde_json::Value {
    use serde_json::json;
    let rule = g.rule.map(|r| {
        json!({ "says": r.says, "inputs": r.inputs, "thresholds": r.thresholds, "outcomes": r.outcomes() })
    });
    match &g.result {
        Ok(f) => json!({
            "version": g.version,
            "verdict": f.verdict,
            "verdict_label": f.verdict.label(claim.is_defect()),
            "summary": f.summary,
            "evidence": f.evidence,
            "error": null,
            "rule": rule,
        }),
        Err(e) => json!({
            "version": g.version,
            "verdict": null,
            "verdict_label": null,
            "summary": null,
            "evidence": null,
            "error": e.0,
            "rule": rule,
        }),
    }
}

/// The report's top-level `go` object (null when the Go side was off).
fn go_status_json(report: &Report) -> serde_json::Value {
    use serde_json::json;
    let counts: serde_json::Map<String, serde_json::Value> =
        report.go_tally().into_iter().map(|(l, n)| (l.to_string(), json!(n))).collect();
    match &report.go {
        GoStatus::Off => serde_json::Value::Null,
        GoStatus::Skipped(why) => json!({ "status": "skipped", "reason": why }),
        GoStatus::Failed(why) => json!({ "status": "failed", "reason": why }),
        GoStatus::Ran { version, elapsed, build } => json!({
            "status": "ran",
            "version": version,
            "elapsed_s": elapsed.as_secs_f64(),
            "build": build,
            "counts": counts,
            "errors": report.go_errors(),
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::claims::{Evidence, Unit, claim};

    pub(crate) fn sample() -> Report {
        let mut ev = Evidence::new("repr(C), x86-64");
        ev.add("size", 64.0, Unit::Bytes);
        Report {
            machine: MachineInfo::collect(),
            quick: true,
            sections: vec![Section {
                number: 2,
                slug: "struct_layout",
                title: "Struct layout",
                outcomes: vec![
                    Outcome {
                        claim: claim("C000-08").unwrap(),
                        result: Ok(Finding::new(
                            Verdict::Refuted,
                            "both 64 B | same",
                            ev,
                        )),
                        elapsed: Duration::from_millis(3),
                        is_static: false,
                        rule: None,
                        go: None,
                    },
                    Outcome {
                        claim: claim("D10").unwrap(),
                        result: Ok(Finding::new(
                            Verdict::Confirmed,
                            "saves nothing",
                            Evidence::new("x"),
                        )),
                        elapsed: Duration::from_millis(1),
                        is_static: false,
                        rule: None,
                        go: None,
                    },
                    Outcome {
                        claim: claim("C001-25").unwrap(),
                        result: Err(CheckError("no".into())),
                        elapsed: Duration::ZERO,
                        is_static: false,
                        rule: None,
                        go: None,
                    },
                ],
                pending: vec![claim("C001-01").unwrap()],
            }],
            elapsed: Duration::from_millis(5),
            go: GoStatus::Off,
        }
    }

    #[test]
    fn tally_counts_defects_as_reproduced() {
        let r = sample();
        assert_eq!(r.tally(), vec![("refuted", 1), ("reproduced", 1)]);
        assert_eq!((r.errors(), r.pending()), (1, 1));
    }

    #[test]
    fn text_shows_verdicts_errors_and_pending() {
        let t = text(&sample(), true);
        assert!(t.contains("C000-08  REFUTED"), "{t}");
        assert!(t.contains("D10      REPRODUCED"), "{t}");
        assert!(t.contains("could not run: no"), "{t}");
        assert!(t.contains("not verified yet (chapter not written): C001-01"), "{t}");
        assert!(t.contains("size = 64 B"), "{t}");
    }

    #[test]
    fn markdown_escapes_pipes_and_splits_claims_from_defects() {
        let r = sample();
        let m = markdown(&r, Only::Claims, "cmd");
        assert!(m.contains("both 64 B \\| same"), "{m}");
        assert_eq!(
            md_escape("a Vec<u8> & `Vec<u8>` | x"),
            "a Vec&lt;u8&gt; &amp; `Vec<u8>` \\| x"
        );
        assert!(!m.contains("| D10 |"), "{m}");
        let d = markdown(&r, Only::Defects, "cmd");
        assert!(d.contains("| D10 | 000"), "{d}");
        assert!(!d.contains("C000-08"), "{d}");
    }

    #[test]
    fn json_has_one_object_per_claim() {
        let j = json(&sample());
        let claims = j["claims"].as_array().unwrap();
        assert_eq!(claims.len(), 4);
        assert_eq!(claims[0]["verdict"]["kind"], "refuted");
        assert_eq!(claims[2]["status"], "error");
        assert_eq!(claims[3]["status"], "pending");
        assert!(j["machine"]["cpu_model"].is_string());
    }

    /// `sample()` with a Go result on C000-08 (Go: confirmed where Rust
    /// refuted) and on D10 (an error), and the Go side marked as run.
    pub(crate) fn with_go() -> Report {
        let mut r = sample();
        let mut ev = Evidence::new("unsafe.Sizeof");
        ev.add("OptimizedStruct size", 56.0, Unit::Bytes);
        let outcomes = &mut r.sections[0].outcomes;
        outcomes[0].go = Some(GoResult {
            version: "go1.27.3".into(),
            result: Ok(Finding::new(Verdict::Confirmed, "56 B against 64 B", ev)),
            rule: None,
        });
        outcomes[1].go = Some(GoResult {
            version: "go1.27.3".into(),
            result: Err(CheckError("no race detector".into())),
            rule: None,
        });
        r.go = GoStatus::Ran {
            version: "go1.27.3".into(),
            elapsed: Duration::from_millis(700),
            build: "build cached".into(),
        };
        r
    }

    #[test]
    fn text_puts_the_go_verdict_under_the_rust_analogue() {
        let t = text(&with_go(), true);
        assert!(t.contains("→ Rust analogue: both 64 B | same"), "{t}");
        assert!(t.contains("Go 1.27.3: confirmed — 56 B against 64 B"), "{t}");
        assert!(t.contains("OptimizedStruct size = 56 B"), "{t}");
        assert!(t.contains("Go 1.27.3: could not run: no race detector"), "{t}");
        assert!(t.contains("Go side: Go 1.27.3 measured 2 claims"), "{t}");
        assert!(
            t.contains(
                "verdicts: Go: 1 confirmed · 1 errors; Rust: 1 refuted · 1 reproduced"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "Go and the Rust analogue differ: C000-08 (Go confirmed, Rust refuted)"
            ),
            "{t}"
        );
        // Without the Go side nothing of it shows.
        let plain = text(&sample(), true);
        assert!(
            !plain.contains("Go side") && !plain.contains("Rust analogue"),
            "{plain}"
        );
        assert!(plain.contains("verdicts: 1 refuted · 1 reproduced"), "{plain}");
    }

    #[test]
    fn a_skipped_go_side_is_one_line() {
        let mut r = sample();
        r.go = GoStatus::Skipped("no `go` command on PATH".into());
        let with_line = text(&r, false);
        let without = text(&sample(), false);
        let extra: Vec<&str> =
            with_line.lines().filter(|l| !without.lines().any(|w| w == *l)).collect();
        assert_eq!(
            extra,
            vec!["Go side: skipped: no `go` command on PATH"],
            "{with_line}"
        );
    }

    #[test]
    fn markdown_gains_a_go_column_only_when_the_go_side_ran() {
        let m = markdown(&with_go(), Only::Claims, "cmd");
        assert!(m.contains("| verdict | measured | Go |"), "{m}");
        assert!(m.contains("**confirmed** (Go 1.27.3): 56 B against 64 B |"), "{m}");
        assert!(m.contains("Go and the Rust analogue differ on: C000-08"), "{m}");
        let d = markdown(&with_go(), Only::Defects, "cmd");
        assert!(d.contains("**could not run** (Go 1.27.3): no race detector |"), "{d}");
        let plain = markdown(&sample(), Only::Claims, "cmd");
        assert!(!plain.contains("| Go |") && !plain.contains("The Go column"), "{plain}");
    }

    #[test]
    fn json_carries_the_go_result_per_claim_and_the_go_status() {
        let j = json(&with_go());
        let claims = j["claims"].as_array().unwrap();
        assert_eq!(claims[0]["go"]["version"], "go1.27.3");
        assert_eq!(claims[0]["go"]["verdict"]["kind"], "confirmed");
        assert_eq!(claims[0]["go"]["evidence"]["figures"][0]["value"], 56.0);
        assert_eq!(claims[1]["go"]["error"], "no race detector");
        assert!(claims[2]["go"].is_null() && claims[3]["go"].is_null());
        assert_eq!(j["go"]["status"], "ran");
        assert_eq!(j["go"]["counts"]["confirmed"], 1);
        assert_eq!(j["go"]["errors"], 1);
        assert!(json(&sample())["go"].is_null());
    }
}
