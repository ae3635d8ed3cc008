//! Seed 001 §6.1.1 (L97-962): the channel pool, the tiered `MemoryPool`, the
//! "TCMalloc" `SimpleAllocator`, the "thread-local" pool and the two case
//! studies built on them.

use super::{GoSlice, lock};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

/// Seed 001 §6.1.1.5.1 L287-321 channel `ObjectPool[T]` with `reset func(T)`:
/// the reset receives a *copy* of the object, so changes to its fields are
/// lost. (The seed's example passes a `func(Buffer) Buffer`, which does not
/// compile in Go; this port uses the declared `func(T)` shape.)
pub struct SeedChanPool<T: Clone> {
    chan: Mutex<std::collections::VecDeque<T>>,
    size: usize,
    new: fn() -> T,
    reset: fn(T),
}

impl<T: Clone> SeedChanPool<T> {
    /// `NewObjectPool(size, newFunc, resetFunc)`.
    pub fn new(size: usize, new: fn() -> T, reset: fn(T)) -> Self {
        Self { chan: Mutex::new(Default::default()), size, new, reset }
    }
    /// `Get`: a receive that does not block, else `new()`.
    pub fn get(&self) -> T {
        lock(&self.chan).pop_front().unwrap_or_else(self.new)
    }
    /// `Put`: `reset(obj)` on a copy, then a send that drops `obj` if full.
    pub fn put(&self, obj: T) {
        (self.reset)(obj.clone());
        let mut chan = lock(&self.chan);
        if chan.len() < self.size {
            chan.push_back(obj);
        }
    }
    /// Objects waiting in the channel (`len(p.pool)`).
    pub fn idle(&self) -> usize {
        lock(&self.chan).len()
    }
}

/// The size classes of seed 001 §6.1.1.6.1 L441.
pub const SEED_CLASSES: [usize; 10] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

// ANCHOR: seed_tiered
/// Seed 001 §6.1.1.6.1 L433-483 `MemoryPool`: `Allocate(n)` hands out the
/// first class `>= n` *at the class's length*, with whatever the last user
/// left in it (D38); `Free` files a buffer only if its length equals a class
/// exactly, so a resliced buffer is dropped (D39).
#[derive(Default)]
pub struct SeedTieredPool {
    classes: [Mutex<Vec<Vec<u8>>>; 10],
}

impl SeedTieredPool {
    /// `Allocate(size)`.
    pub fn allocate(&self, size: usize) -> Vec<u8> {
        for (i, &class) in SEED_CLASSES.iter().enumerate() {
            if size <= class {
                return lock(&self.classes[i]).pop().unwrap_or_else(|| vec![0; class]);
            }
        }
        vec![0; size]
    }

    /// `Free(buf)`.
    pub fn free(&self, buf: Vec<u8>) {
        if let Some(i) = SEED_CLASSES.iter().position(|&c| c == buf.len()) {
            lock(&self.classes[i]).push(buf);
        } // else: "not from the pool, discard"
    }
    // ANCHOR_END: seed_tiered

    /// Idle buffers in all classes.
    pub fn idle(&self) -> usize {
        self.classes.iter().map(|c| lock(c).len()).sum()
    }
}

/// `AllocatorStats` of seed 001 §6.1.1.3.3 L109-115: `uint64` fields, which
/// wrap around on underflow as Go's do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedStats {
    /// Bytes "allocated" (pool hits included).
    pub total_allocated: u64,
    /// Bytes "freed", by the length of what was passed to `Free`.
    pub total_freed: u64,
    /// `total_allocated − total_freed`, kept as a running `uint64`.
    pub current_usage: u64,
    /// Calls to `Allocate`.
    pub alloc_count: u64,
    /// Calls to `Free`.
    pub free_count: u64,
}

/// Seed 001 §6.1.1.3.3 L117-169 `SimpleAllocator`: one global mutex around a
/// map from *exact* size to a `sync.Pool` of slices.
#[derive(Default)]
pub struct SeedSimpleAllocator {
    inner: Mutex<(HashMap<usize, Vec<GoSlice>>, SeedStats)>,
}

