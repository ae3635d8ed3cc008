//! Faithful ports of the seeds' Go code whose *Go* behaviour a claim is
//! about: they model what the Go specification and runtime do, so that the
//! counting allocator can count what the Go program does. They are not Go
//! runs, and not how Rust would be written (the Rust idioms live in
//! [`super::growth`] and [`super::bytepool`], labelled as Rust analogues).
//!
//! - [`GoStr`] and [`go_plus_assign`]: seed 003 策略3 L256-262, `result +=
//!   item` on Go's immutable strings (claims C003-15, C003-18);
//! - [`GoSlice`], [`GoBytePool`] and [`build_string_seed_port`]: seed 003
//!   策略3 L274-283, the pooled build and its `defer bytePool.Put(buf)`
//!   (defect D53).
//!
//! The seeds' code that does not compile (or that Rust refuses) is ported
//! line by line under `snippets/` and compiled by [`super::rustc`].

use std::cell::RefCell;
use std::rc::Rc;

// ANCHOR: go_string
/// A Go `string` header: a pointer to immutable bytes and a length. Copying
/// the header shares the bytes; only a concatenation that has to join two
/// non-empty strings makes new ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum GoStr<'a> {
    /// The empty string `""`: no bytes at all.
    #[default]
    Empty,
    /// A header pointing at bytes that already exist (a string the caller
    /// passed in).
    Shared(&'a str),
    /// A header pointing at bytes a concatenation allocated.
    Allocated(Box<str>),
}

impl<'a> GoStr<'a> {
    /// The bytes, as text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Empty => "",
            Self::Shared(s) => s,
            Self::Allocated(s) => s,
        }
    }

    /// `self + b` as Go's runtime computes it (`concatstrings` in
    /// runtime/string.go): when one side is empty the other header is the
    /// result, nothing copied; otherwise a new string of `len(a) + len(b)`
    /// bytes is allocated and both are copied into it. A result that
    /// escapes its function (as the seed's `result` does, being returned)
    /// never gets the runtime's 32-byte stack buffer, so every such join
    /// allocates. `self` is taken by value: the old header is replaced, as
    /// `result = result + item` replaces it in Go.
    pub fn concat(self, b: &'a str) -> GoStr<'a> {
        if b.is_empty() {
            return self;
        }
        let a = self.as_str();
        if a.is_empty() {
            return Self::Shared(b);
        }
        let mut bytes = String::with_capacity(a.len() + b.len());
        bytes.push_str(a);
        bytes.push_str(b);
        Self::Allocated(bytes.into_boxed_str())
    }
}

/// Seed 003 L256-262 on Go's strings: `result := ""`, then `result += item`
/// for every item. Each `+=` after the first joins two non-empty strings, so
/// it allocates a string as long as everything so far; the previous one is
/// garbage (in Go, until the next collection; here, freed at once).
pub fn go_plus_assign<'a>(items: &[&'a str]) -> GoStr<'a> {
    let mut result = GoStr::Empty;
    for item in items {
        result = result.concat(item);
    }
    result
}
// ANCHOR_END: go_string

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
/// Seed 003 L275-283, ported faithfully onto [`GoSlice`]. Go evaluates a
/// deferred call's arguments when the `defer` statement runs, so `Put`
/// receives the header `buf` had **before** the loop's `append`s; the port
/// copies the header at that line, as Go does.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_strings_join_like_go() {
        let items = ["ab", "", "cd", "e"];
        let s = go_plus_assign(&items);
        assert_eq!(s.as_str(), "abcde");
        // "" + "ab" shares "ab"; joining with "" keeps the header.
        assert_eq!(GoStr::Empty.concat("ab"), GoStr::Shared("ab"));
        assert_eq!(GoStr::Shared("ab").concat(""), GoStr::Shared("ab"));
        assert!(matches!(GoStr::Shared("ab").concat("c"), GoStr::Allocated(_)));
        assert_eq!(go_plus_assign(&[]).as_str(), "");
    }

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
