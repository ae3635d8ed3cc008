//! Checks that run the seed's own code (ported in `seed_port.rs`) beside
//! the fix, and the checks about `io::Copy` that need no socket.

use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::{alloc, child, os};
use crate::table::format_bytes;
use crate::zero_copy::demos::{child_figure, tcp_pair};
use crate::zero_copy::files::{Checksum, Scratch, checksum_file, write_pattern_file};
use crate::zero_copy::seed_port::{
    SeedError, scoped_splice, seed_send_file_once, seed_splice_once, seed_tcp_conn,
};
use crate::zero_copy::sendfile::sendfile_all;
use crate::zero_copy::splice::{SplicePipe, splice_all};
use crate::zero_copy::transfer::Moved;
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

fn joined(h: JoinHandle<io::Result<(u64, u64)>>) -> Result<(u64, u64), CheckError> {
    Ok(h.join().map_err(|_| CheckError::from("reader thread panicked"))??)
}

/// What the one-shot sendfile and the loop did on non-blocking sockets.
struct ShortWrite {
    ev: Evidence,
    size: u64,
    /// Bytes the single call sent, and whether the port returned an error.
    one_shot: (u64, bool),
    looped: Moved,
    looped_intact: bool,
}

fn short_write() -> Result<ShortWrite, CheckError> {
    let size: u64 = 16 << 20;
    let dir = Scratch::new("short-write")?;
    let path = dir.join("payload.bin");
    let sum = write_pattern_file(&path, size, 5)?;
    let mut ev = Evidence::new(format!(
        "{} file → a non-blocking TCP socket on 127.0.0.1 (Go's sockets are non-blocking); \
         the one-shot port runs with no reader, as when the peer is slower than the sender",
        format_bytes(size as f64)
    ));
    ev.add("file size", size as f64, Unit::Bytes);
    // The seed's single call.
    let (server, _client) = tcp_pair()?;
    server.set_nonblocking(true)?;
    let file = File::open(&path)?;
    let one_shot = match seed_send_file_once(&server, &file, size) {
        Ok(()) => (size, false),
        Err(SeedError::Incomplete { written, .. }) => (written, true),
        Err(SeedError::Syscall(e)) if e.kind() == io::ErrorKind::WouldBlock => (0, true),
        Err(SeedError::Syscall(e)) => return Err(e.into()),
    };
    ev.add(
        "bytes sent by the seed's single sendfile call",
        one_shot.0 as f64,
        Unit::Bytes,
    );
    ev.add(
        "the seed's function returned an error",
        f64::from(u8::from(one_shot.1)),
        Unit::Bool,
    );
    // The loop, with a reader.
    let (server, client) = tcp_pair()?;
    server.set_nonblocking(true)?;
    let reader = spawn_reader(client);
    let looped = sendfile_all(&server, &file, 0, size)?;
    drop(server);
    let (got, got_sum) = joined(reader)?;
    ev.add("bytes delivered by sendfile_all", got as f64, Unit::Bytes);
    ev.add("sendfile calls made by sendfile_all", looped.calls as f64, Unit::Count);
    ev.add("short counts sendfile_all resumed", looped.short as f64, Unit::Count);
    ev.add("EAGAIN waits (poll) in sendfile_all", looped.waits as f64, Unit::Count);
    let looped_intact = got == size && got_sum == sum;
    ev.add("checksum matches", f64::from(u8::from(looped_intact)), Unit::Bool);
    Ok(ShortWrite { ev, size, one_shot, looped, looped_intact })
}

/// C000-03: one sendfile call sends the whole file.
pub fn c000_03(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let s = short_write()?;
    let summary = format!(
        "one sendfile call moved {} of {}; the loop delivered all of it in {} calls",
        format_bytes(s.one_shot.0 as f64),
        format_bytes(s.size as f64),
        s.looped.calls
    );
    Ok(Finding::new(Verdict::confirmed_if(s.one_shot.0 == s.size), summary, s.ev))
}

