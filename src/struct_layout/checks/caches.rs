//! The cache claims of seed 001 §6.1.1.2.1: the memory hierarchy (C001-01)
//! and the two kinds of locality (C001-02), judged on the figures of
//! `figures.rs` (the example's `levels`, `locality` and `false-sharing`
//! tables show the same numbers).

use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::measure::machine::build_profile;
use crate::struct_layout::figures::{self, MIN_KEPT};
use crate::struct_layout::locality::BLOCK_LEN;
use crate::table::{format_bytes, format_nanos, format_value};

/// The four steps of the chain, slower level over faster.
const STEPS: [&str; 4] = ["L2 / L1d", "L3 / L2", "RAM / L3", "disk / RAM"];

/// C001-01: access latency L1 < L2 < L3 < RAM < disk.
pub fn c001_01_hierarchy(ctx: &Ctx) -> Result<Measured, CheckError> {
    let l = figures::levels(ctx);
    let c = &l.caches;
    let mut ev = Evidence::new(format!(
        "pointer chasing, one 64-byte line per step along a random single cycle, {} \
         steps × {} interleaved rounds, median thread CPU time; caches {} / {} / {} \
         ({}); disk: {} random 4 KiB O_DIRECT reads of a file in {}; {}",
        l.steps,
        l.rounds,
        format_bytes(c.l1d as f64),
        format_bytes(c.l2 as f64),
        format_bytes(c.l3 as f64),
        if c.from_sysfs { "sysfs" } else { "guessed" },
        l.disk_reads,
        std::env::temp_dir().display(),
        build_profile()
    ));
    let mut chain: Vec<(&str, f64)> = Vec::new();
    for (set, &ns) in l.sets.iter().zip(&l.ns) {
        ev.add(format!("{}: working set", set.level), set.bytes as f64, Unit::Bytes);
        ev.add(format!("{}: ns per load", set.level), ns, Unit::Nanos);
        chain.push((set.level, ns));
    }
    let disk_note = match &l.disk {
        Ok(ns) => {
            ev.add("disk: ns per 4 KiB read", *ns, Unit::Nanos);
            chain.push(("disk", *ns));
            String::new()
        }
        Err(e) => format!("; disk not measured ({e})"),
    };
    let mut line = format!("{} {}", chain[0].0, format_nanos(chain[0].1));
    for (w, name) in chain.windows(2).zip(STEPS) {
        let ratio = ev.add(name, w[1].1 / w[0].1, Unit::Ratio);
        line.push_str(&format!(
            " → {} {} ({})",
            w[1].0,
            format_nanos(w[1].1),
            format_value(ratio, Unit::Ratio)
        ));
    }
    Ok(Measured::new(ev, format!("per dependent load: {line}{disk_note}")))
}

