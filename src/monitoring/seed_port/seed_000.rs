//! Seed 000 §1.5.1 (L622-710): `PerformanceMonitor`, ported.
//!
//! Mechanisms kept: one `RwLock` over a map from a key string to a metric,
//! taken for writing on every `AddMetric` (L654-672), which builds the key
//! from the name and labels each time; the last value overwrites `Value`
//! (L660); the caller's label map is stored by reference (L669: a Go map is
//! a reference, here `Arc<Mutex<HashMap>>`); `Start` spawns a loop and may
//! be called twice (L675-677); the loop ends only when `stopChan` is
//! closed, and nothing closes it (L644-651, L680-692): the thread holds the
//! monitor, so dropping every handle leaks both; `exportMetrics` copies the
//! map of *pointers* under the read lock and hands them to exporters after
//! releasing it (L695-709, D24), so an exporter reads fields that
//! `AddMetric` is writing.
//!
//! Not in the seed: `getMetricKey` is called (L658) but never defined (we
//! join the name and the sorted labels); the seed has no way to add an
//! exporter (`exporters` starts empty, L649, and nothing appends to it), so
//! its exports reach no one. [`PerformanceMonitor::with_exporter`] is our
//! instrumentation, to count exports.
//!
//! Fields are atomics here, written one after another: that is the safe
//! Rust analogue of the Go struct's plain fields. A literal port, which
//! reads the shared metrics through references after the lock is dropped,
//! does not compile (`snippets/metric_snapshot.rs`, E0505).

use super::gochan::GoChan;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// A Go `map[string]string`: a reference the caller keeps.
pub type GoLabels = Arc<Mutex<HashMap<String, String>>>;

/// A Go map of labels from pairs.
pub fn go_labels(pairs: &[(&str, &str)]) -> GoLabels {
    Arc::new(Mutex::new(
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    ))
}

/// The name of the port's loop thread.
pub const LOOP_THREAD: &str = "perfmon-port";

/// `Metric` (L633-639): the fields `AddMetric` writes one after another.
#[derive(Debug)]
pub struct Metric {
    /// `Name`.
    pub name: String,
    /// `Value` (f64 bits): the last value written.
    pub value: AtomicU64,
    /// `Count`.
    pub count: AtomicI64,
    /// `Timestamp` (ns since the monitor was made).
    pub timestamp: AtomicU64,
    /// `Labels`: the caller's map, shared.
    pub labels: GoLabels,
}

/// `MetricExporter` (L641-643).
pub trait MetricExporter: Send + Sync {
    /// `Export(metrics map[string]*Metric) error`.
    fn export(&self, metrics: &HashMap<String, Arc<Metric>>) -> Result<(), String>;
}

struct Inner {
    metrics: RwLock<HashMap<String, Arc<Metric>>>,
    interval: Duration,
    stop_chan: GoChan<()>,
    exporters: Vec<Box<dyn MetricExporter>>,
    epoch: Instant,
}

/// `PerformanceMonitor` (L625-631).
#[derive(Clone)]
pub struct PerformanceMonitor(Arc<Inner>);

impl PerformanceMonitor {
    /// `NewPerformanceMonitor(interval)` (L645-652).
    pub fn new(interval: Duration) -> Self {
        Self::with_exporters(interval, Vec::new())
    }

    /// Instrumentation (not in the seed): a monitor whose `exporters` holds
    /// `exporter`.
    pub fn with_exporter(interval: Duration, exporter: Box<dyn MetricExporter>) -> Self {
        Self::with_exporters(interval, vec![exporter])
    }

    fn with_exporters(
        interval: Duration,
        exporters: Vec<Box<dyn MetricExporter>>,
    ) -> Self {
        Self(Arc::new(Inner {
            metrics: RwLock::new(HashMap::new()),
            interval,
            // `make(chan struct{})`: nothing in the seed ever closes it.
            stop_chan: GoChan::new(0),
            exporters,
            epoch: Instant::now(),
        }))
    }

