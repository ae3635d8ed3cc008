//! Chapter 10, Monitoring and leak detection: invariants of the registry,
//! the sampler, the tracking allocator and the leak detector, and the seeds'
//! defects beside their fixes; the exercises are in `exercises.rs`, the
//! dhat test in `tests/monitoring_dhat.rs`.
//!
//! - `cargo test --test monitoring`: everything but the loom models.
//! - `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release
//!   --test monitoring loom`: only the loom models of the seqlock and the
//!   counters. Under `cfg(loom)` the other tests are not registered.
//!
//! Every assertion is about counts, sizes, sequence numbers or contents,
//! none about time. Tests that count threads by name, read process-wide
//! live bytes or leak threads on purpose hold `measure::serial()`.

#![cfg_attr(loom, allow(dead_code, unused_imports))]

use perf_workbook::measure::alloc::{AllocScope, CountingAlloc};
use perf_workbook::measure::{child, serial};
use perf_workbook::monitoring::leaks;
use perf_workbook::monitoring::registry::{
    self, BUCKETS, Counter, Gauge, Histogram, LOCAL_SLOTS, Labels, Registry,
    RegistryError, Value,
};
use perf_workbook::monitoring::sampler::{self, Reader, SAMPLER_THREAD, Sampler};
use perf_workbook::monitoring::seed_port::fixes::{
    AllocationTable, CHANNEL_THREAD, ChannelMonitor, EXPORT_THREAD, ExportLoop,
};
use perf_workbook::monitoring::seed_port::gochan::{GoChan, TimedOut};
use perf_workbook::monitoring::seed_port::seed_000::{
    CountingExporter, LOOP_THREAD, PerformanceMonitor, go_labels, read_fields,
};
use perf_workbook::monitoring::seed_port::seed_001::{
    LeakDetector, MemoryMonitor, MemoryProfiler,
};
use perf_workbook::monitoring::seqlock::SeqLock;
use perf_workbook::monitoring::tracking::{self, Site, TrackingAlloc};
use perf_workbook::monitoring::{plot, snippets};
use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

// The tracking allocator over the counting one, as in the example: sites
// for the tracking tests and the first exercise, per-thread counts for the
// detector.
#[global_allocator]
static ALLOC: TrackingAlloc<CountingAlloc> = TrackingAlloc::new(CountingAlloc::system());

mod exercises;

// ---------------------------------------------------------------- registry

#[cfg_attr(not(loom), test)]
fn counters_are_exact_under_contention() {
    let c = Counter::new();
    let (threads, per) = (4u64, 100_000u64);
    std::thread::scope(|s| {
        for t in 0..threads {
            let c = c.clone();
            s.spawn(move || {
                if t % 2 == 0 {
                    (0..per).for_each(|_| c.inc());
                } else {
                    let local = c.local();
                    (0..per).for_each(|_| local.inc());
                }
            });
        }
    });
    assert_eq!(c.value(), threads * per);
}

#[cfg_attr(not(loom), test)]
fn local_counters_beyond_the_slots_fall_back_and_stay_exact() {
    let c = Counter::new();
    let locals: Vec<_> = (0..LOCAL_SLOTS + 3).map(|_| c.local()).collect();
    assert_eq!(locals.iter().filter(|l| l.owns_a_slot()).count(), LOCAL_SLOTS);
    for l in &locals {
        l.add(2);
    }
    assert_eq!(c.value(), 2 * (LOCAL_SLOTS as u64 + 3));
}

#[cfg_attr(not(loom), test)]
fn a_gauge_keeps_value_updates_and_time_together() {
    let g = Gauge::new();
    g.set_at(2.5, 7);
    g.add(1.5);
    let v = g.get();
    assert_eq!((v.value, v.updates), (4.0, 2));
}

