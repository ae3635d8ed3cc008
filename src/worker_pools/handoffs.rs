//! Seed 001's pipeline and seed 003's `HandleRequests` run beside their
//! fixes: a consumer that ends or hangs, and requests answered once, in
//! order, with a bounded number in flight. Counts only; the checks decide.

use super::requests;
use super::seed_port::handle_requests::{self as seed, GoSlice};
use super::seed_port::pipeline::MemoryOptimizedPipeline;
use super::semaphore::Gauge;
use super::stage::stage;
use crate::measure::child::ChildOutcome;
use std::sync::Arc;
use std::time::Duration;

/// Items sent through the pipelines.
pub const ITEMS: usize = 10;

/// Child mode: the port's consumer ranging over `output` (D50).
pub const CHILD_PIPELINE: &str = "worker_pools::seed_pipeline_consumer";

/// The child's body: [`ITEMS`] items through the port, input closed, and a
/// consumer that prints `received N` per item and `finished` when its loop
/// ends, which it never does: the pipeline still holds `output`.
pub fn child_pipeline() {
    let (in_tx, in_rx) = crossbeam_channel::unbounded();
    let (out_tx, out_rx) = crossbeam_channel::unbounded();
    let pipeline = Arc::new(MemoryOptimizedPipeline::new(in_rx, out_tx));
    let p = pipeline.clone();
    std::thread::spawn(move || p.process());
    for i in 0..ITEMS {
        let _ = in_tx.send(vec![i as u8; 16]);
    }
    drop(in_tx); // close(input)
    for (n, _) in out_rx.iter().enumerate() {
        println!("received {}", n + 1);
    }
    println!("finished");
    drop(pipeline);
}

/// The port's consumer (from the child) and the fix's.
#[derive(Clone, Debug)]
pub struct Consumers {
    /// Items sent.
    pub items: u64,
    /// The port's consumer: items received before the time-out.
    pub seed_received: u64,
    /// The port's consumer loop ended.
    pub seed_finished: bool,
    /// How the child ended.
    pub seed_ended: String,
    /// The fix's consumer: items received.
    pub fix_received: u64,
    /// The fix's consumer loop ended.
    pub fix_finished: bool,
}

/// Reads the child's output, and runs [`stage`] the same way in this
/// process (its consumer waits at most 5 s for each item).
pub fn consumers(o: &ChildOutcome) -> Consumers {
    let seed_received = super::lifecycle::last_value(o, "received").unwrap_or(0);
    let seed_finished = o.stdout.lines().any(|l| l.trim_end().ends_with("finished"));
    let (in_tx, in_rx) = crossbeam_channel::unbounded::<Vec<u8>>();
    let (out_tx, out_rx) = crossbeam_channel::unbounded();
    let worker = std::thread::spawn(move || stage(in_rx, out_tx, |d| d.to_vec()));
    for i in 0..ITEMS {
        let _ = in_tx.send(vec![i as u8; 16]);
    }
    drop(in_tx);
    let (mut fix_received, mut fix_finished) = (0, false);
    loop {
        match out_rx.recv_timeout(Duration::from_secs(5)) {
            Ok(_) => fix_received += 1,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                fix_finished = true;
                break;
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => break,
        }
    }
    let _ = worker.join();
    Consumers {
        items: ITEMS as u64,
        seed_received,
        seed_finished,
        seed_ended: o.describe(),
        fix_received,
        fix_finished,
    }
}

/// C003-30, C003-31, D57: `HandleRequests`, ported and fixed.
#[derive(Clone, Debug)]
pub struct Requests {
    /// Requests handled.
    pub requests: usize,
    /// The port: most requests in `process` at once.
    pub seed_most_in_flight: usize,
    /// The port: responses in the slice at the end.
    pub seed_responses: usize,
    /// Two appends replayed so both read the slice header first: length after.
    pub interleaved_len: usize,
    /// The fix: most requests in flight at once.
    pub fix_most_in_flight: usize,
    /// The fix: every request answered once, at its own index.
    pub fix_in_order: bool,
}

/// `requests` requests of [`seed::PROCESS_TIME`] each through the port and
/// through [`requests::handle_requests`], both limited to [`seed::LIMIT`].
pub fn requests(requests: usize) -> Requests {
    let input: Vec<u64> = (0..requests as u64).collect();
    let gauge = Arc::new(Gauge::default());
    let out = seed::handle_requests(&input, seed::process_request, &gauge);
    let (fixed, most) =
        requests::handle_requests(&input, seed::LIMIT, |&r| seed::process_request(r));
    let fix_in_order = fixed.len() == input.len()
        && fixed.iter().zip(&input).all(|(a, r)| *a == seed::process_request_value(*r));
    Requests {
        requests,
        seed_most_in_flight: gauge.most(),
        seed_responses: out.len(),
        interleaved_len: seed::two_interleaved_appends(),
        fix_most_in_flight: most,
        fix_in_order,
    }
}

/// A [`GoSlice`] of `n` appends from `n` threads, free-running (no replayed
/// interleaving): responses kept. Lost updates here depend on timing.
pub fn free_running_appends(n: usize) -> usize {
    let s = GoSlice::with_capacity(n);
    std::thread::scope(|scope| {
        for v in 0..n as u64 {
            let s = &s;
            scope.spawn(move || s.append(v));
        }
    });
    s.to_vec().len()
}
