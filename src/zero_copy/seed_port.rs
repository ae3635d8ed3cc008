//! Seed 000 §1.1 (L44-141), ported to Rust as written, so that its defects
//! can be shown failing beside the fixes. Nothing here is meant for use.
//!
//! - [`seed_send_file_once`]: one `sendfile` call, a short count reported as
//!   an error (D01, claim C000-03);
//! - [`seed_open_concatenated`], [`naive_open_joined`]: the root directory
//!   and the requested name glued with `"/"` (D03, C000-04), and the
//!   idiomatic-looking Rust port with `Path::join`, which is worse;
//! - [`seed_splice_once`]: one `splice` file → pipe and one pipe → socket,
//!   the count ignored (D04, C000-05);
//! - [`stale_fd_splice`]: the goroutine's raw fd numbers outliving the pipe
//!   they named (D05);
//! - [`seed_tcp_conn`]: the unchecked type assertion (D06).
//!
//! The Go code is described, not copied; the line numbers are those of
//! `cat -n` on `000_aff7e1ac513375da.txt`.

use std::any::Any;
use std::fmt;
use std::fs::File;
use std::io;
use std::net::TcpStream;
#[cfg(target_os = "linux")]
use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;

/// The seed's error values, as strings in Go.
#[derive(Debug)]
pub enum SeedError {
    /// `sendfile failed: …` (L79-81).
    Syscall(io::Error),
    /// `incomplete transfer: written/size bytes` (L83-85).
    Incomplete {
        /// What the single call sent.
        written: u64,
        /// The file's size.
        size: u64,
    },
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syscall(e) => write!(f, "sendfile failed: {e}"),
            Self::Incomplete { written, size } => {
                write!(f, "incomplete transfer: {written}/{size} bytes")
            }
        }
    }
}

impl std::error::Error for SeedError {}

// ANCHOR: seed_send_file_once
/// Seed 000 L66-88, `sendFileZeroCopy`: one `sendfile` call from the file's
/// current position, and any count other than `size` is an error. Go's TCP
/// sockets are non-blocking (the runtime's poller needs them so), so pass a
/// stream with `set_nonblocking(true)` to port it faithfully.
#[cfg(target_os = "linux")]
pub fn seed_send_file_once(
    conn: &TcpStream,
    file: &File,
    size: u64,
) -> Result<(), SeedError> {
    let written = nix::sys::sendfile::sendfile(conn, file, None, size as usize)
        .map_err(|e| SeedError::Syscall(e.into()))? as u64;
    if written != size {
        return Err(SeedError::Incomplete { written, size });
    }
    Ok(())
}
// ANCHOR_END: seed_send_file_once

// ANCHOR: wrong_ports
/// Seed 000 L92-93, `ServeFile`: `rootDir + "/" + filename`, then open.
/// `"../secret"` climbs out of the root; symlinks are followed.
pub fn seed_open_concatenated(root: &str, filename: &str) -> io::Result<File> {
    File::open(format!("{root}/{filename}"))
}

/// The port a Rust programmer writes first: `Path::join`. Worse than the
/// seed: when `filename` is absolute, `join` *replaces* the root, so
/// `"/etc/passwd"` opens `/etc/passwd` with no `..` needed.
pub fn naive_open_joined(root: &Path, filename: &str) -> io::Result<File> {
    File::open(root.join(filename))
}
// ANCHOR_END: wrong_ports

// ANCHOR: seed_splice_once
/// Seed 000 L121-141, `spliceZeroCopy`: a pipe; a helper thread makes one
/// `splice` file → pipe of `size` bytes; the caller makes one `splice`
/// pipe → socket of `size` bytes, ignores the count, and returns its error.
/// Each call moves at most one pipe-full (64 KiB by default), so any larger
/// file arrives truncated while the function reports success.
#[cfg(target_os = "linux")]
pub fn seed_splice_once(conn: &TcpStream, file: &File, size: u64) -> io::Result<()> {
    use nix::fcntl::{SpliceFFlags, splice};
    let (r, w) = nix::unistd::pipe()?;
    std::thread::scope(|s| {
        s.spawn(move || {
            // L131-134: the count and the error are both dropped.
            let _ = splice(file, None, &w, None, size as usize, SpliceFFlags::empty());
            drop(w);
        });
        // L138: `_, err = syscall.Splice(...)`: the count is discarded.
        let _moved = splice(&r, None, conn, None, size as usize, SpliceFFlags::empty())?;
        Ok(())
    })
}
// ANCHOR_END: seed_splice_once

/// What [`stale_fd_splice`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaleFd {
    /// The next request's pipe got the stale thread's fd number.
    pub number_reused: bool,
    /// Bytes of the first request's file that ended up in the next
    /// request's pipe.
    pub stray_bytes: usize,
}

