//! A load generator in the manner of `wrk`: a few threads, each driving its
//! share of many keep-alive connections with epoll, each connection sending
//! a request, reading the whole response, and sending the next. It records
//! what `wrk` does not show: how many responses each connection got, so a
//! server that serves some connections and starves the rest is seen
//! (`wrk` reports only the total).
//!
//! Used by the example's server table (against both servers and nginx) and
//! the `load` command, which `benches/zero_copy_load.sh` runs beside `wrk`.
//!
//! Not for: chunked responses (every response must carry a
//! `Content-Length`, or be a 304), or checking the bytes (they are counted,
//! not checksummed).

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// When a load run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// After this long (responses still in flight then are not counted).
    Time(Duration),
    /// When every connection has had this many responses.
    Responses(u64),
}

/// What to load.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    /// Server address.
    pub addr: SocketAddr,
    /// The path every request asks for.
    pub path: String,
    /// Keep-alive connections, all opened before the clock starts.
    pub connections: usize,
    /// Client threads (`wrk -t`); each drives its share of the connections.
    pub threads: usize,
    /// When to stop.
    pub until: Until,
}

/// What a load run measured.
#[derive(Clone, Debug, Default)]
pub struct LoadResult {
    /// From the first request to the end.
    pub wall: Duration,
    /// Complete responses.
    pub responses: u64,
    /// Body bytes received in complete responses.
    pub body_bytes: u64,
    /// Responses whose status was not 2xx (or 304).
    pub non_2xx: u64,
    /// Connections that failed: refused, reset, closed mid-response, or
    /// silent for 30 s (like `wrk`'s socket errors; each reconnects).
    pub errors: u64,
    /// Each response's latency (request sent → last byte read), in µs,
    /// sorted.
    pub latencies_us: Vec<u32>,
    /// Complete responses per connection.
    pub per_connection: Vec<u64>,
    /// Complete responses per client thread: when these differ as much as
    /// the connections do, the client, not the server, was the limit.
    pub per_thread: Vec<u64>,
    /// Connections of each client thread (`per_connection` is in thread
    /// order).
    pub thread_connections: Vec<usize>,
}

/// Jain's fairness index of `counts`.
fn jain(counts: &[u64]) -> f64 {
    let n = counts.len() as f64;
    let sum: f64 = counts.iter().map(|&x| x as f64).sum();
    let squares: f64 = counts.iter().map(|&x| (x as f64).powi(2)).sum();
    if squares == 0.0 { f64::NAN } else { sum * sum / (n * squares) }
}

impl LoadResult {
    /// Responses per second.
    pub fn rate(&self) -> f64 {
        self.responses as f64 / self.wall.as_secs_f64()
    }

    /// Body bytes per second.
    pub fn throughput(&self) -> f64 {
        self.body_bytes as f64 / self.wall.as_secs_f64()
    }

    /// The `q`-quantile of the latencies (0.5: the median), in µs.
    pub fn latency_us(&self, q: f64) -> f64 {
        let v = &self.latencies_us;
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
        f64::from(v[i])
    }

    /// The slowest response, in µs.
    pub fn max_latency_us(&self) -> f64 {
        self.latencies_us.last().map_or(f64::NAN, |&l| f64::from(l))
    }

    /// Connections that got at least one response.
    pub fn served(&self) -> usize {
        self.per_connection.iter().filter(|&&n| n > 0).count()
    }

    /// Fewest and most responses any connection got.
    pub fn per_connection_range(&self) -> (u64, u64) {
        let min = self.per_connection.iter().copied().min().unwrap_or(0);
        let max = self.per_connection.iter().copied().max().unwrap_or(0);
        (min, max)
    }

    /// How evenly the server shared itself among connections: Jain's
    /// fairness index of the responses per connection (1 when every
    /// connection got as many, 1/n when one got them all), computed among
    /// the connections of each client thread, the lowest of them. Within a
    /// thread every connection asks again as soon as it is answered, so a
    /// difference there is the server's; between threads it can be the
    /// client's (one thread getting less CPU than the other).
    pub fn fairness(&self) -> f64 {
        let mut at = 0;
        let mut lowest = f64::NAN;
        for &n in &self.thread_connections {
            let f = jain(&self.per_connection[at..at + n]);
            lowest = lowest.min(f);
            at += n;
        }
        if self.thread_connections.is_empty() {
            jain(&self.per_connection)
        } else {
            lowest
        }
    }

