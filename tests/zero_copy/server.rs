//! The chapter's file server, the shared suite: every test here runs
//! against both servers (a thread per connection, and event loops), which
//! must answer every request the same way: confinement to the root, HTTP,
//! robustness against clients and files that misbehave, and what a
//! connection costs.

use super::{config, local, serve, wait_for};
use perf_workbook::measure::child;
use perf_workbook::zero_copy::closed_peer::sendfile_into_closed_peer;
use perf_workbook::zero_copy::confine::{Root, Strategy};
use perf_workbook::zero_copy::files::{
    Checksum, Scratch, sparse_file, write_pattern_file,
};
use perf_workbook::zero_copy::fixture::{OK_TEXT, SECRET, SiteFixture, port_name};
use perf_workbook::zero_copy::memory::socket_buffers;
use perf_workbook::zero_copy::method::Method;
use perf_workbook::zero_copy::seed_port;
use perf_workbook::zero_copy::server::client::{Client, load};
use perf_workbook::zero_copy::server::{self, Model, Transfer, http};
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
    for (model, strategy) in Model::BOTH
        .into_iter()
        .flat_map(|m| [(m, Strategy::Beneath), (m, Strategy::NoSymlinks)])
    {
        let config = config(fx.root(), model);
        let h =
            server::spawn(local(), server::Config { strategy: Some(strategy), ..config })
                .unwrap();
        for hostile in fx.hostile() {
            let mut c = Client::connect(h.addr()).unwrap();
            let req = format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", hostile.target);
            c.send_raw(req.as_bytes()).unwrap();
            let r = c.read_response(false).unwrap();
            assert!(
                [400, 403, 404, 414].contains(&r.status),
                "{model:?} {strategy:?} {}: {}",
                hostile.what,
                r.status
            );
            let body = String::from_utf8_lossy(&r.body);
            assert!(
                !body.contains("TOP-SECRET"),
                "{model:?} {strategy:?} {}",
                hostile.what
            );
        }
        assert_eq!(h.stats().responses(200), 0);
    }
}

#[test]
fn each_hostile_request_gets_the_status_it_deserves() {
    for model in Model::BOTH {
        each_hostile_request_gets_its_status(model);
    }
}

