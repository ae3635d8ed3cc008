//! The layout claims: seed 000's "optimized" pair (C000-08, D10), its two
//! padding comments (C000-09, C000-10), and seed 001's reordering (C001-25).
//!
//! What is measured: `size_of` and the offsets of `memoffset::span_of!` of
//! this build, for each struct in `repr(C)` (Go's rule: declaration order,
//! natural alignment) and in the default representation (rustc's choice).
//! A comment about where Go's padding sits is judged on `repr(C)`; a claim
//! that reordering saves space is judged on both, because the default
//! representation reorders for you.

use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::struct_layout::figures;
use crate::struct_layout::seed_port::{self, Reordering, seed_001};
use crate::table::format_value;

const CONDITION: &str = "size_of/offset_of! of this build; repr(C) uses Go's layout \
                         rule (declaration order, natural alignment); the default repr \
                         is whatever this rustc chose";

/// The figure: bytes the reordering saves in `repr(C)`.
pub const SAVED_C: &str = "bytes saved by reordering, repr(C)";
/// The figure: bytes the reordering saves in the default representation.
pub const SAVED_RUST: &str = "bytes saved by reordering, default repr";

/// The four sizes of a pair and the bytes its reordering saves in each
/// representation. Public so a test can feed it another pair and watch the
/// verdict follow the sizes.
pub fn reordering_evidence(r: &Reordering, condition: &str) -> Evidence {
    let mut ev = Evidence::new(condition);
    for l in [&r.before_c, &r.after_c, &r.before_rust, &r.after_rust] {
        ev.add(format!("size_of {} ({})", l.name, l.repr), l.size as f64, Unit::Bytes);
    }
    ev.add(SAVED_C, r.saved_c() as f64, Unit::Bytes);
    ev.add(SAVED_RUST, r.saved_rust() as f64, Unit::Bytes);
    ev
}

fn sizes_line(r: &Reordering) -> String {
    format!(
        "repr(C) {} → {} B, default repr {} → {} B",
        r.before_c.size, r.after_c.size, r.before_rust.size, r.after_rust.size
    )
}

/// C000-08: `OptimizedStruct` is better laid out (smaller) than `UnoptimizedStruct`.
pub fn c000_08_optimized_is_smaller(_: &Ctx) -> Result<Measured, CheckError> {
    let r = seed_port::seed_000_pair();
    let mut ev = reordering_evidence(&r, CONDITION);
    let pad = ev.add(
        "padding in OptimizedC (repr(C))",
        r.after_c.padding_bytes() as f64,
        Unit::Bytes,
    );
    Ok(Measured::new(
        ev,
        format!(
            "UnoptimizedStruct → OptimizedStruct: {}; the {pad} padding bytes move \
             (to {:?} in repr(C))",
            sizes_line(&r),
            r.after_c.padding()
        ),
    ))
}

/// One byte saved is a saving: the claims name no amount.
const MIN_SAVED: Threshold = Threshold {
    name: "min_saved",
    value: 1.0,
    unit: Unit::Bytes,
    source: "the claims name no amount: one byte saved counts as smaller",
};

