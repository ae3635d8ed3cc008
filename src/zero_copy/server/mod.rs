//! A static HTTP/1.1 file server, in two shapes that answer every request
//! the same way: GET and HEAD, `Content-Length`, a content type,
//! `Last-Modified` and 304 for `If-Modified-Since`, single byte ranges
//! (206/416), keep-alive and pipelining, and clear
//! 400/403/404/405/414/431/503/505 answers. The body goes out with
//! `sendfile` (or, for comparison, a read/write loop), so a request on the
//! sendfile path allocates nothing.
//!
//! - [`Model::Threads`] (`threads.rs`), the simple first version: one
//!   thread per connection, blocking calls, as Go's `net/http` runs a
//!   goroutine per connection;
//! - [`Model::EventLoop`] (`event.rs`): a few event-loop threads (one per
//!   CPU by default) over non-blocking sockets and epoll, each connection a
//!   small state machine, the `sendfile` resumed when the socket takes more.
//!
//! What both share is here: the configuration and its [`Limits`], the
//! served root, the counters, and [`Site::answer`], which turns a request
//! head into a response head and the body to send. Their safety story, each
//! part tested against both in `tests/zero_copy/`:
//!
//! - **confined**: every path goes through [`Root::open_target`]; nothing
//!   outside the root is ever opened (see `confine.rs`);
//! - **bounded**: at most `max_connections` connections are served; the
//!   next get a 503 and a close, not silence; a request head has at most
//!   `max_head` bytes and `max_headers` lines (431 beyond);
//! - **never stuck**: a head must arrive whole within `header_timeout`, a
//!   kept-alive connection may idle for `idle_timeout`, a send must make
//!   progress within `send_timeout`; a client that goes away or a file that
//!   shrinks mid-transfer ends that connection only; a panic is caught; and
//!   `SIGPIPE` is ignored (a `sendfile` into a closed socket raises it, and
//!   its default action kills the process);
//! - **closed cleanly**: a connection closed after a response first stops
//!   sending, then drains what the client still sends for at most `linger`
//!   (a close with unread input would send a reset, which can discard the
//!   answer before the client reads it); a shutdown finishes the transfers
//!   in progress.
//!
//! Not for: the open internet (no TLS, no rate limits, no access log).

pub mod client;
pub mod command;
mod cpu;
mod deadlines;
mod event;
mod handle;
pub mod http;
pub mod loadgen;
mod threads;

pub use cpu::CpuLedger;
pub use event::serve_here;
pub use handle::{BACKLOG, ServerHandle, ignore_sigpipe, listen_on, spawn};

use super::confine::{Denied, Opened, Root, Strategy};
use super::read_write::{read_write_loop, read_write_through};
use super::sendfile::sendfile_all;
use http::{Head, Span, Verb};
use nix::sys::socket::{MsgFlags, send};
use std::fs::File;
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
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
    /// A read/write loop with a buffer of this size, allocated per response
    /// (and held by the connection until the response is sent).
    CopyLoop(usize),
    /// The same loop, with buffers of this size the server keeps (seed 002
    /// §1.5.1.1.7.1's advice): a pool of one per busy thread for
    /// [`Model::Threads`]; one per event loop for [`Model::EventLoop`],
    /// which works on one connection at a time.
    PooledCopyLoop(usize),
}

/// How connections are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// One thread per connection, blocking calls.
    Threads,
    /// `Config::threads` event loops over non-blocking sockets.
    EventLoop,
}

impl Model {
    /// Both, simple first.
    pub const BOTH: [Model; 2] = [Model::Threads, Model::EventLoop];

    /// A short name.
    pub fn label(self) -> &'static str {
        match self {
            Model::Threads => "thread per connection",
            Model::EventLoop => "event loops",
        }
    }
}

