//! Thread-local pools: a [`LocalPool`] in a `thread_local!`, so the hot path
//! is a TLS lookup, a `RefCell` flag and a `Vec` push or pop: no atomics, no
//! lock, no cache line shared with another thread.
//!
//! Seed 001's `ThreadLocalPool` (§6.1.1.6.2 L487-536) is one global map
//! behind an `RWMutex`, shared by every goroutine (D40). Rust's `thread_local!`
//! is what the name promises: each thread has its own pool, created on the
//! thread's first use and dropped (with its idle objects) when it exits.
//!
//! The cost of that: an object that moves to another thread goes back into
//! *that* thread's pool. In a producer → consumer pipeline the producer's pool
//! stays empty (it allocates every time) and the consumer's fills up to its
//! bound; use a shared pool ([`super::object_pool::ShardedStore`]) there.
//!
//! Not for: pooling across threads, or objects that must be returned to the
//! thread that made them.

use super::object_pool::{BoxRecycler, LocalPool, LocalStore, Obj64, Pool, Recycle};
use super::size_class::SizeClassPool;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

/// A handle on a `thread_local!` [`LocalPool`]: `get` lends an object from
/// the calling thread's pool; the guard returns it to the pool of whichever
/// thread drops it.
pub struct TlsPool<R: Recycle + 'static> {
    key: &'static LocalKey<LocalPool<R>>,
}

// ANCHOR: tls_pool
impl<R: Recycle + 'static> TlsPool<R> {
    /// Wraps the `thread_local!` pool `key`.
    pub const fn new(key: &'static LocalKey<LocalPool<R>>) -> Self {
        Self { key }
    }

    /// An object from this thread's pool (or a new one), returned on drop.
    pub fn get(&self) -> TlsPooled<R> {
        TlsPooled { item: ManuallyDrop::new(self.take()), key: self.key }
    }

    /// An object from this thread's pool, without a guard.
    pub fn take(&self) -> R::Item {
        self.key.with(|pool| pool.take())
    }

    /// Gives `item` to this thread's pool. During thread exit, once the pool
    /// is gone, the item is dropped instead.
    pub fn put(&self, item: R::Item) {
        let _ = self.key.try_with(move |pool| pool.put(item));
    }
    // ANCHOR_END: tls_pool

    /// Idle objects in this thread's pool.
    pub fn idle(&self) -> usize {
        self.key.with(|pool| pool.idle())
    }
}

/// An object on loan from a [`TlsPool`].
pub struct TlsPooled<R: Recycle + 'static> {
    /// Invariant: initialised until `drop` or `into_inner` takes it, once.
    item: ManuallyDrop<R::Item>,
    key: &'static LocalKey<LocalPool<R>>,
}

impl<R: Recycle + 'static> TlsPooled<R> {
    /// Keeps the object: it will not go back to a pool.
    pub fn into_inner(self) -> R::Item {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so `Drop::drop` cannot take `item`
        // a second time; this is the only take.
        unsafe { ManuallyDrop::take(&mut this.item) }
    }
}

impl<R: Recycle + 'static> Deref for TlsPooled<R> {
    type Target = R::Item;
    fn deref(&self) -> &R::Item {
        &self.item
    }
}

impl<R: Recycle + 'static> DerefMut for TlsPooled<R> {
    fn deref_mut(&mut self) -> &mut R::Item {
        &mut self.item
    }
}

impl<R: Recycle + 'static> Drop for TlsPooled<R> {
    fn drop(&mut self) {
        // SAFETY: `item` is initialised (invariant) and this runs once;
        // `into_inner` forgets the guard instead of dropping it.
        let item = unsafe { ManuallyDrop::take(&mut self.item) };
        TlsPool::new(self.key).put(item);
    }
}

// ANCHOR: obj64_pool
thread_local! {
    static OBJ64: LocalPool<BoxRecycler<Obj64>> =
        const { Pool::new(LocalStore::with_bound(64), BoxRecycler::new()) };
}

/// Each thread's pool of boxed 64-byte objects (at most 64 idle per thread).
pub static OBJ64_POOL: TlsPool<BoxRecycler<Obj64>> = TlsPool::new(&OBJ64);
// ANCHOR_END: obj64_pool

thread_local! {
    static BYTES: SizeClassPool<LocalStore<Vec<u8>>> =
        SizeClassPool::local(BYTES_MIN_CLASS, BYTES_MAX_CLASS, BYTES_IDLE_PER_CLASS);
}

/// Smallest class of the thread-local byte pool.
pub const BYTES_MIN_CLASS: usize = 64;
/// Largest class of the thread-local byte pool; larger requests are not pooled.
pub const BYTES_MAX_CLASS: usize = 1 << 20;
/// Idle buffers kept per class and thread: at most 8 × (2 MiB − 64 B) idle
/// per thread in all.
pub const BYTES_IDLE_PER_CLASS: usize = 8;

/// This thread's size-class byte pool: `get(len)` (zeroed, length `len`).
pub fn bytes_get(len: usize) -> Vec<u8> {
    BYTES.with(|p| p.get(len))
}

/// This thread's size-class byte pool: an empty buffer of capacity `>= capacity`.
pub fn bytes_get_empty(capacity: usize) -> Vec<u8> {
    BYTES.with(|p| p.get_empty(capacity))
}

/// Gives `buf` to this thread's size-class byte pool.
pub fn bytes_put(buf: Vec<u8>) {
    let _ = BYTES.try_with(move |p| p.put(buf));
}

/// Idle buffers in this thread's size-class byte pool.
pub fn bytes_idle() -> usize {
    BYTES.with(|p| p.idle())
}
