// ANCHOR: port
// Seed 000 §1.3.1 L279-377, ported as written: `Job`, `JobResult` (Go's
// `Result[T]`), `process_job` and `update_metrics` are used and never defined.
use std::sync::mpsc::{Receiver, SyncSender};

struct HighPerformanceWorkerPool<T> {
    job_queue: Receiver<Job<T>>,          // error[E0412]: cannot find type `Job`
    result_chan: SyncSender<JobResult<T>>, // error[E0412]: cannot find type `JobResult`
}

impl<T> HighPerformanceWorkerPool<T> {
    fn process_batch(&self, batch: Vec<Job<T>>) {
        for job in batch {
            let result = self.process_job(job); // no method `process_job`
            self.update_metrics(&result); // no method `update_metrics`
            let _ = self.result_chan.send(result);
        }
    }
}
// ANCHOR_END: port

fn main() {}
