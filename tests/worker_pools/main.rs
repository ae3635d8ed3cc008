//! Chapter 9, "Worker pools, batching and async I/O": invariants. The
//! exercises are in `exercises.rs`.
//!
//! Every assertion is a count or a correctness check (jobs submitted and
//! run, results, syscalls, flushes, threads), never a time. The seed ports
//! that hang run in a child process killed after a time-out
//! ([`child::run_test`]); the one test that counts the process's threads
//! runs in a child too, so the tests beside it cannot move the count.

mod exercises;

use perf_workbook::measure::child::{self, ChildMode};
use perf_workbook::worker_pools::batcher::{self, Batcher, ManualClock, WriteSink};
use perf_workbook::worker_pools::seed_port::high_performance_pool::{
    HighPerformanceWorkerPool, Job, JobResult,
};
use perf_workbook::worker_pools::{
    Bounded, TrySubmitError, WorkerPool, file_io, handoffs, io_processors, lifecycle,
    requests, undefined, writes,
};
use proptest::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_millis(1500);
const LONG: Duration = Duration::from_secs(60);

/// What a random caller does next.
#[derive(Clone, Copy, Debug)]
enum Op {
    Submit,
    TrySubmit,
    Batch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Submit), Just(Op::TrySubmit), (1usize..100).prop_map(Op::Batch),]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Whatever mix of submit, try_submit and submit_batch, with the pool
    /// shut down or dropped: every accepted job runs exactly once, and every
    /// job is either accepted or handed back.
    #[test]
    fn every_accepted_job_runs_once_after_shutdown(
        ops in prop::collection::vec(op(), 1..200),
        workers in 1usize..4,
        queue in 1usize..8,
        drop_instead in any::<bool>(),
    ) {
        let seen = Arc::new((0..20_000).map(|_| AtomicU64::new(0)).collect::<Vec<_>>());
        let s = seen.clone();
        let pool = WorkerPool::without_results(workers, queue, move |id: usize| {
            s[id].fetch_add(1, Relaxed);
        });
        let (mut next, mut accepted, mut returned) = (0usize, 0u64, 0u64);
        for op in ops {
            match op {
                Op::Submit => {
                    prop_assert!(pool.submit(next).is_ok());
                    accepted += 1;
                    next += 1;
                }
                Op::TrySubmit => {
                    match pool.try_submit(next) {
                        Ok(()) => accepted += 1,
                        Err(TrySubmitError::Full(job)) => {
                            prop_assert_eq!(job, next);
                            returned += 1;
                        }
                        Err(TrySubmitError::Closed(_)) => prop_assert!(false, "closed"),
                    }
                    next += 1;
                }
                Op::Batch(n) => {
                    prop_assert!(pool.submit_batch((next..next + n).collect()).is_ok());
                    accepted += n as u64;
                    next += n;
                }
            }
        }
        prop_assert_eq!(pool.stats().submitted, accepted);
        prop_assert_eq!(pool.stats().rejected, returned);
        if drop_instead {
            drop(pool);
        } else {
            let stats = pool.shutdown();
            prop_assert_eq!(stats.completed, accepted);
            prop_assert_eq!(stats.not_run(), 0);
        }
        let runs: u64 = seen.iter().map(|c| c.load(Relaxed)).sum();
        prop_assert_eq!(runs, accepted);
        prop_assert!(seen.iter().all(|c| c.load(Relaxed) <= 1), "a job ran twice");
        prop_assert_eq!(accepted + returned, next as u64);
    }
}

/// The seed's pool, cancelled with jobs queued, runs fewer than were
/// queued in some run of twenty (select! picks at random between the next
/// job and the cancellation, and processBatch stops mid-batch).
#[test]
fn the_seed_pool_loses_queued_jobs_at_cancel() {
    let loss = lifecycle::shutdown_loss(20, 1000);
    assert_eq!(loss.ours_completed, 1000);
    assert!(loss.seed_completed.iter().all(|&c| c <= 1000), "{:?}", loss.seed_completed);
    assert!(
        loss.seed_completed.iter().any(|&c| c < 1000),
        "no run lost a job: {:?}",
        loss.seed_completed
    );
}