fn each_hostile_request_gets_its_status(model: Model) {
    let fx = SiteFixture::new().unwrap();
    let config = config(fx.root(), model);
    let h = server::spawn(
        local(),
        server::Config { strategy: Some(Strategy::Beneath), ..config },
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
    for model in Model::BOTH {
        get_head_ranges_and_keep_alive_with(model);
    }
}

fn get_head_ranges_and_keep_alive_with(model: Model) {
    let dir = Scratch::new("http").unwrap();
    std::fs::create_dir(dir.join("www")).unwrap();
    let sum = write_pattern_file(&dir.join("www/data.bin"), 100_000, 3).unwrap();
    std::fs::write(dir.join("www/index.html"), "<p>hi</p>").unwrap();
    let h = serve(&dir.join("www"), model);
    let mut c = Client::connect(h.addr()).unwrap();
    // Several requests on one connection.
    let r = c.get("/data.bin").unwrap();
    assert_eq!((r.status, Checksum::of(&r.body)), (200, sum), "{model:?}");
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert!(
        r.header("date").is_some_and(|d| http::parse_http_date(d.as_bytes()).is_some())
    );
    let modified = r.header("last-modified").unwrap().to_string();
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
    // Not modified since the date it was sent with: 304, no body; an older
    // date, or one that is not an HTTP date, gets the file.
    let ims = format!("If-Modified-Since: {modified}\r\n");
    let r = c.request("GET", "/data.bin", &ims).unwrap();
    assert_eq!((r.status, r.body.len(), r.content_length()), (304, 0, None));
    assert_eq!(r.header("last-modified"), Some(modified.as_str()));
    let r = c.request("HEAD", "/data.bin", &ims).unwrap();
    assert_eq!(r.status, 304);
    let old = "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    let r = c.request("GET", "/data.bin", old).unwrap();
    assert_eq!((r.status, r.body.len()), (200, 100_000));
    let r = c.request("GET", "/data.bin", "If-Modified-Since: yesterday\r\n").unwrap();
    assert_eq!(r.status, 200);
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
    for model in Model::BOTH {
        let dir = Scratch::new("bad").unwrap();
        std::fs::write(dir.join("ok.txt"), OK_TEXT).unwrap();
        let h = serve(dir.path(), model);
        let answer = |raw: &[u8]| {
            let mut c = Client::connect(h.addr()).unwrap();
            c.send_raw(raw).unwrap();
            let r = c.read_response(false).unwrap();
            (r.status, r.header("connection").map(str::to_owned))
        };
        let close = Some("close".to_string());
        assert_eq!(answer(b"GARBAGE\r\n\r\n"), (400, close.clone()), "{model:?}");
        assert_eq!(answer(b"GET / HTTP/2.0\r\n\r\n").0, 505);
        assert_eq!(answer(b"GET x HTTP/1.1\r\nHost: x\r\n\r\n").0, 400);
        assert_eq!(
            answer(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab").0,
            400
        );
        let huge =
            format!("GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n", "y".repeat(9000));
        assert_eq!(answer(huge.as_bytes()).0, 431);
        let many: String =
            (0..http::MAX_HEADERS).map(|i| format!("X-{i}: y\r\n")).collect();
        let many = format!("GET /ok.txt HTTP/1.1\r\nHost: x\r\n{many}\r\n");
        assert_eq!(answer(many.as_bytes()), (431, close.clone()));
        // HTTP/1.1 needs exactly one Host; HTTP/1.0 none.
        assert_eq!(answer(b"GET /ok.txt HTTP/1.1\r\n\r\n"), (400, close.clone()));
        assert_eq!(answer(b"GET /ok.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").0, 400);
        assert_eq!(answer(b"GET /ok.txt HTTP/1.0\r\n\r\n"), (200, close.clone()));
        // HTTP/1.0 closes unless asked to keep alive.
        assert_eq!(answer(b"GET /x HTTP/1.0\r\n\r\n"), (404, close.clone()));
        // The absolute form is a path like any other.
        assert_eq!(answer(b"GET http://x/ok.txt HTTP/1.1\r\n\r\n").0, 200);
    }
}

// ------------------------------------------------------- robustness

#[test]
fn a_client_that_disconnects_mid_transfer_does_not_stop_the_server() {
    for model in Model::BOTH {
        let dir = Scratch::new("disconnect").unwrap();
        std::fs::create_dir(dir.join("www")).unwrap();
        sparse_file(&dir.join("www/big.bin"), 64 << 20).unwrap();
        std::fs::write(dir.join("www/ok.txt"), OK_TEXT).unwrap();
        let h = serve(&dir.join("www"), model);
        let mut c = Client::connect(h.addr()).unwrap();
        let r = c.get_prefix("/big.bin", 1000).unwrap();
        assert_eq!((r.status, r.body.len()), (200, 1000));
        drop(c); // mid-transfer, with megabytes unread: the kernel answers RST
        wait_for("the broken transfer is counted", || h.stats().transfer_errors == 1);
        let r = Client::connect(h.addr()).unwrap().get("/ok.txt").unwrap();
        assert_eq!((r.status, &r.body[..]), (200, OK_TEXT.as_bytes()));
        let s = h.stats();
        assert_eq!((s.transfer_errors, s.panics, s.accepted), (1, 0, 2), "{model:?}");
    }
}

#[test]
fn a_file_that_shrinks_mid_transfer_ends_that_response_only() {
    for model in Model::BOTH {
        let dir = Scratch::new("shrink").unwrap();
        std::fs::create_dir(dir.join("www")).unwrap();
        let path = dir.join("www/big.bin");
        let f = sparse_file(&path, 64 << 20).unwrap();
        std::fs::write(dir.join("www/ok.txt"), OK_TEXT).unwrap();
        let h = serve(&dir.join("www"), model);
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
        assert_eq!(h.stats().transfer_errors, 1, "{model:?}");
        f.set_len(64 << 20).unwrap();
    }
}

#[test]
fn many_concurrent_clients_all_get_every_byte() {
    for model in Model::BOTH {
        let dir = Scratch::new("many").unwrap();
        let sum = write_pattern_file(&dir.join("f.bin"), 300_000, 21).unwrap();
        let h = serve(dir.path(), model);
        let l = load(h.addr(), "/f.bin", 16, 4).unwrap();
        assert_eq!(
            (l.responses, l.failures, l.bytes),
            (64, 0, 64 * 300_000),
            "{model:?}"
        );
        let mut c = Client::connect(h.addr()).unwrap();
        assert_eq!(c.download("/f.bin", "").unwrap().checksum, sum);
        let s = h.stats();
        assert!(s.max_active <= 17, "{s:?}");
        assert_eq!((s.transfer_errors, s.panics), (0, 0));
    }
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
fn copy_loops_serve_every_byte_and_ranges() {
    for model in Model::BOTH {
        for transfer in [Transfer::CopyLoop(64 << 10), Transfer::PooledCopyLoop(64 << 10)]
        {
            let dir = Scratch::new("pooled").unwrap();
            let size: u64 = (1 << 20) + 17;
            let sum = write_pattern_file(&dir.join("f.bin"), size, 31).unwrap();
            let config = server::Config { transfer, ..config(dir.path(), model) };
            let h = server::spawn(local(), config).unwrap();
            let l = load(h.addr(), "/f.bin", 4, 3).unwrap();
            assert_eq!((l.responses, l.failures, l.bytes), (12, 0, 12 * size));
            let mut c = Client::connect(h.addr()).unwrap();
            assert_eq!(
                c.download("/f.bin", "").unwrap().checksum,
                sum,
                "{model:?} {transfer:?}"
            );
            let r = c.request("GET", "/f.bin", "Range: bytes=70000-70009\r\n").unwrap();
            let whole = c.get("/f.bin").unwrap().body;
            assert_eq!((r.status, &r.body[..]), (206, &whole[70_000..70_010]));
        }
    }
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