#[cfg_attr(not(loom), test)]
fn histogram_buckets_cover_every_value_within_a_quarter() {
    for v in (0..10_000u64).chain([u64::MAX / 3, u64::MAX - 1, u64::MAX]) {
        let i = registry::bucket_of(v);
        assert!(i < BUCKETS, "{v}");
        assert!(
            registry::bucket_low(i) <= v && v <= registry::bucket_high(i),
            "{v} in {i}"
        );
        let (lo, hi) = (registry::bucket_low(i), registry::bucket_high(i));
        assert!(hi - lo <= lo / 4 + 1 || lo < 4, "bucket {i} = {lo}..={hi}");
    }
}

#[cfg_attr(not(loom), test)]
fn histogram_quantiles_agree_with_hdrhistogram_within_a_quarter() {
    let h = Histogram::new();
    let mut hdr = hdrhistogram::Histogram::<u64>::new(3).unwrap();
    let mut rng = perf_workbook::measure::rng::SplitMix64::new(7);
    for _ in 0..50_000 {
        let v = 100 + rng.next_u64() % 1_000_000;
        h.record(v);
        hdr.record(v).unwrap();
    }
    let snap = h.get();
    assert_eq!(snap.count, 50_000);
    for q in [0.5, 0.9, 0.99] {
        let (ours, theirs) = (snap.quantile(q) as f64, hdr.value_at_quantile(q) as f64);
        assert!(
            ours >= theirs * 0.99 && ours <= theirs * 1.26,
            "q{q}: {ours} vs {theirs}"
        );
    }
}

#[cfg_attr(not(loom), test)]
fn labels_are_owned_sorted_and_deduplicated() {
    let mut pairs =
        [("b".to_string(), "2".to_string()), ("a".to_string(), "1".to_string())];
    let borrowed: Vec<(&str, &str)> =
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let l = Labels::new(&borrowed);
    pairs[0].1 = "changed".into();
    assert_eq!(l.pairs()[0], ("a".to_string(), "1".to_string()));
    assert_eq!(l.get("b"), Some("2"));
    assert_eq!(Labels::new(&[("k", "x"), ("k", "y")]).get("k"), Some("y"));
    assert_eq!(l.to_string(), "{a=\"1\",b=\"2\"}");
}

#[cfg_attr(not(loom), test)]
fn the_registry_caps_series_and_refuses_a_second_kind() {
    let r = Registry::new(3);
    let a = r.counter("hits", &[("route", "/a")]).unwrap();
    let again = r.counter("hits", &[("route", "/a")]).unwrap();
    a.inc();
    again.inc();
    r.counter("hits", &[("route", "/b")]).unwrap();
    r.gauge("depth", &[]).unwrap();
    assert_eq!(
        r.counter("hits", &[("route", "/c")]).unwrap_err(),
        RegistryError::TooManySeries { cap: 3 }
    );
    assert!(matches!(
        r.gauge("hits", &[("route", "/a")]),
        Err(RegistryError::WrongKind { .. })
    ));
    let snap = r.snapshot();
    assert_eq!((snap.series.len(), snap.refused), (3, 1));
    assert_eq!(snap.get("hits", &[("route", "/a")]), Some(&Value::Counter { total: 2 }));
    // Owned: later updates do not reach a snapshot already taken.
    a.add(10);
    assert_eq!(snap.get("hits", &[("route", "/a")]), Some(&Value::Counter { total: 2 }));
    assert!(r.render_text().contains("hits{route=\"/a\"} 12"));
}

#[cfg_attr(not(loom), test)]
fn a_seqlock_is_never_read_torn() {
    let lock = SeqLock::<3>::new();
    let stop = AtomicBool::new(false);
    let (mut reads, mut torn) = (0u64, 0u64);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                lock.write([i, 2 * i, 3 * i]);
            }
        });
        while reads < 200_000 {
            let [a, b, c] = lock.read();
            torn += u64::from(b != 2 * a || c != 3 * a);
            reads += 1;
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert_eq!(torn, 0, "{torn} torn of {reads}");
}

