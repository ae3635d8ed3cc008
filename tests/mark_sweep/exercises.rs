//! Chapter 5's exercises: `cargo test --test mark_sweep exercise`. To write
//! them yourself: `cargo test --test mark_sweep --features starter`, then
//! edit tests/mark_sweep/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::mark_sweep::barrier::{Barrier, Invariant, RootScan};
use perf_workbook::mark_sweep::graphs::{self, RandomGraph};
use perf_workbook::mark_sweep::heap::{Color, ObjId};
use perf_workbook::mark_sweep::mutator::{self, Workload};
use perf_workbook::mark_sweep::pacing::{self, Setting, Trace};
use perf_workbook::mark_sweep::{scenarios, stw};
use perf_workbook::measure::child::{self, ChildMode};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

fn backward() -> Barrier {
    Barrier::custom(
        "backward",
        answer::backward_barrier,
        RootScan::IncrementalThenRescan,
        Invariant::Strong,
    )
}

/// Exercise 1: a barrier that re-grays the black object written into.
#[test]
fn exercise_1_write_a_backward_barrier() {
    // The scripted interleavings: nothing is lost, the strong invariant holds.
    for s in scenarios::all() {
        let r = scenarios::play(&s, backward());
        assert!(r.lost.is_empty(), "{}: lost {:?}", s.name, r.lost);
        assert!(r.first_violation.is_none(), "{}: strong invariant broken", s.name);
    }
    // Random schedules: no loss, and the strong invariant after every event.
    for seed in 0..200 {
        let w = Workload {
            objects: 40,
            stacks: 3,
            slots: 4,
            events: 250,
            step_percent: 10,
            seed,
        };
        let r = mutator::run_random(&w, backward(), 2);
        assert!(r.lost.is_empty() && r.first_violation.is_none(), "seed {seed}");
    }
}

/// The chain the child process marks in exercise 2: deeper than any test
/// thread's stack could recurse.
const DEEP_CHAIN: usize = 1_000_000;

fn mark_a_deep_chain() {
    let marked = answer::mark_with_worklist(&mut graphs::chain(DEEP_CHAIN));
    assert_eq!(marked, DEEP_CHAIN, "every object of the chain is reachable");
}

/// Exercise 2: a marker without recursion, that ends on cycles.
#[test]
fn exercise_2_mark_without_recursion() {
    child::dispatch(&[ChildMode {
        name: "exercise_2::deep_chain",
        run: mark_a_deep_chain,
    }]);
    // Cycles end: the seed's marker never did.
    assert_eq!(answer::mark_with_worklist(&mut graphs::ring(2)), 2);
    assert_eq!(answer::mark_with_worklist(&mut graphs::ring(1)), 1);
    // Random graphs: black is exactly what a breadth-first search reaches.
    for seed in 0..50 {
        let p = RandomGraph { objects: 300, fill_percent: 35, roots: 3, seed };
        let mut heap = graphs::random_graph(p);
        let reachable = stw::reachable_set(&heap);
        let marked = answer::mark_with_worklist(&mut heap);
        assert_eq!(marked, reachable.iter().filter(|&&r| r).count(), "seed {seed}");
        for (i, &reached) in reachable.iter().enumerate() {
            let black = heap.color(ObjId::from_index(i)) == Color::Black;
            assert_eq!(black, reached, "seed {seed}, object #{i}");
        }
    }
    // A million-object chain, in a child process: a recursive marker
    // overflows its stack there instead of taking this test binary down.
    let name = "exercises::exercise_2_mark_without_recursion";
    let o = child::run_test(name, "exercise_2::deep_chain", Duration::from_secs(120))
        .expect("run the child process");
    assert!(
        o.success(),
        "marking a {DEEP_CHAIN}-object chain ended with {}:\n{}",
        o.describe(),
        o.stderr.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
}

/// Exercise 3: parent links that do not keep the family alive.
#[test]
fn exercise_3_parent_links_that_do_not_leak() {
    let drops = Rc::new(Cell::new(0));
    let parent = answer::family(&drops, 3);
    assert_eq!(parent.children.borrow().len(), 3);
    for child in parent.children.borrow().iter() {
        let up = child.parent.borrow().upgrade().expect("a child reaches its parent");
        assert!(Rc::ptr_eq(&up, &parent));
    }
    assert_eq!(drops.get(), 0);
    drop(parent);
    assert_eq!(drops.get(), 4, "parent and three children, no cycle left behind");
}

/// Exercise 4: the largest GOGC whose heap stays under a memory cap.
#[test]
fn exercise_4_the_largest_gogc_under_a_cap() {
    let trace = Trace::burst(16);
    let candidates: Vec<u32> = (1..=40).map(|i| i * 10).collect();
    let run = |gogc| {
        pacing::simulate(&trace, Setting { label: "", gogc: Some(gogc), limit: None }, 8)
    };
    let live = trace.phases.iter().map(|p| p.live_bytes).max().unwrap();
    for cap in [live * 3 / 2, live * 2, live * 3] {
        let g = answer::largest_gogc_under(&trace, cap, &candidates)
            .unwrap_or_else(|| panic!("some GOGC keeps the heap under {cap} bytes"));
        assert!(candidates.contains(&g), "{g} is not a candidate");
        assert!(run(g).peak_heap <= cap, "GOGC={g} goes past {cap} bytes");
        // Every larger candidate goes past the cap.
        for &bigger in candidates.iter().filter(|&&c| c > g) {
            assert!(run(bigger).peak_heap > cap, "GOGC={bigger} also fits {cap} bytes");
        }
    }
    // No GOGC keeps a heap under its own live data.
    assert_eq!(answer::largest_gogc_under(&trace, live / 2, &candidates), None);
}

/// Exercise 5: a schedule that loses an object under Dijkstra's barrier
/// without its final rescan.
#[test]
fn exercise_5_hide_a_pointer_from_dijkstra() {
    let mut s = scenarios::hidden_in_scanned_stack();
    s.events = answer::hide_from_dijkstra();
    let without =
        Barrier::DIJKSTRA.with_roots(RootScan::Incremental, "dijkstra, no rescan");
    let r = scenarios::play(&s, without);
    assert_eq!(r.lost.len(), 1, "your schedule must make Dijkstra, no rescan, lose W");
    assert_eq!(r.lost[0], ObjId::from_index(2), "the lost object is W");
    for b in Barrier::SOUND {
        let r = scenarios::play(&s, b);
        assert!(r.lost.is_empty(), "{} loses {:?}: not a fair schedule", b.name, r.lost);
    }
    assert!(scenarios::play(&s, Barrier::DIJKSTRA).max_pause() > 0, "the rescan pauses");
}
