//! `splice(2)` file → pipe → socket, looped until every byte has moved.
//!
//! `splice` needs a pipe on one side, so a file reaches a socket in two
//! hops: file → pipe (the pipe takes references to page-cache pages) and
//! pipe → socket. Each hop moves at most the pipe's capacity, 64 KiB by
//! default; `F_SETPIPE_SZ` raises it up to `/proc/sys/fs/pipe-max-size`
//! (1 MiB by default). Seed 000 §1.1.3 calls each hop once, so a file over
//! 64 KiB arrives truncated (defect D04).
//!
//! `sendfile` does the same two hops inside the kernel with a per-task pipe,
//! so for file → socket splice only adds syscalls; it earns its keep when the
//! source is itself a pipe or socket (a proxy). Linux only.

use super::transfer::{MAX_CHUNK, Moved, TransferError, drive};
use nix::fcntl::{FcntlArg, OFlag, SpliceFFlags, fcntl, splice};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};

/// A pipe used as the middle hop of [`splice_all`].
#[derive(Debug)]
pub struct SplicePipe {
    read: OwnedFd,
    write: OwnedFd,
    capacity: usize,
    /// Bytes left in the pipe by a transfer that failed between the hops.
    stranded: usize,
}

impl SplicePipe {
    /// A new pipe; with `Some(size)`, its capacity is set with `F_SETPIPE_SZ`
    /// (the kernel rounds up to a power-of-two number of pages, and refuses
    /// sizes above `/proc/sys/fs/pipe-max-size` for unprivileged users).
    pub fn new(size: Option<usize>) -> io::Result<Self> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        if let Some(size) = size {
            let size = i32::try_from(size)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pipe size"))?;
            fcntl(&write, FcntlArg::F_SETPIPE_SZ(size))?;
        }
        let capacity = fcntl(&write, FcntlArg::F_GETPIPE_SZ)? as usize;
        Ok(Self { read, write, capacity, stranded: 0 })
    }

    /// The pipe's capacity in bytes (`F_GETPIPE_SZ`).
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

// ANCHOR: splice_all
/// Sends `len` bytes of `file`, from `offset`, to `out` through `pipe`.
///
/// After an error the pipe may still hold bytes of this transfer; it then
/// refuses further use, so those bytes can never reach another destination.
pub fn splice_all(
    out: impl AsFd,
    file: &File,
    offset: u64,
    len: u64,
    pipe: &mut SplicePipe,
) -> Result<Moved, TransferError> {
    if pipe.stranded > 0 {
        let e = io::Error::other("pipe holds bytes of a failed transfer");
        return Err(TransferError::new(Moved::default(), e));
    }
    let out = out.as_fd();
    let mut moved = Moved::default();
    while moved.bytes < len {
        // Hop 1: file → pipe. The pipe is empty here, so this never blocks.
        let want = (len - moved.bytes).min(pipe.capacity as u64) as usize;
        let mut off = (offset + moved.bytes) as i64;
        let n = match splice(file, Some(&mut off), &pipe.write, None, want, MOVE) {
            Ok(0) => {
                let e = io::Error::new(io::ErrorKind::UnexpectedEof, "file ended early");
                return Err(TransferError::new(moved, e));
            }
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(TransferError::new(moved, e.into())),
        };
        moved.calls += 1;
        // Hop 2: pipe → destination, until the pipe is empty again. "More
        // follows" only while it does: a final chunk sent with MORE may wait
        // in the socket for the cork timer.
        let flags = if moved.bytes + (n as u64) < len { MOVE | MORE } else { MOVE };
        let drained = drive(
            0,
            n as u64,
            MAX_CHUNK,
            |_, count| Ok(splice(&pipe.read, None, out, None, count, flags)?),
            || super::transfer::wait_writable(out),
        );
        match drained {
            Ok(d) => {
                moved.calls += d.calls;
                moved.waits += d.waits;
                moved.interrupted += d.interrupted;
                moved.bytes += n as u64;
            }
            Err(mut e) => {
                pipe.stranded = n - e.moved.bytes as usize;
                e.moved.bytes += moved.bytes;
                e.moved.calls += moved.calls;
                return Err(e);
            }
        }
    }
    Ok(moved)
}
// ANCHOR_END: splice_all

/// Hint: move pages rather than copy them (the kernel may ignore it).
const MOVE: SpliceFFlags = SpliceFFlags::SPLICE_F_MOVE;
/// Hint: more data follows (like `MSG_MORE`).
const MORE: SpliceFFlags = SpliceFFlags::SPLICE_F_MORE;