impl SeedSimpleAllocator {
    /// `Allocate(size)`: creates the size's pool on first use.
    pub fn allocate(&self, size: usize) -> GoSlice {
        let mut g = lock(&self.inner);
        let (pools, stats) = &mut *g;
        let buf =
            pools.entry(size).or_default().pop().unwrap_or_else(|| GoSlice::make(size));
        stats.total_allocated = stats.total_allocated.wrapping_add(size as u64);
        stats.alloc_count += 1;
        stats.current_usage = stats.current_usage.wrapping_add(size as u64);
        buf
    }

    /// `Free(ptr)`: files by `len(ptr)`, trusts the caller entirely.
    pub fn free(&self, ptr: GoSlice) {
        let mut g = lock(&self.inner);
        let (pools, stats) = &mut *g;
        let size = ptr.len();
        if let Some(pool) = pools.get_mut(&size) {
            pool.push(ptr);
        }
        stats.total_freed = stats.total_freed.wrapping_add(size as u64);
        stats.free_count += 1;
        stats.current_usage = stats.current_usage.wrapping_sub(size as u64);
    }

    /// `Stats()`.
    pub fn stats(&self) -> SeedStats {
        lock(&self.inner).1
    }

    /// Number of per-size pools in the map.
    pub fn pools(&self) -> usize {
        lock(&self.inner).0.len()
    }
}

/// One `*sync.Pool` of the seed's map: a shared stack of buffers.
type SharedStack = Arc<Mutex<Vec<Vec<u8>>>>;

/// Seed 001 §6.1.1.6.2 L487-536 `ThreadLocalPool`: despite the name, one map
/// behind a `RWMutex`, shared by every goroutine, keyed by exact length.
#[derive(Default)]
pub struct SeedThreadLocalPool {
    pools: RwLock<HashMap<usize, SharedStack>>,
}

impl SeedThreadLocalPool {
    /// `Get(size)`: read-locked lookup, then a write-locked create if missing.
    pub fn get(&self, size: usize) -> Vec<u8> {
        let found =
            self.pools.read().unwrap_or_else(|p| p.into_inner()).get(&size).cloned();
        let pool = found.unwrap_or_else(|| {
            let mut w = self.pools.write().unwrap_or_else(|p| p.into_inner());
            Arc::clone(w.entry(size).or_default())
        });
        let buf = lock(&pool).pop();
        buf.unwrap_or_else(|| vec![0; size])
    }

    /// `Put(buf)`: by `len(buf)`; dropped when no pool has that exact size.
    pub fn put(&self, buf: Vec<u8>) {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner());
        if let Some(pool) = pools.get(&buf.len()) {
            lock(pool).push(buf);
        }
    }

    /// Entries in the map.
    pub fn map_len(&self) -> usize {
        self.pools.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

// ANCHOR: seed_serve
/// Seed 001 §6.1.1.10.1 L897-907 `ServeHTTP`: takes a 4096-byte buffer from
/// the tiered pool, lets the handler write into it, and writes the **whole**
/// buffer to the client, whatever the handler produced (D47).
pub fn seed_serve(
    pool: &SeedTieredPool,
    handler: impl FnOnce(&mut [u8]) -> usize,
) -> Vec<u8> {
    let mut buf = pool.allocate(4096);
    let _written = handler(&mut buf); // the seed never looks at it
    let response = buf.clone(); // w.Write(buf)
    pool.free(buf); // defer s.pool.Free(buf)
    response
}
// ANCHOR_END: seed_serve

// ANCHOR: seed_process
/// Seed 001 §6.1.1.10.2 L947-960 `processData`: copies the input into a
/// pooled buffer of its class length, then copies that whole buffer into a
/// fresh `result` (one allocation per item, output length = class, D49).
pub fn seed_process(pool: &SeedTieredPool, data: &[u8]) -> Vec<u8> {
    let mut buf = pool.allocate(data.len());
    let n = data.len().min(buf.len());
    buf[..n].copy_from_slice(&data[..n]); // copy(buf, data)
    let result = buf.clone(); // result := make([]byte, len(buf)); copy(result, buf)
    pool.free(buf);
    result
}
// ANCHOR_END: seed_process
