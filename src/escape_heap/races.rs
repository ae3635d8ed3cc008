//! Two data races in the seeds that Rust refuses to compile, and the fixed
//! versions with their allocation counts.
//!
//! Seed 003 最佳实践2 (L407-440) lets every goroutine `append` to one slice
//! (defect D57). Ported, the borrow checker rejects the second `&mut`:
//!
//! ```compile_fail,E0499
#![doc = include_str!("snippets/shared_append.rs")]
//! ```
//!
//! Seed 000 §1.5.1 (L653-709) copies a map of `*Metric` under a read lock,
//! unlocks, and lets exporters read metrics that `AddMetric` keeps mutating
//! (defect D24). Ported, the references cannot outlive the guard:
//!
//! ```compile_fail,E0505
#![doc = include_str!("snippets/metric_snapshot.rs")]
//! ```
//!
//! Not a worker-pool chapter: the fixes split a known list of requests over
//! a fixed number of threads, the simplest shape that answers every request
//! exactly once and in order.

use crate::measure::alloc::{AllocCounts, AllocScope};
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};

/// The work per request: any pure function will do.
pub fn process(request: u32) -> u32 {
    request.wrapping_mul(2_654_435_761).rotate_left(7)
}

/// A fix's responses and the allocations it made on every thread involved.
#[derive(Debug)]
pub struct Answered {
    /// `responses[i]` answers `requests[i]`.
    pub responses: Vec<u32>,
    /// Allocations on the calling thread.
    pub caller: AllocCounts,
    /// Allocations on the worker threads, summed.
    pub workers: AllocCounts,
}

fn sum(counts: impl IntoIterator<Item = AllocCounts>) -> AllocCounts {
    counts.into_iter().fold(AllocCounts::default(), |a, c| AllocCounts {
        allocs: a.allocs + c.allocs,
        zeroed_allocs: a.zeroed_allocs + c.zeroed_allocs,
        reallocs: a.reallocs + c.reallocs,
        frees: a.frees + c.frees,
        bytes_requested: a.bytes_requested + c.bytes_requested,
        bytes_freed: a.bytes_freed + c.bytes_freed,
        peak_live_bytes: a.peak_live_bytes.max(c.peak_live_bytes),
    })
}

// ANCHOR: scoped_slots
/// Fix 1: each scoped thread owns a disjoint chunk of the preallocated output.
pub fn answer_with_scoped_slots(requests: &[u32], workers: usize) -> Answered {
    let scope = AllocScope::start();
    let mut responses = vec![0; requests.len()];
    let chunk = requests.len().div_ceil(workers.max(1)).max(1);
    let worker_counts: Vec<AllocCounts> = std::thread::scope(|s| {
        let handles: Vec<_> = requests
            .chunks(chunk)
            .zip(responses.chunks_mut(chunk))
            .map(|(reqs, outs)| {
                s.spawn(move || {
                    let scope = AllocScope::start();
                    for (r, out) in reqs.iter().zip(outs) {
                        *out = process(*r);
                    }
                    scope.counts()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("worker panicked")).collect()
    });
    Answered { responses, caller: scope.counts(), workers: sum(worker_counts) }
}
// ANCHOR_END: scoped_slots

// ANCHOR: channel
/// Fix 2: workers send `(index, response)` over a channel; the caller files
/// each answer in its slot.
pub fn answer_with_channel(requests: &[u32], workers: usize) -> Answered {
    let scope = AllocScope::start();
    let mut responses = vec![0; requests.len()];
    let chunk = requests.len().div_ceil(workers.max(1)).max(1);
    let (tx, rx) = mpsc::channel::<(usize, u32)>();
    let worker_counts: Vec<AllocCounts> = std::thread::scope(|s| {
        let handles: Vec<_> = requests
            .chunks(chunk)
            .enumerate()
            .map(|(c, reqs)| {
                let tx = tx.clone();
                s.spawn(move || {
                    let scope = AllocScope::start();
                    for (i, r) in reqs.iter().enumerate() {
                        tx.send((c * chunk + i, process(*r))).expect("receiver alive");
                    }
                    scope.counts()
                })
            })
            .collect();
        drop(tx);
        for (i, response) in rx {
            responses[i] = response;
        }
        handles.into_iter().map(|h| h.join().expect("worker panicked")).collect()
    });
    Answered { responses, caller: scope.counts(), workers: sum(worker_counts) }
}
// ANCHOR_END: channel

// ANCHOR: mutex
/// Fix 3: the seed's shape with a lock: workers push `(index, response)`
/// into one `Mutex<Vec>`, then the caller puts them in order.
pub fn answer_with_mutex(requests: &[u32], workers: usize) -> Answered {
    let scope = AllocScope::start();
    let shared = Mutex::new(Vec::with_capacity(requests.len()));
    let chunk = requests.len().div_ceil(workers.max(1)).max(1);
    let worker_counts: Vec<AllocCounts> = std::thread::scope(|s| {
        let handles: Vec<_> = requests
            .chunks(chunk)
            .enumerate()
            .map(|(c, reqs)| {
                let shared = &shared;
                s.spawn(move || {
                    let scope = AllocScope::start();
                    for (i, r) in reqs.iter().enumerate() {
                        let answer = (c * chunk + i, process(*r));
                        shared.lock().expect("no worker panicked").push(answer);
                    }
                    scope.counts()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("worker panicked")).collect()
    });
    let mut pairs = shared.into_inner().expect("no worker panicked");
    pairs.sort_unstable_by_key(|&(i, _)| i);
    let responses = pairs.into_iter().map(|(_, r)| r).collect();
    Answered { responses, caller: scope.counts(), workers: sum(worker_counts) }
}
// ANCHOR_END: mutex

// ANCHOR: metrics
/// One metric, small enough to copy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metric {
    /// Last value recorded.
    pub value: f64,
    /// Updates so far.
    pub count: u64,
}

/// The fixed monitor: `snapshot` copies the metrics **under** the read lock,
/// so exporters read values no writer can change, and a name is shared
/// (`Arc<str>`), not copied.
#[derive(Default)]
pub struct MetricRegistry {
    metrics: RwLock<HashMap<Arc<str>, Metric>>,
}

impl MetricRegistry {
    /// The seed's `AddMetric`: set the value, count the update.
    pub fn add(&self, name: &str, value: f64) {
        let mut map = self.metrics.write().expect("registry lock");
        match map.get_mut(name) {
            Some(m) => {
                m.value = value;
                m.count += 1;
            }
            None => {
                map.insert(Arc::from(name), Metric { value, count: 1 });
            }
        }
    }

    /// An owned, consistent copy: one allocation for the vector.
    pub fn snapshot(&self) -> Vec<(Arc<str>, Metric)> {
        let map = self.metrics.read().expect("registry lock");
        map.iter().map(|(k, m)| (Arc::clone(k), *m)).collect()
    }
}
// ANCHOR_END: metrics

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fix_answers_every_request_in_order() {
        let requests: Vec<u32> = (0..1000).collect();
        let want: Vec<u32> = requests.iter().map(|&r| process(r)).collect();
        for workers in [1, 3, 8] {
            assert_eq!(answer_with_scoped_slots(&requests, workers).responses, want);
            assert_eq!(answer_with_channel(&requests, workers).responses, want);
            assert_eq!(answer_with_mutex(&requests, workers).responses, want);
        }
        assert!(answer_with_scoped_slots(&[], 2).responses.is_empty());
    }
}
