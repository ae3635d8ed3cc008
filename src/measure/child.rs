//! A child-process runner for demonstrations that crash on purpose: a
//! recursive marker that overflows the stack, a file mapping that raises
//! SIGBUS. They cannot run in the reporting process, so it re-runs its own
//! binary in a *mode* named by the environment variable [`CHILD_ENV`] and
//! reports how the child ended.
//!
//! In a binary (the CLI, an example), the modes are dispatched at the top of
//! `main` by [`dispatch`]; the parent calls [`run_mode`]. In a test binary,
//! whose `main` belongs to libtest, the parent calls [`run_test`] with the
//! test's own name: the child runs only that test, and the test begins with
//! [`dispatch`], so the child runs the mode and exits before the parent part.
//!
//! The child gets `RLIMIT_CORE = 0`, so a deliberate crash leaves no core file.

use std::io::{self, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that names the mode a child runs.
pub const CHILD_ENV: &str = "PERF_WORKBOOK_CHILD";

/// A named piece of code to run in a child process.
#[derive(Clone, Copy)]
pub struct ChildMode {
    /// Unique name, conventionally `chapter::what`, e.g. `mark_sweep::recursive_cycle`.
    pub name: &'static str,
    /// The code. Whatever it does (return, exit, crash) is reported to the parent.
    pub run: fn(),
}

impl std::fmt::Debug for ChildMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildMode").field("name", &self.name).finish_non_exhaustive()
    }
}

/// How a child process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildOutcome {
    /// Exit code, when it exited.
    pub exit_code: Option<i32>,
    /// Signal number, when a signal killed it.
    pub signal: Option<i32>,
    /// True when it ran past the time limit and was killed by us.
    pub timed_out: bool,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl ChildOutcome {
    /// Exited with code 0.
    pub fn success(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// The signal's name (`SIGABRT`, `SIGSEGV`, `SIGBUS` …), if a signal killed it.
    pub fn signal_name(&self) -> Option<&'static str> {
        self.signal.map(signal_name)
    }

    /// Rust's runtime reported a stack overflow (it prints a message, then aborts).
    pub fn overflowed_stack(&self) -> bool {
        self.stderr.contains("has overflowed its stack") && self.signal.is_some()
    }

    /// `exit code 0`, `killed by SIGBUS`, `stack overflow (SIGABRT)`, `timed out`.
    pub fn describe(&self) -> String {
        if self.timed_out {
            return "timed out (killed)".into();
        }
        match (self.exit_code, self.signal_name()) {
            (_, Some(sig)) if self.overflowed_stack() => {
                format!("stack overflow ({sig})")
            }
            (_, Some(sig)) => format!("killed by {sig}"),
            (Some(code), None) => format!("exit code {code}"),
            (None, None) => "ended without status".into(),
        }
    }
}

/// The name of signal `sig`.
pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGKILL => "SIGKILL",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// If this process is a child started by [`run_mode`] or [`run_test`], runs
/// the mode named in [`CHILD_ENV`] and exits with code 0 when it returns
/// (code 3 when no such mode exists). Otherwise returns at once.
pub fn dispatch(modes: &[ChildMode]) {
    let Ok(name) = std::env::var(CHILD_ENV) else { return };
    match modes.iter().find(|m| m.name == name) {
        Some(mode) => {
            (mode.run)();
            std::process::exit(0);
        }
        None => {
            eprintln!("error: unknown child mode {name:?}");
            std::process::exit(3);
        }
    }
}

/// The default time limit for a child.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Re-runs the current binary in `mode` (a binary that calls [`dispatch`]).
pub fn run_mode(mode: &str, timeout: Duration) -> io::Result<ChildOutcome> {
    run(mode, &[], &[], timeout)
}

/// [`run_mode`] with extra environment variables set in the child: for
/// settings a library reads once at start-up (`MALLOC_ARENA_MAX`,
/// `GLIBC_TUNABLES`, `_RJEM_MALLOC_CONF`, `MIMALLOC_PURGE_DELAY`, `GOGC` …).
pub fn run_mode_env(
    mode: &str,
    env: &[(&str, &str)],
    timeout: Duration,
) -> io::Result<ChildOutcome> {
    run(mode, &[], env, timeout)
}

/// Re-runs the current *test* binary, running only the test `test_name`
/// (its full path, e.g. `exercise_2_recursive_marker_overflows`), in `mode`.
/// That test must call [`dispatch`] first.
pub fn run_test(
    test_name: &str,
    mode: &str,
    timeout: Duration,
) -> io::Result<ChildOutcome> {
    run(mode, &[test_name, "--exact", "--nocapture", "--test-threads=1"], &[], timeout)
}

fn run(
    mode: &str,
    args: &[&str],
    env: &[(&str, &str)],
    timeout: Duration,
) -> io::Result<ChildOutcome> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(args).envs(env.iter().copied()).env(CHILD_ENV, mode);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the forked child before exec and only
        // calls setrlimit, which is async-signal-safe; it touches no locks
        // and allocates nothing.
        unsafe {
            cmd.pre_exec(|| {
                let zero = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
                libc::setrlimit(libc::RLIMIT_CORE, &zero);
                Ok(())
            });
        }
    }
    run_command(cmd, timeout)
}

/// Runs any command to its end or `timeout` (then kills it), collecting
/// what it printed and how it ended. Stdin is closed; stdout and stderr are
/// read on their own threads, so a chatty child cannot block on a full pipe.
pub fn run_command(mut cmd: Command, timeout: Duration) -> io::Result<ChildOutcome> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Ok(ChildOutcome {
        exit_code: status.code(),
        signal,
        timed_out,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overflow() {
        #[allow(unconditional_recursion)]
        fn recurse(depth: u64) -> u64 {
            let pad = std::hint::black_box([depth; 64]);
            recurse(depth + 1) + pad[0]
        }
        recurse(0);
    }

    const MODES: &[ChildMode] = &[
        ChildMode { name: "test::exit7", run: || std::process::exit(7) },
        ChildMode { name: "test::print", run: || println!("hello from the child") },
        ChildMode { name: "test::overflow", run: overflow },
        ChildMode { name: "test::abort", run: || std::process::abort() },
        ChildMode {
            name: "test::sleep",
            run: || std::thread::sleep(Duration::from_secs(30)),
        },
    ];

    #[test]
    fn child_reports_exit_codes_output_and_signals() {
        dispatch(MODES);
        let name = "measure::child::tests::child_reports_exit_codes_output_and_signals";
        let t = DEFAULT_TIMEOUT;

        let o = run_test(name, "test::exit7", t).unwrap();
        assert_eq!((o.exit_code, o.signal), (Some(7), None));
        assert_eq!(o.describe(), "exit code 7");

        let o = run_test(name, "test::print", t).unwrap();
        assert!(o.success());
        assert!(o.stdout.contains("hello from the child"), "{o:?}");

        let o = run_test(name, "test::abort", t).unwrap();
        assert_eq!(o.signal_name(), Some("SIGABRT"));
        assert!(!o.overflowed_stack());

        let o = run_test(name, "test::overflow", t).unwrap();
        assert!(o.overflowed_stack(), "{o:?}");
        assert!(o.describe().starts_with("stack overflow"), "{}", o.describe());

        let o = run_test(name, "test::sleep", Duration::from_millis(300)).unwrap();
        assert!(o.timed_out);
        assert_eq!(o.signal_name(), Some("SIGKILL"));

        let o = run_test(name, "test::no-such-mode", t).unwrap();
        assert_eq!(o.exit_code, Some(3));
    }
}
