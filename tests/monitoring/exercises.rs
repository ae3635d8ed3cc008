//! Chapter 10's exercises: `cargo test --test monitoring exercise`. To write
//! them yourself: `cargo test --test monitoring --features starter`, then
//! edit tests/monitoring/starter.rs until they pass.
#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::measure::serial;
use perf_workbook::monitoring::leaks::{self, Scenario};
use perf_workbook::monitoring::sampler;
use perf_workbook::monitoring::tracking::Site;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hint::black_box;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

// ANCHOR: exercise_1_service
/// A small service with three parts, each allocating in a site of its own.
pub static PARSE: Site = Site::new("exercise: parse");
/// Its cache.
pub static CACHE: Site = Site::new("exercise: cache");
/// Its renderer.
pub static RENDER: Site = Site::new("exercise: render");

/// The service: one of its parts leaks on every request.
#[derive(Default)]
pub struct Service {
    cache: HashMap<u64, Vec<u8>>,
    next: u64,
}

impl Service {
    /// Handles one request.
    pub fn handle(&mut self) {
        let request = PARSE.run(|| black_box(vec![1u8; 512]));
        self.next += 1;
        let key = self.next;
        CACHE.run(|| {
            // "Remember the last response" — under a new key every time.
            self.cache.insert(key, request.clone());
        });
        let page = RENDER.run(|| black_box(format!("<p>{}</p>", request.len())));
        drop(page);
    }
}
// ANCHOR_END: exercise_1_service

/// Exercise 1: find the leak by site with the tracking allocator.
#[test]
#[cfg_attr(miri, ignore)]
fn exercise_1_find_the_leaking_site() {
    let mut service = Service::default();
    let sites: [&'static Site; 3] = [&PARSE, &CACHE, &RENDER];
    let leaking = answer::leaking_sites(&sites, || service.handle());
    assert_eq!(leaking, ["exercise: cache"]);
}

/// Exercise 2: a heartbeat that stops when told, twice, and joins.
#[test]
#[cfg_attr(miri, ignore)]
fn exercise_2_a_loop_that_stops() {
    let _g = serial();
    let beats = Arc::new(AtomicU64::new(0));
    let b = beats.clone();
    let mut h = answer::Heartbeat::start(Duration::from_millis(1), move || {
        b.fetch_add(1, Ordering::Relaxed);
    });
    while beats.load(Ordering::Relaxed) < 3 {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(sampler::threads_named(answer::HEARTBEAT_THREAD).unwrap(), 1);
    h.stop();
    h.stop();
    let after = beats.load(Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(beats.load(Ordering::Relaxed), after, "it beat after stop");
    assert_eq!(sampler::threads_named(answer::HEARTBEAT_THREAD).unwrap(), 0);
    let slow = answer::Heartbeat::start(Duration::from_secs(3600), || {});
    drop(slow);
    assert_eq!(
        sampler::threads_named(answer::HEARTBEAT_THREAD).unwrap(),
        0,
        "Drop joins"
    );
}

/// Exercise 3: a slot that keeps the newest value and counts the ones
/// nobody read.
#[test]
fn exercise_3_keep_the_newest() {
    let slot = answer::Latest::new();
    assert_eq!(slot.take(), None);
    for v in 1..=300u64 {
        slot.publish(v);
    }
    assert_eq!(slot.take(), Some(300));
    assert_eq!(slot.dropped(), 299);
    assert_eq!(slot.take(), None, "read once");
    slot.publish(301);
    assert_eq!((slot.take(), slot.dropped()), (Some(301), 299));
    let shared = Arc::new(answer::Latest::new());
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let shared = shared.clone();
            s.spawn(move || (0..1000).for_each(|i| shared.publish(t * 1000 + i)));
        }
    });
    assert!(shared.take().is_some());
    assert_eq!(shared.dropped(), 1999);
}

// ANCHOR: exercise_4_tree
/// A parent and its children: each child must be able to reach its parent.
pub struct Parent {
    /// The parent's data.
    pub data: Vec<u8>,
    /// Its children.
    pub children: RefCell<Vec<Rc<answer::Child>>>,
}
// ANCHOR_END: exercise_4_tree

struct Tree;
impl leaks::Workload for Tree {
    fn round(&mut self) {
        let p =
            Rc::new(Parent { data: vec![3u8; 4096], children: RefCell::new(Vec::new()) });
        assert_eq!(p.data.len(), 4096);
        for _ in 0..3 {
            let c = answer::child_of(&p);
            p.children.borrow_mut().push(c);
        }
        for c in p.children.borrow().iter() {
            assert_eq!(answer::parent_data_len(c), Some(4096));
        }
        black_box(p);
    }
}

static TREE_SITE: Site = Site::new("exercise: tree");

/// Exercise 4: a tree whose children point at their parent, without a leak.
#[test]
#[cfg_attr(miri, ignore)]
fn exercise_4_a_tree_without_a_cycle() {
    let _g = serial();
    let s = Scenario {
        name: "exercise tree",
        about: "a parent and three children that reach it",
        leaks: false,
        threads: false,
        make: || Box::new(Tree),
        site: &TREE_SITE,
    };
    let d = leaks::detect(&s, leaks::MIN_ROUNDS);
    assert!(!d.found_leak(), "{d:?}");
}