    // ANCHOR: add_metric
    /// `AddMetric(name, value, labels)` (L654-672): the write lock and a
    /// fresh key string on every call; the last value wins; the caller's
    /// label map is kept by reference.
    pub fn add_metric(&self, name: &str, value: f64, labels: &GoLabels) {
        let mut metrics = self.0.metrics.write().unwrap_or_else(|p| p.into_inner());
        let key = metric_key(name, labels);
        let now = self.0.epoch.elapsed().as_nanos() as u64;
        if let Some(m) = metrics.get(&key) {
            m.value.store(value.to_bits(), Ordering::Relaxed);
            m.count.fetch_add(1, Ordering::Relaxed);
            m.timestamp.store(now, Ordering::Relaxed);
        } else {
            metrics.insert(
                key,
                Arc::new(Metric {
                    name: name.to_string(),
                    value: AtomicU64::new(value.to_bits()),
                    count: AtomicI64::new(1),
                    timestamp: AtomicU64::new(now),
                    labels: labels.clone(),
                }),
            );
        }
    }
    // ANCHOR_END: add_metric

    /// `Start()` (L675-677): one more loop each call.
    pub fn start(&self) {
        let pm = self.clone();
        let _ = std::thread::Builder::new()
            .name(LOOP_THREAD.into())
            .spawn(move || pm.monitor_loop());
    }

    /// `monitorLoop()` (L680-692): ends only when `stopChan` is closed.
    fn monitor_loop(&self) {
        let mut next = Instant::now() + self.0.interval;
        loop {
            let wait = next.saturating_duration_since(Instant::now());
            match self.0.stop_chan.recv_timeout(wait) {
                Ok(_) => return, // closed
                Err(super::gochan::TimedOut) => {
                    self.export_metrics();
                    next += self.0.interval;
                }
            }
        }
    }

    /// `close(pm.stopChan)`: what code in the seed's package could do to
    /// stop the loop. The seed never does (no `Stop` method, D25); the
    /// checks call it to show that the loop itself stops when told, and to
    /// end the threads they leaked on purpose.
    pub fn close_stop_chan(&self) {
        if !self.0.stop_chan.is_closed() {
            self.0.stop_chan.close();
        }
    }

    /// `exportMetrics()` (L695-709): copies the pointers, not the metrics.
    pub fn export_metrics(&self) {
        let metrics: HashMap<String, Arc<Metric>> = {
            let guard = self.0.metrics.read().unwrap_or_else(|p| p.into_inner());
            guard.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        for e in &self.0.exporters {
            let _ = e.export(&metrics);
        }
    }

    /// Series in the map.
    pub fn len(&self) -> usize {
        self.0.metrics.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when no metric was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored metric for `name` and `labels` (as the map holds it now).
    pub fn get(&self, name: &str, labels: &GoLabels) -> Option<Arc<Metric>> {
        let key = metric_key(name, labels);
        self.0.metrics.read().unwrap_or_else(|p| p.into_inner()).get(&key).cloned()
    }
}

/// `getMetricKey` (called at L658, never defined in the seed): the name and
/// the labels sorted by key.
pub fn metric_key(name: &str, labels: &GoLabels) -> String {
    let map = labels.lock().unwrap_or_else(|p| p.into_inner());
    let mut pairs: Vec<_> = map.iter().collect();
    pairs.sort();
    let mut key = name.to_string();
    for (k, v) in pairs {
        key.push('|');
        key.push_str(k);
        key.push('=');
        key.push_str(v);
    }
    key
}

/// An exporter that counts its calls (instrumentation).
#[derive(Default)]
pub struct CountingExporter(pub Arc<AtomicU64>);

impl MetricExporter for CountingExporter {
    fn export(&self, _metrics: &HashMap<String, Arc<Metric>>) -> Result<(), String> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Reads one metric's three fields as an exporter does: one after another,
/// with no lock (D24's read).
pub fn read_fields(m: &Metric) -> (f64, i64, u64) {
    (
        f64::from_bits(m.value.load(Ordering::Relaxed)),
        m.count.load(Ordering::Relaxed),
        m.timestamp.load(Ordering::Relaxed),
    )
}
