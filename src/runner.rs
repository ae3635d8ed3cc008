//! Runs claim checks and collects a [`Report`]: used by the `workbook` CLI and
//! by every chapter's example (which prints its own chapter's table).
//!
//! What to run is a [`Selection`] (see [`crate::selection`]), resolved once
//! from the command line.
//!
//! A check that panics is reported as an error, not a crash of the run.

use crate::chapters::{CHAPTERS, Chapter};
use crate::claims::render::{GoStatus, Outcome, Report, Section};
use crate::claims::{self, Check, CheckError, Ctx};
use crate::go_side::GoRun;
use crate::measure::machine::MachineInfo;
use crate::selection::Selection;
use std::time::Instant;

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
    for ch in CHAPTERS.iter().filter(|c| sel.admits_chapter(c)) {
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
