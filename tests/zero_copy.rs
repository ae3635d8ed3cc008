//! Chapter 1, zero-copy I/O: invariants and exercises. Everything here is
//! counted (bytes, checksums, syscalls, allocations, statuses); nothing is
//! timed. Linux only: sendfile, splice and copy_file_range are Linux calls.
//! Not under Miri: every test makes real syscalls.
#![cfg(all(target_os = "linux", not(miri)))]

perf_workbook::count_allocations!();

use perf_workbook::measure::{alloc, child, os};
use perf_workbook::zero_copy::confine::{Root, Strategy};
use perf_workbook::zero_copy::demos::{self, tcp_pair};
use perf_workbook::zero_copy::file_copy::copy_file_range_all;
use perf_workbook::zero_copy::files::{
    Checksum, Scratch, checksum_file, sparse_file, write_pattern_file,
};
use perf_workbook::zero_copy::fixture::{OK_TEXT, SECRET, SiteFixture, port_name};
use perf_workbook::zero_copy::loopback::{self, Loopback, Placement, Setup};
use perf_workbook::zero_copy::method::{Method, Sender};
use perf_workbook::zero_copy::read_write::read_write_loop;
use perf_workbook::zero_copy::seed_port::{self, SeedError};
use perf_workbook::zero_copy::sendfile::{
    sendfile_all, sendfile_all_with, wait_writable,
};
use perf_workbook::zero_copy::server::client::{Client, load};
use perf_workbook::zero_copy::server::{self, Config, ServerHandle, Transfer};
use perf_workbook::zero_copy::splice::{SplicePipe, splice_all};
use perf_workbook::zero_copy::transfer::{MAX_CHUNK, Reply, Script, drive};
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::time::Duration;

/// A pattern file of `len` bytes in `dir`, opened, with its checksum.
fn pattern(dir: &Scratch, name: &str, len: u64) -> (File, u64) {
    let path = dir.join(name);
    let sum = write_pattern_file(&path, len, len ^ 0x5eed).unwrap();
    (File::open(path).unwrap(), sum)
}

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn serve(root: &std::path::Path, workers: usize) -> ServerHandle {
    server::spawn(local(), Config { workers, ..Config::new(root) }).unwrap()
}

// ---------------------------------------------------------------- methods

/// Sizes around the buffer sizes, and 0.
const SIZES: [u64; 7] = [0, 1, 4095, 8192, 65_536 + 7, (1 << 20) + 13, 3 << 20];

#[test]
fn every_method_delivers_every_byte_in_order() {
    let dir = Scratch::new("every-method").unwrap();
    let mut link = Loopback::new().unwrap();
    let methods = [
        Method::ReadWrite(64 << 10),
        Method::ReadWrite(4000),
        Method::StdIoCopy,
        Method::Sendfile,
        Method::Splice(64 << 10),
        Method::Splice(1 << 20),
    ];
    for size in SIZES {
        let (file, sum) = pattern(&dir, &format!("f{size}"), size);
        for m in methods {
            let mut sender = Sender::new(m).unwrap();
            let s = link.sample(&mut sender, &file, size, 1, true).unwrap();
            assert_eq!(s.received, size, "{} at {size}", m.label());
            assert_eq!(s.checksum, Some(sum), "{} at {size}", m.label());
            assert_eq!(s.moved.bytes, size, "{} at {size}", m.label());
        }
    }
}

