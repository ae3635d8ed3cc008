//! Chapter 3, "Escape and heap behavior": where Rust values live, counted
//! allocation by allocation.
//!
//! Go decides stack or heap by escape analysis, behind the programmer's back.
//! Rust decides by type and ownership, and the borrow checker refuses what Go
//! would silently move to the heap. Each module takes one part of the seeds'
//! advice (seed 001 §6.1.1.3 and §6.1.1.9, seed 003 策略2-5 and 7) and gives
//! the Rust code whose allocations the counting allocator then counts:
//!
//! - [`escape`]: the seed's escape cases (returned pointers, closures,
//!   interfaces, dynamic sizes) and `MemoryLayout`;
//! - [`growth`]: `Vec` and `String` growth, preallocation, string building;
//! - [`bytepool`]: building a string in a pooled buffer, and the seed's
//!   `defer Put(buf)` bug;
//! - [`retention`]: what keeps a big buffer alive, and when `drop` frees;
//! - [`values`]: values against boxes, and large values on small stacks;
//! - [`context`]: large values in a Go-style context, and string keys;
//! - [`drop_list`]: a million-node `Box` list that overflows the stack when
//!   dropped, and the iterative `Drop` that does not;
//! - [`races`]: two seed data races that do not compile in Rust, fixed;
//! - [`rustc`]: compiles the faithful ports and reports rustc's error codes.
//!
//! Not covered here: allocator tuning (glibc thresholds, jemalloc), pools as
//! a subject (chapter 4), and Go's own escape analysis, which no code here
//! runs.

pub mod bytepool;
pub mod checks;
pub mod context;
pub mod drop_list;
pub mod escape;
pub mod growth;
pub mod races;
pub mod retention;
pub mod rustc;
pub mod values;

use crate::claims::Check;
use crate::measure::child::ChildMode;
use checks::{escape as ce, growth as cg, retention as cr, values as cv};

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check { id: "C001-03", run: ce::c001_03 },
    Check { id: "C001-04", run: ce::c001_04 },
    Check { id: "C001-05", run: ce::c001_05 },
    Check { id: "C001-06", run: ce::c001_06 },
    Check { id: "C001-07", run: ce::c001_07 },
    Check { id: "C001-08", run: ce::c001_08 },
    Check { id: "C001-09", run: ce::c001_09 },
    Check { id: "C001-10", run: ce::c001_10 },
    Check { id: "C001-11", run: ce::c001_11 },
    Check { id: "C001-12", run: ce::c001_12 },
    Check { id: "C001-13", run: ce::c001_13 },
    Check { id: "C001-23", run: cv::c001_23 },
    Check { id: "C001-35", run: cg::c001_35 },
    Check { id: "C001-37", run: cg::c001_37 },
    Check { id: "C001-39", run: cr::c001_39 },
    Check { id: "C003-07", run: ce::c003_07 },
    Check { id: "C003-12", run: cg::c003_12 },
    Check { id: "C003-13", run: cg::c003_13 },
    Check { id: "C003-14", run: cg::c003_14 },
    Check { id: "C003-15", run: cg::c003_15 },
    Check { id: "C003-16", run: cg::c003_16 },
    Check { id: "C003-17", run: cg::c003_17 },
    Check { id: "C003-18", run: cg::c003_18 },
    Check { id: "C003-19", run: cr::c003_19 },
    Check { id: "C003-20", run: cr::c003_20 },
    Check { id: "C003-21", run: cr::c003_21 },
    Check { id: "C003-22", run: cv::c003_22 },
    Check { id: "C003-23", run: cv::c003_23 },
    Check { id: "C003-24", run: cv::c003_24 },
    Check { id: "C003-27", run: cr::c003_27 },
    Check { id: "C003-28", run: cr::c003_28 },
    Check { id: "D29", run: ce::d29 },
    Check { id: "D30", run: ce::d30 },
    Check { id: "D45", run: cg::d45 },
    Check { id: "D46", run: cr::d46 },
    Check { id: "D53", run: cg::d53 },
    Check { id: "D54", run: cr::d54 },
    Check { id: "D56", run: cr::d56 },
];

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
