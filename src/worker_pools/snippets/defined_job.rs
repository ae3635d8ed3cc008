// The same port with the four missing pieces defined: it compiles, so they
// are all the seed's code lacks.
use std::sync::mpsc::{Receiver, SyncSender};

// ANCHOR: definitions
struct Job<T> {
    data: T,
}

struct JobResult<T> {
    value: T,
}
// ANCHOR_END: definitions

struct HighPerformanceWorkerPool<T> {
    job_queue: Receiver<Job<T>>,
    result_chan: SyncSender<JobResult<T>>,
    processed: std::cell::Cell<u64>,
}

impl<T> HighPerformanceWorkerPool<T> {
    fn process_job(&self, job: Job<T>) -> JobResult<T> {
        JobResult { value: job.data }
    }

    fn update_metrics(&self, _result: &JobResult<T>) {
        self.processed.set(self.processed.get() + 1);
    }

    fn process_batch(&self, batch: Vec<Job<T>>) {
        for job in batch {
            let result = self.process_job(job);
            self.update_metrics(&result);
            let _ = self.result_chan.send(result);
        }
    }
}

fn main() {
    let (tx, rx) = std::sync::mpsc::sync_channel(4);
    let (_jtx, jrx) = std::sync::mpsc::sync_channel::<Job<u8>>(4);
    let pool = HighPerformanceWorkerPool { job_queue: jrx, result_chan: tx, processed: Default::default() };
    pool.process_batch(vec![Job { data: 1u8 }]);
    let _ = pool.job_queue.try_recv();
    assert_eq!(rx.recv().map(|r| r.value), Ok(1));
}
