//! Finding a Go toolchain, building the Go side once, and running it.
//!
//! - The toolchain is `go` on `PATH`, or the command `--go PATH` names. It
//!   is run with `GOTOOLCHAIN=local` (never download another Go),
//!   `GOPROXY=off` and `GOWORK=off`: the Go side has no dependencies.
//! - The build goes to `target/go/<stamp>/`: `gocheck`, the escape-analysis
//!   log and the race-detector binary (`gocheck -prepare`). The stamp hashes
//!   every file under `go/` and the Go version, so a second run finds the
//!   build and starts at once; a changed source or another Go builds afresh.
//!   Concurrent runs (the test harness) build in private directories and
//!   the first to finish wins.

use std::collections::hash_map::DefaultHasher;
use std::ffi::OsString;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Which toolchain to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Choice {
    /// `go` on `PATH`, if there is one.
    #[default]
    Auto,
    /// This `go` command (`--go PATH`).
    Path(PathBuf),
    /// None (`--no-go`).
    Off,
}

/// A Go toolchain that answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// The `go` command.
    pub go: PathBuf,
    /// Its version, as `go env GOVERSION` prints it (`go1.27.3`).
    pub version: String,
}

/// The Go side's sources: `go/` beside `Cargo.toml`.
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("go")
}

/// Where builds go: `$CARGO_TARGET_DIR/go`, else `target/go` beside
/// `Cargo.toml`.
pub fn build_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) if Path::new(&t).is_absolute() => PathBuf::from(t),
        Some(t) => manifest.join(t),
        None => manifest.join("target"),
    };
    target.join("go")
}

