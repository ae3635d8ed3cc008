// ANCHOR: port
// Seed 000 §1.5.1 L695-709 (`exportMetrics`), ported: copy the map of
// references under the read lock, release the lock, then export. The writer
// (`AddMetric`, L654-672) may now mutate a metric an exporter is reading.
use std::collections::HashMap;
use std::sync::RwLock;

struct Metric {
    value: f64,
    count: u64,
}

struct PerformanceMonitor {
    metrics: RwLock<HashMap<String, Metric>>,
}

impl PerformanceMonitor {
    fn export_metrics(&self, export: impl Fn(&HashMap<&str, &Metric>)) {
        let guard = self.metrics.read().unwrap();
        let snapshot: HashMap<&str, &Metric> =
            guard.iter().map(|(k, v)| (k.as_str(), v)).collect();
        drop(guard); // error[E0505]: cannot move out of `guard` because it is borrowed
        export(&snapshot);
    }
}
// ANCHOR_END: port

fn main() {
    let m = PerformanceMonitor { metrics: RwLock::new(HashMap::new()) };
    m.export_metrics(|s| println!("{}", s.len()));
}
