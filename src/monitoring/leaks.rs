//! Leaks, and a detector that finds them.
//!
//! The four ways safe Rust leaks memory: [`std::mem::forget`],
//! [`Box::leak`], an `Rc` cycle, and a collection that only grows. Beside
//! them, the Rust analogues of the four causes seed 003 lists (问题1
//! L505-535): a goroutine leak (a thread per request blocked forever), an
//! unbounded cache, a closure holding a big object, a small slice keeping
//! its big buffer alive. Each has a leak-free twin.
//!
//! The detector ([`detect`]) runs a scenario's rounds on a thread of its
//! own, reading that thread's live heap bytes from the workbook's counting
//! allocator after each round, and the threads named [`LEAK_THREAD`]:
//! - **retained**: bytes still live after the scenario, and everything it
//!   owns, was dropped (forget, `Box::leak`, a cycle);
//! - **growing**: live bytes (or leaked threads) rose in every round after
//!   the first (a collection that only grows, callbacks never removed).
//!
//! Either is a leak. A workload whose memory plateaus (a bounded cache
//! filled in its first round) is not. Every leak is kept alive with
//! `black_box`: the optimiser deletes an unused `Box::leak` otherwise.
//!
//! [`detect`] needs `perf_workbook::count_allocations!()` (or a
//! `TrackingAlloc<CountingAlloc>`) as the binary's global allocator.

use super::tracking::{self, Site};
use crate::measure::alloc::AllocScope;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::rc::{Rc, Weak};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

/// The name of the threads the thread-leak scenario leaks.
pub const LEAK_THREAD: &str = "monitoring-leak";
/// Bytes each round of a scenario allocates (and, when leaky, leaks).
pub const ROUND_BYTES: usize = 16 << 10;

/// What a workload does each round; dropped when the scenario ends.
pub trait Workload {
    /// One round of work (one "request").
    fn round(&mut self);
}

/// A named workload and whether it leaks.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// Short name.
    pub name: &'static str,
    /// What it does.
    pub about: &'static str,
    /// True for the eight leaky scenarios.
    pub leaks: bool,
    /// Judged by the threads it leaves, not its heap bytes (a thread is
    /// spawned here and freed over there: per-thread byte counts do not
    /// balance).
    pub threads: bool,
    /// Builds a fresh workload.
    pub make: fn() -> Box<dyn Workload>,
    /// The tracking allocator's site its allocations are charged to.
    pub site: &'static Site,
}

fn buffer() -> Vec<u8> {
    black_box(vec![7u8; ROUND_BYTES])
}

// ANCHOR: rust_leaks
/// `mem::forget` on an owned buffer: its destructor never runs.
struct Forget;
impl Workload for Forget {
    fn round(&mut self) {
        std::mem::forget(buffer());
    }
}

/// `Box::leak`: a `&'static mut` to memory nothing will free.
struct BoxLeak;
impl Workload for BoxLeak {
    fn round(&mut self) {
        let leaked: &'static mut [u8] = Box::leak(buffer().into_boxed_slice());
        black_box(leaked);
    }
}

/// A node that points at its partner.
struct Node {
    _payload: Vec<u8>,
    other: RefCell<Option<Rc<Node>>>,
}

/// Two `Rc`s that point at each other: each keeps the other's count at 1.
struct RcCycle;
impl Workload for RcCycle {
    fn round(&mut self) {
        let a = Rc::new(Node { _payload: buffer(), other: RefCell::new(None) });
        let b =
            Rc::new(Node { _payload: buffer(), other: RefCell::new(Some(a.clone())) });
        *a.other.borrow_mut() = Some(b.clone());
        black_box((a, b));
    }
}

/// A history that is appended to and never trimmed.
#[derive(Default)]
struct GrowOnly(Vec<Vec<u8>>);
impl Workload for GrowOnly {
    fn round(&mut self) {
        self.0.push(buffer());
    }
}
// ANCHOR_END: rust_leaks

