//! The smallest pool worth timing, so that a pool figure has a floor to be
//! compared with: a single-threaded free list of 1024-byte buffers.
//!
//! [`TinyBytePool`] stores owned `Vec<u8>`s: `get` pops one (or allocates the
//! first time), `put` clears it and pushes it back. After warm-up a get+put
//! makes no allocator call at all. [`BoxingPool`] is the same free list
//! storing each buffer behind a `Box<dyn Any>`, the Rust analogue of Go's
//! `sync.Pool` holding a `[]byte` in an `interface{}`: every `put` allocates
//! a 24-byte box for the `Vec` header and every `get` frees it (seed 001's
//! `MemoryPool`, §6.1.1.6.1 L459-483; its benchmark is ported in
//! [`super::seed_port::memory_pool_get_put`]).
//!
//! This is not the pools chapter: no thread safety, no size classes, no
//! bounds beyond a maximum free-list length. It exists to answer one question
//! with a measurement: how long does the least work a pool can do take here?

use std::any::Any;
use std::hint::black_box;

/// Capacity of every buffer the chapter's pools hand out.
pub const BUFFER_CAPACITY: usize = 1024;

// ANCHOR: tiny_pool
/// A free list of byte buffers of one capacity. Not thread-safe (`&mut self`).
#[derive(Debug)]
pub struct TinyBytePool {
    /// Buffers ready for reuse; each has `capacity() >= buffer_capacity` and
    /// `len() == 0`.
    free: Vec<Vec<u8>>,
    buffer_capacity: usize,
    max_free: usize,
}

impl TinyBytePool {
    /// A pool of buffers with capacity `buffer_capacity`, keeping at most
    /// `max_free` of them.
    pub fn new(buffer_capacity: usize, max_free: usize) -> Self {
        Self { free: Vec::with_capacity(max_free), buffer_capacity, max_free }
    }

    /// An empty buffer with at least the pool's capacity: a reused one if
    /// there is one, else a new allocation.
    #[inline]
    pub fn get(&mut self) -> Vec<u8> {
        self.free.pop().unwrap_or_else(|| Vec::with_capacity(self.buffer_capacity))
    }

    /// Takes `buf` back (emptied) unless the pool is full or `buf` is too small.
    #[inline]
    pub fn put(&mut self, mut buf: Vec<u8>) {
        if self.free.len() < self.max_free && buf.capacity() >= self.buffer_capacity {
            buf.clear();
            self.free.push(buf);
        }
    }
}
// ANCHOR_END: tiny_pool

impl TinyBytePool {
    /// Buffers waiting for reuse.
    pub fn free_len(&self) -> usize {
        self.free.len()
    }
}

/// The same free list, but each stored buffer is boxed as `dyn Any`, as Go's
/// `sync.Pool` boxes a `[]byte` in an `interface{}`.
#[derive(Debug, Default)]
pub struct BoxingPool {
    free: Vec<Box<dyn Any>>,
}

impl BoxingPool {
    /// An empty pool.
    pub fn new() -> Self {
        Self { free: Vec::with_capacity(16) }
    }

    /// A reused buffer (unboxed, which frees its box) or a new one.
    #[inline]
    pub fn get(&mut self) -> Vec<u8> {
        match self.free.pop() {
            Some(b) => *b.downcast::<Vec<u8>>().expect("only Vec<u8> is stored"),
            None => Vec::with_capacity(BUFFER_CAPACITY),
        }
    }

    /// Boxes `buf` and stores it: one allocation for the box, every time.
    #[inline]
    pub fn put(&mut self, mut buf: Vec<u8>) {
        buf.clear();
        self.free.push(Box::new(buf));
    }
}

// ANCHOR: pool_loops
/// The least work a pool can do: get a buffer, hand it to the caller
/// (`black_box`), put it back. The pool itself also goes through
/// `black_box`, because in a program the pool is shared state the compiler
/// cannot keep in registers across iterations.
#[inline(never)]
pub fn tiny_pool_get_put(iters: u64) {
    let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 16);
    pool.put(Vec::with_capacity(BUFFER_CAPACITY));
    for _ in 0..iters {
        let p = black_box(&mut pool);
        let buf = p.get();
        p.put(black_box(buf));
    }
}

/// The same get+put with nothing observed: the result is unused and the pool
/// is a local the compiler can see through.
#[inline(never)]
pub fn tiny_pool_get_put_unused(iters: u64) {
    let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 16);
    pool.put(Vec::with_capacity(BUFFER_CAPACITY));
    for _ in 0..iters {
        let buf = pool.get();
        pool.put(buf);
        black_box(());
    }
}
// ANCHOR_END: pool_loops

/// The baseline beside every pool: a fresh 1024-byte buffer from the
/// allocator and back (malloc + free), kept alive with `black_box`.
#[inline(never)]
pub fn malloc_free_1024(iters: u64) {
    for _ in 0..iters {
        drop(black_box(Vec::<u8>::with_capacity(BUFFER_CAPACITY)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_reuses_the_buffer_put_back() {
        let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 2);
        let mut a = pool.get();
        a.extend_from_slice(b"stale");
        let ptr = a.as_ptr();
        pool.put(a);
        let b = pool.get();
        assert_eq!(b.as_ptr(), ptr);
        assert!(b.is_empty() && b.capacity() >= BUFFER_CAPACITY);
    }

    #[test]
    fn a_full_pool_drops_the_extra_buffer() {
        let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 1);
        pool.put(Vec::with_capacity(BUFFER_CAPACITY));
        pool.put(Vec::with_capacity(BUFFER_CAPACITY));
        pool.put(Vec::with_capacity(8)); // too small: dropped
        assert_eq!(pool.free_len(), 1);
    }

    #[test]
    fn the_boxing_pool_hands_back_the_same_buffer() {
        let mut pool = BoxingPool::new();
        let a = pool.get();
        let ptr = a.as_ptr();
        pool.put(a);
        let b = pool.get();
        assert_eq!(b.as_ptr(), ptr);
    }
}
