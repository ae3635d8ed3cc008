//! What a client-timed transfer benchmark measures: seed 000's
//! `BenchmarkZeroCopyFileTransfer` (§1.5.2 L716-744) times a client fetching
//! a 1 MB file from a test server, so its figure contains the client's work
//! and the loopback stack as well as the server's copy path, the only part
//! zero-copy changes.
//!
//! Here a server thread writes `bytes` from memory into a fresh loopback
//! connection per round, and the client reads them all; each side's CPU time
//! comes from its thread CPU clock (`CLOCK_THREAD_CPUTIME_ID`). The client's share is the part of
//! the measured work that no server-side change can remove.
//!
//! Not the zero-copy chapter: the server writes from a user buffer, with no
//! file, sendfile or splice. Linux only (per-thread CPU time).

use crate::measure::os::thread_cpu_time;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// CPU time of both sides of `rounds` transfers of `bytes`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransferCpu {
    /// Transfers made.
    pub rounds: usize,
    /// Bytes per transfer.
    pub bytes: usize,
    /// Server thread: accept + write, user + system.
    pub server_cpu: Duration,
    /// Client thread: connect + read, user + system.
    pub client_cpu: Duration,
    /// Wall time of the client's loop (what a client-side benchmark times).
    pub wall: Duration,
}

impl TransferCpu {
    /// The client's share of all CPU time spent on the transfers.
    pub fn client_share(&self) -> f64 {
        let c = self.client_cpu.as_secs_f64();
        c / (c + self.server_cpu.as_secs_f64())
    }

    /// The largest speedup a client-timed benchmark could show if the server
    /// side became free: `total / client`, when CPU time is what is timed.
    pub fn max_visible_speedup(&self) -> f64 {
        1.0 / self.client_share()
    }
}

// ANCHOR: loopback
/// Runs `rounds` transfers of `bytes` over 127.0.0.1, one connection each.
pub fn measure_transfers(bytes: usize, rounds: usize) -> io::Result<TransferCpu> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let payload = vec![0x5au8; bytes];
    std::thread::scope(|s| {
        let server = s.spawn(move || -> io::Result<Duration> {
            let before = thread_cpu_time()?;
            for _ in 0..rounds {
                let (mut conn, _) = listener.accept()?;
                conn.write_all(&payload)?; // the server's copy path
            }
            Ok(thread_cpu_time()? - before)
        });
        let mut done = 0;
        let mut client = || -> io::Result<(Duration, Duration)> {
            let mut got = Vec::with_capacity(bytes);
            let before = thread_cpu_time()?;
            let start = Instant::now();
            while done < rounds {
                let mut conn = TcpStream::connect(addr)?;
                done += 1;
                got.clear();
                conn.read_to_end(&mut got)?; // the client's work, timed too
                if got.len() != bytes {
                    return Err(io::Error::other(format!(
                        "received {} of {bytes} bytes",
                        got.len()
                    )));
                }
            }
            let wall = start.elapsed();
            Ok((thread_cpu_time()? - before, wall))
        };
        let client = client();
        if client.is_err() {
            // Let a server still waiting in `accept` finish its rounds.
            for _ in done..rounds {
                drop(TcpStream::connect(addr));
            }
        }
        let server = server.join().map_err(|_| io::Error::other("server panicked"))?;
        let (client_cpu, wall) = client?;
        Ok(TransferCpu { rounds, bytes, server_cpu: server?, client_cpu, wall })
    })
}
// ANCHOR_END: loopback
