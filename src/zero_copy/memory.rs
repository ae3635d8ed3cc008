//! What a connection costs in memory, and what a buffer pool changes:
//!
//! - [`connection_heap`]: heap allocated by one keep-alive connection of the
//!   chapter's server, split into per-connection and per-request parts;
//! - [`socket_buffers`]: bytes the kernel holds for one connection whose
//!   client has stopped reading (the sender's send queue and the receiver's
//!   receive queue), the same whichever method filled them;
//! - [`pool_timing`]: the serving thread's CPU time per request with a fresh
//!   copy buffer per response against a pooled one, round by round.
//!
//! Not for: process-wide memory (RSS), which every other thread of the
//! process moves too.

use super::files::{Scratch, write_pattern_file};
use super::loopback::tcp_pair;
use super::method::Method;
use super::read_write::read_write_loop;
use super::sendfile::sendfile_all_with;
use super::server::client::Client;
use super::server::{Config, Site, Transfer};
use crate::measure::paired::Paired;
use crate::measure::{alloc, os};
use std::io;
use std::net::TcpListener;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

/// Heap allocated by one server connection, on the thread that serves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionHeap {
    /// Bytes allocated once per connection (its buffers).
    pub per_connection: u64,
    /// Bytes allocated per request on it.
    pub per_request: u64,
    /// Allocations per request.
    pub allocs_per_request: u64,
}

/// Serves one connection on this thread with [`Site::handle_connection`]
/// while a client makes `1` and then `5` keep-alive requests for a 256 KiB
/// file, and splits the heap bytes into per-connection and per-request
/// parts. Needs the counting allocator.
pub fn connection_heap(transfer: Transfer) -> io::Result<ConnectionHeap> {
    let dir = Scratch::new("heap")?;
    let root = dir.join("www");
    std::fs::create_dir_all(&root)?;
    let sum = write_pattern_file(&root.join("file.bin"), 256 << 10, 7)?;
    let site = Site::new(Config { transfer, ..Config::new(&root) })?;
    let run = |requests: u32| -> io::Result<alloc::AllocCounts> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        std::thread::scope(|s| {
            let client = s.spawn(move || -> io::Result<()> {
                let mut c = Client::connect(addr)?;
                for _ in 0..requests {
                    let d = c.download("/file.bin", "")?;
                    if d.status != 200 || d.checksum != sum {
                        return Err(io::Error::other("wrong response"));
                    }
                }
                Ok(())
            });
            let (stream, _) = listener.accept()?;
            let (_, counts) = alloc::measure(|| site.handle_connection(stream));
            client.join().expect("client thread")?;
            Ok(counts)
        })
    };
    let one = run(1)?;
    let five = run(5)?;
    let per_request = five.bytes_requested.saturating_sub(one.bytes_requested) / 4;
    Ok(ConnectionHeap {
        per_connection: one.bytes_requested.saturating_sub(per_request),
        per_request,
        allocs_per_request: five.allocs.saturating_sub(one.allocs) / 4,
    })
}

