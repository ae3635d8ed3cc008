//! The server's two commands, reachable from the chapter's example:
//! `serve` (a directory over HTTP/1.1 until interrupted) and `get` (download
//! a path with concurrent keep-alive clients, and with several addresses,
//! alternate between them and compare). `benches/zero_copy_vs_nginx.sh`
//! uses both.
//!
//! ```text
//! cargo run --release --example zero_copy -- serve --root DIR --addr 127.0.0.1:8080
//! cargo run --release --example zero_copy -- get --addr 127.0.0.1:8080 --path /f --clients 4
//! ```

use super::client::load;
use super::{Config, Transfer, spawn};
use crate::cli::fail;
use crate::measure::stats;
use crate::table::format_bytes;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A command of the file server.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve a directory over HTTP/1.1 until interrupted.
    Serve {
        /// The directory to serve.
        #[arg(long)]
        root: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Send bodies with a 64 KiB read/write loop instead of sendfile.
        #[arg(long)]
        copy_loop: bool,
        /// Connections served at once.
        #[arg(long, default_value_t = 4)]
        workers: usize,
    },
    /// Download a path with concurrent keep-alive clients and report the
    /// throughput; with several --addr, alternate between them and compare
    /// (same client, same file).
    Get {
        /// Server address (repeat to compare servers).
        #[arg(long, required = true)]
        addr: Vec<SocketAddr>,
        /// The path to request.
        #[arg(long)]
        path: String,
        /// Concurrent clients.
        #[arg(long, default_value_t = 4)]
        clients: usize,
        /// Downloads per client per round.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Rounds (A B A B … when comparing).
        #[arg(long, default_value_t = 1)]
        rounds: usize,
    },
}

/// Runs `cmd`; a failure is a one-line error and exit code 2.
pub fn run(cmd: Command) {
    match cmd {
        Command::Serve { root, addr, copy_loop, workers } => {
            serve(root, addr, copy_loop, workers)
        }
        Command::Get { addr, path, clients, repeat, rounds } => {
            get(&addr, &path, clients, repeat, rounds)
        }
    }
}

fn serve(root: PathBuf, addr: SocketAddr, copy_loop: bool, workers: usize) {
    let transfer =
        if copy_loop { Transfer::CopyLoop(64 << 10) } else { Transfer::Sendfile };
    let config = Config { workers, transfer, ..Config::new(&root) };
    let handle = spawn(addr, config).unwrap_or_else(|e| {
        fail(&format!("cannot serve {} on {addr}: {e}", root.display()))
    });
    println!(
        "serving {} on http://{} ({transfer:?}, {workers} workers, symlinks: {:?}); Ctrl-C \
         stops",
        root.display(),
        handle.addr(),
        handle.strategy()
    );
    handle.wait();
}

/// Bytes in a MiB, for throughputs printed in MiB/s.
const MIB: f64 = (1u64 << 20) as f64;

fn get(addrs: &[SocketAddr], path: &str, clients: usize, repeat: usize, rounds: usize) {
    if clients == 0 || repeat == 0 || rounds == 0 {
        fail("--clients, --repeat and --rounds must be at least 1");
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); addrs.len()];
    for round in 0..rounds {
        for (i, addr) in addrs.iter().enumerate() {
            let l = load(*addr, path, clients, repeat)
                .unwrap_or_else(|e| fail(&format!("{addr}: {e}")));
            if l.failures > 0 {
                fail(&format!(
                    "{addr}: {} of {} responses failed",
                    l.failures, l.responses
                ));
            }
            println!(
                "round {round} {addr}: {} responses, {} in {:.3} s, {:.0} MiB/s",
                l.responses,
                format_bytes(l.bytes as f64),
                l.wall.as_secs_f64(),
                l.throughput() / MIB
            );
            rates[i].push(l.throughput());
        }
    }
    for (addr, r) in addrs.iter().zip(&rates) {
        let m = stats::median(r).unwrap_or(f64::NAN);
        println!("median {addr}: {:.0} MiB/s", m / MIB);
    }
    if let [a, b] = addrs {
        let ratio = stats::ratio_of_medians(&rates[0], &rates[1]).unwrap_or(f64::NAN);
        println!("ratio {a} / {b}: {ratio:.2}");
    }
}
