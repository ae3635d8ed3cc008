//! The exercises of chapter 9, to write yourself: run
//! `cargo test --test worker_pools --features starter`, then replace each
//! `todo!()` until the tests pass. Our answers are in `solution.rs`.
#![allow(unused)]

use crossbeam_channel::{Receiver, Sender, select};

// ANCHOR: exercise_1
/// Runs jobs from `jobs`, sending `job * 2` to `results`, until `stop`
/// becomes ready (its sender is dropped); then returns, having run every job
/// still queued.
pub fn worker(jobs: &Receiver<u64>, stop: &Receiver<()>, results: &Sender<u64>) {
    // TODO: seed 000's worker `select`s between the next job and the stop
    // signal, and returns at once when it picks the stop. Pick the stop too,
    // but run what is left in `jobs` (`try_iter`) before returning.
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Two stages, each on its own thread: `x * 2`, then `+ 1`. Returns the
/// last stage's receiver; its loop must end once `input` is closed.
pub fn pipeline(input: Receiver<u64>) -> Receiver<u64> {
    // TODO: give each stage its input receiver and its output sender by
    // value, so the sender is dropped when the stage's loop ends.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// The `write` syscalls a batcher makes for `records` records in batches
/// of `batch`, with one `write_all` per flush and a last flush at the end.
pub fn write_syscalls(records: u64, batch: u64) -> u64 {
    // TODO: full batches, plus one for a partial batch left at the end.
    todo!()
}
// ANCHOR_END: exercise_3
