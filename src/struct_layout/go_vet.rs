//! Seed 000's listing order (§1.2.2, L238-247), put to Go's own toolchain
//! (D11): the seed declares its two structs, then imports `unsafe`, then
//! prints the sizes with `fmt`, which it never imports. Whether Go accepts
//! that is a fact about Go's compiler, so the only honest judge is a Go
//! compiler: when `go` is on `PATH`, [`run`] writes three small listings of
//! our own (not the seed's code: the same shape, a dozen lines each) to a
//! temporary directory and asks `go vet` about each:
//!
//! - a correct listing (imports first, `fmt` imported): the control, which
//!   shows the toolchain works here;
//! - the seed's order (an import after a type declaration);
//! - the seed's missing import (`fmt` used, only `unsafe` imported).
//!
//! Without a Go toolchain (or with one that rejects even the control), the
//! check says it cannot decide here. Installing Go is never needed to build
//! or test the workbook.
//!
//! Not here: the Rust analogue. Rust accepts a `use` after items
//! (`seed_port/seed_000.rs` has one, on purpose), which the build itself
//! shows.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ANCHOR: listings
/// Imports first, every package it uses imported: `go vet` accepts it.
pub const CORRECT: &str = "package main

import (
\t\"fmt\"
\t\"unsafe\"
)

type Pair struct {
\tID     int64
\tActive bool
}

func main() { fmt.Println(unsafe.Sizeof(Pair{})) }
";

/// The seed's order: a type declaration, then the import.
pub const IMPORT_AFTER_TYPES: &str = "package main

import \"fmt\"

type Pair struct {
\tID     int64
\tActive bool
}

import \"unsafe\"

func main() { fmt.Println(unsafe.Sizeof(Pair{})) }
";

/// The seed's missing import: `fmt` is used, only `unsafe` is imported.
pub const FMT_NOT_IMPORTED: &str = "package main

import \"unsafe\"

type Pair struct {
\tID     int64
\tActive bool
}

func main() { fmt.Println(unsafe.Sizeof(Pair{})) }
";
// ANCHOR_END: listings

/// How long one `go vet` may take: the first run on a machine builds the
/// standard library's export data into the Go cache (seconds, more when the
/// machine is busy).
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// What `go vet` said about one listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vetted {
    /// Which listing.
    pub name: &'static str,
    /// `go vet` exited 0.
    pub accepted: bool,
    /// Its first diagnostic line (empty when accepted).
    pub diagnostic: String,
}

impl Vetted {
    /// Rejected, with a diagnostic that contains `needle`.
    pub fn rejected_for(&self, needle: &str) -> bool {
        !self.accepted && self.diagnostic.contains(needle)
    }
}

/// The three listings, vetted; or why they could not be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoVet {
    /// No `go` on `PATH`.
    NoToolchain,
    /// `go version` and the three verdicts.
    Ran {
        /// `go version`'s output, e.g. `go version go1.24.1 linux/amd64`.
        version: String,
        /// [`CORRECT`], [`IMPORT_AFTER_TYPES`], [`FMT_NOT_IMPORTED`], in order.
        listings: [Vetted; 3],
    },
}

/// The diagnostic Go's parser gives for an import after a declaration.
pub const LATE_IMPORT: &str = "imports must appear before other declarations";
/// The diagnostic Go's type checker gives for the missing import.
pub const UNDEFINED_FMT: &str = "undefined: fmt";

/// Runs `go version`, then `go vet` on each listing. An error is an I/O
/// failure of this machine (no temp directory), not a verdict.
pub fn run() -> io::Result<GoVet> {
    let version = match go(&["version"], Path::new(".")) {
        Ok((true, out)) => out.lines().next().unwrap_or("").trim().to_string(),
        Ok((false, _)) => return Ok(GoVet::NoToolchain),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(GoVet::NoToolchain),
        Err(e) => return Err(e),
    };
    let dir = TempDir::new()?;
    let vet = |name: &'static str, text: &str| -> io::Result<Vetted> {
        let file = format!("{name}.go");
        std::fs::write(dir.0.join(&file), text)?;
        let (accepted, out) = go(&["vet", &file], &dir.0)?;
        let diagnostic = out
            .lines()
            .find(|l| !l.starts_with('#') && !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        Ok(Vetted {
            name,
            accepted,
            diagnostic: if accepted { String::new() } else { diagnostic },
        })
    };
    Ok(GoVet::Ran {
        version,
        listings: [
            vet("correct", CORRECT)?,
            vet("import_after_types", IMPORT_AFTER_TYPES)?,
            vet("fmt_not_imported", FMT_NOT_IMPORTED)?,
        ],
    })
}

/// Runs `go ARGS` in `dir` with a time-out; returns whether it exited 0 and
/// what it printed (stdout then stderr). The Go cache goes to the temp
/// directory when the environment names no home for it, and the toolchain
/// never downloads another one (`GOTOOLCHAIN=local`).
fn go(args: &[&str], dir: &Path) -> io::Result<(bool, String)> {
    let mut cmd = Command::new("go");
    cmd.args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let homeless = std::env::var_os("HOME").is_none()
        && std::env::var_os("XDG_CACHE_HOME").is_none();
    if std::env::var_os("GOCACHE").is_none() && homeless {
        cmd.env("GOCACHE", std::env::temp_dir().join("perf-workbook-gocache"));
    }
    let mut child = cmd.spawn()?;
    let start = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((false, format!("go {} timed out", args.join(" "))));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok((out.status.success(), text))
}

/// A directory under the temp directory, removed with its files on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir()
            .join(format!("perf-workbook-go-vet-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
