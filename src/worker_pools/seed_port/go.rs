//! The pieces of Go the ports need: `context.WithCancel`, and a measurement
//! of how `select!` chooses between two ready cases.

use crossbeam_channel::{Receiver, Sender, select};
use std::sync::Mutex;

/// `ctx, cancel := context.WithCancel(context.Background())`: `done` never
/// carries a message; it becomes ready, for every receiver and for ever,
/// when [`Context::cancel`] drops its only sender.
pub struct Context {
    done: Receiver<()>,
    cancel: Mutex<Option<Sender<()>>>,
}

impl Context {
    /// A context not cancelled yet.
    pub fn with_cancel() -> Self {
        let (tx, rx) = crossbeam_channel::bounded(0);
        Self { done: rx, cancel: Mutex::new(Some(tx)) }
    }

    /// `ctx.Done()`.
    pub fn done(&self) -> &Receiver<()> {
        &self.done
    }

    /// `cancel()`; a second call does nothing, as in Go.
    pub fn cancel(&self) {
        drop(self.cancel.lock().unwrap_or_else(|p| p.into_inner()).take());
    }
}

/// How often `select!` took the first of two cases that are both ready, in
/// `rounds` selects: Go's `select` picks uniformly at random, and so does
/// crossbeam's (about half each). This is why seed 000's worker, told to
/// stop while jobs are queued, sometimes takes another job and sometimes
/// stops (D13).
pub fn select_split(rounds: usize) -> usize {
    let (job_tx, jobs) = crossbeam_channel::bounded::<u32>(1);
    let ctx = Context::with_cancel();
    ctx.cancel();
    let mut first = 0;
    for _ in 0..rounds {
        let _ = job_tx.try_send(1); // keep a job waiting
        select! {
            recv(jobs) -> _ => first += 1,
            recv(ctx.done()) -> _ => {}
        }
    }
    first
}
