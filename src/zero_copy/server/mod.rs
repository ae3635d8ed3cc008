//! A static HTTP/1.1 file server: GET and HEAD, `Content-Length` and a
//! content type, single byte ranges (206/416), keep-alive, and clear
//! 400/403/404/405/414/431/505 answers. The body goes out with
//! [`sendfile_all`](super::sendfile::sendfile_all) (or, for comparison, a
//! read/write loop), so a request on the sendfile path allocates nothing.
//!
//! Its safety story, each part tested in `tests/zero_copy/`:
//!
//! - **confined**: every path goes through [`Root::open_target`]; nothing
//!   outside the root is ever opened (see `confine.rs`);
//! - **bounded**: `workers` threads each serve one connection at a time, so
//!   at most `workers` connections are served at once; the others wait in
//!   the listen queue;
//! - **never stuck**: a request head must arrive whole within
//!   `idle_timeout`; sends time out between writes (like nginx's
//!   `send_timeout`, so a client that reads slowly but steadily keeps its
//!   worker); a client that goes away or a file that shrinks mid-transfer
//!   ends that connection only; a panic in a handler is caught; and
//!   `SIGPIPE` is ignored (a `sendfile` into a closed socket raises it, and
//!   its default action kills the process).
//!
//! Not for: the open internet (no TLS, no rate limits, no access log).

pub mod client;
pub mod command;
pub mod http;
mod workers;

pub use workers::{ServerHandle, ignore_sigpipe, spawn};

use super::confine::{Denied, Opened, Root, Strategy};
use super::read_write::{read_write_loop, read_write_through};
use super::sendfile::sendfile_all;
use http::{Head, HeadError, MAX_HEAD, Span, Verb};
use nix::sys::socket::{MsgFlags, send};
use std::io::{self, Read};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How the server sends a file's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// `sendfile`, no user-space copy.
    Sendfile,
    /// A read/write loop with a buffer of this size (allocated per response).
    CopyLoop(usize),
    /// The same loop, with buffers of this size taken from a pool the server
    /// keeps (seed 002 §1.5.1.1.7.1's advice), so a response allocates
    /// nothing once the pool holds a buffer per busy worker.
    PooledCopyLoop(usize),
}

/// What the server serves, and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// The directory served.
    pub root: PathBuf,
    /// Connections served at once (one thread each).
    pub workers: usize,
    /// How bodies are sent.
    pub transfer: Transfer,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// A client that accepts no bytes for this long is dropped.
    pub send_timeout: Duration,
    /// How symlinks are confined (`None`: the best the kernel offers).
    pub strategy: Option<Strategy>,
}

impl Config {
    /// Serves `root` with 4 workers, sendfile, 10 s idle and 30 s send
    /// time-outs.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            workers: 4,
            transfer: Transfer::Sendfile,
            idle_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
            strategy: None,
        }
    }
}

/// Counters the server keeps; read them with [`Site::stats`].
#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    active: AtomicU64,
    max_active: AtomicU64,
    requests: AtomicU64,
    body_bytes: AtomicU64,
    transfer_errors: AtomicU64,
    panics: AtomicU64,
    by_status: [AtomicU64; STATUSES.len()],
}

const STATUSES: [u16; 12] = [200, 206, 400, 403, 404, 405, 414, 416, 431, 500, 505, 0];

/// A snapshot of the server's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: u64,
    /// Connections being served now.
    pub active: u64,
    /// Most connections ever served at once.
    pub max_active: u64,
    /// Requests parsed (including those answered with an error).
    pub requests: u64,
    /// Body bytes sent.
    pub body_bytes: u64,
    /// Transfers cut short (client gone, send time-out, file shrank).
    pub transfer_errors: u64,
    /// Handlers that panicked (caught; the worker carried on).
    pub panics: u64,
    by_status: [u64; STATUSES.len()],
}

impl Stats {
    /// Responses sent with `status`.
    pub fn responses(&self, status: u16) -> u64 {
        STATUSES.iter().position(|&s| s == status).map_or(0, |i| self.by_status[i])
    }
}

/// The served root, its configuration and counters: what every worker
/// shares. [`Site::handle_connection`] serves one connection on the
/// calling thread, which lets a test count its allocations.
#[derive(Debug)]
pub struct Site {
    root: Root,
    config: Config,
    counters: Counters,
    stopping: AtomicBool,
    pool: BufferPool,
}

/// Buffers for [`Transfer::PooledCopyLoop`]: taken for one response, put
/// back after it. Holds at most one buffer per worker.
#[derive(Debug, Default)]
struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// A buffer of `size` bytes: a pooled one, or a new one if none is free.
    fn take(&self, size: usize) -> Vec<u8> {
        let pooled = self.free.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(buf) if buf.len() == size => buf,
            _ => vec![0; size],
        }
    }

    /// Returns `buf` to the pool, unless it already holds `max` buffers.
    fn put(&self, buf: Vec<u8>, max: usize) {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        if free.len() < max {
            free.push(buf);
        }
    }
}

