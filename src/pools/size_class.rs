//! A size-class byte pool: buffers grouped by power-of-two capacity, the
//! fix for seed 001's tiered `MemoryPool` (§6.1.1.6.1 L433-483).
//!
//! - `get(100)` returns a `Vec<u8>` of **length 100** (zeroed) and capacity
//!   128. The seed returns length 128 with the last user's bytes in it (D38).
//!   Bytes past the length are spare capacity, which safe Rust cannot read.
//! - `put(buf)` files a buffer by its **capacity** (the largest class that
//!   fits in it), so a buffer its user truncated is still reused. The seed
//!   files by exact length and silently drops a resliced buffer (D39).
//! - Requests above the largest class go straight to the allocator, and
//!   returned buffers outside the classes are dropped: the idle memory is
//!   less than `2 × idle_per_class × Σ class sizes`.
//! - `put` takes the buffer by value, so it cannot be put twice (the seed's
//!   double `Free` hands one buffer to two callers, D31):
//!
//! ```compile_fail,E0382
//! use perf_workbook::pools::SizeClassPool;
//! let pool = SizeClassPool::local(64, 4096, 8);
//! let buf = pool.get(100);
//! pool.put(buf);
//! pool.put(buf); // error[E0382]: use of moved value: `buf`
//! ```
//!
//! Not for: a general-purpose allocator (no alignment control, no sizes
//! above the largest class).

use super::object_pool::{IdleStore, LocalStore, QueueStore, ShardedStore};

/// Buffers pooled by power-of-two capacity class, each class in its own `S`.
pub struct SizeClassPool<S> {
    classes: Box<[S]>,
    /// log2 of the smallest class.
    min_shift: u32,
    /// log2 of the largest class; `min_shift <= max_shift`.
    max_shift: u32,
}

impl SizeClassPool<LocalStore<Vec<u8>>> {
    /// A one-thread pool with classes `min_class ..= max_class` (powers of
    /// two), keeping at most `idle_per_class` idle buffers per class.
    pub fn local(min_class: usize, max_class: usize, idle_per_class: usize) -> Self {
        Self::with_stores(min_class, max_class, || LocalStore::with_bound(idle_per_class))
    }
}

impl SizeClassPool<QueueStore<Vec<u8>>> {
    /// A pool shared by threads, one lock-free queue per class.
    pub fn lock_free(min_class: usize, max_class: usize, idle_per_class: usize) -> Self {
        Self::with_stores(min_class, max_class, || QueueStore::with_bound(idle_per_class))
    }
}

impl SizeClassPool<ShardedStore<Vec<u8>>> {
    /// A pool shared by threads, one sharded store (a stack per CPU) per class.
    pub fn sharded(min_class: usize, max_class: usize, idle_per_shard: usize) -> Self {
        Self::with_stores(min_class, max_class, || ShardedStore::per_cpu(idle_per_shard))
    }
}

impl<S: IdleStore<Item = Vec<u8>>> SizeClassPool<S> {
    /// Classes `min_class ..= max_class`, both powers of two; one store each.
    pub fn with_stores(
        min_class: usize,
        max_class: usize,
        store: impl FnMut() -> S,
    ) -> Self {
        assert!(
            min_class.is_power_of_two() && max_class.is_power_of_two(),
            "size classes are powers of two"
        );
        assert!(min_class <= max_class, "min_class <= max_class");
        let (min_shift, max_shift) =
            (min_class.trailing_zeros(), max_class.trailing_zeros());
        let classes =
            std::iter::repeat_with(store).take((max_shift - min_shift + 1) as usize);
        Self { classes: classes.collect(), min_shift, max_shift }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes.len()
    }

    /// Idle buffers in class `class`.
    pub fn idle_in(&self, class: usize) -> usize {
        self.classes[class].len()
    }

    /// Idle buffers in all classes.
    pub fn idle(&self) -> usize {
        self.classes.iter().map(|s| s.len()).sum()
    }

    /// Size in bytes of class `class`.
    pub fn class_size(&self, class: usize) -> usize {
        1 << (self.min_shift + class as u32)
    }
}

// ANCHOR: size_class
impl<S: IdleStore<Item = Vec<u8>>> SizeClassPool<S> {
    /// The class that serves a request of `len` bytes: the smallest class
    /// `>= len`; `None` above the largest class.
    #[inline]
    pub fn class_of(&self, len: usize) -> Option<usize> {
        let shift = len.max(1).next_power_of_two().trailing_zeros().max(self.min_shift);
        (shift <= self.max_shift).then(|| (shift - self.min_shift) as usize)
    }

    /// The class a buffer of `capacity` is filed in: the largest class
    /// `<= capacity`, so any request that class serves fits without growing.
    /// `None` below the smallest class and above the largest, so an idle
    /// buffer is less than twice its class (or exactly the largest class).
    #[inline]
    pub fn class_for_capacity(&self, capacity: usize) -> Option<usize> {
        let shift = capacity.checked_ilog2()?;
        let fits = shift >= self.min_shift && capacity <= 1 << self.max_shift;
        fits.then(|| (shift - self.min_shift) as usize)
    }

    /// A buffer of length `len`, all zero, with capacity of its class
    /// (exactly `len` above the largest class, straight from the allocator).
    #[inline]
    pub fn get(&self, len: usize) -> Vec<u8> {
        if self.class_of(len).is_none() {
            return vec![0; len]; // calloc: large zeroed memory stays lazy
        }
        let mut buf = self.get_empty(len);
        buf.resize(len, 0); // zeroes: never the last user's bytes
        buf
    }

    /// An empty buffer (length 0) with capacity of at least `capacity`.
    #[inline]
    pub fn get_empty(&self, capacity: usize) -> Vec<u8> {
        match self.class_of(capacity) {
            Some(c) => self.classes[c]
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(self.class_size(c))),
            None => Vec::with_capacity(capacity),
        }
    }

    /// Takes `buf` back: cleared, filed by capacity, dropped if no class
    /// fits or its class is full.
    #[inline]
    pub fn put(&self, mut buf: Vec<u8>) {
        if let Some(c) = self.class_for_capacity(buf.capacity()) {
            buf.clear();
            let _ = self.classes[c].push(buf);
        }
    }
}
// ANCHOR_END: size_class
