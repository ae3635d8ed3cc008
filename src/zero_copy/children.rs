//! Code the checks and tests run in a child process of their own: a process
//! with `SIGPIPE`'s default action restored (which a send into a closed peer
//! kills), and the seed's stale-fd splice (which writes into whatever file
//! has a number, so it must not share a process with anything else).
//!
//! A child prints `key=value` lines; [`child_figure`] reads them back.

use super::files::Scratch;
use crate::measure::child::ChildMode;
use std::fs::File;

/// Child modes of this chapter (see `measure::child`).
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: "zero_copy::sigpipe_default", run: || sigpipe_child(false) },
    ChildMode { name: "zero_copy::sigpipe_guarded", run: || sigpipe_child(true) },
    ChildMode { name: "zero_copy::stale_fd", run: stale_fd_child },
];

/// Child mode: restores `SIGPIPE`'s default action (as a C program or a
/// binary built with `-Zon-broken-pipe=kill` has it), optionally calls
/// [`super::server::ignore_sigpipe`], then sends into a closed peer. Prints
/// `survived <kind>` if the process lives through it.
fn sigpipe_child(guard: bool) {
    // SAFETY: SIG_DFL installs no handler code; it only restores the default
    // action, which is the point of this child process.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    if guard {
        super::server::ignore_sigpipe().expect("sigaction");
    }
    // Keep sending after ECONNRESET: the call after it returns EPIPE, which
    // is the one that raises SIGPIPE.
    let mut last = None;
    for _ in 0..3 {
        match super::closed_peer::sendfile_into_closed_peer() {
            Ok((kind, _)) => last = Some(kind),
            Err(e) => last = Some(e.kind()),
        }
    }
    println!("survived {last:?}");
}

/// Child mode: runs [`super::seed_port::stale_fd_splice`] and prints
/// `reused=<0|1> stray=<bytes>`.
fn stale_fd_child() {
    let dir = Scratch::new("stale-fd").expect("scratch dir");
    let path = dir.join("request-a.bin");
    std::fs::write(&path, vec![b'A'; 4096]).expect("write");
    let file = File::open(&path).expect("open");
    let r = super::seed_port::stale_fd_splice(&file).expect("stale_fd_splice");
    println!("reused={} stray={}", u8::from(r.number_reused), r.stray_bytes);
}

/// The number after `key=` in a child's output.
pub fn child_figure(stdout: &str, key: &str) -> Option<u64> {
    let start = stdout.find(&format!("{key}="))? + key.len() + 1;
    let digits: String =
        stdout[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}
