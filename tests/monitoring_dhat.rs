//! Chapter 10 under the `dhat` crate's heap profiler, which must be the
//! binary's global allocator (so it has a test binary of its own): every
//! heap leak scenario of `monitoring::leaks` is seen by dhat's live-bytes
//! count, and none of the leak-free ones is.
//!
//! One test function: dhat's profiler is process-wide, and only one may run
//! at a time.

use perf_workbook::monitoring::leaks::{MIN_ROUNDS, SCENARIOS};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[test]
#[cfg_attr(miri, ignore)]
fn dhat_sees_every_heap_leak_and_no_false_one() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let live = || dhat::HeapStats::get().curr_bytes as i64;
    let mut wrong = Vec::new();
    for s in SCENARIOS.iter().filter(|s| !s.threads) {
        let mut after_round = Vec::with_capacity(MIN_ROUNDS);
        let before = live();
        let mut w = (s.make)();
        for _ in 0..MIN_ROUNDS {
            w.round();
            after_round.push(live());
        }
        drop(w);
        let retained = live() - before;
        let growing = after_round[1..].windows(2).all(|p| p[1] > p[0]);
        let found = retained > 0 || growing;
        if found != s.leaks {
            wrong.push(format!("{}: found {found}, retained {retained} B", s.name));
        }
    }
    assert!(wrong.is_empty(), "dhat disagrees: {wrong:?}");
    let stats = dhat::HeapStats::get();
    assert!(stats.total_blocks > 0 && stats.max_bytes > 0, "{stats:?}");
}