#[cfg_attr(not(loom), test)]
fn the_seeds_exporter_reads_fields_one_by_one() {
    let pm = PerformanceMonitor::new(Duration::from_secs(3600));
    let l = go_labels(&[]);
    pm.add_metric("m", 5.0, &l);
    pm.add_metric("m", 7.0, &l);
    let (v, c, _) = read_fields(&pm.get("m", &l).unwrap());
    assert_eq!((v, c), (7.0, 2), "Value is the last write; Count counts");
}

// ---------------------------------------------------------------- sampler

#[cfg_attr(not(loom), test)]
fn field_reads_a_procfs_number() {
    let text = b"Name:\tx\nVmRSS:\t  1234 kB\nThreads:\t3\n";
    assert_eq!(sampler::field(text, b"VmRSS:"), Some(1234));
    assert_eq!(sampler::field(text, b"Threads:"), Some(3));
    assert_eq!(sampler::field(text, b"VmHWM:"), None);
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn a_sample_reads_the_process_and_allocates_nothing() {
    let mut r = Reader::open(1).unwrap();
    let first = r.sample().unwrap();
    let scope = AllocScope::start();
    let s = black_box(r.sample().unwrap());
    let c = scope.counts();
    assert_eq!((c.allocs, c.reallocs), (0, 0), "a sample allocated: {c:?}");
    assert_eq!((first.seq, s.seq), (1, 2));
    assert!(s.rss_bytes > 0 && s.hwm_bytes >= s.rss_bytes && s.threads >= 1, "{s:?}");
    assert!(first.rollup.is_some(), "smaps_rollup is read on the first sample");
    assert!(s.live_bytes.is_some(), "the tracking allocator is installed here");
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn the_sampler_keeps_the_newest_counts_drops_stops_twice_and_joins() {
    let _g = serial();
    let mut s = Sampler::start(Duration::from_millis(1)).unwrap();
    while s.taken() < 20 {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(sampler::threads_named(SAMPLER_THREAD).unwrap(), 1);
    let (latest, taken) = s.latest_with_taken().unwrap();
    assert_eq!(latest.seq, taken, "the reader gets the newest sample");
    assert!(
        s.dropped() + 1 >= taken - 1,
        "every unread sample but one counted: {}",
        s.dropped()
    );
    s.stop();
    s.stop();
    assert!(!s.is_running());
    assert_eq!(sampler::threads_named(SAMPLER_THREAD).unwrap(), 0);
    drop(Sampler::start(Duration::from_secs(3600)).unwrap());
    assert_eq!(sampler::threads_named(SAMPLER_THREAD).unwrap(), 0, "Drop joins at once");
    assert!(s.cost().count >= 20);
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn a_mark_reports_the_peak_of_a_stretch_of_work() {
    let _g = serial();
    let s = Sampler::start(Duration::from_millis(1)).unwrap();
    let before = s.sample_now().unwrap().rss_bytes;
    let m = s.mark();
    let big = black_box(vec![1u8; 64 << 20]);
    std::thread::sleep(Duration::from_millis(5));
    drop(big);
    let u = m.finish(&s);
    assert!(u.peak_rss_bytes >= before + (32 << 20), "{u:?}, before {before}");
}

// ---------------------------------------------------------------- tracking

static SITE_A: Site = Site::new("tests: a");
static SITE_B: Site = Site::new("tests: b");

#[cfg_attr(not(loom), test)]
fn a_free_on_another_thread_is_charged_to_the_allocating_site() {
    let before = SITE_A.stats();
    let v = SITE_A.run(|| black_box(vec![1u8; 1000]));
    let mid = SITE_A.stats();
    assert_eq!(mid.live_bytes() - before.live_bytes(), 1000);
    std::thread::spawn(move || SITE_B.run(|| drop(v))).join().unwrap();
    let after = SITE_A.stats();
    assert_eq!(after.live_bytes(), before.live_bytes());
    assert_eq!(after.frees - before.frees, 1);
    assert!(tracking::report().iter().any(|s| s.name == "tests: a"));
}

#[cfg_attr(not(loom), test)]
fn sites_nest_and_realloc_stays_with_its_site() {
    let before = SITE_B.stats();
    let mut v: Vec<u8> = SITE_B.run(|| {
        let inner = SITE_A.run(|| black_box(vec![0u8; 10]));
        drop(inner);
        Vec::with_capacity(16)
    });
    v.extend_from_slice(&[1; 100]); // realloc outside any site
    let after = SITE_B.stats();
    assert_eq!(after.live_bytes() - before.live_bytes(), v.capacity() as i64);
    drop(v);
    assert_eq!(SITE_B.stats().live_bytes(), before.live_bytes());
}

#[cfg_attr(not(loom), test)]
fn the_tracking_allocator_keeps_alignment() {
    for align in [1, 8, 16, 64, 4096] {
        let layout = Layout::from_size_align(24, align).unwrap();
        // SAFETY: a non-zero layout, freed below with the same layout.
        let p = unsafe { ALLOC.alloc(layout) };
        assert!(!p.is_null() && (p as usize).is_multiple_of(align), "align {align}");
        // SAFETY: `p` came from ALLOC with `layout`.
        unsafe { ALLOC.dealloc(p, layout) };
    }
}

// ---------------------------------------------------------------- leaks

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn the_detector_finds_every_leak_and_no_false_one() {
    let _g = serial();
    let found = leaks::detect_all(leaks::MIN_ROUNDS);
    let wrong: Vec<_> = found.iter().filter(|d| !d.correct()).collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(found.iter().filter(|d| d.leaks).count(), 8);
    assert_eq!(found.iter().filter(|d| !d.leaks).count(), 6);
    // The tracking allocator agrees, by site, on the heap scenarios.
    for d in found.iter().filter(|d| !d.by_threads) {
        let site = d.site_retained_bytes.expect("tracked");
        assert_eq!(
            site > 0,
            d.retained_bytes > 0,
            "{}: site {site}, thread {}",
            d.name,
            d.retained_bytes
        );
    }
    assert_eq!(sampler::threads_named(leaks::LEAK_THREAD).unwrap(), 0, "released");
}

// ---------------------------------------------------------------- seed ports

#[cfg_attr(not(loom), test)]
fn add_metric_keeps_the_last_value_and_a_series_per_label_value() {
    let pm = PerformanceMonitor::new(Duration::from_secs(3600));
    let l = go_labels(&[]);
    for _ in 0..10 {
        pm.add_metric("requests", 1.0, &l);
    }
    let (v, c, _) = read_fields(&pm.get("requests", &l).unwrap());
    assert_eq!((v, c), (1.0, 10));
    for u in 0..50 {
        pm.add_metric("logins", 1.0, &go_labels(&[("user", &u.to_string())]));
    }
    assert_eq!(pm.len(), 51);
}

#[cfg_attr(not(loom), test)]
fn the_seeds_stored_labels_follow_the_callers_map() {
    let pm = PerformanceMonitor::new(Duration::from_secs(3600));
    let l = go_labels(&[("route", "/a")]);
    pm.add_metric("hits", 1.0, &l);
    let stored = pm.get("hits", &l).unwrap();
    l.lock().unwrap().insert("route".into(), "/b".into());
    assert_eq!(stored.labels.lock().unwrap()["route"], "/b");
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn the_seeds_loop_runs_twice_and_outlives_its_handles_the_fix_does_not() {
    let _g = serial();
    let n = Arc::new(AtomicU64::new(0));
    let pm = PerformanceMonitor::with_exporter(
        Duration::from_millis(1),
        Box::new(CountingExporter(n.clone())),
    );
    let cleanup = pm.clone();
    pm.start();
    pm.start();
    drop(pm);
    // Four exports may all come from the first loop before the second has
    // named its thread: wait for both names (a bound only so that a lost
    // loop fails the assertion instead of hanging the test).
    let waited = std::time::Instant::now();
    while n.load(Ordering::Relaxed) < 4
        || (sampler::threads_named(LOOP_THREAD).unwrap() < 2
            && waited.elapsed() < Duration::from_secs(30))
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(sampler::threads_named(LOOP_THREAD).unwrap(), 2);
    cleanup.close_stop_chan();
    while sampler::threads_named(LOOP_THREAD).unwrap() > 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut fix =
        ExportLoop::new(Arc::new(Registry::new(4)), Duration::from_millis(1), |_| {});
    fix.start();
    fix.start();
    while fix.exports() < 4 {
        std::thread::sleep(Duration::from_millis(1)); // running, and named
    }
    assert_eq!(sampler::threads_named(EXPORT_THREAD).unwrap(), 1);
    fix.stop();
    fix.stop();
    drop(fix);
    assert_eq!(sampler::threads_named(EXPORT_THREAD).unwrap(), 0);
}

#[cfg_attr(not(loom), test)]
fn the_seeds_leak_detector_keeps_every_entry_the_fix_none() {
    let (port, fix) = (LeakDetector::new(), AllocationTable::new());
    for _ in 0..100 {
        let v = black_box(vec![0u8; 32]);
        let id = port.track_allocation(v.len());
        assert_ne!(id, v.as_ptr() as usize);
        fix.track(v.as_ptr() as usize, v.len());
        assert!(fix.free(v.as_ptr() as usize));
        port.track_free(id);
    }
    assert_eq!((port.len(), port.report_leaks().len(), fix.len()), (100, 0, 0));
}

#[cfg_attr(not(loom), test)]
fn the_seeds_profiler_counts_exactly_and_copies() {
    let p = MemoryProfiler::new();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| (0..10_000).for_each(|_| p.track_allocation("b", 8)));
        }
    });
    p.track_free("b", 8);
    let mut copy = p.get_stats();
    let b = copy["b"];
    assert_eq!((b.allocations, b.bytes, b.frees, b.freed_bytes), (40_000, 320_000, 1, 8));
    copy.get_mut("b").unwrap().allocations = 0;
    assert_eq!(p.get_stats()["b"].allocations, 40_000);
}

#[cfg_attr(not(loom), test)]
fn a_go_channel_panics_on_a_second_close_and_drops_when_full() {
    let ch = GoChan::new(2);
    assert!(ch.try_send(1) && ch.try_send(2) && !ch.try_send(3));
    ch.close();
    let second = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ch.close()));
    assert!(second.is_err());
    let mut got = Vec::new();
    ch.range(|v| got.push(v));
    assert_eq!(got, [1, 2], "the newest, 3, was the one dropped");
    let open: GoChan<u8> = GoChan::new(1);
    assert_eq!(open.recv_timeout(Duration::from_millis(5)), Err(TimedOut));
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn the_seeds_memory_monitor_drops_the_newest_and_panics_on_a_second_stop() {
    let _g = serial();
    let mm = MemoryMonitor::new(Duration::from_millis(1));
    mm.start();
    while mm.collected() < 110 {
        std::thread::sleep(Duration::from_millis(2));
    }
    mm.stop();
    let first = mm.get_metrics().recv().unwrap();
    let times = mm.collected.lock().unwrap().clone();
    assert_eq!(first.timestamp, times[0], "the reader gets the oldest sample");
    assert_eq!(mm.get_metrics().len(), 99);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let second = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mm.stop()));
    std::panic::set_hook(hook);
    assert!(second.is_err(), "close of closed channel");
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn a_range_over_the_seeds_channel_never_ends_the_fixs_does() {
    child::dispatch(&[
        child::ChildMode {
            name: "port_range",
            run: || {
                let mm = MemoryMonitor::new(Duration::from_millis(1));
                mm.start();
                std::thread::sleep(Duration::from_millis(5));
                mm.stop();
                mm.get_metrics().range(|_| {});
                println!("range ended");
            },
        },
        child::ChildMode {
            name: "fix_range",
            run: || {
                let (mut m, rx) =
                    ChannelMonitor::start(Duration::from_millis(1), 100).unwrap();
                std::thread::sleep(Duration::from_millis(5));
                m.stop();
                m.stop();
                let _ = rx.iter().count();
                println!("range ended");
            },
        },
    ]);
    let name = "a_range_over_the_seeds_channel_never_ends_the_fixs_does";
    let port = child::run_test(name, "port_range", Duration::from_secs(2)).unwrap();
    assert!(port.timed_out && !port.stdout.contains("range ended"), "{port:?}");
    let fix = child::run_test(name, "fix_range", Duration::from_secs(30)).unwrap();
    assert!(fix.success() && fix.stdout.contains("range ended"), "{fix:?}");
    let _ = CHANNEL_THREAD;
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn the_ports_that_must_not_compile_do_not() {
    for (s, d) in snippets::compiled() {
        let d = d.as_ref().unwrap();
        assert!(d.meets(s.expect), "{}: {}", s.name, d.describe());
    }
}

#[cfg_attr(not(loom), test)]
#[cfg_attr(miri, ignore)]
fn the_load_plot_has_two_lines_and_the_phases() {
    let tr =
        perf_workbook::monitoring::load::run(perf_workbook::monitoring::load::Script {
            interval: Duration::from_millis(2),
            quiet: Duration::from_millis(10),
            grow_steps: 4,
            grow_bytes: 1 << 20,
            churn: Duration::from_millis(10),
            spin: Duration::from_millis(10),
        })
        .unwrap();
    assert_eq!(tr.held_bytes, 4 << 20);
    assert_eq!(
        tr.phases.iter().map(|p| p.0).collect::<Vec<_>>(),
        ["idle", "grow", "churn", "spin", "release"]
    );
    let svg = plot::render_svg(&tr);
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert!(svg.contains(">churn</text>") && svg.ends_with("</svg>\n"));
}

// ---------------------------------------------------------------- loom

#[cfg(loom)]
mod loom_models {
    use loom::thread;
    use perf_workbook::monitoring::registry::{Counter, Gauge};
    use perf_workbook::monitoring::seqlock::SeqLock;
    use std::sync::Arc;

    #[test]
    fn loom_seqlock_reads_one_write_or_none() {
        loom::model(|| {
            let lock = Arc::new(SeqLock::<2>::new());
            let w = lock.clone();
            let writer = thread::spawn(move || {
                w.write([1, 1]);
                w.write([2, 2]);
            });
            if let Some([a, b]) = lock.try_read() {
                assert_eq!(a, b, "torn read");
            }
            writer.join().unwrap();
            assert_eq!(lock.read(), [2, 2]);
            assert_eq!(lock.writes(), 2);
        });
    }

    #[test]
    fn loom_seqlock_two_writers_serialise() {
        loom::model(|| {
            let lock = Arc::new(SeqLock::<2>::new());
            let hs: Vec<_> = (1..=2u64)
                .map(|i| {
                    let l = lock.clone();
                    thread::spawn(move || l.update(|[a, b]| [a + i, b + i]))
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(lock.read(), [3, 3], "an update was lost");
        });
    }

    #[test]
    fn loom_counters_are_exact() {
        loom::model(|| {
            let c = Counter::new();
            let hs: Vec<_> = (0..2)
                .map(|i| {
                    let c = c.clone();
                    thread::spawn(move || {
                        if i == 0 {
                            c.inc();
                        } else {
                            let l = c.local();
                            l.add(2);
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(c.value(), 3);
        });
    }

    #[test]
    fn loom_gauge_value_and_count_agree() {
        loom::model(|| {
            let g = Arc::new(Gauge::new());
            let w = g.clone();
            let writer = thread::spawn(move || w.set_at(1.0, 1));
            let v = g.get();
            assert!(
                (v.value, v.updates, v.at_ns) == (0.0, 0, 0)
                    || (v.value, v.updates, v.at_ns) == (1.0, 1, 1),
                "{v:?}"
            );
            writer.join().unwrap();
        });
    }
}
