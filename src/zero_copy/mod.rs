//! Chapter 1, zero-copy I/O: moving a file's bytes to a socket, a pipe or
//! another file without copying them through user space (`sendfile`,
//! `splice`, `copy_file_range`), measured against the copy loops they
//! replace, and a static file server that uses them safely.
//!
//! Files, in reading order:
//!
//! | file | what it is |
//! |---|---|
//! | [`transfer`] | what a transfer reports, the loop every kernel copy needs (short counts, `EINTR`, `EAGAIN`, the per-call cap, early EOF), and the wait on `EAGAIN` |
//! | [`read_write`], [`sendfile`], [`splice`], [`file_copy`] | the methods |
//! | [`method`], [`loopback`] | running them side by side on 127.0.0.1, threads pinned |
//! | [`matrix`] | the timing comparison: every method, four sizes, two placements |
//! | [`page_sharing`] | whether a socket holds the page cache's pages or copies |
//! | [`memory`] | heap per connection, socket buffers, a buffer pool's cost |
//! | [`seed_port`] | the Go guides' own code, ported faithfully |
//! | [`ports_vs_fixes`] | the ports run beside the fixes |
//! | [`confine`], [`confinement`], [`fixture`] | opening a requested path without leaving the root, and the hostile requests that test it |
//! | [`server`] | a bounded static HTTP/1.1 file server built on all of it (and its `serve`/`get` commands) |
//! | [`closed_peer`], [`robustness`], [`children`] | peers that go away, `SIGPIPE`, what sendfile accepts |
//! | [`files`] | scratch directories, pattern files, checksums |
//! | [`figures`] | every measurement, taken once per run |
//! | [`tables`] | what the example prints |
//! | [`checks`] | the claim checks, in ledger order |
//!
//! Not for: TLS, compression, or any content the server must change on the
//! way out, which all need the bytes in user space.
//!
//! Everything that calls a Linux-only syscall is compiled on Linux only; on
//! other systems the chapter's checks report that they need Linux.

pub mod confine;
pub mod files;
pub mod read_write;
pub mod seed_port;
pub mod transfer;

#[cfg(target_os = "linux")]
pub mod checks;
#[cfg(target_os = "linux")]
pub mod children;
#[cfg(target_os = "linux")]
pub mod closed_peer;
#[cfg(target_os = "linux")]
pub mod confinement;
#[cfg(target_os = "linux")]
pub mod figures;
#[cfg(target_os = "linux")]
pub mod file_copy;
#[cfg(target_os = "linux")]
pub mod fixture;
#[cfg(target_os = "linux")]
pub mod loopback;
#[cfg(target_os = "linux")]
pub mod matrix;
#[cfg(target_os = "linux")]
pub mod memory;
#[cfg(target_os = "linux")]
pub mod method;
#[cfg(target_os = "linux")]
pub mod page_sharing;
#[cfg(target_os = "linux")]
pub mod ports_vs_fixes;
#[cfg(target_os = "linux")]
pub mod robustness;
#[cfg(target_os = "linux")]
pub mod sendfile;
#[cfg(target_os = "linux")]
pub mod server;
#[cfg(target_os = "linux")]
pub mod splice;
#[cfg(target_os = "linux")]
pub mod tables;

use crate::claims::Check;
use crate::measure::child::ChildMode;

/// Claim checks, in ledger order.
#[cfg(target_os = "linux")]
pub const CHECKS: &[Check] = checks::CHECKS;

/// Code the checks run in a child process.
#[cfg(target_os = "linux")]
pub const CHILD_MODES: &[ChildMode] = children::CHILD_MODES;

/// Claim checks: on other systems, each is unverifiable here (sendfile,
/// splice and copy_file_range are Linux calls).
#[cfg(not(target_os = "linux"))]
pub const CHECKS: &[Check] = &{
    const IDS: [&str; 29] = [
        "C000-01", "C000-02", "C000-03", "C000-04", "C000-05", "C000-22", "C001-26",
        "C002-01", "C002-02", "C002-03", "C002-04", "C002-05", "C002-06", "C002-07",
        "C002-08", "C002-09", "C002-10", "C002-11", "C002-12", "C002-13", "D01", "D02",
        "D03", "D04", "D05", "D06", "D36", "D51", "D52",
    ];
    let mut checks = [Check::fixed("", requires_linux, None); 29];
    let mut i = 0;
    while i < IDS.len() {
        checks[i].id = IDS[i];
        i += 1;
    }
    checks
};

/// Code the checks run in a child process (none off Linux).
#[cfg(not(target_os = "linux"))]
pub const CHILD_MODES: &[ChildMode] = &[];

#[cfg(not(target_os = "linux"))]
fn requires_linux() -> crate::claims::Verdict {
    crate::claims::Verdict::unverifiable(
        "sendfile, splice and copy_file_range are Linux calls; this system has none",
    )
}
