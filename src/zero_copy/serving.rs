//! The file servers under load, side by side on 127.0.0.1: the chapter's
//! thread-per-connection server, its event-loop server, and nginx (when it
//! is installed), each in turn, round by round:
//!
//! - [`small_files`]: a 4 KiB file over 64 and 256 keep-alive connections
//!   ([`loadgen`], two client threads, like `wrk -t2`): requests per
//!   second, latency percentiles, errors, and the responses each connection
//!   got;
//! - [`big_files`]: 4 clients downloading a large file at once: throughput
//!   and the server's CPU time per GiB;
//! - [`idle`]: many idle keep-alive connections open: the resident memory
//!   each costs the server, and how fast a new request is answered;
//! - [`stalled`]: clients that ask for a large file and never read: how
//!   much later a normal request is answered.
//!
//! The server's CPU time is its own threads' ([`ServerHandle::cpu_time`])
//! or nginx's workers' (`/proc/<pid>/stat`); its memory is this process's
//! resident set (the server runs here; the idle clients hold no user
//! memory) or nginx's workers'. Issue 17's targets are [`TARGETS`].
//!
//! Not for: a verdict. The machine is shared by the clients and the server,
//! so every figure is a ratio on this machine, not a capacity.

use super::files::{Scratch, sparse_file, write_pattern_file};
use super::fixture::OK_TEXT;
use super::nginx::{Nginx, resident_bytes};
use super::server::loadgen::{self, LoadResult, LoadSpec, Until};
use super::server::{self, Config, Model, ServerHandle};
use crate::measure::paired::Paired;
use crate::measure::stats;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

/// A server measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// The chapter's server, a thread per connection.
    Threads,
    /// The chapter's server, event loops.
    Events,
    /// nginx.
    Nginx,
}

impl Peer {
    /// Its name in a table.
    pub fn label(self) -> &'static str {
        match self {
            Peer::Threads => "ours, thread per connection",
            Peer::Events => "ours, event loops",
            Peer::Nginx => "nginx",
        }
    }
}

/// One of issue 17's targets: ours (event loops) against nginx, or alone.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// What is compared.
    pub what: &'static str,
    /// The limit.
    pub limit: f64,
    /// Met at or above the limit (else at or below).
    pub at_least: bool,
}

/// Issue 17's targets, in the order the summary table lists them.
pub const TARGETS: [Target; 9] = [
    Target { what: "4 KiB, 64 connections: req/s ÷ nginx", limit: 1.0, at_least: true },
    Target { what: "4 KiB, 256 connections: req/s ÷ nginx", limit: 1.0, at_least: true },
    Target {
        what: "4 KiB: socket errors + non-2xx, every run",
        limit: 0.0,
        at_least: false,
    },
    Target {
        what: "4 KiB: slowest response, any run (ms)",
        limit: 1000.0,
        at_least: false,
    },
    Target { what: "4 × large file: throughput ÷ nginx", limit: 1.0, at_least: true },
    Target { what: "4 × large file: CPU per GiB ÷ nginx", limit: 1.0, at_least: false },
    Target {
        what: "idle connections open: new request, median (ms)",
        limit: 10.0,
        at_least: false,
    },
    Target {
        what: "idle connections: memory per connection (KiB)",
        limit: 16.0,
        at_least: false,
    },
    Target {
        what: "clients that never read: delay of a request (ms)",
        limit: 10.0,
        at_least: false,
    },
];

/// How much to measure.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Seconds per small-file run.
    pub seconds: f64,
    /// Rounds (each peer once per round, the order rotating).
    pub rounds: usize,
    /// The large file.
    pub big_file: u64,
    /// Idle connections held open.
    pub idle: usize,
    /// Clients that never read.
    pub stalled: usize,
    /// Requests timed for a latency.
    pub probes: usize,
}

impl Sizes {
    /// Issue 17's sizes: 1,000 idle connections, 100 clients that never
    /// read, 4 × 256 MiB.
    pub const FULL: Sizes = Sizes {
        seconds: 2.0,
        rounds: 3,
        big_file: 256 << 20,
        idle: 1000,
        stalled: 100,
        probes: 20,
    };
    /// Smaller and shorter, for `--quick`.
    pub const QUICK: Sizes = Sizes {
        seconds: 0.3,
        rounds: 3,
        big_file: 32 << 20,
        idle: 200,
        stalled: 20,
        probes: 10,
    };
}

