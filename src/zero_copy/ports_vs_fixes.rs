//! The seed's code (ported in `seed_port.rs`) run beside the fix, on the
//! same input, and what each did: the measuring half of the seed's defect
//! checks. Every function here returns plain numbers; the checks turn them
//! into evidence and their rules decide.
//!
//! Not for: the ports themselves (`seed_port.rs`) or the fixes
//! (`sendfile.rs`, `splice.rs`, `confine.rs`).

use super::children::child_figure;
use super::files::{Checksum, Scratch, checksum_file, write_pattern_file};
use super::loopback::tcp_pair;
use super::seed_port::{
    SeedError, scoped_splice, seed_send_file_once, seed_splice_once, seed_tcp_conn,
};
use super::sendfile::sendfile_all;
use super::splice::{SplicePipe, splice_all};
use super::transfer::Moved;
use crate::measure::{alloc, child, os};
use std::fs::File;
use std::io::{self, Read};
use std::thread::JoinHandle;
use std::time::Duration;

/// Reads `stream` to the end on another thread: (bytes, checksum).
pub fn spawn_reader<R: Read + Send + 'static>(
    mut stream: R,
) -> JoinHandle<io::Result<(u64, u64)>> {
    std::thread::spawn(move || {
        let mut sum = Checksum::default();
        let mut buf = vec![0u8; 256 << 10];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => {
                    let (checksum, bytes) = sum.finish();
                    return Ok((bytes, checksum));
                }
                Ok(n) => sum.update(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    })
}

/// The bytes and checksum a [`spawn_reader`] thread read.
pub fn joined(h: JoinHandle<io::Result<(u64, u64)>>) -> io::Result<(u64, u64)> {
    h.join().map_err(|_| io::Error::other("reader thread panicked"))?
}

/// What the one-shot sendfile and the loop did on non-blocking sockets.
#[derive(Clone, Copy, Debug)]
pub struct ShortWrite {
    /// File size.
    pub size: u64,
    /// Bytes the seed's single call sent.
    pub one_shot_bytes: u64,
    /// Whether the seed's function returned an error.
    pub one_shot_failed: bool,
    /// What `sendfile_all` counted.
    pub looped: Moved,
    /// Bytes the reader got from `sendfile_all`.
    pub delivered: u64,
    /// Whether they match the file's checksum.
    pub intact: bool,
}

/// Seed 000 L66-88 against `sendfile_all`: a `size` file to a non-blocking
/// socket, the port with no reader (a peer slower than the sender).
pub fn short_write(size: u64) -> io::Result<ShortWrite> {
    let dir = Scratch::new("short-write")?;
    let path = dir.join("payload.bin");
    let sum = write_pattern_file(&path, size, 5)?;
    let file = File::open(&path)?;
    let (server, _client) = tcp_pair()?;
    server.set_nonblocking(true)?;
    let (one_shot_bytes, one_shot_failed) =
        match seed_send_file_once(&server, &file, size) {
            Ok(()) => (size, false),
            Err(SeedError::Incomplete { written, .. }) => (written, true),
            Err(SeedError::Syscall(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                (0, true)
            }
            Err(SeedError::Syscall(e)) => return Err(e),
        };
    let (server, client) = tcp_pair()?;
    server.set_nonblocking(true)?;
    let reader = spawn_reader(client);
    let looped = sendfile_all(&server, &file, 0, size)?;
    drop(server);
    let (delivered, got_sum) = joined(reader)?;
    Ok(ShortWrite {
        size,
        one_shot_bytes,
        one_shot_failed,
        looped,
        delivered,
        intact: delivered == size && got_sum == sum,
    })
}

/// What the one-shot splice pair and the loop delivered.
#[derive(Clone, Copy, Debug)]
pub struct Truncation {
    /// File size.
    pub size: u64,
    /// The pipe's capacity (`F_GETPIPE_SZ`).
    pub pipe_capacity: u64,
    /// Whether the seed's function returned `Ok`.
    pub seed_ok: bool,
    /// Bytes the client received from the seed's code.
    pub seed_received: u64,
    /// Bytes the client received from `splice_all`.
    pub looped_received: u64,
    /// splice calls `splice_all` made.
    pub looped_calls: u64,
    /// Whether `splice_all`'s bytes match the file.
    pub intact: bool,
}

/// Seed 000 L121-141 against `splice_all`: a `size` file → TCP through a
/// pipe of default capacity.
pub fn truncation(size: u64) -> io::Result<Truncation> {
    let dir = Scratch::new("splice")?;
    let path = dir.join("payload.bin");
    let sum = write_pattern_file(&path, size, 9)?;
    let file = File::open(&path)?;
    let pipe_capacity = SplicePipe::new(None)?.capacity() as u64;
    let (server, client) = tcp_pair()?;
    let reader = spawn_reader(client);
    let seed_ok = seed_splice_once(&server, &file, size).is_ok();
    drop(server);
    let (seed_received, _) = joined(reader)?;
    let (server, client) = tcp_pair()?;
    let reader = spawn_reader(client);
    let mut pipe = SplicePipe::new(None)?;
    let moved = splice_all(&server, &file, 0, size, &mut pipe)?;
    drop(server);
    let (got, got_sum) = joined(reader)?;
    Ok(Truncation {
        size,
        pipe_capacity,
        seed_ok,
        seed_received,
        looped_received: got,
        looped_calls: moved.calls,
        intact: got == size && got_sum == sum,
    })
}

/// What the seed's stale fd numbers did, in a child process, beside the
/// scoped borrow.
#[derive(Clone, Copy, Debug)]
pub struct StaleFds {
    /// The next request's pipe got the stale fd number.
    pub reused: bool,
    /// Bytes of request A that landed in that pipe.
    pub stray: u64,
    /// Bytes that landed there with `BorrowedFd` + `thread::scope`.
    pub scoped_stray: u64,
}

/// Seed 000 L127-138's helper goroutine, run in a child process (it writes
/// into whatever has the stale number), beside [`scoped_splice`].
pub fn stale_fds() -> io::Result<StaleFds> {
    let o = child::run_mode("zero_copy::stale_fd", Duration::from_secs(30))?;
    if !o.success() {
        return Err(io::Error::other(format!(
            "stale-fd child: {} {}",
            o.describe(),
            o.stderr.trim()
        )));
    }
    let figure = |key| {
        child_figure(&o.stdout, key)
            .ok_or_else(|| io::Error::other(format!("no `{key}=` from the child")))
    };
    let (reused, stray) = (figure("reused")?, figure("stray")?);
    let dir = Scratch::new("scoped-splice")?;
    std::fs::write(dir.join("a.bin"), vec![b'A'; 4096])?;
    let scoped_stray = scoped_splice(&File::open(dir.join("a.bin"))?)? as u64;
    Ok(StaleFds { reused: reused == 1, stray, scoped_stray })
}

/// One kind of connection the seed's `ServeFile` could be handed, and what
/// the port and the fix did with it.
#[derive(Clone, Debug)]
pub struct ConnectionKind {
    /// `TCP`, `Unix-domain`.
    pub name: &'static str,
    /// The seed's unchecked assertion panicked.
    pub port_panicked: bool,
    /// Bytes `sendfile_all<impl AsFd>` delivered intact over it (0 if not
    /// intact).
    pub fix_delivered: u64,
}

/// Seed 000 L137's unchecked `conn.(*net.TCPConn)` against
/// `sendfile_all<impl AsFd>`, on a TCP connection (where the assertion
/// holds) and on a Unix-domain stream (a `net.Conn` too, where it does
/// not). Returns the file size and one entry per kind.
pub fn connection_kinds(size: u64) -> io::Result<(u64, Vec<ConnectionKind>)> {
    let dir = Scratch::new("connection-kinds")?;
    let sum = write_pattern_file(&dir.join("f"), size, 13)?;
    let file = File::open(dir.join("f"))?;
    let (tcp, tcp_peer) = tcp_pair()?;
    let (unix, unix_peer) = std::os::unix::net::UnixStream::pair()?;
    let kinds = vec![
        connection_kind("TCP", tcp, tcp_peer, &file, size, sum)?,
        connection_kind("Unix-domain", unix, unix_peer, &file, size, sum)?,
    ];
    Ok((size, kinds))
}

/// Hands `conn` to the seed's assertion (as Go hands a `net.Conn`: a value
/// whose concrete type the code asks for), then sends the file over it with
/// the fix while `peer` reads.
fn connection_kind<C, R>(
    name: &'static str,
    conn: C,
    peer: R,
    file: &File,
    size: u64,
    sum: u64,
) -> io::Result<ConnectionKind>
where
    C: std::os::fd::AsFd + std::any::Any,
    R: Read + Send + 'static,
{
    let asserted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        seed_tcp_conn(&conn).peer_addr().is_ok()
    }));
    let reader = spawn_reader(peer);
    sendfile_all(&conn, file, 0, size)?;
    drop(conn);
    let (got, got_sum) = joined(reader)?;
    Ok(ConnectionKind {
        name,
        port_panicked: asserted.is_err(),
        fix_delivered: if got_sum == sum { got } else { 0 },
    })
}

