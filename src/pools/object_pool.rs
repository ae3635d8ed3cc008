//! A generic object pool: a [`Recycle`] policy (how to make, reset and vet an
//! object) over an [`IdleStore`] (where idle objects wait), handing out a
//! [`Pooled`] guard that gives the object back when dropped.
//!
//! The seeds' pools reset an object when it *leaves* the pool (seed 000
//! §1.2.1 L177-183, D09), keep every buffer however large (D08), and in one
//! case cannot reset at all because the reset works on a copy (D35). This pool
//! resets on the way *in*, so an idle object holds nothing of its last user;
//! drops what [`Recycle::keep`] rejects (a buffer grown past a cap); and keeps
//! at most `bound` idle objects, dropping the rest.
//!
//! Four stores, same pool:
//! - [`LocalStore`]: a `Vec<T>` of one thread (no atomics, no lock, no borrow
//!   flag). Put one in a `thread_local!` for a thread-local pool
//!   ([`super::thread_local`]).
//! - [`MutexStore`]: one `Mutex<Vec<T>>` shared by every thread.
//! - [`QueueStore`]: a lock-free bounded `crossbeam_queue::ArrayQueue`.
//! - [`ShardedStore`]: one shard per thread, owned by it: an unsynchronised
//!   list for its owner, an atomic queue for the others ([`super::sharded`]).
//!
//! The hot path (`get`, the guard's drop, `put`, the store's `pop` and
//! `push`) is `#[inline(always)]`: a pooled `Vec<u8>` is three words, and
//! when it crosses a call it goes through memory, where a 24-byte value
//! stored in one width and loaded in another stalls the CPU's
//! store-to-load forwarding on every get + put. Inlined, it stays in
//! registers.
//!
//! Not for: objects that must be shared while in use (use `Arc`), or memory
//! the allocator already recycles well (small short-lived objects; the
//! chapter measures where the line is).

use crossbeam_queue::ArrayQueue;
use std::cell::UnsafeCell;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

pub use super::sharded::ShardedStore;

// ANCHOR: recycle
/// How a pool makes, cleans and vets its objects.
pub trait Recycle {
    /// What the pool holds.
    type Item;
    /// Makes a new object when the pool is empty.
    fn create(&self) -> Self::Item;
    /// Cleans an object on its way back into the pool, so an idle object
    /// keeps nothing of its last user.
    fn reset(&self, item: &mut Self::Item);
    /// Whether a returned object is worth keeping (e.g. a buffer that grew
    /// past a cap is not). Rejected objects are dropped, not pooled.
    fn keep(&self, _item: &Self::Item) -> bool {
        true
    }
}
// ANCHOR_END: recycle

/// Where idle objects wait. `push` gives the object back when the store is
/// full, so the pool can drop it.
pub trait IdleStore {
    /// What the store holds.
    type Item;
    /// An idle object, if there is one.
    fn pop(&self) -> Option<Self::Item>;
    /// Stores `item`, or returns it when the store already holds its bound.
    fn push(&self, item: Self::Item) -> Result<(), Self::Item>;
    /// Idle objects now (for a shared store, a snapshot).
    fn len(&self) -> usize;
    /// True when no object is idle.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A pool of `R::Item`s kept in `S`.
pub struct Pool<S, R> {
    store: S,
    recycler: R,
}

// ANCHOR: pool
impl<S: IdleStore, R: Recycle<Item = S::Item>> Pool<S, R> {
    /// A pool that keeps its idle objects in `store`.
    pub const fn new(store: S, recycler: R) -> Self {
        Self { store, recycler }
    }

    /// An object from the pool, or a new one; it comes back when the guard drops.
    #[inline(always)]
    pub fn get(&self) -> Pooled<'_, S, R> {
        Pooled { item: ManuallyDrop::new(self.take()), pool: self }
    }

    /// An object from the pool, or a new one, without a guard: give it back
    /// with [`Pool::put`] (or just drop it).
    #[inline(always)]
    pub fn take(&self) -> R::Item {
        self.store.pop().unwrap_or_else(|| self.recycler.create())
    }

    /// Takes `item` back: drops it if the policy rejects it, resets it, and
    /// keeps it if the store has room. `put` takes ownership, so the same
    /// object cannot be put twice (the double free of seed 001, D31).
    #[inline(always)]
    pub fn put(&self, mut item: R::Item) {
        if self.recycler.keep(&item) {
            self.recycler.reset(&mut item);
            // A full store hands the object back; dropping it frees it.
            let _ = self.store.push(item);
        }
    }
    // ANCHOR_END: pool

    /// Idle objects now.
    pub fn idle(&self) -> usize {
        self.store.len()
    }

    /// The policy.
    pub fn recycler(&self) -> &R {
        &self.recycler
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }
}

// ANCHOR: guard
/// An object on loan from a [`Pool`]; goes back to the pool when dropped.
pub struct Pooled<'a, S: IdleStore, R: Recycle<Item = S::Item>> {
    /// Invariant: initialised from creation until `drop` or `into_inner`
    /// takes it out, exactly once.
    item: ManuallyDrop<S::Item>,
    pool: &'a Pool<S, R>,
}

