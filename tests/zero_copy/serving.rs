//! What a server must survive from its clients, run against both servers:
//! the limits (connections, head size and count), time-outs, lingering
//! closes, hostile request lines, clients that stop reading, concurrent
//! large downloads, and a shutdown in the middle of a transfer. Counted,
//! never timed: a wait that could hang has a 30 s guard (`wait_for`, the
//! clients' read time-out), which fails the test instead of hanging it.

use super::{config, local, serve, wait_for};
use perf_workbook::measure::alloc;
use perf_workbook::zero_copy::files::{
    Checksum, Scratch, sparse_file, write_pattern_file,
};
use perf_workbook::zero_copy::fixture::{OK_TEXT, SECRET, SiteFixture};
use perf_workbook::zero_copy::memory::connection_heap;
use perf_workbook::zero_copy::server::client::Client;
use perf_workbook::zero_copy::server::{self, Model, Transfer};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A root with `ok.txt` and a sparse `big.bin` of `big` bytes.
fn site(big: u64) -> Scratch {
    let dir = Scratch::new("serving").unwrap();
    std::fs::write(dir.join("ok.txt"), OK_TEXT).unwrap();
    sparse_file(&dir.join("big.bin"), big).unwrap();
    dir
}

/// A client socket with a small receive buffer, so that one that never
/// reads holds little kernel memory, and a 30 s guard on reads.
fn small_window_client(addr: std::net::SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::RcvBuf, &(16 << 10))
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// Reads to the end; `Ok(bytes)` if the connection ended with a FIN,
/// `Err` if it ended with a reset.
fn read_to_close(s: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    s.read_to_end(&mut v).map(|_| v)
}

