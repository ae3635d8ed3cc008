//! A store sharded by thread, the design of mimalloc's free-list sharding and
//! of sharded-slab: each shard belongs to one thread at a time, its *owner*,
//! which keeps its idle objects in a plain list that nothing else touches (no
//! lock, no atomic read-modify-write on its own get and put); an atomic queue
//! beside that list takes the objects that cannot go there: those put by a
//! thread without a shard of its own, and those an owner puts when its list
//! is full. An owner whose list is empty looks in its queue, then in the
//! other shards' queues, then in the lists of shards whose owner has exited.
//!
//! How a thread comes to own a shard: each thread gets a *slot*, a small
//! number reused after the thread exits, and an *incarnation*, a number no
//! other thread ever gets ([`slot`]). A thread's home shard is its slot
//! modulo the shard count; it owns it by writing its incarnation into the
//! shard, which it can do when the shard has no owner or its owner has
//! exited. Two live threads with the same home share no list: the second one
//! finds the shard owned and uses the queues.
//!
//! The cost, against [`super::object_pool::MutexStore`]: one thread's idle
//! objects can wait in its list while another thread allocates (each list
//! holds at most `bound_per_shard`), and a thread that exits leaves its list
//! to the next thread with the same home, or to a thread that finds its own
//! list and the queues empty.
//!
//! Not for: objects that must go back to the thread that made them (an
//! object carries no mark of its origin here).

use super::object_pool::{IdleStore, IdleVec};
use crossbeam_queue::ArrayQueue;
use crossbeam_utils::CachePadded;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Thread identities: a slot (small, reused) and an incarnation (unique).
pub(crate) mod slot {
    use std::cell::Cell;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    /// Threads alive at once that can own shards; more run on the queues.
    pub(crate) const MAX_SLOTS: usize = 1024;
    const SLOT_BITS: u32 = 16;

    /// `SLOTS[s]` is the incarnation of the live thread holding slot `s`, or 0.
    static SLOTS: [AtomicU64; MAX_SLOTS] = [const { AtomicU64::new(0) }; MAX_SLOTS];
    static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
    static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

    /// `ME` before the thread asked for an identity.
    const NONE_YET: u64 = 0;
    /// `ME` once the thread cannot have one: it is exiting, or every slot is taken.
    const NEVER: u64 = u64::MAX;

    thread_local! {
        // `const` and no destructor: readable at any point of the thread's
        // life, with no lazy-initialisation check.
        static ME: Cell<u64> = const { Cell::new(NONE_YET) };
        // Hands the slot back when the thread exits.
        static RELEASE: Release = const { Release };
    }

    /// This thread's incarnation, `None` while it exits or when no slot is free.
    #[inline(always)]
    pub(crate) fn me() -> Option<u64> {
        match ME.get() {
            NONE_YET => acquire(),
            NEVER => None,
            me => Some(me),
        }
    }

    /// The slot of an incarnation.
    #[inline(always)]
    pub(crate) fn slot_of(incarnation: u64) -> usize {
        (incarnation & ((1 << SLOT_BITS) - 1)) as usize
    }

    /// True while the thread of `incarnation` runs. A `false` read with
    /// `Acquire` orders everything that thread did before it exited before
    /// the caller's next reads.
    pub(crate) fn is_alive(incarnation: u64) -> bool {
        SLOTS[slot_of(incarnation)].load(Ordering::Acquire) == incarnation
    }

    fn free_list() -> std::sync::MutexGuard<'static, Vec<usize>> {
        FREE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cold]
    #[inline(never)]
    fn acquire() -> Option<u64> {
        // Register the destructor first: a thread that can no longer run one
        // (it is exiting) gets no slot, since it could not give it back.
        if RELEASE.try_with(|_| ()).is_err() {
            ME.set(NEVER);
            return None;
        }
        let reused = free_list().pop();
        let slot = match reused {
            Some(s) => s,
            None => {
                let s = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
                if s >= MAX_SLOTS {
                    NEXT_SLOT.fetch_sub(1, Ordering::Relaxed);
                    ME.set(NEVER);
                    return None;
                }
                s
            }
        };
        let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        let me = (generation << SLOT_BITS) | slot as u64;
        SLOTS[slot].store(me, Ordering::Release);
        ME.set(me);
        Some(me)
    }

    struct Release;

    impl Drop for Release {
        fn drop(&mut self) {
            let me = ME.replace(NEVER);
            if me != NONE_YET && me != NEVER {
                let slot = slot_of(me);
                // Release: what this thread wrote into the shards it owned
                // happens before any thread that sees it dead takes them over.
                SLOTS[slot].store(0, Ordering::Release);
                free_list().push(slot);
            }
        }
    }
}

/// No owner.
const FREE: u64 = 0;

/// One thread's shard.
struct Shard<T> {
    /// The owner's incarnation, or [`FREE`].
    owner: AtomicU64,
    /// The owner's idle objects. Only the thread whose incarnation is in
    /// `owner` touches it; ownership passes with `Release`/`Acquire`.
    local: IdleVec<T>,
    /// `local`'s length, for [`IdleStore::len`] on any thread.
    local_len: AtomicUsize,
    /// Objects that could not go into an owner's list; made on first use.
    remote: OnceLock<ArrayQueue<T>>,
}

/// Idle objects in one shard per thread: an unsynchronised list for the
/// shard's owner, an atomic queue for every other thread (see the module).
pub struct ShardedStore<T> {
    shards: Box<[CachePadded<Shard<T>>]>,
    mask: usize,
    bound: usize,
}