/// D01: a short sendfile count is treated as failure, with no loop.
pub fn d01(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let s = short_write()?;
    let reproduced = s.one_shot.1 && s.looped_intact;
    let summary = format!(
        "the seed's function failed with \"incomplete transfer: {}/{}\" while sendfile_all \
         delivered every byte ({} short counts, {} waits)",
        s.one_shot.0, s.size, s.looped.short, s.looped.waits
    );
    Ok(Finding::new(Verdict::confirmed_if(reproduced), summary, s.ev))
}

/// What the one-shot splice pair and the loop delivered.
struct Truncation {
    ev: Evidence,
    size: u64,
    seed_ok: bool,
    seed_received: u64,
    looped_intact: bool,
}

fn truncation() -> Result<Truncation, CheckError> {
    let size: u64 = 1 << 20;
    let dir = Scratch::new("splice")?;
    let path = dir.join("payload.bin");
    let sum = write_pattern_file(&path, size, 9)?;
    let file = File::open(&path)?;
    let capacity = SplicePipe::new(None)?.capacity();
    let mut ev = Evidence::new(format!(
        "{} file → TCP on 127.0.0.1 through a pipe of default capacity",
        format_bytes(size as f64)
    ));
    ev.add("file size", size as f64, Unit::Bytes);
    ev.add("pipe capacity (F_GETPIPE_SZ)", capacity as f64, Unit::Bytes);
    let (server, client) = tcp_pair()?;
    let reader = spawn_reader(client);
    let seed_ok = seed_splice_once(&server, &file, size).is_ok();
    drop(server);
    let (seed_received, _) = joined(reader)?;
    ev.add("the seed's function returned Ok", f64::from(u8::from(seed_ok)), Unit::Bool);
    ev.add(
        "bytes the client received from the seed's code",
        seed_received as f64,
        Unit::Bytes,
    );
    let (server, client) = tcp_pair()?;
    let reader = spawn_reader(client);
    let mut pipe = SplicePipe::new(None)?;
    let moved = splice_all(&server, &file, 0, size, &mut pipe)?;
    drop(server);
    let (got, got_sum) = joined(reader)?;
    ev.add("bytes the client received from splice_all", got as f64, Unit::Bytes);
    ev.add("splice calls made by splice_all", moved.calls as f64, Unit::Count);
    let looped_intact = got == size && got_sum == sum;
    ev.add("checksum matches", f64::from(u8::from(looped_intact)), Unit::Bool);
    Ok(Truncation { ev, size, seed_ok, seed_received, looped_intact })
}

/// C000-05: two splice calls through a pipe transfer the file.
pub fn c000_05(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let t = truncation()?;
    let works = t.seed_received == t.size;
    let summary = format!(
        "the seed's splice pair delivered {} of {} and returned {}; splice_all delivered all",
        format_bytes(t.seed_received as f64),
        format_bytes(t.size as f64),
        if t.seed_ok { "Ok" } else { "an error" }
    );
    Ok(Finding::new(Verdict::confirmed_if(works), summary, t.ev))
}

/// D04: splice without a loop truncates silently.
pub fn d04(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let t = truncation()?;
    let reproduced = t.seed_ok && t.seed_received < t.size && t.looped_intact;
    let summary = format!(
        "truncated to {} of {} with a success result; the loop's copy is intact: {}",
        format_bytes(t.seed_received as f64),
        format_bytes(t.size as f64),
        t.looped_intact
    );
    Ok(Finding::new(Verdict::confirmed_if(reproduced), summary, t.ev))
}

