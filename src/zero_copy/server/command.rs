//! The server's three commands, reachable from the chapter's example:
//! `serve` (a directory over HTTP/1.1 until interrupted), `get` (download a
//! path with concurrent keep-alive clients, checksummed; with several
//! addresses, alternate between them and compare) and `load` (many
//! keep-alive connections for a while, like `wrk`, with the responses each
//! connection got). `benches/zero_copy_vs_nginx.sh` and
//! `benches/zero_copy_load.sh` use them.
//!
//! ```text
//! cargo run --release --example zero_copy -- serve --root DIR --addr 127.0.0.1:8080
//! cargo run --release --example zero_copy -- serve --root DIR --model threads
//! cargo run --release --example zero_copy -- get --addr 127.0.0.1:8080 --path /f --clients 4
//! cargo run --release --example zero_copy -- load --addr 127.0.0.1:8080 --path /f --connections 64
//! ```

use super::client::load;
use super::loadgen::{self, LoadSpec, Until};
use super::{Config, Model, Transfer, spawn};
use crate::measure::stats;
use crate::table::{format_bytes, format_nanos};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How `serve` serves connections.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelArg {
    /// Event loops over non-blocking sockets (epoll).
    Events,
    /// A thread per connection, blocking calls.
    Threads,
}

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
        /// Event loops, or a thread per connection.
        #[arg(long, value_enum, default_value_t = ModelArg::Events)]
        model: ModelArg,
        /// Event loops (default: one per CPU this process may use).
        #[arg(long)]
        threads: Option<usize>,
        /// Connections served at once; the next get a 503.
        #[arg(long, default_value_t = 4096)]
        max_connections: usize,
        /// Send bodies with a 64 KiB read/write loop instead of sendfile.
        #[arg(long)]
        copy_loop: bool,
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
    /// Hold connections open to a server, idle (after one request for
    /// /ok.txt) or asking for a large path and never reading, and time new
    /// requests for /ok.txt meanwhile; with --pid, also the resident memory
    /// the idle ones added to those processes.
    Hold {
        /// Server address.
        #[arg(long)]
        addr: SocketAddr,
        /// Idle keep-alive connections.
        #[arg(long, default_value_t = 0)]
        idle: usize,
        /// Clients that request --stall-path and never read.
        #[arg(long, default_value_t = 0)]
        stalled: usize,
        /// What the stalled clients ask for.
        #[arg(long, default_value = "/stall.bin")]
        stall_path: String,
        /// Requests timed, each on a new connection.
        #[arg(long, default_value_t = 20)]
        probes: usize,
        /// Server processes whose resident memory to read (repeat).
        #[arg(long)]
        pid: Vec<u32>,
    },
    /// Keep many keep-alive connections busy requesting a path for a while
    /// (like wrk) and report requests per second, latency percentiles,
    /// errors and the responses each connection got; with several --addr,
    /// alternate between them and compare.
    Load {
        /// Server address (repeat to compare servers).
        #[arg(long, required = true)]
        addr: Vec<SocketAddr>,
        /// The path to request.
        #[arg(long)]
        path: String,
        /// Keep-alive connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Client threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Seconds per round.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Instead of --seconds: stop when every connection has had this
        /// many responses (for large files: a throughput).
        #[arg(long)]
        responses: Option<u64>,
        /// Rounds (A B A B … when comparing).
        #[arg(long, default_value_t = 1)]
        rounds: usize,
    },
}

/// Runs `cmd`. A failure is one line for the caller to print (the example
/// exits with code 2 on it).
pub fn run(cmd: Command) -> Result<(), String> {
    match cmd {
        Command::Serve { root, addr, model, threads, max_connections, copy_loop } => {
            serve(root, addr, model, threads, max_connections, copy_loop)
        }
        Command::Get { addr, path, clients, repeat, rounds } => {
            get(&addr, &path, clients, repeat, rounds)
        }
        Command::Load {
            addr,
            path,
            connections,
            threads,
            seconds,
            responses,
            rounds,
        } => {
            let until = match responses {
                Some(n) if n > 0 => Until::Responses(n),
                Some(_) => return Err("--responses must be at least 1".into()),
                None if seconds > 0.0 => Until::Time(Duration::from_secs_f64(seconds)),
                None => return Err("--seconds must be positive".into()),
            };
            load_rounds(&addr, &path, connections, threads, until, rounds)
        }
        Command::Hold { addr, idle, stalled, stall_path, probes, pid } => {
            hold(addr, idle, stalled, &stall_path, probes, &pid)
        }
    }
}

