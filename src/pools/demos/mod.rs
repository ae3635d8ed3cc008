//! Demonstrations: each runs a seed port and its fix on the same input and
//! returns what it saw (lengths, stale bytes, pointers, allocation counts).
//! The claim checks turn these into verdicts; the tests and the example call
//! them too. Everything here is deterministic: no timing.
//!
//! Allocation counts need the counting allocator installed in the binary.

mod data;
mod lifecycle;

pub use data::*;
pub use lifecycle::*;