/// A load run, summed up.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    /// Responses per second.
    pub rate: f64,
    /// Median latency (µs).
    pub p50_us: f64,
    /// 99th percentile latency (µs).
    pub p99_us: f64,
    /// Slowest response (µs).
    pub max_us: f64,
    /// Socket errors.
    pub errors: u64,
    /// Responses that were not 2xx.
    pub non_2xx: u64,
    /// Connections that got a response.
    pub served: usize,
    /// Connections.
    pub connections: usize,
    /// Fewest and most responses of one connection.
    pub per_connection: (u64, u64),
    /// Jain's fairness index of the responses per connection, within a
    /// client thread (the lowest).
    pub fairness: f64,
}

impl From<&LoadResult> for Summary {
    fn from(r: &LoadResult) -> Self {
        Self {
            rate: r.rate(),
            p50_us: r.latency_us(0.5),
            p99_us: r.latency_us(0.99),
            max_us: r.max_latency_us(),
            errors: r.errors,
            non_2xx: r.non_2xx,
            served: r.served(),
            connections: r.per_connection.len(),
            per_connection: r.per_connection_range(),
            fairness: r.fairness(),
        }
    }
}

/// A peer's runs in one comparison.
#[derive(Clone, Debug)]
pub struct PeerRuns<T> {
    /// Who.
    pub peer: Peer,
    /// One per round.
    pub rounds: Vec<T>,
}

/// The 4 KiB comparison at one connection count.
#[derive(Clone, Debug)]
pub struct SmallFiles {
    /// Keep-alive connections.
    pub connections: usize,
    /// Seconds per run.
    pub seconds: f64,
    /// Every peer's runs.
    pub peers: Vec<PeerRuns<Summary>>,
}

/// Large-file downloads: one round.
#[derive(Clone, Copy, Debug, Default)]
pub struct Download {
    /// Body bytes per second.
    pub throughput: f64,
    /// The server's CPU seconds per GiB sent.
    pub cpu_per_gib: f64,
    /// Socket errors.
    pub errors: u64,
}

/// The large-file comparison.
#[derive(Clone, Debug)]
pub struct BigFiles {
    /// File size.
    pub file_size: u64,
    /// Clients downloading at once.
    pub clients: usize,
    /// Every peer's rounds.
    pub peers: Vec<PeerRuns<Download>>,
}

/// Idle connections held open against one peer.
#[derive(Clone, Copy, Debug)]
pub struct Idle {
    /// Who.
    pub peer: Peer,
    /// Connections held open.
    pub connections: usize,
    /// The server's threads (or worker processes) while they were open.
    pub threads: usize,
    /// Resident memory they added to the server, per connection (bytes).
    pub bytes_per_connection: f64,
    /// A new connection's request meanwhile: median and slowest (µs).
    pub new_request_us: (f64, f64),
}

/// Clients that never read, against one peer.
#[derive(Clone, Copy, Debug)]
pub struct Stalled {
    /// Who.
    pub peer: Peer,
    /// Clients asking for a large file and reading nothing.
    pub clients: usize,
    /// A request's median latency before they came (µs).
    pub before_us: f64,
    /// A request's median latency while they wait (µs).
    pub during_us: f64,
    /// The slowest of those (µs).
    pub during_max_us: f64,
    /// Requests not answered within 5 s (0 if all were).
    pub unanswered: usize,
}

/// Everything measured.
#[derive(Clone, Debug)]
pub struct Serving {
    /// The sizes used.
    pub sizes: Sizes,
    /// Event loops (ours) and worker processes (nginx).
    pub threads: usize,
    /// nginx's version, or why it is not compared.
    pub nginx: Result<String, String>,
    /// 64 and 256 connections.
    pub small: Vec<SmallFiles>,
    /// 4 clients, a large file.
    pub big: BigFiles,
    /// Per peer.
    pub idle: Vec<Idle>,
    /// Per peer.
    pub stalled: Vec<Stalled>,
}

/// A server being measured.
enum Running {
    Ours(ServerHandle),
    Nginx(Nginx),
}