/// Per-connection buffers, allocated once per connection, reused by every
/// request on it.
struct Buffers {
    input: Vec<u8>,
    filled: usize,
    head: Vec<u8>,
    decoded: Vec<u8>,
    relative: Vec<u8>,
}

impl Site {
    /// Opens the root. Fails if it is not a directory.
    pub fn new(config: Config) -> io::Result<Self> {
        let root = Root::open(&config.root, config.strategy)?;
        Ok(Self {
            root,
            config,
            counters: Counters::default(),
            stopping: AtomicBool::new(false),
            pool: BufferPool::default(),
        })
    }

    /// How the root confines symlinks.
    pub fn strategy(&self) -> Strategy {
        self.root.strategy()
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        let load = |a: &AtomicU64| a.load(Ordering::SeqCst);
        Stats {
            accepted: load(&c.accepted),
            active: load(&c.active),
            max_active: load(&c.max_active),
            requests: load(&c.requests),
            body_bytes: load(&c.body_bytes),
            transfer_errors: load(&c.transfer_errors),
            panics: load(&c.panics),
            by_status: std::array::from_fn(|i| load(&c.by_status[i])),
        }
    }

    fn count_status(&self, status: u16) {
        let i = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len() - 1);
        self.counters.by_status[i].fetch_add(1, Ordering::SeqCst);
    }

    // ANCHOR: handle_connection
    /// Serves requests on `stream` until the client closes it, asks to close,
    /// goes quiet for `idle_timeout`, or a transfer fails.
    pub fn handle_connection(&self, stream: TcpStream) {
        let setup = stream
            .set_read_timeout(Some(self.config.idle_timeout))
            .and_then(|_| stream.set_write_timeout(Some(self.config.send_timeout)))
            .and_then(|_| stream.set_nodelay(true));
        if setup.is_err() {
            return;
        }
        let mut bufs = Buffers {
            input: vec![0; MAX_HEAD],
            filled: 0,
            head: Vec::with_capacity(512),
            decoded: Vec::with_capacity(256),
            relative: Vec::with_capacity(256),
        };
        while !self.stopping.load(Ordering::SeqCst) {
            let len = match read_head(&stream, &mut bufs, self.config.idle_timeout) {
                Ok(Some(len)) => len,
                Ok(None) => return, // closed, timed out, or reset between requests
                Err(status) => {
                    let _ =
                        self.respond_error(&stream, &mut bufs.head, status, true, false);
                    return;
                }
            };
            self.counters.requests.fetch_add(1, Ordering::SeqCst);
            let keep_alive = match self.respond(&stream, &mut bufs, len) {
                Ok(keep_alive) => keep_alive,
                Err(_) => {
                    self.counters.transfer_errors.fetch_add(1, Ordering::SeqCst);
                    false
                }
            };
            if !keep_alive {
                return;
            }
            // Keep what the client pipelined after this request.
            bufs.input.copy_within(len..bufs.filled, 0);
            bufs.filled -= len;
        }
    }
    // ANCHOR_END: handle_connection

    /// Answers the request whose head is `bufs.input[..len]`. `Ok(true)`: the
    /// connection may serve another request.
    fn respond(
        &self,
        stream: &TcpStream,
        bufs: &mut Buffers,
        len: usize,
    ) -> io::Result<bool> {
        let req = match http::parse_request(&bufs.input[..len]) {
            Ok(req) => req,
            Err(HeadError::Bad(_)) => {
                return self.respond_error(stream, &mut bufs.head, 400, true, false);
            }
            Err(HeadError::Version) => {
                return self.respond_error(stream, &mut bufs.head, 505, true, false);
            }
        };
        let is_head = req.verb == Verb::Head;
        if req.has_body {
            // We read no bodies, so we could not find where the next
            // request starts: answer and close.
            return self.respond_error(stream, &mut bufs.head, 400, true, is_head);
        }
        let close = !req.keep_alive || self.stopping.load(Ordering::SeqCst);
        if req.verb == Verb::Other {
            return self.respond_error(stream, &mut bufs.head, 405, close, false);
        }
        let opened =
            self.root.open_target(req.target, &mut bufs.decoded, &mut bufs.relative);
        let Opened { file, len: size } = match opened {
            Ok(o) => o,
            Err(denied) => {
                let close = close || matches!(denied, Denied::BadRequest(_));
                return self.respond_error(
                    stream,
                    &mut bufs.head,
                    denied.status(),
                    close,
                    is_head,
                );
            }
        };
        let (status, start, body_len) = match http::parse_range(req.range, size) {
            Span::Full => (200, 0, size),
            Span::Part { start, len } => (206, start, len),
            Span::Unsatisfiable => {
                let head = Head {
                    status: 416,
                    content_type: "text/plain; charset=utf-8",
                    content_length: 0,
                    content_range: None,
                    unsatisfiable_size: Some(size),
                    close,
                    allow: false,
                };
                http::write_head(&mut bufs.head, &head);
                self.count_status(416);
                send_all(stream, &bufs.head, false)?;
                return Ok(!close);
            }
        };
        let head = Head {
            status,
            content_type: http::content_type(&bufs.relative),
            content_length: body_len,
            content_range: (status == 206).then(|| (start, start + body_len - 1, size)),
            unsatisfiable_size: None,
            close,
            allow: false,
        };
        http::write_head(&mut bufs.head, &head);
        self.count_status(status);
        let body = !is_head && body_len > 0;
        // MSG_MORE: the head waits for the body's first bytes, so both
        // leave in one segment when they fit.
        send_all(stream, &bufs.head, body)?;
        if body {
            let sent = match self.config.transfer {
                Transfer::Sendfile => sendfile_all(stream, &file, start, body_len),
                Transfer::CopyLoop(buf) => {
                    read_write_loop(&file, start, body_len, &mut &*stream, buf)
                }
                Transfer::PooledCopyLoop(size) => {
                    let mut buf = self.pool.take(size.max(1));
                    let sent = read_write_through(
                        &file,
                        start,
                        body_len,
                        &mut &*stream,
                        &mut buf,
                    );
                    self.pool.put(buf, self.config.workers);
                    sent
                }
            };
            let moved = match sent {
                Ok(m) => m,
                Err(e) => {
                    self.counters.body_bytes.fetch_add(e.moved.bytes, Ordering::SeqCst);
                    return Err(e.into());
                }
            };
            self.counters.body_bytes.fetch_add(moved.bytes, Ordering::SeqCst);
        }
        Ok(!close)
    }

    /// Sends a short text answer for an error status. `Ok(true)` if the
    /// connection stays open.
    fn respond_error(
        &self,
        stream: &TcpStream,
        head: &mut Vec<u8>,
        status: u16,
        close: bool,
        is_head: bool,
    ) -> io::Result<bool> {
        let body = error_body(status);
        let h = Head {
            status,
            content_type: "text/plain; charset=utf-8",
            content_length: body.len() as u64,
            content_range: None,
            unsatisfiable_size: None,
            close,
            allow: status == 405,
        };
        http::write_head(head, &h);
        self.count_status(status);
        if !is_head {
            head.extend_from_slice(body);
        }
        send_all(stream, head, false)?;
        Ok(!close)
    }
}

