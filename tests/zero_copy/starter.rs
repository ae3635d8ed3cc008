//! Chapter 1's exercises, to write yourself: `cargo test --test zero_copy
//! --features starter` runs the tests of `exercises.rs` against this file.
//! Replace each `todo!()`; the hints say where to look.
#![allow(unused)]

use perf_workbook::zero_copy::server::client::{Client, Response};
use perf_workbook::zero_copy::transfer::MAX_CHUNK;
use std::io;
use std::path::{Component, Path, PathBuf};

// ANCHOR: exercise_1
/// Exercise 1: how many `read` calls does a read/write loop with a
/// `buf`-byte buffer make for a `size`-byte file?
pub fn predicted_reads(size: u64, buf: u64) -> u64 {
    // TODO: one read per buffer-full; mind the last, partial one and the
    // empty file (the loop stops as soon as it has `size` bytes).
    todo!()
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
    // TODO: loop until `len` bytes have moved, each call starting where the
    // last one ended; match on `io::ErrorKind` for the two retryable errors.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Exercise 3: join a requested name onto `root` with `Path::components`,
/// refusing anything that could leave it (`..`, an absolute name). Return
/// `None` for those.
pub fn confined_join(root: &Path, name: &str) -> Option<PathBuf> {
    // TODO: push each `Component::Normal` onto a copy of `root`; skip
    // `CurDir`; refuse `ParentDir`, `RootDir` and `Prefix`.
    todo!()
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
    // TODO: `client.request(verb, path, extra_headers)` sends extra header
    // lines as given (each ends in "\r\n"); HTTP's `Range` header asks for
    // part of a file.
    todo!()
}
// ANCHOR_END: exercise_4
