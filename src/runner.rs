//! Runs claim checks and collects a [`Report`]: used by the `workbook` CLI and
//! by every chapter's example (which prints its own chapter's table).
//!
//! What to run is a [`Selection`], resolved once from the command line:
//! chapters are `&'static Chapter`s and claims ledger entries, so a misspelled
//! slug or id is an error before anything runs, and `--list`, the run and the
//! Markdown page's command line all ask the same [`Selection::admits`].
//!
//! A check that panics is reported as an error, not a crash of the run.

use crate::chapters::{self, CHAPTERS, Chapter};
use crate::claims::render::{GoStatus, Only, Outcome, Report, Section, SectionUsage};
use crate::claims::{self, Check, CheckError, ClaimInfo, Ctx};
use crate::go_side::GoRun;
use crate::measure::machine::MachineInfo;
use crate::monitoring::Sampler;
use std::time::{Duration, Instant};

/// How often the run's sampler reads the process (see [`run_with_go`]).
pub const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// Which claims to run or list.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Only these chapters (all when empty).
    pub chapters: Vec<&'static Chapter>,
    /// Only these claims (all when empty).
    pub claims: Vec<&'static ClaimInfo>,
    /// Claims, defects, or both.
    pub only: Only,
}

impl Default for Selection {
    fn default() -> Self {
        Self { chapters: Vec::new(), claims: Vec::new(), only: Only::All }
    }
}

impl Selection {
    /// Every claim of every chapter.
    pub fn all() -> Self {
        Self::default()
    }

    /// Every claim of one chapter.
    pub fn chapter(chapter: &'static Chapter) -> Self {
        Self { chapters: vec![chapter], ..Self::default() }
    }

    /// Whether any claim of `ch` can be admitted.
    pub fn admits_chapter(&self, ch: &Chapter) -> bool {
        self.chapters.is_empty() || self.chapters.iter().any(|c| c.slug == ch.slug)
    }

    /// Whether `claim` is selected: its chapter, its id and its kind.
    pub fn admits(&self, claim: &ClaimInfo) -> bool {
        let chapter_ok = self.chapters.is_empty()
            || self.chapters.iter().any(|c| c.slug == claim.chapter);
        let claim_ok =
            self.claims.is_empty() || self.claims.iter().any(|c| c.id == claim.id);
        chapter_ok && claim_ok && self.only.admits(claim)
    }

    /// The command-line arguments that make this selection, e.g.
    /// ` --chapter mmap --only defects`.
    pub fn arguments(&self) -> String {
        let mut out = String::new();
        for c in &self.chapters {
            out.push_str(&format!(" --chapter {}", c.slug));
        }
        for c in &self.claims {
            out.push_str(&format!(" --claim {}", c.id));
        }
        match self.only {
            Only::All => {}
            Only::Claims => out.push_str(" --only claims"),
            Only::Defects => out.push_str(" --only defects"),
        }
        out
    }
}

/// `--chapter` as clap parses it: a slug of [`CHAPTERS`].
pub fn parse_chapter(slug: &str) -> Result<&'static Chapter, String> {
    chapters::chapter(slug).ok_or_else(|| {
        let known: Vec<&str> = CHAPTERS.iter().map(|c| c.slug).collect();
        format!("unknown chapter {slug:?} (known: {})", known.join(", "))
    })
}

/// `--claim` as clap parses it: a ledger id whose chapter this book has.
pub fn parse_claim(id: &str) -> Result<&'static ClaimInfo, String> {
    let c = claims::claim(id)
        .ok_or_else(|| format!("unknown claim {id:?} (see `workbook --list`)"))?;
    if chapters::chapter(c.chapter).is_none() {
        return Err(format!(
            "claim {id} belongs to a chapter this book does not have yet ({})",
            c.chapter
        ));
    }
    Ok(c)
}

/// Runs the selected checks in book order. `on_section` sees each chapter's
/// section as soon as it is complete (the CLI streams the text table).
pub fn run(sel: &Selection, ctx: &Ctx, on_section: impl FnMut(&Section)) -> Report {
    run_with_go(sel, ctx, None, on_section)
}

