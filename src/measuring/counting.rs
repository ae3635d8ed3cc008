//! Counts instead of times: a small workload whose allocations per operation
//! and bytes per operation the counting allocator reports exactly, the same
//! on every run and every machine with the same allocator and compiler.
//!
//! The workload renders one record as a line of JSON-like text, two ways:
//! [`render_naive`] builds it with `format!` and `+` (a fresh `String` per
//! piece), [`render_into`] writes it into a buffer the caller reuses. This
//! is the Rust side of seed 003's `-benchmem` figures (B/op, allocs/op) and
//! of its checklist (preallocate, use a builder, release on time).
//!
//! Not here: timing (the two `*_loop` functions are timed by
//! [`super::figures`]). Every figure this module returns is a count.

use crate::measure::alloc::{self, AllocCounts};
use std::fmt::Write as _;
use std::hint::black_box;

/// One record to render.
#[derive(Clone, Debug)]
pub struct Record {
    /// Identifier.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Labels.
    pub tags: Vec<String>,
}

impl Record {
    /// A record with `tags` labels, as the tests and checks use it.
    pub fn sample(id: u64, tags: usize) -> Self {
        Self {
            id,
            name: format!("user-{id}"),
            tags: (0..tags).map(|i| format!("tag{i}")).collect(),
        }
    }
}

/// Eight records, all rendering to lines of the same length: the workload
/// of every count and comparison in this chapter.
pub fn sample_records() -> Vec<Record> {
    (100..108).map(|id| Record::sample(id, 3)).collect()
}

// ANCHOR: render
/// One `String` per piece: every `format!` allocates a temporary, and
/// appending it may grow `line` (amortised: `+=` on a `String` reuses it).
pub fn render_naive(r: &Record) -> String {
    let mut line = format!("{{\"id\":{}", r.id);
    line += &format!(",\"name\":\"{}\"", r.name);
    line += ",\"tags\":[";
    for (i, tag) in r.tags.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        line += &format!("{sep}\"{tag}\"");
    }
    line + "]}"
}

/// The same line written into `out`, which the caller clears and reuses:
/// once `out` has grown to the longest line, no allocation at all.
pub fn render_into(out: &mut String, r: &Record) {
    out.clear();
    // Writing to a String cannot fail.
    let _ = write!(out, "{{\"id\":{},\"name\":\"{}\",\"tags\":[", r.id, r.name);
    for (i, tag) in r.tags.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, "{sep}\"{tag}\"");
    }
    out.push_str("]}");
}
// ANCHOR_END: render

/// `iters` naive renders of [`sample_records`], each line kept alive with
/// `black_box`: the "old" code of the chapter's timing comparison.
#[inline(never)]
pub fn render_naive_loop(iters: u64) {
    let records = sample_records();
    for i in 0..iters {
        drop(black_box(render_naive(black_box(&records[i as usize % records.len()]))));
    }
}

/// `iters` renders of [`sample_records`] into one reused buffer: the "new"
/// code of the chapter's timing comparison.
#[inline(never)]
pub fn render_into_loop(iters: u64) {
    let records = sample_records();
    let mut out = String::with_capacity(64);
    for i in 0..iters {
        render_into(&mut out, black_box(&records[i as usize % records.len()]));
        black_box(&out);
    }
}

/// Allocator traffic per operation, averaged over a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerOp {
    /// Operations counted.
    pub ops: u64,
    /// Calls to `alloc`/`alloc_zeroed`/`realloc` per operation.
    pub allocs: f64,
    /// Bytes requested per operation.
    pub bytes: f64,
    /// Bytes still live after the run (0 means nothing leaked).
    pub live_after: i64,
}

impl PerOp {
    fn from(c: AllocCounts, ops: u64) -> Self {
        Self {
            ops,
            allocs: c.calls() as f64 / ops as f64,
            bytes: c.bytes_requested as f64 / ops as f64,
            live_after: c.live_bytes(),
        }
    }
}

// ANCHOR: per_op
/// `-benchmem` in Rust: renders `ops` records the naive way and returns the
/// allocations and bytes per render. Needs the counting allocator.
pub fn naive_per_op(records: &[Record], ops: u64) -> PerOp {
    let ((), c) = alloc::measure(|| {
        for i in 0..ops {
            let line = render_naive(&records[i as usize % records.len()]);
            drop(black_box(line));
        }
    });
    PerOp::from(c, ops)
}
// ANCHOR_END: per_op

/// [`naive_per_op`] for [`render_into`] with one reused buffer; the buffer is
/// created and warmed before counting starts, and dropped after.
pub fn reused_per_op(records: &[Record], ops: u64) -> PerOp {
    let mut out = String::new();
    for r in records {
        render_into(&mut out, r);
    }
    let ((), c) = alloc::measure(|| {
        for i in 0..ops {
            render_into(&mut out, &records[i as usize % records.len()]);
            black_box(&out);
        }
    });
    PerOp::from(c, ops)
}

