//! Chapter 4, Pools: object pools, byte pools, size classes and
//! thread-local pools, measured against the allocators they compete with.
//!
//! The Go guides pool everything. In Rust a pool competes with glibc's
//! per-thread cache (tcache), where malloc + free of a small block is a pop
//! and a push on a thread-local list, so a pool pays only where the
//! allocator is slow: objects that are expensive to build, buffers large
//! enough to be returned to the kernel, and recycling across threads.
//! [`figures`] measures where that line is on this machine.
//!
//! | file | what it holds |
//! |---|---|
//! | [`object_pool`] | the generic pool (`Recycle` policy × `IdleStore`), its guard, bound and cap |
//! | [`thread_local`] | `thread_local!` pools (no atomics on the hot path) |
//! | [`sharded`] | a store with one shard per thread: an owner's list, an atomic queue for the others |
//! | [`size_class`] | the power-of-two byte pool that fixes seed 001's |
//! | [`case_studies`] | seed 001's server and pipeline, done so the pool helps |
//! | [`seed_port`] | the seeds' pools ported faithfully, defects included (one file per seed) |
//! | [`stale_data`], [`lifecycle`] | each seed port run beside its fix (lengths, bytes, counts) |
//! | [`unused_import`] | D07's Rust counterpart, compiled with `rustc` |
//! | [`workloads`] | the timed loops and the interleaved race |
//! | [`figures`] | every measurement, once per run |
//! | [`tables`] | what the example prints |
//! | `checks` | one check per ledger id: measure, then a rule |
//!
//! Not here: allocator tuning (a later chapter), and the `sync.Pool` runtime
//! itself (its GC-driven clearing has no Rust counterpart).

pub mod case_studies;
pub mod figures;
pub mod lifecycle;
pub mod object_pool;
pub mod seed_port;
pub mod sharded;
pub mod size_class;
pub mod stale_data;
pub mod tables;
pub mod thread_local;
pub mod unused_import;
pub mod workloads;

mod checks;

pub use checks::CHECKS;
pub use object_pool::{
    BoxRecycler, BufferRecycler, IdleStore, LocalPool, LocalStore, MutexPool, MutexStore,
    Obj64, Pool, Pooled, QueuePool, QueueStore, Recycle, ShardedPool, ShardedStore,
    WithFns,
};
pub use size_class::SizeClassPool;
pub use thread_local::{OBJ64_POOL, Obj64Pool, TlsKey, TlsPool, TlsPooled};

use crate::measure::child::ChildMode;

/// This chapter crashes nothing on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