/// What std's `io::copy` between two files did, beside `copy_file_range_all`
/// and a 64 KiB read/write loop.
#[derive(Clone, Copy, Debug)]
pub struct FileCopy {
    /// File size.
    pub size: u64,
    /// Read-family syscalls std::io::copy made.
    pub std_reads: u64,
    /// Write-family syscalls std::io::copy made.
    pub std_writes: u64,
    /// copy_file_range calls `copy_file_range_all` made.
    pub cfr_calls: u64,
    /// Whether `copy_file_range_all` fell back to a user-space loop.
    pub cfr_fell_back: bool,
    /// Read-family syscalls a 64 KiB read/write loop made.
    pub loop_reads: u64,
}

/// Seed 000 §1.4.1's `io.Copy(dst, src)` between files: std's `io::copy`
/// File → File, counted, beside the explicit kernel copy and the loop.
pub fn file_copy(size: u64) -> io::Result<(FileCopy, String)> {
    let dir = Scratch::new("file-copy")?;
    let src_path = dir.join("src.bin");
    let sum = write_pattern_file(&src_path, size, 11)?;
    let src = File::open(&src_path)?;
    let dst = File::create(dir.join("std.bin"))?;
    let (copied, d) = os::measure(|| io::copy(&mut &src, &mut &dst));
    copied?;
    if checksum_file(&dir.join("std.bin"))? != sum {
        return Err(io::Error::other(
            "std::io::copy File → File produced a different file",
        ));
    }
    let (std_reads, std_writes) = (d.syscr, d.syscw);
    let dst = File::create(dir.join("cfr.bin"))?;
    let moved = super::file_copy::copy_file_range_all(&src, 0, size, &dst)?;
    let dst = File::create(dir.join("loop.bin"))?;
    let (looped, d) = os::measure(|| {
        super::read_write::read_write_loop(&src, 0, size, &mut &dst, 64 << 10)
    });
    looped?;
    let copy = FileCopy {
        size,
        std_reads,
        std_writes,
        cfr_calls: moved.calls,
        cfr_fell_back: moved.fell_back,
        loop_reads: d.syscr,
    };
    Ok((copy, dir.path().display().to_string()))
}

