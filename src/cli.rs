//! What every binary of the workbook shares on its command line: bad input
//! gets a one-line error and exit code 2, never a usage dump or a panic; a
//! closed pipe ends the program quietly; and every chapter's example has the
//! same shape ([`ChapterArgs`], [`ExampleTable`], [`run_example`]).

use crate::chapters::Chapter;
use crate::claims::{CheckError, Ctx};
use crate::measure::machine::MachineInfo;
use crate::table::Table;
use std::process::exit;

/// Restores the default action of `SIGPIPE`, so that `workbook --list | head`
/// or `cargo run --example mmap | head` ends quietly when the reader's pipe
/// closes, instead of panicking in `println!`. Every binary calls it first.
pub fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_DFL installs no handler
    // code; it is done once at start-up, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The options every chapter's example takes (flatten them into an
/// example's own `Parser` when it has more).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ChapterArgs {
    /// Small sizes and few repetitions (for CI).
    #[arg(long)]
    pub quick: bool,
    /// Print only this table (`claims` is the chapter's claim table).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
}

impl ChapterArgs {
    /// The run's sizes.
    pub fn ctx(&self) -> Ctx {
        Ctx { quick: self.quick }
    }
}

/// What one of an example's tables is built from.
pub type BuildTables = fn(&Ctx) -> Result<Vec<Table>, CheckError>;

/// One table an example prints: its `--table` name, what it shows, and the
/// chapter function that measures (through the chapter's `figures`) and
/// lays it out.
#[derive(Clone, Copy)]
pub struct ExampleTable {
    /// The `--table` name.
    pub name: &'static str,
    /// What it shows, in a few words (printed as its heading).
    pub about: &'static str,
    /// Measures and lays out.
    pub build: BuildTables,
}

/// `ExampleTable { name, about, build }`.
pub const fn table(
    name: &'static str,
    about: &'static str,
    build: BuildTables,
) -> ExampleTable {
    ExampleTable { name, about, build }
}

/// The name `--table` takes for the chapter's claim table.
pub const CLAIMS_TABLE: &str = "claims";

/// Parses an example's command line, `T` being its `Parser` with
/// [`ChapterArgs`] flattened in: an unknown `--table` is a one-line error
/// that lists the known names, exit 2.
pub fn parse_example<T: clap::Parser>(tables: &[ExampleTable]) -> T {
    parse_example_from(std::env::args_os(), tables)
}

/// [`parse_example`] from an explicit argument list.
pub fn parse_example_from<T, I, A>(args: I, tables: &[ExampleTable]) -> T
where
    T: clap::Parser,
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    let mut names: Vec<&'static str> = tables.iter().map(|t| t.name).collect();
    names.push(CLAIMS_TABLE);
    let cmd = T::command().mut_arg("table", |a| {
        a.value_parser(clap::builder::PossibleValuesParser::new(names))
    });
    let result = cmd
        .try_get_matches_from(args)
        .and_then(|mut m| <T as clap::FromArgMatches>::from_arg_matches_mut(&mut m));
    parsed_or_exit(result)
}

/// The whole `main` of an example without options of its own.
pub fn chapter_main(slug: &str, tables: &[ExampleTable]) {
    #[derive(clap::Parser, Debug)]
    struct Only {
        #[command(flatten)]
        chapter: ChapterArgs,
    }
    crate::chapters::dispatch_child();
    quiet_on_closed_pipe();
    let chapter = named(slug);
    let args: Only = parse_example(tables);
    run_example(chapter, &args.chapter, tables);
}

/// Prints an example's tables (all, or the one `--table` names), then the
/// chapter's claim table, and exits 1 if a check could not run. Examples with
/// options of their own call [`crate::chapters::dispatch_child`],
/// [`quiet_on_closed_pipe`] and [`parse_example`] first.
pub fn run_example(
    chapter: &'static Chapter,
    args: &ChapterArgs,
    tables: &[ExampleTable],
) {
    let ctx = args.ctx();
    println!(
        "{} · {} ({} sizes)",
        chapter.number,
        chapter.title,
        if ctx.quick { "--quick" } else { "full" }
    );
    println!("machine: {}", MachineInfo::collect());
    let wanted = |name: &str| args.table.as_deref().is_none_or(|t| t == name);
    let mut failed = false;
    for t in tables.iter().filter(|t| wanted(t.name)) {
        println!(
            "
== {}: {}  (--table {})
",
            t.name, t.about, t.name
        );
        match (t.build)(&ctx) {
            Ok(parts) => {
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        println!();
                    }
                    print!("{part}");
                }
            }
            Err(e) => {
                failed = true;
                println!("could not measure: {e}");
            }
        }
    }
    if wanted(CLAIMS_TABLE) {
        println!(
            "
== {CLAIMS_TABLE}: what this chapter's checks decide  (--table claims)"
        );
        let report = crate::runner::print_chapter(chapter, ctx.quick);
        failed |= report.errors() > 0;
    }
    if failed {
        eprintln!("error: a table or a check could not run (see above)");
        exit(1);
    }
}