/// C000-22: io.Copy between files is efficient.
pub fn c000_22(ctx: &Ctx) -> Result<Finding, CheckError> {
    let size: u64 = ctx.pick(16 << 20, 4 << 20);
    let dir = Scratch::new("file-copy")?;
    let src_path = dir.join("src.bin");
    let sum = write_pattern_file(&src_path, size, 11)?;
    let mut ev = Evidence::new(format!(
        "{} file → a new file in the same directory ({})",
        format_bytes(size as f64),
        dir.path().display()
    ));
    ev.add("file size", size as f64, Unit::Bytes);
    let src = File::open(&src_path)?;
    let dst = File::create(dir.join("std.bin"))?;
    let (copied, d) = os::measure(|| io::copy(&mut &src, &mut &dst));
    copied?;
    let std_ok = checksum_file(&dir.join("std.bin"))? == sum;
    let std_reads =
        ev.add("std::io::copy: read-family syscalls", d.syscr as f64, Unit::Count);
    ev.add("std::io::copy: write-family syscalls", d.syscw as f64, Unit::Count);
    let dst = File::create(dir.join("cfr.bin"))?;
    let (moved, d) = os::measure(|| {
        crate::zero_copy::file_copy::copy_file_range_all(&src, 0, size, &dst)
    });
    let moved = moved?;
    ev.add("copy_file_range_all: calls", moved.calls as f64, Unit::Count);
    ev.add("copy_file_range_all: read-family syscalls", d.syscr as f64, Unit::Count);
    let dst = File::create(dir.join("loop.bin"))?;
    let (looped, d) = os::measure(|| {
        crate::zero_copy::read_write::read_write_loop(&src, 0, size, &mut &dst, 64 << 10)
    });
    looped?;
    ev.add("64 KiB read/write loop: read-family syscalls", d.syscr as f64, Unit::Count);
    ev.add("std::io::copy's copy is intact", f64::from(u8::from(std_ok)), Unit::Bool);
    if !std_ok {
        return Err("std::io::copy File → File produced a different file".into());
    }
    let kernel_copy = std_reads <= moved.calls as f64 + 1.0;
    let verdict = if kernel_copy && !moved.fell_back {
        Verdict::Confirmed
    } else {
        Verdict::unruled_holds_only_when(
            "the kernel can copy_file_range between the two files (one file system); \
             otherwise std falls back to a read/write loop, as it did here",
        )
    };
    let summary = format!(
        "std::io::copy File → File made {} read-family syscall(s) for {} (copy_file_range), \
         a 64 KiB loop {}",
        d_syscr(&ev, "std::io::copy: read-family syscalls"),
        format_bytes(size as f64),
        d_syscr(&ev, "64 KiB read/write loop: read-family syscalls")
    );
    Ok(Finding::new(verdict, summary, ev))
}

fn d_syscr(ev: &Evidence, name: &str) -> u64 {
    ev.get(name).unwrap_or(f64::NAN) as u64
}

/// What `io::copy` from a slice into a `Vec` did.
struct InMemory {
    ev: Evidence,
    copied: bool,
}

fn in_memory() -> Result<InMemory, CheckError> {
    if !alloc::is_installed() {
        return Err(
            "needs the counting allocator (perf_workbook::count_allocations!)".into()
        );
    }
    let len = 1usize << 20;
    let src: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let mut ev = Evidence::new(
        "seed 001's io.Copy(bytes.Buffer, strings.Reader), in Rust: std::io::copy from a \
         1 MiB &[u8] into a Vec<u8>; then two ways to share the bytes without copying",
    );
    let ((dst, n), counts) = alloc::measure(|| {
        let mut dst: Vec<u8> = Vec::new();
        let n = io::copy(&mut &src[..], &mut dst).map(|n| n as usize);
        (dst, n)
    });
    let n = n?;
    let copied = dst.as_ptr() != src.as_ptr() && dst == src && n == len;
    ev.add("bytes copied by std::io::copy", n as f64, Unit::Bytes);
    ev.add(
        "heap bytes it allocated for them",
        counts.bytes_requested as f64,
        Unit::Bytes,
    );
    ev.add("destination is a different buffer", f64::from(u8::from(copied)), Unit::Bool);
    let (view, borrow) = alloc::measure(|| &src[100..]);
    let same = view.as_ptr() == src[100..].as_ptr();
    ev.add("a borrowed &[u8]: same memory", f64::from(u8::from(same)), Unit::Bool);
    ev.add("a borrowed &[u8]: heap bytes", borrow.bytes_requested as f64, Unit::Bytes);
    let parent = bytes::Bytes::from(src.clone());
    let (part, shared) = alloc::measure(|| parent.slice(100..));
    let same = part.as_ptr() == parent[100..].as_ptr();
    ev.add("bytes::Bytes::slice: same memory", f64::from(u8::from(same)), Unit::Bool);
    ev.add(
        "bytes::Bytes::slice: heap bytes (a reference count, not the data)",
        shared.bytes_requested as f64,
        Unit::Bytes,
    );
    Ok(InMemory { ev, copied })
}

