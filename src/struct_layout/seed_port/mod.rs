//! Faithful ports of the seeds' structs, one file per seed: seed 000's
//! "optimized" pair ([`seed_000`]) and seed 001's reordering ([`seed_001`]),
//! each in `repr(C)` (Go's layout rule) and in Rust's default representation.
//!
//! [`Reordering`] puts a pair's four layouts in one shape ("before" is the
//! order the seed calls unoptimized, "after" the one it calls optimized), so
//! the checks of `checks/layout.rs` read both seeds the same way.

pub mod seed_000;
pub mod seed_001;

use super::field_map::TypeLayout;

/// A seed's reordering of one struct, as the compiler laid it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reordering {
    /// The seed's "unoptimized" order, `repr(C)`.
    pub before_c: TypeLayout,
    /// The seed's "optimized" order, `repr(C)`.
    pub after_c: TypeLayout,
    /// The "unoptimized" declaration, default representation.
    pub before_rust: TypeLayout,
    /// The "optimized" declaration, default representation.
    pub after_rust: TypeLayout,
}

impl Reordering {
    /// Bytes the reordering saves in `repr(C)` (negative if it costs).
    pub fn saved_c(&self) -> i64 {
        self.before_c.size as i64 - self.after_c.size as i64
    }

    /// Bytes the reordering saves in the default representation.
    pub fn saved_rust(&self) -> i64 {
        self.before_rust.size as i64 - self.after_rust.size as i64
    }
}

/// Seed 000's pair (§1.2.2): `UnoptimizedStruct` before, `OptimizedStruct` after.
pub fn seed_000_pair() -> Reordering {
    let [opt_c, unopt_c, opt_rust, unopt_rust] = seed_000::layouts();
    Reordering {
        before_c: unopt_c,
        after_c: opt_c,
        before_rust: unopt_rust,
        after_rust: opt_rust,
    }
}

/// Seed 001's pair (§6.1.1.5.2).
pub fn seed_001_pair() -> Reordering {
    let [unopt_c, opt_c, unopt_rust, opt_rust] = seed_001::layouts();
    Reordering {
        before_c: unopt_c,
        after_c: opt_c,
        before_rust: unopt_rust,
        after_rust: opt_rust,
    }
}
