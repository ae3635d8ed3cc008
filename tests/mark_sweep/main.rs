//! Chapter 5, tri-color mark-sweep: invariants of the simulated collector
//! (property tests on random graphs and random mutator schedules), the seed's
//! recursive marker failing in a child process, and the exercises
//! (`exercises.rs`).
//!
//! `cargo test --test mark_sweep`; the exercises alone:
//! `cargo test --test mark_sweep exercise`. In release builds the worklist
//! marker collects a 10,000,000-object chain (`cargo test --release`).

mod exercises;

use perf_workbook::chapters;
use perf_workbook::mark_sweep::barrier::{Barrier, RootScan};
use perf_workbook::mark_sweep::figures;
use perf_workbook::mark_sweep::graphs::{self, RandomGraph};
use perf_workbook::mark_sweep::heap::{Color, ObjId};
use perf_workbook::mark_sweep::incremental::Incremental;
use perf_workbook::mark_sweep::mutator::{self, Workload};
use perf_workbook::mark_sweep::pacing::{self, Setting, Trace};
use perf_workbook::mark_sweep::{checker, scenarios, seed_port, stw};
use perf_workbook::measure::child;
use proptest::prelude::*;
use std::time::Duration;

perf_workbook::count_allocations!();

fn cases() -> ProptestConfig {
    ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 64 })
}

fn black_set(heap: &perf_workbook::mark_sweep::heap::Heap) -> Vec<bool> {
    (0..heap.slot_count())
        .map(|i| heap.color(ObjId::from_index(i)) == Color::Black)
        .collect()
}

proptest! {
    #![proptest_config(cases())]

    /// Stop-the-world marking blackens exactly the reachable objects, cycles
    /// included, and the sweep leaves exactly them, all white again.
    #[test]
    fn marked_equals_reachable_on_random_graphs(
        objects in 0usize..120,
        fill_percent in 0u32..80,
        roots in 0usize..6,
        seed in any::<u64>(),
    ) {
        let mut heap = graphs::random_graph(RandomGraph { objects, fill_percent, roots, seed });
        let reachable = stw::reachable_set(&heap);
        stw::mark(&mut heap);
        prop_assert_eq!(black_set(&heap), reachable.clone());
        stw::sweep(&mut heap);
        let live: Vec<bool> = (0..heap.slot_count()).map(|i| heap.is_live(ObjId::from_index(i))).collect();
        prop_assert_eq!(live, reachable);
        prop_assert!(heap.live_ids().all(|id| heap.color(id) == Color::White));
        prop_assert!(checker::dangling(&heap).is_empty());
    }

    /// With Dijkstra, Yuasa or the hybrid barrier (each with its root
    /// protocol), no reachable object is ever freed, over several cycles, and
    /// the barrier's invariant holds after every event.
    #[test]
    fn no_sound_barrier_ever_frees_a_reachable_object(
        objects in 1usize..60,
        stacks in 1usize..4,
        slots in 1usize..6,
        events in 0usize..300,
        step_percent in 5u32..40,
        budget in 1usize..8,
        seed in any::<u64>(),
    ) {
        let w = Workload { objects, stacks, slots, events, step_percent, seed };
        for b in Barrier::SOUND {
            let r = mutator::run_random(&w, b, budget);
            prop_assert!(r.lost.is_empty(), "{} lost {:?}", b.name, r.lost);
            prop_assert!(r.first_violation.is_none(), "{}: {:?}", b.name, r.first_violation);
            prop_assert!(r.dangling.is_empty());
            prop_assert_eq!(r.bookkeeping_broken, 0);
        }
    }

    /// Without a mutator, incremental marking (any barrier, any budget)
    /// blackens what stop-the-world marking blackens, and no step exceeds its
    /// budget (stacks here hold at most `budget` references).
    #[test]
    fn incremental_without_a_mutator_marks_what_stw_marks(
        objects in 0usize..120,
        budget in 4usize..20,
        seed in any::<u64>(),
    ) {
        let base = graphs::random_graph(RandomGraph { objects, fill_percent: 35, roots: 4, seed });
        let mut a = base.clone();
        stw::mark(&mut a);
        for b in Barrier::ALL {
            let mut h = base.clone();
            let mut gc = Incremental::new(b, budget);
            gc.start(&mut h);
            gc.mark_to_end(&mut h);
            prop_assert_eq!(black_set(&h), black_set(&a));
            prop_assert!(gc.stats().max_step_work <= budget);
        }
    }
}

