//! Figures in the book's prose, filled in when the book is built so that no
//! number a page states can drift from its source.
//!
//! A page never types a measured figure. It writes one of these, and the
//! `mdbook-figures` preprocessor (`src/bin/mdbook-figures.rs`, configured in
//! `book/book.toml`) replaces it:
//!
//! | directive | becomes |
//! |---|---|
//! | `{{fig C004-01 "1024 MiB vec: alloc"}}` | that figure of the claim's evidence in the committed reference report (`book/src/reference.json`), formatted in its unit |
//! | `{{verdict C004-01}}` | the claim's verdict label in the reference report |
//! | `{{limit C004-01 max_alloc}}` | a threshold of the claim's rule, from the code |
//! | `{{out "--table sizes" "1 GiB +(\S+ µs)"}}` | the first capture of the regex in the page's measured-output block whose command contains the first string |
//! | `{{gofig C004-01 "make 1 GiB"}}`, `{{goverdict C004-01}}` | the same from the Go side's evidence and verdict in the reference report (see `go_side`) |
//!
//! `tests/book.rs` expands every page (so a directive that does not resolve
//! fails the tests, not just the build) and runs [`free_figures`] over the
//! prose: a number with a unit of time, rate, ratio or percentage outside a
//! directive, a code span, a code block or an HTML comment is an error,
//! unless it is a citation: the same number and unit appear in a seed or the
//! ledger (the seeds' own figures), or its paragraph links its source.

use crate::claims::Rule;
use crate::table::{Unit, format_value};
use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// The committed reference report the prose quotes.
pub const REFERENCE: &str = "book/src/reference.json";

/// The reference report, parsed.
#[derive(Clone, Debug)]
pub struct Reference {
    claims: Vec<Value>,
}

impl Reference {
    /// Parses the JSON of a saved report (`workbook --format json`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let claims = v["claims"].as_array().ok_or("no \"claims\" array")?.clone();
        Ok(Self { claims })
    }

    fn claim(&self, id: &str) -> Result<&Value, String> {
        self.claims
            .iter()
            .find(|c| c["id"] == id)
            .ok_or_else(|| format!("{id} is not in the reference report"))
    }

    /// The figure `name` of claim `id`, formatted in its unit.
    pub fn figure(&self, id: &str, name: &str) -> Result<String, String> {
        figure_in(self.claim(id)?, id, name)
    }

    /// The figure `name` of claim `id`'s Go-side evidence.
    pub fn go_figure(&self, id: &str, name: &str) -> Result<String, String> {
        let go = &self.claim(id)?["go"];
        if go.is_null() {
            return Err(format!("{id} has no Go result in the reference report"));
        }
        figure_in(go, id, name)
    }

    /// The Go side's verdict label for claim `id`.
    pub fn go_verdict(&self, id: &str) -> Result<String, String> {
        self.claim(id)?["go"]["verdict_label"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{id} has no Go verdict in the reference report"))
    }

    /// The verdict label of claim `id` (`confirmed`, `reproduced` …).
    pub fn verdict(&self, id: &str) -> Result<String, String> {
        self.claim(id)?["verdict_label"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{id} has no verdict in the reference report"))
    }
}

/// The figure `name` in the `evidence` of `holder` (a claim or its `go`).
fn figure_in(holder: &Value, id: &str, name: &str) -> Result<String, String> {
    {
        let c = holder;
        let figs = c["evidence"]["figures"]
            .as_array()
            .ok_or_else(|| format!("{id} has no evidence in the reference report"))?;
        let f = figs.iter().find(|f| f["name"] == name).ok_or_else(|| {
            let names: Vec<&str> =
                figs.iter().filter_map(|f| f["name"].as_str()).collect();
            format!("{id} has no figure {name:?} (it has: {})", names.join("; "))
        })?;
        let unit: Unit = serde_json::from_value(f["unit"].clone())
            .map_err(|e| format!("{id} {name:?}: unit: {e}"))?;
        let value = f["value"].as_f64().unwrap_or_else(|| match f["value"].as_str() {
            Some("inf") => f64::INFINITY,
            Some("-inf") => f64::NEG_INFINITY,
            _ => f64::NAN,
        });
        Ok(format_value(value, unit))
    }
}

/// Where a page's directives look things up.
pub struct Sources<'a> {
    /// The reference report.
    pub reference: &'a Reference,
    /// The rule of a claim id, from the registry.
    pub rule: fn(&str) -> Option<&'static Rule>,
}

/// A measured-output block of a page: the command in its marker and the
/// text of the block under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputBlock {
    /// The command, e.g. `cargo run --release --example mmap -- --table sizes`.
    pub command: String,
    /// What it printed.
    pub text: String,
}