/// Seed 003's goroutine leak: a thread per request, blocked forever on a
/// channel whose sender is kept (here: until [`release_leaked_threads`]).
#[derive(Default)]
struct ThreadPerRequest;
type Parked = (Sender<()>, JoinHandle<()>);
static PARKED: Mutex<Vec<Parked>> = Mutex::new(Vec::new());
impl Workload for ThreadPerRequest {
    fn round(&mut self) {
        let (tx, rx): (Sender<()>, Receiver<()>) = channel();
        let (ready_tx, ready_rx) = channel();
        let spawned =
            std::thread::Builder::new().name(LEAK_THREAD.into()).spawn(move || {
                let _buf = black_box(vec![1u8; ROUND_BYTES]);
                let _ = ready_tx.send(());
                let _ = rx.recv(); // waits for a message that never comes
            });
        if let Ok(h) = spawned {
            let _ = ready_rx.recv(); // running, and named
            PARKED.lock().unwrap_or_else(|p| p.into_inner()).push((tx, h));
        }
    }
}

/// Ends the threads the `thread per request` scenario leaked, and joins
/// them (the demonstration must not leave them in the process).
pub fn release_leaked_threads() {
    let parked = std::mem::take(&mut *PARKED.lock().unwrap_or_else(|p| p.into_inner()));
    for (tx, h) in parked {
        drop(tx);
        let _ = h.join();
    }
}

/// Seed 003's unbounded cache: every request id is a new key, nothing is
/// evicted.
#[derive(Default)]
struct UnboundedCache {
    map: HashMap<u64, Vec<u8>>,
    next: u64,
}
impl Workload for UnboundedCache {
    fn round(&mut self) {
        self.next += 1;
        self.map.insert(self.next, buffer());
    }
}

/// Seed 003's closure holding a big object: a callback registered per
/// request, capturing its buffer, never removed.
#[derive(Default)]
struct ClosureKeepsBuffer(Vec<Box<dyn Fn() -> usize>>);
impl Workload for ClosureKeepsBuffer {
    fn round(&mut self) {
        let big = buffer();
        self.0.push(Box::new(move || big.len()));
    }
}

/// Seed 003's slice leak: a 16-byte view kept per request keeps the whole
/// 16 KiB buffer alive (`bytes::Bytes::slice` shares the allocation, as a
/// Go sub-slice shares its array).
#[derive(Default)]
struct SubsliceKeepsBuffer(Vec<bytes::Bytes>);
impl Workload for SubsliceKeepsBuffer {
    fn round(&mut self) {
        let whole = bytes::Bytes::from(buffer());
        self.0.push(whole.slice(0..16));
    }
}

/// A cache of at most 4 entries: fills in the first rounds, then evicts.
#[derive(Default)]
struct BoundedCache(VecDeque<Vec<u8>>);
impl Workload for BoundedCache {
    fn round(&mut self) {
        if self.0.len() == 4 {
            self.0.pop_front();
        }
        self.0.push_back(buffer());
    }
}

/// The cycle's fix: the back pointer is a `Weak`.
struct WeakParent;
struct Child {
    _payload: Vec<u8>,
    _parent: Weak<Parent>,
}
struct Parent {
    _payload: Vec<u8>,
    child: RefCell<Option<Rc<Child>>>,
}
impl Workload for WeakParent {
    fn round(&mut self) {
        let p = Rc::new(Parent { _payload: buffer(), child: RefCell::new(None) });
        let c = Rc::new(Child { _payload: buffer(), _parent: Rc::downgrade(&p) });
        *p.child.borrow_mut() = Some(c);
        black_box(p);
    }
}

/// A scratch buffer cleared and reused every round.
#[derive(Default)]
struct ScratchReuse(Vec<u8>);
impl Workload for ScratchReuse {
    fn round(&mut self) {
        self.0.clear();
        self.0.extend_from_slice(&buffer());
    }
}

/// A thread per request, joined.
struct JoinedThreads;
impl Workload for JoinedThreads {
    fn round(&mut self) {
        let h = std::thread::Builder::new()
            .name(LEAK_THREAD.into())
            .spawn(|| black_box(vec![1u8; ROUND_BYTES]).len());
        if let Ok(h) = h {
            let _ = h.join();
        }
    }
}

/// The 16 bytes copied out of the buffer, in a bounded list.
#[derive(Default)]
struct CopiedSubslice(VecDeque<Vec<u8>>);
impl Workload for CopiedSubslice {
    fn round(&mut self) {
        let whole = buffer();
        if self.0.len() == 4 {
            self.0.pop_front();
        }
        self.0.push_back(whole[..16].to_vec());
    }
}

