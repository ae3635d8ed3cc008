//! Chapter 4's exercises: `cargo test --test pools exercise`. To write them
//! yourself: `cargo test --test pools --features starter`, then edit
//! tests/pools/starter.rs until they pass.
#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use crate::n;
use perf_workbook::measure::alloc::measure;
use perf_workbook::pools::stale_data::{HELLO, SECRET};
use perf_workbook::pools::{LocalStore, Pool, SizeClassPool, WithFns};

// ANCHOR: exercise_1_types
/// A request's working state, pooled between requests.
#[derive(Debug, Default)]
pub struct Request {
    /// The path, query included.
    pub path: String,
    /// (start, end) of each query parameter in `path`.
    pub params: Vec<(u32, u32)>,
    /// The body.
    pub body: Vec<u8>,
}
// ANCHOR_END: exercise_1_types

fn handle(r: &mut Request, user: &str) {
    r.path.push_str("/account?user=");
    r.path.push_str(user);
    r.params.push((9, r.path.len() as u32));
    r.body.extend_from_slice(user.as_bytes());
}

/// Exercise 1: the reset a pool runs when a request comes back.
#[test]
fn exercise_1_reset_a_request_on_return() {
    let pool = Pool::new(
        LocalStore::with_bound(4),
        WithFns::new(Request::default, answer::reset_request),
    );
    drop(pool.get()); // warm-up: the first request allocates its buffers
    {
        let mut r = pool.get();
        handle(&mut r, "alice");
    }
    let r = pool.get();
    assert!(r.path.is_empty() && r.params.is_empty() && r.body.is_empty(), "{r:?}");
    assert!(r.path.capacity() > 0 && r.body.capacity() > 0, "capacity kept");
    drop(r);
    let ((), c) = measure(|| {
        for _ in 0..n(1000) {
            let mut r = pool.get();
            handle(&mut r, "bob");
        }
    });
    assert_eq!(c.calls(), 0, "no allocation once warm");
}

/// Exercise 2: the size class that serves a request.
#[test]
fn exercise_2_size_class_of_a_request() {
    use answer::class_index;
    assert_eq!(class_index(0), Some(0));
    assert_eq!(class_index(64), Some(0));
    assert_eq!(class_index(65), Some(1));
    assert_eq!(class_index(100), Some(1)); // 128
    assert_eq!(class_index(4096), Some(6));
    assert_eq!(class_index(4097), None);
    let pool = SizeClassPool::local(64, 4096, 1);
    let last = if cfg!(miri) { 300 } else { 5000 };
    for len in 0..=last {
        assert_eq!(class_index(len), pool.class_of(len), "len {len}");
    }
}

/// Exercise 3: a response built in a pooled buffer that leaks nothing.
#[test]
fn exercise_3_respond_without_leaking_the_last_request() {
    let pool = SizeClassPool::local(64, 4096, 4);
    let alice = answer::respond(&pool, SECRET);
    assert!(alice.ends_with(SECRET));
    let bob = answer::respond(&pool, HELLO);
    assert_eq!(bob, b"HTTP/1.1 200 OK\r\n\r\nhello bob");
    assert_eq!(pool.idle(), 1, "the buffer went back");
}

/// Exercise 4: a put that keeps at most `bound` buffers, none above a cap.
#[test]
fn exercise_4_keep_what_the_pool_should_keep() {
    const BOUND: usize = 2;
    const CAP: usize = 64 << 10;
    let mut idle: Vec<Vec<u8>> = Vec::with_capacity(BOUND);
    // An oversized buffer is freed, not kept.
    let big = Vec::<u8>::with_capacity(1 << 20);
    let ((), c) = measure(|| answer::put_capped(&mut idle, big, BOUND, CAP));
    assert!(idle.is_empty(), "kept a buffer above the cap");
    assert_eq!(c.bytes_freed, 1 << 20, "the oversized buffer is freed");
    // Small ones are kept, emptied, with their capacity, up to the bound.
    for _ in 0..BOUND {
        let mut b = Vec::with_capacity(4096);
        b.extend_from_slice(b"last user's bytes");
        answer::put_capped(&mut idle, b, BOUND, CAP);
    }
    assert_eq!(idle.len(), BOUND);
    assert!(idle.iter().all(|b| b.is_empty() && b.capacity() >= 4096), "{idle:?}");
    let extra = Vec::<u8>::with_capacity(4096);
    let ((), c) = measure(|| answer::put_capped(&mut idle, extra, BOUND, CAP));
    assert_eq!(idle.len(), BOUND, "kept a buffer past the bound");
    assert_eq!(c.bytes_freed, 4096, "the buffer past the bound is freed");
}
