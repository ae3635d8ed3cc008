//! A metrics registry of pre-registered handles: the fix for seed 000's
//! `PerformanceMonitor` (§1.5.1), which takes a global lock and builds a key
//! string on every update, keeps only the last value, and stores the
//! caller's label map by reference.
//!
//! - Registration ([`Registry::counter`], [`Registry::gauge`],
//!   [`Registry::histogram`]) takes the lock once, copies the labels into
//!   owned [`Labels`], and refuses a series beyond the registry's cap
//!   (`max_series`): a label with unbounded values (a user id) cannot grow
//!   the registry without bound.
//! - Updates go through the handle and never touch the registry: a
//!   [`Counter`] is sharded (one padded atomic per shard), a
//!   [`LocalCounter`] owns a slot that only its thread writes (a load and a
//!   store, no read-modify-write), a [`Gauge`] is a [`SeqLock`] over its
//!   value, update count and time, a [`Histogram`] has log buckets (four per
//!   power of two).
//! - [`Registry::snapshot`] returns owned values, each read whole (the
//!   gauge's three words come from one write).

use super::seqlock::SeqLock;
use super::sync::{AtomicU64, AtomicUsize, Ordering};
use crossbeam_utils::CachePadded;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Shards of a [`Counter`]: threads pick one round-robin on first use.
pub const SHARDS: usize = 8;
/// Single-writer slots of a counter for [`LocalCounter`]s; a counter with
/// all slots taken hands out local counters that fall back to the shards.
pub const LOCAL_SLOTS: usize = 16;

#[cfg(not(loom))]
fn shard() -> usize {
    use std::sync::atomic::{AtomicUsize as StdUsize, Ordering as StdOrdering};
    static NEXT: StdUsize = StdUsize::new(0);
    thread_local! {
        static MINE: usize = NEXT.fetch_add(1, StdOrdering::Relaxed) % SHARDS;
    }
    MINE.with(|m| *m)
}

#[cfg(loom)]
fn shard() -> usize {
    // Loom runs its threads on one OS thread: every thread shares shard 0,
    // which the fetch_add keeps exact.
    0
}

struct CounterCell {
    shards: [CachePadded<AtomicU64>; SHARDS],
    slots: [CachePadded<AtomicU64>; LOCAL_SLOTS],
    claimed: AtomicUsize,
}

// ANCHOR: counter
/// A monotonic counter: a cheap handle (an `Arc`) to sharded atomics.
#[derive(Clone)]
pub struct Counter(Arc<CounterCell>);