/// The comparison harness the timing claims rely on: it pins its own
/// threads (never the caller's), sets the congestion control it says it
/// sets, reads the file into the page cache first, and still delivers
/// every byte.
#[test]
fn comparisons_pin_their_own_threads_and_set_reno() {
    let dir = Scratch::new("placed").unwrap();
    let size = (256 << 10) + 3;
    let (file, _) = pattern(&dir, "f", size);
    let before = loopback::allowed_cpus().unwrap();
    let mut placements = vec![Placement::OneCpu, Placement::Unpinned];
    if before.len() >= 2 {
        placements.push(Placement::TwoCpus);
    }
    for placement in placements {
        let methods = [Method::ReadWrite(64 << 10), Method::Sendfile];
        let runs =
            loopback::compare(Setup::pinned(placement), &methods, &file, size, 2, 3)
                .unwrap();
        assert_eq!(loopback::allowed_cpus().unwrap(), before, "{placement:?}");
        for r in &runs {
            assert_eq!(r.congestion, loopback::DEFAULT_CONGESTION);
            assert_eq!(r.samples.len(), 3);
            assert!(r.samples.iter().all(|s| s.received == 2 * size));
        }
        let pair = runs[1].paired(&runs[0], loopback::Sample::throughput).unwrap();
        assert_eq!(pair.n, 3);
        assert!(pair.q1 <= pair.median && pair.median <= pair.q3);
    }
    // The file was read before timing: every page of it is in the page cache.
    assert_eq!(loopback::page_cache_residency(&file, size).unwrap(), 1.0);
}

/// A process allowed one CPU skips the two-CPU placement instead of failing:
/// the timing claims still get verdicts, and the two that need the sender's
/// own CPU time say why they cannot be judged.
#[test]
fn one_cpu_machines_get_verdicts_not_errors() {
    let claims = ["C002-04", "C002-05", "C002-08", "D51"];
    // A child inherits the affinity mask of the thread that forks it.
    let out = std::thread::spawn(move || {
        let cpu = loopback::allowed_cpus().unwrap()[0];
        loopback::pin_current_thread(cpu).unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_workbook"));
        cmd.args(["--quick", "--format", "json"]);
        for id in claims {
            cmd.args(["--claim", id]);
        }
        cmd.output().unwrap()
    })
    .join()
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kind = |id: &str| {
        let c = report["claims"].as_array().unwrap().iter().find(|c| c["id"] == id);
        let c = c.unwrap_or_else(|| panic!("{id} missing"));
        assert!(c["error"].is_null(), "{id}: {}", c["error"]);
        c["verdict"]["kind"].as_str().unwrap().to_string()
    };
    assert_eq!(kind("C002-04"), "unverifiable");
    assert_eq!(kind("C002-08"), "unverifiable");
    assert_ne!(kind("C002-05"), "unverifiable", "throughput is measurable on one CPU");
    kind("D51");
    let condition = report["claims"][0]["evidence"]["condition"].as_str().unwrap();
    assert!(condition.contains("two CPUs (not measured"), "{condition}");
}

#[test]
fn file_to_file_copies_are_exact() {
    let dir = Scratch::new("file-to-file").unwrap();
    for size in SIZES {
        let (src, sum) = pattern(&dir, &format!("src{size}"), size);
        let out = File::create(dir.join(&format!("cfr{size}"))).unwrap();
        let m = copy_file_range_all(&src, 0, size, &out).unwrap();
        assert_eq!((m.bytes, m.user_bytes), (size, 0));
        assert_eq!(checksum_file(&dir.join(&format!("cfr{size}"))).unwrap(), sum);
        let out = File::create(dir.join(&format!("loop{size}"))).unwrap();
        read_write_loop(&src, 0, size, &mut &out, 4096).unwrap();
        assert_eq!(checksum_file(&dir.join(&format!("loop{size}"))).unwrap(), sum);
    }
}

