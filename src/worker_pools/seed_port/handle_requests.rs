//! Seed 003 最佳实践2 (L405-441), `HandleRequests`, ported.
//!
//! A 100-slot channel bounds the goroutines (C003-31); each appends its
//! response to one shared slice with no lock (D57). Written in Rust with a
//! `Vec`, that port does not compile (E0499, the snippet
//! `escape_heap/snippets/shared_append.rs`): two threads may not hold
//! `&mut responses` at once. To show what Go's version does at run time, the
//! shared slice is modelled here with relaxed atomics ([`GoSlice`]): no
//! undefined behaviour, and the same lost update, because `append` reads the
//! length, writes the element and stores the new length as three steps.

use crate::worker_pools::semaphore::Gauge;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// The seed's concurrency limit, `make(chan struct{}, 100)` (L415).
pub const LIMIT: usize = 100;

// ANCHOR: go_slice
/// A Go slice shared by goroutines without a lock: its length and elements
/// are read and written separately, as `append` does.
pub struct GoSlice {
    len: AtomicUsize,
    items: Box<[AtomicU64]>,
}

impl GoSlice {
    /// `make([]T, 0, cap)`.
    pub fn with_capacity(cap: usize) -> Self {
        Self {
            len: AtomicUsize::new(0),
            items: (0..cap).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// `s = append(s, v)`, with `between` run after the length is read and
    /// before the element is written: nothing there for a plain append, a
    /// barrier to replay an interleaving the Go code allows.
    pub fn append_with(&self, v: u64, between: impl FnOnce()) {
        let n = self.len.load(Relaxed); // read the slice header
        between();
        self.items[n].store(v, Relaxed); // write the element
        self.len.store(n + 1, Relaxed); // write the header back
    }

    /// `s = append(s, v)`.
    pub fn append(&self, v: u64) {
        self.append_with(v, || {});
    }

    /// The elements, as the header says.
    pub fn to_vec(&self) -> Vec<u64> {
        let n = self.len.load(Relaxed);
        self.items[..n].iter().map(|x| x.load(Relaxed)).collect()
    }
}
// ANCHOR_END: go_slice

// ANCHOR: port
/// `HandleRequests`: one thread per request, at most [`LIMIT`] at once, each
/// appending to the one [`GoSlice`]. `process` is the seed's undefined
/// `process(r, resp)`; `gauge` counts the requests being processed at once.
pub fn handle_requests(
    requests: &[u64],
    process: fn(u64) -> u64,
    gauge: &Arc<Gauge>,
) -> Vec<u64> {
    let responses = Arc::new(GoSlice::with_capacity(requests.len()));
    let (sem_tx, sem_rx) = crossbeam_channel::bounded::<()>(LIMIT);
    for &r in requests {
        let _ = sem_tx.send(()); // sem <- struct{}{}
        let (responses, sem_rx, gauge) =
            (responses.clone(), sem_rx.clone(), gauge.clone());
        std::thread::spawn(move || {
            let inside = gauge.enter();
            let resp = process(r);
            responses.append(resp); // no lock
            drop(inside);
            let _ = sem_rx.recv(); // defer func() { <-sem }()
        });
    }
    for _ in 0..LIMIT {
        let _ = sem_tx.send(()); // wait: fill the semaphore
    }
    responses.to_vec()
}
// ANCHOR_END: port

/// Two appends that both read the slice header before either writes it
/// back, a schedule the seed's code allows (and Go's race detector flags).
/// Returns the slice's length afterwards: 1, one response lost.
pub fn two_interleaved_appends() -> usize {
    let s = GoSlice::with_capacity(2);
    let both_read = Barrier::new(2);
    std::thread::scope(|scope| {
        for v in [1, 2] {
            let (s, both_read) = (&s, &both_read);
            scope.spawn(move || {
                s.append_with(v, || {
                    both_read.wait();
                })
            });
        }
    });
    s.to_vec().len()
}

/// How long [`process_request`] takes: long enough that the spawning loop
/// fills all [`LIMIT`] slots before the first request is done.
pub const PROCESS_TIME: Duration = Duration::from_millis(10);

/// The seed's undefined `process(r, resp)`: sleeps [`PROCESS_TIME`] (as I/O
/// would), then doubles.
pub fn process_request(r: u64) -> u64 {
    std::thread::sleep(PROCESS_TIME);
    process_request_value(r)
}

/// The answer [`process_request`] gives to `r`.
pub fn process_request_value(r: u64) -> u64 {
    r * 2
}
