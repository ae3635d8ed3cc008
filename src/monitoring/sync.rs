//! The atomics the registry's hot parts are built from, switched by
//! `cfg(loom)`: `std`'s in a normal build, loom's instrumented ones under
//! `RUSTFLAGS="--cfg loom"`, so the loom models in `tests/monitoring/`
//! explore every interleaving of the very [`super::seqlock`] and
//! [`super::registry`] code the book shows.
//!
//! Not for statics (loom's atomics have no `const fn new`): the tracking
//! allocator and the sampler use `std` directly.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::thread::yield_now as spin;

#[cfg(not(loom))]
pub(crate) use std::hint::spin_loop as spin;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
