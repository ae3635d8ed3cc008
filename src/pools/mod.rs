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
    Check { id: "C000-06", run: checks::c000_06 },
    Check { id: "C000-07", run: checks::c000_07 },
    Check { id: "C001-14", run: checks::c001_14 },
    Check { id: "C001-15", run: checks::c001_15 },
    Check { id: "C001-24", run: checks::c001_24 },
    Check { id: "C001-28", run: checks::c001_28 },
    Check { id: "C001-29", run: checks::c001_29 },
    Check { id: "C001-36", run: checks::c001_36 },
    Check { id: "C001-38", run: checks::c001_38 },
    Check { id: "C001-40", run: checks::c001_40 },
    Check { id: "C001-43", run: checks::c001_43 },
    Check { id: "C001-44", run: checks::c001_44 },
    Check { id: "C003-09", run: checks::c003_09 },
    Check { id: "C003-10", run: checks::c003_10 },
    Check { id: "C003-11", run: checks::c003_11 },
    Check { id: "C003-25", run: checks::c003_25 },
    Check { id: "C003-34", run: checks::c003_34 },
    Check { id: "C003-35", run: checks::c003_35 },
    Check { id: "D07", run: checks::d07 },
    Check { id: "D08", run: checks::d08 },
    Check { id: "D09", run: checks::d09 },
    Check { id: "D31", run: checks::d31 },
    Check { id: "D35", run: checks::d35 },
    Check { id: "D38", run: checks::d38 },
    Check { id: "D39", run: checks::d39 },
    Check { id: "D40", run: checks::d40 },
    Check { id: "D47", run: checks::d47 },
    Check { id: "D49", run: checks::d49 },
    Check { id: "D58", run: checks::d58 },
];

/// This chapter crashes nothing on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