// ANCHOR: syscall_counts
#[test]
fn sendfile_reads_nothing_into_user_space_the_loop_reads_everything() {
    let dir = Scratch::new("counts").unwrap();
    let size: u64 = 8 << 20;
    let (file, _) = pattern(&dir, "f", size);
    let mut link = Loopback::new().unwrap();
    let mut run =
        |m| link.sample(&mut Sender::new(m).unwrap(), &file, size, 1, false).unwrap();

    let sf = run(Method::Sendfile);
    // Every read-family syscall the kernel counted was one of our sendfile
    // calls; no byte was read into user space; nothing was allocated.
    assert_eq!(sf.syscr, sf.moved.calls);
    assert_eq!((sf.moved.user_bytes, sf.heap_allocs), (0, Some(0)));
    // The kernel agrees: a kernel copy counts its bytes as read *and* written
    // (a socket send is counted as neither), so rchar − wchar = 0.
    assert_eq!((sf.rchar, sf.wchar), (size, size));

    let rw = run(Method::ReadWrite(64 << 10));
    assert_eq!(rw.syscr, size / (64 << 10)); // 128 preads of 64 KiB
    assert_eq!((rw.rchar, rw.wchar, rw.moved.user_bytes), (size, 0, size));
    assert_eq!(rw.heap_bytes, Some(64 << 10)); // one buffer

    let io = run(Method::StdIoCopy);
    // std::io::copy File → TcpStream: 8 KiB reads, and one more that
    // returns 0 at the end (the count that shows it does not sendfile).
    assert!(io.syscr >= size / 8192, "{}", io.syscr);
    assert_eq!((io.rchar, io.wchar), (size, 0));
    assert_eq!(io.user_bytes_per_transfer(), size);

    let sp = run(Method::Splice(64 << 10));
    // splice is not counted in syscr/rchar at all: only our own count shows
    // it, two calls per pipe-full.
    assert_eq!((sp.syscr, sp.rchar), (0, 0));
    assert_eq!(sp.moved.calls, 2 * size / (64 << 10));
}
// ANCHOR_END: syscall_counts

#[test]
fn std_io_copy_between_files_uses_copy_file_range() {
    let dir = Scratch::new("std-copy").unwrap();
    let size: u64 = 8 << 20;
    let (mut src, sum) = pattern(&dir, "src", size);
    let mut dst = File::create(dir.join("dst")).unwrap();
    let (n, d) = os::measure(|| io::copy(&mut src, &mut dst).unwrap());
    assert_eq!(n, size);
    // One copy_file_range for the whole file, counted once as a read and once
    // as a write, with every byte in rchar/wchar (none went through a buffer).
    assert!(d.syscr <= 2, "{d:?}");
    assert_eq!(checksum_file(&dir.join("dst")).unwrap(), sum);
}

#[test]
fn sendfile_falls_back_when_the_kernel_refuses() {
    let dir = Scratch::new("fallback").unwrap();
    let (file, sum) = pattern(&dir, "src", 300_000);
    // sendfile into a file opened with O_APPEND fails with EINVAL.
    let out = File::options().append(true).create(true).open(dir.join("dst")).unwrap();
    let m = sendfile_all(&out, &file, 0, 300_000).unwrap();
    assert!(m.fell_back);
    assert_eq!((m.bytes, m.user_bytes), (300_000, 300_000));
    assert_eq!(checksum_file(&dir.join("dst")).unwrap(), sum);
}