/// C001-26: io.Copy from strings.Reader to bytes.Buffer is zero-copy.
pub fn c001_26(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let m = in_memory()?;
    let heap = m.ev.get("heap bytes it allocated for them").unwrap_or(0.0);
    let summary = format!(
        "std::io::copy into a Vec copied 1 MiB into {} of new heap; a borrow or a \
         Bytes::slice shares the same memory",
        format_bytes(heap)
    );
    Ok(Finding::new(Verdict::confirmed_if(!m.copied), summary, m.ev))
}

/// D36: the io.Copy example is labelled zero-copy but copies.
pub fn d36(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let m = in_memory()?;
    let summary = if m.copied {
        "the \"zero-copy\" example copies every byte into a new buffer (one memcpy)"
            .to_string()
    } else {
        "the example did not copy".to_string()
    };
    Ok(Finding::new(Verdict::confirmed_if(m.copied), summary, m.ev))
}

/// D05: raw fds outlive the pipe they name.
pub fn d05(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let o = child::run_mode("zero_copy::stale_fd", Duration::from_secs(30))?;
    if !o.success() {
        return Err(
            format!("stale-fd child: {} {}", o.describe(), o.stderr.trim()).into()
        );
    }
    let reused =
        child_figure(&o.stdout, "reused").ok_or("no `reused=` from the child")?;
    let stray = child_figure(&o.stdout, "stray").ok_or("no `stray=` from the child")?;
    let dir = Scratch::new("scoped-splice")?;
    std::fs::write(dir.join("a.bin"), vec![b'A'; 4096])?;
    let fixed = scoped_splice(&File::open(dir.join("a.bin"))?)?;
    let mut ev = Evidence::new(
        "seed 000 L127-138's helper goroutine, with the caller returning first: it holds the \
         pipe's write end as an integer; the pipe is closed; the next request opens a pipe \
         (run in a child process, since it writes into whatever has that number)",
    );
    ev.add("the next request's pipe got the stale fd number", reused as f64, Unit::Bool);
    ev.add("bytes of request A that landed in that pipe", stray as f64, Unit::Bytes);
    ev.add("same, with BorrowedFd + thread::scope", fixed as f64, Unit::Bytes);
    let summary = format!(
        "a stale fd number spliced {stray} bytes of one request into the next request's \
         pipe; with a scoped borrow: {fixed}"
    );
    Ok(Finding::new(
        Verdict::confirmed_if(reused == 1 && stray > 0 && fixed == 0),
        summary,
        ev,
    ))
}

/// D06: the unchecked type assertion panics for other connection types.
pub fn d06(_ctx: &Ctx) -> Result<Finding, CheckError> {
    use std::os::unix::net::UnixStream;
    let (a, b) = UnixStream::pair()?;
    let panicked = std::panic::catch_unwind(|| {
        seed_tcp_conn(&a);
    })
    .is_err();
    let size: u64 = 1 << 20;
    let dir = Scratch::new("unix")?;
    let sum = write_pattern_file(&dir.join("f"), size, 13)?;
    let reader = spawn_reader(b);
    let moved = sendfile_all(&a, &File::open(dir.join("f"))?, 0, size)?;
    drop(a);
    let (got, got_sum) = joined(reader)?;
    let mut ev = Evidence::new(
        "a Unix-domain stream socket instead of TCP: the seed's `conn.(*net.TCPConn)` port \
         vs sendfile_all, which takes any `impl AsFd`",
    );
    ev.add("the seed's assertion panicked", f64::from(u8::from(panicked)), Unit::Bool);
    ev.add("sendfile_all delivered over the Unix socket", got as f64, Unit::Bytes);
    let generic_ok = got == size && got_sum == sum && moved.bytes == size;
    let summary = format!(
        "the unchecked assertion {} on a Unix socket; sendfile_all<impl AsFd> delivered {} \
         intact",
        if panicked { "panicked" } else { "did not panic" },
        format_bytes(got as f64)
    );
    Ok(Finding::new(Verdict::confirmed_if(panicked && generic_ok), summary, ev))
}
