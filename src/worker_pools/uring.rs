//! Reading blocks of a file through io_uring (the `io-uring` crate), `depth`
//! reads per `io_uring_enter`, from one thread: asynchronous I/O in the
//! kernel's sense, which seed 000's `AsyncIOProcessor` is not.
//!
//! [`UringReader::read_blocks`] queues up to `depth` reads, makes one
//! `submit_and_wait` (one `io_uring_enter`), and takes their completions;
//! [`UringReader::enters`] counts the calls. With `delay`, each read is
//! hard-linked behind a timeout of that length: a device that takes `delay`
//! per request, which one thread can keep `depth` deep.
//!
//! Where the kernel refuses a ring (an old kernel, `io_uring_disabled`, a
//! seccomp filter), [`UringReader::new`] says so and the chapter reports
//! "requires io_uring". Linux only.

use std::fs::File;
use std::io;

/// What the chapter prints where io_uring cannot run.
pub const REQUIRES: &str = "requires io_uring";

/// A ring and the buffers its reads land in.
pub struct UringReader {
    #[cfg(target_os = "linux")]
    ring: io_uring::IoUring,
    depth: usize,
    block: usize,
    bufs: Vec<u8>,
    enters: u64,
    /// Requests the kernel may still write into `bufs`: when not zero on
    /// drop, the buffers are leaked rather than freed under it.
    in_flight: usize,
    /// The file registered with the ring (read through `Fixed(0)`).
    registered: Option<i32>,
}

#[cfg(target_os = "linux")]
impl UringReader {
    /// A ring of `depth` entries (twice that with a delay) and `depth`
    /// buffers of `block` bytes. The ring is set up for one thread
    /// (`SINGLE_ISSUER`, `COOP_TASKRUN`) where the kernel knows the flags,
    /// plainly elsewhere.
    pub fn new(depth: usize, block: usize) -> io::Result<Self> {
        let entries = (2 * depth) as u32;
        let ring = io_uring::IoUring::builder()
            .setup_single_issuer()
            .setup_coop_taskrun()
            .build(entries)
            .or_else(|_| io_uring::IoUring::new(entries))
            .map_err(|e| io::Error::new(e.kind(), format!("{REQUIRES}: {e}")))?;
        Ok(Self {
            ring,
            depth,
            block,
            bufs: vec![0; depth * block],
            enters: 0,
            in_flight: 0,
            registered: None,
        })
    }

    /// `io_uring_enter` calls made so far.
    pub fn enters(&self) -> u64 {
        self.enters
    }

    /// Reads the block at each of `offsets` (in `block`-byte units of the
    /// reader), `depth` at a time, each behind a `delay` timeout when given.
    /// Returns the sum of the first byte of every block, so the reads are used.
    pub fn read_blocks(
        &mut self,
        file: &File,
        offsets: &[u64],
        delay: Option<std::time::Duration>,
    ) -> io::Result<u64> {
        use io_uring::{opcode, squeue, types};
        use std::os::fd::AsRawFd;
        let raw = file.as_raw_fd();
        if self.registered != Some(raw) {
            if self.registered.is_some() {
                self.ring.submitter().unregister_files()?;
            }
            // One registration per file: no fget/fput per read.
            self.ring.submitter().register_files(&[raw])?;
            self.registered = Some(raw);
        }
        let fd = types::Fixed(0);
        let ts = delay.map(types::Timespec::from);
        let mut sum = 0u64;
        for chunk in offsets.chunks(self.depth) {
            let mut entries = 0;
            for (i, &off) in chunk.iter().enumerate() {
                if let Some(ts) = &ts {
                    let sleep = opcode::Timeout::new(ts)
                        .build()
                        .flags(squeue::Flags::IO_HARDLINK)
                        .user_data(u64::MAX);
                    // SAFETY: the timespec outlives the submission (the
                    // kernel copies it while `submit_and_wait` runs).
                    unsafe { self.ring.submission().push(&sleep) }
                        .map_err(|_| io::Error::other("submission queue full"))?;
                    entries += 1;
                }
                let buf = self.bufs[i * self.block..].as_mut_ptr();
                let read = opcode::Read::new(fd, buf, self.block as u32)
                    .offset(off * self.block as u64)
                    .build()
                    .user_data(i as u64);
                // SAFETY: `buf` is `block` bytes inside `self.bufs`, which
                // nothing else touches until this read's completion is taken
                // below (or, on error, is leaked by `Drop`); `file` outlives
                // this call, which waits for every completion.
                unsafe { self.ring.submission().push(&read) }
                    .map_err(|_| io::Error::other("submission queue full"))?;
                entries += 1;
            }
            self.in_flight = entries;
            self.enters += 1;
            self.ring.submit_and_wait(entries)?; // one io_uring_enter per chunk
            let mut seen = 0;
            while seen < entries {
                let Some(cqe) = self.ring.completion().next() else {
                    // Completions not posted yet (not expected after
                    // submit_and_wait(entries)): wait for the rest.
                    self.enters += 1;
                    self.ring.submit_and_wait(entries - seen)?;
                    continue;
                };
                seen += 1;
                if cqe.user_data() == u64::MAX {
                    continue; // the timeout: -ETIME is how it ends
                }
                let res = cqe.result();
                if res < 0 {
                    return Err(io::Error::from_raw_os_error(-res));
                }
                if res as usize != self.block {
                    return Err(io::Error::other(format!("short read: {res} bytes")));
                }
                let i = cqe.user_data() as usize;
                sum += u64::from(self.bufs[i * self.block]);
            }
            self.in_flight = 0;
        }
        Ok(sum)
    }
}

#[cfg(not(target_os = "linux"))]
impl UringReader {
    /// io_uring is Linux only.
    pub fn new(_depth: usize, _block: usize) -> io::Result<Self> {
        Err(io::Error::new(io::ErrorKind::Unsupported, REQUIRES))
    }

    /// Never called elsewhere.
    pub fn enters(&self) -> u64 {
        self.enters
    }

    /// Never called elsewhere.
    pub fn read_blocks(
        &mut self,
        _file: &File,
        _offsets: &[u64],
        _delay: Option<std::time::Duration>,
    ) -> io::Result<u64> {
        Err(io::Error::new(io::ErrorKind::Unsupported, REQUIRES))
    }
}

impl Drop for UringReader {
    fn drop(&mut self) {
        if self.in_flight > 0 {
            // A read may still land in these buffers after an error: never
            // free memory the kernel may write to.
            std::mem::forget(std::mem::take(&mut self.bufs));
        }
    }
}
