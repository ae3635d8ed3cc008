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
//! - [`method`], [`loopback`]: running them side by side on 127.0.0.1;
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
pub mod file_copy;
#[cfg(target_os = "linux")]
pub mod loopback;
#[cfg(target_os = "linux")]
pub mod method;
#[cfg(target_os = "linux")]
pub mod sendfile;
#[cfg(target_os = "linux")]
pub mod server;
#[cfg(target_os = "linux")]
pub mod splice;

use crate::claims::Check;
use crate::measure::child::ChildMode;

/// Claim checks, in ledger order.
pub const CHECKS: &[Check] = &[];
/// Code the checks run in a child process.
pub const CHILD_MODES: &[ChildMode] = &[];