impl<S: IdleStore, R: Recycle<Item = S::Item>> Pooled<'_, S, R> {
    /// Keeps the object: it will not go back to the pool.
    pub fn into_inner(self) -> S::Item {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped (ManuallyDrop), so `Drop::drop` will
        // not take `item` again; this is the only take.
        unsafe { ManuallyDrop::take(&mut this.item) }
    }
}

impl<S: IdleStore, R: Recycle<Item = S::Item>> Deref for Pooled<'_, S, R> {
    type Target = S::Item;
    #[inline(always)]
    fn deref(&self) -> &S::Item {
        &self.item
    }
}

impl<S: IdleStore, R: Recycle<Item = S::Item>> DerefMut for Pooled<'_, S, R> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut S::Item {
        &mut self.item
    }
}

impl<S: IdleStore, R: Recycle<Item = S::Item>> std::fmt::Debug for Pooled<'_, S, R>
where
    S::Item: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Pooled").field(&*self.item).finish()
    }
}

impl<S: IdleStore, R: Recycle<Item = S::Item>> Drop for Pooled<'_, S, R> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: `item` is initialised (invariant) and `drop` runs once;
        // `into_inner` forgets the guard, so it never reaches this point.
        let item = unsafe { ManuallyDrop::take(&mut self.item) };
        self.pool.put(item);
    }
}
// ANCHOR_END: guard

// ANCHOR: idle_vec
/// A `Vec` of idle objects that is never borrowed while foreign code runs:
/// `pop` and `push` call nothing but `Vec`'s own code on a vector that has
/// room, and growing takes the vector out of the cell before it calls the
/// allocator. A call that comes back into the same list from inside the
/// allocator (a global allocator that uses a pool) finds it empty instead of
/// aliasing a live `&mut`. What the caller promises is only that no two
/// threads use it at once.
pub(crate) struct IdleVec<T>(UnsafeCell<Vec<T>>);

impl<T> IdleVec<T> {
    pub(crate) const fn new() -> Self {
        Self(UnsafeCell::new(Vec::new()))
    }

    /// The last object in.
    ///
    /// # Safety
    /// No other thread uses this list during the call.
    #[inline(always)]
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        // SAFETY: one thread at a time (the caller's promise), and no
        // reference into the cell outlives this call: `Vec::pop` runs no
        // foreign code.
        unsafe { (*self.0.get()).pop() }
    }

    /// Stores `item` and returns the new length, or returns `item` when the
    /// list holds `bound` objects.
    ///
    /// # Safety
    /// No other thread uses this list during the call.
    #[inline(always)]
    pub(crate) unsafe fn push(&self, item: T, bound: usize) -> Result<usize, T> {
        loop {
            // SAFETY: one thread at a time (the caller's promise); the
            // reference lives until the end of this block, which runs no
            // foreign code: `push` with `len < capacity` does not reallocate.
            unsafe {
                let v = &mut *self.0.get();
                if v.len() >= bound {
                    return Err(item);
                }
                if v.len() < v.capacity() {
                    v.push(item);
                    return Ok(v.len());
                }
            }
            // SAFETY: as above.
            unsafe { self.grow(bound) };
        }
    }

    /// Makes room for more objects (up to `bound`) with no reference into the
    /// cell alive while the allocator, or a dropped object's destructor, runs.
    ///
    /// # Safety
    /// No other thread uses this list during the call.
    #[cold]
    #[inline(never)]
    unsafe fn grow(&self, bound: usize) {
        // SAFETY: one thread at a time; `mem::take` and `mem::replace` run no
        // foreign code, and each reference ends with its statement.
        let mut v = std::mem::take(unsafe { &mut *self.0.get() });
        let extra = v.len().max(4).min(bound - v.len());
        v.reserve(extra); // the allocator: no reference into the cell is alive
        // SAFETY: as above.
        let meanwhile = std::mem::replace(unsafe { &mut *self.0.get() }, v);
        drop(meanwhile); // what a re-entrant call left there, if anything
    }

    /// Objects stored.
    ///
    /// # Safety
    /// No other thread uses this list during the call.
    #[inline]
    pub(crate) unsafe fn len(&self) -> usize {
        // SAFETY: one thread at a time; `len` runs no foreign code.
        unsafe { (*self.0.get()).len() }
    }
}
// ANCHOR_END: idle_vec

/// Idle objects of one thread: an [`IdleVec`] with a bound. Not `Sync` (the
/// `UnsafeCell` inside sees to it), so one thread at a time is a fact the
/// compiler checks, and the store needs no borrow flag.
pub struct LocalStore<T> {
    items: IdleVec<T>,
    bound: usize,
}

impl<T> LocalStore<T> {
    /// Keeps at most `bound` idle objects.
    pub const fn with_bound(bound: usize) -> Self {
        Self { items: IdleVec::new(), bound }
    }
}

