//! When an explicit mapping is worth it (seed 004 L101-111, L289-315):
//! against `Vec` at the seed's sizes, for short-lived buffers, and for what
//! only a mapping can do.

use super::{MIN_SAVING, evidence, flag, nanos};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::mmap::figures::{self, MIB};
use crate::mmap::sizes::Strategy;
use crate::table::{format_bytes, format_nanos};

fn size(n: usize) -> String {
    format_bytes(n as f64)
}

/// Records allocation + first touch, `vec![0u8; n]` against `mmap`, at
/// every size of the size table above `above` bytes; returns the most page
/// faults and the most allocation time `mmap` saves at one size.
fn vec_against_mmap(
    ctx: &Ctx,
    above: usize,
    ev: &mut Evidence,
) -> Result<(f64, f64), CheckError> {
    let (mut faults_saved, mut time_saved) = (f64::MIN, f64::MIN);
    let sizes: Vec<usize> = {
        let mut s: Vec<usize> = figures::sizes(ctx)?.iter().map(|c| c.size).collect();
        s.dedup();
        s
    };
    for n in sizes.into_iter().filter(|&n| n > above) {
        let v = figures::cost(ctx, Strategy::VecZeroed, n)?;
        let m = figures::cost(ctx, Strategy::Mmap, n)?;
        let from = if v.own_mapping { "own mmap" } else { "heap" };
        let name = size(n);
        let (vf, mf) = (v.alloc_faults + v.touch_faults, m.alloc_faults + m.touch_faults);
        ev.add(
            format!("{name}: vec alloc+touch ({from})"),
            nanos(v.total()),
            Unit::Nanos,
        );
        ev.add(format!("{name}: mmap alloc+touch"), nanos(m.total()), Unit::Nanos);
        ev.add(format!("{name}: vec faults"), vf as f64, Unit::Count);
        ev.add(format!("{name}: mmap faults"), mf as f64, Unit::Count);
        faults_saved = faults_saved.max(vf as f64 - mf as f64);
        time_saved = time_saved.max(nanos(v.alloc) - nanos(m.alloc));
    }
    Ok((faults_saved, time_saved))
}

