//! A send into a socket whose peer has gone: what `sendfile` returns then,
//! and what `SIGPIPE` does to a process that has not ignored it (the child
//! modes in `children.rs` show both outcomes).
//!
//! Not for: timing. Everything here is counted.

use super::files::Scratch;
use super::loopback::tcp_pair;
use super::sendfile::sendfile_all;
use std::io;

// ANCHOR: closed_peer
/// Sends a file to a socket whose peer has closed, until the kernel says
/// so: returns the error kind and the bytes accepted before it. A bounded
/// loop: at most 1,000 sends.
pub fn sendfile_into_closed_peer() -> io::Result<(io::ErrorKind, u64)> {
    let dir = Scratch::new("closed-peer")?;
    let file = super::files::sparse_file(&dir.join("f"), 64 << 10)?;
    let (server, client) = tcp_pair()?;
    drop(client); // the peer goes away
    let mut accepted = 0;
    for _ in 0..1000 {
        match sendfile_all(&server, &file, 0, 64 << 10) {
            Ok(m) => accepted += m.bytes,
            Err(e) => return Ok((e.kind(), accepted + e.moved.bytes)),
        }
    }
    Err(io::Error::other("1,000 sends to a closed peer all succeeded"))
}
// ANCHOR_END: closed_peer
