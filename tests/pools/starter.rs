//! The exercises of `exercises.rs`, to write: replace each `todo!()`.
#![allow(unused)]
// The unwritten bodies do not use `Vec` methods yet, which clippy would
// answer by suggesting slices.
#![allow(clippy::ptr_arg)]

use super::Request;
use perf_workbook::pools::{LocalStore, SizeClassPool};

// ANCHOR: exercise_1
/// Cleans a request on its way back into the pool: nothing of the last
/// user may remain visible, and no buffer may lose its capacity.
pub fn reset_request(r: &mut Request) {
    // TODO: empty the path, the params and the body, keeping their capacity.
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Index of the power-of-two class (64, 128, …, 4096) that serves `len`
/// bytes: the smallest class `>= len`. `None` above 4096.
pub fn class_index(len: usize) -> Option<usize> {
    // TODO: round `len` up to a power of two (at least 64); class 0 is 64.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Builds the response for `body` in a pooled buffer and returns exactly
/// the bytes a client must receive. The buffer goes back to the pool.
pub fn respond(pool: &SizeClassPool<LocalStore<Vec<u8>>>, body: &[u8]) -> Vec<u8> {
    // TODO: take an *empty* buffer from the pool, append the status line
    // "HTTP/1.1 200 OK\r\n\r\n" and the body, return a copy, put it back.
    todo!()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// Puts `buf` back into `idle`: emptied, and only if `idle` holds fewer than
/// `bound` buffers and `buf`'s capacity is at most `max_capacity`. A buffer
/// not kept is dropped, which frees it.
pub fn put_capped(
    idle: &mut Vec<Vec<u8>>,
    mut buf: Vec<u8>,
    bound: usize,
    max_capacity: usize,
) {
    // TODO: keep it (cleared) when there is room and it is small enough.
    todo!()
}
// ANCHOR_END: exercise_4
