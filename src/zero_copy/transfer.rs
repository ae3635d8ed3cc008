//! What every transfer method reports ([`Moved`], [`TransferError`]) and the
//! loop they share ([`drive`]): call a kernel copy (`sendfile`, `splice`,
//! `copy_file_range`) until every byte has moved, resuming after short
//! counts, retrying `EINTR`, waiting on `EAGAIN`, capping each call, and
//! stopping (never spinning) when the source ends early.
//!
//! [`wait_writable`] is what every loop (kernel copy or user-space copy)
//! does on `EAGAIN`: `poll` a non-blocking destination until it takes more.
//!
//! Not here: the syscalls themselves (`sendfile.rs`, `splice.rs`,
//! `file_copy.rs`) and the user-space copy loop (`read_write.rs`). `drive`
//! takes the syscall as a closure, so its logic is tested against a scripted
//! fake ([`Script`]) that returns the short counts and errors a real socket
//! returns only when the timing is right.

#[cfg(target_os = "linux")]
use nix::fcntl::{FcntlArg, OFlag, fcntl};
#[cfg(target_os = "linux")]
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
#[cfg(target_os = "linux")]
use nix::sys::socket::{getsockopt, sockopt};
use std::fmt;
use std::io;
#[cfg(target_os = "linux")]
use std::os::fd::BorrowedFd;
#[cfg(target_os = "linux")]
use std::time::Duration;

/// The most one `sendfile` or `splice` call moves on Linux: 0x7ffff000 bytes
/// (2 GiB − 4 KiB). The man page says so, and std's `io::copy` and nginx cap
/// their calls at the same figure.
pub const MAX_CHUNK: usize = 0x7fff_f000;

/// What a transfer did, as counted by the code that made it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// Bytes delivered to the destination.
    pub bytes: u64,
    /// Bytes that passed through a buffer in user space (read into it, then
    /// written out of it). 0 for a kernel-to-kernel copy.
    pub user_bytes: u64,
    /// Data-moving syscalls that returned a count (reads, writes, sendfile,
    /// splice or copy_file_range calls).
    pub calls: u64,
    /// Calls that returned fewer bytes than asked for.
    pub short: u64,
    /// Times the loop waited for the destination to become writable (`EAGAIN`).
    pub waits: u64,
    /// Calls retried after `EINTR`.
    pub interrupted: u64,
    /// True when the kernel refused the fast path (`EINVAL`, `ENOSYS` …) and
    /// the rest went through a user-space copy loop.
    pub fell_back: bool,
    /// True when the transfer was made by code that does not report its
    /// syscalls (std's `io::copy`): then only `bytes` is known, and the
    /// kernel's counters must tell the rest.
    pub uncounted: bool,
}

impl Moved {
    /// Adds `other`'s counts to these.
    pub fn absorb(&mut self, other: Moved) {
        self.bytes += other.bytes;
        self.user_bytes += other.user_bytes;
        self.calls += other.calls;
        self.short += other.short;
        self.waits += other.waits;
        self.interrupted += other.interrupted;
        self.fell_back |= other.fell_back;
        self.uncounted |= other.uncounted;
    }
}

/// A transfer that stopped early: the error, and how far it got (a retry
/// resumes at `offset + moved.bytes`).
#[derive(Debug)]
pub struct TransferError {
    /// What was delivered before the error.
    pub moved: Moved,
    /// Why it stopped.
    pub error: io::Error,
}

impl TransferError {
    /// An error after `moved`.
    pub fn new(moved: Moved, error: io::Error) -> Self {
        Self { moved, error }
    }

    /// The error's kind.
    pub fn kind(&self) -> io::ErrorKind {
        self.error.kind()
    }
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (after {} bytes)", self.error, self.moved.bytes)
    }
}

impl std::error::Error for TransferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<TransferError> for io::Error {
    fn from(e: TransferError) -> Self {
        io::Error::new(e.error.kind(), e.to_string())
    }
}

