//! C004-05: "the GC has to scan the large block" (seed 004 L23, one of its
//! reasons why `make([]byte, 1 GB)` takes 1595 ms).
//!
//! What is measured is the simulator, the analogue of Go's collector: the
//! marking time of a heap with a rooted 1 GiB block, once with the block
//! treated as pointer-free (never read, as Go treats a `[]byte`) and once
//! read word by word (what "having to scan it" costs at the least), each
//! against the heap alone (`figures::noscan`). The rule decides from those
//! two ratios; that Go's collector takes the first path is a fact of its
//! runtime, cited in the verdict's condition, not something measured here.

use super::super::figures;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::table::{format_bytes, format_nanos, format_ratio};

const NOSCAN: &str = "mark time, block not read / heap alone";
const SCANNED: &str = "mark time, block read word by word / heap alone";

/// C004-05: marks a heap of small objects alone, with a rooted pointer-free
/// block the marker does not read, and with the same block read word by
/// word; records Rust's drop of a 1 GiB `Vec<u8>` beside it.
pub fn c004_05_gc_scans_large_block(ctx: &Ctx) -> Result<Measured, CheckError> {
    let n = figures::noscan(ctx);
    let r = figures::rust(ctx)?;
    let mut ev = Evidence::new(format!(
        "simulator: a {}-object heap (allocation order, 2 references each) marked alone, \
         with one rooted {} block of random bytes not read (a noscan object, as Go \
         allocates a []byte), and with the block read word by word (each word tested as a \
         pointer into the heap); {} rounds interleaved, medians of this thread's CPU time. \
         Rust: drop of vec![0u8; {}] under the counting allocator",
        n.objects,
        format_bytes(n.block_bytes as f64),
        n.rounds,
        format_bytes(r.buffer_bytes as f64)
    ));
    ev.add("objects marked, heap alone", n.alone_marked as f64, Unit::Count);
    ev.add("objects marked, with the block", n.noscan.marked as f64, Unit::Count);
    ev.add("block words read, not read", n.noscan.words_read as f64, Unit::Count);
    ev.add(
        "block words read, read word by word",
        n.scanned.words_read as f64,
        Unit::Count,
    );
    ev.add("mark time, heap alone", n.alone_ns, Unit::Nanos);
    ev.add("mark time, block not read", n.noscan_ns, Unit::Nanos);
    ev.add("mark time, block read word by word", n.scanned_ns, Unit::Nanos);
    let noscan = ev.add(NOSCAN, n.noscan_ns / n.alone_ns, Unit::Ratio);
    let scanned = ev.add(SCANNED, n.scanned_ns / n.alone_ns, Unit::Ratio);
    ev.add("Rust vec![0u8; 1 GiB]: allocations", r.buffer.allocs as f64, Unit::Count);
    ev.add("Rust vec![0u8; 1 GiB]: frees", r.buffer.frees as f64, Unit::Count);
    ev.add(
        "needs_drop::<u8>() (drop glue visits elements)",
        f64::from(u8::from(std::mem::needs_drop::<u8>())),
        Unit::Bool,
    );
    Ok(Measured::new(
        ev,
        format!(
            "beside a {}-object heap ({} to mark), a {} block the marker does not read \
             costs {}; read word by word it costs {} ({} words); Rust frees a 1 GiB \
             Vec<u8> in {} call without looking at an element",
            n.objects,
            format_nanos(n.alone_ns),
            format_bytes(n.block_bytes as f64),
            format_ratio(noscan),
            format_ratio(scanned),
            n.scanned.words_read,
            r.buffer.frees
        ),
    ))
}

/// Confirmed when even the unread block slows marking by `min_slowdown`;
/// holds only when the collector reads pointer-free memory when only the
/// word-by-word scan does (both measured); refuted when neither does.
pub const C004_05: Rule = Rule {
    says: "confirmed when the block slows marking by min_slowdown even unread; holds only \
           when the collector reads pointer-free memory when only the word-by-word scan \
           reaches min_slowdown; refuted when neither does",
    inputs: &[NOSCAN, SCANNED],
    thresholds: &[Threshold {
        name: "min_slowdown",
        value: 1.3,
        unit: Unit::Ratio,
        source: "the chapter's bar for marking overhead: incremental marking may do at \
                 most 1.3× the work of stop-the-world (the incremental table's target)",
    }],
    decide: |f| {
        let min = f.limit("min_slowdown");
        if f.get(NOSCAN) >= min {
            Verdict::Confirmed
        } else if f.get(SCANNED) >= min {
            f.holds_only_when(
                "the collector reads pointer-free memory word by word. Go's does not: \
                 mallocgc gives an object whose type holds no pointers (a []byte) a noscan \
                 span, which the mark phase never reads (runtime/malloc.go)",
                SCANNED,
                NOSCAN,
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[(NOSCAN, 1.5), (SCANNED, 9.0)], Confirmed),
        example(&[(NOSCAN, 1.0), (SCANNED, 6.0)], HoldsOnlyWhen),
        example(&[(NOSCAN, 1.0), (SCANNED, 1.29)], Refuted),
    ],
};
