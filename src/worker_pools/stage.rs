//! The fix of D50: a pipeline stage that owns its output sender and drops
//! it when its input ends, so the next stage's loop ends too. Rust closes a
//! channel when its last sender is dropped; Go needs an explicit `close`,
//! which seed 001's `MemoryOptimizedPipeline` never makes.

use crossbeam_channel::{Receiver, Sender};

// ANCHOR: stage
/// The fix: a stage that owns its output sender and drops it when its input
/// ends, so the next stage's loop ends too.
pub fn stage<T, U>(input: Receiver<T>, output: Sender<U>, f: impl Fn(T) -> U) {
    for item in input {
        if output.send(f(item)).is_err() {
            return; // nobody downstream any more
        }
    }
} // `output` dropped here: downstream `for x in rx` ends
// ANCHOR_END: stage