#[test]
fn without_a_barrier_the_known_schedule_is_caught() {
    let s = scenarios::lost_object();
    let r = scenarios::play(&s, Barrier::NONE);
    let c = ObjId::from_index(2);
    assert_eq!(r.lost, vec![c], "the sweep frees C while A still points at it");
    let (event, what) = r.first_weak_break.clone().expect("the checker flags it first");
    assert_eq!(scenarios::with_names(&s, &what), "stack 0: B.f0 = nil");
    assert_eq!(event, 5, "the fifth scripted event deletes B's reference");
    assert_eq!(r.dangling.len(), 1);
    assert_eq!(r.dangling[0].to, c);
}

#[test]
fn every_barrier_needs_its_root_protocol() {
    let lost = |s: &scenarios::Scenario, b: Barrier| scenarios::play(s, b).lost.len();
    let all = scenarios::all();
    for b in Barrier::SOUND {
        assert!(all.iter().all(|s| lost(s, b) == 0), "{}", b.name);
    }
    let configs = scenarios::configurations();
    let dijkstra_no_rescan =
        configs.iter().find(|b| b.name == "dijkstra, no rescan").unwrap();
    let yuasa_no_snapshot =
        configs.iter().find(|b| b.name == "yuasa, no snapshot").unwrap();
    assert_eq!(lost(&scenarios::hidden_in_scanned_stack(), *dijkstra_no_rescan), 1);
    assert_eq!(lost(&scenarios::hidden_by_unscanned_stack(), *yuasa_no_snapshot), 1);
}

#[test]
fn dijkstra_pauses_at_the_end_and_the_hybrid_never() {
    let s = scenarios::hidden_in_scanned_stack();
    assert!(scenarios::play(&s, Barrier::DIJKSTRA).max_pause() > 0);
    assert!(scenarios::play(&s, Barrier::YUASA).max_pause() > 0);
    assert_eq!(scenarios::play(&s, Barrier::HYBRID).max_pause(), 0);
}

/// The worklist marker on a chain far deeper than any stack could recurse:
/// 10,000,000 objects in release builds (`cargo test --release`), 1,000,000
/// in debug builds (same point, a tenth of the wait), 1,000 under Miri.
#[test]
fn worklist_collects_a_ten_million_object_chain() {
    let n = if cfg!(miri) {
        1_000
    } else if cfg!(debug_assertions) {
        1_000_000
    } else {
        10_000_000
    };
    let c = figures::collect_chain(n);
    assert_eq!((c.marked, c.survivors, c.max_gray), (n, n, 1));
    assert_eq!((c.survivors_after_cut, c.freed_after_cut), (n / 2, n - n / 2));
}

const T: Duration = Duration::from_secs(60);

/// The seed's marker on a two-object cycle never terminates: it recurses
/// until the stack is gone, on 8 MiB and on 64 MiB alike.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn seed_marker_overflows_on_a_two_object_cycle() {
    child::dispatch(chapters::child_modes().as_slice());
    for mode in ["mark_sweep::seed_cycle_8mib", "mark_sweep::seed_cycle_64mib"] {
        let o = child::run_test("seed_marker_overflows_on_a_two_object_cycle", mode, T)
            .unwrap();
        assert!(o.overflowed_stack(), "{mode}: {}", o.describe());
    }
    // The counted twin shows the same thing in-process: any call budget runs out.
    let e = seed_port::on_stack(64 << 20, || {
        seed_port::seed_mark_counted(&mut graphs::ring(2), 10_000)
    })
    .unwrap_err();
    assert_eq!(e.calls, 10_001);
}

/// The seed's marker on a 1,000,000-object chain overflows an 8 MiB stack,
/// but finishes with 1 GiB: on a chain it is limited by depth, not wrong.
#[test]
#[cfg_attr(miri, ignore = "spawns processes")]
fn seed_marker_recursion_depth_is_the_chain_length() {
    child::dispatch(chapters::child_modes().as_slice());
    let name = "seed_marker_recursion_depth_is_the_chain_length";
    let o = child::run_test(name, "mark_sweep::seed_chain_1m_8mib", T).unwrap();
    assert!(o.overflowed_stack(), "{}", o.describe());
    let big = seed_port::seed_on_big_stack(seed_port::LONG_CHAIN, 1 << 30);
    assert_eq!(big.black, seed_port::LONG_CHAIN);
    // The stack each level took (page faults of the thread / depth) says
    // how deep an 8 MiB stack goes: fewer levels than the chain has.
    if let Some(per_level) = big.stack_bytes_per_level {
        let longest = (seed_port::MAIN_STACK as f64 / per_level) as usize;
        assert!(longest < seed_port::LONG_CHAIN, "{longest} levels fit in 8 MiB");
    }
}