/// The first executable called `go` on `PATH`.
pub fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("go")).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// The toolchain `choice` names: `Ok(None)` when there is none to use
/// (`--no-go`, or no `go` on `PATH`), an error when one was named or found
/// but does not work.
pub fn find(choice: &Choice) -> Result<Option<Toolchain>, String> {
    let go = match choice {
        Choice::Off => return Ok(None),
        Choice::Path(p) => p.clone(),
        Choice::Auto => match on_path() {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let out = run(
        command(&go, &[OsString::from("env"), "GOVERSION".into()]),
        Duration::from_secs(60),
    )
    .map_err(|e| format!("{}: {e}", go.display()))?;
    let version = out.stdout.trim().to_string();
    if !out.success || !version.starts_with("go") {
        return Err(format!(
            "{} does not answer `go env GOVERSION` (Go 1.19 or later is needed): {}",
            go.display(),
            first_line(&out.stderr)
        ));
    }
    Ok(Some(Toolchain { go, version }))
}

/// A `go` (or `gocheck`) command with the Go side's environment.
fn command(program: &Path, args: &[OsString]) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .current_dir(source_dir())
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("GOFLAGS", "")
        .stdin(Stdio::null());
    if std::env::var_os("GOCACHE").is_none() && std::env::var_os("HOME").is_none() {
        c.env("GOCACHE", build_root().join("cache"));
    }
    c
}

/// What a finished command printed.
#[derive(Debug)]
pub struct Output {
    /// Exit status 0.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `cmd`, killing it after `timeout`.
fn run(cmd: Command, timeout: Duration) -> Result<Output, String> {
    let o = crate::measure::child::run_command(cmd, timeout)
        .map_err(|e| format!("cannot start: {e}"))?;
    if o.timed_out {
        return Err(format!("timed out after {} s", timeout.as_secs()));
    }
    Ok(Output { success: o.success(), stdout: o.stdout, stderr: o.stderr })
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("")
        .to_string()
}

/// The stamp of a build: every file under `go/` (path and bytes), and the
/// Go version.
pub fn stamp(src: &Path, version: &str) -> Result<String, String> {
    let mut files = Vec::new();
    collect(src, src, &mut files).map_err(|e| format!("{}: {e}", src.display()))?;
    files.sort();
    let mut h = DefaultHasher::new();
    version.hash(&mut h);
    for rel in &files {
        rel.hash(&mut h);
        std::fs::read(src.join(rel)).map_err(|e| format!("{rel}: {e}"))?.hash(&mut h);
    }
    Ok(format!("{:016x}", h.finish()))
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// A built Go side.
#[derive(Clone, Debug)]
pub struct Built {
    /// `target/go/<stamp>`: `gocheck` and what `-prepare` made.
    pub dir: PathBuf,
    /// "build cached", or "built in 12.3 s".
    pub note: String,
}

impl Built {
    /// The `gocheck` binary.
    pub fn gocheck(&self) -> PathBuf {
        self.dir.join("gocheck")
    }
}

const PREPARED: &str = "prepared";

/// Builds the Go side for `tc`, or finds the build of the same sources.
pub fn build(tc: &Toolchain) -> Result<Built, String> {
    let src = source_dir();
    if !src.join("go.mod").is_file() {
        return Err(format!("no Go sources at {}", src.display()));
    }
    let root = build_root();
    let stamp = stamp(&src, &tc.version)?;
    let dir = root.join(&stamp);
    if dir.join(PREPARED).is_file() {
        return Ok(Built { dir, note: "build cached".into() });
    }
    let start = Instant::now();
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = root.join(format!(".build-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let result = build_into(tc, &src, &tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another run finished the same build first: use it.
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join(PREPARED).is_file() {
            return Err(format!("could not move the build into {}", dir.display()));
        }
    }
    remove_stale(&root, &stamp);
    Ok(Built { dir, note: format!("built in {:.1} s", start.elapsed().as_secs_f64()) })
}

fn build_into(tc: &Toolchain, src: &Path, tmp: &Path) -> Result<(), String> {
    let bin = tmp.join("gocheck");
    let mut args: Vec<OsString> = vec!["build".into(), "-o".into(), bin.clone().into()];
    args.push("./cmd/gocheck".into());
    let mut cmd = command(&tc.go, &args);
    cmd.env("CGO_ENABLED", "0");
    let out = run(cmd, Duration::from_secs(900)).map_err(|e| format!("go build: {e}"))?;
    if !out.success {
        return Err(format!(
            "go build ./cmd/gocheck failed: {}",
            first_line(&out.stderr)
        ));
    }
    // The escape-analysis log and the race-detector binary, kept with the
    // build. A platform without the race detector is recorded, not fatal.
    let args: Vec<OsString> = vec![
        "-prepare".into(),
        "-go".into(),
        tc.go.clone().into(),
        "-src".into(),
        src.into(),
        "-work".into(),
        tmp.into(),
    ];
    let out = run(command(&bin, &args), Duration::from_secs(900))
        .map_err(|e| format!("gocheck -prepare: {e}"))?;
    if !out.success {
        return Err(format!("gocheck -prepare failed: {}", first_line(&out.stderr)));
    }
    std::fs::write(tmp.join(PREPARED), &tc.version).map_err(|e| e.to_string())
}

/// Removes the builds of other stamps (not the in-progress ones, whose
/// names start with a dot, nor the Go cache).
fn remove_stale(root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name != keep && name.len() == 16 && name.chars().all(|c| c.is_ascii_hexdigit())
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Runs the built `gocheck` on `ids` and returns what it printed.
pub fn measure(
    tc: &Toolchain,
    built: &Built,
    ids: &[&str],
    quick: bool,
    timeout: Duration,
) -> Result<String, String> {
    let mut args: Vec<OsString> = vec![
        "-go".into(),
        tc.go.clone().into(),
        "-src".into(),
        source_dir().into(),
        "-work".into(),
        built.dir.clone().into(),
        "-claim".into(),
        ids.join(",").into(),
    ];
    if quick {
        args.push("-quick".into());
    }
    let out = run(command(&built.gocheck(), &args), timeout)
        .map_err(|e| format!("gocheck: {e}"))?;
    if !out.success {
        return Err(format!("gocheck failed: {}", first_line(&out.stderr)));
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_follows_the_sources_and_the_version() {
        let dir =
            std::env::temp_dir().join(format!("go-side-stamp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("go.mod"), "module x\n").unwrap();
        std::fs::write(dir.join("sub/a.go"), "package sub\n").unwrap();
        let a = stamp(&dir, "go1.27.3").unwrap();
        assert_eq!(a, stamp(&dir, "go1.27.3").unwrap());
        assert_ne!(a, stamp(&dir, "go1.19.8").unwrap());
        std::fs::write(dir.join("sub/a.go"), "package sub // changed\n").unwrap();
        assert_ne!(a, stamp(&dir, "go1.27.3").unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_go_and_a_missing_go_are_told_apart() {
        assert_eq!(find(&Choice::Off), Ok(None));
        let e = find(&Choice::Path("/nonexistent/go".into())).unwrap_err();
        assert!(e.contains("/nonexistent/go"), "{e}");
    }

    #[test]
    fn the_sources_are_where_the_build_looks() {
        assert!(source_dir().join("go.mod").is_file());
        assert!(build_root().ends_with("go"));
    }
}
