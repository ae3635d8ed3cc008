//! Whether a socket buffer holds the page cache's pages or copies of them
//! (seed 002 §1.5.1.1.2 L51, claim C002-03: "data moves straight from the
//! kernel file buffer to the network buffer").
//!
//! [`later_write`] shows it from user space: it sends a file's bytes, then
//! overwrites the file in place *before the receiver has read them*. If the
//! socket held copies, the receiver reads the old bytes; if it held
//! references to the page-cache pages, it reads the new ones. That is the
//! hazard that made std stop using `sendfile` in `io::copy` (a file changed
//! after the call returned can change bytes "already sent"), and the proof
//! that no copy was made. Whether the kernel can hand pages to a device
//! without copying depends on the device's scatter-gather support, which
//! [`offloads`] reads.
//!
//! Not for: real NICs' DMA, which no user-space measurement sees.

use super::files::Scratch;
use super::loopback::tcp_pair;
use super::method::{Method, Sender};
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::time::Duration;

/// What the receiver read after the file changed under a sent transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaterWrite {
    /// The method that sent the bytes.
    pub method: Method,
    /// Bytes the method reported sent before the file changed.
    pub sent: u64,
    /// Of those, bytes the receiver read with the file's *new* content.
    pub changed: u64,
}

/// Bytes [`later_write`] sends: a few pages, well inside the socket
/// buffers of any TCP connection on loopback, so every byte is queued
/// before the file changes and nothing blocks.
pub const LATER_WRITE_LEN: u64 = 16 << 10;

// ANCHOR: later_write
/// Sends [`LATER_WRITE_LEN`] bytes of `0xAA` with `method` to a receiver
/// that has not read yet, overwrites the file with `0xBB` in place, then
/// reads what arrived and counts the `0xBB` bytes.
pub fn later_write(method: Method) -> io::Result<LaterWrite> {
    let len = LATER_WRITE_LEN;
    let dir = Scratch::new("later-write")?;
    let path = dir.join("f.bin");
    std::fs::write(&path, vec![0xAA; len as usize])?;
    let file = File::options().read(true).write(true).open(&path)?;
    let (server, mut client) = tcp_pair()?;
    // A harness bug must fail, not hang.
    server.set_write_timeout(Some(Duration::from_secs(10)))?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut sender = Sender::new(method)?;
    let sent = sender.send(&file, len, &server)?.bytes;
    // The call has returned: the bytes are "sent". Now change the file.
    file.write_all_at(&vec![0xBB; len as usize], 0)?;
    let mut got = vec![0u8; sent as usize];
    client.read_exact(&mut got)?;
    let changed = got.iter().filter(|&&b| b == 0xBB).count() as u64;
    Ok(LaterWrite { method, sent, changed })
}
// ANCHOR_END: later_write

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
