//! The ways to move a file's bytes to a socket, side by side, behind one
//! type, so the example, the bench and the checks run the same code.
//!
//! | method | user-space copy | syscalls per chunk |
//! |---|---|---|
//! | read/write loop | yes, twice per byte | `pread` + `write` per buffer |
//! | `std::io::copy` | yes (an 8 KiB stack buffer, for File → TcpStream) | `read` + `send` per 8 KiB |
//! | sendfile | no | one per call (up to 2 GiB) |
//! | splice | no | two per pipe-full |
//!
//! Not for: file → file (see `file_copy.rs`).

use super::read_write::{FdWriter, read_write_loop};
use super::sendfile::sendfile_all;
use super::splice::{SplicePipe, splice_all};
use super::transfer::{Moved, TransferError};
use crate::table::format_bytes;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;

/// A way to send a whole file to a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `pread` into a buffer of this many bytes, then `write(2)` it to the
    /// socket (a `write`, not a `send`, so the kernel's per-thread counters
    /// count the bytes going out as well as those coming in).
    ReadWrite(usize),
    /// `std::io::copy(&mut file, &mut stream)`.
    StdIoCopy,
    /// [`sendfile_all`].
    Sendfile,
    /// [`splice_all`] through a pipe of this capacity.
    Splice(usize),
    /// A baseline, not a way to send a file: `send` bytes that are already
    /// in memory (read from the file once, before any timing). The floor
    /// every method is compared with: no file read at all.
    FromMemory,
}

impl Method {
    /// The methods every comparison runs: a 64 KiB loop, `io::copy`,
    /// sendfile, splice with the default and the largest unprivileged pipe.
    pub const ALL: [Method; 5] = [
        Method::ReadWrite(64 << 10),
        Method::StdIoCopy,
        Method::Sendfile,
        Method::Splice(64 << 10),
        Method::Splice(1 << 20),
    ];

    /// A short label for tables.
    pub fn label(&self) -> String {
        match self {
            Self::ReadWrite(b) => format!("read/write {}", format_bytes(*b as f64)),
            Self::StdIoCopy => "std::io::copy".into(),
            Self::Sendfile => "sendfile".into(),
            Self::Splice(p) => format!("splice, {} pipe", format_bytes(*p as f64)),
            Self::FromMemory => "send from memory".into(),
        }
    }

    /// True for the methods whose bytes never enter user space.
    pub fn is_zero_copy(&self) -> bool {
        matches!(self, Self::Sendfile | Self::Splice(_))
    }

    /// Parses a label as typed on a command line: `read-write`,
    /// `read-write:8KiB`, `io-copy`, `sendfile`, `splice`, `splice:1MiB`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, size) = match text.split_once(':') {
            Some((n, s)) => (n, Some(crate::table::parse_size(s)? as usize)),
            None => (text, None),
        };
        Ok(match name {
            "read-write" => Self::ReadWrite(size.unwrap_or(64 << 10)),
            "io-copy" => Self::StdIoCopy,
            "sendfile" => Self::Sendfile,
            "splice" => Self::Splice(size.unwrap_or(64 << 10)),
            _ => {
                return Err(format!(
                    "unknown method {text:?} (read-write[:SIZE], io-copy, sendfile, splice[:SIZE])"
                ));
            }
        })
    }
}

/// A method with what it keeps between transfers (the splice pipe, the
/// baseline's copy of the file).
#[derive(Debug)]
pub struct Sender {
    method: Method,
    pipe: Option<SplicePipe>,
    memory: Vec<u8>,
}

impl Sender {
    /// Prepares `method` (creates and sizes the pipe for splice).
    pub fn new(method: Method) -> io::Result<Self> {
        let pipe = match method {
            Method::Splice(size) => Some(SplicePipe::new(Some(size))?),
            _ => None,
        };
        Ok(Self { method, pipe, memory: Vec::new() })
    }

    /// Work to do before timing: the baseline reads the file into memory.
    pub fn prepare(&mut self, file: &File, len: u64) -> io::Result<()> {
        if self.method == Method::FromMemory && self.memory.len() as u64 != len {
            self.memory = vec![0; len as usize];
            file.read_exact_at(&mut self.memory, 0)?;
        }
        Ok(())
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Sends the first `len` bytes of `file` to `out`.
    pub fn send(
        &mut self,
        file: &File,
        len: u64,
        out: &TcpStream,
    ) -> Result<Moved, TransferError> {
        match self.method {
            Method::ReadWrite(buf) => {
                read_write_loop(file, 0, len, &mut FdWriter(out.as_fd()), buf)
            }
            Method::StdIoCopy => {
                // std reads from the file's position: rewind it first. The
                // count of syscalls is not visible from here. (`take` does
                // not change std's choice: it specializes `Take<File>` too.)
                let mut f = file;
                let start = Moved { uncounted: true, ..Moved::default() };
                f.seek(SeekFrom::Start(0)).map_err(|e| TransferError::new(start, e))?;
                let bytes = std::io::copy(&mut f.take(len), &mut &*out)
                    .map_err(|e| TransferError::new(start, e))?;
                Ok(Moved { bytes, ..start })
            }
            Method::Sendfile => sendfile_all(out, file, 0, len),
            Method::Splice(_) => {
                let pipe = self.pipe.as_mut().expect("splice senders own a pipe");
                splice_all(out, file, 0, len, pipe)
            }
            Method::FromMemory => {
                let fail = |e| TransferError::new(Moved::default(), e);
                self.prepare(file, len).map_err(fail)?;
                (&*out).write_all(&self.memory).map_err(fail)?;
                Ok(Moved { bytes: len, calls: 1, ..Moved::default() })
            }
        }
    }
}