/// "Reordering shrinks the struct" (C000-08, C001-25): confirmed when it
/// saves bytes in both representations; holds only when the struct keeps its
/// declared order (repr(C), as Go does) if it saves only there; refuted
/// when it saves nothing in either.
pub const REORDERING_SHRINKS: Rule = Rule {
    says: "confirmed when reordering saves at least min_saved in repr(C) and in the \
           default repr; holds only when the struct is repr(C) (Go's rule) if it saves \
           only there; refuted when it saves less than min_saved in both",
    inputs: &[SAVED_C, SAVED_RUST],
    thresholds: &[MIN_SAVED],
    decide: |f| {
        let min = f.limit("min_saved");
        match (f.get(SAVED_C) >= min, f.get(SAVED_RUST) >= min) {
            (true, true) => Verdict::Confirmed,
            (false, false) => Verdict::Refuted,
            (true, false) => f.holds_only_when(
                "the struct keeps its declared order (repr(C), as in Go); under the \
                 default repr rustc already reorders the fields, so reordering by hand \
                 saves nothing",
                SAVED_C,
                SAVED_RUST,
            ),
            (false, true) => f.holds_only_when(
                "the struct uses Rust's default repr; in Go's layout (repr(C)) both \
                 orders are the same size",
                SAVED_RUST,
                SAVED_C,
            ),
        }
    },
    examples: &[
        example(&[(SAVED_C, 8.0), (SAVED_RUST, 8.0)], Confirmed),
        example(&[(SAVED_C, 0.0), (SAVED_RUST, 0.0)], Refuted),
        example(&[(SAVED_C, -8.0), (SAVED_RUST, 0.0)], Refuted),
        example(&[(SAVED_C, 8.0), (SAVED_RUST, 0.0)], HoldsOnlyWhen),
        example(&[(SAVED_C, 0.0), (SAVED_RUST, 1.0)], HoldsOnlyWhen),
    ],
};

/// D10: the "optimization" saves nothing, in either representation.
pub fn d10_saves_nothing(_: &Ctx) -> Result<Measured, CheckError> {
    let r = seed_port::seed_000_pair();
    let ev = reordering_evidence(&r, CONDITION);
    Ok(Measured::new(
        ev,
        format!(
            "the \"optimization\" saves {} B in Go's layout and {} B under the default \
             repr ({}); seed 001's pair (C001-25) is where reordering can pay",
            r.saved_c(),
            r.saved_rust(),
            sizes_line(&r)
        ),
    ))
}

/// D10 reproduces when the reordering saves less than `min_saved` in both
/// representations.
pub const D10: Rule = Rule {
    says: "reproduced when reordering saves less than min_saved in repr(C) and in the \
           default repr; not reproduced when it saves at least that in either",
    inputs: &[SAVED_C, SAVED_RUST],
    thresholds: &[MIN_SAVED],
    decide: |f| {
        let min = f.limit("min_saved");
        f.confirmed_if(f.get(SAVED_C) < min && f.get(SAVED_RUST) < min)
    },
    examples: &[
        example(&[(SAVED_C, 0.0), (SAVED_RUST, 0.0)], Confirmed),
        example(&[(SAVED_C, 8.0), (SAVED_RUST, 0.0)], Refuted),
        example(&[(SAVED_C, 0.0), (SAVED_RUST, 8.0)], Refuted),
    ],
};

const PAD_AFTER_ACTIVE: &str = "padding after active, OptimizedC (repr(C))";

/// C000-09: the comment says 7 bytes of padding follow `Active` in `OptimizedStruct`.
pub fn c000_09_padding_after_active(_: &Ctx) -> Result<Measured, CheckError> {
    let opt = seed_port::seed_000_pair().after_c;
    let mut ev = Evidence::new(CONDITION);
    ev.add("offset of active", opt.offset("active") as f64, Unit::Bytes);
    let name_at = ev.add("offset of name", opt.offset("name") as f64, Unit::Bytes);
    let after = ev.add(PAD_AFTER_ACTIVE, opt.padding_after("active") as f64, Unit::Bytes);
    let after_name =
        ev.add("padding after name", opt.padding_after("name") as f64, Unit::Bytes);
    let name_end = opt.field("name").map_or(0, |f| f.bytes.end);
    Ok(Measured::new(
        ev,
        format!(
            "`name` ([u8; 32], align 1) starts at offset {name_at}, so {after} bytes of \
             padding follow `active`; {after_name} padding bytes sit after `name` \
             ({name_end}..{})",
            name_end + after_name as usize
        ),
    ))
}

/// Seed 000's two padding comments both say 7 bytes.
const SEED_PADDING: Threshold = Threshold {
    name: "seed_padding",
    value: 7.0,
    unit: Unit::Bytes,
    source: "seed 000 §1.2.2, the comments at L223 and L232: 7 bytes of padding",
};

