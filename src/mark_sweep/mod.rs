//! Chapter 5, tri-color mark-sweep: a garbage collector to study, since Rust
//! has none. A simulated heap ([`heap`]), a stop-the-world collector with a
//! gray worklist ([`stw`]), seed 001's recursive marker ported with its
//! defects ([`seed_port`]), incremental marking with selectable write
//! barriers ([`incremental`], [`barrier`]), an invariant checker
//! ([`checker`]), a mutator and scripted interleavings ([`mutator`],
//! [`scenarios`]), GOGC-style pacing ([`pacing`]), SVG frames ([`svg`]), and
//! what Rust does instead of all this ([`rust_side`]).
//!
//! Not a garbage collector for Rust programs: objects are indices into an
//! arena and their "bytes" are numbers. Its claim checks are in [`checks`].

pub mod barrier;
pub mod checker;
pub mod checks;
pub mod experiments;
pub mod graphs;
pub mod heap;
pub mod incremental;
pub mod mutator;
pub mod pacing;
pub mod rng;
pub mod rust_side;
pub mod scenarios;
pub mod seed_port;
pub mod stw;
pub mod svg;

pub use checks::CHECKS;
pub use seed_port::CHILD_MODES;