/// The `<!-- output: CMD -->` blocks of a page, in order.
pub fn output_blocks(page: &str) -> Vec<OutputBlock> {
    let lines: Vec<&str> = page.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if let Some(cmd) =
            l.strip_prefix("<!-- output:").and_then(|r| r.strip_suffix("-->"))
            && lines.get(i + 1).map(|s| s.trim()) == Some("```text")
        {
            let mut end = i + 2;
            while end < lines.len() && lines[end].trim() != "```" {
                end += 1;
            }
            out.push(OutputBlock {
                command: cmd.trim().to_string(),
                text: lines[i + 2..end.min(lines.len())].join("\n"),
            });
            i = end;
        }
        i += 1;
    }
    out
}

/// Splits a directive's arguments: bare words and `"quoted strings"` (with
/// `\"` for a quote inside).
fn arguments(body: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some('\\') if chars.peek() == Some(&'"') => {
                        chars.next();
                        s.push('"');
                    }
                    Some('"') => break,
                    Some(ch) => s.push(ch),
                    None => return Err(format!("unclosed quote in {{{{{body}}}}}")),
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

const DIRECTIVES: [&str; 6] = ["fig", "verdict", "limit", "out", "gofig", "goverdict"];

fn resolve(args: &[String], page: &str, src: &Sources<'_>) -> Result<String, String> {
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or("too few arguments");
    match (arg(0)?, args.len()) {
        ("fig", 3) => src.reference.figure(arg(1)?, arg(2)?),
        ("verdict", 2) => src.reference.verdict(arg(1)?),
        ("gofig", 3) => src.reference.go_figure(arg(1)?, arg(2)?),
        ("goverdict", 2) => src.reference.go_verdict(arg(1)?),
        ("limit", 3) => {
            let (id, name) = (arg(1)?, arg(2)?);
            let rule = (src.rule)(id).ok_or_else(|| format!("{id} has no rule"))?;
            let t = rule
                .thresholds
                .iter()
                .find(|t| t.name == name)
                .ok_or_else(|| format!("{id}'s rule has no threshold {name:?}"))?;
            Ok(format_value(t.value, t.unit))
        }
        ("out", 3) => {
            let (key, pattern) = (arg(1)?, arg(2)?);
            let blocks: Vec<OutputBlock> = output_blocks(page)
                .into_iter()
                .filter(|b| b.command.contains(key))
                .collect();
            let block = match &blocks[..] {
                [b] => b,
                [] => return Err(format!("no output block's command contains {key:?}")),
                _ => return Err(format!("{} output blocks match {key:?}", blocks.len())),
            };
            let re =
                Regex::new(pattern).map_err(|e| format!("bad regex {pattern:?}: {e}"))?;
            let caps = re.captures(&block.text).ok_or_else(|| {
                format!("{pattern:?} matches nothing in the {key:?} block")
            })?;
            let m = caps.get(1).or_else(|| caps.get(0)).expect("group 0 always matches");
            Ok(m.as_str().to_string())
        }
        (other, n) => Err(format!("unknown directive {other:?} with {n} arguments")),
    }
}

/// Replaces every directive of `page`; `Err` lists each one that does not
/// resolve. Fenced code blocks are left as they are (the preprocessor runs
/// after mdBook's includes, so they hold source code, where `{{` is Rust's
/// escaped brace), and so are other `{{…}}` (mdBook's own `{{#include}}`).
pub fn expand(page: &str, src: &Sources<'_>) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(page.len());
    let mut errors = Vec::new();
    let mut in_fence = false;
    let mut prose = String::new();
    for line in page.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            if !in_fence {
                out.push_str(&expand_prose(&prose, page, src, &mut errors));
                prose.clear();
            }
            in_fence = !in_fence;
            out.push_str(line);
        } else if in_fence {
            out.push_str(line);
        } else {
            prose.push_str(line);
        }
    }
    out.push_str(&expand_prose(&prose, page, src, &mut errors));
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// [`expand`] on a stretch of prose (no fences).
fn expand_prose(
    text: &str,
    page: &str,
    src: &Sources<'_>,
    errors: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let body = &after[..end];
        let first = body.split_whitespace().next().unwrap_or("");
        if DIRECTIVES.contains(&first) {
            match arguments(body).and_then(|a| resolve(&a, page, src)) {
                Ok(text) => out.push_str(&text),
                Err(e) => {
                    errors.push(format!("{{{{{body}}}}}: {e}"));
                    out.push_str(&rest[start..start + 2 + end + 2]);
                }
            }
        } else {
            out.push_str(&rest[start..start + 2 + end + 2]);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn figure_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:^|[^\w.])(\d[\d,]*(?:\.\d+)?)(?:\s|&nbsp;)?(ns|µs|us|ms|s|×|%|[KMG]iB/s|M/s|k?req/s)(?:[^\w]|$)",
        )
        .expect("a valid pattern")
    })
}