/// Parses the command line into `T`, or prints a one-line error and exits
/// with code 2. `--help` and `--version` print as usual and exit 0.
pub fn parse<T: clap::Parser>() -> T {
    parse_from(std::env::args_os())
}

/// [`parse`], from an explicit argument list (the first item is the program name).
pub fn parse_from<T: clap::Parser, I, A>(args: I) -> T
where
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString> + Clone,
{
    parsed_or_exit(T::try_parse_from(args))
}

/// The parsed value; or `--help`/`--version` printed and exit 0; or a
/// one-line error and exit 2.
fn parsed_or_exit<T>(result: Result<T, clap::Error>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                exit(0);
            }
            fail(&one_line(&e))
        }
    }
}

/// The first line of a clap error, without clap's `error: ` prefix.
pub fn one_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or("invalid arguments");
    let mut first = first.trim_start_matches("error: ").trim().to_string();
    // "the following required arguments were not provided:" names them on
    // the next lines: keep the names on the one line.
    if first.ends_with(':') {
        let named: Vec<&str> =
            lines.take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
        first = format!("{} {}", first, named.join(", "));
    }
    // An invalid value's known values are on a later line: keep them.
    let known = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("[possible values: "))
        .map(|v| format!(" (one of: {})", v.trim_end_matches(']')));
    match known {
        Some(k) => format!("{first}{k}"),
        None => format!("{first} (see --help)"),
    }
}

/// The chapter called `slug`, or a one-line error and exit code 2: for
/// examples and tools that name their chapter in code.
pub fn named(slug: &str) -> &'static Chapter {
    crate::selection::parse_chapter(slug).unwrap_or_else(|e| fail(&e))
}

/// Prints `error: {msg}` on one line and exits with code 2.
pub fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    exit(2)
}

/// For a binary that only works on Linux: prints `error: {what} requires
/// Linux` and exits with code 2.
pub fn requires_linux(what: &str) -> ! {
    fail(&format!("{what} requires Linux"))
}

/// Sizes on the command line (`--size 256MiB`), for clap's `value_parser`.
pub use crate::table::parse_size;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_table_is_a_one_line_error_listing_the_known_ones() {
        #[derive(clap::Parser, Debug)]
        struct A {
            #[command(flatten)]
            chapter: ChapterArgs,
        }
        let tables = [table("sizes", "x", |_| Ok(vec![]))];
        let a: A = parse_example_from(["x", "--table", "sizes", "--quick"], &tables);
        assert_eq!(a.chapter.table.as_deref(), Some("sizes"));
        assert!(a.chapter.quick);
        let cmd = <A as clap::CommandFactory>::command().mut_arg("table", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(["sizes", "claims"]))
        });
        let e = cmd.try_get_matches_from(["x", "--table", "nope"]).unwrap_err();
        let line = one_line(&e);
        assert!(line.contains("nope") && line.contains("sizes"), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }

    #[test]
    fn a_missing_required_argument_is_named_on_the_one_line() {
        #[derive(clap::Parser, Debug)]
        struct A {
            #[arg(long, requires = "svg")]
            book_set: bool,
            #[arg(long)]
            svg: Option<String>,
        }
        let e = <A as clap::Parser>::try_parse_from(["x", "--book-set"]).unwrap_err();
        let line = one_line(&e);
        assert!(line.contains("--svg"), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }

    #[test]
    fn clap_errors_become_one_line() {
        #[derive(clap::Parser, Debug)]
        struct A {
            #[arg(long)]
            n: u32,
        }
        let e = <A as clap::Parser>::try_parse_from(["x", "--n", "abc"]).unwrap_err();
        let line = one_line(&e);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("abc"), "{line}");
    }
}
