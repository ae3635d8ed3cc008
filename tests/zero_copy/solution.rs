//! Our answers to chapter 1's exercises (`exercises.rs` holds the tests;
//! `starter.rs` is where a reader writes their own).

use perf_workbook::zero_copy::server::client::{Client, Response};
use perf_workbook::zero_copy::transfer::MAX_CHUNK;
use std::io;
use std::path::{Component, Path, PathBuf};

// ANCHOR: exercise_1
/// Exercise 1: how many `read` calls does a read/write loop with a
/// `buf`-byte buffer make for a `size`-byte file?
pub fn predicted_reads(size: u64, buf: u64) -> u64 {
    // One read per buffer-full, the last one partial; none for an empty file.
    size.div_ceil(buf)
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Exercise 2: move `len` bytes with a syscall that may move fewer than
/// asked (`call(offset, count)`), fail with `Interrupted` (retry it) or
/// `WouldBlock` (call `wait`, then retry), or return 0 (the source ended:
/// an `UnexpectedEof` error). Ask for at most `MAX_CHUNK` bytes per call.
/// Return the bytes moved.
pub fn deliver_all(
    len: u64,
    mut call: impl FnMut(u64, usize) -> io::Result<usize>,
    mut wait: impl FnMut() -> io::Result<()>,
) -> io::Result<u64> {
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
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Exercise 3: join a requested name onto `root` with `Path::components`,
/// refusing anything that could leave it (`..`, an absolute name). Return
/// `None` for those.
pub fn confined_join(root: &Path, name: &str) -> Option<PathBuf> {
    let mut out = root.to_path_buf();
    for part in Path::new(name).components() {
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
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Exercise 4: a download of `path` stopped after `have` bytes. Ask the
/// server for the rest only, on `client`, and return its response.
pub fn resume_download(
    client: &mut Client,
    path: &str,
    have: u64,
) -> io::Result<Response> {
    // RFC 9110 §14.1.2: `bytes=N-` is everything from offset N to the end.
    client.request("GET", path, &format!("Range: bytes={have}-\r\n"))
}
// ANCHOR_END: exercise_4