impl Counter {
    /// A counter at zero, not in any registry.
    pub fn new() -> Self {
        Self(Arc::new(CounterCell {
            shards: std::array::from_fn(|_| CachePadded::new(AtomicU64::new(0))),
            slots: std::array::from_fn(|_| CachePadded::new(AtomicU64::new(0))),
            claimed: AtomicUsize::new(0),
        }))
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n` to this thread's shard: one uncontended `lock xadd` while
    /// no more than [`SHARDS`] threads write.
    #[inline]
    pub fn add(&self, n: u64) {
        self.0.shards[shard()].fetch_add(n, Ordering::Relaxed);
    }

    /// A handle for one thread that owns a slot of its own.
    pub fn local(&self) -> LocalCounter {
        let i = self.0.claimed.fetch_add(1, Ordering::Relaxed);
        LocalCounter {
            cell: self.0.clone(),
            slot: (i < LOCAL_SLOTS).then_some(i),
            _not_sync: PhantomData,
        }
    }

    /// The total: every shard and slot, summed.
    pub fn value(&self) -> u64 {
        let c = &self.0;
        c.shards.iter().chain(c.slots.iter()).map(|a| a.load(Ordering::Relaxed)).sum()
    }
}

/// A counter handle for one thread: `Send` (it may move to the thread that
/// uses it) but not `Sync`, so only one thread ever writes its slot, and an
/// increment is a plain load and store (no atomic read-modify-write).
pub struct LocalCounter {
    cell: Arc<CounterCell>,
    slot: Option<usize>,
    _not_sync: PhantomData<Cell<()>>,
}

impl LocalCounter {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        match self.slot {
            Some(i) => {
                let s = &self.cell.slots[i];
                // Single writer (the handle is !Sync): load + store is exact.
                s.store(s.load(Ordering::Relaxed) + n, Ordering::Relaxed);
            }
            None => {
                self.cell.shards[shard()].fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// Whether this handle has a slot of its own (false once the counter's
    /// [`LOCAL_SLOTS`] are taken: it then adds to a shard).
    pub fn owns_a_slot(&self) -> bool {
        self.slot.is_some()
    }
}
// ANCHOR_END: counter

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Counter").field(&self.value()).finish()
    }
}

/// A gauge's state, read whole.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct GaugeValue {
    /// The last value set (or the sum of the adds).
    pub value: f64,
    /// How many times it was set or added to.
    pub updates: u64,
    /// When it was last updated, in ns since its registry (or its own
    /// creation) started.
    pub at_ns: u64,
}

/// An `f64` gauge with its update count and time, kept together under a
/// [`SeqLock`]: a snapshot never pairs one update's value with another's
/// time.
#[derive(Clone)]
pub struct Gauge {
    cell: Arc<SeqLock<3>>,
    epoch: Instant,
}

impl Gauge {
    /// A gauge at zero, not in any registry.
    pub fn new() -> Self {
        Self::with_epoch(Instant::now())
    }

    fn with_epoch(epoch: Instant) -> Self {
        Self { cell: Arc::new(SeqLock::new()), epoch }
    }

    /// Sets the value, stamped now.
    pub fn set(&self, value: f64) {
        self.set_at(value, self.epoch.elapsed().as_nanos() as u64);
    }

    /// Sets the value with an explicit time stamp (ns).
    pub fn set_at(&self, value: f64, at_ns: u64) {
        self.cell.update(|[_, n, _]| [value.to_bits(), n + 1, at_ns]);
    }

    /// Adds `delta` to the value, stamped now.
    pub fn add(&self, delta: f64) {
        let at = self.epoch.elapsed().as_nanos() as u64;
        self.cell.update(|[v, n, _]| [(f64::from_bits(v) + delta).to_bits(), n + 1, at]);
    }

    /// The value, update count and time of one update.
    pub fn get(&self) -> GaugeValue {
        let [v, n, at] = self.cell.read();
        GaugeValue { value: f64::from_bits(v), updates: n, at_ns: at }
    }
}

impl Default for Gauge {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Gauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Gauge").field(&self.get()).finish()
    }
}

/// Buckets of a [`Histogram`]: 0 … 3 exactly, then four per power of two up
/// to 2^64.
pub const BUCKETS: usize = 4 + 62 * 4;

/// The bucket that holds `v`.
pub fn bucket_of(v: u64) -> usize {
    if v < 4 {
        return v as usize;
    }
    let k = 63 - v.leading_zeros() as usize; // 2^k <= v < 2^(k+1), k >= 2
    let sub = ((v >> (k - 2)) & 3) as usize;
    4 + (k - 2) * 4 + sub
}

/// The smallest value bucket `i` holds.
pub fn bucket_low(i: usize) -> u64 {
    if i < 4 {
        return i as u64;
    }
    let (k, sub) = ((i - 4) / 4 + 2, (i - 4) % 4);
    (4 + sub as u64) << (k - 2)
}

/// The largest value bucket `i` holds.
pub fn bucket_high(i: usize) -> u64 {
    if i + 1 >= BUCKETS { u64::MAX } else { bucket_low(i + 1) - 1 }
}

struct HistogramCell {
    buckets: Box<[AtomicU64]>,
    sum: AtomicU64,
}

/// A histogram of `u64` values (ns, bytes) in log buckets: a value is
/// reported within 25 % of itself, in 8 bytes per bucket.
#[derive(Clone)]
pub struct Histogram(Arc<HistogramCell>);

/// A histogram's state: count, sum and the non-empty buckets
/// (`(highest value, count)`), owned.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct HistogramValue {
    /// Values recorded (the sum of the buckets, so the two always agree).
    pub count: u64,
    /// Their sum (wrapping).
    pub sum: u64,
    /// `(highest value of the bucket, values in it)`, ascending.
    pub buckets: Vec<(u64, u64)>,
}

impl HistogramValue {
    /// The value at quantile `q` (0 … 1): the top of the bucket that holds
    /// it, so at most 25 % above the true value. 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for &(high, n) in &self.buckets {
            seen += n;
            if seen >= rank {
                return high;
            }
        }
        0
    }
}

impl Histogram {
    /// An empty histogram, not in any registry.
    pub fn new() -> Self {
        Self(Arc::new(HistogramCell {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0),
        }))
    }

    /// Records one value.
    #[inline]
    pub fn record(&self, v: u64) {
        self.0.buckets[bucket_of(v)].fetch_add(1, Ordering::Relaxed);
        self.0.sum.fetch_add(v, Ordering::Relaxed);
    }

    /// Count, sum and buckets, owned.
    pub fn get(&self) -> HistogramValue {
        let mut out = HistogramValue::default();
        for (i, b) in self.0.buckets.iter().enumerate() {
            let n = b.load(Ordering::Relaxed);
            if n > 0 {
                out.count += n;
                out.buckets.push((bucket_high(i), n));
            }
        }
        out.sum = self.0.sum.load(Ordering::Relaxed);
        out
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Histogram").field(&self.get().count).finish()
    }
}

// ANCHOR: labels
/// Labels, owned and sorted by key: built by copying the caller's pairs, so
/// nothing the caller does afterwards changes a registered series (D26).
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize,
)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    /// Copies `pairs`; a key given twice keeps its last value.
    pub fn new(pairs: &[(&str, &str)]) -> Self {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            map.insert(k.to_string(), v.to_string());
        }
        Self(map.into_iter().collect())
    }

    /// The pairs, sorted by key.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}
// ANCHOR_END: labels

impl fmt::Display for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        let inner: Vec<String> =
            self.0.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        write!(f, "{{{}}}", inner.join(","))
    }
}

/// Why a series could not be registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// The registry holds its cap of distinct series already.
    TooManySeries {
        /// The cap.
        cap: usize,
    },
    /// The name is registered as another kind of metric.
    WrongKind {
        /// The metric's name.
        name: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManySeries { cap } => {
                write!(f, "the registry already holds its {cap} series")
            }
            Self::WrongKind { name } => {
                write!(f, "{name} is registered as another kind of metric")
            }
        }
    }
}

impl std::error::Error for RegistryError {}

#[derive(Clone)]
enum Metric {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

impl Metric {
    fn kind(&self) -> &'static str {
        match self {
            Self::Counter(_) => "counter",
            Self::Gauge(_) => "gauge",
            Self::Histogram(_) => "histogram",
        }
    }
}

/// One series' value in a snapshot.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    /// A counter's total.
    Counter {
        /// The total.
        total: u64,
    },
    /// A gauge.
    Gauge(GaugeValue),
    /// A histogram.
    Histogram(HistogramValue),
}

/// One series of a snapshot.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Series {
    /// The metric's name.
    pub name: String,
    /// Its labels.
    pub labels: Labels,
    /// Its value.
    pub value: Value,
}

/// Every series' value, owned: nothing in it changes after it is taken.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Snapshot {
    /// The series, by name then labels.
    pub series: Vec<Series>,
    /// Registrations refused because the cap was reached, so far.
    pub refused: u64,
}

impl Snapshot {
    /// The series called `name` with exactly these labels.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<&Value> {
        let want = Labels::new(labels);
        self.series.iter().find(|s| s.name == name && s.labels == want).map(|s| &s.value)
    }
}

/// The registry: series registered once, updated through their handles.
pub struct Registry {
    series: Mutex<BTreeMap<(String, Labels), Metric>>,
    max_series: usize,
    refused: std::sync::atomic::AtomicU64,
    epoch: Instant,
}

impl Registry {
    /// A registry that holds at most `max_series` distinct (name, labels).
    pub fn new(max_series: usize) -> Self {
        Self {
            series: Mutex::new(BTreeMap::new()),
            max_series,
            refused: std::sync::atomic::AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn register(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        make: impl FnOnce() -> Metric,
        kind: &'static str,
    ) -> Result<Metric, RegistryError> {
        let key = (name.to_string(), Labels::new(labels));
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = map.get(&key) {
            return if m.kind() == kind {
                Ok(m.clone())
            } else {
                Err(RegistryError::WrongKind { name: name.into() })
            };
        }
        if map.keys().any(|(n, _)| n == name)
            && map.iter().any(|((n, _), m)| n == name && m.kind() != kind)
        {
            return Err(RegistryError::WrongKind { name: name.into() });
        }
        if map.len() >= self.max_series {
            self.refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Err(RegistryError::TooManySeries { cap: self.max_series });
        }
        let m = make();
        map.insert(key, m.clone());
        Ok(m)
    }

    /// The counter `name{labels}`, registered on first use.
    pub fn counter(
        &self,
        name: &str,
        labels: &[(&str, &str)],
    ) -> Result<Counter, RegistryError> {
        match self.register(
            name,
            labels,
            || Metric::Counter(Counter::new()),
            "counter",
        )? {
            Metric::Counter(c) => Ok(c),
            _ => unreachable!("register checks the kind"),
        }
    }

    /// The gauge `name{labels}`, registered on first use.
    pub fn gauge(
        &self,
        name: &str,
        labels: &[(&str, &str)],
    ) -> Result<Gauge, RegistryError> {
        let epoch = self.epoch;
        match self.register(
            name,
            labels,
            || Metric::Gauge(Gauge::with_epoch(epoch)),
            "gauge",
        )? {
            Metric::Gauge(g) => Ok(g),
            _ => unreachable!("register checks the kind"),
        }
    }

    /// The histogram `name{labels}`, registered on first use.
    pub fn histogram(
        &self,
        name: &str,
        labels: &[(&str, &str)],
    ) -> Result<Histogram, RegistryError> {
        match self.register(
            name,
            labels,
            || Metric::Histogram(Histogram::new()),
            "histogram",
        )? {
            Metric::Histogram(h) => Ok(h),
            _ => unreachable!("register checks the kind"),
        }
    }

    /// Distinct series registered.
    pub fn len(&self) -> usize {
        self.series.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cap on distinct series.
    pub fn max_series(&self) -> usize {
        self.max_series
    }

    /// Every series' value, owned. Holds the registry's lock only to clone
    /// the handles, never while reading them.
    pub fn snapshot(&self) -> Snapshot {
        let handles: Vec<((String, Labels), Metric)> = {
            let map = self.series.lock().unwrap_or_else(|p| p.into_inner());
            map.iter().map(|(k, m)| (k.clone(), m.clone())).collect()
        };
        let series = handles
            .into_iter()
            .map(|((name, labels), m)| Series {
                name,
                labels,
                value: match m {
                    Metric::Counter(c) => Value::Counter { total: c.value() },
                    Metric::Gauge(g) => Value::Gauge(g.get()),
                    Metric::Histogram(h) => Value::Histogram(h.get()),
                },
            })
            .collect();
        Snapshot {
            series,
            refused: self.refused.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The snapshot in Prometheus' text format (counters, gauges, and each
    /// histogram's count and sum).
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for s in self.snapshot().series {
            match s.value {
                Value::Counter { total } => {
                    out.push_str(&format!("{}{} {total}\n", s.name, s.labels));
                }
                Value::Gauge(g) => {
                    out.push_str(&format!("{}{} {}\n", s.name, s.labels, g.value));
                }
                Value::Histogram(h) => {
                    out.push_str(&format!("{}_count{} {}\n", s.name, s.labels, h.count));
                    out.push_str(&format!("{}_sum{} {}\n", s.name, s.labels, h.sum));
                }
            }
        }
        out
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("series", &self.len())
            .field("max_series", &self.max_series)
            .finish()
    }
}
