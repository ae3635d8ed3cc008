//! Chapter 4, Pools: object pools, byte pools, size classes and
//! thread-local pools, measured against the allocators they compete with.
//!
//! The Go guides pool everything. In Rust a pool competes with glibc's
//! per-thread cache (tcache), where malloc + free of a small block costs tens
//! of nanoseconds, so a pool pays only where the allocator is slow: objects
//! that are expensive to build, buffers large enough to miss the cache or be
//! returned to the kernel, and recycling across threads. [`pays`] measures
//! where that line is on this machine.
//!
//! - [`object_pool`]: the generic pool (`Recycle` policy × `IdleStore`), with
//!   a guard, reset on return, a bound on idle objects and a capacity cap.
//! - [`thread_local`]: `thread_local!` pools (no atomics on the hot path).
//! - [`size_class`]: the power-of-two byte pool that fixes seed 001's.
//! - [`seed_ports`]: the seeds' pools ported faithfully, defects included.
//! - [`cases`]: seed 001's case studies, done right.
//! - [`demos`]: each defect beside its fix, as data (no timing).
//! - [`workloads`], [`pays`]: the timed workloads and the "when does a pool
//!   pay" table.
//! - `checks`: one check per ledger id, computed from the above.
//!
//! Not here: allocator tuning (a later chapter), and the `sync.Pool` runtime
//! itself (its GC-driven clearing has no Rust counterpart).

pub mod cases;
pub mod demos;
pub mod object_pool;
pub mod pays;
pub mod seed_ports;
pub mod size_class;
pub mod thread_local;
pub mod workloads;

mod checks;

pub use object_pool::{
    BoxRecycler, BufferRecycler, IdleStore, LocalPool, LocalStore, MutexPool, MutexStore,
    Obj64, Pool, Pooled, QueuePool, QueueStore, Recycle, ShardedPool, ShardedStore,
    WithFns,
};
pub use size_class::SizeClassPool;
pub use thread_local::{OBJ64_POOL, Obj64Pool, TlsKey, TlsPool, TlsPooled};

use crate::claims::Check;
use crate::measure::child::ChildMode;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::legacy("C000-06", checks::c000_06),
    Check::legacy("C000-07", checks::c000_07),
    Check::legacy("C001-14", checks::c001_14),
    Check::legacy("C001-15", checks::c001_15),
    Check::legacy("C001-24", checks::c001_24),
    Check::legacy("C001-28", checks::c001_28),
    Check::legacy("C001-29", checks::c001_29),
    Check::legacy("C001-36", checks::c001_36),
    Check::legacy("C001-38", checks::c001_38),
    Check::legacy("C001-40", checks::c001_40),
    Check::legacy("C001-43", checks::c001_43),
    Check::legacy("C001-44", checks::c001_44),
    Check::legacy("C003-09", checks::c003_09),
    Check::legacy("C003-10", checks::c003_10),
    Check::legacy("C003-11", checks::c003_11),
    Check::legacy("C003-25", checks::c003_25),
    Check::legacy("C003-34", checks::c003_34),
    Check::legacy("C003-35", checks::c003_35),
    Check::legacy("D07", checks::d07),
    Check::legacy("D08", checks::d08),
    Check::legacy("D09", checks::d09),
    Check::legacy("D31", checks::d31),
    Check::legacy("D35", checks::d35),
    Check::legacy("D38", checks::d38),
    Check::legacy("D39", checks::d39),
    Check::legacy("D40", checks::d40),
    Check::legacy("D47", checks::d47),
    Check::legacy("D49", checks::d49),
    Check::legacy("D58", checks::d58),
];

/// This chapter crashes nothing on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
