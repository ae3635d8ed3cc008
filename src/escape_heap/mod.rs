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
    Check::legacy("C001-03", ce::c001_03),
    Check::legacy("C001-04", ce::c001_04),
    Check::legacy("C001-05", ce::c001_05),
    Check::legacy("C001-06", ce::c001_06),
    Check::legacy("C001-07", ce::c001_07),
    Check::legacy("C001-08", ce::c001_08),
    Check::legacy("C001-09", ce::c001_09),
    Check::legacy("C001-10", ce::c001_10),
    Check::legacy("C001-11", ce::c001_11),
    Check::legacy("C001-12", ce::c001_12),
    Check::legacy("C001-13", ce::c001_13),
    Check::legacy("C001-23", cv::c001_23),
    Check::legacy("C001-35", cg::c001_35),
    Check::legacy("C001-37", cg::c001_37),
    Check::legacy("C001-39", cr::c001_39),
    Check::legacy("C003-07", ce::c003_07),
    Check::legacy("C003-12", cg::c003_12),
    Check::legacy("C003-13", cg::c003_13),
    Check::legacy("C003-14", cg::c003_14),
    Check::legacy("C003-15", cg::c003_15),
    Check::legacy("C003-16", cg::c003_16),
    Check::legacy("C003-17", cg::c003_17),
    Check::legacy("C003-18", cg::c003_18),
    Check::legacy("C003-19", cr::c003_19),
    Check::legacy("C003-20", cr::c003_20),
    Check::legacy("C003-21", cr::c003_21),
    Check::legacy("C003-22", cv::c003_22),
    Check::legacy("C003-23", cv::c003_23),
    Check::legacy("C003-24", cv::c003_24),
    Check::legacy("C003-27", cr::c003_27),
    Check::legacy("C003-28", cr::c003_28),
    Check::legacy("D29", ce::d29),
    Check::legacy("D30", ce::d30),
    Check::legacy("D45", cg::d45),
    Check::legacy("D46", cr::d46),
    Check::legacy("D53", cg::d53),
    Check::legacy("D54", cr::d54),
    Check::legacy("D56", cr::d56),
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