/// C004-15: `BufferPool.Alloc` sends sizes above 10 MB to mmap, an
/// "empirical" threshold (seed 004 L101-111). Does glibc already map a large
/// `Vec` on its own, and does an explicit mapping take fewer page faults at
/// any size of the size table?
pub fn c004_15_mmap_above_10_mb(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev =
        evidence(ctx, "allocation + first touch, vec![0u8; n] and mmap (size table)");
    let big: Vec<bool> = figures::sizes(ctx)?
        .iter()
        .filter(|c| c.strategy == Strategy::VecZeroed && c.size > 32 * MIB)
        .map(|c| c.own_mapping)
        .collect();
    let own = !big.is_empty() && big.iter().all(|&b| b);
    ev.add("vec![0u8; n] above 32 MiB is a mapping of its own", flag(own), Unit::Bool);
    let (saved, _) = vec_against_mmap(ctx, 0, &mut ev)?;
    ev.add("most page faults mmap saves at one size", saved, Unit::Count);
    let summary = format!(
        "glibc maps every vec![0u8; n] above 32 MiB on its own: {}; an explicit mmap saves \
         at most {saved:.0} page faults at any size",
        if own { "yes" } else { "no" }
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when glibc does not map large buffers itself, or an explicit
/// mapping saves page faults (the real work) somewhere.
pub const C004_15: Rule = Rule {
    says: "confirmed when glibc does not map a large vec![0u8; n] itself, or mmap saves \
           more than min_saving page faults at some size; refuted otherwise",
    inputs: &[
        "vec![0u8; n] above 32 MiB is a mapping of its own",
        "most page faults mmap saves at one size",
    ],
    thresholds: &[MIN_SAVING],
    decide: |f| {
        let own = f.get("vec![0u8; n] above 32 MiB is a mapping of its own") == 1.0;
        let saves =
            f.get("most page faults mmap saves at one size") > f.limit("min_saving");
        f.confirmed_if(!own || saves)
    },
    examples: &[
        example(
            &[
                ("vec![0u8; n] above 32 MiB is a mapping of its own", 1.0),
                ("most page faults mmap saves at one size", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("vec![0u8; n] above 32 MiB is a mapping of its own", 0.0),
                ("most page faults mmap saves at one size", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("vec![0u8; n] above 32 MiB is a mapping of its own", 1.0),
                ("most page faults mmap saves at one size", 16000.0),
            ],
            Confirmed,
        ),
    ],
};

/// C004-33: "use mmap for large, one-off, long-lived buffers" (seed 004
/// L289-294). A plain buffer: does mmap save page faults over `Vec` (size
/// table)? A feature only a mapping has: `MADV_DONTNEED` hands the pages back
/// and keeps the range (resident pages of that mapping, `mincore`).
pub fn c004_33_when_to_map(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(ctx, "size table; MADV_DONTNEED on a touched mapping");
    let (saved, _) = vec_against_mmap(ctx, 0, &mut ev)?;
    ev.add("most page faults mmap saves at one size", saved, Unit::Count);
    let d = figures::discard(ctx)?;
    let released = 1.0 - d.resident_after as f64 / d.resident_before.max(1) as f64;
    ev.add("MADV_DONTNEED: share of resident pages released", released, Unit::Fraction);
    ev.add(
        "MADV_DONTNEED: range still mapped and reading zero",
        flag(d.still_mapped && d.reads_zero),
        Unit::Bool,
    );
    let summary = format!(
        "a plain buffer: mmap saves at most {saved:.0} page faults over vec![0u8; n]; a \
         feature only a mapping has: MADV_DONTNEED released {:.0}% of a touched {} and kept \
         the range",
        released * 100.0,
        size(d.size)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when mmap saves work on a plain buffer; holds only when a
/// mapping feature is needed when it does not but the feature works.
pub const C004_33: Rule = Rule {
    says: "confirmed when mmap saves more than min_saving page faults on a plain buffer; \
           holds only when a mapping feature is needed when it does not and MADV_DONTNEED \
           released at least min_release of the pages and kept the range; refuted otherwise",
    inputs: &[
        "most page faults mmap saves at one size",
        "MADV_DONTNEED: share of resident pages released",
        "MADV_DONTNEED: range still mapped and reading zero",
    ],
    thresholds: &[
        MIN_SAVING,
        Threshold {
            name: "min_release",
            value: 0.9,
            unit: Unit::Fraction,
            source: "every page goes back; 10% slack",
        },
    ],
    decide: |f| {
        if f.get("most page faults mmap saves at one size") > f.limit("min_saving") {
            Verdict::Confirmed
        } else if f.get("MADV_DONTNEED: share of resident pages released")
            >= f.limit("min_release")
            && f.get("MADV_DONTNEED: range still mapped and reading zero") == 1.0
        {
            f.holds_only_when(
                "an mmap feature is needed (MADV_DONTNEED to hand pages back while keeping \
                 the range, huge pages, MAP_NORESERVE reservations, file or shared \
                 mappings); a plain large Vec is already an mmap and costs the same",
                "MADV_DONTNEED: share of resident pages released",
                "most page faults mmap saves at one size",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[("most page faults mmap saves at one size", 16000.0)], Confirmed),
        example(
            &[
                ("most page faults mmap saves at one size", 1.0),
                ("MADV_DONTNEED: share of resident pages released", 1.0),
                ("MADV_DONTNEED: range still mapped and reading zero", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("most page faults mmap saves at one size", 1.0),
                ("MADV_DONTNEED: share of resident pages released", 0.0),
                ("MADV_DONTNEED: range still mapped and reading zero", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-34: "no mmap for small buffers or frequent alloc/free" (seed 004
/// L296-299). 1 MiB allocated, touched and freed over and over: a fresh
/// mapping each time against `vec![0u8; n]`, which glibc serves from the
/// same chunk after the first free.
pub fn c004_34_short_lived(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::churn(ctx)?;
    let pages = (c.size / crate::measure::machine::page_size() as usize) as f64;
    let mut ev = evidence(
        ctx,
        &format!(
            "{} cycles of allocate {} → touch every page → free",
            c.cycles,
            size(c.size)
        ),
    );
    ev.add("fresh mapping: faults per cycle per page", c.mmap.0 / pages, Unit::Fraction);
    ev.add("reused Vec: faults per cycle per page", c.vec.0 / pages, Unit::Fraction);
    ev.add("fresh mapping: time per cycle", c.mmap.1, Unit::Nanos);
    ev.add("reused Vec: time per cycle", c.vec.1, Unit::Nanos);
    ev.add("fresh mapping time / reused Vec time", c.mmap.1 / c.vec.1, Unit::Ratio);
    let summary = format!(
        "1 MiB churn: a fresh mapping faults {:.0} times per cycle, the reused Vec {:.1}; {} \
         against {} per cycle",
        c.mmap.0,
        c.vec.0,
        format_nanos(c.mmap.1),
        format_nanos(c.vec.1)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when a fresh mapping faults its pages in every cycle while the
/// reused `Vec` does not.
pub const C004_34: Rule = Rule {
    says: "confirmed when a fresh mapping faults at least refault_min of its pages per \
           cycle and the reused Vec under reuse_max; refuted otherwise",
    inputs: &[
        "fresh mapping: faults per cycle per page",
        "reused Vec: faults per cycle per page",
    ],
    thresholds: &[
        Threshold {
            name: "refault_min",
            value: 0.5,
            unit: Unit::Fraction,
            source: "a fresh mapping faults every page it touches (half, for slack)",
        },
        Threshold {
            name: "reuse_max",
            value: 0.0625,
            unit: Unit::Fraction,
            source: "a reused chunk is resident: a sixteenth of the pages, for slack",
        },
    ],
    decide: |f| {
        f.confirmed_if(
            f.get("fresh mapping: faults per cycle per page") >= f.limit("refault_min")
                && f.get("reused Vec: faults per cycle per page") < f.limit("reuse_max"),
        )
    },
    examples: &[
        example(
            &[
                ("fresh mapping: faults per cycle per page", 1.0),
                ("reused Vec: faults per cycle per page", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("fresh mapping: faults per cycle per page", 1.0),
                ("reused Vec: faults per cycle per page", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-35: "threshold 10 MB: above it mmap clearly wins" (seed 004
/// L301-315). Above 10 MiB in the size table: the most allocation time and
/// the most page faults mmap saves over `vec![0u8; n]`.
pub fn c004_35_threshold(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(ctx, "sizes above 10 MiB in the size table");
    let (faults, time) = vec_against_mmap(ctx, 10 * MIB, &mut ev)?;
    ev.add("most allocation time mmap saves above 10 MB", time, Unit::Nanos);
    ev.add("most page faults mmap saves above 10 MB", faults, Unit::Count);
    let summary = format!(
        "above 10 MiB mmap saves at most {} of allocation time and {faults:.0} page faults",
        format_nanos(time.max(0.0))
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when mmap saves a millisecond of allocation, or page faults.
pub const C004_35: Rule = Rule {
    says: "confirmed when, above 10 MB, mmap saves at least clear_win of allocation time or \
           more than min_saving page faults at some size; refuted otherwise",
    inputs: &[
        "most allocation time mmap saves above 10 MB",
        "most page faults mmap saves above 10 MB",
    ],
    thresholds: &[
        Threshold {
            name: "clear_win",
            value: 1e6,
            unit: Unit::Nanos,
            source: "the seed's table shows 27 ms → 0 ms at 50 MB: a clear win is a \
                     millisecond at least",
        },
        MIN_SAVING,
    ],
    decide: |f| {
        f.confirmed_if(
            f.get("most allocation time mmap saves above 10 MB") >= f.limit("clear_win")
                || f.get("most page faults mmap saves above 10 MB")
                    > f.limit("min_saving"),
        )
    },
    examples: &[
        example(
            &[
                ("most allocation time mmap saves above 10 MB", 3e3),
                ("most page faults mmap saves above 10 MB", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("most allocation time mmap saves above 10 MB", 2.6e7),
                ("most page faults mmap saves above 10 MB", 0.0),
            ],
            Confirmed,
        ),
    ],
};
