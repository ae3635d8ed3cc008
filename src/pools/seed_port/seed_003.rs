//! Seed 003, strategy 1 (L171-197): `process()` takes a `*bytes.Buffer` from
//! a `sync.Pool`, uses it, and in a deferred function `Reset`s it and `Put`s
//! it back. The seed says what this buys (L218): 60–80% fewer allocations.
//!
//! The port keeps the shape: the pool stores a *pointer* (a `Box<Vec<u8>>`,
//! so `Put` boxes nothing, unlike D08), `New` makes an empty buffer, and the
//! reset clears the buffer and keeps its capacity, as `bytes.Buffer.Reset`
//! does. What "use buf" means is the caller's: the seed leaves it open.

use super::SyncPoolModel;

// ANCHOR: process
/// `process()` with the pool: get (or `new(bytes.Buffer)`), use, reset, put.
pub fn process_pooled<R>(
    pool: &SyncPoolModel,
    use_buf: impl FnOnce(&mut Vec<u8>) -> R,
) -> R {
    let mut buf = pool.get_pointer::<Vec<u8>>().unwrap_or_default();
    let result = use_buf(&mut buf);
    buf.clear(); // buf.Reset(): length 0, capacity kept
    pool.put_pointer(buf);
    result
}

/// `process()` without the pool: a fresh buffer per call. Go's
/// `new(bytes.Buffer)` that does not escape lives on the stack, so the only
/// allocations are the buffer's growth, as with an empty `Vec` here.
pub fn process_fresh<R>(use_buf: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buf = Vec::new();
    use_buf(&mut buf)
}
// ANCHOR_END: process