#[test]
fn a_full_queue_hands_the_job_back_and_a_panic_gives_err() {
    let (tx, rx) = crossbeam_channel::bounded(64);
    let (gate_tx, gate_rx) = crossbeam_channel::bounded::<()>(0);
    let pool = WorkerPool::new(1, 2, tx, move |x: u64| {
        if x == 0 {
            let _ = gate_rx.recv();
        }
        if x == 99 {
            panic!("job 99 fails");
        }
        x
    });
    pool.submit(0).unwrap();
    while pool.stats().queued > 0 {
        std::thread::yield_now();
    }
    assert!(pool.try_submit(1).is_ok());
    assert!(pool.try_submit(2).is_ok());
    assert_eq!(pool.try_submit(3), Err(TrySubmitError::Full(3)));
    assert_eq!(pool.stats().rejected, 1);
    drop(gate_tx);
    pool.submit(99).unwrap();
    pool.submit(4).unwrap();
    let stats = pool.shutdown();
    assert_eq!((stats.submitted, stats.completed, stats.panicked), (5, 5, 1));
    let results: Vec<_> = rx.try_iter().collect();
    assert_eq!(results.len(), 5);
    let err = results.iter().find_map(|r| r.as_ref().err()).expect("an Err result");
    assert_eq!(err.message, "job 99 fails");
    assert!(results.contains(&Ok(4)), "the worker ran a job after the panic");
}

#[test]
fn a_dropped_receiver_counts_results_as_undelivered_instead_of_blocking() {
    let (tx, rx) = crossbeam_channel::bounded(2);
    let pool = WorkerPool::new(2, 4, tx, |x: u64| x);
    drop(rx);
    for i in 0..50 {
        pool.submit(i).unwrap();
    }
    let stats = pool.shutdown();
    assert_eq!((stats.completed, stats.undelivered), (50, 50));
}

#[test]
fn submit_batch_counts_every_job_and_takes_one_queue_slot() {
    let (gate_tx, gate_rx) = crossbeam_channel::bounded::<()>(0);
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let pool = WorkerPool::without_results(1, 1, move |x: u64| {
        if x == 0 {
            s.fetch_add(1, Relaxed);
            let _ = gate_rx.recv();
        }
    });
    pool.submit(0).unwrap();
    while started.load(Relaxed) == 0 {
        std::thread::yield_now();
    }
    pool.submit_batch((1..=64).collect()).unwrap(); // one slot for 64 jobs
    assert_eq!(pool.stats().queued, 1);
    assert_eq!(pool.try_submit(65), Err(TrySubmitError::Full(65)));
    drop(gate_tx);
    let stats = pool.shutdown();
    assert_eq!((stats.submitted, stats.completed), (65, 65));
}

#[test]
fn the_batcher_flushes_by_size() {
    let mut flushed: Vec<Vec<u32>> = Vec::new();
    {
        let sink = |b: Vec<u32>| {
            flushed.push(b);
            Ok(())
        };
        let mut b = Batcher::new(sink, 4, Duration::from_secs(3600), ManualClock::new());
        for i in 0..10 {
            let full = b.push(i).unwrap();
            assert_eq!(full, i % 4 == 3, "item {i}");
        }
        assert_eq!(b.pending(), 2);
        assert_eq!(b.flushed(), (2, 8));
        let _sink = b.finish().unwrap(); // borrows what it flushed into
    }
    assert_eq!(flushed, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);
}

#[test]
fn the_batcher_flushes_by_deadline_with_an_injected_clock() {
    let clock = ManualClock::new();
    let mut out: Vec<usize> = Vec::new();
    {
        let sink = |b: Vec<u8>| {
            out.push(b.len());
            Ok(())
        };
        let delay = Duration::from_millis(10);
        let mut b = Batcher::new(sink, 64, delay, clock.clone());
        b.push(1).unwrap();
        assert!(!b.poll().unwrap(), "not due yet");
        clock.advance(Duration::from_millis(6));
        b.push(2).unwrap(); // the deadline runs from the oldest item
        clock.advance(Duration::from_millis(3));
        assert!(!b.poll().unwrap(), "9 ms after the first item");
        clock.advance(Duration::from_millis(1));
        assert!(b.poll().unwrap(), "10 ms after the first item");
        assert_eq!(b.deadline(), None);
        b.push(3).unwrap();
        clock.advance(delay);
        assert!(b.poll().unwrap());
        let _sink = b.finish().unwrap(); // borrows what it flushed into
    }
    assert_eq!(out, vec![2, 1]);
}