/// Callbacks registered per request and removed when it ends.
#[derive(Default)]
struct ClosureRemoved(Vec<Box<dyn Fn() -> usize>>);
impl Workload for ClosureRemoved {
    fn round(&mut self) {
        let big = buffer();
        self.0.push(Box::new(move || big.len()));
        self.0.pop();
    }
}

/// One tracking-allocator site per scenario, in [`SCENARIOS`]' order.
pub static SITES: [Site; 14] = [
    Site::new("mem::forget"),
    Site::new("Box::leak"),
    Site::new("Rc cycle"),
    Site::new("grow-only Vec"),
    Site::new("thread per request"),
    Site::new("unbounded cache"),
    Site::new("closure keeps buffer"),
    Site::new("sub-slice keeps buffer"),
    Site::new("bounded cache"),
    Site::new("Weak back pointer"),
    Site::new("scratch reuse"),
    Site::new("joined threads"),
    Site::new("copied sub-slice"),
    Site::new("closure removed"),
];

/// Every scenario: the eight leaks first, then the leak-free twins.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "mem::forget",
        site: &SITES[0],
        about: "an owned 16 KiB buffer forgotten each round",
        leaks: true,
        threads: false,
        make: || Box::new(Forget),
    },
    Scenario {
        name: "Box::leak",
        site: &SITES[1],
        about: "a 16 KiB boxed slice leaked each round",
        leaks: true,
        threads: false,
        make: || Box::new(BoxLeak),
    },
    Scenario {
        name: "Rc cycle",
        site: &SITES[2],
        about: "two Rc nodes pointing at each other, each round",
        leaks: true,
        threads: false,
        make: || Box::new(RcCycle),
    },
    Scenario {
        name: "grow-only Vec",
        site: &SITES[3],
        about: "a history appended to and never trimmed",
        leaks: true,
        threads: false,
        make: || Box::<GrowOnly>::default(),
    },
    Scenario {
        name: "thread per request",
        site: &SITES[4],
        about: "seed 003's goroutine leak: a thread blocked forever per round",
        leaks: true,
        threads: true,
        make: || Box::new(ThreadPerRequest),
    },
    Scenario {
        name: "unbounded cache",
        site: &SITES[5],
        about: "seed 003's cache: a new key per request, no eviction",
        leaks: true,
        threads: false,
        make: || Box::<UnboundedCache>::default(),
    },
    Scenario {
        name: "closure keeps buffer",
        site: &SITES[6],
        about: "seed 003's closure: a callback per request capturing 16 KiB",
        leaks: true,
        threads: false,
        make: || Box::<ClosureKeepsBuffer>::default(),
    },
    Scenario {
        name: "sub-slice keeps buffer",
        site: &SITES[7],
        about: "seed 003's slice leak: a 16-byte Bytes view of a 16 KiB buffer",
        leaks: true,
        threads: false,
        make: || Box::<SubsliceKeepsBuffer>::default(),
    },
    Scenario {
        name: "bounded cache",
        site: &SITES[8],
        about: "at most 4 entries, oldest evicted",
        leaks: false,
        threads: false,
        make: || Box::<BoundedCache>::default(),
    },
    Scenario {
        name: "Weak back pointer",
        site: &SITES[9],
        about: "the cycle's fix: the child holds a Weak to its parent",
        leaks: false,
        threads: false,
        make: || Box::new(WeakParent),
    },
    Scenario {
        name: "scratch reuse",
        site: &SITES[10],
        about: "one buffer cleared and refilled each round",
        leaks: false,
        threads: false,
        make: || Box::<ScratchReuse>::default(),
    },
    Scenario {
        name: "joined threads",
        site: &SITES[11],
        about: "a thread per request, joined",
        leaks: false,
        threads: true,
        make: || Box::new(JoinedThreads),
    },
    Scenario {
        name: "copied sub-slice",
        site: &SITES[12],
        about: "16 bytes copied out, kept in a bounded list",
        leaks: false,
        threads: false,
        make: || Box::<CopiedSubslice>::default(),
    },
    Scenario {
        name: "closure removed",
        site: &SITES[13],
        about: "a callback per request, removed when it ends",
        leaks: false,
        threads: false,
        make: || Box::<ClosureRemoved>::default(),
    },
];

