//! The primitives the rings are built from, switched by `cfg(loom)`.
//!
//! In a normal build these are `std`'s atomics and `Arc`, plus a
//! zero-cost [`UnsafeCell`] with the closure API of `loom::cell::UnsafeCell`.
//! Under `RUSTFLAGS="--cfg loom"` they are loom's instrumented versions, so the
//! model tests in `tests/lock_free_ring/loom_models.rs` explore every interleaving of the
//! very code the book shows, and loom reports any unsynchronised access to a
//! slot as a causality violation.
//!
//! Not for anything else: the rest of the crate uses `std` directly.

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;
#[cfg(loom)]
pub(crate) use loom::sync::Arc;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// `std::cell::UnsafeCell` with loom's closure-based API (`with`, `with_mut`),
/// compiled away to the plain pointer in a normal build.
#[cfg(not(loom))]
#[derive(Debug)]
#[repr(transparent)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a pointer for reading.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a pointer for writing.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
