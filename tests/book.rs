//! The book's integrity. mdBook fails silently in three ways (a misspelled
//! anchor renders an empty block, a missing file logs an error but exits 0,
//! an indented include breaks the fence), and a page can drift from the code.
//! These tests catch all of that:
//!
//! - every `{{#include}}` resolves to an existing file and a non-empty anchor,
//!   and starts at column 0;
//! - SUMMARY.md lists every chapter and every page it links exists;
//! - every written chapter's page names its example, bench and test, and those
//!   files exist; it names every exercise of its test file, and every exercise
//!   the book names exists as a test; each chapter has at least three;
//! - every claim id on a page exists in the ledger;
//! - every measured-output marker is followed by a `text` block;
//! - the committed ledger appendices cover every claim of every written chapter;
//! - exercises: each chapter's `tests/<slug>/exercises.rs` has at least three,
//!   with a starter (`// TODO:` and `todo!()`) the page prints and a solution
//!   its solutions page prints;
//! - no prose figure is typed: every directive (`{{fig …}}`, `{{out …}}` …)
//!   resolves, and no measured-looking number stands in prose without one.

use perf_workbook::book::{self, Reference, Sources};
use perf_workbook::chapters::CHAPTERS;
use perf_workbook::claims;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn book_src() -> PathBuf {
    root().join("book/src")
}

/// Every Markdown file under book/src, with its text.
fn pages() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "md") {
                let text = fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&book_src(), &mut out);
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// `{{#include path}}` / `{{#include path:anchor}}` / `{{#rustdoc_include …}}`
/// occurrences: (line number, leading whitespace, path, anchor).
fn includes(text: &str) -> Vec<(usize, String, String, Option<String>)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{#") {
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else { break };
            let body = after[..end].trim();
            if let Some(arg) = body
                .strip_prefix("include")
                .or_else(|| body.strip_prefix("rustdoc_include"))
            {
                let arg = arg.trim();
                let (path, anchor) = match arg.split_once(':') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (arg.to_string(), None),
                };
                let indent: String =
                    line.chars().take_while(|c| c.is_whitespace()).collect();
                out.push((n + 1, indent, path, anchor));
            }
            rest = &after[end + 2..];
        }
    }
    out
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without nested
/// anchor markers.
fn anchor_body(source: &str, name: &str) -> Option<String> {
    let mut inside = false;
    let mut body = String::new();
    let mut found_end = false;
    for line in source.lines() {
        let t = line.trim();
        let marker =
            |kind: &str| t.find(kind).map(|i| t[i + kind.len()..].trim().to_string());
        if let Some(n) = marker("ANCHOR_END:") {
            if n == name && inside {
                found_end = true;
                break;
            }
            continue;
        }
        if let Some(n) = marker("ANCHOR:") {
            if n == name {
                inside = true;
            }
            continue;
        }
        if inside {
            body.push_str(line);
            body.push('\n');
        }
    }
    (inside && found_end).then_some(body)
}

