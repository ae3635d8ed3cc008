//! Seed 001's garbage collector (§6.1.1.4.1, L205-249), ported faithfully to
//! the simulated heap, defects included: its `markObject` recurses, and
//! returns early only for **black** objects (L226). A gray object reached
//! again through a cycle is re-entered, forever (D32); a chain recurses once
//! per object, so its depth is limited by the thread's stack (C001-18).
//!
//! Not for use: this module exists to be shown failing. The crashing runs
//! happen in child processes ([`CHILD_MODES`]); the fix is
//! [`super::stw::mark`].

use super::graphs;
use super::heap::{Color, Heap, ObjId};
use crate::measure::child::ChildMode;

// ANCHOR: seed_mark
/// The seed's `mark` (L213-223): paint every object white, then mark from
/// each root.
pub fn seed_mark(heap: &mut Heap) {
    heap.whiten_all();
    let roots: Vec<ObjId> = heap.roots().collect();
    for root in roots {
        seed_mark_object(heap, root);
    }
}

/// The seed's `markObject` (L225-240), line for line: return if black, paint
/// gray, recurse into every child, paint black.
pub fn seed_mark_object(heap: &mut Heap, obj: ObjId) {
    if heap.color(obj) == Color::Black {
        return; // L226: a GRAY object falls through and is entered again
    }
    heap.set_color(obj, Color::Gray);
    for child in heap.fields(obj).into_iter().flatten() {
        seed_mark_object(heap, child); // L234-236: one stack frame per level
    }
    heap.set_color(obj, Color::Black);
}
// ANCHOR_END: seed_mark

/// The seed's `sweep` (L242-249): delete every white object. (The seed never
/// resets black objects; its `mark` whitens everything at the start instead.)
pub fn seed_sweep(heap: &mut Heap) -> usize {
    let white: Vec<ObjId> =
        heap.live_ids().filter(|&id| heap.color(id) == Color::White).collect();
    for &id in &white {
        heap.free_object(id);
    }
    white.len()
}

/// The call budget of [`seed_mark_counted`] ran out: the marker had not
/// finished after that many calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallBudgetExhausted {
    /// Calls made.
    pub calls: u64,
}

/// [`seed_mark`] with one addition: it counts calls to `markObject` and gives
/// up after `budget` of them, so a cycle can be watched in-process instead of
/// crashing it. A correct marker makes at most one call per root plus one per
/// edge; the seed's keeps going on a two-object cycle until the budget ends.
pub fn seed_mark_counted(
    heap: &mut Heap,
    budget: u64,
) -> Result<u64, CallBudgetExhausted> {
    fn go(heap: &mut Heap, obj: ObjId, calls: &mut u64, budget: u64) -> Result<(), ()> {
        *calls += 1;
        if *calls > budget {
            return Err(());
        }
        if heap.color(obj) == Color::Black {
            return Ok(());
        }
        heap.set_color(obj, Color::Gray);
        for child in heap.fields(obj).into_iter().flatten() {
            go(heap, child, calls, budget)?;
        }
        heap.set_color(obj, Color::Black);
        Ok(())
    }
    heap.whiten_all();
    let roots: Vec<ObjId> = heap.roots().collect();
    let mut calls = 0;
    for root in roots {
        // The counted twin recurses too; on a cycle it stops at `budget`
        // levels, so keep budgets small enough for the caller's stack.
        go(heap, root, &mut calls, budget).map_err(|()| CallBudgetExhausted { calls })?;
    }
    Ok(calls)
}

/// Runs `f` on a new thread whose stack is `stack_bytes` long and returns its
/// result. A stack overflow there aborts the whole process, as it would in Go.
pub fn on_stack<R: Send + 'static>(
    stack_bytes: usize,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    std::thread::Builder::new()
        .name(format!("stack-{}MiB", stack_bytes >> 20))
        .stack_size(stack_bytes)
        .spawn(f)
        .expect("spawning a marking thread")
        .join()
        .expect("the marking thread panicked")
}