// SAFETY: a shard's `local` list is touched only by the thread whose
// incarnation is in `owner` (or, for the length of one `pop`, a thread that
// took the shard over with a successful compare-exchange after its owner
// exited, and gave it back with a `Release` store). Ownership moves with
// `Release`/`Acquire`, so accesses by successive owners are ordered. Items
// move between threads, hence `T: Send`.
unsafe impl<T: Send> Sync for ShardedStore<T> {}

impl<T> ShardedStore<T> {
    /// `shards` shards (rounded up to a power of two), each keeping at most
    /// `bound_per_shard` objects in its owner's list and as many in its queue.
    pub fn new(shards: usize, bound_per_shard: usize) -> Self {
        let n = shards.max(1).next_power_of_two();
        let shard = |_| {
            CachePadded::new(Shard {
                owner: AtomicU64::new(FREE),
                local: IdleVec::new(),
                local_len: AtomicUsize::new(0),
                remote: OnceLock::new(),
            })
        };
        Self { shards: (0..n).map(shard).collect(), mask: n - 1, bound: bound_per_shard }
    }

    /// Four shards per available CPU, so that threads rarely share a home.
    pub fn per_cpu(bound_per_shard: usize) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(4 * cpus, bound_per_shard)
    }

    /// Number of shards.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// At most this many objects in each owner's list, and in each queue.
    pub fn bound_per_shard(&self) -> usize {
        self.bound
    }

    fn home(&self, me: u64) -> usize {
        slot::slot_of(me) & self.mask
    }

    /// The calling thread's home shard if it owns it (taking it when it has
    /// no owner, or a dead one).
    #[inline(always)]
    fn owned(&self, me: u64) -> Option<&Shard<T>> {
        let shard = &self.shards[self.home(me)];
        let owner = shard.owner.load(Ordering::Relaxed);
        if owner == me { Some(shard) } else { Self::take_over(shard, owner, me) }
    }

    #[cold]
    #[inline(never)]
    fn take_over(shard: &Shard<T>, owner: u64, me: u64) -> Option<&Shard<T>> {
        if owner != FREE && slot::is_alive(owner) {
            return None;
        }
        // Acquire: the last owner's writes to `local` happen before ours.
        let swapped =
            shard.owner.compare_exchange(owner, me, Ordering::Acquire, Ordering::Relaxed);
        swapped.ok().map(|_| shard)
    }

    /// Pops from the list of shard `k` if its owner has exited (or it has
    /// none), holding the shard only for that pop.
    fn pop_orphan(&self, k: usize, me: u64) -> Option<T> {
        let shard = &self.shards[k];
        if shard.local_len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let owner = shard.owner.load(Ordering::Relaxed);
        let taken = Self::take_over(shard, owner, me)?;
        // SAFETY: this thread owns the shard until the store below.
        let item = unsafe { taken.local.pop() };
        // SAFETY: as above.
        taken.local_len.store(unsafe { taken.local.len() }, Ordering::Relaxed);
        taken.owner.store(FREE, Ordering::Release);
        item
    }

    #[cold]
    #[inline(never)]
    fn pop_elsewhere(&self, me: Option<u64>) -> Option<T> {
        let home = me.map_or(0, |m| self.home(m));
        let ring = (0..=self.mask).map(|k| (home + k) & self.mask);
        let queued = ring.clone().find_map(|k| self.shards[k].remote.get()?.pop());
        queued.or_else(|| {
            let me = me?;
            ring.skip(1).find_map(|k| self.pop_orphan(k, me))
        })
    }

    #[cold]
    #[inline(never)]
    fn push_elsewhere(&self, mut item: T, me: Option<u64>) -> Result<(), T> {
        if self.bound == 0 {
            return Err(item);
        }
        let home = me.map_or(0, |m| self.home(m));
        for k in 0..=self.mask {
            let shard = &self.shards[(home + k) & self.mask];
            let queue = shard.remote.get_or_init(|| ArrayQueue::new(self.bound));
            match queue.push(item) {
                Ok(()) => return Ok(()),
                Err(back) => item = back,
            }
        }
        Err(item)
    }
}

// ANCHOR: sharded_store
impl<T> IdleStore for ShardedStore<T> {
    type Item = T;
    #[inline(always)]
    fn pop(&self) -> Option<T> {
        let me = slot::me();
        if let Some(shard) = me.and_then(|me| self.owned(me)) {
            // SAFETY: this thread owns the shard (`owned`).
            if let Some(item) = unsafe { shard.local.pop() } {
                // SAFETY: as above.
                let len = unsafe { shard.local.len() };
                shard.local_len.store(len, Ordering::Relaxed);
                return Some(item);
            }
        }
        self.pop_elsewhere(me)
    }
    #[inline(always)]
    fn push(&self, item: T) -> Result<(), T> {
        let me = slot::me();
        let Some(shard) = me.and_then(|me| self.owned(me)) else {
            return self.push_elsewhere(item, me);
        };
        // SAFETY: this thread owns the shard (`owned`).
        match unsafe { shard.local.push(item, self.bound) } {
            Ok(len) => {
                shard.local_len.store(len, Ordering::Relaxed);
                Ok(())
            }
            Err(item) => self.push_elsewhere(item, me),
        }
    }
    fn len(&self) -> usize {
        let queued = |s: &Shard<T>| s.remote.get().map_or(0, ArrayQueue::len);
        self.shards.iter().map(|s| s.local_len.load(Ordering::Relaxed) + queued(s)).sum()
    }
}
// ANCHOR_END: sharded_store