/// One item of seed 003's checklist (最佳实践1, L391-401), as a count: the
/// allocator calls of the discouraged form and of the recommended one.
#[derive(Clone, Debug, PartialEq)]
pub struct ChecklistItem {
    /// The checklist line (translated).
    pub item: &'static str,
    /// What was counted.
    pub counted: &'static str,
    /// Allocator calls (or live bytes) of the discouraged form.
    pub discouraged: u64,
    /// The same for the recommended form.
    pub recommended: u64,
}

/// Counts four checklist items. Needs the counting allocator.
pub fn checklist() -> Vec<ChecklistItem> {
    const N: usize = 1000;
    let ((), grow) = alloc::measure(|| {
        let mut v = Vec::new();
        for i in 0..N as u64 {
            v.push(i);
        }
        drop(black_box(v));
    });
    let ((), pre) = alloc::measure(|| {
        let mut v = Vec::with_capacity(N);
        for i in 0..N as u64 {
            v.push(i);
        }
        drop(black_box(v));
    });
    let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
    let ((), concat) = alloc::measure(|| {
        let mut s = String::new();
        for w in &words {
            s = format!("{s}{w} ");
        }
        drop(black_box(s));
    });
    let ((), builder) = alloc::measure(|| {
        let mut s = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
        for w in &words {
            s.push_str(w);
            s.push(' ');
        }
        drop(black_box(s));
    });
    // Bytes live while later work runs: a large buffer kept to the end of
    // its scope, or dropped as soon as it is no longer needed.
    let live_during_later_work = |release_early: bool| {
        let scope = alloc::AllocScope::start();
        let big = black_box(vec![1u8; 1 << 20]);
        let kept = if release_early {
            drop(big);
            None
        } else {
            Some(big)
        };
        let live = scope.counts().live_bytes().max(0) as u64; // the later work
        drop(kept);
        live
    };
    let (held, released) = (live_during_later_work(false), live_during_later_work(true));
    let ((), boxed) = alloc::measure(|| {
        let p = Box::new([0u64; 4]);
        drop(black_box(p));
    });
    let ((), on_stack) = alloc::measure(|| {
        let p = [0u64; 4];
        black_box(&p);
    });
    vec![
        ChecklistItem {
            item: "preallocate slices",
            counted: "allocator calls, 1000 pushes",
            discouraged: grow.calls(),
            recommended: pre.calls(),
        },
        ChecklistItem {
            item: "build strings with a builder",
            counted: "allocator calls, 100 pieces",
            discouraged: concat.calls(),
            recommended: builder.calls(),
        },
        ChecklistItem {
            item: "release large objects promptly",
            counted: "bytes live while later work runs",
            discouraged: held,
            recommended: released,
        },
        ChecklistItem {
            item: "no unnecessary escapes",
            counted: "allocator calls, one 32-byte value",
            discouraged: boxed.calls(),
            recommended: on_stack.calls(),
        },
    ]
}

/// Allocates 1 MiB and 2 MiB, frees the first, allocates 4 MiB: the peak
/// is 2 + 4 = 6 MiB by construction. Returns (expected, counted) peak bytes.
pub fn scripted_peak() -> (u64, u64) {
    let ((), c) = alloc::measure(|| {
        let a = black_box(vec![1u8; 1 << 20]);
        let b = black_box(vec![1u8; 2 << 20]);
        drop(a);
        let d = black_box(vec![1u8; 4 << 20]);
        drop(b);
        drop(d);
    });
    (6 << 20, c.peak_live_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_renderers_write_the_same_line() {
        let r = Record::sample(7, 3);
        let mut out = String::new();
        render_into(&mut out, &r);
        assert_eq!(render_naive(&r), out);
        assert_eq!(out, r#"{"id":7,"name":"user-7","tags":["tag0","tag1","tag2"]}"#);
    }

    #[test]
    fn the_reused_buffer_allocates_nothing() {
        let records: Vec<_> = (0..4).map(|i| Record::sample(i, 3)).collect();
        let reused = reused_per_op(&records, 100);
        assert_eq!((reused.allocs, reused.bytes, reused.live_after), (0.0, 0.0, 0));
        let naive = naive_per_op(&records, 100);
        assert!(naive.allocs >= 5.0, "{naive:?}");
        assert_eq!(naive.live_after, 0);
    }

    #[test]
    fn the_scripted_peak_is_exact() {
        let (expected, counted) = scripted_peak();
        assert_eq!(counted, expected);
    }

    #[test]
    fn every_checklist_item_saves_something() {
        for item in checklist() {
            assert!(item.recommended < item.discouraged, "{item:?}");
        }
    }
}
