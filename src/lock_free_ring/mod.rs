//! Chapter 6, "Lock-free ring": seed 000 §1.3.2's `LockFreeRingBuffer`,
//! what is wrong with it, and what to use instead.
//!
//! | module | what it is | claims |
//! |---|---|---|
//! | [`spsc`] | the single-producer single-consumer ring (split handles, exact capacity, cached and padded counters, batches) | C000-18..20 |
//! | [`mpmc`] | a bounded multi-producer multi-consumer queue (Vyukov's per-slot stamps), with its progress property stated | D16 (the fix) |
//! | [`seed_port`] | the seed's ring ported statement by statement (atomic slots, so its failures are logic bugs, not undefined behaviour) | C000-19, D15-D18 |
//! | [`race`] | the port under several producers or consumers, counted, and the exact interleavings that break it, replayed | C000-18, D16, D17 |
//! | [`ablation`] | the SPSC ring with padding, caching and Go's SeqCst stores as switches | D18, C000-20 |
//! | [`harness`] | the two-thread workloads every queue is timed with | |
//! | [`adapters`] | the queues of this crate, std and crossbeam, fitted to the harness | |
//! | [`figures`] | every measurement, once per run | |
//! | [`tables`] | what the example prints | |
//! | [`checks`] | the claim checks and their rules | all |
//!
//! Not here: blocking (parking) wrappers, async, or unbounded queues.

pub mod ablation;
pub mod adapters;
pub mod checks;
pub mod figures;
pub mod harness;
pub mod mpmc;
pub mod race;
pub mod seed_port;
pub mod spsc;
mod sync;
pub mod tables;

use crate::measure::child::ChildMode;

pub use checks::CHECKS;

/// No check of this chapter needs a child process (the seed's panic on size 0
/// is caught in-process).
pub const CHILD_MODES: &[ChildMode] = &[];

/// Why a ring or queue could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityError {
    /// Capacity 0: a ring that can never hold an item.
    Zero,
    /// The slots would not fit in `isize::MAX` bytes.
    TooLarge(usize),
}

impl CapacityError {
    /// Accepts `1 ..= isize::MAX / size_of::<S>()` slots of type `S`.
    pub(crate) fn check<S>(capacity: usize) -> Result<(), Self> {
        if capacity == 0 {
            return Err(Self::Zero);
        }
        let bytes = capacity.checked_mul(std::mem::size_of::<S>());
        match bytes {
            Some(b) if b <= isize::MAX as usize => Ok(()),
            _ => Err(Self::TooLarge(capacity)),
        }
    }
}

impl std::fmt::Display for CapacityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Zero => f.write_str("a ring needs a capacity of at least 1 (got 0)"),
            Self::TooLarge(n) => write!(f, "a ring of {n} slots does not fit in memory"),
        }
    }
}

impl std::error::Error for CapacityError {}
