//! Chapter 6, "Lock-free ring": seed 000 §1.3.2's `LockFreeRingBuffer`,
//! what is wrong with it, and what to use instead.
//!
//! - [`spsc`]: the single-producer single-consumer ring (split handles, exact
//!   capacity, cached counters, padded counters, batch operations).
//! - [`mpmc`]: a bounded multi-producer multi-consumer queue (Vyukov's
//!   per-slot stamps), with its progress property stated.
//! - [`seed`]: the seed's ring ported statement by statement (atomic slots,
//!   so its failures are logic bugs, not undefined behaviour).
//! - [`race`]: the port under several producers or consumers, counted, and
//!   the exact interleavings that break it, replayed.
//! - [`ablation`]: the SPSC ring with padding and caching as switches, to
//!   measure what each buys.
//! - [`harness`]: the two-thread workloads every queue is timed with, and
//!   [`adapters`]: the queues of this crate and of std, fitted to them.
//! - the claim checks ([`CHECKS`]) for C000-18..20 and D15..D18.
//!
//! Not here: blocking (parking) wrappers, async, or unbounded queues.

pub mod ablation;
pub mod adapters;
mod checks;
pub mod harness;
mod measured;
pub mod mpmc;
pub mod race;
pub mod seed;
pub mod spsc;
mod sync;

use crate::claims::Check;
use crate::measure::child::ChildMode;

/// Claim checks, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::legacy("C000-18", checks::c000_18_only_spsc_is_safe),
    Check::legacy("C000-19", checks::c000_19_capacity),
    Check::legacy("C000-20", checks::c000_20_faster_than_locking),
    Check::legacy("D15", checks::d15_size_zero_and_one),
    Check::legacy("D16", checks::d16_two_producers),
    Check::legacy("D17", checks::d17_slot_access),
    Check::legacy("D18", checks::d18_false_sharing),
];

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