#[test]
fn the_send_loop_caps_each_call_and_survives_every_interruption() {
    let mut s = Script::new(&[
        Reply::Move(1),
        Reply::Interrupted,
        Reply::WouldBlock,
        Reply::Move(MAX_CHUNK - 1),
        Reply::WouldBlock,
    ]);
    let len = 3 * MAX_CHUNK as u64 + 5;
    let mut waits = 0;
    let m = drive(
        0,
        len,
        MAX_CHUNK,
        |o, n| s.call(o, n),
        || {
            waits += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(m.bytes, len);
    assert_eq!((m.waits, m.interrupted, waits), (2, 1, 2));
    assert_eq!(s.largest_request(), MAX_CHUNK);
}

// ------------------------------------------------------ the seed's code

#[test]
fn one_sendfile_call_is_short_on_a_non_blocking_socket() {
    let dir = Scratch::new("short").unwrap();
    let size: u64 = 32 << 20;
    let file = sparse_file(&dir.join("f"), size).unwrap();
    let (server, _client) = tcp_pair().unwrap();
    server.set_nonblocking(true).unwrap();
    // Nobody reads: the call fills the socket's buffers and returns short.
    match seed_port::seed_send_file_once(&server, &file, size) {
        Err(SeedError::Incomplete { written, size: s }) => {
            assert!(written > 0 && written < s, "{written} of {s}");
        }
        other => panic!("expected an incomplete transfer, got {other:?}"),
    }
}

#[test]
fn the_loop_delivers_everything_through_eagain() {
    let dir = Scratch::new("eagain").unwrap();
    let size: u64 = 32 << 20;
    let file = sparse_file(&dir.join("f"), size).unwrap();
    let (server, mut client) = tcp_pair().unwrap();
    server.set_nonblocking(true).unwrap();
    let (start, go) = std::sync::mpsc::channel::<()>();
    // The reader starts only once the socket is full (at the first EAGAIN),
    // so the loop must wait at least once: no luck involved.
    let reader = std::thread::spawn(move || {
        go.recv().unwrap();
        let mut buf = vec![0u8; 1 << 20];
        let mut n = 0u64;
        loop {
            match client.read(&mut buf).unwrap() {
                0 => return n,
                k => n += k as u64,
            }
        }
    });
    let mut first = true;
    let m = sendfile_all_with(server.as_fd(), &file, 0, size, || {
        if std::mem::take(&mut first) {
            start.send(()).unwrap();
        }
        wait_writable(server.as_fd())
    })
    .unwrap();
    drop(server);
    assert_eq!(reader.join().unwrap(), size);
    assert_eq!(m.bytes, size);
    assert!(m.waits >= 1 && m.calls >= 2, "{m:?}");
}

#[test]
fn the_seed_splice_pair_truncates_and_reports_success() {
    let dir = Scratch::new("splice").unwrap();
    let size: u64 = 1 << 20;
    let (file, sum) = pattern(&dir, "f", size);
    let capacity = SplicePipe::new(None).unwrap().capacity() as u64;

    let (server, mut client) = tcp_pair().unwrap();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        client.read_to_end(&mut got).unwrap();
        got.len() as u64
    });
    seed_port::seed_splice_once(&server, &file, size).unwrap(); // "success"
    drop(server);
    let got = reader.join().unwrap();
    assert!(got > 0 && got <= capacity && got < size, "{got}");

    let (server, client) = tcp_pair().unwrap();
    let reader = std::thread::spawn(move || {
        let mut sum = Checksum::default();
        let mut all = Vec::new();
        (&client).read_to_end(&mut all).unwrap();
        sum.update(&all);
        sum.finish()
    });
    let mut pipe = SplicePipe::new(None).unwrap();
    let m = splice_all(&server, &file, 0, size, &mut pipe).unwrap();
    drop(server);
    assert_eq!(reader.join().unwrap(), (sum, size));
    assert_eq!(m.calls, 2 * size.div_ceil(capacity));
}

#[test]
fn a_bigger_pipe_means_fewer_splice_calls() {
    let dir = Scratch::new("pipe-size").unwrap();
    let size: u64 = 4 << 20;
    let (file, _) = pattern(&dir, "f", size);
    let mut link = Loopback::new().unwrap();
    let small = link
        .sample(
            &mut Sender::new(Method::Splice(64 << 10)).unwrap(),
            &file,
            size,
            1,
            false,
        )
        .unwrap();
    let big = link
        .sample(&mut Sender::new(Method::Splice(1 << 20)).unwrap(), &file, size, 1, false)
        .unwrap();
    assert_eq!(small.moved.calls, 2 * 64);
    assert_eq!(big.moved.calls, 2 * 4);
}

#[test]
fn stale_fd_numbers_splice_into_the_next_request() {
    child::dispatch(&perf_workbook::chapters::child_modes());
    let o = child::run_test(
        "stale_fd_numbers_splice_into_the_next_request",
        "zero_copy::stale_fd",
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(o.success(), "{}: {}", o.describe(), o.stderr);
    assert_eq!(demos::child_figure(&o.stdout, "reused"), Some(1), "{}", o.stdout);
    assert_eq!(demos::child_figure(&o.stdout, "stray"), Some(4096), "{}", o.stdout);
    // The scoped version cannot do it: the pipe outlives the helper.
    let dir = Scratch::new("scoped").unwrap();
    std::fs::write(dir.join("a"), [b'A'; 4096]).unwrap();
    assert_eq!(seed_port::scoped_splice(&File::open(dir.join("a")).unwrap()).unwrap(), 0);
}

#[test]
fn the_unchecked_assertion_panics_where_impl_asfd_just_works() {
    use std::os::unix::net::UnixStream;
    let (a, mut b) = UnixStream::pair().unwrap();
    assert!(
        std::panic::catch_unwind(|| seed_port::seed_tcp_conn(&a).peer_addr()).is_err()
    );
    let dir = Scratch::new("unix").unwrap();
    let (file, sum) = pattern(&dir, "f", 200_000);
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        b.read_to_end(&mut v).unwrap();
        v
    });
    sendfile_all(&a, &file, 0, 200_000).unwrap();
    drop(a);
    assert_eq!(Checksum::of(&reader.join().unwrap()), sum);
}