/// What the detector saw of one scenario.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Detection {
    /// The scenario.
    pub name: &'static str,
    /// Whether it is meant to leak.
    pub leaks: bool,
    /// Live heap bytes of the detector's thread after each round.
    pub live_after_round: Vec<i64>,
    /// Threads named [`LEAK_THREAD`] alive after each round.
    pub threads_after_round: Vec<usize>,
    /// Live bytes after the workload was dropped.
    pub retained_bytes: i64,
    /// Threads named [`LEAK_THREAD`] still alive after it was dropped.
    pub retained_threads: usize,
    /// Judged by threads rather than bytes.
    pub by_threads: bool,
    /// Live bytes of the scenario's site after it was dropped, when the
    /// tracking allocator is the global allocator (frees on other threads
    /// included).
    pub site_retained_bytes: Option<i64>,
    /// What it is judged by (live bytes, or threads) rose in every round
    /// after the first.
    pub growing: bool,
}

impl Detection {
    /// The detector's answer: retained or growing.
    pub fn found_leak(&self) -> bool {
        let retained = if self.by_threads {
            self.retained_threads > 0
        } else {
            self.retained_bytes > 0
        };
        retained || self.growing
    }

    /// Found what the scenario is: a leak found, or none found in a
    /// leak-free workload.
    pub fn correct(&self) -> bool {
        self.found_leak() == self.leaks
    }
}

/// The fewest rounds [`detect`] runs: a bounded workload must have time to
/// plateau after filling (the bounded cache fills in 4).
pub const MIN_ROUNDS: usize = 8;

fn rising<T: PartialOrd + Copy>(v: &[T]) -> bool {
    v.len() >= 3 && v[1..].windows(2).all(|w| w[1] > w[0])
}

// ANCHOR: detect
/// Runs `rounds` rounds (at least [`MIN_ROUNDS`]) of `scenario` on a new
/// thread and reports whether it leaks; see the module documentation.
pub fn detect(scenario: &Scenario, rounds: usize) -> Detection {
    let rounds = rounds.max(MIN_ROUNDS);
    let tracked = tracking::is_installed();
    let site_before = scenario.site.stats().live_bytes();
    let run = move || {
        // Allocated before the scope starts, so they are not counted live.
        let mut live = Vec::with_capacity(rounds);
        let mut threads = Vec::with_capacity(rounds);
        let _in = scenario.site.enter();
        let scope = AllocScope::start();
        let mut w = (scenario.make)();
        for _ in 0..rounds {
            w.round();
            live.push(scope.counts().live_bytes());
            threads.push(super::sampler::threads_named(LEAK_THREAD).unwrap_or(0));
        }
        drop(w);
        let retained = scope.counts().live_bytes();
        (live, threads, retained)
    };
    let (live, threads, retained) = std::thread::scope(|s| {
        s.spawn(run).join().unwrap_or_else(|_| (Vec::new(), Vec::new(), 0))
    });
    let kept = settled_threads();
    release_leaked_threads();
    let site_retained_bytes =
        tracked.then(|| scenario.site.stats().live_bytes() - site_before);
    Detection {
        name: scenario.name,
        leaks: scenario.leaks,
        growing: if scenario.threads { rising(&threads) } else { rising(&live) },
        live_after_round: live,
        threads_after_round: threads,
        retained_bytes: retained,
        retained_threads: kept,
        by_threads: scenario.threads,
        site_retained_bytes,
    }
}
// ANCHOR_END: detect

/// Threads named [`LEAK_THREAD`] now, once the count has held still for
/// 10 ms (a joined thread can stay listed for a moment after `join`).
fn settled_threads() -> usize {
    let count = || super::sampler::threads_named(LEAK_THREAD).unwrap_or(0);
    let mut last = count();
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(10));
        let now = count();
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

/// [`detect`] on every scenario.
pub fn detect_all(rounds: usize) -> Vec<Detection> {
    SCENARIOS.iter().map(|s| detect(s, rounds)).collect()
}
