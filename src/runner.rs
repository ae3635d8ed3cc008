//! Runs claim checks and collects a [`Report`]: used by the `workbook` CLI and
//! by every chapter's example (which prints its own chapter's table).
//!
//! A check that panics is reported as an error, not a crash of the run.

use crate::chapters::{CHAPTERS, Chapter};
use crate::claims::render::{Outcome, Report, Section};
use crate::claims::{self, CheckError, Ctx};
use crate::measure::machine::MachineInfo;
use std::time::Instant;

/// Which claims to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only these chapter slugs (all when empty).
    pub chapters: Vec<String>,
    /// Only these claim ids (all when empty).
    pub claims: Vec<String>,
}

impl Selection {
    fn wants_chapter(&self, ch: &Chapter) -> bool {
        self.chapters.is_empty() || self.chapters.iter().any(|s| s == ch.slug)
    }

    fn wants_claim(&self, id: &str) -> bool {
        self.claims.is_empty() || self.claims.iter().any(|c| c == id)
    }

    /// Checks that every named chapter and claim exists; the error is one line.
    pub fn validate(&self) -> Result<(), String> {
        for slug in &self.chapters {
            if crate::chapters::chapter(slug).is_none() {
                let known: Vec<&str> = CHAPTERS.iter().map(|c| c.slug).collect();
                return Err(format!(
                    "unknown chapter {slug:?} (known: {})",
                    known.join(", ")
                ));
            }
        }
        for id in &self.claims {
            match claims::claim(id) {
                None => {
                    return Err(format!("unknown claim {id:?} (see `workbook --list`)"));
                }
                Some(c) if crate::chapters::chapter(c.chapter).is_none() => {
                    return Err(format!(
                        "claim {id} belongs to a chapter this book does not have yet ({})",
                        c.chapter
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// Runs the selected checks in book order. `on_section` sees each chapter's
/// section as soon as it is complete (the CLI streams the text table).
pub fn run(sel: &Selection, ctx: &Ctx, mut on_section: impl FnMut(&Section)) -> Report {
    let start = Instant::now();
    let machine = MachineInfo::collect();
    let mut sections = Vec::new();
    for ch in CHAPTERS.iter().filter(|c| sel.wants_chapter(c)) {
        let mut section = Section {
            number: ch.number,
            slug: ch.slug,
            title: ch.title,
            outcomes: Vec::new(),
            pending: Vec::new(),
        };
        for claim in ch.claims().filter(|c| sel.wants_claim(c.id)) {
            match ch.check(claim.id) {
                Some(check) => {
                    let t = Instant::now();
                    let result = run_one(check.run, ctx);
                    section.outcomes.push(Outcome {
                        claim,
                        result,
                        elapsed: t.elapsed(),
                    });
                }
                None => section.pending.push(claim),
            }
        }
        if section.outcomes.is_empty() && section.pending.is_empty() {
            continue;
        }
        on_section(&section);
        sections.push(section);
    }
    Report { machine, quick: ctx.quick, sections, elapsed: start.elapsed() }
}

fn run_one(
    f: fn(&Ctx) -> Result<claims::Finding, CheckError>,
    ctx: &Ctx,
) -> Result<claims::Finding, CheckError> {
    // Silence the default panic message while a check runs; the panic is
    // reported as this check's error instead.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| f(ctx));
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
pub fn print_chapter(slug: &str, quick: bool) -> Report {
    let sel = Selection { chapters: vec![slug.to_string()], claims: Vec::new() };
    let report = run(&sel, &Ctx { quick }, |_| {});
    for sec in &report.sections {
        print!("{}", crate::claims::render::text_section(sec, true));
    }
    println!("\nverdicts: {}", report.tally_line());
    report
}