/// Bytes queued in the kernel for one connection after `method` sent into
/// it until the socket would take no more, with a client that reads
/// nothing: the sender's unsent and unacknowledged bytes (`SIOCOUTQ`) plus
/// the receiver's unread bytes (`SIOCINQ`).
pub fn socket_buffers(method: Method) -> io::Result<u64> {
    let dir = Scratch::new("socket-buffers")?;
    // Larger than any socket's buffers can hold (tcp_wmem + tcp_rmem).
    let size: u64 = 64 << 20;
    let file = super::files::sparse_file(&dir.join("f"), size)?;
    let (server, client) = tcp_pair()?;
    // Non-blocking: each method stops with WouldBlock once the socket is full.
    server.set_nonblocking(true)?;
    let full = || Err(io::ErrorKind::WouldBlock.into());
    let sent = match method {
        Method::Sendfile => sendfile_all_with(server.as_fd(), &file, 0, size, full),
        Method::ReadWrite(buf) => read_write_loop(&file, 0, size, &mut &server, buf),
        other => {
            return Err(io::Error::other(format!(
                "{} is not measured here",
                other.label()
            )));
        }
    };
    match sent {
        Ok(_) => return Err(io::Error::other("the socket took 64 MiB without a reader")),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => return Err(e.into()),
    }
    let queued = |fd: i32, req: libc::c_ulong| -> io::Result<u64> {
        let mut n: libc::c_int = 0;
        // SAFETY: SIOCOUTQ and SIOCINQ write one int through the pointer,
        // which points at `n`; `fd` is a live socket borrowed for the call.
        let rc = unsafe { libc::ioctl(fd, req as _, &mut n) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(u64::try_from(n).unwrap_or(0))
    };
    let out = queued(server.as_raw_fd(), libc::TIOCOUTQ as libc::c_ulong)?;
    let inq = queued(client.as_raw_fd(), libc::FIONREAD as libc::c_ulong)?;
    Ok(out + inq)
}

/// How the serving thread's CPU time per request compared, pooled buffer ÷
/// fresh buffer, round by round, for one file size.
#[derive(Clone, Copy, Debug)]
pub struct PoolTiming {
    /// The file each request downloads.
    pub file_size: u64,
    /// Requests per sample (one keep-alive connection each).
    pub requests: u32,
    /// Median serving-thread CPU time per request, fresh buffer (ns).
    pub fresh_ns: f64,
    /// Median serving-thread CPU time per request, pooled buffer (ns).
    pub pooled_ns: f64,
    /// Pooled ÷ fresh, per round.
    pub ratio: Paired,
}

/// Serves `requests` keep-alive downloads of a `file_size` file on this
/// thread, alternately from a server with [`Transfer::CopyLoop`] and one
/// with [`Transfer::PooledCopyLoop`] (64 KiB buffers), for `rounds` rounds,
/// and compares the serving thread's CPU time per request.
pub fn pool_timing(
    file_size: u64,
    requests: u32,
    rounds: usize,
) -> io::Result<PoolTiming> {
    let dir = Scratch::new("pool-timing")?;
    let root = dir.join("www");
    std::fs::create_dir_all(&root)?;
    let sum = write_pattern_file(&root.join("file.bin"), file_size, 29)?;
    let site = |transfer| Site::new(Config { transfer, ..Config::new(&root) });
    let sites =
        [site(Transfer::CopyLoop(64 << 10))?, site(Transfer::PooledCopyLoop(64 << 10))?];
    // One untimed connection each: the pool holds its buffer from here on.
    for s in &sites {
        serve_on_this_thread(s, 1, sum)?;
    }
    let mut per_request: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for k in 0..2 {
            let i = (k + round) % 2;
            let cpu = serve_on_this_thread(&sites[i], requests, sum)?;
            per_request[i].push(cpu.as_nanos() as f64 / f64::from(requests));
        }
    }
    let median = |v: &[f64]| crate::measure::stats::median(v).unwrap_or(f64::NAN);
    let ratio = Paired::of(&per_request[1], &per_request[0])
        .ok_or_else(|| io::Error::other("too few rounds to pair"))?;
    Ok(PoolTiming {
        file_size,
        requests,
        fresh_ns: median(&per_request[0]),
        pooled_ns: median(&per_request[1]),
        ratio,
    })
}

/// Serves one connection of `requests` downloads on this thread; returns
/// this thread's CPU time for it.
fn serve_on_this_thread(site: &Site, requests: u32, sum: u64) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::scope(|s| {
        let client = s.spawn(move || -> io::Result<()> {
            let mut c = Client::connect(addr)?;
            for _ in 0..requests {
                let d = c.download("/file.bin", "")?;
                if d.status != 200 || d.checksum != sum {
                    return Err(io::Error::other("wrong response"));
                }
            }
            Ok(())
        });
        let (stream, _) = listener.accept()?;
        let start = os::thread_cpu_time()?;
        site.handle_connection(stream);
        let cpu = os::thread_cpu_time()? - start;
        client.join().map_err(|_| io::Error::other("client thread panicked"))??;
        Ok(cpu)
    })
}