fn error_body(status: u16) -> &'static [u8] {
    match status {
        400 => b"400 Bad Request\n",
        403 => b"403 Forbidden\n",
        404 => b"404 Not Found\n",
        405 => b"405 Method Not Allowed: only GET and HEAD\n",
        414 => b"414 URI Too Long\n",
        431 => b"431 Request Header Fields Too Large\n",
        505 => b"505 HTTP Version Not Supported\n",
        _ => b"500 Internal Server Error\n",
    }
}

/// Reads until `bufs.input` holds a complete head. `Ok(None)`: the client
/// closed, went quiet or reset; `Err(status)`: answer with that and close.
///
/// The whole head must arrive within `idle`: a client that trickles a byte
/// every few seconds (slowloris) cannot hold its worker for longer.
fn read_head(
    mut stream: &TcpStream,
    bufs: &mut Buffers,
    idle: Duration,
) -> Result<Option<usize>, u16> {
    let mut deadline = None;
    let head = loop {
        if let Some(len) = http::head_len(&bufs.input[..bufs.filled]) {
            break Some(len);
        }
        if bufs.filled == bufs.input.len() {
            return Err(431);
        }
        if bufs.filled > 0 {
            // Part of a head is here: the rest gets what is left of `idle`.
            let end = *deadline.get_or_insert_with(|| Instant::now() + idle);
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                break None;
            }
        }
        match stream.read(&mut bufs.input[bufs.filled..]) {
            Ok(0) => break None,
            Ok(n) => bufs.filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break None,
        }
    };
    if deadline.is_some() && stream.set_read_timeout(Some(idle)).is_err() {
        return Ok(None);
    }
    Ok(head)
}

/// Sends all of `bytes`; with `more`, tells TCP that more data follows.
fn send_all(stream: &TcpStream, mut bytes: &[u8], more: bool) -> io::Result<()> {
    let mut flags = MsgFlags::MSG_NOSIGNAL;
    if more {
        // nix has no name for MSG_MORE.
        flags |= MsgFlags::from_bits_retain(libc::MSG_MORE);
    }
    while !bytes.is_empty() {
        match send(stream.as_raw_fd(), bytes, flags) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
