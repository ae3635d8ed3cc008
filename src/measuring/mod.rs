//! Chapter 0, "Measuring honestly": how this workbook checks a claim, and how
//! a reader should benchmark.
//!
//! | file | what it is for |
//! |---|---|
//! | [`timing`] | ns/op from a monotonic clock, round-robin medians, the cycle time, millisecond readings |
//! | [`elision`] | loops whose allocation LLVM may delete, beside the same loops with `black_box` |
//! | [`tiny_pool`] | the least work a pool can do, to read pool figures against |
//! | [`counting`] | allocations and bytes per operation, counted exactly |
//! | [`counters`] | what `/proc` and `getrusage` count: syscalls, faults, RSS, CPU time |
//! | [`first_touch`] | seed 004's large-buffer experiment, in nanoseconds |
//! | [`loopback`] | what a client-timed transfer benchmark measures |
//! | [`seed_numbers`] | the seeds' own figures, cited, and their arithmetic |
//! | [`figures`] | the measurements, taken once and shared by example and checks |
//! | `checks_*` | one check per ledger id this chapter owns |
//!
//! Not here: the subjects of other chapters (pools, zero-copy, mmap). Their
//! seed benchmarks are judged here only as benchmarks.

pub mod counters;
pub mod counting;
pub mod elision;
pub mod figures;
pub mod first_touch;
pub mod loopback;
pub mod seed_numbers;
pub mod tables;
pub mod timing;
pub mod tiny_pool;

mod checks_bench;
mod checks_seed;
mod checks_tools;

use crate::claims::Check;
use crate::measure::child::ChildMode;

pub use checks_tools::sample_records;

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::legacy("C000-27", checks_bench::c000_27),
    Check::legacy("C000-28", checks_bench::c000_28),
    Check::legacy("C001-33", checks_bench::c001_33),
    Check::legacy("C001-34", checks_bench::c001_34),
    Check::legacy("C003-01", checks_tools::c003_01),
    Check::legacy("C003-02", checks_tools::c003_02),
    Check::legacy("C003-04", checks_tools::c003_04),
    Check::legacy("C003-05", checks_tools::c003_05),
    Check::legacy("C003-06", checks_tools::c003_06),
    Check::legacy("C003-08", checks_tools::c003_08),
    Check::legacy("C003-26", checks_bench::c003_26),
    Check::legacy("C003-29", checks_tools::c003_29),
    Check::legacy("C003-32", checks_tools::c003_32),
    Check::legacy("C003-36", checks_tools::c003_36),
    Check::legacy("C003-37", checks_tools::c003_37),
    Check::legacy("C003-38", checks_tools::c003_38),
    Check::legacy("C003-41", checks_tools::c003_41),
    Check::legacy("C003-42", checks_tools::c003_42),
    Check::legacy("C004-16", checks_seed::c004_16),
    Check::legacy("C004-18", checks_seed::c004_18),
    Check::legacy("C004-19", checks_seed::c004_19),
    Check::legacy("C004-20", checks_seed::c004_20),
    Check::legacy("C004-21", checks_seed::c004_21),
    Check::legacy("C004-27", checks_seed::c004_27),
    Check::legacy("C004-28", checks_seed::c004_28),
    Check::legacy("C004-41", checks_seed::c004_41),
    Check::legacy("D27", checks_bench::d27),
    Check::legacy("D28", checks_bench::d28),
    Check::legacy("D43", checks_bench::d43),
    Check::legacy("D44", checks_bench::d44),
    Check::legacy("D55", checks_bench::d55),
    Check::legacy("D62", checks_seed::d62),
    Check::legacy("D63", checks_seed::d63),
    Check::legacy("D64", checks_seed::d64),
    Check::legacy("D65", checks_seed::d65),
];

/// This chapter crashes nothing on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