// ANCHOR: limits
/// What keeps one client, or many, from taking the server from everyone
/// else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; the next get a 503 and a close.
    pub max_connections: usize,
    /// Largest request head (request line and headers), in bytes: 431.
    pub max_head: usize,
    /// Most header lines in a request head: 431.
    pub max_headers: usize,
    /// A kept-alive connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// A request head must arrive whole within this (from its first byte,
    /// or from the connection's start): a client that trickles a byte every
    /// few seconds (slowloris) cannot hold a connection longer.
    pub header_timeout: Duration,
    /// A client that accepts no byte for this long is dropped (between
    /// writes, like nginx's `send_timeout`: a slow but steady reader stays).
    pub send_timeout: Duration,
    /// A connection closed after a response drains its input for at most
    /// this long (nginx's `lingering_time`).
    pub linger: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_head: http::MAX_HEAD,
            max_headers: http::MAX_HEADERS,
            idle_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
            linger: Duration::from_secs(5),
        }
    }
}
// ANCHOR_END: limits

/// What the server serves, and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// The directory served.
    pub root: PathBuf,
    /// Thread per connection, or event loops.
    pub model: Model,
    /// Event loops ([`Model::EventLoop`]; the thread-per-connection server
    /// starts one thread per connection instead).
    pub threads: usize,
    /// How bodies are sent.
    pub transfer: Transfer,
    /// Limits on connections, heads and time.
    pub limits: Limits,
    /// How symlinks are confined (`None`: the best the kernel offers).
    pub strategy: Option<Strategy>,
}

impl Config {
    /// Serves `root` with event loops, one per CPU this process may use,
    /// sendfile, and the default [`Limits`].
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let cpus = crate::measure::cpu::allowed_cpus().map_or(1, |c| c.len().max(1));
        Self {
            root: root.into(),
            model: Model::EventLoop,
            threads: cpus,
            transfer: Transfer::Sendfile,
            limits: Limits::default(),
            strategy: None,
        }
    }

    /// The same, served by `model`.
    pub fn with_model(root: impl Into<PathBuf>, model: Model) -> Self {
        Self { model, ..Self::new(root) }
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
    timed_out: AtomicU64,
    lingered: AtomicU64,
    panics: AtomicU64,
    by_status: [AtomicU64; STATUSES.len()],
}

const STATUSES: [u16; 15] =
    [200, 206, 304, 400, 403, 404, 405, 408, 414, 416, 431, 500, 503, 505, 0];

/// A snapshot of the server's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted (including those refused with a 503).
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
    /// Connections closed by a time-out (idle, head or send).
    pub timed_out: u64,
    /// Connections closed with a lingering close.
    pub lingered: u64,
    /// Handlers that panicked (caught; the server carried on).
    pub panics: u64,
    by_status: [u64; STATUSES.len()],
}

impl Stats {
    /// Responses sent with `status`.
    pub fn responses(&self, status: u16) -> u64 {
        STATUSES.iter().position(|&s| s == status).map_or(0, |i| self.by_status[i])
    }
}

/// The served root, its configuration and counters: what every server
/// thread shares. [`Site::answer`] is the whole of HTTP that both servers
/// share; [`Site::handle_connection`] serves one connection on the calling
/// thread (the thread-per-connection server's body, and how a test counts
/// a connection's allocations).
#[derive(Debug)]
pub struct Site {
    root: Root,
    config: Config,
    counters: Counters,
    stopping: AtomicBool,
    pool: BufferPool,
}

/// Buffers for [`Transfer::PooledCopyLoop`] in the thread-per-connection
/// server: taken for one response, put back after it.
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

/// Scratch space for answering requests, kept by a server thread (or a
/// connection) and reused for every request: answering allocates nothing
/// once these have grown to size.
#[derive(Debug)]
pub struct ReplyBuffers {
    /// The response head (and an error's short body) as [`Site::answer`]
    /// wrote it.
    pub head: Vec<u8>,
    decoded: Vec<u8>,
    relative: Vec<u8>,
}