// ANCHOR: limits
#[test]
fn connections_beyond_the_limit_get_503_and_a_close_not_silence() {
    for model in Model::BOTH {
        let dir = site(1 << 20);
        let mut cfg = config(dir.path(), model);
        cfg.limits.max_connections = 2;
        let h = server::spawn(local(), cfg).unwrap();
        let mut kept: Vec<Client> =
            (0..2).map(|_| Client::connect(h.addr()).unwrap()).collect();
        for c in &mut kept {
            assert_eq!(c.get("/ok.txt").unwrap().status, 200);
        }
        // A third: answered at once, 503 and `Connection: close`, then a
        // clean end of file (a lingering close, not a reset).
        let mut third = Client::connect(h.addr()).unwrap();
        third.send_raw(b"GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let r = third.read_response(false).unwrap();
        assert_eq!((r.status, r.header("connection")), (503, Some("close")), "{model:?}");
        let mut rest = Vec::new();
        assert_eq!(third.stream().read_to_end(&mut rest).unwrap(), 0);
        // The two kept connections still work; when one closes, its place
        // is free for the next.
        assert_eq!(kept[1].get("/ok.txt").unwrap().status, 200);
        drop(kept.remove(0));
        wait_for("a connection slot is free", || h.stats().active == 1);
        let r = Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap();
        assert_eq!(r.status, 200);
        let s = h.stats();
        assert_eq!((s.responses(503), s.max_active, s.accepted), (1, 2, 4), "{model:?}");
    }
}
// ANCHOR_END: limits

// ANCHOR: no_reset
#[test]
fn an_80_kb_request_line_gets_its_431_then_an_end_of_file_not_a_reset() {
    for model in Model::BOTH {
        let dir = site(1 << 20);
        let h = serve(dir.path(), model);
        let mut s = TcpStream::connect(h.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let line = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(80_000));
        // All of it is sent before a byte of the answer is read: the server
        // answers after 8 KiB and must not close with the rest unread.
        s.write_all(line.as_bytes()).unwrap();
        let got = read_to_close(&mut s).unwrap_or_else(|e| panic!("{model:?}: {e}"));
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 431 "), "{model:?}: {text}");
        assert!(text.contains("Connection: close\r\n"), "{text}");
        wait_for("the lingering close is counted", || h.stats().lingered == 1);
    }
}
// ANCHOR_END: no_reset

#[test]
fn heads_that_never_end_and_silent_clients_are_closed() {
    for model in Model::BOTH {
        let dir = site(1 << 20);
        let mut cfg = config(dir.path(), model);
        cfg.limits.header_timeout = Duration::from_millis(150);
        cfg.limits.idle_timeout = Duration::from_millis(150);
        let h = server::spawn(local(), cfg).unwrap();
        // Half a head, then silence.
        let mut silent = Client::connect(h.addr()).unwrap();
        silent.send_raw(b"GET /ok.txt HTTP/1.1\r\n").unwrap();
        // A header that never ends, one byte every 30 ms: each byte arrives
        // well within the time-out, but the whole head has a deadline.
        let mut trickle = Client::connect(h.addr()).unwrap();
        trickle.send_raw(b"GET /ok.txt HTTP/1.1\r\nX-Pad: ").unwrap();
        let mut sent = 0;
        while sent < 300 && trickle.send_raw(b"a").is_ok() {
            sent += 1;
            std::thread::sleep(Duration::from_millis(30));
        }
        let mut rest = Vec::new();
        let closed = matches!(trickle.stream().read_to_end(&mut rest), Ok(0) | Err(_));
        assert!(closed && sent < 300, "{model:?}: sent {sent} bytes");
        assert_eq!(silent.stream().read_to_end(&mut rest).unwrap(), 0);
        // A kept-alive connection that goes quiet is closed too.
        let mut idle = Client::connect(h.addr()).unwrap();
        assert_eq!(idle.get("/ok.txt").unwrap().status, 200);
        assert_eq!(idle.stream().read_to_end(&mut rest).unwrap(), 0);
        wait_for("three time-outs counted", || h.stats().timed_out == 3);
        assert_eq!(
            Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap().status,
            200
        );
    }
}

#[test]
fn a_client_that_accepts_nothing_is_dropped_after_the_send_time_out() {
    for model in Model::BOTH {
        let dir = site(64 << 20);
        let mut cfg = config(dir.path(), model);
        cfg.limits.send_timeout = Duration::from_millis(200);
        let h = server::spawn(local(), cfg).unwrap();
        let mut s = small_window_client(h.addr());
        s.write_all(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        wait_for("the stalled transfer is dropped", || h.stats().transfer_errors == 1);
        let s2 = h.stats();
        assert_eq!((s2.timed_out, s2.active), (1, 0), "{model:?}");
        // What arrived is a prefix of the response, then the end.
        let got = match read_to_close(&mut s) {
            Ok(v) => v.len(),
            Err(_) => 0, // the server closed with our request read: a FIN or a reset
        };
        assert!(got < (64 << 20), "{got}");
    }
}

// ANCHOR: non_reading
#[test]
fn clients_that_never_read_do_not_delay_anyone_else() {
    for model in Model::BOTH {
        let dir = site(64 << 20);
        let h = serve(dir.path(), model);
        // Six clients ask for 64 MiB and read nothing: their sockets fill,
        // and the server must wait on each without waiting for it.
        let stuck: Vec<TcpStream> = (0..6)
            .map(|_| {
                let mut s = small_window_client(h.addr());
                s.write_all(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                s
            })
            .collect();
        wait_for("six transfers under way", || h.stats().responses(200) == 6);
        // A seventh is answered while the six still hold their transfers.
        let r = Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap();
        assert_eq!((r.status, &r.body[..]), (200, OK_TEXT.as_bytes()), "{model:?}");
        wait_for("the seventh has gone", || h.stats().active == 6);
        assert_eq!(h.stats().transfer_errors, 0, "{model:?}");
        drop(stuck);
    }
}
// ANCHOR_END: non_reading

// ANCHOR: concurrent
#[test]
fn eight_concurrent_64_mib_downloads_are_intact_and_none_waits_for_another() {
    let size: u64 = 64 << 20;
    let dir = Scratch::new("eight").unwrap();
    let sum = write_pattern_file(&dir.join("f.bin"), size, 77).unwrap();
    for model in Model::BOTH {
        let h = serve(dir.path(), model);
        let mut clients: Vec<Client> =
            (0..8).map(|_| Client::connect(h.addr()).unwrap()).collect();
        for c in &mut clients {
            c.send_raw(b"GET /f.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        }
        // The 8th, 7th … 5th get their first bytes before anyone has read
        // further: no download waits for another to finish.
        let mut first = [0u8; 1];
        for c in clients.iter_mut().rev() {
            c.stream().read_exact(&mut first).unwrap();
            assert_eq!(first[0], b'H', "{model:?}");
        }
        // Then all eight read on, one of them slowly, and all are intact.
        let sums: Vec<(u64, u64)> = std::thread::scope(|s| {
            let handles: Vec<_> = clients
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    s.spawn(move || {
                        let mut head = b"H".to_vec();
                        let mut byte = [0u8; 1];
                        while !head.ends_with(b"\r\n\r\n") {
                            c.stream().read_exact(&mut byte).unwrap();
                            head.push(byte[0]);
                        }
                        let mut sum = Checksum::default();
                        let mut buf = vec![0u8; if i == 0 { 4 << 10 } else { 256 << 10 }];
                        let mut got = 0u64;
                        while got < size {
                            let want = ((size - got) as usize).min(buf.len());
                            let n = c.stream().read(&mut buf[..want]).unwrap();
                            assert!(n > 0, "early end of file");
                            sum.update(&buf[..n]);
                            got += n as u64;
                            if i == 0 && got % (4 << 20) < 4096 {
                                std::thread::yield_now(); // the slow reader
                            }
                        }
                        sum.finish()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(sums.iter().all(|&s| s == (sum, size)), "{model:?}");
        let s = h.stats();
        assert_eq!((s.responses(200), s.transfer_errors, s.body_bytes), (8, 0, 8 * size));
    }
}
// ANCHOR_END: concurrent

/// The held-back probes' kinds of hostile requests, each against both
/// servers: none gets a byte from outside the root, each gets the status
/// it deserves, and the connection is usable or cleanly closed after.
#[test]
fn hostile_request_lines_get_the_answer_they_deserve() {
    let fx = SiteFixture::new().unwrap();
    let abs = fx.secret().display().to_string();
    let long = format!("/{}", "x".repeat(5000));
    let host = "Host: x\r\n";
    let probes: Vec<(String, u16)> = vec![
        (format!("GET /../secret.txt HTTP/1.1\r\n{host}\r\n"), 403),
        (format!("GET /%2e%2e/secret.txt HTTP/1.1\r\n{host}\r\n"), 403),
        (format!("GET /%2E%2e%2fsecret.txt HTTP/1.1\r\n{host}\r\n"), 403),
        // Double encoding decodes once: a file named `%2e%2e`, not found.
        (format!("GET /%252e%252e/secret.txt HTTP/1.1\r\n{host}\r\n"), 404),
        // Overlong UTF-8 for `.` is two bytes of a file name, not a dot.
        (format!("GET /%c0%ae%c0%ae/secret.txt HTTP/1.1\r\n{host}\r\n"), 404),
        (format!("GET /..\\secret.txt HTTP/1.1\r\n{host}\r\n"), 404),
        (format!("GET /sub/../../secret.txt HTTP/1.1\r\n{host}\r\n"), 403),
        (format!("GET /{abs} HTTP/1.1\r\n{host}\r\n"), 404),
        (format!("GET {abs} HTTP/1.1\r\n{host}\r\n"), 404),
        ("GET http://x/../secret.txt HTTP/1.1\r\n\r\n".to_string(), 403),
        (format!("GET /ok.txt%00.html HTTP/1.1\r\n{host}\r\n"), 400),
        (format!("GET /link-out HTTP/1.1\r\n{host}\r\n"), 403),
        (format!("GET /dir-out/secret.txt HTTP/1.1\r\n{host}\r\n"), 403),
        (format!("GET {long} HTTP/1.1\r\n{host}\r\n"), 414),
        (format!("GET secret.txt HTTP/1.1\r\n{host}\r\n"), 400),
        (format!("GET * HTTP/1.1\r\n{host}\r\n"), 400),
        (format!("TRACE /ok.txt HTTP/1.1\r\n{host}\r\n"), 405),
        (format!("get /ok.txt HTTP/1.1\r\n{host}\r\n"), 405),
        (format!("GE(T /ok.txt HTTP/1.1\r\n{host}\r\n"), 400),
        ("GET /ok.txt HTTP/1.1\r\n\r\n".to_string(), 400),
        (format!("GET /ok.txt HTTP/1.1\r\n{host}Host: y\r\n\r\n"), 400),
        (format!("GET /ok.txt HTTP/1.1\r\n{host}Range: bytes=9-3\r\n\r\n"), 200),
        (format!("GET /ok.txt HTTP/1.1\r\n{host}Range: bytes=999-\r\n\r\n"), 416),
        (format!("GET /ok.txt HTTP/1.1\r\n{host}Range: lines=1-2\r\n\r\n"), 200),
        (format!("GET /ok.txt HTTP/3.0\r\n{host}\r\n"), 505),
        ("GET /ok.txt\r\n\r\n".to_string(), 400),
        ("GET /ok.txt HTTP/1.0\r\n\r\n".to_string(), 200),
        (
            format!(
                "GET /ok.txt HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            400,
        ),
        (format!("GET /ok.txt HTTP/1.1\r\n{host} folded\r\n\r\n"), 400),
    ];
    for model in Model::BOTH {
        let h = serve(fx.root(), model);
        for (raw, want) in &probes {
            let mut c = Client::connect(h.addr()).unwrap();
            c.send_raw(raw.as_bytes()).unwrap();
            let r = c.read_response(false).unwrap();
            let shown = raw.chars().take(60).collect::<String>();
            assert_eq!(r.status, *want, "{model:?} {shown:?}");
            assert!(!r.body.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
        }
        // Pipelined: 20 requests in one write, 20 answers in order.
        let mut c = Client::connect(h.addr()).unwrap();
        let many: String = (0..20)
            .map(|i| {
                if i % 2 == 0 {
                    "GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                } else {
                    "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                }
            })
            .collect();
        c.send_raw(many.as_bytes()).unwrap();
        for i in 0..20 {
            let r = c.read_response(false).unwrap();
            assert_eq!(r.status, if i % 2 == 0 { 200 } else { 404 }, "{model:?} {i}");
        }
        assert_eq!(h.stats().responses(200), 3 + 10);
    }
}

#[test]
fn a_shutdown_finishes_the_transfers_in_progress() {
    let size: u64 = 32 << 20;
    let dir = Scratch::new("shutdown").unwrap();
    let sum = write_pattern_file(&dir.join("f.bin"), size, 5).unwrap();
    std::fs::write(dir.join("ok.txt"), OK_TEXT).unwrap();
    for model in Model::BOTH {
        let h = serve(dir.path(), model);
        let addr = h.addr();
        let mut idle = Client::connect(addr).unwrap();
        assert_eq!(idle.get("/ok.txt").unwrap().status, 200);
        let mut busy = Client::connect(addr).unwrap();
        busy.send_raw(b"GET /f.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut first = [0u8; 1];
        busy.stream().read_exact(&mut first).unwrap(); // the response has begun
        let stopper = std::thread::spawn(move || h.shutdown());
        // The idle connection is closed; the busy one gets its whole file.
        let mut rest = Vec::new();
        assert_eq!(idle.stream().read_to_end(&mut rest).unwrap(), 0, "{model:?}");
        let mut all = first.to_vec();
        busy.stream().read_to_end(&mut all).unwrap();
        let body_at = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(Checksum::of(&all[body_at..]), sum, "{model:?}");
        assert_eq!(all.len() - body_at, size as usize);
        stopper.join().unwrap();
        // And nothing listens any more.
        assert!(TcpStream::connect(addr).is_err());
    }
}

/// What a thread per connection costs, counted: the threads themselves.
#[test]
fn idle_connections_cost_a_thread_each_only_with_a_thread_per_connection() {
    for model in Model::BOTH {
        let dir = site(1 << 20);
        let h = serve(dir.path(), model);
        let started = match model {
            Model::Threads => 1,   // the acceptor
            Model::EventLoop => 2, // the loops
        };
        wait_for("the server's threads are up", || h.threads() == started);
        let mut idle: Vec<Client> =
            (0..50).map(|_| Client::connect(h.addr()).unwrap()).collect();
        for c in &mut idle {
            assert_eq!(c.get("/ok.txt").unwrap().status, 200);
        }
        let during = h.threads();
        match model {
            Model::Threads => assert_eq!(during, 51),
            Model::EventLoop => assert_eq!(during, 2),
        }
        assert_eq!(h.stats().active, 50);
        // Every one of them is still served.
        for c in idle.iter_mut().rev() {
            assert_eq!(c.get("/ok.txt").unwrap().status, 200);
        }
    }
}

#[test]
fn the_sendfile_path_allocates_nothing_per_request_in_either_server() {
    assert!(alloc::is_installed());
    for model in Model::BOTH {
        let sf = connection_heap(model, Transfer::Sendfile).unwrap();
        assert_eq!((sf.per_request, sf.allocs_per_request), (0, 0), "{model:?} {sf:?}");
        let cl = connection_heap(model, Transfer::CopyLoop(64 << 10)).unwrap();
        assert_eq!(
            (cl.per_request, cl.allocs_per_request),
            (64 << 10, 1),
            "{model:?} {cl:?}"
        );
        assert_eq!(sf.per_connection, cl.per_connection, "{model:?}");
        // A pool hands the same buffer to every response: allocated once by
        // the server (on its first request), then never again.
        let pooled = connection_heap(model, Transfer::PooledCopyLoop(64 << 10)).unwrap();
        assert_eq!((pooled.per_request, pooled.allocs_per_request), (0, 0), "{model:?}");
        assert!(pooled.per_server >= sf.per_server + (64 << 10), "{model:?} {pooled:?}");
        assert_eq!(pooled.per_connection, sf.per_connection, "{model:?}");
    }
    // A connection of the event loop owns no buffer: its head is read into
    // the loop's, its response head written from the loop's.
    let threads = connection_heap(Model::Threads, Transfer::Sendfile).unwrap();
    let events = connection_heap(Model::EventLoop, Transfer::Sendfile).unwrap();
    assert!(threads.per_connection >= 8 << 10, "{threads:?}");
    assert!(events.per_connection < 1 << 10, "{events:?}");
    {}
}
