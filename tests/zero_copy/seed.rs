//! The seed's code, ported (`seed_port.rs`), beside the fixes: each port
//! fails on an input where the fix passes, and passes where the seed's
//! assumption holds.

use super::pattern;
use perf_workbook::measure::{alloc, child};
use perf_workbook::zero_copy::children::child_figure;
use perf_workbook::zero_copy::files::{Checksum, Scratch, sparse_file};
use perf_workbook::zero_copy::loopback::{Loopback, tcp_pair};
use perf_workbook::zero_copy::method::{Method, Sender};
use perf_workbook::zero_copy::ports_vs_fixes::{Compiled, type_check};
use perf_workbook::zero_copy::seed_port::{
    self, SEED_SEND_FILE_STUB, SEND_FILE_WITH_A_BODY, SeedError,
};
use perf_workbook::zero_copy::sendfile::{sendfile_all, sendfile_all_with};
use perf_workbook::zero_copy::splice::{SplicePipe, splice_all};
use perf_workbook::zero_copy::transfer::wait_writable;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::time::Duration;

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
        "seed::stale_fd_numbers_splice_into_the_next_request",
        "zero_copy::stale_fd",
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(o.success(), "{}: {}", o.describe(), o.stderr);
    assert_eq!(child_figure(&o.stdout, "reused"), Some(1), "{}", o.stdout);
    assert_eq!(child_figure(&o.stdout, "stray"), Some(4096), "{}", o.stdout);
    // The scoped version cannot do it: the pipe outlives the helper.
    let dir = Scratch::new("scoped").unwrap();
    std::fs::write(dir.join("a"), [b'A'; 4096]).unwrap();
    assert_eq!(seed_port::scoped_splice(&File::open(dir.join("a")).unwrap()).unwrap(), 0);
}

#[test]
fn the_unchecked_assertion_panics_where_impl_asfd_just_works() {
    use std::os::unix::net::UnixStream;
    // On TCP, the connection the seed expects, the assertion passes.
    let (tcp, _peer) = tcp_pair().unwrap();
    assert!(seed_port::seed_tcp_conn(&tcp).peer_addr().is_ok());
    // On a Unix-domain stream, also a net.Conn in Go, it panics.
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

/// Seed 002's `SendFile` is a signature over a comment. Its Rust port does
/// not type-check (the body returns `()`, not the promised count); the same
/// signature with a body does.
#[test]
fn the_stub_send_file_does_not_compile_and_a_body_does() {
    assert_eq!(
        type_check(SEED_SEND_FILE_STUB).unwrap(),
        Compiled::Failed(Some("E0308".into()))
    );
    assert_eq!(type_check(SEND_FILE_WITH_A_BODY).unwrap(), Compiled::Ok);
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
