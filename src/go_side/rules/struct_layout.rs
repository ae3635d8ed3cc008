//! Go rules for chapter 2, "Struct layout": sizes and offsets from Go's own
//! `unsafe.Sizeof` and `unsafe.Offsetof` (`go/struct_layout`), and what Go's
//! parser says of the seed's file shape.

use super::ONE_ERROR;
use crate::claims::{Outcome::*, Rule, Threshold, Unit, example};

/// C000-08: the reordered struct is better laid out (smaller).
pub const C000_08: Rule = Rule {
    says: "confirmed when OptimizedStruct is smaller than UnoptimizedStruct in Go; refuted \
           when it is not",
    inputs: &["OptimizedStruct size", "UnoptimizedStruct size"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get("OptimizedStruct size") < f.get("UnoptimizedStruct size"))
    },
    examples: &[
        example(
            &[("OptimizedStruct size", 56.0), ("UnoptimizedStruct size", 64.0)],
            Confirmed,
        ),
        example(
            &[("OptimizedStruct size", 64.0), ("UnoptimizedStruct size", 64.0)],
            Refuted,
        ),
    ],
};

/// D10: the "optimization" saves nothing.
pub const D10: Rule = Rule {
    says: "reproduced when OptimizedStruct is not smaller than UnoptimizedStruct in Go",
    inputs: &["OptimizedStruct size", "UnoptimizedStruct size"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get("OptimizedStruct size") >= f.get("UnoptimizedStruct size"))
    },
    examples: &[
        example(
            &[("OptimizedStruct size", 64.0), ("UnoptimizedStruct size", 64.0)],
            Confirmed,
        ),
        example(
            &[("OptimizedStruct size", 56.0), ("UnoptimizedStruct size", 64.0)],
            Refuted,
        ),
    ],
};

/// C000-09: "Active bool // 1 byte + 7 bytes padding" (seed 000 L223).
pub const C000_09: Rule = Rule {
    says: "confirmed when Go puts claimed_padding bytes of padding after Active; refuted \
           otherwise",
    inputs: &["Optimized: padding after Active"],
    thresholds: &[Threshold {
        name: "claimed_padding",
        value: 7.0,
        unit: Unit::Bytes,
        source: "the seed's comment: 1 byte + 7 bytes of padding (seed 000 §1.2.2, L223)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("Optimized: padding after Active") == f.limit("claimed_padding"),
        )
    },
    examples: &[
        example(&[("Optimized: padding after Active", 7.0)], Confirmed),
        example(&[("Optimized: padding after Active", 0.0)], Refuted),
    ],
};

/// C000-10: in UnoptimizedStruct, ID needs 7 bytes of padding (seed 000
/// L232).
pub const C000_10: Rule = Rule {
    says: "confirmed when Go puts claimed_padding bytes of padding before ID; refuted \
           otherwise",
    inputs: &["Unoptimized: padding after Active"],
    thresholds: &[Threshold {
        name: "claimed_padding",
        value: 7.0,
        unit: Unit::Bytes,
        source: "the seed's comment: 8 bytes, needs 7 bytes of padding (seed 000 §1.2.2, L232)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("Unoptimized: padding after Active") == f.limit("claimed_padding"),
        )
    },
    examples: &[
        example(&[("Unoptimized: padding after Active", 7.0)], Confirmed),
        example(&[("Unoptimized: padding after Active", 0.0)], Refuted),
    ],
};

/// C001-25: reordering {bool,int64,bool,int32} to {int64,int32,bool,bool}
/// shrinks the struct.
pub const C001_25: Rule = Rule {
    says: "confirmed when the reordered struct is smaller in Go; refuted when it is not",
    inputs: &["{int64,int32,bool,bool} size", "{bool,int64,bool,int32} size"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("{int64,int32,bool,bool} size") < f.get("{bool,int64,bool,int32} size"),
        )
    },
    examples: &[
        example(
            &[
                ("{int64,int32,bool,bool} size", 16.0),
                ("{bool,int64,bool,int32} size", 24.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("{int64,int32,bool,bool} size", 16.0),
                ("{bool,int64,bool,int32} size", 16.0),
            ],
            Refuted,
        ),
    ],
};

/// D11: the import comes after the declarations.
pub const D11: Rule = Rule {
    says: "reproduced when Go's parser rejects the file (at least one_error)",
    inputs: &["syntax errors"],
    thresholds: &[ONE_ERROR],
    decide: |f| f.confirmed_if(f.get("syntax errors") >= f.limit("one_error")),
    examples: &[
        example(&[("syntax errors", 1.0)], Confirmed),
        example(&[("syntax errors", 0.0)], Refuted),
    ],
};
