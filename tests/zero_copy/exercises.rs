//! Chapter 1's exercises: `cargo test --test zero_copy exercise`. To write
//! them yourself: `cargo test --test zero_copy --features starter`, then
//! edit tests/zero_copy/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use super::{pattern, serve};
use perf_workbook::measure::os;
use perf_workbook::zero_copy::files::{Checksum, Scratch, write_pattern_file};
use perf_workbook::zero_copy::fixture::{SECRET, SiteFixture};
use perf_workbook::zero_copy::loopback::tcp_pair;
use perf_workbook::zero_copy::read_write::read_write_loop;
use perf_workbook::zero_copy::server::client::Client;
use perf_workbook::zero_copy::transfer::{MAX_CHUNK, Reply, Script, wait_writable};
use std::io::{self, Read};
use std::os::fd::AsFd;

/// Exercise 1: the kernel's count of `read` calls matches the prediction,
/// at sizes that are and are not multiples of the buffer.
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
        assert_eq!(
            d.syscr,
            answer::predicted_reads(size, buf),
            "size {size}, buffer {buf}"
        );
    }
}

/// Exercise 2: the send loop survives a scripted syscall as awkward as a
/// real socket, then moves 8 MiB with the real sendfile.
#[test]
fn exercise_2_write_the_send_loop() {
    let mut s = Script::new(&[
        Reply::Move(3),
        Reply::Interrupted,
        Reply::WouldBlock,
        Reply::Move(1000),
        Reply::Interrupted,
    ]);
    let mut waits = 0;
    let n = answer::deliver_all(
        10_000,
        |o, k| s.call(o, k),
        || {
            waits += 1;
            Ok(())
        },
    );
    assert_eq!((n.unwrap(), waits), (10_000, 1));
    let mut s = Script::new(&[Reply::Move(10), Reply::Eof]);
    let e = answer::deliver_all(100, |o, k| s.call(o, k), || Ok(())).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    let mut s = Script::new(&[]);
    let len = 3 * MAX_CHUNK as u64;
    assert_eq!(answer::deliver_all(len, |o, k| s.call(o, k), || Ok(())).unwrap(), len);
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
    let sent = answer::deliver_all(
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

/// Exercise 3: the lexical check refuses every climb out of the root, and
/// still follows a symlink out: why the server opens with
/// `openat2(RESOLVE_BENEATH)`.
#[test]
fn exercise_3_confine_a_join() {
    let fx = SiteFixture::new().unwrap();
    let abs = fx.secret().to_str().unwrap().to_owned();
    for bad in ["../secret.txt", "sub/../../secret.txt", abs.as_str(), "/etc/passwd"] {
        assert_eq!(answer::confined_join(fx.root(), bad), None, "{bad}");
    }
    let ok = answer::confined_join(fx.root(), "./sub//inner.txt").unwrap();
    assert_eq!(std::fs::read_to_string(ok).unwrap(), "inner\n");
    // The lesson: a lexical check does not see symlinks. `link-out` passes
    // it and still opens the secret: this is why the server opens through
    // openat2(RESOLVE_BENEATH) or O_NOFOLLOW instead.
    let through_link = answer::confined_join(fx.root(), "link-out").unwrap();
    assert_eq!(std::fs::read_to_string(through_link).unwrap(), SECRET);
}

/// Exercise 4: a download cut after 1,234,567 bytes is finished by asking
/// for the rest only; the two parts make the whole file.
#[test]
fn exercise_4_resume_a_dropped_download() {
    let dir = Scratch::new("ex4").unwrap();
    let size: u64 = 3 << 20;
    let sum = write_pattern_file(&dir.join("f.bin"), size, 23).unwrap();
    let h = serve(dir.path(), 2);
    // The first attempt stops after 1,234,567 bytes.
    let first =
        Client::connect(h.addr()).unwrap().get_prefix("/f.bin", 1_234_567).unwrap();
    let mut c = Client::connect(h.addr()).unwrap();
    let rest =
        answer::resume_download(&mut c, "/f.bin", first.body.len() as u64).unwrap();
    assert_eq!(rest.status, 206);
    assert_eq!(first.body.len() + rest.body.len(), size as usize);
    let mut whole = Checksum::default();
    whole.update(&first.body);
    whole.update(&rest.body);
    assert_eq!(whole.finish(), (sum, size));
}