/// What `io::copy` from a slice into a `Vec` did, and two ways to share
/// bytes without copying them.
#[derive(Clone, Copy, Debug)]
pub struct InMemory {
    /// Bytes std::io::copy copied.
    pub copied: u64,
    /// Heap bytes it allocated for them.
    pub heap: u64,
    /// The destination is a different buffer (not the source's memory).
    pub different_buffer: bool,
    /// A borrowed `&[u8]` points into the source; heap bytes for it.
    pub borrow_same: bool,
    /// Heap bytes a borrow allocated.
    pub borrow_heap: u64,
    /// `bytes::Bytes::slice` points into the parent.
    pub slice_same: bool,
    /// Heap bytes `Bytes::slice` allocated (a reference count at most).
    pub slice_heap: u64,
}

/// Seed 001's `io.Copy(bytes.Buffer, strings.Reader)` in Rust: std::io::copy
/// from a 1 MiB `&[u8]` into a `Vec<u8>`, counted by the counting allocator.
pub fn in_memory() -> io::Result<InMemory> {
    if !alloc::is_installed() {
        return Err(io::Error::other(
            "needs the counting allocator (perf_workbook::count_allocations!)",
        ));
    }
    let len = 1usize << 20;
    let src: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let ((dst, n), counts) = alloc::measure(|| {
        let mut dst: Vec<u8> = Vec::new();
        let n = io::copy(&mut &src[..], &mut dst).map(|n| n as usize);
        (dst, n)
    });
    let n = n?;
    let different_buffer = dst.as_ptr() != src.as_ptr() && dst == src && n == len;
    let (view, borrow) = alloc::measure(|| &src[100..]);
    let parent = bytes::Bytes::from(src.clone());
    let (part, shared) = alloc::measure(|| parent.slice(100..));
    Ok(InMemory {
        copied: n as u64,
        heap: counts.bytes_requested,
        different_buffer,
        borrow_same: view.as_ptr() == src[100..].as_ptr(),
        borrow_heap: borrow.bytes_requested,
        slice_same: part.as_ptr() == parent[100..].as_ptr(),
        slice_heap: shared.bytes_requested,
    })
}

/// What `rustc` said about one source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compiled {
    /// No `rustc` could be run here (the workbook's binary run without a
    /// Rust toolchain on `PATH`).
    NoCompiler(String),
    /// It compiled.
    Ok,
    /// It did not; the first error code (`E0308`), if rustc gave one.
    Failed(Option<String>),
}

/// Type-checks `source` as a library with `rustc` (`$RUSTC`, else `rustc`
/// on `PATH`), emitting metadata only: no code is generated or run.
pub fn type_check(source: &str) -> io::Result<Compiled> {
    use crate::measure::rustc::{self, Options, RustcError};
    let lib_2021 = Options { edition: "2021", ..Options::LIB };
    match rustc::check("port", source, lib_2021) {
        Ok(d) if d.compiled => Ok(Compiled::Ok),
        Ok(d) => Ok(Compiled::Failed(d.errors.first().cloned())),
        Err(RustcError::NoCompiler(e)) => Ok(Compiled::NoCompiler(e)),
        Err(RustcError::Other(e)) => Err(io::Error::other(e)),
    }
}
