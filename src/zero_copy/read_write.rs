//! The traditional transfer: read a chunk of the file into a user-space
//! buffer, write the buffer out, repeat. Every byte is copied twice by the
//! CPU (page cache → buffer, buffer → socket) and costs a `read` and a
//! `write`/`send` call per chunk (seed 000 §1.1.1, claim C000-01).
//!
//! It is also the fallback of the kernel-copy methods when the kernel refuses
//! a pair of fds, and what the server uses under `--copy-loop`.
//!
//! Not for: measuring (see `loopback.rs`); non-blocking destinations, unless
//! wrapped in [`FdWriter`], which waits for them.

use super::transfer::{Moved, TransferError};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;

// ANCHOR: read_write_loop
/// Copies `len` bytes of `file` from `offset` to `out` through one buffer of
/// `buf_size` bytes (smaller if the range is smaller), allocated here.
pub fn read_write_loop(
    file: &File,
    offset: u64,
    len: u64,
    out: &mut impl Write,
    buf_size: usize,
) -> Result<Moved, TransferError> {
    if len == 0 {
        return Ok(Moved::default());
    }
    let mut buf = vec![0u8; buf_size.max(1).min(len.try_into().unwrap_or(usize::MAX))];
    read_write_through(file, offset, len, out, &mut buf)
}

/// [`read_write_loop`] through the caller's buffer (`buf`, not empty), so
/// one buffer can serve many transfers (a buffer pool).
pub fn read_write_through(
    file: &File,
    offset: u64,
    len: u64,
    out: &mut impl Write,
    buf: &mut [u8],
) -> Result<Moved, TransferError> {
    let mut moved = Moved::default();
    while moved.bytes < len {
        let want = buf.len().min((len - moved.bytes).try_into().unwrap_or(usize::MAX));
        let n = match file.read_at(&mut buf[..want], offset + moved.bytes) {
            Ok(0) => {
                let e = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("file ended at offset {}", offset + moved.bytes),
                );
                return Err(TransferError::new(moved, e));
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(TransferError::new(moved, e)),
        };
        // The second copy: user buffer → socket (or file). write_all resumes
        // short writes and retries EINTR itself.
        out.write_all(&buf[..n]).map_err(|e| TransferError::new(moved, e))?;
        moved.calls += 2;
        moved.user_bytes += n as u64;
        moved.bytes += n as u64;
    }
    Ok(moved)
}
// ANCHOR_END: read_write_loop

/// `Write` for any fd (socket, pipe, file), through `write(2)`. On `EAGAIN`
/// it waits until the fd is writable (see [`super::transfer::wait_writable`]),
/// so a non-blocking socket works too.
#[cfg(target_os = "linux")]
pub struct FdWriter<'fd>(pub std::os::fd::BorrowedFd<'fd>);

#[cfg(target_os = "linux")]
impl Write for FdWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match nix::unistd::write(self.0, buf) {
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EAGAIN) => super::transfer::wait_writable(self.0)?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
