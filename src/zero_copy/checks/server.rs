//! Checks about serving files: confinement to the root, the memory a
//! connection needs, where sendfile applies, and surviving clients that go
//! away.

use super::comparison;
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::measure::{alloc, child};
use crate::table::format_bytes;
use crate::zero_copy::demos::{
    ConnectionHeap, connection_heap, sendfile_into_closed_peer,
};
use crate::zero_copy::files::{Checksum, Scratch, write_pattern_file};
use crate::zero_copy::fixture::{SECRET, SiteFixture, port_name};
use crate::zero_copy::method::Method;
use crate::zero_copy::seed_port::{naive_open_joined, seed_open_concatenated};
use crate::zero_copy::server::client::Client;
use crate::zero_copy::server::{self, Config, Transfer};
use std::fs::File;
use std::io::{self, Read};
use std::time::Duration;

/// The outcome of one hostile request against one implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The secret's bytes came back.
    Leaked,
    /// A directory was opened (the seed would then send a broken response).
    OpenedDirectory,
    /// Refused: an error, or a status other than 200/206.
    Refused,
}

/// What one implementation of "open the requested file" returns for
/// `name`, as a leak or not.
fn port_outcome(opened: io::Result<File>) -> Outcome {
    let Ok(file) = opened else { return Outcome::Refused };
    let mut body = Vec::new();
    match file.take(1 << 20).read_to_end(&mut body) {
        Ok(_) if contains(&body, SECRET.as_bytes()) => Outcome::Leaked,
        Ok(_) => Outcome::Refused,
        Err(e) if e.raw_os_error() == Some(libc::EISDIR) => Outcome::OpenedDirectory,
        Err(_) => Outcome::Refused,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every hostile request against the seed's concatenation, `Path::join`
/// and the chapter's server: (what, seed, join, server status, server leaked).
pub struct Confinement {
    /// One row per hostile request.
    pub rows: Vec<ConfinementRow>,
}

/// One hostile request's outcomes.
#[derive(Clone, Debug)]
pub struct ConfinementRow {
    /// What it tries.
    pub what: &'static str,
    /// The seed's `rootDir + "/" + filename`.
    pub seed: Option<Outcome>,
    /// `Path::join`.
    pub join: Option<Outcome>,
    /// The server's status code.
    pub status: u16,
    /// Whether the server's response contained the secret.
    pub server_leaked: bool,
}

impl Confinement {
    /// Runs the fixture's hostile list against all three.
    pub fn run() -> io::Result<Self> {
        let fx = SiteFixture::new()?;
        let handle = server::spawn(
            "127.0.0.1:0".parse().expect("address"),
            Config { workers: 2, ..Config::new(fx.root()) },
        )?;
        let root =
            fx.root().to_str().ok_or_else(|| io::Error::other("non-UTF-8 root"))?;
        let mut rows = Vec::new();
        for h in fx.hostile() {
            let mut c = Client::connect(handle.addr())?;
            let req = format!(
                "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                h.target
            );
            c.send_raw(req.as_bytes())?;
            let resp = c.read_response(false)?;
            let (seed, join) = if h.for_ports {
                let name = port_name(&h.target);
                (
                    Some(port_outcome(seed_open_concatenated(root, &name))),
                    Some(port_outcome(naive_open_joined(fx.root(), &name))),
                )
            } else {
                (None, None)
            };
            rows.push(ConfinementRow {
                what: h.what,
                seed,
                join,
                status: resp.status,
                server_leaked: contains(&resp.body, SECRET.as_bytes()),
            });
        }
        Ok(Self { rows })
    }

    fn count(&self, f: impl Fn(&ConfinementRow) -> bool) -> usize {
        self.rows.iter().filter(|r| f(r)).count()
    }

    fn evidence(&self) -> (Evidence, [usize; 4]) {
        let mut ev = Evidence::new(format!(
            "{} hostile request targets (`..`, escapes, absolute, symlinks out, NUL, \
             directories, a 4 KiB+ path, a FIFO) against a root with a secret file beside it",
            self.rows.len()
        ));
        let seed = self.count(|r| r.seed == Some(Outcome::Leaked));
        let join = self.count(|r| r.join == Some(Outcome::Leaked));
        let server =
            self.count(|r| r.server_leaked || r.status == 200 || r.status == 206);
        let dirs = self.count(|r| r.seed == Some(Outcome::OpenedDirectory));
        ev.add("hostile requests", self.rows.len() as f64, Unit::Count);
        ev.add("secret leaked: seed's rootDir + \"/\" + name", seed as f64, Unit::Count);
        ev.add("secret leaked: Path::join(name)", join as f64, Unit::Count);
        ev.add("directories opened by the seed's code", dirs as f64, Unit::Count);
        ev.add(
            "answered 200/206 or leaked: the chapter's server",
            server as f64,
            Unit::Count,
        );
        (ev, [seed, join, server, dirs])
    }
}

/// C000-04: ServeFile serves only files under rootDir.
pub fn c000_04(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = Confinement::run()?;
    let (ev, [seed, join, server, _]) = c.evidence();
    let summary = format!(
        "the secret outside the root leaked for {seed} of {} hostile requests with the \
         seed's concatenation, {join} with Path::join, {server} with the chapter's server",
        c.rows.len()
    );
    Ok(Finding::new(Verdict::confirmed_if(seed == 0), summary, ev))
}

/// D03: path traversal in `rootDir + "/" + filename`.
pub fn d03(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = Confinement::run()?;
    let (ev, [seed, join, server, dirs]) = c.evidence();
    if server > 0 {
        return Err(
            format!("the chapter's server served {server} hostile request(s)").into()
        );
    }
    let dotdot =
        c.rows.iter().any(|r| r.what.contains("`..`") && r.seed == Some(Outcome::Leaked));
    let absolute = c
        .rows
        .iter()
        .any(|r| r.what.starts_with("absolute path") && r.join == Some(Outcome::Leaked));
    let summary = format!(
        "concatenation leaked {seed} (`..`, escapes, symlinks) and opened {dirs} \
         directories; Path::join leaked {join}, including a bare absolute path; the server 0"
    );
    Ok(Finding::new(Verdict::confirmed_if(dotdot && absolute), summary, ev))
}

fn heaps() -> Result<(ConnectionHeap, ConnectionHeap), CheckError> {
    if !alloc::is_installed() {
        return Err(
            "needs the counting allocator (perf_workbook::count_allocations!)".into()
        );
    }
    Ok((
        connection_heap(Transfer::Sendfile)?,
        connection_heap(Transfer::CopyLoop(64 << 10))?,
    ))
}

fn heap_evidence(ev: &mut Evidence, sf: &ConnectionHeap, cl: &ConnectionHeap) {
    ev.add(
        "server, sendfile: heap bytes per connection",
        sf.per_connection as f64,
        Unit::Bytes,
    );
    ev.add(
        "server, sendfile: heap bytes per request",
        sf.per_request as f64,
        Unit::Bytes,
    );
    ev.add(
        "server, sendfile: allocations per request",
        sf.allocs_per_request as f64,
        Unit::Count,
    );
    ev.add(
        "server, 64 KiB loop: heap bytes per connection",
        cl.per_connection as f64,
        Unit::Bytes,
    );
    ev.add(
        "server, 64 KiB loop: heap bytes per request",
        cl.per_request as f64,
        Unit::Bytes,
    );
    ev.add(
        "server, 64 KiB loop: allocations per request",
        cl.allocs_per_request as f64,
        Unit::Count,
    );
}

/// `tcp_wmem`'s maximum: the most a socket's send buffer grows to.
fn tcp_wmem_max() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem").ok()?;
    text.split_whitespace().nth(2)?.parse().ok()
}

/// C002-09: target, memory use −40–80%.
pub fn c002_09(ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = comparison(ctx)?;
    let mut ev = Evidence::new(c.condition());
    let looped = c.of(Method::ReadWrite(64 << 10)).heap_bytes_per_transfer();
    let sf = c.of(Method::Sendfile).heap_bytes_per_transfer();
    let (Some(looped), Some(sf)) = (looped, sf) else {
        return Err(
            "needs the counting allocator (perf_workbook::count_allocations!)".into()
        );
    };
    ev.add("heap bytes per transfer, 64 KiB loop", looped, Unit::Bytes);
    ev.add("heap bytes per transfer, sendfile", sf, Unit::Bytes);
    let wmem = tcp_wmem_max();
    if let Some(w) = wmem {
        ev.add(
            "kernel send buffer per socket, at most (tcp_wmem)",
            w as f64,
            Unit::Bytes,
        );
    }
    let verdict = if sf == 0.0 && looped >= (64 << 10) as f64 {
        Verdict::unruled_holds_only_when(
            "\"memory\" means the transfer's user-space buffers: the loop needs one per \
             connection and sendfile none (−100%, beyond the target); the kernel's socket \
             buffers, which are the same for both, are not saved",
        )
    } else {
        Verdict::Refuted
    };
    let summary = format!(
        "per transfer: {} of heap for the 64 KiB loop, {} for sendfile; socket buffers up \
         to {} either way",
        format_bytes(looped),
        format_bytes(sf),
        wmem.map_or("?".into(), |w| format_bytes(w as f64))
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C002-10: supports more concurrent connections.
pub fn c002_10(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let (sf, cl) = heaps()?;
    let mut ev = Evidence::new(
        "one keep-alive connection to the chapter's server, served on the measuring thread; \
         1 then 5 requests for a 256 KiB file separate per-connection from per-request heap",
    );
    heap_evidence(&mut ev, &sf, &cl);
    let budget: u64 = 64 << 20;
    let fit = |h: &ConnectionHeap| budget / (h.per_connection + h.per_request).max(1);
    let (n_sf, n_cl) = (fit(&sf), fit(&cl));
    ev.add("connections in 64 MiB of user memory, sendfile", n_sf as f64, Unit::Count);
    ev.add("connections in 64 MiB of user memory, 64 KiB loop", n_cl as f64, Unit::Count);
    let verdict = if n_sf > n_cl {
        Verdict::unruled_holds_only_when(
            "per-connection user memory is the limit; threads, file descriptors and kernel \
             socket buffers cost the same with either method",
        )
    } else {
        Verdict::Refuted
    };
    let summary = format!(
        "{} + {} heap per connection with sendfile vs {} + {} with a 64 KiB loop: {n_sf} vs \
         {n_cl} connections fit in 64 MiB",
        format_bytes(sf.per_connection as f64),
        format_bytes(sf.per_request as f64),
        format_bytes(cl.per_connection as f64),
        format_bytes(cl.per_request as f64)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C002-11: sendfile suits static files, streams, backups, logs.
pub fn c002_11(_ctx: &Ctx) -> Result<Finding, CheckError> {
    use nix::sys::sendfile::sendfile;
    let dir = Scratch::new("applies")?;
    let size: u64 = 1 << 20;
    write_pattern_file(&dir.join("f"), size, 17)?;
    let file = File::open(dir.join("f"))?;
    let (server, client) = crate::zero_copy::demos::tcp_pair()?;
    let reader = super::seed::spawn_reader(client);
    let from_file =
        crate::zero_copy::sendfile::sendfile_all(&server, &file, 0, size)?.bytes;
    // A live stream has no file: its bytes come from a pipe (or a socket).
    let (r, w) = nix::unistd::pipe().map_err(io::Error::from)?;
    nix::unistd::write(&w, b"generated, not stored").map_err(io::Error::from)?;
    let from_pipe = sendfile(&server, &r, None, 4096);
    let (other, _peer) = crate::zero_copy::demos::tcp_pair()?;
    let from_socket = sendfile(&server, &other, None, 4096);
    drop(server);
    reader.join().map_err(|_| CheckError::from("reader panicked"))??;
    let einval = |r: &nix::Result<usize>| r == &Err(nix::errno::Errno::EINVAL);
    let mut ev = Evidence::new(
        "sendfile to a TCP socket on 127.0.0.1 from three sources: a regular file (a static \
         asset, a backup, a log), a pipe and a socket (a live or generated stream)",
    );
    ev.add("bytes sent from a regular file", from_file as f64, Unit::Bytes);
    ev.add("source a pipe: EINVAL", f64::from(u8::from(einval(&from_pipe))), Unit::Bool);
    ev.add(
        "source a socket: EINVAL",
        f64::from(u8::from(einval(&from_socket))),
        Unit::Bool,
    );
    let verdict = if from_file == size && einval(&from_pipe) && einval(&from_socket) {
        Verdict::unruled_holds_only_when(
            "the bytes are a file's, unchanged, going to a plaintext socket: not for live \
             streams (no file: sendfile refuses a pipe or socket source), nor TLS without \
             kTLS, compression or transcoding (the bytes must change in user space)",
        )
    } else if from_file == size {
        Verdict::Confirmed
    } else {
        Verdict::Refuted
    };
    let summary = format!(
        "sendfile moved a {} file; from a pipe it returned {:?}, from a socket {:?}",
        format_bytes(size as f64),
        from_pipe,
        from_socket
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C002-12: use object pools for buffers.
pub fn c002_12(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let (sf, cl) = heaps()?;
    let mut ev = Evidence::new(
        "one keep-alive connection to the chapter's server; heap per request on the \
         sendfile path and on the copy-loop path",
    );
    heap_evidence(&mut ev, &sf, &cl);
    let summary = format!(
        "a request on the sendfile path allocates {} ({} allocations): nothing to pool; the \
         copy loop allocates {} per request, which a pool could recycle",
        format_bytes(sf.per_request as f64),
        sf.allocs_per_request,
        format_bytes(cl.per_request as f64)
    );
    Ok(Finding::new(Verdict::confirmed_if(sf.per_request > 0), summary, ev))
}

/// D52: a buffer pool for a sendfile server.
pub fn d52(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let (sf, cl) = heaps()?;
    let mut ev = Evidence::new(
        "one keep-alive connection to the chapter's server; heap per request on each path",
    );
    heap_evidence(&mut ev, &sf, &cl);
    let summary = format!(
        "the sendfile path allocates {} per request, so a buffer pool would hold buffers \
         nothing uses; only the fallback loop ({} per request) could use one",
        format_bytes(sf.per_request as f64),
        format_bytes(cl.per_request as f64)
    );
    Ok(Finding::new(
        Verdict::confirmed_if(sf.per_request == 0 && cl.per_request > 0),
        summary,
        ev,
    ))
}

/// C002-13: handle missing files and dropped connections; retry.
pub fn c002_13(_ctx: &Ctx) -> Result<Finding, CheckError> {
    let mut ev = Evidence::new(
        "the chapter's server and sendfile_all on 127.0.0.1; SIGPIPE demonstrations in child \
         processes with its default action restored",
    );
    // A missing file.
    let dir = Scratch::new("errors")?;
    let root = dir.join("www");
    std::fs::create_dir_all(&root)?;
    let size: u64 = 1 << 20;
    let sum = write_pattern_file(&root.join("f.bin"), size, 19)?;
    let handle =
        server::spawn("127.0.0.1:0".parse().expect("address"), Config::new(&root))?;
    let missing = Client::connect(handle.addr())?.get("/no-such-file")?.status;
    ev.add("status for a missing file", f64::from(missing), Unit::Count);
    // A peer that has gone.
    let (kind, _) = sendfile_into_closed_peer()?;
    let clean_error =
        matches!(kind, io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset);
    ev.add(
        "sendfile to a closed peer: an error, not a crash",
        f64::from(u8::from(clean_error)),
        Unit::Bool,
    );
    let timeout = Duration::from_secs(30);
    let killed = child::run_mode("zero_copy::sigpipe_default", timeout)?;
    let guarded = child::run_mode("zero_copy::sigpipe_guarded", timeout)?;
    let killed_by_sigpipe = killed.signal_name() == Some("SIGPIPE");
    let survived = guarded.success() && guarded.stdout.contains("survived");
    ev.add(
        "default SIGPIPE action: process killed by SIGPIPE",
        f64::from(u8::from(killed_by_sigpipe)),
        Unit::Bool,
    );
    ev.add(
        "after ignore_sigpipe(): process survives",
        f64::from(u8::from(survived)),
        Unit::Bool,
    );
    // A retry that resumes where the dropped transfer stopped.
    let cut: u64 = 300_000;
    let first = Client::connect(handle.addr())?.get_prefix("/f.bin", cut)?;
    let rest = Client::connect(handle.addr())?.request(
        "GET",
        "/f.bin",
        &format!("Range: bytes={}-\r\n", first.body.len()),
    )?;
    let mut whole = Checksum::default();
    whole.update(&first.body);
    whole.update(&rest.body);
    let resumed = rest.status == 206 && whole.finish() == (sum, size);
    ev.add("bytes before the client dropped", first.body.len() as f64, Unit::Bytes);
    ev.add(
        "resumed with Range: 206 and an intact file",
        f64::from(u8::from(resumed)),
        Unit::Bool,
    );
    let all = missing == 404 && clean_error && killed_by_sigpipe && survived && resumed;
    let summary = format!(
        "missing file → {missing}; closed peer → {kind:?} (a default SIGPIPE action would kill \
         the process: {}); a Range retry from byte {} rebuilt the file: {resumed}",
        killed.describe(),
        first.body.len()
    );
    Ok(Finding::new(Verdict::confirmed_if(all), summary, ev))
}
