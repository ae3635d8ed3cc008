//! Seed 001's case studies (§6.1.1.10), done so that the pool helps instead
//! of leaking or allocating: a response writer that sends only what the
//! handler wrote, and a pipeline stage that moves the item it transforms.
//!
//! The faithful ports with their defects are in [`super::seed_port`]
//! (`seed_serve`, `seed_process`).

use super::object_pool::IdleStore;
use super::size_class::SizeClassPool;
use std::io::{self, Write};

// ANCHOR: serve
/// Serves one request: a pooled buffer (empty, capacity 4 KiB) goes to the
/// handler, which appends its response; only those bytes reach the client;
/// the buffer goes back cleared. Returns the bytes written.
pub fn serve<S: IdleStore<Item = Vec<u8>>>(
    pool: &SizeClassPool<S>,
    client: &mut impl Write,
    handler: impl FnOnce(&mut Vec<u8>),
) -> io::Result<usize> {
    let mut buf = pool.get_empty(4096);
    handler(&mut buf);
    let result = client.write_all(&buf).map(|()| buf.len());
    pool.put(buf); // cleared on the way in
    result
}
// ANCHOR_END: serve

// ANCHOR: process
/// The pipeline stage: takes the item, transforms it in place, passes it on.
/// No copy, no allocation, and the output is exactly as long as the input.
pub fn process_in_place(mut data: Vec<u8>) -> Vec<u8> {
    data.make_ascii_uppercase(); // "the processing"
    data
}
// ANCHOR_END: process

/// The seed's stage without its pool: one fresh copy per item. The baseline
/// the seed's pooled version should have beaten.
pub fn process_by_copy(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    out.make_ascii_uppercase();
    out
}