/// [`run`], with the Go side's results (see [`crate::go_side::run`])
/// attached to the claims it measured and its status in the report. The
/// Go side runs before the Rust checks, never beside them: on a small
/// machine the two would disturb each other's timings.
pub fn run_with_go(
    sel: &Selection,
    ctx: &Ctx,
    go: Option<&GoRun>,
    mut on_section: impl FnMut(&Section),
) -> Report {
    let start = Instant::now();
    let machine = MachineInfo::collect();
    let mut sections = Vec::new();
    // The workbook monitors itself: each chapter's peak resident set and
    // CPU time, from chapter 10's sampler (none when /proc is unreadable).
    let sampler = Sampler::start(SAMPLE_EVERY).ok();
    for ch in CHAPTERS.iter().filter(|c| sel.admits_chapter(c)) {
        let mark = sampler.as_ref().map(Sampler::mark);
        let mut section = Section::new(ch.number, ch.slug, ch.title);
        for claim in ch.claims().filter(|c| sel.admits(c)) {
            match ch.check(claim.id) {
                Some(check) => {
                    let t = Instant::now();
                    let result = run_one(check, ctx);
                    section.outcomes.push(Outcome {
                        claim,
                        result,
                        elapsed: t.elapsed(),
                        is_static: check.is_static(),
                        rule: check.rule(),
                        go: go.and_then(|g| g.results.get(claim.id).cloned()),
                    });
                }
                None => section.pending.push(claim),
            }
        }
        if section.outcomes.is_empty() && section.pending.is_empty() {
            continue;
        }
        if let (Some(s), Some(m)) = (&sampler, mark) {
            let u = m.finish(s);
            section.usage = Some(SectionUsage {
                peak_rss_bytes: u.peak_rss_bytes,
                cpu_time: u.cpu_time,
                children_cpu_time: u.children_cpu_time,
                wall: u.wall,
                samples: u.samples,
                interval: s.interval(),
            });
        }
        on_section(&section);
        sections.push(section);
    }
    let go_status = go.map_or(GoStatus::Off, |g| g.status.clone());
    let mut elapsed = start.elapsed();
    if let GoStatus::Ran { elapsed: go_time, .. } = &go_status {
        elapsed += *go_time;
    }
    Report { machine, quick: ctx.quick, sections, elapsed, go: go_status }
}

fn run_one(check: &Check, ctx: &Ctx) -> Result<claims::Finding, CheckError> {
    // Silence the default panic message while a check runs; the panic is
    // reported as this check's error instead.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| check.run(ctx));
    std::panic::set_hook(hook);
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(CheckError(format!("the check panicked: {msg}")))
        }
    }
}

/// For a chapter's example: runs that chapter's checks and prints its table
/// (with figures). Returns the report so the example can assert on it.
pub fn print_chapter(chapter: &'static Chapter, quick: bool) -> Report {
    let report = run(&Selection::chapter(chapter), &Ctx { quick }, |_| {});
    for sec in &report.sections {
        print!("{}", crate::claims::render::text_section(sec, true));
    }
    println!("\nverdicts: {}", report.tally_line());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_admits_by_chapter_claim_and_kind() {
        let mmap = parse_chapter("mmap").unwrap();
        let mut sel = Selection::chapter(mmap);
        let d = claims::ledger().iter().find(|c| c.chapter == "mmap" && c.is_defect());
        let c = claims::ledger().iter().find(|c| c.chapter == "mmap" && !c.is_defect());
        let (d, c) = (d.unwrap(), c.unwrap());
        assert!(sel.admits(d) && sel.admits(c));
        sel.only = Only::Claims;
        assert!(!sel.admits(d) && sel.admits(c));
        assert_eq!(sel.arguments(), " --chapter mmap --only claims");
        let other = claims::ledger().iter().find(|c| c.chapter == "pools").unwrap();
        assert!(!sel.admits(other));
    }

    #[test]
    fn each_section_carries_what_its_checks_used() {
        // D58 is a static check with nothing to measure: the run is instant,
        // and the sampler still reports the resident set at its edges.
        let sel = Selection {
            claims: vec![parse_claim("D58").unwrap()],
            ..Selection::default()
        };
        let report = run(&sel, &Ctx { quick: true }, |_| {});
        let u = report.sections[0].usage.expect("the sampler ran");
        assert!(u.peak_rss_bytes > 0, "{u:?}");
        assert_eq!(u.interval, SAMPLE_EVERY);
        let j = crate::claims::render::json(&report);
        assert_eq!(j["chapters"][0]["slug"], "pools");
        assert!(j["chapters"][0]["peak_rss_bytes"].as_u64().unwrap() > 0);
    }

    #[test]
    fn unknown_slugs_and_ids_are_one_line_errors() {
        let e = parse_chapter("nope").unwrap_err();
        assert!(e.contains("unknown chapter \"nope\"") && !e.contains('\n'), "{e}");
        assert!(parse_claim("C999-99").unwrap_err().contains("unknown claim"));
        assert!(parse_claim("C004-01").is_ok());
    }
}
