//! Thread-local pools: a [`LocalPool`] in a `const`-initialised
//! `thread_local!`, so the hot path is a TLS address, the check that the
//! thread's destructors have not run yet, and a `Vec` push or pop: no atomics,
//! no lock, no borrow flag, no cache line shared with another thread.
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
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

/// Names one `thread_local!` [`LocalPool`]. Implemented by
/// [`thread_local_pool!`](crate::thread_local_pool), which declares the
/// `thread_local!` inside `key`, so every access is to a static the compiler
/// knows: it inlines the whole get/put path.
pub trait TlsKey: 'static {
    /// The pool's policy.
    type Recycler: Recycle + 'static;
    /// The calling thread's pool.
    fn key() -> &'static LocalKey<LocalPool<Self::Recycler>>;
}

/// Declares a type implementing [`TlsKey`] for a new `thread_local!` pool.
///
/// ```
/// use perf_workbook::pools::thread_local::TlsPool;
/// use perf_workbook::pools::{BufferRecycler, LocalStore, Pool};
///
/// perf_workbook::thread_local_pool! {
///     /// Each thread's 4 KiB buffers, at most 16 idle.
///     pub Buffers: BufferRecycler = const {
///         Pool::new(
///             LocalStore::with_bound(16),
///             BufferRecycler { initial_capacity: 4096, max_capacity: 1 << 20 },
///         )
///     };
/// }
/// static BUFFERS: TlsPool<Buffers> = TlsPool::new();
///
/// let mut buf = BUFFERS.get();
/// buf.extend_from_slice(b"hello");
/// drop(buf); // back into this thread's pool, cleared
/// assert_eq!(BUFFERS.idle(), 1);
/// ```
#[macro_export]
macro_rules! thread_local_pool {
    ($(#[$attr:meta])* $vis:vis $name:ident: $recycler:ty = const $init:block;) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug)]
        $vis struct $name;
        impl $crate::pools::thread_local::TlsKey for $name {
            type Recycler = $recycler;
            #[inline(always)]
            fn key() -> &'static ::std::thread::LocalKey<$crate::pools::LocalPool<$recycler>> {
                ::std::thread_local! {
                    static KEY: $crate::pools::LocalPool<$recycler> = const $init;
                }
                &KEY
            }
        }
    };
    ($(#[$attr:meta])* $vis:vis $name:ident: $recycler:ty = $init:expr;) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug)]
        $vis struct $name;
        impl $crate::pools::thread_local::TlsKey for $name {
            type Recycler = $recycler;
            #[inline(always)]
            fn key() -> &'static ::std::thread::LocalKey<$crate::pools::LocalPool<$recycler>> {
                ::std::thread_local! {
                    static KEY: $crate::pools::LocalPool<$recycler> = $init;
                }
                &KEY
            }
        }
    };
}

type Item<K> = <<K as TlsKey>::Recycler as Recycle>::Item;

/// A handle on the `thread_local!` pool `K`: `get` lends an object from the
/// calling thread's pool; the guard returns it to the pool of whichever
/// thread drops it. Zero-sized.
pub struct TlsPool<K>(PhantomData<fn() -> K>);

// ANCHOR: tls_pool
impl<K: TlsKey> TlsPool<K> {
    /// The handle.
    pub const fn new() -> Self {
        Self(PhantomData)
    }

    /// An object from this thread's pool (or a new one), returned on drop.
    #[inline(always)]
    pub fn get(&self) -> TlsPooled<K> {
        TlsPooled { item: ManuallyDrop::new(self.take()), key: PhantomData }
    }

    /// An object from this thread's pool, without a guard.
    #[inline(always)]
    pub fn take(&self) -> Item<K> {
        K::key().with(|pool| pool.take())
    }

    /// Gives `item` to this thread's pool. During thread exit, once the pool
    /// is gone, the item is dropped instead.
    #[inline(always)]
    pub fn put(&self, item: Item<K>) {
        let _ = K::key().try_with(move |pool| pool.put(item));
    }
    // ANCHOR_END: tls_pool

    /// Idle objects in this thread's pool.
    pub fn idle(&self) -> usize {
        K::key().with(|pool| pool.idle())
    }
}

impl<K: TlsKey> Default for TlsPool<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// An object on loan from a [`TlsPool`]: just the object (the pool is found
/// through `K` on drop).
pub struct TlsPooled<K: TlsKey> {
    /// Invariant: initialised until `drop` or `into_inner` takes it, once.
    item: ManuallyDrop<Item<K>>,
    key: PhantomData<fn() -> K>,
}

impl<K: TlsKey> TlsPooled<K> {
    /// Keeps the object: it will not go back to a pool.
    pub fn into_inner(self) -> Item<K> {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so `Drop::drop` cannot take `item`
        // a second time; this is the only take.
        unsafe { ManuallyDrop::take(&mut this.item) }
    }
}

impl<K: TlsKey> Deref for TlsPooled<K> {
    type Target = Item<K>;
    #[inline(always)]
    fn deref(&self) -> &Item<K> {
        &self.item
    }
}

impl<K: TlsKey> DerefMut for TlsPooled<K> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Item<K> {
        &mut self.item
    }
}

impl<K: TlsKey> std::fmt::Debug for TlsPooled<K>
where
    Item<K>: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TlsPooled").field(&*self.item).finish()
    }
}

impl<K: TlsKey> Drop for TlsPooled<K> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: `item` is initialised (invariant) and this runs once;
        // `into_inner` forgets the guard instead of dropping it.
        let item = unsafe { ManuallyDrop::take(&mut self.item) };
        TlsPool::<K>::new().put(item);
    }
}

// ANCHOR: obj64_pool
crate::thread_local_pool! {
    /// Each thread's pool of boxed 64-byte objects (at most 64 idle per thread).
    pub Obj64Pool: BoxRecycler<Obj64> = const {
        Pool::new(LocalStore::with_bound(64), BoxRecycler::new())
    };
}

/// The handle on [`Obj64Pool`].
pub static OBJ64_POOL: TlsPool<Obj64Pool> = TlsPool::new();
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
