//! Chapter 2's exercises: `cargo test --test struct_layout exercise`. To write
//! them yourself: `cargo test --test struct_layout --features starter`, then
//! edit tests/struct_layout/starter.rs until they pass.

#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use answer::{Reading, UserId, WorkerStats, is_single_cycle};
use perf_workbook::struct_layout::hierarchy::Chain;
use std::mem::{align_of, offset_of, size_of};
use std::sync::atomic::Ordering;

/// Exercise 1: the same five fields, still `repr(C)`, in 16 bytes instead of 32.
#[test]
fn exercise_1_reorder_to_16_bytes() {
    // As first declared (valid, timestamp_ns, channel, value, sequence) the
    // struct is 32 bytes, 16 of them padding. Largest alignment first: 16.
    let r = Reading::new(1, 2.5, 3, 4, true);
    assert_eq!(size_of::<Reading>(), 16, "still padded");
    assert_eq!(
        (r.timestamp_ns, r.value, r.sequence, r.channel, r.valid),
        (1, 2.5, 3, 4, true)
    );
}

/// Exercise 2: two counters written by two threads, 128 bytes apart.
#[test]
fn exercise_2_pad_the_counters() {
    let n = if cfg!(miri) { 100 } else { 1000 };
    let stats = WorkerStats::default();
    stats.note_sent();
    std::thread::scope(|s| {
        s.spawn(|| (1..n).for_each(|_| stats.note_sent()));
        s.spawn(|| (0..n).for_each(|_| stats.note_received()));
    });
    assert_eq!(stats.sent.load(Ordering::Relaxed), n);
    assert_eq!(stats.received.load(Ordering::Relaxed), n);
    let gap = offset_of!(WorkerStats, received).abs_diff(offset_of!(WorkerStats, sent));
    assert!(gap >= 128, "counters only {gap} bytes apart");
    assert!(align_of::<WorkerStats>() >= 128);
}

/// Exercise 3: is a successor table one cycle through every index?
#[test]
fn exercise_3_single_cycle() {
    assert!(is_single_cycle(&[0]));
    assert!(is_single_cycle(&[1, 2, 0]));
    assert!(is_single_cycle(&[2, 0, 1]));
    assert!(is_single_cycle(&Chain::random(500, 9).successors()));
    assert!(!is_single_cycle(&[]));
    assert!(!is_single_cycle(&[0, 1])); // two fixed points
    assert!(!is_single_cycle(&[1, 0, 3, 2])); // two 2-cycles
    assert!(!is_single_cycle(&[1, 2, 1])); // 0 → 1 → 2 → 1 …: never back to 0
    assert!(!is_single_cycle(&[1, 5])); // out of range
}

/// Exercise 4: an id whose `Option` costs nothing, by a documented guarantee.
#[test]
fn exercise_4_free_option() {
    assert_eq!(UserId::new(0), None);
    // `Option<u32>` is 8 bytes: every u32 is a valid id, so None needs a tag.
    assert_eq!(size_of::<Option<UserId>>(), 4);
    assert_eq!(size_of::<UserId>(), 4);
    assert_eq!(UserId::new(42).map(UserId::get), Some(42));
    assert_eq!(UserId::new(u32::MAX).map(UserId::get), Some(u32::MAX));
}
