//! Chapter 3, "Escape and heap behavior": where Rust values live, counted
//! allocation by allocation.
//!
//! Go decides stack or heap by escape analysis, behind the programmer's back.
//! Rust decides by type and ownership, and the borrow checker refuses what Go
//! would silently move to the heap. The chapter takes seed 001 §6.1.1.3 and
//! §6.1.1.9 and seed 003 策略2-5 and 7, and counts, allocation by
//! allocation, what the Rust code (and the ports of the Go code) does.
//!
//! | file | what |
//! |---|---|
//! | [`escape`] | the seed's escape cases (returned pointers, closures, interfaces, dynamic sizes) and `MemoryLayout` |
//! | [`growth`] | `Vec` and `String` growth, preallocation, string building, Rust's growth bound |
//! | [`bytepool`] | building a string in a pooled buffer, the Rust way |
//! | [`retention`] | what keeps a big buffer alive, and when `drop` frees |
//! | [`values`] | values against boxes, and large values on small stacks |
//! | [`context`] | large values in a Go-style context, and string keys |
//! | [`drop_list`] | a million-node `Box` list whose drop overflows the stack, and the iterative `Drop` |
//! | [`races`] | two seed data races that do not compile in Rust, fixed |
//! | [`seed_port`] | Go's behaviour ported: immutable string `+=`, slices and the deferred `Put` |
//! | [`rustc`] | compiles the line-by-line ports under `snippets/` and reports rustc's codes (used by later chapters too) |
//! | [`figures`] | every measurement, once per run, shared by the tables and the checks |
//! | [`tables`] | what the example prints |
//! | [`checks`] | the claim checks, in ledger order |
//!
//! Not covered here: allocator tuning (glibc thresholds, jemalloc), pools as
//! a subject (chapter 4), and Go's own escape analysis, which only the Go
//! side can run (the checks that state it are static, with their Rust
//! analogue measured).

pub mod bytepool;
pub mod checks;
pub mod context;
pub mod drop_list;
pub mod escape;
pub mod figures;
pub mod growth;
pub mod races;
pub mod retention;
pub mod rustc;
pub mod seed_port;
pub mod tables;
pub mod values;

pub use checks::CHECKS;

use crate::measure::child::ChildMode;

/// The crash demonstrations, run in a child process.
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode {
        name: "escape_heap::recursive_drop",
        run: drop_list::child_recursive_drop,
    },
    ChildMode {
        name: "escape_heap::iterative_drop",
        run: drop_list::child_iterative_drop,
    },
    ChildMode {
        name: "escape_heap::large_value_via_stack",
        run: values::child_large_value_via_stack,
    },
    ChildMode {
        name: "escape_heap::large_value_via_heap",
        run: values::child_large_value_via_heap,
    },
];
