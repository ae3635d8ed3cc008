//! "Use fixed-size object pools to avoid memory fragmentation" (seed 001
//! §6.1.1.9.2 L864-865).

use super::evidence;
use crate::allocator_tuning::Allocator;
use crate::allocator_tuning::churn::Pattern;
use crate::allocator_tuning::figures;
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::table::{format_bytes, format_ratio};

/// C001-41: what stays resident after 63 of 64 blocks are freed and the
/// allocator's reclaim call, with the survivors interleaved, clustered, or
/// in a fixed-size pool, on each allocator.
pub fn c001_41_pools(ctx: &Ctx) -> Result<Measured, CheckError> {
    let f = figures::fragmentation(ctx)?;
    let mut ev = evidence(
        ctx,
        "1 in 64 blocks alive, then each allocator's reclaim call; resident set above the \
         child's baseline",
    );
    let get = |a: Allocator, p: Pattern| {
        f.iter().find(|r| r.allocator == a && r.pattern == p).map(|r| r.retained)
    };
    let mut ratios = Vec::new();
    for a in Allocator::ALL {
        let (Some(i), Some(c), Some(p)) = (
            get(a, Pattern::OneIn64),
            get(a, Pattern::Clustered),
            get(a, Pattern::Pooled),
        ) else {
            return Err("a fragmentation run is missing".into());
        };
        ev.add(format!("{}: retained, interleaved", a.name()), i, Unit::Bytes);
        ev.add(format!("{}: retained, pooled", a.name()), p, Unit::Bytes);
        let ri = ev.add(
            format!("{}: interleaved ÷ pooled", a.name()),
            i / p.max(1.0),
            Unit::Ratio,
        );
        ev.add(format!("{}: clustered ÷ pooled", a.name()), c / p.max(1.0), Unit::Ratio);
        ratios.push(format!("{} {}", a.name(), format_ratio(ri)));
    }
    let live = f.first().map_or(0.0, |r| r.live);
    let summary = format!(
        "with {} of survivors interleaved among freed blocks, the pool keeps this much less \
         resident: {}; with the survivors allocated together, it saves nothing",
        format_bytes(live),
        ratios.join(", ")
    );
    Ok(Measured::new(ev, summary))
}

/// Holds only when survivors interleave with freed blocks: then the pool
/// saves resident memory, and with them clustered it does not.
pub const C001_41: Rule = Rule {
    says: "on glibc (Rust's default allocator): holds only when long- and short-lived \
           blocks interleave if the pool saves at least min_saving × with interleaved \
           survivors and less with clustered ones; confirmed if it saves that much both \
           ways; refuted if it does not save it with interleaved survivors",
    inputs: &["glibc: interleaved ÷ pooled", "glibc: clustered ÷ pooled"],
    thresholds: &[Threshold {
        name: "min_saving",
        value: 1.5,
        unit: Unit::Ratio,
        source: "convention: a pool that keeps a third less resident is worth its code",
    }],
    decide: |f| {
        let min = f.limit("min_saving");
        match (
            f.get("glibc: interleaved ÷ pooled") >= min,
            f.get("glibc: clustered ÷ pooled") >= min,
        ) {
            (false, _) => Verdict::Refuted,
            (true, true) => Verdict::Confirmed,
            (true, false) => f.holds_only_when(
                "long-lived blocks are allocated among short-lived ones (one in 64 here): \
                 then each pins a page the allocator cannot give back, and a pool that keeps \
                 them together saves the difference; how much depends on the allocator's \
                 page size (see the evidence)",
                "glibc: interleaved ÷ pooled",
                "glibc: clustered ÷ pooled",
            ),
        }
    },
    examples: &[
        example(
            &[("glibc: interleaved ÷ pooled", 3.3), ("glibc: clustered ÷ pooled", 1.1)],
            HoldsOnlyWhen,
        ),
        example(
            &[("glibc: interleaved ÷ pooled", 3.3), ("glibc: clustered ÷ pooled", 3.0)],
            Confirmed,
        ),
        example(
            &[("glibc: interleaved ÷ pooled", 1.1), ("glibc: clustered ÷ pooled", 1.0)],
            Refuted,
        ),
    ],
};
