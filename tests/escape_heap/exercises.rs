//! Chapter 3's exercises: `cargo test --test escape_heap exercise`. To write
//! them yourself: `cargo test --test escape_heap --features starter`, then edit
//! tests/escape_heap/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::escape_heap::{drop_list, growth as g, values as v};
use perf_workbook::measure::alloc::measure;
use perf_workbook::measure::child::{self, ChildMode};
use std::hint::black_box;
use std::time::Duration;

/// The buffer the head is cut from: 1 MiB (16 KiB under Miri).
const BIG: usize = if cfg!(miri) { 16 << 10 } else { 1 << 20 };

/// Exercise 1: join strings with a separator in exactly one allocation.
#[test]
fn exercise_1_join_with_one_allocation() {
    let owned = g::items(if cfg!(miri) { 20 } else { 1000 }, 7);
    let items = g::as_strs(&owned);
    for sep in ["", ", ", "—"] {
        let (s, c) = measure(|| answer::join_with_one_allocation(black_box(&items), sep));
        assert_eq!(s, items.join(sep));
        assert_eq!((c.allocs, c.reallocs), (1, 0), "sep {sep:?}: {c:?}");
    }
    let (s, c) = measure(|| answer::join_with_one_allocation(&[], ","));
    assert_eq!((s.as_str(), c.allocs), ("", 0));
}

/// Exercise 2: keep the first `n` bytes of a large buffer, and only them.
#[test]
fn exercise_2_keep_only_the_head() {
    for n in [0, 10, 4096] {
        let (head, c) = measure(|| answer::keep_head(black_box(vec![7u8; BIG]), n));
        assert_eq!(head, vec![7u8; n]);
        assert_eq!(c.live_bytes(), n as i64, "n = {n}: {c:?}");
    }
}

/// Drops a million-frame stack on a thread with a 1 MiB stack (run in a
/// child: an overflow aborts the process).
fn drop_a_million_frames_on_a_small_stack() {
    let top = v::on_thread_with_stack(drop_list::DROP_STACK, || {
        let stack = answer::Stack::with_len(drop_list::MILLION as u64);
        let top = stack.top();
        drop(stack);
        top
    });
    println!("dropped a stack whose top was {top:?}");
}

/// Exercise 3: a `Drop` that frees a million frames without recursing.
#[cfg_attr(miri, ignore = "spawns processes")]
#[test]
fn exercise_3_iterative_drop() {
    child::dispatch(&[ChildMode {
        name: "exercise_3",
        run: drop_a_million_frames_on_a_small_stack,
    }]);
    let o = child::run_test(
        "exercises::exercise_3_iterative_drop",
        "exercise_3",
        Duration::from_secs(120),
    )
    .unwrap();
    assert!(o.success(), "your Drop {}: {}", o.describe(), o.stderr);
    assert!(o.stdout.contains("top was Some(999999)"), "{o:?}");
    // A short stack drops without a child, and frees every frame.
    let (_, c) = measure(|| drop(answer::Stack::with_len(100)));
    assert_eq!((c.allocs, c.frees), (100, 100));
}
