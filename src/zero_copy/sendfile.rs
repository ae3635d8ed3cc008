//! `sendfile(2)` in a loop that delivers every byte: the kernel copies from
//! the page cache to the socket, and no byte enters user space.
//!
//! One call is not enough (seed 000 §1.1.2 L78-85, defect D01): a call may
//! move fewer bytes than asked (a non-blocking socket whose buffer is full, a
//! signal, the 0x7ffff000-byte cap), and a non-blocking socket answers
//! `EAGAIN` once its buffer is full. [`sendfile_all`] resumes, waits with
//! `poll`, and falls back to a copy loop when the kernel refuses the pair of
//! fds (`EINVAL`, `ENOSYS`).
//!
//! Not for: TLS (the bytes must be encrypted in user space, unless the kernel
//! does it with kTLS), compressed or otherwise transformed content, and
//! sources that are not files in the page cache (a pipe or socket as the
//! source fails with `EINVAL`). Linux only.

use super::read_write::{FdWriter, read_write_loop};
use super::transfer::{
    MAX_CHUNK, Moved, TransferError, drive, is_unsupported, wait_writable,
};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};

/// Buffer size of the fallback copy loop.
pub const FALLBACK_BUF: usize = 64 * 1024;

// ANCHOR: sendfile_all
/// Sends `len` bytes of `file`, from `offset`, to `out` (a socket, pipe or
/// file). Blocking and non-blocking `out` both work. On error, the
/// [`TransferError`] says how many bytes went out, so a retry can resume.
pub fn sendfile_all(
    out: impl AsFd,
    file: &File,
    offset: u64,
    len: u64,
) -> Result<Moved, TransferError> {
    let out = out.as_fd();
    sendfile_all_with(out, file, offset, len, || wait_writable(out))
}

/// [`sendfile_all`] with a caller-supplied wait for `EAGAIN` (tests use it to
/// act at the moment the socket is full).
pub fn sendfile_all_with(
    out: BorrowedFd<'_>,
    file: &File,
    offset: u64,
    len: u64,
    wait: impl FnMut() -> io::Result<()>,
) -> Result<Moved, TransferError> {
    let sent = drive(
        offset,
        len,
        MAX_CHUNK,
        |pos, count| {
            // An explicit offset: the file's own position is neither read nor
            // moved, so two transfers of one `File` cannot interfere.
            let mut off = pos as i64;
            Ok(nix::sys::sendfile::sendfile64(out, file, Some(&mut off), count)?)
        },
        wait,
    );
    match sent {
        Err(e) if is_unsupported(&e.error) => {
            // This pair of fds cannot sendfile (say, an O_APPEND file):
            // copy the rest through user space instead.
            let mut moved = e.moved;
            let done = moved.bytes;
            let rest = read_write_loop(
                file,
                offset + done,
                len - done,
                &mut FdWriter(out),
                FALLBACK_BUF,
            );
            let mut rest = rest.map_err(|mut e| {
                e.moved.fell_back = true;
                e.moved.absorb(moved);
                e
            })?;
            rest.fell_back = true;
            moved.absorb(rest);
            Ok(moved)
        }
        other => other,
    }
}
// ANCHOR_END: sendfile_all