/// The prose of a page: without fenced blocks, code spans, HTML comments and
/// `{{…}}` directives.
pub fn prose(page: &str) -> String {
    static STRIP: OnceLock<[Regex; 4]> = OnceLock::new();
    let [fences, comments, spans, directives] = STRIP.get_or_init(|| {
        [
            Regex::new(r"(?s)```.*?```").expect("valid"),
            Regex::new(r"(?s)<!--.*?-->").expect("valid"),
            Regex::new(r"`[^`\n]*`").expect("valid"),
            Regex::new(r"(?s)\{\{.*?\}\}").expect("valid"),
        ]
    });
    let t = fences.replace_all(page, "");
    let t = comments.replace_all(&t, "");
    let t = spans.replace_all(&t, "");
    directives.replace_all(&t, "").into_owned()
}

/// Measured-looking figures typed into `page`'s prose that are not
/// citations: neither found (number and unit) in `cited` (the seeds and the
/// ledger), nor in a paragraph that links its source.
pub fn free_figures(page: &str, cited: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in prose(page).split("\n\n") {
        if para.contains("](http") {
            continue;
        }
        for caps in figure_pattern().captures_iter(para) {
            let (num, unit) = (&caps[1], &caps[2]);
            if cited.contains(&format!("{num}{unit}"))
                || cited.contains(&format!("{num} {unit}"))
            {
                continue;
            }
            out.push(format!("{num} {unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{Outcome, Threshold, Verdict, example};

    const REPORT: &str = r#"{"claims": [{"id": "C004-01", "verdict_label": "refuted",
        "evidence": {"condition": "x", "figures": [
            {"name": "1024 MiB vec: alloc", "value": 23490.0, "unit": "nanos"}]},
        "go": {"version": "go1.27.3", "verdict_label": "refuted",
               "evidence": {"condition": "y", "figures": [
            {"name": "make 1 GiB", "value": 740000.0, "unit": "nanos"}]}}}]}"#;

    static RULE: Rule = Rule {
        says: "refuted when the allocation takes less than max_alloc",
        inputs: &["a"],
        thresholds: &[Threshold {
            name: "max_alloc",
            value: 100_000.0,
            unit: Unit::Nanos,
            source: "test",
        }],
        decide: |f| f.confirmed_if(f.get("a") >= f.limit("max_alloc")),
        examples: &[
            example(&[("a", 1.0)], Outcome::Refuted),
            example(&[("a", 1e9)], Outcome::Confirmed),
        ],
    };

    fn sources(r: &Reference) -> Sources<'_> {
        Sources { reference: r, rule: |id| (id == "C004-01").then_some(&RULE) }
    }

    #[test]
    fn directives_resolve_from_the_report_the_rules_and_the_blocks() {
        let r = Reference::parse(REPORT).unwrap();
        let page = "It took {{fig C004-01 \"1024 MiB vec: alloc\"}} ({{verdict C004-01}}, \
                    limit {{limit C004-01 max_alloc}}); the table says {{out \"--table sizes\" \
                    \"1 GiB +(\\S+ µs)\"}}. {{#include x.rs}}\n\n\
                    <!-- output: cargo run --example mmap -- --table sizes -->\n```text\n\
                    size   alloc\n1 GiB  23.49 µs\n```\n";
        let out = expand(page, &sources(&r)).unwrap();
        assert!(out.starts_with("It took 23.49 µs (refuted, limit 100.00 µs); the table says 23.49 µs. {{#include x.rs}}"), "{out}");
        let go = expand(
            "Go: {{gofig C004-01 \"make 1 GiB\"}}, {{goverdict C004-01}}",
            &sources(&r),
        );
        assert_eq!(go.unwrap(), "Go: 740.00 µs, refuted");
    }

    #[test]
    fn code_blocks_are_left_alone() {
        let r = Reference::parse(REPORT).unwrap();
        let page = "```rust\nprintln!(\"{{}}\", x); // {{verdict C004-01}}\n```\n\
                    now {{verdict C004-01}}\n";
        let out = expand(page, &sources(&r)).unwrap();
        assert!(out.contains("// {{verdict C004-01}}"), "{out}");
        assert!(out.ends_with("now refuted\n"), "{out}");
    }

    #[test]
    fn unresolved_directives_are_errors() {
        let r = Reference::parse(REPORT).unwrap();
        let errs = expand(
            "{{fig C004-01 \"nope\"}} {{verdict D99}} {{limit C004-01 x}} {{out \"k\" \"x\"}}",
            &sources(&r),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs[0].contains("no figure \"nope\""), "{errs:?}");
    }

    #[test]
    fn free_figures_are_found_and_citations_are_not() {
        let page = "The ring ran at 2.96× and took 3 ns; the seed says 1595ms.\n\n\
                    `12 ns` in code, {{fig C004-01 \"x\"}}, 4 KiB pages.\n\n\
                    [rtrb](https://x) reports 1.60×.\n\n```text\n5 ms\n```\n";
        assert_eq!(free_figures(page, "seed: 1595ms"), ["2.96 ×", "3 ns"]);
        let _ = Verdict::Confirmed;
    }
}
