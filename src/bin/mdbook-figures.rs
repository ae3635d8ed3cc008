//! `mdbook-figures`: the book's preprocessor (configured in `book/book.toml`).
//! Fills the figures a page quotes from the committed reference report, the
//! rules' thresholds and the page's own output blocks (see
//! `perf_workbook::book`), and fails the build when one does not resolve.
//!
//! mdBook calls it twice: `mdbook-figures supports <renderer>` (yes, for
//! every renderer), then with `[context, book]` as JSON on stdin, expecting
//! the book as JSON on stdout.

use perf_workbook::book::{self, Reference, Sources};
use serde_json::Value;
use std::io::Read as _;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("supports") {
        return;
    }
    if !args.is_empty() {
        perf_workbook::cli::fail(
            "usage: mdbook-figures [supports RENDERER] (run by mdbook)",
        );
    }
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        perf_workbook::cli::fail(&format!("cannot read stdin: {e}"));
    }
    let parsed: Value = serde_json::from_str(&input)
        .unwrap_or_else(|e| perf_workbook::cli::fail(&format!("stdin is not JSON: {e}")));
    let (Some(ctx), Some(mut book)) = (parsed.get(0).cloned(), parsed.get(1).cloned())
    else {
        perf_workbook::cli::fail("expected [context, book] on stdin");
    };
    let root = PathBuf::from(ctx["root"].as_str().unwrap_or("."));
    let src = ctx["config"]["book"]["src"].as_str().unwrap_or("src");
    let path = root.join(src).join("reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        perf_workbook::cli::fail(&format!("cannot read {}: {e}", path.display()))
    });
    let reference = Reference::parse(&text).unwrap_or_else(|e| {
        perf_workbook::cli::fail(&format!("{}: {e}", path.display()))
    });
    let sources = Sources {
        reference: &reference,
        rule: |id| perf_workbook::chapters::lookup(id).1,
    };
    let mut errors = Vec::new();
    expand_all(&mut book, &sources, &mut errors);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        std::process::exit(1);
    }
    println!("{book}");
}

/// Expands the `content` of every chapter object, wherever it sits in the
/// book's JSON (the layout differs between mdBook versions).
fn expand_all(v: &mut Value, sources: &Sources<'_>, errors: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let name = map.get("path").and_then(Value::as_str).unwrap_or("?").to_string();
            if let Some(Value::String(content)) = map.get_mut("content") {
                match book::expand(content, sources) {
                    Ok(done) => *content = done,
                    Err(es) => {
                        errors.extend(es.into_iter().map(|e| format!("{name}: {e}")))
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                expand_all(child, sources, errors);
            }
        }
        Value::Array(items) => {
            for item in items {
                expand_all(item, sources, errors);
            }
        }
        _ => {}
    }
}