    fn absorb(&mut self, other: LoadResult) {
        self.responses += other.responses;
        self.body_bytes += other.body_bytes;
        self.non_2xx += other.non_2xx;
        self.errors += other.errors;
        self.latencies_us.extend(other.latencies_us);
        self.per_connection.extend(other.per_connection);
        self.per_thread.extend(other.per_thread);
        self.thread_connections.extend(other.thread_connections);
    }
}

/// Runs `spec` and returns what it measured. Fails only if the connections
/// cannot be opened at all.
pub fn run(spec: &LoadSpec) -> io::Result<LoadResult> {
    if spec.connections == 0 || spec.threads == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "connections and threads ≥ 1",
        ));
    }
    let threads = spec.threads.min(spec.connections);
    let request =
        format!("GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n", spec.path).into_bytes();
    let start = std::sync::Barrier::new(threads);
    let results: Vec<io::Result<LoadResult>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let n = spec.connections / threads
                    + usize::from(t < spec.connections % threads);
                let (request, start) = (&request, &start);
                s.spawn(move || drive_connections(spec, n, request, start))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("load thread panicked")).collect()
    });
    let mut total = LoadResult::default();
    for r in results {
        let r = r?;
        total.wall = total.wall.max(r.wall);
        total.absorb(r);
    }
    total.latencies_us.sort_unstable();
    Ok(total)
}

/// Where a connection is in reading its response.
enum Reading {
    /// The response head, so far.
    Head(Vec<u8>),
    /// Body bytes still to come.
    Body(u64),
}

struct Client {
    sock: Option<TcpStream>,
    reading: Reading,
    status: u16,
    sent_at: Instant,
    /// Bytes of the current request still to send.
    unsent: usize,
    responses: u64,
    body: u64,
    connected: bool,
    done: bool,
}

const SILENCE: Duration = Duration::from_secs(30);

fn drive_connections(
    spec: &LoadSpec,
    n: usize,
    request: &[u8],
    start: &std::sync::Barrier,
) -> io::Result<LoadResult> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(1024);
    let mut out = LoadResult::default();
    let mut clients: Vec<Client> = Vec::with_capacity(n);
    for i in 0..n {
        let mut sock = TcpStream::connect(spec.addr)?;
        poll.registry().register(
            &mut sock,
            Token(i),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        clients.push(Client {
            sock: Some(sock),
            reading: Reading::Head(Vec::new()),
            status: 0,
            sent_at: Instant::now(),
            unsent: 0,
            responses: 0,
            body: 0,
            connected: false,
            done: false,
        });
    }
    // Every connection established before the clock starts.
    let open_by = Instant::now() + SILENCE;
    while clients.iter().any(|c| !c.connected) {
        if Instant::now() > open_by {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connections not established",
            ));
        }
        poll.poll(&mut events, Some(Duration::from_millis(100)))?;
        for ev in events.iter() {
            let c = &mut clients[ev.token().0];
            if ev.is_error() || ev.is_write_closed() {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "connect failed",
                ));
            }
            if ev.is_writable() {
                c.connected = true;
            }
        }
    }
    start.wait();
    let t0 = Instant::now();
    let end = match spec.until {
        Until::Time(d) => Some(t0 + d),
        Until::Responses(_) => None,
    };
    let mut buf = vec![0u8; 256 << 10];
    for c in clients.iter_mut() {
        c.unsent = request.len();
        c.sent_at = t0;
        c.reading = Reading::Head(Vec::with_capacity(512));
        flush(c, request, &mut out);
    }
    loop {
        let now = Instant::now();
        if end.is_some_and(|e| now >= e) || clients.iter().all(|c| c.done) {
            break;
        }
        let wait = end
            .map_or(Duration::from_millis(100), |e| e - now)
            .min(Duration::from_millis(100));
        poll.poll(&mut events, Some(wait))?;
        let now = Instant::now();
        for ev in events.iter() {
            let i = ev.token().0;
            let c = &mut clients[i];
            if c.done || c.sock.is_none() {
                continue;
            }
            if ev.is_writable() && c.unsent > 0 {
                flush(c, request, &mut out);
            }
            if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                let more = read_responses(c, &mut buf, now, spec, request, &mut out);
                if !more {
                    reconnect(c, i, &poll, spec, request, &mut out)?;
                }
            }
        }
        // A connection silent for too long counts as an error, then starts over.
        for (i, c) in clients.iter_mut().enumerate() {
            if !c.done && c.sock.is_some() && now.duration_since(c.sent_at) > SILENCE {
                out.errors += 1;
                reconnect(c, i, &poll, spec, request, &mut out)?;
            }
        }
    }
    out.wall = t0.elapsed();
    out.per_connection = clients.iter().map(|c| c.responses).collect();
    out.per_thread = vec![out.per_connection.iter().sum()];
    out.thread_connections = vec![clients.len()];
    out.body_bytes = clients.iter().map(|c| c.body).sum();
    Ok(out)
}

