//! Our answers to the exercises of `exercises.rs`.

use super::Request;
use perf_workbook::pools::{LocalStore, SizeClassPool};

// ANCHOR: exercise_1
/// Cleans a request on its way back into the pool: nothing of the last
/// user may remain visible, and no buffer may lose its capacity.
pub fn reset_request(r: &mut Request) {
    r.path.clear();
    r.params.clear();
    r.body.clear();
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Index of the power-of-two class (64, 128, …, 4096) that serves `len`
/// bytes: the smallest class `>= len`. `None` above 4096.
pub fn class_index(len: usize) -> Option<usize> {
    let class = len.max(64).next_power_of_two();
    (class <= 4096).then(|| (class.trailing_zeros() - 6) as usize)
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Builds the response for `body` in a pooled buffer and returns exactly
/// the bytes a client must receive. The buffer goes back to the pool.
pub fn respond(pool: &SizeClassPool<LocalStore<Vec<u8>>>, body: &[u8]) -> Vec<u8> {
    let mut buf = pool.get_empty(4096); // length 0: nothing of the last user
    buf.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\n");
    buf.extend_from_slice(body);
    let response = buf.clone(); // stands for `client.write_all(&buf)`
    pool.put(buf);
    response
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
    if idle.len() < bound && buf.capacity() <= max_capacity {
        buf.clear();
        idle.push(buf);
    }
}
// ANCHOR_END: exercise_4