/// C000-09 is confirmed when exactly the comment's bytes follow `active`.
pub const C000_09: Rule = Rule {
    says: "confirmed when the padding right after `active` in repr(C) is seed_padding; \
           refuted otherwise",
    inputs: &[PAD_AFTER_ACTIVE],
    thresholds: &[SEED_PADDING],
    decide: |f| f.confirmed_if(f.get(PAD_AFTER_ACTIVE) == f.limit("seed_padding")),
    examples: &[
        example(&[(PAD_AFTER_ACTIVE, 7.0)], Confirmed),
        example(&[(PAD_AFTER_ACTIVE, 0.0)], Refuted),
        example(&[(PAD_AFTER_ACTIVE, 3.0)], Refuted),
    ],
};

const PAD_BEFORE_ID: &str = "padding before id, UnoptimizedC (repr(C))";

/// C000-10: the comment says `ID` needs 7 bytes of padding in `UnoptimizedStruct`.
pub fn c000_10_padding_before_id(_: &Ctx) -> Result<Measured, CheckError> {
    let r = seed_port::seed_000_pair();
    let mut ev = Evidence::new(CONDITION);
    let id_at =
        ev.add("offset of id (repr(C))", r.before_c.offset("id") as f64, Unit::Bytes);
    let before =
        ev.add(PAD_BEFORE_ID, r.before_c.padding_before("id") as f64, Unit::Bytes);
    let id_rust = ev.add(
        "offset of id (default repr)",
        r.before_rust.offset("id") as f64,
        Unit::Bytes,
    );
    let before_rust = ev.add(
        "padding before id (default repr)",
        r.before_rust.padding_before("id") as f64,
        Unit::Bytes,
    );
    Ok(Measured::new(
        ev,
        format!(
            "in Go's layout (repr(C)) `id` sits at offset {id_at} after {before} bytes of \
             padding; under the default repr rustc put `id` at {id_rust} with \
             {before_rust} bytes before it"
        ),
    ))
}

/// C000-10 is confirmed when exactly the comment's bytes precede `id`.
pub const C000_10: Rule = Rule {
    says: "confirmed when the padding right before `id` in repr(C) is seed_padding; \
           refuted otherwise",
    inputs: &[PAD_BEFORE_ID],
    thresholds: &[SEED_PADDING],
    decide: |f| f.confirmed_if(f.get(PAD_BEFORE_ID) == f.limit("seed_padding")),
    examples: &[
        example(&[(PAD_BEFORE_ID, 7.0)], Confirmed),
        example(&[(PAD_BEFORE_ID, 0.0)], Refuted),
    ],
};

/// C001-25: reordering `{bool, int64, bool, int32}` to `{int64, int32, bool,
/// bool}` shrinks the struct. Also counts what a `Vec` of 1,000 asks for.
pub fn c001_25_reordering_shrinks(ctx: &Ctx) -> Result<Measured, CheckError> {
    let r = seed_port::seed_001_pair();
    let mut ev = reordering_evidence(
        &r,
        &format!(
            "{CONDITION}; Vec::with_capacity({}) bytes from the counting allocator",
            seed_001::ELEMENTS
        ),
    );
    let [vec_before, vec_after] = figures::vec_bytes(ctx)?;
    ev.add("Vec of 1000 UnoptimizedC", vec_before as f64, Unit::Bytes);
    ev.add("Vec of 1000 OptimizedC", vec_after as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "{} ({} → {} B per {} in a Vec); rustc's order for both default-repr \
             declarations: {}",
            sizes_line(&r),
            format_value(vec_before as f64, Unit::Count),
            format_value(vec_after as f64, Unit::Count),
            seed_001::ELEMENTS,
            r.before_rust.memory_order().join(", ")
        ),
    ))
}