#[test]
fn gogc_trades_memory_for_collections() {
    let t = Trace::burst(if cfg!(miri) { 256 } else { 16 });
    let run = |gogc, limit| pacing::simulate(&t, Setting { label: "", gogc, limit }, 8);
    let (g50, g100, g200) =
        (run(Some(50), None), run(Some(100), None), run(Some(200), None));
    assert!(g50.collections > g100.collections && g100.collections > g200.collections);
    assert!(g50.peak_heap < g100.peak_heap && g100.peak_heap < g200.peak_heap);
    // Seeds 000 and 001 set a 1 GiB limit: for this program it changes nothing.
    let seed_limit = run(Some(100), Some(1 << 30));
    assert_eq!(
        (seed_limit.collections, seed_limit.peak_heap),
        (g100.collections, g100.peak_heap)
    );
    // A limit below the live heap cannot hold: the heap goes past it (soft limit).
    let tight = run(Some(100), Some(t.phases[1].live_bytes / 2));
    assert!(tight.peak_heap > t.phases[1].live_bytes / 2);
    assert!(tight.limiter_delays > 0);
}

#[test]
fn dijkstra_needs_its_rescan() {
    let s = scenarios::hidden_in_scanned_stack();
    let without =
        Barrier::DIJKSTRA.with_roots(RootScan::Incremental, "dijkstra, no rescan");
    let r = scenarios::play(&s, without);
    assert_eq!(r.lost.len(), 1, "W hid in a scanned stack");
    let r = scenarios::play(&s, Barrier::DIJKSTRA);
    assert!(r.lost.is_empty());
    assert!(r.max_pause() > 0, "the rescan is a stop-the-world pause");
}

#[test]
fn a_gigabyte_of_bytes_is_one_allocation_and_one_free() {
    use perf_workbook::measure::alloc;
    let size = if cfg!(miri) { 1 << 12 } else { 1 << 30 };
    let ((), c) = alloc::measure(|| drop(std::hint::black_box(vec![0u8; size])));
    assert_eq!((c.allocs, c.frees), (1, 1));
}

#[test]
fn the_marker_with_and_without_its_window_marks_the_same_objects() {
    for shape in [graphs::Shape::AllocationOrder, graphs::Shape::RandomOrder] {
        let mut a = graphs::shaped(5_000, shape, 3);
        let mut b = a.clone();
        let with = stw::mark(&mut a);
        let without = stw::mark_with_window(&mut b, 0);
        assert_eq!((with.marked, without.marked), (5_000, 5_000));
        assert_eq!(black_set(&a), black_set(&b));
        assert!(a.live_ids().all(|id| a.color(id) == Color::Black), "no gray left");
    }
}

#[test]
fn chains_over_a_shaped_heap_cover_it_and_count_their_loads() {
    use perf_workbook::mark_sweep::chase;
    let heap = graphs::shaped(1_600, graphs::Shape::RandomOrder, 5);
    let root = heap.roots().next().expect("a root");
    let starts = chase::chain_starts(&heap, root, 16);
    assert_eq!(starts.len(), 16);
    let distinct: std::collections::HashSet<_> = starts.iter().collect();
    assert_eq!(distinct.len(), 16, "16 different starting points");
    let starts: [ObjId; 16] = starts.try_into().expect("16");
    assert_eq!(chase::chase(&heap, &starts, 100), 1_600);
}

#[test]
fn a_paced_cycle_marks_in_budgeted_steps_and_frees_only_garbage() {
    use perf_workbook::mark_sweep::paced;
    let (heap, events) = mutator::mutator_workload(5_000, 10_000, 10_000);
    let ops = paced::ops_of(&events);
    assert_eq!(ops.len(), 10_000);
    let reachable_before = stw::reachable_set(&heap).iter().filter(|&&r| r).count();
    for barrier in Barrier::SOUND {
        let r = paced::paced_cycle(&heap, &ops, barrier, 200);
        let budgeted = r.steps.iter().filter(|s| !s.stop_the_world);
        assert!(
            budgeted.clone().count() > 1,
            "{}: marked in several steps",
            barrier.name
        );
        assert!(budgeted.clone().all(|s| s.work <= 200), "{}", barrier.name);
        assert!(r.mutator_ops > 0, "{}: the mutator ran between steps", barrier.name);
        // Garbage at the start stays garbage: the sweep frees at least it.
        assert!(
            r.freed >= heap.live_ids().count() - reachable_before,
            "{}",
            barrier.name
        );
    }
}