#[test]
fn every_include_resolves_to_a_non_empty_anchor_at_column_0() {
    let mut problems = Vec::new();
    for (page, text) in pages() {
        for (line, indent, path, anchor) in includes(&text) {
            let at = format!("{}:{line}", rel(&page));
            if !indent.is_empty() {
                problems
                    .push(format!("{at}: include is indented (mdBook breaks the fence)"));
            }
            let file = page.parent().unwrap().join(&path);
            let Ok(source) = fs::read_to_string(&file) else {
                problems.push(format!("{at}: {path} does not exist"));
                continue;
            };
            match anchor {
                None => problems.push(format!(
                    "{at}: include of a whole file ({path}); use an anchor so the \
                     page shows only the part it discusses"
                )),
                Some(a) if a.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                    problems.push(format!(
                        "{at}: line-number include {path}:{a}; use a named anchor"
                    ))
                }
                Some(a) => {
                    match anchor_body(&source, &a) {
                        None => problems
                            .push(format!("{at}: anchor {a:?} not found in {path}")),
                        Some(body) if body.trim().is_empty() => problems
                            .push(format!("{at}: anchor {a:?} in {path} is empty")),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

fn summary_links() -> Vec<String> {
    let text = fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let mut links = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').unwrap();
        links.push(after[..end].to_string());
        rest = &after[end..];
    }
    links
}

#[test]
fn summary_lists_every_chapter_and_every_linked_page_exists() {
    let links = summary_links();
    for link in &links {
        assert!(book_src().join(link).is_file(), "SUMMARY.md links to missing {link}");
    }
    for ch in CHAPTERS {
        let page = format!("{}.md", ch.slug);
        assert!(links.contains(&page), "SUMMARY.md does not list {page}");
    }
    for page in ["introduction.md", "ledger.md", "defects.md"] {
        assert!(links.iter().any(|l| l == page), "SUMMARY.md does not list {page}");
    }
    // Every page under book/src is reachable from SUMMARY.md.
    for (page, _) in pages() {
        let name = page.strip_prefix(book_src()).unwrap().display().to_string();
        assert!(
            name == "SUMMARY.md" || links.contains(&name),
            "{name} is not listed in SUMMARY.md"
        );
    }
}

/// `exercise_N_…` identifiers in `text`.
fn exercise_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("exercise_") {
        let start = i + pos;
        let boundary = start == 0
            || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let end = start
            + text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - start);
        let name = &text[start..end];
        let mut parts = name["exercise_".len()..].splitn(2, '_');
        let digits = parts.next().unwrap_or("");
        let what = parts.next().unwrap_or("");
        if boundary
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && !what.is_empty()
        {
            out.insert(name.to_string());
        }
        i = end.max(start + 1);
    }
    out
}

/// Test functions named `exercise_N_…` in a test file.
fn exercise_fns(source: &str) -> BTreeSet<String> {
    exercise_names(source)
        .into_iter()
        .filter(|name| source.contains(&format!("fn {name}(")))
        .collect()
}

/// The chapter's test file (the one shape: `tests/<slug>/main.rs`).
fn test_file(slug: &str) -> String {
    format!("tests/{slug}/main.rs")
}

fn chapter_text(slug: &str) -> String {
    let mut text = fs::read_to_string(book_src().join(format!("{slug}.md"))).unwrap();
    let sub = book_src().join(slug);
    if sub.is_dir() {
        for (p, t) in pages() {
            if p.starts_with(&sub) {
                text.push_str(&t);
            }
        }
    }
    text
}

#[test]
fn every_written_chapter_names_its_example_bench_and_test() {
    for ch in CHAPTERS.iter().filter(|c| c.is_written()) {
        let s = ch.slug;
        let text = chapter_text(s);
        for (needle, file) in [
            (format!("--example {s}"), format!("examples/{s}.rs")),
            (format!("--bench {s}"), format!("benches/{s}.rs")),
            (format!("--test {s}"), test_file(s)),
        ] {
            assert!(text.contains(&needle), "{s}.md does not name `{needle}`");
            assert!(root().join(&file).is_file(), "{file} does not exist");
        }
    }
}

/// Every `.rs` file under tests/, with its text.
fn test_sources() -> String {
    fn walk(dir: &Path, out: &mut String) {
        for entry in fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push_str(&fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = String::new();
    walk(&root().join("tests"), &mut out);
    out
}

#[test]
fn exercises_exist_and_every_chapter_lists_its_own() {
    let defined = exercise_fns(&test_sources());
    for (page, text) in pages() {
        // Anchor names in include directives may look like exercise names.
        let prose: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("{{#"))
            .collect::<Vec<_>>()
            .join("\n");
        for name in exercise_names(&prose) {
            assert!(
                defined.contains(&name),
                "{} names {name}, which is no test",
                rel(&page)
            );
        }
    }
    for ch in CHAPTERS.iter().filter(|c| c.is_written()) {
        let s = ch.slug;
        let file = format!("tests/{s}/exercises.rs");
        let source = fs::read_to_string(root().join(&file))
            .unwrap_or_else(|_| panic!("{s}: exercises must live in {file}"));
        let own = exercise_fns(&source);
        assert!(own.len() >= 3, "{file} has {} exercises; at least 3", own.len());
        let text = chapter_text(s);
        for name in &own {
            assert!(text.contains(name.as_str()), "{s}.md does not list {name}");
            let cmd = format!("cargo test --test {s} {name}");
            assert!(text.contains(&cmd), "{s}.md does not give the command `{cmd}`");
        }
        exercise_starters_and_solutions(s, &own, &text);
    }
}

/// The one shape of a chapter's exercises (see CONTRIBUTING.md, "Exercises").
fn exercise_starters_and_solutions(s: &str, own: &BTreeSet<String>, text: &str) {
    let starter = fs::read_to_string(root().join(format!("tests/{s}/starter.rs")))
        .unwrap_or_else(|_| panic!("tests/{s}/starter.rs is missing"));
    let solution = fs::read_to_string(root().join(format!("tests/{s}/solution.rs")))
        .unwrap_or_else(|_| panic!("tests/{s}/solution.rs is missing"));
    let solutions_page = fs::read_to_string(book_src().join(format!("{s}/solutions.md")))
        .unwrap_or_else(|_| panic!("book/src/{s}/solutions.md is missing"));
    let page = fs::read_to_string(book_src().join(format!("{s}.md"))).unwrap();
    assert!(page.contains("\n## Exercises\n"), "{s}.md has no `## Exercises` heading");
    let cmd = format!("cargo test --test {s} --features starter");
    assert!(text.contains(&cmd), "{s}.md does not say how to start: `{cmd}`");
    for name in own {
        let n: String =
            name["exercise_".len()..].chars().take_while(char::is_ascii_digit).collect();
        let anchor = format!("exercise_{n}");
        let body = anchor_body(&starter, &anchor)
            .unwrap_or_else(|| panic!("tests/{s}/starter.rs has no anchor {anchor}"));
        assert!(
            body.contains("// TODO:") && body.contains("todo!("),
            "tests/{s}/starter.rs:{anchor} needs a `// TODO:` hint and a `todo!()`"
        );
        assert!(
            anchor_body(&solution, &anchor).is_some_and(|b| !b.contains("todo!(")),
            "tests/{s}/solution.rs has no finished anchor {anchor}"
        );
        let inc = format!("tests/{s}/starter.rs:{anchor}}}}}");
        assert!(page.contains(&inc), "{s}.md does not include the starter {inc}");
        let inc = format!("tests/{s}/solution.rs:{anchor}}}}}");
        assert!(solutions_page.contains(&inc), "{s}/solutions.md does not include {inc}");
    }
}

fn reference() -> Reference {
    let text = fs::read_to_string(root().join(book::REFERENCE))
        .expect("book/src/reference.json: regenerate it (see README)");
    Reference::parse(&text).unwrap()
}

/// Every figure directive of every page resolves (the preprocessor would
/// fail the build otherwise), and no converted chapter types a measured
/// figure into its prose.
#[test]
fn prose_figures_come_from_a_source() {
    let reference = reference();
    let sources = Sources {
        reference: &reference,
        rule: |id| perf_workbook::chapters::lookup(id).1,
    };
    // The seeds' own figures are cited through the ledger's statements (which
    // carry the seeds' exact figures); the seeds themselves are not in the
    // repository, so a figure found only there would pass here and fail in CI.
    let cited = fs::read_to_string(root().join("src/claims/ledger.tsv")).unwrap();
    let mut problems = Vec::new();
    for (page, text) in pages() {
        let name = rel(&page);
        if let Err(es) = book::expand(&text, &sources) {
            problems.extend(es.into_iter().map(|e| format!("{name}: {e}")));
        }
        let generated = ["ledger.md", "defects.md"].iter().any(|g| name.ends_with(g));
        if generated {
            continue;
        }
        for f in book::free_figures(&text, &cited) {
            problems.push(format!(
                "{name}: typed figure {f:?}: quote it with {{{{fig}}}} or {{{{out}}}}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The reference report is one whole run of every written chapter.
#[test]
fn the_reference_report_covers_every_written_chapter() {
    let text = fs::read_to_string(root().join(book::REFERENCE)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ids: BTreeSet<&str> =
        v["claims"].as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    for ch in CHAPTERS.iter().filter(|c| c.is_written()) {
        for c in ch.claims() {
            assert!(
                ids.contains(c.id),
                "reference.json lacks {} ({}): regenerate it",
                c.id,
                ch.slug
            );
        }
    }
    assert_eq!(v["quick"], false, "the reference report is a full run");
}

/// Ledger-style ids (`C000-01`, `D01`) in `text`.
fn claim_ids(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = BTreeSet::new();
    let boundary = |i: usize| i >= chars.len() || !chars[i].is_ascii_alphanumeric();
    for i in 0..chars.len() {
        if i > 0 && !boundary(i - 1) {
            continue;
        }
        let digits = |from: usize, n: usize| {
            (from..from + n).all(|j| j < chars.len() && chars[j].is_ascii_digit())
        };
        if chars[i] == 'C'
            && digits(i + 1, 3)
            && chars.get(i + 4) == Some(&'-')
            && digits(i + 5, 2)
        {
            if boundary(i + 7) {
                out.insert(chars[i..i + 7].iter().collect());
            }
        } else if chars[i] == 'D' && digits(i + 1, 2) && boundary(i + 3) {
            out.insert(chars[i..i + 3].iter().collect());
        }
    }
    out
}

#[test]
fn every_claim_id_on_a_page_exists_in_the_ledger() {
    for (page, text) in pages() {
        for id in claim_ids(&text) {
            assert!(
                claims::claim(&id).is_some(),
                "{} mentions {id}, not in the ledger",
                rel(&page)
            );
        }
    }
}

#[test]
fn measured_output_markers_precede_text_blocks() {
    for (page, text) in pages() {
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("<!-- output:") {
                assert!(
                    line.trim_end().ends_with("-->"),
                    "{}:{}: unclosed marker",
                    rel(&page),
                    n + 1
                );
                let next = lines.get(n + 1).map(|l| l.trim()).unwrap_or("");
                assert_eq!(
                    next,
                    "```text",
                    "{}:{}: marker not followed by ```text",
                    rel(&page),
                    n + 1
                );
            }
        }
    }
}

#[test]
fn the_ledger_appendices_cover_every_written_chapter() {
    let ledger = fs::read_to_string(book_src().join("ledger.md")).unwrap();
    let defects = fs::read_to_string(book_src().join("defects.md")).unwrap();
    let (in_ledger, in_defects) = (claim_ids(&ledger), claim_ids(&defects));
    for ch in CHAPTERS.iter().filter(|c| c.is_written()) {
        for c in ch.claims() {
            let (page, ids) = if c.is_defect() {
                ("defects.md", &in_defects)
            } else {
                ("ledger.md", &in_ledger)
            };
            assert!(
                ids.contains(c.id),
                "{page} lacks {} ({}): regenerate it with the command at its top",
                c.id,
                ch.slug
            );
        }
    }
    for (name, text) in [("ledger.md", &ledger), ("defects.md", &defects)] {
        assert!(
            text.contains("cargo run --release --"),
            "{name} does not say how it was made"
        );
        for ch in CHAPTERS.iter().filter(|c| c.is_written()) {
            for c in ch.claims() {
                let row = format!("| {} |", c.id);
                if let Some(pos) = text.find(&row) {
                    let line = text[pos..].lines().next().unwrap_or("");
                    assert!(
                        !line.contains("| pending |"),
                        "{name} shows {} as pending, but {} is written: regenerate it",
                        c.id,
                        ch.slug
                    );
                }
            }
        }
    }
}

#[test]
fn the_scanners_find_what_they_should() {
    assert_eq!(
        claim_ids("C000-08, D10 and (D64); not XD10, C0000-01, D100 or C001-1"),
        ["C000-08", "D10", "D64"].iter().map(|s| s.to_string()).collect()
    );
    assert_eq!(
        exercise_names(
            "`exercise_1_reorder` and exercise_12_x but not my_exercise_1_y or exercise_a"
        ),
        ["exercise_12_x", "exercise_1_reorder"].iter().map(|s| s.to_string()).collect()
    );
    let inc = includes("{{#include ../../src/a.rs:x}}\n  {{#include b.rs}}\n");
    assert_eq!(inc.len(), 2);
    assert_eq!((inc[0].2.as_str(), inc[0].3.as_deref()), ("../../src/a.rs", Some("x")));
    assert_eq!((inc[1].1.as_str(), inc[1].3.as_deref()), ("  ", None));
    let src =
        "// ANCHOR: a\nfn f() {}\n// ANCHOR: b\n// ANCHOR_END: b\n// ANCHOR_END: a\n";
    assert_eq!(anchor_body(src, "a").as_deref(), Some("fn f() {}\n"));
    assert_eq!(anchor_body(src, "b").as_deref(), Some(""));
    assert_eq!(anchor_body(src, "c"), None);
}

#[test]
fn readme_has_the_set_up_commands_and_a_row_per_chapter() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains("cargo run --release "),
        "README lacks `cargo run --release`"
    );
    assert!(readme.contains("cargo test "), "README lacks `cargo test`");
    for ch in CHAPTERS {
        let s = ch.slug;
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", ch.number)))
            .unwrap_or_else(|| {
                panic!("README has no row for chapter {} ({s})", ch.number)
            });
        for needle in [
            format!("--example {s}`"),
            format!("--bench {s}`"),
            format!("--test {s}`"),
            format!("(book/src/{s}.md)"),
        ] {
            assert!(row.contains(&needle), "README row for {s} lacks {needle}");
        }
        if ch.is_written() {
            for file in
                [format!("examples/{s}.rs"), format!("benches/{s}.rs"), test_file(s)]
            {
                assert!(
                    root().join(&file).is_file(),
                    "README names {file}, which is missing"
                );
            }
        }
    }
}