impl Running {
    fn start(peer: Peer, root: &Path, threads: usize) -> io::Result<Self> {
        let model = match peer {
            Peer::Nginx => return Ok(Running::Nginx(Nginx::start(root, threads)?)),
            Peer::Threads => Model::Threads,
            Peer::Events => Model::EventLoop,
        };
        let config = Config { threads, ..Config::with_model(root, model) };
        Ok(Running::Ours(server::spawn("127.0.0.1:0".parse().expect("address"), config)?))
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Running::Ours(h) => h.addr(),
            Running::Nginx(n) => n.addr(),
        }
    }

    fn cpu_time(&self) -> Duration {
        match self {
            Running::Ours(h) => h.cpu_time(),
            Running::Nginx(n) => n.cpu_time(),
        }
    }

    fn resident(&self) -> u64 {
        match self {
            Running::Ours(_) => resident_bytes(None).unwrap_or(0),
            Running::Nginx(n) => n.resident_bytes(),
        }
    }

    fn threads(&self) -> usize {
        match self {
            Running::Ours(h) => h.threads(),
            Running::Nginx(n) => n.worker_pids().len(),
        }
    }
}

/// The files served: `4k.bin`, `ok.txt`, `big.bin` (pattern bytes, in the
/// page cache) and `stall.bin` (sparse, 64 MiB).
fn site(sizes: &Sizes) -> io::Result<Scratch> {
    let dir = Scratch::new("serving")?;
    write_pattern_file(&dir.join("4k.bin"), 4096, 4)?;
    std::fs::write(dir.join("ok.txt"), OK_TEXT)?;
    write_pattern_file(&dir.join("big.bin"), sizes.big_file, 6)?;
    sparse_file(&dir.join("stall.bin"), 64 << 20)?;
    // nginx's workers run as an unprivileged user when started as root.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    Ok(dir)
}

/// The peers: both of ours, and nginx if it is installed.
fn peers(nginx: &Result<String, String>) -> Vec<Peer> {
    let mut p = vec![Peer::Threads, Peer::Events];
    if nginx.is_ok() {
        p.push(Peer::Nginx);
    }
    p
}

/// Measures everything, with `threads` event loops and nginx workers.
pub fn measure(sizes: Sizes, threads: usize) -> io::Result<Serving> {
    let nginx = Nginx::version();
    let peers = peers(&nginx);
    let dir = site(&sizes)?;
    let small = [64, 256]
        .into_iter()
        .map(|c| small_files(dir.path(), &peers, threads, c, &sizes))
        .collect::<io::Result<Vec<_>>>()?;
    let big = big_files(dir.path(), &peers, threads, &sizes)?;
    let idle = peers
        .iter()
        .map(|&p| idle(dir.path(), p, threads, &sizes))
        .collect::<io::Result<Vec<_>>>()?;
    let stalled = peers
        .iter()
        .map(|&p| stalled(dir.path(), p, threads, &sizes))
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Serving { sizes, threads, nginx, small, big, idle, stalled })
}

/// Runs `each(peer, server, round)` for every round, the peers taking
/// turns in an order that rotates from round to round.
fn alternate<T>(
    servers: &[(Peer, Running)],
    rounds: usize,
    mut each: impl FnMut(&Running) -> io::Result<T>,
) -> io::Result<Vec<PeerRuns<T>>> {
    let mut out: Vec<PeerRuns<T>> =
        servers.iter().map(|(p, _)| PeerRuns { peer: *p, rounds: Vec::new() }).collect();
    for round in 0..rounds {
        for k in 0..servers.len() {
            let i = (k + round) % servers.len();
            let r = each(&servers[i].1)?;
            out[i].rounds.push(r);
        }
    }
    Ok(out)
}

/// The 4 KiB file over `connections` keep-alive connections.
pub fn small_files(
    root: &Path,
    peers: &[Peer],
    threads: usize,
    connections: usize,
    sizes: &Sizes,
) -> io::Result<SmallFiles> {
    let servers = peers
        .iter()
        .map(|&p| Ok((p, Running::start(p, root, threads)?)))
        .collect::<io::Result<Vec<_>>>()?;
    let spec = |addr, seconds| LoadSpec {
        addr,
        path: "/4k.bin".into(),
        connections,
        threads: 2,
        until: Until::Time(Duration::from_secs_f64(seconds)),
    };
    // A short untimed run each: code and pages warm.
    for (_, s) in &servers {
        loadgen::run(&spec(s.addr(), 0.2))?;
    }
    let peers = alternate(&servers, sizes.rounds, |s| {
        Ok(Summary::from(&loadgen::run(&spec(s.addr(), sizes.seconds))?))
    })?;
    Ok(SmallFiles { connections, seconds: sizes.seconds, peers })
}