#[test]
fn the_batcher_loop_flushes_on_a_tick_fed_by_the_test() {
    let clock = ManualClock::new();
    let (items_tx, items) = crossbeam_channel::unbounded::<[u8; 8]>();
    let (tick_tx, ticks) = crossbeam_channel::unbounded::<Instant>();
    let (flush_tx, flushes) = crossbeam_channel::unbounded::<usize>();
    let sink = move |b: Vec<[u8; 8]>| {
        let _ = flush_tx.send(b.len());
        Ok(())
    };
    let b = Batcher::new(sink, 100, Duration::from_millis(5), clock.clone());
    let runner = std::thread::spawn(move || batcher::run(b, &items, &ticks));
    for _ in 0..3 {
        items_tx.send([7; 8]).unwrap();
    }
    // Not due: a tick changes nothing.
    tick_tx.send(Instant::now()).unwrap();
    assert!(flushes.recv_timeout(Duration::from_millis(50)).is_err());
    clock.advance(Duration::from_millis(5));
    tick_tx.send(Instant::now()).unwrap();
    assert_eq!(flushes.recv_timeout(LONG), Ok(3));
    items_tx.send([1; 8]).unwrap();
    drop(items_tx); // the loop ends and flushes what is left
    let (_, (batches, items)) = runner.join().unwrap().unwrap();
    assert_eq!((batches, items), (2, 4));
    assert_eq!(flushes.recv_timeout(LONG), Ok(1));
}

#[test]
fn batched_writes_make_one_write_syscall_per_batch() {
    for (records, batch) in [(100u64, 1usize), (100, 8), (1000, 64), (64, 64)] {
        let run = writes::batched_writes(records, batch, false).unwrap();
        let expected = records.div_ceil(batch as u64);
        assert_eq!(run.syscw, expected, "{records} records, batch {batch}");
        assert_eq!(run.flushes, expected);
        assert_eq!(run.file_bytes, records * writes::RECORD as u64);
    }
}

#[test]
fn a_write_sink_writes_each_batch_with_one_write_all() {
    let mut sink = WriteSink::new(Vec::new(), true);
    use perf_workbook::worker_pools::Flush;
    sink.flush(vec![*b"ab", *b"cd"]).unwrap();
    sink.flush(vec![*b"ef"]).unwrap();
    assert_eq!(sink.writes, 2);
    assert_eq!(sink.into_inner(), b"abcdef");
}

#[test]
fn every_way_of_reading_returns_the_same_bytes() {
    let f = file_io::BlockFile::create(200).unwrap();
    for way in file_io::Way::ALL {
        match file_io::read_all(&f, way, None) {
            Ok(r) => {
                assert_eq!(r.sum, f.expected_sum(), "{}", way.label());
                if way == file_io::Way::Sequential {
                    assert_eq!(r.syscr, 200);
                }
            }
            Err(e) if way == file_io::Way::Uring => {
                assert!(e.to_string().contains("requires io_uring"), "{e}")
            }
            Err(e) => panic!("{}: {e}", way.label()),
        }
    }
}

#[test]
fn io_uring_enters_once_per_depth_reads_and_makes_no_read_syscall() {
    let f = file_io::BlockFile::create(1000).unwrap();
    let Ok(r) = file_io::read_all(&f, file_io::Way::Uring, None) else {
        eprintln!("skipped: requires io_uring");
        return;
    };
    assert_eq!(r.enters, 1000u64.div_ceil(file_io::DEPTH as u64));
    assert_eq!(r.syscr, 0);
    let slow = file_io::BlockFile::create(10).unwrap();
    let r = file_io::read_all(&slow, file_io::Way::Uring, Some(Duration::from_millis(1)));
    assert_eq!(r.unwrap().sum, slow.expected_sum());
}