/// Sends what is left of the current request.
fn flush(c: &mut Client, request: &[u8], out: &mut LoadResult) {
    let Some(sock) = c.sock.as_mut() else { return };
    while c.unsent > 0 {
        match sock.write(&request[request.len() - c.unsent..]) {
            Ok(n) => c.unsent -= n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                out.errors += 1;
                c.sock = None;
                return;
            }
        }
    }
}

/// Reads and parses what arrived. `false`: the connection broke.
fn read_responses(
    c: &mut Client,
    buf: &mut [u8],
    now: Instant,
    spec: &LoadSpec,
    request: &[u8],
    out: &mut LoadResult,
) -> bool {
    loop {
        let Some(sock) = c.sock.as_mut() else { return false };
        let n = match sock.read(buf) {
            Ok(0) => {
                out.errors += 1;
                return false;
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                out.errors += 1;
                return false;
            }
        };
        let mut data = &buf[..n];
        while !data.is_empty() && !c.done {
            match &mut c.reading {
                Reading::Head(head) => {
                    let before = head.len();
                    head.extend_from_slice(data);
                    let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") else {
                        if head.len() > 64 << 10 {
                            out.errors += 1;
                            return false;
                        }
                        data = &[];
                        continue;
                    };
                    let used = end + 4 - before;
                    data = &data[used..];
                    let Some((status, len)) = parse_head(&head[..end]) else {
                        out.errors += 1;
                        return false;
                    };
                    c.status = status;
                    c.reading = Reading::Body(len);
                }
                Reading::Body(left) => {
                    let take = (*left).min(data.len() as u64);
                    *left -= take;
                    c.body += take;
                    data = &data[take as usize..];
                }
            }
            if matches!(c.reading, Reading::Body(0)) {
                // A whole response.
                c.responses += 1;
                out.responses += 1;
                if !(200..300).contains(&c.status) && c.status != 304 {
                    out.non_2xx += 1;
                }
                let us = now.duration_since(c.sent_at).as_micros();
                out.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                if let Until::Responses(k) = spec.until
                    && c.responses >= k
                {
                    c.done = true;
                    c.sock = None;
                    return true;
                }
                c.reading = Reading::Head(Vec::with_capacity(512));
                c.sent_at = now;
                c.unsent = request.len();
                flush(c, request, out);
            }
        }
    }
}

/// (status, Content-Length) of a response head (without its blank line).
fn parse_head(head: &[u8]) -> Option<(u16, u64)> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    if status == 304 || status == 204 {
        return Some((status, 0));
    }
    let len = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })?;
    Some((status, len))
}

/// Opens the connection again after an error (like `wrk`), and sends the
/// request anew.
fn reconnect(
    c: &mut Client,
    i: usize,
    poll: &Poll,
    spec: &LoadSpec,
    request: &[u8],
    out: &mut LoadResult,
) -> io::Result<()> {
    c.sock = None;
    if out.errors > 1000 * (spec.connections as u64 + 1) {
        c.done = true; // the server is gone: stop trying
        return Ok(());
    }
    let mut sock = TcpStream::connect(spec.addr)?;
    poll.registry().register(
        &mut sock,
        Token(i),
        Interest::READABLE | Interest::WRITABLE,
    )?;
    c.sock = Some(sock);
    c.reading = Reading::Head(Vec::with_capacity(512));
    c.sent_at = Instant::now();
    c.unsent = request.len();
    flush(c, request, out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_give_status_and_length() {
        let h = b"HTTP/1.1 200 OK\r\nContent-Type: x\r\ncontent-length: 4096";
        assert_eq!(parse_head(h), Some((200, 4096)));
        assert_eq!(parse_head(b"HTTP/1.1 304 Not Modified\r\nDate: x"), Some((304, 0)));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nX: y"), None);
        let r = LoadResult { per_connection: vec![5, 5, 5, 5], ..Default::default() };
        assert_eq!(
            (r.fairness(), r.served(), r.per_connection_range()),
            (1.0, 4, (5, 5))
        );
        let r = LoadResult { per_connection: vec![20, 0, 0, 0], ..Default::default() };
        assert_eq!((r.fairness(), r.served()), (0.25, 1));
        // Two client threads, one slower than the other: within each, fair.
        let r = LoadResult {
            per_connection: vec![5, 5, 20, 20],
            thread_connections: vec![2, 2],
            ..Default::default()
        };
        assert_eq!(r.fairness(), 1.0);
    }
}
