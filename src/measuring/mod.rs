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
    Check { id: "C000-27", run: checks_bench::c000_27 },
    Check { id: "C000-28", run: checks_bench::c000_28 },
    Check { id: "C001-33", run: checks_bench::c001_33 },
    Check { id: "C001-34", run: checks_bench::c001_34 },
    Check { id: "C003-01", run: checks_tools::c003_01 },
    Check { id: "C003-02", run: checks_tools::c003_02 },
    Check { id: "C003-04", run: checks_tools::c003_04 },
    Check { id: "C003-05", run: checks_tools::c003_05 },
    Check { id: "C003-06", run: checks_tools::c003_06 },
    Check { id: "C003-08", run: checks_tools::c003_08 },
    Check { id: "C003-26", run: checks_bench::c003_26 },
    Check { id: "C003-29", run: checks_tools::c003_29 },
    Check { id: "C003-32", run: checks_tools::c003_32 },
    Check { id: "C003-36", run: checks_tools::c003_36 },
    Check { id: "C003-37", run: checks_tools::c003_37 },
    Check { id: "C003-38", run: checks_tools::c003_38 },
    Check { id: "C003-41", run: checks_tools::c003_41 },
    Check { id: "C003-42", run: checks_tools::c003_42 },
    Check { id: "C004-16", run: checks_seed::c004_16 },
    Check { id: "C004-18", run: checks_seed::c004_18 },
    Check { id: "C004-19", run: checks_seed::c004_19 },
    Check { id: "C004-20", run: checks_seed::c004_20 },
    Check { id: "C004-21", run: checks_seed::c004_21 },
    Check { id: "C004-27", run: checks_seed::c004_27 },
    Check { id: "C004-28", run: checks_seed::c004_28 },
    Check { id: "C004-41", run: checks_seed::c004_41 },
    Check { id: "D27", run: checks_bench::d27 },
    Check { id: "D28", run: checks_bench::d28 },
    Check { id: "D43", run: checks_bench::d43 },
    Check { id: "D44", run: checks_bench::d44 },
    Check { id: "D55", run: checks_bench::d55 },
    Check { id: "D62", run: checks_seed::d62 },
    Check { id: "D63", run: checks_seed::d63 },
    Check { id: "D64", run: checks_seed::d64 },
    Check { id: "D65", run: checks_seed::d65 },
];

/// This chapter crashes nothing on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
