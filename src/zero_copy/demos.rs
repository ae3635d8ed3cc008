//! Demonstrations the checks, tests and example share: a send into a
//! socket whose peer has gone (and what `SIGPIPE` does then), the stale-fd
//! splice run in a child process, the loopback device's offload features,
//! and the heap a server connection allocates.
//!
//! Not for: timing. Everything here is counted.

use super::files::{Scratch, write_pattern_file};
use super::sendfile::sendfile_all;
use super::server::client::Client;
use super::server::{Config, Site, Transfer};
use crate::measure::alloc;
use crate::measure::child::ChildMode;
use std::fs::File;
use std::io;
use std::net::{TcpListener, TcpStream};

/// Child modes of this chapter (see `measure::child`).
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: "zero_copy::sigpipe_default", run: || sigpipe_child(false) },
    ChildMode { name: "zero_copy::sigpipe_guarded", run: || sigpipe_child(true) },
    ChildMode { name: "zero_copy::stale_fd", run: stale_fd_child },
];

/// A connected pair on 127.0.0.1: (the accepted end, the connecting end).
pub fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    Ok((server, client))
}

// ANCHOR: closed_peer
/// Sends a file to a socket whose peer has closed, until the kernel says
/// so: returns the error kind and the bytes accepted before it. A bounded
/// loop: at most 1,000 sends.
pub fn sendfile_into_closed_peer() -> io::Result<(io::ErrorKind, u64)> {
    let dir = Scratch::new("closed-peer")?;
    let file = super::files::sparse_file(&dir.join("f"), 64 << 10)?;
    let (server, client) = tcp_pair()?;
    drop(client); // the peer goes away
    let mut accepted = 0;
    for _ in 0..1000 {
        match sendfile_all(&server, &file, 0, 64 << 10) {
            Ok(m) => accepted += m.bytes,
            Err(e) => return Ok((e.kind(), accepted + e.moved.bytes)),
        }
    }
    Err(io::Error::other("1,000 sends to a closed peer all succeeded"))
}
// ANCHOR_END: closed_peer

/// Child mode: restores `SIGPIPE`'s default action (as a C program or a
/// binary built with `-Zon-broken-pipe=kill` has it), optionally calls
/// [`super::server::ignore_sigpipe`], then sends into a closed peer. Prints
/// `survived <kind>` if the process lives through it.
fn sigpipe_child(guard: bool) {
    // SAFETY: SIG_DFL installs no handler code; it only restores the default
    // action, which is the point of this child process.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    if guard {
        super::server::ignore_sigpipe().expect("sigaction");
    }
    // Keep sending after ECONNRESET: the call after it returns EPIPE, which
    // is the one that raises SIGPIPE.
    let mut last = None;
    for _ in 0..3 {
        match sendfile_into_closed_peer() {
            Ok((kind, _)) => last = Some(kind),
            Err(e) => last = Some(e.kind()),
        }
    }
    println!("survived {last:?}");
}

/// Child mode: runs [`super::seed_port::stale_fd_splice`] and prints
/// `reused=<0|1> stray=<bytes>`.
fn stale_fd_child() {
    let dir = Scratch::new("stale-fd").expect("scratch dir");
    let path = dir.join("request-a.bin");
    std::fs::write(&path, vec![b'A'; 4096]).expect("write");
    let file = File::open(&path).expect("open");
    let r = super::seed_port::stale_fd_splice(&file).expect("stale_fd_splice");
    println!("reused={} stray={}", u8::from(r.number_reused), r.stray_bytes);
}

/// The number after `key=` in a child's output.
pub fn child_figure(stdout: &str, key: &str) -> Option<u64> {
    let start = stdout.find(&format!("{key}="))? + key.len() + 1;
    let digits: String =
        stdout[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What a network device offloads, as `ethtool -k` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offloads {
    /// Scatter-gather: a packet can point at several pages (of the page
    /// cache) instead of one contiguous copy.
    pub scatter_gather: bool,
    /// The device (not the CPU) computes TCP checksums on send.
    pub tx_checksum: bool,
}

// ANCHOR: offloads
/// Reads a device's scatter-gather and checksum-offload flags with the
/// `SIOCETHTOOL` ioctl (`ETHTOOL_GSG`, `ETHTOOL_GTXCSUM`); needs no privilege.
pub fn offloads(device: &str) -> io::Result<Offloads> {
    use std::os::fd::AsRawFd;
    #[repr(C)]
    struct EthtoolValue {
        cmd: u32,
        data: u32,
    }
    /// `struct ifreq`: the name, then a union whose pointer member we use.
    #[repr(C)]
    struct IfReq {
        name: [u8; 16],
        data: *mut EthtoolValue,
        _rest: [u8; 16],
    }
    const SIOCETHTOOL: libc::c_ulong = 0x8946;
    const ETHTOOL_GTXCSUM: u32 = 0x16;
    const ETHTOOL_GSG: u32 = 0x18;
    if device.len() >= 16 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "device name too long"));
    }
    let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    let get = |cmd: u32| -> io::Result<bool> {
        let mut value = EthtoolValue { cmd, data: 0 };
        let mut req = IfReq { name: [0; 16], data: &mut value, _rest: [0; 16] };
        req.name[..device.len()].copy_from_slice(device.as_bytes());
        // SAFETY: `req` is a properly laid out `struct ifreq` whose data
        // pointer refers to `value`, which outlives the call; the kernel
        // writes only `value` (and reads the name).
        let rc = unsafe { libc::ioctl(sock.as_raw_fd(), SIOCETHTOOL as _, &mut req) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(value.data != 0)
    };
    Ok(Offloads { scatter_gather: get(ETHTOOL_GSG)?, tx_checksum: get(ETHTOOL_GTXCSUM)? })
}
// ANCHOR_END: offloads

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
