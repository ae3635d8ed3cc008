//! `workbook`: checks every registered claim of the Go performance guides on
//! this machine and prints the verdicts (`cargo run --release`).

use clap::{Parser, ValueEnum};
use perf_workbook::chapters::{self, CHAPTERS};
use perf_workbook::claims::render::{self, Only};
use perf_workbook::claims::{self, Ctx};
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::runner::{self, Selection};
use std::io::Write;

// Checks count allocations; the counting allocator forwards to glibc malloc.
perf_workbook::count_allocations!();

/// `println!` that ends the program quietly when stdout is closed (for
/// example `workbook --list | head`), instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    };
}

/// `print!` with the same behaviour as `out!`.
macro_rules! out_nl {
    ($($arg:tt)*) => {
        if write!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    };
}

#[derive(Parser, Debug)]
#[command(
    name = "workbook",
    version,
    about = "Checks the claims of five Go performance guides on this machine: \
             confirmed, refuted, or \"holds only when…\", computed from measurements."
)]
struct Args {
    /// Only this chapter (repeatable): measuring, zero_copy, struct_layout, …
    #[arg(long, value_name = "SLUG")]
    chapter: Vec<String>,
    /// Only this claim or defect id (repeatable), e.g. C000-08 or D10.
    #[arg(long, value_name = "ID")]
    claim: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Small sizes and few repetitions (for CI): at most 15 s in all.
    #[arg(long)]
    quick: bool,
    /// List the chapters and claims without running anything.
    #[arg(long)]
    list: bool,
    /// Only claims, or only seed defects.
    #[arg(long, value_enum, default_value_t = OnlyArg::All)]
    only: OnlyArg,
    /// Text format: also print each check's condition and figures.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OnlyArg {
    All,
    Claims,
    Defects,
}

fn main() {
    chapters::dispatch_child();
    let args: Args = perf_workbook::cli::parse();
    let only = match args.only {
        OnlyArg::All => Only::All,
        OnlyArg::Claims => Only::Claims,
        OnlyArg::Defects => Only::Defects,
    };
    let mut sel =
        Selection { chapters: args.chapter.clone(), claims: args.claim.clone() };
    if let Err(e) = sel.validate() {
        perf_workbook::cli::fail(&e);
    }
    if args.list {
        list(&sel, only, args.format);
        return;
    }
    if only != Only::All && sel.claims.is_empty() {
        // Run only the checks the page will show.
        sel.claims = claims::ledger()
            .iter()
            .filter(|c| only.admits(c) && chapters::chapter(c.chapter).is_some())
            .filter(|c| {
                sel.chapters.is_empty() || sel.chapters.iter().any(|s| s == c.chapter)
            })
            .map(|c| c.id.to_string())
            .collect();
    }
    let ctx = Ctx { quick: args.quick };
    let report = match args.format {
        Format::Text => {
            out!(
                "perf-workbook: checking claims on this machine ({} sizes)",
                size_word(&ctx)
            );
            out!("machine: {}", MachineInfo::collect());
            let report = runner::run(&sel, &ctx, |section| {
                out_nl!("{}", render::text_section(section, args.verbose));
                let _ = std::io::stdout().flush();
            });
            out!(
                "\n{} claims checked in {:.1} s\nverdicts: {}",
                report.outcomes().count(),
                report.elapsed.as_secs_f64(),
                report.tally_line()
            );
            let surprises: Vec<String> =
                report.surprises().iter().map(|o| o.claim.id.to_string()).collect();
            if !surprises.is_empty() {
                out!(
                    "differs from the research ledger's prediction: {}",
                    surprises.join(", ")
                );
            }
            report
        }
        Format::Markdown => {
            let report = runner::run(&sel, &ctx, |_| {});
            out_nl!("{}", render::markdown(&report, only, &command_line(&args)));
            report
        }
        Format::Json => {
            let report = runner::run(&sel, &ctx, |_| {});
            out!("{}", serde_json::to_string_pretty(&render::json(&report)).unwrap());
            report
        }
    };
    if report.errors() > 0 {
        std::process::exit(1);
    }
}

fn size_word(ctx: &Ctx) -> &'static str {
    if ctx.quick { "--quick" } else { "full" }
}

/// The command that regenerates a Markdown page, as the page prints it.
fn command_line(args: &Args) -> String {
    let mut cmd = String::from("cargo run --release --");
    for c in &args.chapter {
        cmd.push_str(&format!(" --chapter {c}"));
    }
    for c in &args.claim {
        cmd.push_str(&format!(" --claim {c}"));
    }
    if args.quick {
        cmd.push_str(" --quick");
    }
    match args.only {
        OnlyArg::All => {}
        OnlyArg::Claims => cmd.push_str(" --only claims"),
        OnlyArg::Defects => cmd.push_str(" --only defects"),
    }
    cmd.push_str(" --format markdown");
    match args.only {
        OnlyArg::Claims => cmd.push_str(" > book/src/ledger.md"),
        OnlyArg::Defects => cmd.push_str(" > book/src/defects.md"),
        OnlyArg::All => {}
    }
    cmd
}

fn list(sel: &Selection, only: Only, format: Format) {
    let rows: Vec<(&chapters::Chapter, &claims::ClaimInfo)> = CHAPTERS
        .iter()
        .filter(|ch| sel.chapters.is_empty() || sel.chapters.iter().any(|s| s == ch.slug))
        .flat_map(|ch| ch.claims().map(move |c| (ch, c)))
        .filter(|(_, c)| only.admits(c))
        .filter(|(_, c)| sel.claims.is_empty() || sel.claims.iter().any(|id| id == c.id))
        .collect();
    let status = |ch: &chapters::Chapter, id: &str| {
        if ch.check(id).is_some() { "checked" } else { "pending" }
    };
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|(ch, c)| {
                    serde_json::json!({
                        "id": c.id, "chapter": ch.slug, "status": status(ch, c.id),
                        "seed": c.seed_file(), "location": c.location,
                        "kind": c.kind, "statement": c.statement,
                    })
                })
                .collect();
            out!("{}", serde_json::to_string_pretty(&items).unwrap());
        }
        Format::Markdown => {
            out!("| id | chapter | status | seed | claim |\n|---|---|---|---|---|");
            for (ch, c) in rows {
                out!(
                    "| {} | {} | {} | {} {} | {} |",
                    c.id,
                    ch.slug,
                    status(ch, c.id),
                    c.seed,
                    c.location.replace('|', "\\|"),
                    c.statement.replace('|', "\\|")
                );
            }
        }
        Format::Text => {
            let mut current = "";
            for (ch, c) in rows {
                if ch.slug != current {
                    current = ch.slug;
                    out!("\n{} · {} ({})", ch.number, ch.title, ch.slug);
                }
                let text: String = c.statement.chars().take(80).collect();
                out!("  {:<8} {:<8} {}", c.id, status(ch, c.id), text);
            }
        }
    }
}