// ANCHOR: stale_fd_splice
/// Seed 000 L127-134 with the timing that breaks it: the helper goroutine
/// holds the pipe's write end as a bare integer; the caller returns early
/// (say its own splice failed with EAGAIN) and its `defer`s close the pipe;
/// the next request opens its own pipe, which gets the same fd numbers; only
/// then does the helper run its `splice`, into the *next request's* pipe.
///
/// Run it in a process of its own: it writes to whatever fd has that number.
#[cfg(target_os = "linux")]
pub fn stale_fd_splice(file: &File) -> io::Result<StaleFd> {
    use std::sync::mpsc;
    let (r, w) = nix::unistd::pipe()?;
    let stale_w = w.as_raw_fd(); // a number: no borrow, no lifetime
    let file_fd = file.as_raw_fd();
    let (go, wait) = mpsc::channel::<()>();
    let helper = std::thread::spawn(move || {
        let _ = wait.recv();
        // SAFETY: splice reads only its integer and null-pointer arguments,
        // so a stale fd number is not a memory error: the kernel resolves it
        // to whatever file now has that number. That is the bug shown here.
        unsafe {
            let null = std::ptr::null_mut();
            libc::splice(file_fd, null, stale_w, null, 4096, 0)
        }
    });
    drop((r, w)); // the caller's `defer r.Close(); defer w.Close()`
    let (next_r, next_w) = nix::unistd::pipe()?; // the next request's pipe
    let number_reused = next_w.as_raw_fd() == stale_w;
    let _ = go.send(());
    let _ = helper.join();
    drop(next_w);
    let mut buf = vec![0u8; 8192];
    let mut stray_bytes = 0;
    loop {
        match nix::unistd::read(&next_r, &mut buf) {
            Ok(0) => break,
            Ok(n) => stray_bytes += n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(StaleFd { number_reused, stray_bytes })
}
// ANCHOR_END: stale_fd_splice

// ANCHOR: scoped_splice
/// The same two hops with the ownership Rust enforces: the helper borrows the
/// pipe's write end (`BorrowedFd`) inside `thread::scope`, so the pipe cannot
/// be closed before the helper has finished; returning early still joins it.
/// Returns the bytes that reached the next request's pipe (always 0).
///
/// Handing the borrow to an unscoped thread, as the goroutine is, does not
/// compile: the thread could outlive the descriptor.
///
/// ```compile_fail,E0597
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixStream;
/// let (a, _b) = UnixStream::pair().unwrap();
/// let borrowed = a.as_fd(); // `a` does not live long enough…
/// std::thread::spawn(move || drop(borrowed)); // …for a 'static thread
/// ```
#[cfg(target_os = "linux")]
pub fn scoped_splice(file: &File) -> io::Result<usize> {
    use nix::fcntl::{SpliceFFlags, splice};
    let (r, w) = nix::unistd::pipe()?;
    std::thread::scope(|s| {
        let borrowed = w.as_fd();
        s.spawn(move || splice(file, None, borrowed, None, 4096, SpliceFFlags::empty()));
    }); // the helper has finished here, whatever happened above
    drop((r, w));
    let (next_r, next_w) = nix::unistd::pipe()?;
    drop(next_w);
    let mut buf = [0u8; 4096];
    Ok(nix::unistd::read(&next_r, &mut buf)?)
}
// ANCHOR_END: scoped_splice

// ANCHOR: seed_tcp_conn
/// Seed 000 L137, `conn.(*net.TCPConn)`: the unchecked type assertion,
/// which panics for any other connection type (TLS, Unix socket). The
/// checked form at L68-71 returns an error instead.
pub fn seed_tcp_conn(conn: &dyn Any) -> &TcpStream {
    conn.downcast_ref::<TcpStream>()
        .expect("interface conversion: net.Conn is not *net.TCPConn")
}
// ANCHOR_END: seed_tcp_conn

// ANCHOR: seed_send_file_stub
/// Seed 002 §1.5.1.1.3 L61-65, `SendFile`, ported as written: a function
/// that promises a byte count and an error, and whose body is a comment
/// ("uses the sendfile system call for zero-copy transfer"). Kept as source
/// text, because it does not compile: the check hands it to `rustc`.
pub const SEED_SEND_FILE_STUB: &str = "\
use std::fs::File;
use std::io;
use std::net::TcpStream;

pub fn send_file(dst: &TcpStream, src: &File, offset: i64, count: i64) -> io::Result<i64> {
    // sends with the sendfile system call, zero-copy
}
";

/// The same signature with a body that keeps its promise, compiled beside
/// the stub with the same `rustc`. (The body is std's copy loop, so that it
/// compiles with nothing but std; the chapter's real one is `sendfile_all`.)
pub const SEND_FILE_WITH_A_BODY: &str = "\
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::TcpStream;

pub fn send_file(dst: &TcpStream, src: &File, offset: i64, count: i64) -> io::Result<i64> {
    let mut src = src;
    src.seek(SeekFrom::Start(offset as u64))?;
    let sent = io::copy(&mut src.take(count as u64), &mut &*dst)?;
    Ok(sent as i64)
}
";
// ANCHOR_END: seed_send_file_stub
