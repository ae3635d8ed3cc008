//! Seed 000 §1.2.1 (L146-213): a generic pool over `sync.Pool` that resets
//! objects as they leave it, and a 4 KB `BufferPool` of `[]byte` values.

use super::{SyncPoolModel, lock};
use std::sync::Mutex;

/// Seed 000 §1.2.1 L190-213 `BufferPool`: 4 KiB new buffers, `Put` reslices
/// to length 0 and stores the `[]byte` value in a `sync.Pool`, with no cap.
#[derive(Default)]
pub struct SeedBufferPool {
    /// The `sync.Pool`.
    pub pool: SyncPoolModel,
}

impl SeedBufferPool {
    /// `Get`: a pooled buffer or `make([]byte, 0, 4096)`.
    pub fn get(&self) -> Vec<u8> {
        self.pool.get_value::<Vec<u8>>().unwrap_or_else(|| Vec::with_capacity(4096))
    }
    /// `Put`: `buf[:0]`, then into the pool, however large it is.
    pub fn put(&self, mut buf: Vec<u8>) {
        buf.clear();
        self.pool.put_value(buf);
    }
}

/// Seed 000 §1.2.1 L156-188 `ObjectPool[T]`: reset runs in `Get` (as the
/// object leaves), not in `Put`, so idle objects keep their last contents.
pub struct SeedResetOnGetPool<T> {
    idle: Mutex<Vec<T>>,
    factory: fn() -> T,
    reset: fn(T) -> T,
}

impl<T> SeedResetOnGetPool<T> {
    /// `NewObjectPool(factory, reset)`.
    pub fn new(factory: fn() -> T, reset: fn(T) -> T) -> Self {
        Self { idle: Mutex::new(Vec::new()), factory, reset }
    }
    /// `Get`: pooled or new, then `reset`.
    pub fn get(&self) -> T {
        let obj = lock(&self.idle).pop().unwrap_or_else(self.factory);
        (self.reset)(obj)
    }
    /// `Put`: stored as it is.
    pub fn put(&self, obj: T) {
        lock(&self.idle).push(obj);
    }
    /// Looks at the idle objects (what a heap dump would show).
    pub fn inspect_idle<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        f(&lock(&self.idle))
    }
}