impl From<TransferError> for crate::claims::CheckError {
    fn from(e: TransferError) -> Self {
        Self(e.to_string())
    }
}

/// True for the errors that mean "this fd pair cannot do a kernel copy":
/// `EINVAL` (e.g. an `O_APPEND` destination, a source without page cache),
/// `ENOSYS` (old kernel), `EOPNOTSUPP`, `EXDEV` (copy_file_range across file
/// systems on old kernels) and `EPERM` (seccomp). The caller falls back to a
/// user-space copy.
pub fn is_unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EXDEV | libc::EPERM)
    )
}

// ANCHOR: drive
/// Moves `len` bytes starting at `offset` by calling `call(offset, count)`
/// until done. `call` returns how many bytes it moved (it may move fewer than
/// `count`). `wait_writable` is called on `WouldBlock` and returns `Ok` to
/// retry or `Err` to give up (a time-out).
///
/// - a short count is normal: the next call starts where it ended;
/// - `Interrupted` (EINTR) is retried;
/// - each call asks for at most `max_chunk` bytes;
/// - `Ok(0)` before `len` bytes means the source ended (the file shrank):
///   `UnexpectedEof`, never an endless loop.
pub fn drive(
    offset: u64,
    len: u64,
    max_chunk: usize,
    mut call: impl FnMut(u64, usize) -> io::Result<usize>,
    mut wait_writable: impl FnMut() -> io::Result<()>,
) -> Result<Moved, TransferError> {
    let mut moved = Moved::default();
    while moved.bytes < len {
        let want = (len - moved.bytes).min(max_chunk as u64) as usize;
        match call(offset + moved.bytes, want) {
            Ok(0) => {
                let e = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "source ended at offset {}, {} bytes short",
                        offset + moved.bytes,
                        len - moved.bytes
                    ),
                );
                return Err(TransferError::new(moved, e));
            }
            Ok(n) => {
                moved.calls += 1;
                moved.short += u64::from(n < want);
                moved.bytes += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => moved.interrupted += 1,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                moved.waits += 1;
                wait_writable().map_err(|e| TransferError::new(moved, e))?;
            }
            Err(e) => return Err(TransferError::new(moved, e)),
        }
    }
    Ok(moved)
}
// ANCHOR_END: drive

// ANCHOR: wait_writable
/// Called when a write to `fd` returned `EAGAIN`.
///
/// - non-blocking fd: `poll` until it is writable, for at most the socket's
///   send time-out (`SO_SNDTIMEO`) if one is set;
/// - blocking fd: the kernel only returns `EAGAIN` when `SO_SNDTIMEO`
///   expired, so this is a time-out.
#[cfg(target_os = "linux")]
pub fn wait_writable(fd: BorrowedFd<'_>) -> io::Result<()> {
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    if !flags.contains(OFlag::O_NONBLOCK) {
        return Err(io::Error::new(io::ErrorKind::TimedOut, "send time-out expired"));
    }
    let timeout = match send_timeout(fd) {
        Some(d) => PollTimeout::try_from(d).unwrap_or(PollTimeout::MAX),
        None => PollTimeout::NONE,
    };
    loop {
        let mut fds = [PollFd::new(fd, PollFlags::POLLOUT)];
        match poll(&mut fds, timeout) {
            // Writable, or an error/hang-up that the next write will report.
            Ok(n) if n > 0 => return Ok(()),
            Ok(_) => {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "poll timed out"));
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
// ANCHOR_END: wait_writable

/// The socket's `SO_SNDTIMEO`, if `fd` is a socket and one is set.
#[cfg(target_os = "linux")]
pub fn send_timeout(fd: BorrowedFd<'_>) -> Option<Duration> {
    let tv = getsockopt(&fd, sockopt::SendTimeout).ok()?;
    let d = Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000);
    (!d.is_zero()).then_some(d)
}

/// One scripted reply of a fake syscall, for testing loops like [`drive`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Move at most this many bytes (fewer if asked for fewer).
    Move(usize),
    /// Move everything asked for.
    All,
    /// Fail with `EINTR`.
    Interrupted,
    /// Fail with `EAGAIN`.
    WouldBlock,
    /// Fail with this errno.
    Errno(i32),
    /// Return 0: the source has ended.
    Eof,
}

