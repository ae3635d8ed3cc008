//! A small HTTP/1.1 client for the tests, the example's `get` command and
//! the nginx comparison: keep-alive, `Content-Length` bodies, raw request
//! bytes (hostile targets must reach the server exactly as written), and
//! downloads streamed through a checksum instead of stored.
//!
//! Not for: servers that answer with chunked bodies or without a length.

use crate::zero_copy::files::Checksum;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A response, body included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header lines, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (empty for HEAD).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Content-Length`, parsed.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.parse().ok()
    }
}

/// A downloaded body that was checksummed, not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Download {
    /// Status code.
    pub status: u16,
    /// The announced `Content-Length`.
    pub announced: u64,
    /// Bytes received (less than announced if the server cut it short).
    pub received: u64,
    /// Checksum of the bytes received.
    pub checksum: u64,
}

/// One keep-alive connection.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Client {
    /// Connects to `addr`, with a 30 s read time-out so a broken server
    /// fails a test instead of hanging it.
    pub fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Self { stream, buf: vec![0; 256 << 10], start: 0, end: 0 })
    }

    /// The socket.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Sends bytes exactly as given.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// `GET path` (path sent as is), keep-alive.
    pub fn get(&mut self, path: &str) -> io::Result<Response> {
        self.request("GET", path, "")
    }

    /// Sends `METHOD path HTTP/1.1` with `extra` header lines (each ending
    /// in `\r\n`) and reads the response.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        extra: &str,
    ) -> io::Result<Response> {
        let req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n");
        self.send_raw(req.as_bytes())?;
        self.read_response(method == "HEAD")
    }

    fn fill(&mut self) -> io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = self.stream.read(&mut self.buf[self.end..])?;
        self.end += n;
        Ok(n)
    }

    /// Reads a response head: (status, headers).
    fn read_head(&mut self) -> io::Result<(u16, Vec<(String, String)>)> {
        loop {
            let window = &self.buf[self.start..self.end];
            if let Some(i) = window.windows(4).position(|w| w == b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&window[..i]).into_owned();
                self.start += i + 4;
                let mut lines = text.split("\r\n");
                let status_line = lines.next().unwrap_or_default();
                let status =
                    status_line
                        .split(' ')
                        .nth(1)
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                    .collect();
                return Ok((status, headers));
            }
            if self.end - self.start == self.buf.len() {
                return Err(bad("response head too large".into()));
            }
            if self.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Reads a response; `head_request` says the body is absent whatever
    /// `Content-Length` says.
    pub fn read_response(&mut self, head_request: bool) -> io::Result<Response> {
        let (status, headers) = self.read_head()?;
        let mut resp = Response { status, headers, body: Vec::new() };
        if head_request || status == 304 {
            return Ok(resp);
        }
        let len = resp.content_length().ok_or_else(|| bad("no Content-Length".into()))?;
        let mut body = Vec::with_capacity(len.min(64 << 20) as usize);
        self.read_body(len, |chunk| body.extend_from_slice(chunk))?;
        resp.body = body;
        Ok(resp)
    }

    /// Reads `len` body bytes, handing each chunk to `sink`. Returns the bytes
    /// read; fewer than `len` only if the server closed early.
    fn read_body(&mut self, len: u64, mut sink: impl FnMut(&[u8])) -> io::Result<u64> {
        let mut got = 0;
        while got < len {
            if self.start == self.end && self.fill()? == 0 {
                return Ok(got);
            }
            let take = ((self.end - self.start) as u64).min(len - got) as usize;
            sink(&self.buf[self.start..self.start + take]);
            self.start += take;
            got += take as u64;
        }
        Ok(got)
    }

    /// `GET path`, reading the head and at most `max` bytes of the body (a
    /// client that gives up part-way; drop it afterwards).
    pub fn get_prefix(&mut self, path: &str, max: u64) -> io::Result<Response> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        self.send_raw(req.as_bytes())?;
        let (status, headers) = self.read_head()?;
        let mut resp = Response { status, headers, body: Vec::new() };
        let len = resp.content_length().unwrap_or(0).min(max);
        let mut body = Vec::new();
        self.read_body(len, |c| body.extend_from_slice(c))?;
        resp.body = body;
        Ok(resp)
    }

    /// `GET path` with the body checksummed and counted, not stored.
    pub fn download(&mut self, path: &str, extra: &str) -> io::Result<Download> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n");
        self.send_raw(req.as_bytes())?;
        let (status, headers) = self.read_head()?;
        let announced = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| bad("no Content-Length".into()))?;
        let mut sum = Checksum::default();
        let received = self.read_body(announced, |c| sum.update(c))?;
        Ok(Download { status, announced, received, checksum: sum.finish().0 })
    }
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// What [`load`] measured.
#[derive(Clone, Debug)]
pub struct Load {
    /// Responses received, over all clients.
    pub responses: u64,
    /// Body bytes received, over all clients.
    pub bytes: u64,
    /// From the first request to the last byte of the slowest client.
    pub wall: Duration,
    /// Responses whose status was not 200 or whose body was short.
    pub failures: u64,
}

impl Load {
    /// Body bytes per second.
    pub fn throughput(&self) -> f64 {
        self.bytes as f64 / self.wall.as_secs_f64()
    }
}

/// `clients` threads, each on its own keep-alive connection, each
/// downloading `path` `repeat` times. Bounded: it makes exactly
/// `clients × repeat` requests and stops.
pub fn load(
    addr: SocketAddr,
    path: &str,
    clients: usize,
    repeat: usize,
) -> io::Result<Load> {
    let start = Instant::now();
    let results: Vec<io::Result<(u64, u64, u64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                s.spawn(move || -> io::Result<(u64, u64, u64)> {
                    let mut c = Client::connect(addr)?;
                    let (mut n, mut bytes, mut failures) = (0, 0, 0);
                    for _ in 0..repeat {
                        let d = c.download(path, "")?;
                        n += 1;
                        bytes += d.received;
                        failures +=
                            u64::from(d.status != 200 || d.received != d.announced);
                    }
                    Ok((n, bytes, failures))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("client thread panicked")).collect()
    });
    let wall = start.elapsed();
    let mut load = Load { responses: 0, bytes: 0, wall, failures: 0 };
    for r in results {
        let (n, bytes, failures) = r?;
        load.responses += n;
        load.bytes += bytes;
        load.failures += failures;
    }
    Ok(load)
}