impl Default for ReplyBuffers {
    fn default() -> Self {
        Self {
            head: Vec::with_capacity(512),
            decoded: Vec::with_capacity(256),
            relative: Vec::with_capacity(256),
        }
    }
}

/// The answer to one request: its head is in [`ReplyBuffers::head`].
#[derive(Debug)]
pub struct Reply {
    /// The status sent.
    pub status: u16,
    /// The file bytes that follow the head, if any.
    pub body: Option<Body>,
    /// Close the connection after this response.
    pub close: bool,
}

/// File bytes to send after a response head.
#[derive(Debug)]
pub struct Body {
    /// The open file.
    pub file: File,
    /// First byte to send.
    pub offset: u64,
    /// Bytes to send.
    pub len: u64,
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

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
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
            timed_out: load(&c.timed_out),
            lingered: load(&c.lingered),
            panics: load(&c.panics),
            by_status: std::array::from_fn(|i| load(&c.by_status[i])),
        }
    }

    fn count_status(&self, status: u16) {
        let i = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len() - 1);
        self.counters.by_status[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a connection that starts being served.
    fn opened(&self) {
        let c = &self.counters;
        let now = c.active.fetch_add(1, Ordering::SeqCst) + 1;
        c.max_active.fetch_max(now, Ordering::SeqCst);
    }

    /// Counts a connection that ends.
    fn closed(&self) {
        self.counters.active.fetch_sub(1, Ordering::SeqCst);
    }

    // ANCHOR: answer
    /// Answers the request whose complete head is `request`: writes the
    /// response head into `bufs.head` and returns the body to send after it.
    /// Both servers call this; neither has HTTP of its own.
    pub fn answer(&self, request: &[u8], bufs: &mut ReplyBuffers) -> Reply {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let req = match http::parse_request(request, self.config.limits.max_headers) {
            Ok(req) => req,
            Err(e) => return self.refuse(e.status(), bufs, false),
        };
        let is_head = req.verb == Verb::Head;
        if req.has_body {
            // We read no bodies, so we could not find where the next
            // request starts: answer and close.
            return self.refuse(400, bufs, is_head);
        }
        let close = !req.keep_alive || self.stopping.load(Ordering::Relaxed);
        if req.verb == Verb::Other {
            return self.error(405, close, bufs, false);
        }
        let opened =
            self.root.open_target(req.target, &mut bufs.decoded, &mut bufs.relative);
        let Opened { file, len: size, modified } = match opened {
            Ok(o) => o,
            Err(denied) => {
                let close = close || matches!(denied, Denied::BadRequest(_));
                return self.error(denied.status(), close, bufs, is_head);
            }
        };
        let mut head = Head {
            status: 200,
            content_type: http::content_type(&bufs.relative),
            content_length: size,
            content_range: None,
            unsatisfiable_size: None,
            last_modified: Some(modified),
            close,
            allow: false,
        };
        // RFC 9110 §13.2.2: If-Modified-Since first, then Range.
        let since = req.if_modified_since.and_then(http::parse_http_date);
        let (status, start, body_len) = if since.is_some_and(|t| modified <= t) {
            (304, 0, 0)
        } else {
            match http::parse_range(req.range, size) {
                Span::Full => (200, 0, size),
                Span::Part { start, len } => {
                    head.content_range = Some((start, start + len - 1, size));
                    (206, start, len)
                }
                Span::Unsatisfiable => {
                    head.unsatisfiable_size = Some(size);
                    (416, 0, 0)
                }
            }
        };
        head.status = status;
        head.content_length = body_len;
        if status == 416 {
            head.content_type = "text/plain; charset=utf-8";
            head.last_modified = None;
        }
        http::write_head(&mut bufs.head, &head);
        self.count_status(status);
        let body = (!is_head && body_len > 0).then_some(Body {
            file,
            offset: start,
            len: body_len,
        });
        Reply { status, body, close }
    }
    // ANCHOR_END: answer

    /// An error answer after which the connection closes (a malformed or
    /// oversized head, a refused connection).
    pub fn refuse(&self, status: u16, bufs: &mut ReplyBuffers, is_head: bool) -> Reply {
        self.error(status, true, bufs, is_head)
    }

    fn error(
        &self,
        status: u16,
        close: bool,
        bufs: &mut ReplyBuffers,
        is_head: bool,
    ) -> Reply {
        let body = error_body(status);
        let h = Head {
            status,
            content_type: "text/plain; charset=utf-8",
            content_length: body.len() as u64,
            content_range: None,
            unsatisfiable_size: None,
            last_modified: None,
            close,
            allow: status == 405,
        };
        http::write_head(&mut bufs.head, &h);
        self.count_status(status);
        if !is_head {
            bufs.head.extend_from_slice(body);
        }
        Reply { status, body: None, close }
    }

    // ANCHOR: handle_connection
    /// Serves requests on `stream` until the client closes it, asks to close,
    /// goes quiet, or a transfer fails; the thread-per-connection server
    /// runs this on each connection's own thread.
    pub fn handle_connection(&self, stream: TcpStream) {
        let limits = self.config.limits;
        let setup = stream
            .set_read_timeout(Some(limits.header_timeout))
            .and_then(|_| stream.set_write_timeout(Some(limits.send_timeout)))
            .and_then(|_| stream.set_nodelay(true));
        if setup.is_err() {
            return;
        }
        let mut input = vec![0; limits.max_head];
        let (mut filled, mut first) = (0, true);
        let mut bufs = ReplyBuffers::default();
        loop {
            let len = match read_head(&stream, &mut input, &mut filled, first, &limits) {
                HeadRead::Complete(len) => len,
                HeadRead::TimedOut => {
                    self.counters.timed_out.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                HeadRead::Closed => return, // closed or reset between requests
                HeadRead::TooLarge => {
                    let reply = self.refuse(431, &mut bufs, false);
                    if send_all(&stream, &bufs.head, false).is_ok() {
                        self.linger(&stream);
                    }
                    debug_assert!(reply.close);
                    return;
                }
            };
            first = false;
            let reply = self.answer(&input[..len], &mut bufs);
            let close = reply.close;
            if let Err(e) = self.send_reply(&stream, &bufs.head, reply) {
                self.counters.transfer_errors.fetch_add(1, Ordering::Relaxed);
                if e.kind() == io::ErrorKind::WouldBlock
                    || e.kind() == io::ErrorKind::TimedOut
                {
                    self.counters.timed_out.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
            if close || self.stopping.load(Ordering::Relaxed) {
                self.linger(&stream);
                return;
            }
            // Keep what the client pipelined after this request.
            input.copy_within(len..filled, 0);
            filled -= len;
        }
    }
    // ANCHOR_END: handle_connection

    /// Sends a response head and its body on a blocking socket.
    fn send_reply(
        &self,
        stream: &TcpStream,
        head: &[u8],
        reply: Reply,
    ) -> io::Result<()> {
        // MSG_MORE: the head waits for the body's first bytes, so both
        // leave in one segment when they fit.
        send_all(stream, head, reply.body.is_some())?;
        let Some(Body { file, offset, len }) = reply.body else { return Ok(()) };
        let sent = match self.config.transfer {
            Transfer::Sendfile => sendfile_all(stream, &file, offset, len),
            Transfer::CopyLoop(buf) => {
                read_write_loop(&file, offset, len, &mut &*stream, buf)
            }
            Transfer::PooledCopyLoop(size) => {
                let mut buf = self.pool.take(size.max(1));
                let sent =
                    read_write_through(&file, offset, len, &mut &*stream, &mut buf);
                self.pool.put(buf, 64);
                sent
            }
        };
        let moved = sent.map_err(|e| {
            self.counters.body_bytes.fetch_add(e.moved.bytes, Ordering::Relaxed);
            io::Error::from(e)
        })?;
        self.counters.body_bytes.fetch_add(moved.bytes, Ordering::Relaxed);
        Ok(())
    }

    // ANCHOR: linger_blocking
    /// A lingering close on a blocking socket: stop sending (the client
    /// sees the end of the response), then read and discard what it still
    /// sends until it closes, for at most `linger`. Closing with unread
    /// input would make the kernel send a reset instead.
    fn linger(&self, stream: &TcpStream) {
        self.counters.lingered.fetch_add(1, Ordering::Relaxed);
        if stream.shutdown(Shutdown::Write).is_err() {
            return;
        }
        let end = Instant::now() + self.config.limits.linger;
        let mut sink = [0u8; 4096];
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                return;
            }
            match (&*stream).read(&mut sink) {
                Ok(0) => return,
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            }
        }
    }
    // ANCHOR_END: linger_blocking
}

fn error_body(status: u16) -> &'static [u8] {
    match status {
        400 => b"400 Bad Request\n",
        403 => b"403 Forbidden\n",
        404 => b"404 Not Found\n",
        405 => b"405 Method Not Allowed: only GET and HEAD\n",
        408 => b"408 Request Timeout\n",
        414 => b"414 URI Too Long\n",
        431 => b"431 Request Header Fields Too Large\n",
        503 => b"503 Service Unavailable: too many connections\n",
        505 => b"505 HTTP Version Not Supported\n",
        _ => b"500 Internal Server Error\n",
    }
}