/// A fake kernel copy that replays a script, then moves everything asked for.
/// It records every `(offset, count)` it was called with.
#[derive(Clone, Debug, Default)]
pub struct Script {
    replies: Vec<Reply>,
    next: usize,
    /// Every call, in order: the offset and the count asked for.
    pub calls: Vec<(u64, usize)>,
    /// Bytes moved so far (where the next call should start).
    pub position: u64,
}

impl Script {
    /// A fake that replays `replies`, then answers [`Reply::All`].
    pub fn new(replies: &[Reply]) -> Self {
        Self { replies: replies.to_vec(), ..Self::default() }
    }

    /// The fake syscall: pass `|off, n| script.call(off, n)` to [`drive`].
    /// Panics if asked for an offset other than where the last call ended:
    /// that is a loop that loses or repeats bytes.
    pub fn call(&mut self, offset: u64, count: usize) -> io::Result<usize> {
        self.calls.push((offset, count));
        assert_eq!(offset, self.position, "a call resumed at the wrong offset");
        let reply = self.replies.get(self.next).copied().unwrap_or(Reply::All);
        self.next += 1;
        let n = match reply {
            Reply::Move(n) => n.min(count),
            Reply::All => count,
            Reply::Interrupted => return Err(io::Error::from_raw_os_error(libc::EINTR)),
            Reply::WouldBlock => return Err(io::Error::from_raw_os_error(libc::EAGAIN)),
            Reply::Errno(e) => return Err(io::Error::from_raw_os_error(e)),
            Reply::Eof => 0,
        };
        self.position += n as u64;
        Ok(n)
    }

    /// The largest count any call asked for.
    pub fn largest_request(&self) -> usize {
        self.calls.iter().map(|c| c.1).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_counts_eintr_and_eagain_are_resumed() {
        let mut s = Script::new(&[
            Reply::Move(100),
            Reply::Interrupted,
            Reply::WouldBlock,
            Reply::Move(1),
        ]);
        let mut waits = 0;
        let m = drive(
            10,
            1000,
            MAX_CHUNK,
            |o, n| s.call(o - 10, n),
            || {
                waits += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(m.bytes, 1000);
        assert_eq!((m.calls, m.short, m.waits, m.interrupted), (3, 2, 1, 1));
        assert_eq!(waits, 1);
    }

    #[test]
    fn each_call_is_capped_and_eof_stops_the_loop() {
        let mut s = Script::new(&[]);
        let len = 5 * MAX_CHUNK as u64 + 7;
        let m = drive(0, len, MAX_CHUNK, |o, n| s.call(o, n), || Ok(())).unwrap();
        assert_eq!(m.bytes, len);
        assert_eq!(s.largest_request(), MAX_CHUNK);
        assert_eq!(s.calls.len(), 6);

        let mut s = Script::new(&[Reply::Move(5), Reply::Eof]);
        let e = drive(0, 100, MAX_CHUNK, |o, n| s.call(o, n), || Ok(())).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(e.moved.bytes, 5);
    }

    #[test]
    fn a_failed_wait_stops_with_the_progress_so_far() {
        let mut s = Script::new(&[Reply::Move(7), Reply::WouldBlock]);
        let e = drive(
            0,
            100,
            MAX_CHUNK,
            |o, n| s.call(o, n),
            || Err(io::ErrorKind::TimedOut.into()),
        )
        .unwrap_err();
        assert_eq!((e.kind(), e.moved.bytes), (io::ErrorKind::TimedOut, 7));
        assert!(is_unsupported(&io::Error::from_raw_os_error(libc::EINVAL)));
        assert!(!is_unsupported(&io::Error::from_raw_os_error(libc::EPIPE)));
    }
}