/// 4 clients downloading the large file at once, once per round.
pub fn big_files(
    root: &Path,
    peers: &[Peer],
    threads: usize,
    sizes: &Sizes,
) -> io::Result<BigFiles> {
    let clients = 4;
    let servers = peers
        .iter()
        .map(|&p| Ok((p, Running::start(p, root, threads)?)))
        .collect::<io::Result<Vec<_>>>()?;
    let spec = |addr| LoadSpec {
        addr,
        path: "/big.bin".into(),
        connections: clients,
        threads: 2,
        until: Until::Responses(1),
    };
    for (_, s) in &servers {
        loadgen::run(&spec(s.addr()))?;
    }
    let peers = alternate(&servers, sizes.rounds.max(3), |s| {
        let cpu = s.cpu_time();
        let r = loadgen::run(&spec(s.addr()))?;
        let cpu = s.cpu_time().saturating_sub(cpu);
        let gib = r.body_bytes as f64 / f64::from(1u32 << 30);
        Ok(Download {
            throughput: r.throughput(),
            cpu_per_gib: cpu.as_secs_f64() / gib,
            errors: r.errors + r.non_2xx,
        })
    })?;
    Ok(BigFiles { file_size: sizes.big_file, clients, peers })
}

/// `GET path` on a new connection, read to the end of the response: its
/// latency, or `None` if no whole response came within 5 s.
fn one_request(addr: SocketAddr, path: &str) -> Option<Duration> {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_nodelay(true).ok()?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let mut got = Vec::new();
    s.read_to_end(&mut got).ok()?;
    let whole = got.starts_with(b"HTTP/1.1 200") && got.ends_with(OK_TEXT.as_bytes());
    whole.then(|| start.elapsed())
}

/// Median and slowest of `n` requests for `/ok.txt`, each on a new
/// connection (µs), and how many got no whole answer within 5 s.
pub fn probe(addr: SocketAddr, n: usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(n);
    let mut unanswered = 0;
    for _ in 0..n {
        match one_request(addr, "/ok.txt") {
            Some(d) => times.push(d.as_secs_f64() * 1e6),
            None => unanswered += 1,
        }
    }
    let median = stats::median(&times).unwrap_or(f64::NAN);
    let max = stats::max(&times).unwrap_or(f64::NAN);
    (median, max, unanswered)
}

/// A keep-alive connection that has had one response (`/ok.txt`) and now
/// idles.
pub fn idle_connection(addr: SocketAddr) -> io::Result<TcpStream> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(b"GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n")?;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.ends_with(OK_TEXT.as_bytes()) {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::other("closed before the response ended"));
        }
        got.extend_from_slice(&buf[..n]);
    }
    Ok(s)
}

/// Many idle keep-alive connections: their memory, and a new request.
pub fn idle(root: &Path, peer: Peer, threads: usize, sizes: &Sizes) -> io::Result<Idle> {
    let server = Running::start(peer, root, threads)?;
    let addr = server.addr();
    probe(addr, sizes.probes); // warm
    std::thread::sleep(Duration::from_millis(100));
    let before = server.resident();
    let conns =
        (0..sizes.idle).map(|_| idle_connection(addr)).collect::<io::Result<Vec<_>>>()?;
    std::thread::sleep(Duration::from_millis(100));
    let after = server.resident();
    let threads_now = server.threads();
    let (median, max, _) = probe(addr, sizes.probes);
    drop(conns);
    Ok(Idle {
        peer,
        connections: sizes.idle,
        threads: threads_now,
        bytes_per_connection: after.saturating_sub(before) as f64 / sizes.idle as f64,
        new_request_us: (median, max),
    })
}

/// A client that asks for `path` and never reads (its receive buffer kept
/// small, so that it holds little of the kernel's memory).
pub fn stalled_connection(addr: SocketAddr, path: &str) -> io::Result<TcpStream> {
    let mut s = TcpStream::connect(addr)?;
    nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::RcvBuf, &(16 << 10))?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())?;
    Ok(s)
}

