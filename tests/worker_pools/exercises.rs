//! Chapter 9's exercises: `cargo test --test worker_pools exercise`. To
//! write them yourself: `cargo test --test worker_pools --features starter`,
//! then edit tests/worker_pools/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use crossbeam_channel::RecvTimeoutError;
use perf_workbook::worker_pools::writes;
use std::time::Duration;

/// Exercise 1: a worker told to stop while jobs are queued finishes them.
#[test]
fn exercise_1_shutdown_loses_nothing() {
    for workers in 1..=4 {
        let (job_tx, jobs) = crossbeam_channel::bounded::<u64>(1000);
        let (stop_tx, stop) = crossbeam_channel::bounded::<()>(0);
        let (results, out) = crossbeam_channel::unbounded::<u64>();
        for j in 0..1000 {
            job_tx.send(j).unwrap();
        }
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (jobs, stop, results) = (jobs.clone(), stop.clone(), results.clone());
                std::thread::spawn(move || answer::worker(&jobs, &stop, &results))
            })
            .collect();
        drop(stop_tx); // stop: every worker sees it at once
        for h in handles {
            h.join().unwrap();
        }
        drop(job_tx);
        let mut got: Vec<u64> = out.try_iter().collect();
        got.sort_unstable();
        assert_eq!(
            got,
            (0..1000).map(|j| j * 2).collect::<Vec<_>>(),
            "{workers} workers"
        );
    }
}

/// Exercise 2: a two-stage pipeline whose consumer's loop ends.
#[test]
fn exercise_2_the_consumer_of_a_pipeline_finishes() {
    let (input, rx) = crossbeam_channel::unbounded::<u64>();
    let out = answer::pipeline(rx);
    for i in 0..100 {
        input.send(i).unwrap();
    }
    drop(input);
    let mut got = Vec::new();
    loop {
        match out.recv_timeout(Duration::from_secs(5)) {
            Ok(v) => got.push(v),
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                panic!("the consumer hangs after {} items", got.len())
            }
        }
    }
    assert_eq!(got, (0..100).map(|i| i * 2 + 1).collect::<Vec<_>>());
}

/// Exercise 3: predict a batcher's write syscalls, then count them.
#[test]
fn exercise_3_predict_the_write_syscalls_of_a_batcher() {
    for (records, batch) in
        [(1u64, 1u64), (10, 1), (10, 3), (64, 64), (65, 64), (1000, 64)]
    {
        let run = writes::batched_writes(records, batch as usize, false).unwrap();
        assert_eq!(
            answer::write_syscalls(records, batch),
            run.syscw,
            "{records} records in batches of {batch}"
        );
    }
}
