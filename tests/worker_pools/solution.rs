//! Our answers to chapter 9's exercises (the starter state is `starter.rs`).

use crossbeam_channel::{Receiver, Sender, select};

// ANCHOR: exercise_1
/// Runs jobs from `jobs`, sending `job * 2` to `results`, until `stop`
/// becomes ready (its sender is dropped); then returns, having run every job
/// still queued.
pub fn worker(jobs: &Receiver<u64>, stop: &Receiver<()>, results: &Sender<u64>) {
    loop {
        select! {
            recv(jobs) -> job => match job {
                Ok(j) => {
                    let _ = results.send(j * 2);
                }
                Err(_) => return, // closed and empty
            },
            recv(stop) -> _ => {
                // Stop taking new work, but finish what was queued.
                for j in jobs.try_iter() {
                    let _ = results.send(j * 2);
                }
                return;
            }
        }
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Two stages, each on its own thread: `x * 2`, then `+ 1`. Returns the
/// last stage's receiver; its loop must end once `input` is closed.
pub fn pipeline(input: Receiver<u64>) -> Receiver<u64> {
    let (mid_tx, mid_rx) = crossbeam_channel::unbounded();
    let (out_tx, out_rx) = crossbeam_channel::unbounded();
    std::thread::spawn(move || {
        for x in input {
            let _ = mid_tx.send(x * 2);
        }
    }); // mid_tx dropped: the second stage's loop ends
    std::thread::spawn(move || {
        for x in mid_rx {
            let _ = out_tx.send(x + 1);
        }
    }); // out_tx dropped: the consumer's loop ends
    out_rx
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// The `write` syscalls a batcher makes for `records` records in batches
/// of `batch`, with one `write_all` per flush and a last flush at the end.
pub fn write_syscalls(records: u64, batch: u64) -> u64 {
    records.div_ceil(batch)
}
// ANCHOR_END: exercise_3
