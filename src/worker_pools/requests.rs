//! Seed 003's `HandleRequests` done so that every request is answered once,
//! in order, with at most `limit` in flight (the fix of C003-30 and D57).
//!
//! The shape is the seed's (最佳实践2, L405-441): a semaphore bounds the
//! workers, one thread per request. What changes: each request owns its
//! answer's slot (`OnceLock` per index, so no two threads share a
//! `Vec`'s length), the semaphore's permit is released by `Drop`, and the
//! scope joins every thread before the answers are read.

use super::semaphore::Bounded;
use std::sync::OnceLock;

// ANCHOR: handle_requests
/// Answers `requests[i]` with `process(&requests[i])` at index `i`, at most
/// `limit` at a time. Returns the answers and the most that ran at once.
pub fn handle_requests<Q: Sync, A: Send + Sync>(
    requests: &[Q],
    limit: usize,
    process: impl Fn(&Q) -> A + Sync,
) -> (Vec<A>, usize) {
    let sem = Bounded::new(limit);
    let slots: Vec<OnceLock<A>> = requests.iter().map(|_| OnceLock::new()).collect();
    std::thread::scope(|s| {
        for (req, slot) in requests.iter().zip(&slots) {
            let permit = sem.acquire(); // waits while `limit` are running
            let process = &process;
            s.spawn(move || {
                let _permit = permit; // released when this thread ends, even on panic
                if slot.set(process(req)).is_err() {
                    unreachable!("each slot is written by its own request only");
                }
            });
        }
    }); // every thread joined here
    let answers = slots
        .into_iter()
        .map(|s| s.into_inner().expect("every request was answered"))
        .collect();
    (answers, sem.most_in_flight())
}
// ANCHOR_END: handle_requests
