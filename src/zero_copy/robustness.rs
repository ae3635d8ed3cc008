//! Where `sendfile` applies and what the server does when things go wrong:
//! the sources it accepts (a regular file, not a pipe or a socket, C002-11),
//! and a missing file, a peer that has gone, `SIGPIPE`, and a retry that
//! resumes a dropped download (C002-13).
//!
//! Not for: timing. Everything here is counted.

use super::closed_peer::sendfile_into_closed_peer;
use super::files::{Checksum, Scratch, write_pattern_file};
use super::loopback::tcp_pair;
use super::ports_vs_fixes::{joined, spawn_reader};
use super::sendfile::sendfile_all;
use super::server::client::Client;
use super::server::{self, Config};
use crate::measure::child;
use std::fs::File;
use std::io;
use std::time::Duration;

/// Bytes `sendfile` moved to a TCP socket from each kind of source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sources {
    /// The regular file's size.
    pub size: u64,
    /// Bytes sent from a regular file (a static asset, a backup, a log).
    pub from_file: u64,
    /// Bytes sent from a pipe (a live or generated stream); 0 on `EINVAL`.
    pub from_pipe: u64,
    /// Bytes sent from another socket (a proxied stream); 0 on `EINVAL`.
    pub from_socket: u64,
    /// Whether the pipe and the socket were refused with `EINVAL`.
    pub refused_with_einval: bool,
}

/// `sendfile` to a TCP socket from a regular file, a pipe and a socket.
pub fn sources(size: u64) -> io::Result<Sources> {
    use nix::sys::sendfile::sendfile;
    let dir = Scratch::new("applies")?;
    write_pattern_file(&dir.join("f"), size, 17)?;
    let file = File::open(dir.join("f"))?;
    let (server, client) = tcp_pair()?;
    let reader = spawn_reader(client);
    let from_file = sendfile_all(&server, &file, 0, size)?.bytes;
    // A live stream has no file: its bytes come from a pipe (or a socket).
    let (r, w) = nix::unistd::pipe().map_err(io::Error::from)?;
    nix::unistd::write(&w, b"generated, not stored").map_err(io::Error::from)?;
    let from_pipe = sendfile(&server, &r, None, 4096);
    let (other, mut peer) = tcp_pair()?;
    std::io::Write::write_all(&mut peer, b"proxied, not stored")?;
    let from_socket = sendfile(&server, &other, None, 4096);
    drop(server);
    joined(reader)?;
    let einval = |r: &nix::Result<usize>| r == &Err(nix::errno::Errno::EINVAL);
    Ok(Sources {
        size,
        from_file,
        from_pipe: from_pipe.unwrap_or(0) as u64,
        from_socket: from_socket.unwrap_or(0) as u64,
        refused_with_einval: einval(&from_pipe) && einval(&from_socket),
    })
}

/// What the server and `sendfile_all` did when things went wrong.
#[derive(Clone, Debug)]
pub struct Errors {
    /// Status for a missing file.
    pub missing_status: u16,
    /// The error kind of a send into a closed peer.
    pub closed_peer: io::ErrorKind,
    /// A child with SIGPIPE's default action was killed by SIGPIPE.
    pub killed_by_sigpipe: bool,
    /// How that child ended, in words.
    pub killed_how: String,
    /// A child that called `ignore_sigpipe()` survived.
    pub guarded_survived: bool,
    /// Bytes the first attempt got before the client dropped it.
    pub before_drop: u64,
    /// The retry with `Range` got a 206 and the whole file checksummed.
    pub resumed: bool,
}

/// A missing file, a closed peer, SIGPIPE in child processes, and a dropped
/// download resumed with `Range`.
pub fn errors() -> io::Result<Errors> {
    let dir = Scratch::new("errors")?;
    let root = dir.join("www");
    std::fs::create_dir_all(&root)?;
    let size: u64 = 1 << 20;
    let sum = write_pattern_file(&root.join("f.bin"), size, 19)?;
    let handle =
        server::spawn("127.0.0.1:0".parse().expect("address"), Config::new(&root))?;
    let missing_status = Client::connect(handle.addr())?.get("/no-such-file")?.status;
    let (closed_peer, _) = sendfile_into_closed_peer()?;
    let timeout = Duration::from_secs(30);
    let killed = child::run_mode("zero_copy::sigpipe_default", timeout)?;
    let guarded = child::run_mode("zero_copy::sigpipe_guarded", timeout)?;
    // A retry that resumes where the dropped transfer stopped.
    let cut: u64 = 300_000;
    let first = Client::connect(handle.addr())?.get_prefix("/f.bin", cut)?;
    let rest = Client::connect(handle.addr())?.request(
        "GET",
        "/f.bin",
        &format!("Range: bytes={}-\r\n", first.body.len()),
    )?;
    let mut whole = Checksum::default();
    whole.update(&first.body);
    whole.update(&rest.body);
    Ok(Errors {
        missing_status,
        closed_peer,
        killed_by_sigpipe: killed.signal_name() == Some("SIGPIPE"),
        killed_how: killed.describe(),
        guarded_survived: guarded.success() && guarded.stdout.contains("survived"),
        before_drop: first.body.len() as u64,
        resumed: rest.status == 206 && whole.finish() == (sum, size),
    })
}