/// C001-01: each level must be at least `min_step` times slower than the one
/// above it; the disk, when this machine lets us read past the page cache.
pub const C001_01: Rule = Rule {
    says: "confirmed when each step of the chain (L2/L1d, L3/L2, RAM/L3, disk/RAM) is at \
           least min_step; refuted when one is not; unverifiable when the caches are \
           ordered but the disk could not be read past the page cache",
    inputs: &STEPS,
    thresholds: &[Threshold {
        name: "min_step",
        value: 1.2,
        unit: Unit::Ratio,
        source: "a margin for noise on a shared machine: a level counts as slower when \
                 its median load takes at least 20% longer",
    }],
    decide: |f| {
        let min = f.limit("min_step");
        let caches = STEPS[..3].iter().all(|s| f.get(s) >= min);
        if !caches {
            Verdict::Refuted
        } else if f.has("disk / RAM") {
            f.confirmed_if(f.get("disk / RAM") >= min)
        } else {
            Verdict::unverifiable(
                "the temp directory refused O_DIRECT (tmpfs does), so no read reached the \
                 disk; the caches and RAM are ordered",
            )
        }
    },
    examples: &[
        example(
            &[
                ("L2 / L1d", 3.0),
                ("L3 / L2", 5.0),
                ("RAM / L3", 3.0),
                ("disk / RAM", 300.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("L2 / L1d", 3.0),
                ("L3 / L2", 1.1),
                ("RAM / L3", 3.0),
                ("disk / RAM", 300.0),
            ],
            Refuted,
        ),
        example(
            &[
                ("L2 / L1d", 3.0),
                ("L3 / L2", 5.0),
                ("RAM / L3", 3.0),
                ("disk / RAM", 1.0),
            ],
            Refuted,
        ),
        example(&[("L2 / L1d", 3.0), ("L3 / L2", 5.0), ("RAM / L3", 3.0)], Unverifiable),
    ],
};

const SPATIAL: &str = "column-major / row-major time";
const TEMPORAL: &str = "two passes / blocked passes time";

/// C001-02: temporal and spatial locality, and spatial locality's cost
/// (false sharing, reported beside the verdict, not deciding it).
pub fn c001_02_locality(ctx: &Ctx) -> Result<Measured, CheckError> {
    let l = figures::locality(ctx)?;
    let fs = figures::false_sharing(ctx);
    let mut ev = Evidence::new(format!(
        "{} interleaved rounds, ratios of median thread CPU times; {n}×{n} u32 matrix; \
         two passes (sum, xor) over {} of u64 vs the same per {} block; false sharing: \
         2 pinned threads, Relaxed fetch_add for {} ms per run, rounds kept only when \
         both threads ran together; {}",
        l.rounds,
        format_bytes(l.pass_bytes as f64),
        format_bytes((BLOCK_LEN * 8) as f64),
        fs.window.as_millis(),
        build_profile(),
        n = l.matrix_n,
    ));
    let (row, col) = l.lines_per_1024;
    ev.add("lines per 1,024 loads, row-major (model)", row as f64, Unit::Count);
    ev.add("lines per 1,024 loads, column-major (model)", col as f64, Unit::Count);
    let spatial = ev.add(SPATIAL, l.matrix.ratio(), Unit::Ratio);
    ev.add("AoS / SoA time", l.aos_soa.ratio(), Unit::Ratio);
    let temporal = ev.add(TEMPORAL, l.passes.ratio(), Unit::Ratio);
    let c = &fs.same_line;
    ev.add("false sharing: rounds kept", c.a.len() as f64, Unit::Count);
    ev.add("false sharing: rounds run", c.rounds as f64, Unit::Count);
    let fs_note = match c.ratio(MIN_KEPT) {
        Some(r) => {
            ev.add("same line / CachePadded time", r, Unit::Ratio);
            format!(
                "; the cost: two threads writing neighbours on one line took {} the time \
                 of CachePadded counters ({} of {} rounds concurrent)",
                format_value(r, Unit::Ratio),
                c.a.len(),
                c.rounds
            )
        }
        None => format!(
            "; false sharing not measured: the two threads ran together in {} of {} rounds",
            c.a.len(),
            c.rounds
        ),
    };
    Ok(Measured::new(
        ev,
        format!(
            "column-major sum {} the time of row-major ({row} vs {col} lines per 1,024 \
             loads); two whole passes {} the time of blocked ones{fs_note}",
            format_value(spatial, Unit::Ratio),
            format_value(temporal, Unit::Ratio),
        ),
    ))
}

/// C001-02: each kind of locality must pay at least its threshold.
pub const C001_02: Rule = Rule {
    says: "confirmed when the column-major sum takes at least min_spatial the time of \
           the row-major one and two whole passes at least min_temporal the time of \
           blocked passes; holds only when the one that pays is the kind of locality \
           used; refuted when neither pays",
    inputs: &[SPATIAL, TEMPORAL],
    thresholds: &[
        Threshold {
            name: "min_spatial",
            value: 2.0,
            unit: Unit::Ratio,
            source: "a convention: a 2× speed-up (the line model counts 16× fewer lines \
                     fetched row-major)",
        },
        Threshold {
            name: "min_temporal",
            value: 1.1,
            unit: Unit::Ratio,
            source: "a 10% gain: blocking saves the second of two trips to memory, so \
                     its ceiling is 2×",
        },
    ],
    decide: |f| {
        let spatial = f.get(SPATIAL) >= f.limit("min_spatial");
        let temporal = f.get(TEMPORAL) >= f.limit("min_temporal");
        match (spatial, temporal) {
            (true, true) => Verdict::Confirmed,
            (false, false) => Verdict::Refuted,
            (true, false) => f.holds_only_when(
                "the locality is spatial (neighbouring data); reusing a block while it \
                 is cached did not pay here",
                SPATIAL,
                TEMPORAL,
            ),
            (false, true) => f.holds_only_when(
                "the locality is temporal (reuse while cached); traversal order did not \
                 pay here",
                TEMPORAL,
                SPATIAL,
            ),
        }
    },
    examples: &[
        example(&[(SPATIAL, 20.0), (TEMPORAL, 1.25)], Confirmed),
        example(&[(SPATIAL, 1.0), (TEMPORAL, 1.0)], Refuted),
        example(&[(SPATIAL, 20.0), (TEMPORAL, 1.05)], HoldsOnlyWhen),
        example(&[(SPATIAL, 1.5), (TEMPORAL, 1.3)], HoldsOnlyWhen),
    ],
};