/// How reading a request head ended.
enum HeadRead {
    /// A head of this many bytes is at the start of the buffer.
    Complete(usize),
    /// The client closed, reset, or the connection broke.
    Closed,
    /// The head did not arrive in time.
    TimedOut,
    /// The buffer is full and holds no complete head: 431.
    TooLarge,
}

/// Reads until `input[..filled]` holds a complete head, on a blocking
/// socket. Between requests the client may stay quiet for `idle_timeout`;
/// once a head has begun (or on a new connection), the whole head must
/// arrive within `header_timeout`.
fn read_head(
    mut stream: &TcpStream,
    input: &mut [u8],
    filled: &mut usize,
    first: bool,
    limits: &Limits,
) -> HeadRead {
    let mut deadline = first.then(|| Instant::now() + limits.header_timeout);
    let mut timeout = None;
    loop {
        if let Some(len) = http::head_len(&input[..*filled]) {
            return HeadRead::Complete(len);
        }
        if *filled == input.len() {
            return HeadRead::TooLarge;
        }
        if *filled > 0 && deadline.is_none() {
            deadline = Some(Instant::now() + limits.header_timeout);
        }
        let want = match deadline {
            Some(end) => end.saturating_duration_since(Instant::now()),
            None => limits.idle_timeout,
        };
        if want.is_zero() {
            return HeadRead::TimedOut;
        }
        if timeout != Some(want) {
            if stream.set_read_timeout(Some(want)).is_err() {
                return HeadRead::Closed;
            }
            timeout = Some(want);
        }
        match stream.read(&mut input[*filled..]) {
            Ok(0) => return HeadRead::Closed,
            Ok(n) => *filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return HeadRead::TimedOut;
            }
            Err(_) => return HeadRead::Closed,
        }
    }
}

/// Sends all of `bytes`; with `more`, tells TCP that more data follows.
fn send_all(stream: &TcpStream, mut bytes: &[u8], more: bool) -> io::Result<()> {
    let flags = send_flags(more);
    while !bytes.is_empty() {
        match send(stream.as_raw_fd(), bytes, flags) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `MSG_NOSIGNAL`, and `MSG_MORE` when a body follows.
fn send_flags(more: bool) -> MsgFlags {
    let mut flags = MsgFlags::MSG_NOSIGNAL;
    if more {
        // nix has no name for MSG_MORE.
        flags |= MsgFlags::from_bits_retain(libc::MSG_MORE);
    }
    flags
}