/// Clients that ask for a large file and never read: a request's latency
/// before and while they wait.
pub fn stalled(
    root: &Path,
    peer: Peer,
    threads: usize,
    sizes: &Sizes,
) -> io::Result<Stalled> {
    let server = Running::start(peer, root, threads)?;
    let addr = server.addr();
    probe(addr, sizes.probes); // warm
    let (before, _, _) = probe(addr, sizes.probes);
    let stuck = (0..sizes.stalled)
        .map(|_| stalled_connection(addr, "/stall.bin"))
        .collect::<io::Result<Vec<_>>>()?;
    // Long enough for every one of them to have filled its socket.
    std::thread::sleep(Duration::from_millis(300));
    let (during, during_max, unanswered) = probe(addr, sizes.probes);
    drop(stuck);
    Ok(Stalled {
        peer,
        clients: sizes.stalled,
        before_us: before,
        during_us: during,
        during_max_us: during_max,
        unanswered,
    })
}

impl SmallFiles {
    /// `peer`'s runs.
    pub fn of(&self, peer: Peer) -> Option<&PeerRuns<Summary>> {
        self.peers.iter().find(|p| p.peer == peer)
    }

    /// Per-round ratio of `a`'s requests per second to `b`'s.
    pub fn ratio(&self, a: Peer, b: Peer) -> Option<Paired> {
        let rates = |p| -> Option<Vec<f64>> {
            Some(self.of(p)?.rounds.iter().map(|s| s.rate).collect())
        };
        Paired::of(&rates(a)?, &rates(b)?)
    }
}

impl BigFiles {
    /// `peer`'s rounds.
    pub fn of(&self, peer: Peer) -> Option<&PeerRuns<Download>> {
        self.peers.iter().find(|p| p.peer == peer)
    }

    /// Per-round ratio of `a`'s figure to `b`'s.
    pub fn ratio(&self, a: Peer, b: Peer, f: fn(&Download) -> f64) -> Option<Paired> {
        let v =
            |p| -> Option<Vec<f64>> { Some(self.of(p)?.rounds.iter().map(f).collect()) };
        Paired::of(&v(a)?, &v(b)?)
    }
}

/// The median of `f` over a peer's rounds.
pub fn median_of<T>(runs: &PeerRuns<T>, f: impl Fn(&T) -> f64) -> f64 {
    let v: Vec<f64> = runs.rounds.iter().map(f).collect();
    stats::median(&v).unwrap_or(f64::NAN)
}

impl Serving {
    /// Each target's measured value (event loops; ÷ nginx where it is a
    /// ratio), `None` where it could not be measured (no nginx).
    pub fn target_values(&self) -> [Option<f64>; TARGETS.len()] {
        let ratio = |s: &SmallFiles| s.ratio(Peer::Events, Peer::Nginx).map(|p| p.median);
        let events_small = || self.small.iter().filter_map(|s| s.of(Peer::Events));
        let failures = events_small()
            .flat_map(|r| &r.rounds)
            .map(|s| (s.errors + s.non_2xx) as f64)
            .sum();
        let slowest = events_small()
            .flat_map(|r| &r.rounds)
            .map(|s| s.max_us / 1e3)
            .fold(f64::NAN, f64::max);
        let big = |f: fn(&Download) -> f64| {
            self.big.ratio(Peer::Events, Peer::Nginx, f).map(|p| p.median)
        };
        let idle = self.idle.iter().find(|i| i.peer == Peer::Events);
        let stalled = self.stalled.iter().find(|s| s.peer == Peer::Events);
        [
            self.small.first().and_then(ratio),
            self.small.get(1).and_then(ratio),
            Some(failures),
            Some(slowest),
            big(|d| d.throughput),
            big(|d| d.cpu_per_gib),
            idle.map(|i| i.new_request_us.0 / 1e3),
            idle.map(|i| i.bytes_per_connection / 1024.0),
            stalled.map(|s| {
                if s.unanswered > 0 {
                    f64::INFINITY
                } else {
                    (s.during_us - s.before_us).max(0.0) / 1e3
                }
            }),
        ]
    }
}
