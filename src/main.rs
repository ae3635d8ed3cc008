//! `workbook`: checks every registered claim of the Go performance guides on
//! this machine and prints the verdicts (`cargo run --release`).

use clap::{Parser, ValueEnum};
use perf_workbook::chapters::{self, CHAPTERS, Chapter};
use perf_workbook::claims::render::{self, Only, Report};
use perf_workbook::claims::{ClaimInfo, Ctx, saved};
use perf_workbook::go_side::{self, GoRun};
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::runner;
use perf_workbook::selection::{self, Selection};
use std::io::Write as _;
use std::path::PathBuf;

// Checks count allocations; the counting allocator forwards to glibc malloc.
perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(
    name = "workbook",
    version,
    about = "Checks the claims of five Go performance guides on this machine: \
             confirmed, refuted, or \"holds only when…\", computed from measurements."
)]
struct Args {
    /// Only this chapter (repeatable): measuring, zero_copy, struct_layout, …
    #[arg(long, value_name = "SLUG", value_parser = selection::parse_chapter)]
    chapter: Vec<&'static Chapter>,
    /// Only this claim or defect id (repeatable), e.g. C000-08 or D10.
    #[arg(long, value_name = "ID", value_parser = selection::parse_claim)]
    claim: Vec<&'static ClaimInfo>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Small sizes and few repetitions (for CI): at most 15 s in all.
    #[arg(long)]
    quick: bool,
    /// List the chapters and claims without running anything: whether each is
    /// measured or static, and the rule's thresholds.
    #[arg(long)]
    list: bool,
    /// Only claims, or only seed defects.
    #[arg(long, value_enum, default_value_t = OnlyArg::All)]
    only: OnlyArg,
    /// Text format: also print each check's condition, figures and rule.
    #[arg(short, long)]
    verbose: bool,
    /// After the run, list where this machine differs from a saved JSON
    /// report (verdicts, and figures more than 2× apart), e.g.
    /// book/src/reference.json.
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    compare: Option<PathBuf>,
    /// Render a saved JSON report instead of running (the book's appendices
    /// are rendered from book/src/reference.json this way).
    #[arg(long, value_name = "FILE", conflicts_with = "list")]
    from: Option<PathBuf>,
    /// The Go toolchain for the Go side (default: `go` on PATH): the claims
    /// about Go measured in Go and judged beside the Rust verdict.
    #[arg(long, value_name = "PATH", conflicts_with = "no_go")]
    go: Option<PathBuf>,
    /// Do not run the Go side, even when Go is installed.
    #[arg(long)]
    no_go: bool,
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
    perf_workbook::cli::quiet_on_closed_pipe();
    let args: Args = perf_workbook::cli::parse();
    let only = match args.only {
        OnlyArg::All => Only::All,
        OnlyArg::Claims => Only::Claims,
        OnlyArg::Defects => Only::Defects,
    };
    let sel =
        Selection { chapters: args.chapter.clone(), claims: args.claim.clone(), only };
    if args.list {
        list(&sel, args.format);
        return;
    }
    // Read the saved report first: a bad file fails before a long run.
    let saved = |path: &PathBuf| -> Report {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            perf_workbook::cli::fail(&format!("cannot read {}: {e}", path.display()))
        });
        let mut r = saved::from_json_with(&text, chapters::lookup, go_side::rule_for)
            .unwrap_or_else(|e| {
                perf_workbook::cli::fail(&format!("{}: {e}", path.display()))
            });
        for sec in &mut r.sections {
            if let Some(ch) = chapters::chapter(sec.slug) {
                (sec.number, sec.title) = (ch.number, ch.title);
            }
            sec.outcomes.retain(|o| sel.admits(o.claim));
            sec.pending.retain(|c| sel.admits(c));
        }
        r.sections.retain(|s| !s.outcomes.is_empty() || !s.pending.is_empty());
        r
    };
    let compare_with = args.compare.as_ref().map(saved);
    let ctx = Ctx { quick: args.quick };
    let choice = match (&args.go, args.no_go) {
        (_, true) => go_side::Choice::Off,
        (Some(p), false) => go_side::Choice::Path(p.clone()),
        (None, false) => go_side::Choice::Auto,
    };
    // The Go side runs first and alone: the two would disturb each other's
    // timings on a small machine.
    let go_run = |quiet: bool| -> GoRun {
        let found = match &choice {
            go_side::Choice::Off => false,
            go_side::Choice::Path(_) => true,
            go_side::Choice::Auto => go_side::toolchain::on_path().is_some(),
        };
        if !quiet && found && !go_side::selected(&sel).is_empty() {
            println!(
                "Go side: measuring the claims about Go in Go (a first run builds go/ first) …"
            );
            let _ = std::io::stdout().flush();
        }
        let go = go_side::run(&choice, &sel, args.quick);
        if !quiet && let Some(line) = go.status.line(go.results.len()) {
            println!("{line}");
        }
        go
    };
    let report = match (&args.from, args.format) {
        (Some(path), format) => {
            let report = saved(path);
            match format {
                Format::Text => print!("{}", render::text(&report, args.verbose)),
                Format::Markdown => {
                    print!(
                        "{}",
                        render::markdown(&report, only, &command_line(&args, &sel))
                    )
                }
                Format::Json => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&render::json(&report)).unwrap()
                    )
                }
            }
            report
        }
        (None, Format::Text) => {
            println!(
                "perf-workbook: checking claims on this machine ({} sizes)",
                size_word(&ctx)
            );
            println!("machine: {}", MachineInfo::collect());
            let go = go_run(false);
            let report = runner::run_with_go(&sel, &ctx, Some(&go), |section| {
                print!("{}", render::text_section(section, args.verbose));
                let _ = std::io::stdout().flush();
            });
            let (measured, fixed) = report.measured_and_static();
            println!(
                "\n{} claims checked in {:.1} s ({measured} measured, {fixed} static*)\n\
                 verdicts: {}",
                report.outcomes().count(),
                report.elapsed.as_secs_f64(),
                report.verdicts_line()
            );
            print!("{}", render::differences_text(&report));
            report
        }
        (None, Format::Markdown) => {
            let go = go_run(true);
            let report = runner::run_with_go(&sel, &ctx, Some(&go), |_| {});
            print!("{}", render::markdown(&report, only, &command_line(&args, &sel)));
            report
        }
        (None, Format::Json) => {
            let go = go_run(true);
            let report = runner::run_with_go(&sel, &ctx, Some(&go), |_| {});
            println!("{}", serde_json::to_string_pretty(&render::json(&report)).unwrap());
            report
        }
    };
    if let (Some(saved), Some(path)) = (&compare_with, &args.compare) {
        let diffs = saved::compare(&report, saved);
        let text = saved::comparison_text(&diffs, &path.display().to_string());
        match args.format {
            // Keep stdout a single document; the comparison goes to stderr.
            Format::Json | Format::Markdown => eprint!("{text}"),
            Format::Text => print!("{text}"),
        }
    }
    if report.errors() > 0 && args.from.is_none() {
        std::process::exit(1);
    }
}