#[test]
fn io_copy_into_a_vec_is_a_copy_and_a_slice_is_not() {
    let src = b"Hello, World!".repeat(1000);
    let ((dst, n), counts) = alloc::measure(|| {
        let mut dst = Vec::new();
        let n = io::copy(&mut &src[..], &mut dst).unwrap();
        (dst, n)
    });
    assert_eq!((n as usize, &dst), (src.len(), &src));
    assert_ne!(dst.as_ptr(), src.as_ptr());
    assert!(counts.bytes_requested >= src.len() as u64, "{counts:?}");
    let parent = bytes::Bytes::from(src.clone());
    let part = parent.slice(7..);
    assert_eq!(part.as_ptr(), parent[7..].as_ptr());
}

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
    let name = "sigpipe_kills_by_default_and_the_server_guard_prevents_it";
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
    let (kind, _) = demos::sendfile_into_closed_peer().unwrap();
    assert!(
        matches!(kind, io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset),
        "{kind:?}"
    );
}

#[test]
fn the_sendfile_path_allocates_nothing_per_request() {
    let sf = demos::connection_heap(Transfer::Sendfile).unwrap();
    assert_eq!((sf.per_request, sf.allocs_per_request), (0, 0), "{sf:?}");
    let cl = demos::connection_heap(Transfer::CopyLoop(64 << 10)).unwrap();
    assert_eq!((cl.per_request, cl.allocs_per_request), (64 << 10, 1), "{cl:?}");
    assert_eq!(sf.per_connection, cl.per_connection);
}

// ---------------------------------------------------------- exercises

// ANCHOR: exercise_1
/// Exercise 1: how many `read` calls does a read/write loop with a
/// `buf`-byte buffer make for a `size`-byte file?
fn predicted_reads(size: u64, buf: u64) -> u64 {
    // ANCHOR_END: exercise_1
    size.div_ceil(buf)
}

#[test]
fn exercise_1_predict_the_syscalls() {
    let dir = Scratch::new("ex1").unwrap();
    for (size, buf) in
        [(1 << 20, 16 << 10), ((1 << 20) + 1, 16 << 10), (100, 4096), (0, 4096)]
    {
        let (file, _) = pattern(&dir, &format!("f{size}"), size);
        let mut sink = io::sink();
        let (moved, d) =
            os::measure(|| read_write_loop(&file, 0, size, &mut sink, buf as usize));
        assert_eq!(moved.unwrap().bytes, size);
        assert_eq!(d.syscr, predicted_reads(size, buf), "size {size}, buffer {buf}");
    }
}

