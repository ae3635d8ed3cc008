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
//! - [`LocalStore`]: a `RefCell<Vec<T>>`, one thread only (no atomics). Put
//!   one in a `thread_local!` for a thread-local pool ([`super::thread_local`]).
//! - [`MutexStore`]: one `Mutex<Vec<T>>` shared by every thread.
//! - [`QueueStore`]: a lock-free bounded `crossbeam_queue::ArrayQueue`.
//! - [`ShardedStore`]: one `Mutex<Vec<T>>` per CPU on its own cache line; a
//!   thread uses its home shard and steals from the others when it is empty.
//!
//! Not for: objects that must be shared while in use (use `Arc`), or memory
//! the allocator already recycles well (small short-lived objects; the
//! chapter measures where the line is).

use crossbeam_queue::ArrayQueue;
use crossbeam_utils::CachePadded;
use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    #[inline]
    pub fn get(&self) -> Pooled<'_, S, R> {
        Pooled { item: ManuallyDrop::new(self.take()), pool: self }
    }

    /// An object from the pool, or a new one, without a guard: give it back
    /// with [`Pool::put`] (or just drop it).
    #[inline]
    pub fn take(&self) -> R::Item {
        self.store.pop().unwrap_or_else(|| self.recycler.create())
    }

    /// Takes `item` back: drops it if the policy rejects it, resets it, and
    /// keeps it if the store has room. `put` takes ownership, so the same
    /// object cannot be put twice (the double free of seed 001, D31).
    #[inline]
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
    fn deref(&self) -> &S::Item {
        &self.item
    }
}

impl<S: IdleStore, R: Recycle<Item = S::Item>> DerefMut for Pooled<'_, S, R> {
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
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `item` is initialised (invariant) and `drop` runs once;
        // `into_inner` forgets the guard, so it never reaches this point.
        let item = unsafe { ManuallyDrop::take(&mut self.item) };
        self.pool.put(item);
    }
}
// ANCHOR_END: guard

/// Idle objects of one thread: a `RefCell<Vec<T>>` with a bound. Not `Sync`.
pub struct LocalStore<T> {
    items: RefCell<Vec<T>>,
    bound: usize,
}

impl<T> LocalStore<T> {
    /// Keeps at most `bound` idle objects.
    pub const fn with_bound(bound: usize) -> Self {
        Self { items: RefCell::new(Vec::new()), bound }
    }
}

impl<T> IdleStore for LocalStore<T> {
    type Item = T;
    #[inline]
    fn pop(&self) -> Option<T> {
        self.items.borrow_mut().pop()
    }
    #[inline]
    fn push(&self, item: T) -> Result<(), T> {
        let mut items = self.items.borrow_mut();
        if items.len() < self.bound {
            items.push(item);
            Ok(())
        } else {
            Err(item)
        }
    }
    fn len(&self) -> usize {
        self.items.borrow().len()
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

/// Idle objects in one mutex-guarded stack per shard, each on its own cache
/// line. A thread pushes to and pops from its home shard (assigned round-robin
/// the first time it uses any sharded store), and pops from the others only
/// when its own is empty, so two threads on two shards never touch the same
/// line unless one runs dry: that is how recycling crosses threads.
pub struct ShardedStore<T> {
    shards: Box<[CachePadded<Mutex<Vec<T>>>]>,
    bound_per_shard: usize,
}

static NEXT_HOME: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // `const` and `Copy`: reading it is one TLS load, no lazy-init check.
    static HOME: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn home_index() -> usize {
    HOME.with(|h| {
        let mut i = h.get();
        if i == usize::MAX {
            i = NEXT_HOME.fetch_add(1, Ordering::Relaxed);
            h.set(i);
        }
        i
    })
}

impl<T> ShardedStore<T> {
    /// `shards` shards (rounded up to a power of two), each keeping at most
    /// `bound_per_shard`.
    pub fn new(shards: usize, bound_per_shard: usize) -> Self {
        let shards = (0..shards.max(1).next_power_of_two())
            .map(|_| CachePadded::new(Mutex::new(Vec::new())))
            .collect();
        Self { shards, bound_per_shard }
    }

    /// One shard per available CPU.
    pub fn per_cpu(bound_per_shard: usize) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cpus, bound_per_shard)
    }

    /// Number of shards.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Index of this thread's shard; `shards.len()` is a power of two.
    fn home(&self) -> usize {
        home_index() & (self.shards.len() - 1)
    }
}

// ANCHOR: sharded_store
impl<T> IdleStore for ShardedStore<T> {
    type Item = T;
    #[inline]
    fn pop(&self) -> Option<T> {
        let (home, mask) = (self.home(), self.shards.len() - 1);
        (0..=mask).find_map(|k| lock(&self.shards[(home + k) & mask]).pop())
    }
    #[inline]
    fn push(&self, item: T) -> Result<(), T> {
        let (home, mask) = (self.home(), self.shards.len() - 1);
        for k in 0..=mask {
            let mut shard = lock(&self.shards[(home + k) & mask]);
            if shard.len() < self.bound_per_shard {
                shard.push(item);
                return Ok(());
            }
        }
        Err(item)
    }
    fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }
}
// ANCHOR_END: sharded_store

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
    fn create(&self) -> T {
        (self.create)()
    }
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
    fn create(&self) -> Vec<u8> {
        Vec::with_capacity(self.initial_capacity)
    }
    fn reset(&self, buf: &mut Vec<u8>) {
        buf.clear();
    }
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
    fn create(&self) -> Box<T> {
        Box::default()
    }
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
