// ANCHOR: port
// Seed 001 §6.1.1.10.1 L909-917 (`Shutdown`), ported: stop the monitor, then
// range over `GetStats()`. `MemoryMonitor` (L690-768) has `Start`, `Stop`
// and `GetMetrics`, and no `GetStats`.
use std::sync::mpsc::{Receiver, sync_channel};

struct MemoryMetrics {
    heap_alloc: u64,
}

struct MemoryMonitor {
    metrics: Receiver<MemoryMetrics>,
}

impl MemoryMonitor {
    fn stop(&self) {}
    fn get_metrics(&self) -> &Receiver<MemoryMetrics> {
        &self.metrics
    }
}

struct OptimizedHttpServer {
    monitor: MemoryMonitor,
}

impl OptimizedHttpServer {
    fn shutdown(&self) {
        self.monitor.stop();
        let stats = self.monitor.get_stats(); // error[E0599]: no method named `get_stats`
        for metrics in stats.iter() {
            println!("Memory metrics: {}", metrics.heap_alloc);
        }
    }
}
// ANCHOR_END: port

fn main() {
    let (_tx, rx) = sync_channel(100);
    let s = OptimizedHttpServer { monitor: MemoryMonitor { metrics: rx } };
    let _ = s.monitor.get_metrics();
    s.shutdown();
}
