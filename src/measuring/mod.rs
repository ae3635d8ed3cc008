//! Chapter 0, "Measuring honestly": how this workbook checks a claim, and how
//! a reader should benchmark.
//!
//! | file | what it is for |
//! |---|---|
//! | [`timing`] | ns/op from a monotonic clock, round-robin samples and medians, the cycle time, millisecond readings |
//! | [`comparing`] | two runs compared as benchstat compares them: a Mann–Whitney U test |
//! | [`profile`] | a CPU profile of a thread's phases: SIGPROF from a timer on its CPU clock |
//! | [`elision`] | the honest twins of the seeds' loops, with `black_box`, and the empty loop |
//! | [`tiny_pool`] | the least work a pool can do, to read pool figures against |
//! | [`counting`] | allocations and bytes per operation, counted exactly |
//! | [`counting_cost`] | what the counting allocator adds to an alloc + free |
//! | [`counters`] | what `/proc` and `getrusage` count: syscalls, faults, RSS, CPU time |
//! | [`first_touch`] | seed 004's large-buffer experiment, in nanoseconds |
//! | [`loopback`] | what a client-timed transfer benchmark measures |
//! | [`tool_workloads`] | small workloads for `strace`, `perf` and valgrind |
//! | [`seed_port`] | the seeds' benchmark bodies and seed 004's size test, ported |
//! | [`seed_numbers`] | the seeds' own figures, cited, and their arithmetic |
//! | [`figures`] | the measurements, taken once and shared by tables and checks |
//! | [`tables`] | what the example prints |
//! | [`checks`] | one check per ledger id this chapter owns |
//!
//! Not here: the subjects of other chapters (pools, zero-copy, mmap). Their
//! seed benchmarks are judged here only as benchmarks.

pub mod checks;
pub mod comparing;
pub mod counters;
pub mod counting;
pub mod counting_cost;
pub mod elision;
pub mod figures;
pub mod first_touch;
pub mod loopback;
pub mod profile;
pub mod seed_numbers;
pub mod seed_port;
pub mod tables;
pub mod timing;
pub mod tiny_pool;
pub mod tool_workloads;

use crate::measure::child::ChildMode;

pub use checks::CHECKS;

/// This chapter crashes nothing on purpose.
pub const CHILD_MODES: &[ChildMode] = &[];