fn serve(
    root: PathBuf,
    addr: SocketAddr,
    model: ModelArg,
    threads: Option<usize>,
    max_connections: usize,
    copy_loop: bool,
) -> Result<(), String> {
    let transfer =
        if copy_loop { Transfer::CopyLoop(64 << 10) } else { Transfer::Sendfile };
    let model = match model {
        ModelArg::Events => Model::EventLoop,
        ModelArg::Threads => Model::Threads,
    };
    let mut config = Config { transfer, ..Config::with_model(&root, model) };
    if let Some(t) = threads {
        config.threads = t;
    }
    config.limits.max_connections = max_connections;
    let loops = config.threads;
    let handle = spawn(addr, config)
        .map_err(|e| format!("cannot serve {} on {addr}: {e}", root.display()))?;
    let how = match model {
        Model::EventLoop => format!("{loops} event loops"),
        Model::Threads => "a thread per connection".to_string(),
    };
    println!(
        "serving {} on http://{} ({transfer:?}, {how}, at most {max_connections} \
         connections, symlinks: {:?}); Ctrl-C stops",
        root.display(),
        handle.addr(),
        handle.strategy()
    );
    handle.wait();
    Ok(())
}

/// Bytes in a MiB, for throughputs printed in MiB/s.
const MIB: f64 = (1u64 << 20) as f64;

fn get(
    addrs: &[SocketAddr],
    path: &str,
    clients: usize,
    repeat: usize,
    rounds: usize,
) -> Result<(), String> {
    if clients == 0 || repeat == 0 || rounds == 0 {
        return Err("--clients, --repeat and --rounds must be at least 1".into());
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); addrs.len()];
    for round in 0..rounds {
        for (i, addr) in addrs.iter().enumerate() {
            let l =
                load(*addr, path, clients, repeat).map_err(|e| format!("{addr}: {e}"))?;
            if l.failures > 0 {
                return Err(format!(
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
    Ok(())
}

fn load_rounds(
    addrs: &[SocketAddr],
    path: &str,
    connections: usize,
    threads: usize,
    until: Until,
    rounds: usize,
) -> Result<(), String> {
    if connections == 0 || threads == 0 || rounds == 0 {
        return Err("--connections, --threads and --rounds must be at least 1".into());
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); addrs.len()];
    for round in 0..rounds {
        for (i, addr) in addrs.iter().enumerate() {
            let spec = LoadSpec {
                addr: *addr,
                path: path.to_string(),
                connections,
                threads,
                until,
            };
            let r = loadgen::run(&spec).map_err(|e| format!("{addr}: {e}"))?;
            let (min, max) = r.per_connection_range();
            let us = |q: f64| format_nanos(r.latency_us(q) * 1e3);
            println!(
                "round {round} {addr}: {:.0} req/s, latency p50 {} p99 {} max {}, \
                 {} errors, {} non-2xx, {}/{connections} connections served, \
                 responses per connection {min}..{max} (fairness {:.3}), per client thread \
                 {:?}, {} ({:.0} MiB/s)",
                r.rate(),
                us(0.5),
                us(0.99),
                format_nanos(r.max_latency_us() * 1e3),
                r.errors,
                r.non_2xx,
                r.served(),
                r.fairness(),
                r.per_thread,
                format_bytes(r.body_bytes as f64),
                r.throughput() / MIB,
            );
            rates[i].push(r.rate());
        }
    }
    for (addr, r) in addrs.iter().zip(&rates) {
        let m = stats::median(r).unwrap_or(f64::NAN);
        println!("median {addr}: {m:.0} req/s");
    }
    if let [a, b] = addrs {
        let ratio = stats::ratio_of_medians(&rates[0], &rates[1]).unwrap_or(f64::NAN);
        println!("ratio {a} / {b}: {ratio:.2}");
    }
    Ok(())
}

fn hold(
    addr: SocketAddr,
    idle: usize,
    stalled: usize,
    stall_path: &str,
    probes: usize,
    pids: &[u32],
) -> Result<(), String> {
    use crate::zero_copy::nginx::resident_bytes;
    use crate::zero_copy::serving::{idle_connection, probe, stalled_connection};
    let rss = || pids.iter().filter_map(|&p| resident_bytes(Some(p))).sum::<u64>();
    let (before_us, _, _) = probe(addr, probes.max(1));
    let rss_before = rss();
    let idle_conns = (0..idle)
        .map(|_| idle_connection(addr))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| format!("{addr}: idle connections: {e}"))?;
    let stuck = (0..stalled)
        .map(|_| stalled_connection(addr, stall_path))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| format!("{addr}: stalled clients: {e}"))?;
    std::thread::sleep(Duration::from_millis(300));
    let rss_after = rss();
    let (median, max, unanswered) = probe(addr, probes.max(1));
    let us = |v: f64| format_nanos(v * 1e3);
    print!(
        "{addr}: {idle} idle, {stalled} stalled; new request before {}, during: median {}, \
         slowest {}, {unanswered} unanswered",
        us(before_us),
        us(median),
        us(max)
    );
    if !pids.is_empty() && idle > 0 {
        let per = rss_after.saturating_sub(rss_before) as f64 / idle as f64;
        print!("; resident memory per idle connection {}", format_bytes(per));
    }
    println!();
    drop((idle_conns, stuck));
    Ok(())
}
