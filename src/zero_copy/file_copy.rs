//! File → file without user space: `copy_file_range(2)`, looped. Within one
//! file system the kernel copies page-cache pages (or, on btrfs/XFS/NFS,
//! shares extents: a reflink, which copies nothing at all).
//!
//! std's `io::copy` and `fs::copy` already do this for `File → File` on
//! Linux, as Go's `io.Copy` does (claim C000-22); [`copy_file_range_all`] is
//! the explicit version, so the chapter can count its calls. Linux only.

use super::read_write::read_write_loop;
use super::sendfile::FALLBACK_BUF;
use super::transfer::{Moved, TransferError, drive, is_unsupported};
use std::fs::File;

/// Largest count per `copy_file_range` call; std uses the same 1 GiB cap to
/// stay clear of `EOVERFLOW` on some file systems.
pub const COPY_FILE_RANGE_CHUNK: usize = 1 << 30;

// ANCHOR: copy_file_range_all
/// Appends `len` bytes of `src`, from `offset`, at `dst`'s current position.
/// Falls back to a read/write loop where the kernel refuses (`EXDEV`,
/// `EINVAL`, `ENOSYS`, `EOPNOTSUPP`, `EPERM`).
pub fn copy_file_range_all(
    src: &File,
    offset: u64,
    len: u64,
    mut dst: &File,
) -> Result<Moved, TransferError> {
    let copied = drive(
        offset,
        len,
        COPY_FILE_RANGE_CHUNK,
        |pos, count| {
            let mut off_in = pos as i64;
            Ok(nix::fcntl::copy_file_range(src, Some(&mut off_in), dst, None, count)?)
        },
        || Ok(()),
    );
    match copied {
        Err(e) if is_unsupported(&e.error) => {
            let mut moved = e.moved;
            let done = moved.bytes;
            let mut rest =
                read_write_loop(src, offset + done, len - done, &mut dst, FALLBACK_BUF)?;
            rest.fell_back = true;
            moved.absorb(rest);
            Ok(moved)
        }
        other => other,
    }
}
// ANCHOR_END: copy_file_range_all
