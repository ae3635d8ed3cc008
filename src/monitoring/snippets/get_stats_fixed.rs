// ANCHOR: fix
// The same shutdown against the method that exists. It compiles; whether it
// ends depends on the monitor closing its channel (D42).
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
        for metrics in self.monitor.get_metrics().try_iter() {
            println!("Memory metrics: {}", metrics.heap_alloc);
        }
    }
}
// ANCHOR_END: fix

fn main() {
    let (_tx, rx) = sync_channel(100);
    let s = OptimizedHttpServer { monitor: MemoryMonitor { metrics: rx } };
    s.shutdown();
}