fn size_word(ctx: &Ctx) -> &'static str {
    if ctx.quick { "--quick" } else { "full" }
}

/// The command that regenerates a Markdown page, as the page prints it.
fn command_line(args: &Args, sel: &Selection) -> String {
    let mut cmd = String::from("cargo run --release --");
    if let Some(from) = &args.from {
        cmd.push_str(&format!(" --from {}", from.display()));
    }
    cmd.push_str(&sel.arguments());
    if args.quick {
        cmd.push_str(" --quick");
    }
    cmd.push_str(" --format markdown");
    match sel.only {
        Only::Claims => cmd.push_str(" > book/src/ledger.md"),
        Only::Defects => cmd.push_str(" > book/src/defects.md"),
        Only::All => {}
    }
    cmd
}

fn list(sel: &Selection, format: Format) {
    let rows: Vec<(&Chapter, &ClaimInfo)> = CHAPTERS
        .iter()
        .filter(|ch| sel.admits_chapter(ch))
        .flat_map(|ch| ch.claims().map(move |c| (ch, c)))
        .filter(|(_, c)| sel.admits(c))
        .collect();
    let status = |ch: &Chapter, id: &str| match ch.check(id) {
        None => "pending",
        Some(c) if c.is_static() => "static",
        Some(_) => "measured",
    };
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|(ch, c)| {
                    let check = ch.check(c.id);
                    let rule = check.and_then(|k| k.rule()).map(|r| {
                        serde_json::json!({
                            "says": r.says, "inputs": r.inputs,
                            "thresholds": r.thresholds, "outcomes": r.outcomes(),
                        })
                    });
                    let go_rule = go_side::rule_for(c.id).map(|r| {
                        serde_json::json!({
                            "says": r.says, "inputs": r.inputs,
                            "thresholds": r.thresholds, "outcomes": r.outcomes(),
                        })
                    });
                    serde_json::json!({
                        "id": c.id, "chapter": ch.slug, "status": status(ch, c.id),
                        "static": check.map(|k| k.is_static()),
                        "rule": rule,
                        "go_rule": go_rule,
                        "seed": c.seed_file(), "location": c.location,
                        "kind": c.kind, "statement": c.statement,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&items).unwrap());
        }
        Format::Markdown => {
            println!(
                "| id | chapter | status | seed | claim | rule | Go rule |\n\
                 |---|---|---|---|---|---|---|"
            );
            for (ch, c) in rows {
                let rule =
                    ch.check(c.id).and_then(|k| k.rule()).map_or(String::new(), |r| {
                        format!("{} ({})", r.says, r.threshold_line())
                    });
                let go_rule = go_side::rule_for(c.id).map_or(String::new(), |r| {
                    format!("{} ({})", r.says, r.threshold_line())
                });
                println!(
                    "| {} | {} | {} | {} {} | {} | {} | {} |",
                    c.id,
                    ch.slug,
                    status(ch, c.id),
                    c.seed,
                    c.location.replace('|', "\\|"),
                    c.statement.replace('|', "\\|"),
                    rule.replace('|', "\\|"),
                    go_rule.replace('|', "\\|")
                );
            }
        }
        Format::Text => {
            let mut current = "";
            for (ch, c) in rows {
                if ch.slug != current {
                    current = ch.slug;
                    println!("\n{} · {} ({})", ch.number, ch.title, ch.slug);
                }
                let text: String = c.statement.chars().take(80).collect();
                println!("  {:<8} {:<8} {}", c.id, status(ch, c.id), text);
                if let Some(r) = ch.check(c.id).and_then(|k| k.rule()) {
                    println!("           rule: {}", r.says);
                    if !r.thresholds.is_empty() {
                        println!("           thresholds: {}", r.threshold_line());
                    }
                }
                if let Some(r) = go_side::rule_for(c.id) {
                    println!("           Go rule: {}", r.says);
                    if !r.thresholds.is_empty() {
                        println!("           Go thresholds: {}", r.threshold_line());
                    }
                }
            }
        }
    }
}
