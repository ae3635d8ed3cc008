//! Chapter 1, zero-copy I/O: moving a file's bytes to a socket, a pipe or
//! another file without copying them through user space (`sendfile`,
//! `splice`, `copy_file_range`), measured against the copy loops they
//! replace, and a static file server that uses them safely.
//!
//! Files, in reading order:
//!
//! - [`transfer`]: what a transfer reports, and the loop every kernel copy
//!   needs (short counts, `EINTR`, `EAGAIN`, the per-call cap, early EOF);
//! - [`read_write`], [`sendfile`], [`splice`], [`file_copy`]: the methods;
//! - [`method`], [`loopback`]: running them side by side on 127.0.0.1,
//!   with the threads pinned, and [`paired`]: deciding from the per-round
//!   ratios whether two methods differ beyond the noise;
//! - [`seed_port`]: the Go guide's own code, ported faithfully, failing;
//! - [`confine`]: opening a requested path without ever leaving the root;
//! - [`server`]: a bounded static HTTP/1.1 file server built on all of it;
//! - [`files`]: scratch directories, pattern files, checksums.
//!
//! Not for: TLS, compression, or any content the server must change on the
//! way out, which all need the bytes in user space.
//!
//! Everything that calls a Linux-only syscall is compiled on Linux only; on
//! other systems the chapter's checks report "requires Linux".

pub mod confine;
pub mod files;
pub mod read_write;
pub mod seed_port;
pub mod transfer;

#[cfg(target_os = "linux")]
pub mod checks;
#[cfg(target_os = "linux")]
pub mod demos;
#[cfg(target_os = "linux")]
pub mod file_copy;
#[cfg(target_os = "linux")]
pub mod fixture;
#[cfg(target_os = "linux")]
pub mod loopback;
#[cfg(target_os = "linux")]
pub mod method;
pub mod paired;
#[cfg(target_os = "linux")]
pub mod sendfile;
#[cfg(target_os = "linux")]
pub mod server;
#[cfg(target_os = "linux")]
pub mod splice;

use crate::claims::Check;
use crate::measure::child::ChildMode;

/// Claim checks, in ledger order.
#[cfg(target_os = "linux")]
pub const CHECKS: &[Check] = checks::CHECKS;

/// Code the checks run in a child process.
#[cfg(target_os = "linux")]
pub const CHILD_MODES: &[ChildMode] = demos::CHILD_MODES;

/// Claim checks: on other systems, each reports that it needs Linux.
#[cfg(not(target_os = "linux"))]
pub const CHECKS: &[Check] = &{
    const IDS: [&str; 29] = [
        "C000-01", "C000-02", "C000-03", "C000-04", "C000-05", "C000-22", "C001-26",
        "C002-01", "C002-02", "C002-03", "C002-04", "C002-05", "C002-06", "C002-07",
        "C002-08", "C002-09", "C002-10", "C002-11", "C002-12", "C002-13", "D01", "D02",
        "D03", "D04", "D05", "D06", "D36", "D51", "D52",
    ];
    let mut checks = [Check::legacy("", requires_linux); 29];
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
fn requires_linux(
    _: &crate::claims::Ctx,
) -> Result<crate::claims::Finding, crate::claims::CheckError> {
    Err(crate::claims::CheckError::requires_linux("sendfile, splice and copy_file_range"))
}
