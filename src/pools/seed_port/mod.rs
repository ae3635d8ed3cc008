//! Faithful Rust ports of the seeds' pools, defects included, so the checks
//! can show each defect happen beside the fix. Nothing here is for use. One
//! file per seed: [`seed_000`] (§1.2.1), [`seed_001`] (§6.1.1), [`seed_003`]
//! (strategy 1). Each port cites its seed section; the Go code itself is not
//! reproduced.
//!
//! How Go is modelled (this file):
//! - A Go `[]byte` whose length the seed relies on is a `Vec<u8>` whose
//!   `len()` is the Go length; a pooled buffer comes back *as it was left*,
//!   bytes included, which is what `sync.Pool.Get` does.
//! - Where the seed copies slice headers (a double `Free`), a [`GoSlice`]: a
//!   shared backing array plus a length, cloned as freely as Go copies them.
//! - `sync.Pool` is a [`SyncPoolModel`]: `interface{}` values are
//!   `Box<dyn Any>`, so storing a non-pointer value allocates a box, as Go's
//!   `Put([]byte)` does (staticcheck SA6002). It does not model per-P caches or
//!   the clearing at each GC.

pub mod seed_000;
pub mod seed_001;
pub mod seed_003;

pub use seed_000::{SeedBufferPool, SeedResetOnGetPool};
pub use seed_001::{
    SEED_CLASSES, SeedChanPool, SeedSimpleAllocator, SeedStats, SeedThreadLocalPool,
    SeedTieredPool, seed_process, seed_serve,
};
pub use seed_003::{process_fresh, process_pooled};

use std::any::Any;
use std::sync::{Arc, Mutex};

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `sync.Pool` as the seeds use it: `interface{}` values in a shared stack.
#[derive(Default)]
pub struct SyncPoolModel {
    items: Mutex<Vec<Box<dyn Any + Send>>>,
}

impl SyncPoolModel {
    /// `Put(v)` of a non-pointer value: boxing it into `interface{}` is one
    /// heap allocation (the 24-byte slice header of a `[]byte`).
    pub fn put_value<T: Any + Send>(&self, v: T) {
        lock(&self.items).push(Box::new(v));
    }

    /// `Put(p)` of a pointer: the interface holds the pointer, no allocation.
    pub fn put_pointer<T: Any + Send>(&self, p: Box<T>) {
        lock(&self.items).push(p);
    }

    /// `Get().(T)` of a value put with [`SyncPoolModel::put_value`].
    pub fn get_value<T: Any + Send>(&self) -> Option<T> {
        let b = lock(&self.items).pop()?;
        b.downcast::<T>().ok().map(|b| *b)
    }

    /// `Get().(*T)` of a pointer put with [`SyncPoolModel::put_pointer`].
    pub fn get_pointer<T: Any + Send>(&self) -> Option<Box<T>> {
        lock(&self.items).pop()?.downcast::<T>().ok()
    }

    /// Values waiting in the pool.
    pub fn len(&self) -> usize {
        lock(&self.items).len()
    }

    /// True when nothing waits in the pool.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of `[]byte` capacity the pool keeps alive.
    pub fn retained_bytes(&self) -> usize {
        let items = lock(&self.items);
        items
            .iter()
            .filter_map(|b| b.downcast_ref::<Vec<u8>>())
            .map(|v| v.capacity())
            .sum()
    }
}

/// A Go slice header: a shared backing array and a length. Cloning copies
/// the header, not the array, as assigning a slice does in Go.
#[derive(Clone, Debug)]
pub struct GoSlice {
    array: Arc<Mutex<Vec<u8>>>,
    len: usize,
}

impl GoSlice {
    /// `make([]byte, n)`.
    pub fn make(n: usize) -> Self {
        Self { array: Arc::new(Mutex::new(vec![0; n])), len: n }
    }
    /// `len(s)`.
    pub fn len(&self) -> usize {
        self.len
    }
    /// `len(s) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// `s[:n]`: same array, new length.
    pub fn reslice(&self, n: usize) -> Self {
        assert!(n <= lock(&self.array).len(), "slice bounds out of range");
        Self { array: Arc::clone(&self.array), len: n }
    }
    /// `copy(s, src)`.
    pub fn copy_from(&self, src: &[u8]) {
        let n = src.len().min(self.len);
        lock(&self.array)[..n].copy_from_slice(&src[..n]);
    }
    /// The bytes `s[:len(s)]`.
    pub fn bytes(&self) -> Vec<u8> {
        lock(&self.array)[..self.len].to_vec()
    }
    /// True when both headers point at the same array (aliasing).
    pub fn same_array(&self, other: &GoSlice) -> bool {
        Arc::ptr_eq(&self.array, &other.array)
    }
}
