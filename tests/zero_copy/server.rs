//! The chapter's file server: confinement to its root, HTTP, robustness
//! against clients and files that misbehave, and what a connection costs.

use super::{local, serve};
use perf_workbook::measure::child;
use perf_workbook::zero_copy::closed_peer::sendfile_into_closed_peer;
use perf_workbook::zero_copy::confine::{Root, Strategy};
use perf_workbook::zero_copy::files::{
    Checksum, Scratch, sparse_file, write_pattern_file,
};
use perf_workbook::zero_copy::fixture::{OK_TEXT, SECRET, SiteFixture, port_name};
use perf_workbook::zero_copy::memory::{connection_heap, socket_buffers};
use perf_workbook::zero_copy::method::Method;
use perf_workbook::zero_copy::seed_port;
use perf_workbook::zero_copy::server::client::{Client, load};
use perf_workbook::zero_copy::server::{self, Config, Transfer};
use std::fs::File;
use std::io::{self, Read};
use std::time::Duration;

// -------------------------------------------------------- confinement

#[test]
fn both_wrong_ports_leak_the_secret() {
    let fx = SiteFixture::new().unwrap();
    let root = fx.root().to_str().unwrap();
    let read = |f: io::Result<File>| {
        f.ok().and_then(|mut f| {
            let mut s = String::new();
            f.read_to_string(&mut s).ok().map(|_| s)
        })
    };
    // The seed: "../" climbs out.
    let leaked = read(seed_port::seed_open_concatenated(root, "../secret.txt"));
    assert_eq!(leaked.as_deref(), Some(SECRET));
    // Path::join: an absolute name replaces the root; no ".." needed.
    let abs = fx.secret().to_str().unwrap();
    let leaked = read(seed_port::naive_open_joined(fx.root(), abs));
    assert_eq!(leaked.as_deref(), Some(SECRET));
    // Both follow a symlink out.
    assert_eq!(
        read(seed_port::seed_open_concatenated(root, "link-out")).as_deref(),
        Some(SECRET)
    );
    // And both open a directory, which the seed would then try to send.
    assert!(seed_port::seed_open_concatenated(root, "sub").is_ok());
    assert_eq!(port_name("/%2e%2e/x"), "../x");
}

#[test]
fn no_hostile_request_gets_a_byte_from_outside_the_root() {
    let fx = SiteFixture::new().unwrap();
    for strategy in [Strategy::Beneath, Strategy::NoSymlinks] {
        let h = server::spawn(
            local(),
            Config { workers: 2, strategy: Some(strategy), ..Config::new(fx.root()) },
        )
        .unwrap();
        for hostile in fx.hostile() {
            let mut c = Client::connect(h.addr()).unwrap();
            let req = format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", hostile.target);
            c.send_raw(req.as_bytes()).unwrap();
            let r = c.read_response(false).unwrap();
            assert!(
                [400, 403, 404, 414].contains(&r.status),
                "{strategy:?} {}: {}",
                hostile.what,
                r.status
            );
            let body = String::from_utf8_lossy(&r.body);
            assert!(!body.contains("TOP-SECRET"), "{strategy:?} {}", hostile.what);
        }
        assert_eq!(h.stats().responses(200), 0);
    }
}