impl<T> IdleStore for LocalStore<T> {
    type Item = T;
    #[inline(always)]
    fn pop(&self) -> Option<T> {
        // SAFETY: `LocalStore` is not `Sync`: only the thread that holds it
        // can call this.
        unsafe { self.items.pop() }
    }
    #[inline(always)]
    fn push(&self, item: T) -> Result<(), T> {
        // SAFETY: not `Sync`, as in `pop`.
        unsafe { self.items.push(item, self.bound) }.map(|_| ())
    }
    fn len(&self) -> usize {
        // SAFETY: not `Sync`, as in `pop`.
        unsafe { self.items.len() }
    }
}

/// Idle objects shared by every thread behind one `std::sync::Mutex`.
pub struct MutexStore<T> {
    items: Mutex<Vec<T>>,
    bound: usize,
}

impl<T> MutexStore<T> {
    /// Keeps at most `bound` idle objects.
    pub const fn with_bound(bound: usize) -> Self {
        Self { items: Mutex::new(Vec::new()), bound }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a Vec half-pushed.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T> IdleStore for MutexStore<T> {
    type Item = T;
    #[inline]
    fn pop(&self) -> Option<T> {
        lock(&self.items).pop()
    }
    #[inline]
    fn push(&self, item: T) -> Result<(), T> {
        let mut items = lock(&self.items);
        if items.len() < self.bound {
            items.push(item);
            Ok(())
        } else {
            Err(item)
        }
    }
    fn len(&self) -> usize {
        lock(&self.items).len()
    }
}

/// Idle objects in a lock-free bounded queue (`crossbeam_queue::ArrayQueue`).
pub struct QueueStore<T> {
    queue: ArrayQueue<T>,
}

impl<T> QueueStore<T> {
    /// Keeps at most `bound` idle objects. Panics if `bound` is 0.
    pub fn with_bound(bound: usize) -> Self {
        Self { queue: ArrayQueue::new(bound) }
    }
}

impl<T> IdleStore for QueueStore<T> {
    type Item = T;
    #[inline]
    fn pop(&self) -> Option<T> {
        self.queue.pop()
    }
    #[inline]
    fn push(&self, item: T) -> Result<(), T> {
        self.queue.push(item)
    }
    fn len(&self) -> usize {
        self.queue.len()
    }
}

/// A [`Recycle`] policy made of two closures: `create` and `reset`.
pub struct WithFns<C, Z> {
    create: C,
    reset: Z,
}

impl<T, C: Fn() -> T, Z: Fn(&mut T)> WithFns<C, Z> {
    /// `create` makes an object; `reset(&mut obj)` cleans it on return.
    pub fn new(create: C, reset: Z) -> Self {
        Self { create, reset }
    }
}

impl<T, C: Fn() -> T, Z: Fn(&mut T)> Recycle for WithFns<C, Z> {
    type Item = T;
    #[inline]
    fn create(&self) -> T {
        (self.create)()
    }
    #[inline]
    fn reset(&self, item: &mut T) {
        (self.reset)(item)
    }
}

// ANCHOR: buffer_recycler
/// Pools `Vec<u8>` buffers: new ones get `initial_capacity`; a returned
/// buffer is cleared (length 0, capacity kept) and dropped if its capacity
/// grew past `max_capacity`, so one huge request cannot pin its buffer in
/// the pool for ever (Go issue 23199, D08).
#[derive(Clone, Copy, Debug)]
pub struct BufferRecycler {
    /// Capacity of a new buffer.
    pub initial_capacity: usize,
    /// Largest capacity the pool keeps.
    pub max_capacity: usize,
}

impl Recycle for BufferRecycler {
    type Item = Vec<u8>;
    #[inline]
    fn create(&self) -> Vec<u8> {
        Vec::with_capacity(self.initial_capacity)
    }
    #[inline]
    fn reset(&self, buf: &mut Vec<u8>) {
        buf.clear();
    }
    #[inline]
    fn keep(&self, buf: &Vec<u8>) -> bool {
        buf.capacity() <= self.max_capacity
    }
}
// ANCHOR_END: buffer_recycler

/// Pools `Box<T>`: a new box holds `T::default()`, a returned one is reset to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct BoxRecycler<T>(std::marker::PhantomData<fn() -> T>);

impl<T> BoxRecycler<T> {
    /// The policy.
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T: Default> Recycle for BoxRecycler<T> {
    type Item = Box<T>;
    #[inline]
    fn create(&self) -> Box<T> {
        Box::default()
    }
    #[inline]
    fn reset(&self, item: &mut Box<T>) {
        **item = T::default();
    }
}

/// A 64-byte object, the small-object workload of the chapter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Obj64 {
    /// Payload.
    pub words: [u64; 8],
}

/// A pool on one thread's [`LocalStore`].
pub type LocalPool<R> = Pool<LocalStore<<R as Recycle>::Item>, R>;
/// A pool shared through one [`MutexStore`].
pub type MutexPool<R> = Pool<MutexStore<<R as Recycle>::Item>, R>;
/// A pool shared through a lock-free [`QueueStore`].
pub type QueuePool<R> = Pool<QueueStore<<R as Recycle>::Item>, R>;
/// A pool shared through a [`ShardedStore`].
pub type ShardedPool<R> = Pool<ShardedStore<<R as Recycle>::Item>, R>;