/// The count [`read_all`] reports is the kernel's: under strace (when it is
/// installed and allowed), `io_uring_enter` is called exactly that often.
#[test]
fn strace_counts_the_same_io_uring_enters() {
    const MODE: &str = "test::uring_reads";
    const NAME: &str = "strace_counts_the_same_io_uring_enters";
    child::dispatch(&[ChildMode {
        name: MODE,
        run: || {
            let f = file_io::BlockFile::create(300).unwrap();
            let r = file_io::read_all(&f, file_io::Way::Uring, None).unwrap();
            println!("enters {}", r.enters);
        },
    }]);
    if file_io::BlockFile::create(1)
        .and_then(|f| file_io::read_all(&f, file_io::Way::Uring, None))
        .is_err()
    {
        return; // requires io_uring
    }
    let out = std::process::Command::new("strace")
        .args(["-f", "-c", "-e", "trace=io_uring_enter", "-o", "/dev/stderr"])
        .arg(std::env::current_exe().unwrap())
        .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(child::CHILD_ENV, MODE)
        .output();
    let Ok(out) = out else { return }; // no strace here
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let Some(ours) = stdout.lines().find_map(|l| l.strip_prefix("enters ")) else {
        return; // strace could not trace (ptrace not allowed)
    };
    let counted = stderr
        .lines()
        .find(|l| l.trim_end().ends_with("io_uring_enter"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or("0");
    assert_eq!(ours.trim(), "5");
    assert_eq!(counted, ours.trim(), "strace: {stderr}");
}

#[test]
fn the_semaphore_never_lets_more_than_its_limit_in() {
    let sem = Bounded::new(3);
    std::thread::scope(|s| {
        for _ in 0..20 {
            s.spawn(|| {
                let _p = sem.acquire();
                assert!(sem.in_flight() <= 3);
                std::thread::sleep(Duration::from_millis(2));
            });
        }
    });
    assert_eq!(sem.in_flight(), 0);
    assert!(sem.most_in_flight() <= 3 && sem.most_in_flight() >= 1);
}

#[test]
fn the_fixed_handle_requests_answers_each_once_in_order_within_its_limit() {
    let reqs: Vec<u64> = (0..300).collect();
    let (answers, most) = requests::handle_requests(&reqs, 10, |&r| {
        std::thread::sleep(Duration::from_micros(200));
        r * 3
    });
    assert_eq!(answers, reqs.iter().map(|r| r * 3).collect::<Vec<_>>());
    assert!((1..=10).contains(&most), "{most}");
}

#[test]
fn two_interleaved_appends_keep_one_response() {
    use perf_workbook::worker_pools::seed_port::handle_requests;
    assert_eq!(handle_requests::two_interleaved_appends(), 1);
}

#[test]
fn seed_003s_semaphore_caps_the_requests_in_flight_at_100() {
    let r = handoffs::requests(400);
    assert!(r.seed_most_in_flight <= 100, "{}", r.seed_most_in_flight);
    assert!(r.fix_most_in_flight <= 100, "{}", r.fix_most_in_flight);
    assert!(r.fix_in_order);
    assert!(r.seed_responses <= 400);
}

#[test]
fn a_partial_batch_waits_for_exactly_one_tick_in_the_seed_pool() {
    let m = lifecycle::mock_tick();
    assert_eq!((m.before_tick, m.after_tick), (0, 1));
}

#[test]
fn after_close_the_seed_pool_runs_zero_value_jobs_and_ours_stops() {
    let c = lifecycle::closed_queue(10, Duration::from_millis(30));
    assert!(c.seed_zero_jobs > 0);
    assert_eq!(c.ours_ran, 10);
}

#[test]
fn the_seed_batch_processor_drops_silently_and_never_flushes_by_time() {
    let q = io_processors::full_queue(10);
    assert_eq!((q.seed_queued, q.seed_silent), (1000, 10));
    assert_eq!((q.ours_accepted, q.ours_returned, q.ours_ran), (1000, 10, 1000));
    let p = io_processors::partial_batch();
    assert_eq!((p.seed_buffered_after_wait, p.seed_processed_full_batch), (1, 0));
    assert_eq!(
        (p.fix_flushed_before, p.fix_flushed_after, p.fix_processed_full_batch),
        (0, 1, 10)
    );
}

#[test]
fn slow_callbacks_stall_the_seed_processor_and_not_ours() {
    let s = io_processors::slow_callbacks(40, Duration::from_millis(100)).unwrap();
    assert_eq!(s.seed_done, 0);
    assert_eq!(s.seed_done_after, 40);
    assert_eq!(s.ours_done, 40);
}

#[test]
fn the_seed_task_handling_accepts_unknown_types_and_holds_whole_files() {
    let t = io_processors::task_handling(1 << 20).unwrap();
    assert!(t.seed_unknown_ok && t.seed_unknown_size == 0);
    assert!(t.fix_unknown_rejected);
    assert!(t.seed_read_held >= 1 << 20);
    assert!(t.fix_held < 1 << 20);
    assert!(!t.dropped_writer_error_seen && t.flushed_writer_error_seen);
}

#[test]
fn the_seed_snippet_lacks_four_definitions() {
    let u = undefined::compile().unwrap();
    assert!(u.missing_items() >= 1, "{}", u.port.describe());
    assert!(u.defined.compiled, "{}", u.defined.describe());
}

// Children: the ports that hang, and a thread count.

const CHILDREN: &[ChildMode] = &[
    ChildMode { name: lifecycle::CHILD_UNDRAINED, run: lifecycle::child_undrained },
    ChildMode { name: lifecycle::CHILD_THREADS, run: lifecycle::child_threads },
    ChildMode {
        name: io_processors::CHILD_BLOCKED_READS,
        run: io_processors::child_blocked_reads,
    },
    ChildMode { name: handoffs::CHILD_PIPELINE, run: handoffs::child_pipeline },
];

#[test]
fn undrained_results_hang_the_seed_pool_at_capacity_plus_workers() {
    child::dispatch(CHILDREN);
    let o = child::run_test(
        "undrained_results_hang_the_seed_pool_at_capacity_plus_workers",
        lifecycle::CHILD_UNDRAINED,
        HANG,
    )
    .unwrap();
    assert!(o.timed_out, "{}", o.describe());
    let u = lifecycle::undrained(&o);
    let (workers, queue, _) = lifecycle::UNDRAINED;
    assert_eq!(u.seed_processed, (queue + workers) as u64, "{}", o.stdout);
    assert!(u.seed_sent < lifecycle::UNDRAINED_JOBS);
    assert_eq!(u.ours_completed, u.ours_submitted);
    assert_eq!(u.ours_submitted, lifecycle::UNDRAINED_JOBS);
}

#[test]
fn the_seed_pipeline_consumer_never_finishes_and_the_stage_does() {
    child::dispatch(CHILDREN);
    let o = child::run_test(
        "the_seed_pipeline_consumer_never_finishes_and_the_stage_does",
        handoffs::CHILD_PIPELINE,
        HANG,
    )
    .unwrap();
    assert!(o.timed_out, "{}", o.describe());
    let c = handoffs::consumers(&o);
    assert_eq!((c.seed_received, c.seed_finished), (handoffs::ITEMS as u64, false));
    assert_eq!((c.fix_received, c.fix_finished), (handoffs::ITEMS as u64, true));
}

#[test]
fn dropping_the_seed_processor_leaves_its_threads_and_ours_leaves_none() {
    child::dispatch(CHILDREN);
    let o = child::run_test(
        "dropping_the_seed_processor_leaves_its_threads_and_ours_leaves_none",
        lifecycle::CHILD_THREADS,
        LONG,
    )
    .unwrap();
    let t = lifecycle::threads_after_drop(&o).unwrap();
    assert_eq!(t.after_seed, t.start + 4, "{o:?}");
    assert_eq!(t.after_ours, t.after_seed, "{o:?}");
}

#[test]
fn the_seed_processor_blocks_one_thread_per_read() {
    child::dispatch(CHILDREN);
    let o = child::run_test(
        "the_seed_processor_blocks_one_thread_per_read",
        io_processors::CHILD_BLOCKED_READS,
        LONG,
    )
    .unwrap();
    let (blocked, results) = io_processors::blocked_reads(&o).unwrap();
    assert_eq!((blocked, results), (4, io_processors::FIFOS as u64), "{o:?}");
}

#[test]
fn the_seed_pool_as_ported_starts_twice_if_asked() {
    let pool = HighPerformanceWorkerPool::new(2, 8, 4, |j: Job<u64>| JobResult {
        job_id: j.id,
        value: j.data,
    });
    pool.start();
    pool.start(); // nothing stops a second Start(): four workers
    // A thread names itself once it runs: wait for all four.
    let t = Instant::now();
    let mut n = 0;
    while n < 4 && t.elapsed() < LONG {
        n = lifecycle::switches_of(pool.thread_name_prefix()).unwrap().0;
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(n, 4);
    pool.cancel();
    pool.wait();
}