#[test]
fn each_hostile_request_gets_the_status_it_deserves() {
    let fx = SiteFixture::new().unwrap();
    let h = server::spawn(
        local(),
        Config { strategy: Some(Strategy::Beneath), ..Config::new(fx.root()) },
    )
    .unwrap();
    let status = |target: &str| {
        let mut c = Client::connect(h.addr()).unwrap();
        c.send_raw(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .unwrap();
        c.read_response(false).unwrap().status
    };
    assert_eq!(status("/../secret.txt"), 403);
    assert_eq!(status("/%2e%2e/secret.txt"), 403);
    assert_eq!(status("/link-out"), 403); // EXDEV from RESOLVE_BENEATH
    assert_eq!(status("/link-abs"), 403);
    assert_eq!(status("/sub"), 403);
    assert_eq!(status("/fifo"), 403); // opened non-blocking: no hang
    assert_eq!(status("/a%00b"), 400);
    assert_eq!(status("/nope"), 404);
    assert_eq!(status(&format!("/{}", "x".repeat(5000))), 414);
    assert_eq!(status("/link-in"), 200); // a symlink that stays inside
    let root = Root::open(fx.root(), Some(Strategy::NoSymlinks)).unwrap();
    // The stricter strategy refuses every symlink.
    assert!(root.open_file(b"link-in").is_err());
    assert_eq!(root.open_file(b"ok.txt").unwrap().len, OK_TEXT.len() as u64);
}

// ------------------------------------------------------------- HTTP

#[test]
fn get_head_ranges_and_keep_alive() {
    let dir = Scratch::new("http").unwrap();
    std::fs::create_dir(dir.join("www")).unwrap();
    let sum = write_pattern_file(&dir.join("www/data.bin"), 100_000, 3).unwrap();
    std::fs::write(dir.join("www/index.html"), "<p>hi</p>").unwrap();
    let h = serve(&dir.join("www"), 2);
    let mut c = Client::connect(h.addr()).unwrap();
    // Several requests on one connection.
    let r = c.get("/data.bin").unwrap();
    assert_eq!((r.status, Checksum::of(&r.body)), (200, sum));
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    let r = c.get("/index.html").unwrap();
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let r = c.request("HEAD", "/data.bin", "").unwrap();
    assert_eq!((r.status, r.content_length(), r.body.len()), (200, Some(100_000), 0));
    let full = c.get("/data.bin").unwrap().body;
    let r = c.request("GET", "/data.bin", "Range: bytes=10-19\r\n").unwrap();
    assert_eq!((r.status, &r.body[..]), (206, &full[10..20]));
    assert_eq!(r.header("content-range"), Some("bytes 10-19/100000"));
    let r = c.request("GET", "/data.bin", "Range: bytes=-5\r\n").unwrap();
    assert_eq!((r.status, &r.body[..]), (206, &full[99_995..]));
    let r = c.request("GET", "/data.bin", "Range: bytes=99990-\r\n").unwrap();
    assert_eq!(&r.body[..], &full[99_990..]);
    let r = c.request("GET", "/data.bin", "Range: bytes=100000-\r\n").unwrap();
    assert_eq!((r.status, r.header("content-range")), (416, Some("bytes */100000")));
    let r = c.request("GET", "/data.bin", "Range: bytes=0-1,5-6\r\n").unwrap();
    assert_eq!((r.status, r.body.len()), (200, 100_000)); // several ranges: ignored
    let r = c.request("DELETE", "/data.bin", "").unwrap();
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    let r = c.get("/missing").unwrap();
    assert_eq!(r.status, 404);
    // Two requests pipelined in one write get two responses, in order.
    c.send_raw(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nHEAD /data.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(c.read_response(false).unwrap().body, b"<p>hi</p>");
    assert_eq!(c.read_response(true).unwrap().content_length(), Some(100_000));
    drop(c);
    assert_eq!(h.stats().accepted, 1);
}

#[test]
fn malformed_requests_get_clear_errors() {
    let dir = Scratch::new("bad").unwrap();
    let h = serve(dir.path(), 1);
    let answer = |raw: &[u8]| {
        let mut c = Client::connect(h.addr()).unwrap();
        c.send_raw(raw).unwrap();
        let r = c.read_response(false).unwrap();
        (r.status, r.header("connection").map(str::to_owned))
    };
    assert_eq!(answer(b"GARBAGE\r\n\r\n"), (400, Some("close".into())));
    assert_eq!(answer(b"GET / HTTP/2.0\r\n\r\n").0, 505);
    assert_eq!(answer(b"GET x HTTP/1.1\r\n\r\n").0, 400);
    assert_eq!(answer(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab").0, 400);
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "y".repeat(9000));
    assert_eq!(answer(huge.as_bytes()).0, 431);
    // HTTP/1.0 closes unless asked to keep alive.
    assert_eq!(answer(b"GET /x HTTP/1.0\r\n\r\n"), (404, Some("close".into())));
}

// ------------------------------------------------------- robustness

#[test]
fn a_client_that_disconnects_mid_transfer_does_not_stop_the_server() {
    let dir = Scratch::new("disconnect").unwrap();
    std::fs::create_dir(dir.join("www")).unwrap();
    sparse_file(&dir.join("www/big.bin"), 64 << 20).unwrap();
    std::fs::write(dir.join("www/ok.txt"), OK_TEXT).unwrap();
    // One worker: the next request is served only after the broken one ended.
    let h = serve(&dir.join("www"), 1);
    let mut c = Client::connect(h.addr()).unwrap();
    let r = c.get_prefix("/big.bin", 1000).unwrap();
    assert_eq!((r.status, r.body.len()), (200, 1000));
    drop(c); // mid-transfer, with megabytes unread: the kernel answers RST
    let r = Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap();
    assert_eq!((r.status, &r.body[..]), (200, OK_TEXT.as_bytes()));
    let s = h.stats();
    assert_eq!((s.transfer_errors, s.panics, s.accepted), (1, 0, 2));
}

#[test]
fn a_file_that_shrinks_mid_transfer_ends_that_response_only() {
    let dir = Scratch::new("shrink").unwrap();
    std::fs::create_dir(dir.join("www")).unwrap();
    let path = dir.join("www/big.bin");
    let f = sparse_file(&path, 64 << 20).unwrap();
    std::fs::write(dir.join("www/ok.txt"), OK_TEXT).unwrap();
    let h = serve(&dir.join("www"), 1);
    let mut c = Client::connect(h.addr()).unwrap();
    let r = c.get_prefix("/big.bin", 1).unwrap(); // the transfer has begun
    assert_eq!(r.content_length(), Some(64 << 20));
    f.set_len(1 << 20).unwrap(); // the file shrinks under the server
    let mut rest = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match c.stream().read(&mut buf) {
            Ok(0) | Err(_) => break, // the server closes: no endless loop
            Ok(n) => rest += n as u64,
        }
    }
    assert!(rest < (64 << 20) - 1, "{rest}");
    let r = Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(h.stats().transfer_errors, 1);
}

#[test]
fn silent_and_trickling_clients_lose_their_worker() {
    let dir = Scratch::new("idle").unwrap();
    std::fs::write(dir.join("ok.txt"), OK_TEXT).unwrap();
    let config = Config {
        workers: 1,
        idle_timeout: Duration::from_millis(150),
        ..Config::new(dir.path())
    };
    let h = server::spawn(local(), config).unwrap();
    // Half a head, then silence: the only worker must not wait forever.
    let mut silent = Client::connect(h.addr()).unwrap();
    silent.send_raw(b"GET /ok.txt HTTP/1.1\r\n").unwrap();
    let r = Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap();
    assert_eq!(r.status, 200);
    let mut rest = Vec::new();
    assert_eq!(silent.stream().read_to_end(&mut rest).unwrap(), 0); // closed
    // A header that never ends, one byte every 30 ms: each read succeeds
    // well within the idle time-out, but the whole head has a deadline.
    let mut trickle = Client::connect(h.addr()).unwrap();
    trickle.send_raw(b"GET /ok.txt HTTP/1.1\r\nX-Pad: ").unwrap();
    let mut sent = 0;
    while sent < 300 && trickle.send_raw(b"a").is_ok() {
        sent += 1;
        std::thread::sleep(Duration::from_millis(30));
    }
    let mut rest = Vec::new();
    let closed = matches!(trickle.stream().read_to_end(&mut rest), Ok(0) | Err(_));
    assert!(closed && sent < 300, "sent {sent} bytes");
    assert_eq!(Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap().status, 200);
}

// ANCHOR: bounded
#[test]
fn at_most_workers_connections_are_served_at_once() {
    let dir = Scratch::new("bounded").unwrap();
    std::fs::write(dir.join("ok.txt"), OK_TEXT).unwrap();
    let h = serve(dir.path(), 2);
    // Five keep-alive connections, one request each, all sent at once.
    let mut clients: Vec<Client> =
        (0..5).map(|_| Client::connect(h.addr()).unwrap()).collect();
    for c in &mut clients {
        c.send_raw(b"GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    }
    // The listen queue is first-in first-out: clients 0 and 1 are served.
    for c in &mut clients[..2] {
        assert_eq!(c.read_response(false).unwrap().status, 200);
    }
    // Both workers now wait for a second request on those connections, so
    // nobody has accepted clients 2, 3, 4: their requests wait unanswered.
    let s = h.stats();
    assert_eq!((s.accepted, s.active, s.requests), (2, 2, 2));
    // Each connection that closes frees a worker for the next in line.
    for i in 2..5 {
        drop(clients.remove(0));
        assert_eq!(clients[1].read_response(false).unwrap().status, 200, "client {i}");
    }
    drop(clients);
    let s = h.stats();
    assert_eq!((s.accepted, s.max_active, s.responses(200)), (5, 2, 5));
}
// ANCHOR_END: bounded

#[test]
fn many_concurrent_clients_all_get_every_byte() {
    let dir = Scratch::new("many").unwrap();
    let sum = write_pattern_file(&dir.join("f.bin"), 300_000, 21).unwrap();
    let h = serve(dir.path(), 4);
    let l = load(h.addr(), "/f.bin", 16, 4).unwrap();
    assert_eq!((l.responses, l.failures, l.bytes), (64, 0, 64 * 300_000));
    let mut c = Client::connect(h.addr()).unwrap();
    assert_eq!(c.download("/f.bin", "").unwrap().checksum, sum);
    let s = h.stats();
    assert!(s.max_active <= 4, "{s:?}");
    assert_eq!((s.transfer_errors, s.panics), (0, 0));
}

#[test]
fn sigpipe_kills_by_default_and_the_server_guard_prevents_it() {
    child::dispatch(&perf_workbook::chapters::child_modes());
    let name = "server::sigpipe_kills_by_default_and_the_server_guard_prevents_it";
    let t = Duration::from_secs(60);
    let o = child::run_test(name, "zero_copy::sigpipe_default", t).unwrap();
    assert_eq!(o.signal_name(), Some("SIGPIPE"), "{}", o.describe());
    let o = child::run_test(name, "zero_copy::sigpipe_guarded", t).unwrap();
    assert!(
        o.success() && o.stdout.contains("survived"),
        "{} {}",
        o.describe(),
        o.stdout
    );
    // And here (SIGPIPE ignored, as in every Rust binary) it is an error value.
    let (kind, _) = sendfile_into_closed_peer().unwrap();
    assert!(
        matches!(kind, io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset),
        "{kind:?}"
    );
}

#[test]
fn the_sendfile_path_allocates_nothing_per_request() {
    let sf = connection_heap(Transfer::Sendfile).unwrap();
    assert_eq!((sf.per_request, sf.allocs_per_request), (0, 0), "{sf:?}");
    let cl = connection_heap(Transfer::CopyLoop(64 << 10)).unwrap();
    assert_eq!((cl.per_request, cl.allocs_per_request), (64 << 10, 1), "{cl:?}");
    assert_eq!(sf.per_connection, cl.per_connection);
    // A pool hands the same buffer to every response: allocated once, on the
    // connection's first request, then never again.
    let pooled = connection_heap(Transfer::PooledCopyLoop(64 << 10)).unwrap();
    assert_eq!((pooled.per_request, pooled.allocs_per_request), (0, 0), "{pooled:?}");
    assert!(pooled.per_connection >= cl.per_connection + (64 << 10), "{pooled:?}");
}

#[test]
fn pooled_buffers_serve_every_byte_and_ranges() {
    let dir = Scratch::new("pooled").unwrap();
    let size: u64 = (1 << 20) + 17;
    let sum = write_pattern_file(&dir.join("f.bin"), size, 31).unwrap();
    let config = Config {
        workers: 2,
        transfer: Transfer::PooledCopyLoop(64 << 10),
        ..Config::new(dir.path())
    };
    let h = server::spawn(local(), config).unwrap();
    let l = load(h.addr(), "/f.bin", 4, 3).unwrap();
    assert_eq!((l.responses, l.failures, l.bytes), (12, 0, 12 * size));
    let mut c = Client::connect(h.addr()).unwrap();
    assert_eq!(c.download("/f.bin", "").unwrap().checksum, sum);
    let r = c.request("GET", "/f.bin", "Range: bytes=70000-70009\r\n").unwrap();
    let whole = c.get("/f.bin").unwrap().body;
    assert_eq!((r.status, &r.body[..]), (206, &whole[70_000..70_010]));
}

/// A client that stops reading holds megabytes in the kernel, whichever
/// method filled the socket: far more than the loop's 64 KiB buffer.
#[test]
fn socket_buffers_dwarf_the_copy_buffer() {
    let sf = socket_buffers(Method::Sendfile).unwrap();
    let cl = socket_buffers(Method::ReadWrite(64 << 10)).unwrap();
    assert!(sf > 4 * (64 << 10) && cl > 4 * (64 << 10), "{sf} {cl}");
    assert!(socket_buffers(Method::StdIoCopy).is_err());
}