// ANCHOR: exercise_2
/// Exercise 2: move `len` bytes with a syscall that may move fewer than
/// asked (`call(offset, count)`), fail with `Interrupted` (retry it) or
/// `WouldBlock` (call `wait`, then retry), or return 0 (the source ended:
/// an `UnexpectedEof` error). Return the bytes moved.
fn deliver_all(
    len: u64,
    mut call: impl FnMut(u64, usize) -> io::Result<usize>,
    mut wait: impl FnMut() -> io::Result<()>,
) -> io::Result<u64> {
    // ANCHOR_END: exercise_2
    let mut done = 0;
    while done < len {
        let want = (len - done).min(MAX_CHUNK as u64) as usize;
        match call(done, want) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => done += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait()?,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[test]
fn exercise_2_write_the_send_loop() {
    // A fake syscall that is as awkward as a real socket.
    let mut s = Script::new(&[
        Reply::Move(3),
        Reply::Interrupted,
        Reply::WouldBlock,
        Reply::Move(1000),
        Reply::Interrupted,
    ]);
    let mut waits = 0;
    let n = deliver_all(
        10_000,
        |o, k| s.call(o, k),
        || {
            waits += 1;
            Ok(())
        },
    );
    assert_eq!((n.unwrap(), waits), (10_000, 1));
    let mut s = Script::new(&[Reply::Move(10), Reply::Eof]);
    let e = deliver_all(100, |o, k| s.call(o, k), || Ok(())).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    let mut s = Script::new(&[]);
    assert_eq!(
        deliver_all(3 * MAX_CHUNK as u64, |o, k| s.call(o, k), || Ok(())).unwrap(),
        3 * MAX_CHUNK as u64
    );
    assert!(s.largest_request() <= MAX_CHUNK);
    // And with the real sendfile on a non-blocking socket.
    let dir = Scratch::new("ex2").unwrap();
    let (file, sum) = pattern(&dir, "f", 8 << 20);
    let (server, client) = tcp_pair().unwrap();
    server.set_nonblocking(true).unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        (&client).read_to_end(&mut v).unwrap();
        Checksum::of(&v)
    });
    let sent = deliver_all(
        8 << 20,
        |off, count| {
            let mut off = off as i64;
            Ok(nix::sys::sendfile::sendfile64(&server, &file, Some(&mut off), count)?)
        },
        || wait_writable(server.as_fd()),
    );
    assert_eq!(sent.unwrap(), 8 << 20);
    drop(server);
    assert_eq!(reader.join().unwrap(), sum);
}

// ANCHOR: exercise_3
/// Exercise 3: join a requested name onto `root` with `Path::components`,
/// refusing anything that could leave it (`..`, an absolute name). Return
/// `None` for those.
fn confined_join(root: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    // ANCHOR_END: exercise_3
    use std::path::Component;
    let mut out = root.to_path_buf();
    for part in std::path::Path::new(name).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return None;
            }
        }
    }
    Some(out)
}

#[test]
fn exercise_3_confine_a_join() {
    let fx = SiteFixture::new().unwrap();
    let abs = fx.secret().to_str().unwrap().to_owned();
    for bad in ["../secret.txt", "sub/../../secret.txt", abs.as_str(), "/etc/passwd"] {
        assert_eq!(confined_join(fx.root(), bad), None, "{bad}");
    }
    let ok = confined_join(fx.root(), "./sub//inner.txt").unwrap();
    assert_eq!(std::fs::read_to_string(ok).unwrap(), "inner\n");
    // The lesson: a lexical check does not see symlinks. `link-out` passes
    // it and still opens the secret: this is why the server opens through
    // openat2(RESOLVE_BENEATH) or O_NOFOLLOW instead.
    let through_link = confined_join(fx.root(), "link-out").unwrap();
    assert_eq!(std::fs::read_to_string(through_link).unwrap(), SECRET);
}

#[test]
fn exercise_4_resume_a_dropped_download() {
    let dir = Scratch::new("ex4").unwrap();
    let size: u64 = 3 << 20;
    let sum = write_pattern_file(&dir.join("f.bin"), size, 23).unwrap();
    let h = serve(dir.path(), 2);
    // The first attempt stops after 1,234,567 bytes.
    let first =
        Client::connect(h.addr()).unwrap().get_prefix("/f.bin", 1_234_567).unwrap();
    // The retry asks only for what is missing.
    let mut c = Client::connect(h.addr()).unwrap();
    let range = format!("Range: bytes={}-\r\n", first.body.len());
    let rest = c.request("GET", "/f.bin", &range).unwrap();
    assert_eq!(rest.status, 206);
    assert_eq!(first.body.len() + rest.body.len(), size as usize);
    let mut whole = Checksum::default();
    whole.update(&first.body);
    whole.update(&rest.body);
    assert_eq!(whole.finish(), (sum, size));
    let _ = io::stdout().flush();
}