/// The seed's recursive marker given enough stack for a long chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeedOnBigStack {
    /// Chain length.
    pub n: usize,
    /// Stack given to the thread.
    pub stack_bytes: usize,
    /// Objects black afterwards.
    pub black: usize,
    /// Stack pages first touched per level of recursion, × page size
    /// (Linux: from the thread's minor faults).
    pub stack_bytes_per_level: Option<f64>,
}

/// Runs [`seed_mark`] on an `n`-chain on a thread with `stack_bytes` of
/// stack (which must be enough, or the process aborts).
pub fn seed_on_big_stack(n: usize, stack_bytes: usize) -> SeedOnBigStack {
    let (black, faults) = on_stack(stack_bytes, move || {
        let mut heap = graphs::chain(n);
        let before = thread_faults();
        seed_mark(&mut heap);
        let faults = thread_faults().zip(before).map(|(a, b)| a - b);
        (heap.live_ids().filter(|&id| heap.color(id) == Color::Black).count(), faults)
    });
    let page = crate::measure::machine::page_size() as f64;
    SeedOnBigStack {
        n,
        stack_bytes,
        black,
        stack_bytes_per_level: faults.map(|f| f as f64 * page / n.max(1) as f64),
    }
}

#[cfg(target_os = "linux")]
fn thread_faults() -> Option<u64> {
    crate::measure::os::ThreadCounters::try_now().ok().map(|c| c.minor_faults)
}

#[cfg(not(target_os = "linux"))]
fn thread_faults() -> Option<u64> {
    None
}

/// The stack of a default Linux main thread (`ulimit -s` = 8 MiB). Child
/// modes use an explicit thread of this size so the result does not depend
/// on the reader's `ulimit`.
pub const MAIN_STACK: usize = 8 << 20;

/// Chain length of the "long chain" child: ten times what an 8 MiB stack held
/// in the research ledger's pre-check (100,000 levels passed).
pub const LONG_CHAIN: usize = 1_000_000;

fn run_seed_on(heap: Heap, stack: usize) {
    let marked = on_stack(stack, move || {
        let mut heap = heap;
        seed_mark(&mut heap);
        heap.live_ids().filter(|&id| heap.color(id) == Color::Black).count()
    });
    println!("seed marker finished: {marked} objects black");
}

fn child_cycle_main_stack() {
    run_seed_on(graphs::ring(2), MAIN_STACK);
}

fn child_cycle_big_stack() {
    run_seed_on(graphs::ring(2), 8 * MAIN_STACK);
}

fn child_self_loop() {
    run_seed_on(graphs::ring(1), MAIN_STACK);
}

fn child_long_chain() {
    run_seed_on(graphs::chain(LONG_CHAIN), MAIN_STACK);
}

/// Child-process modes: the seed's marker on a cycle (8 MiB and 64 MiB
/// stacks), on a self-loop, and on a 1,000,000-object chain (8 MiB stack).
pub const CHILD_MODES: &[ChildMode] = &[
    ChildMode { name: "mark_sweep::seed_cycle_8mib", run: child_cycle_main_stack },
    ChildMode { name: "mark_sweep::seed_cycle_64mib", run: child_cycle_big_stack },
    ChildMode { name: "mark_sweep::seed_self_loop_8mib", run: child_self_loop },
    ChildMode { name: "mark_sweep::seed_chain_1m_8mib", run: child_long_chain },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_marker_is_right_on_short_acyclic_graphs() {
        let mut h = graphs::chain(100);
        h.push_root(ObjId::from_index(50)); // a shared object: a DAG, not a cycle
        seed_mark(&mut h);
        assert!(h.live_ids().all(|id| h.color(id) == Color::Black));
        assert_eq!(seed_sweep(&mut h), 0);
    }

    #[test]
    fn on_a_cycle_the_counted_twin_exhausts_any_budget() {
        for budget in [100, 1_000] {
            let e = seed_mark_counted(&mut graphs::ring(2), budget).unwrap_err();
            assert_eq!(e.calls, budget + 1);
        }
        assert_eq!(seed_mark_counted(&mut graphs::chain(10), 1_000), Ok(10));
    }
}
