//! Seed 003 策略3 L274-283: building a string in a pooled byte buffer, and
//! its `defer bytePool.Put(buf)` bug (defect D53).
//!
//! Go evaluates a deferred call's arguments when the `defer` statement runs,
//! so `Put` receives the slice header `buf` had **before** the loop's
//! `append`s. To port that faithfully, [`GoSlice`] models a Go slice header
//! (shared backing array, length, capacity) and Go's `append`; the port copies
//! the header at the `defer` line exactly as Go does. This shows what the Go
//! specification implies; it is not a Go run.
//!
//! Not a pool chapter: [`BytePool`] is the smallest pool that shows the
//! point (the `pools` chapter measures real ones).

use std::cell::RefCell;
use std::rc::Rc;

/// A Go slice header: a shared backing array, a length and a capacity.
/// `Clone` copies the header, as assigning a slice does in Go.
#[derive(Clone, Debug)]
pub struct GoSlice {
    backing: Rc<RefCell<Vec<u8>>>,
    len: usize,
}

impl GoSlice {
    /// `make([]byte, len, cap)`.
    pub fn make(len: usize, cap: usize) -> Self {
        assert!(len <= cap);
        Self { backing: Rc::new(RefCell::new(vec![0; cap])), len }
    }

    /// `len(s)`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `len(s) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `cap(s)`.
    pub fn cap(&self) -> usize {
        self.backing.borrow().len()
    }

    /// `append(s, bytes...)`: writes in place when the capacity suffices,
    /// else copies into a new backing array of at least double the capacity
    /// (Go's exact growth factor does not matter here).
    pub fn append(self, bytes: &[u8]) -> Self {
        let needed = self.len + bytes.len();
        if needed <= self.cap() {
            self.backing.borrow_mut()[self.len..needed].copy_from_slice(bytes);
            return Self { backing: self.backing, len: needed };
        }
        let mut grown = vec![0; needed.max(2 * self.cap())];
        grown[..self.len].copy_from_slice(&self.backing.borrow()[..self.len]);
        grown[self.len..needed].copy_from_slice(bytes);
        Self { backing: Rc::new(RefCell::new(grown)), len: needed }
    }

    /// `string(s)`: copies the `len` visible bytes.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.backing.borrow()[..self.len]).into_owned()
    }

    /// True when both headers point at the same backing array.
    pub fn shares_backing_with(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.backing, &other.backing)
    }
}

/// A pool of Go slices. `get_len_n` chooses the unspecified semantics of the
/// seed's `bytePool.Get(n)`: `make([]byte, n)` (length n) or
/// `make([]byte, 0, n)` (length 0).
#[derive(Debug, Default)]
pub struct GoBytePool {
    free: Vec<GoSlice>,
    /// `Get(n)` returns a slice of length `n` (else of length 0).
    pub get_len_n: bool,
}

impl GoBytePool {
    /// An empty pool whose `Get(n)` returns length `n` when `get_len_n`.
    pub fn new(get_len_n: bool) -> Self {
        Self { free: Vec::new(), get_len_n }
    }

    /// `bytePool.Get(n)`.
    pub fn get(&mut self, n: usize) -> GoSlice {
        match self.free.pop() {
            Some(s) if s.cap() >= n => {
                GoSlice { len: if self.get_len_n { n } else { 0 }, ..s }
            }
            _ => GoSlice::make(if self.get_len_n { n } else { 0 }, n),
        }
    }

    /// `bytePool.Put(buf)`.
    pub fn put(&mut self, buf: GoSlice) {
        self.free.push(buf);
    }

    /// The slices waiting in the pool.
    pub fn pooled(&self) -> &[GoSlice] {
        &self.free
    }
}

// ANCHOR: seed_port
/// Seed 003 L275-283, ported faithfully onto [`GoSlice`].
pub fn build_string_seed_port(pool: &mut GoBytePool, items: &[&str]) -> String {
    let mut buf = pool.get(items.len() * 10);
    let deferred_put_argument = buf.clone(); // `defer bytePool.Put(buf)`
    for item in items {
        buf = buf.append(item.as_bytes());
    }
    let result = buf.to_string_lossy(); // `return string(buf)`
    pool.put(deferred_put_argument); // the deferred call runs now
    result
}
// ANCHOR_END: seed_port

/// A pool of byte buffers that hands them out empty.
#[derive(Debug, Default)]
pub struct BytePool {
    free: Vec<Vec<u8>>,
}

impl BytePool {
    /// An empty buffer with capacity for at least `n` bytes.
    pub fn get(&mut self, n: usize) -> Vec<u8> {
        let mut buf = self.free.pop().unwrap_or_default();
        buf.clear();
        buf.reserve(n);
        buf
    }

    /// Returns a buffer for reuse.
    pub fn put(&mut self, buf: Vec<u8>) {
        self.free.push(buf);
    }

    /// Capacities of the pooled buffers.
    pub fn capacities(&self) -> Vec<usize> {
        self.free.iter().map(Vec::capacity).collect()
    }
}

// ANCHOR: rust_build
/// The Rust version: the buffer is moved back into the pool at the end, so
/// the pool gets the *grown* buffer, and the result is one exact-size copy.
pub fn build_string_pooled(pool: &mut BytePool, items: &[&str]) -> String {
    let mut buf = pool.get(items.len() * 10);
    for item in items {
        buf.extend_from_slice(item.as_bytes());
    }
    let result = std::str::from_utf8(&buf).expect("joined `str`s are UTF-8").to_owned();
    pool.put(buf);
    result
}
// ANCHOR_END: rust_build

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_append_shares_until_it_outgrows() {
        let a = GoSlice::make(0, 4);
        let b = a.clone().append(b"ab");
        assert!(b.shares_backing_with(&a));
        assert_eq!((a.len(), b.len()), (0, 2));
        let c = b.clone().append(b"cde");
        assert!(!c.shares_backing_with(&b));
        assert_eq!(c.to_string_lossy(), "abcde");
        assert_eq!(c.cap(), 8);
    }

    #[test]
    fn seed_port_is_right_only_when_get_returns_length_zero() {
        let items = ["abc"; 4];
        let mut pool = GoBytePool::default();
        assert_eq!(build_string_seed_port(&mut pool, &items), items.concat());
        let mut pool = GoBytePool::new(true);
        let out = build_string_seed_port(&mut pool, &items);
        assert_eq!(out.len(), 40 + 12);
        assert!(out.starts_with(&"\0".repeat(40)));
    }
}
