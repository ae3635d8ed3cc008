//! Checks for retention and release (seed 001 §6.1.1.9.2, seed 003 策略4)
//! and for values carried in a context (seed 003 策略7).
//!
//! A Go sub-slice is a view that shares its parent's backing array; its
//! analogue here is `bytes::Bytes::slice`, a view that shares its parent's
//! allocation, and the Go claims are judged on it. Rust's borrowed
//! `&data[..10]`, which cannot outlive `data`, is recorded as the Rust
//! analogue.

use super::super::figures::{self as fig, HEAD, MIB, head};
use crate::claims::Outcome::*;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::measure::alloc::AllocCounts;
use crate::table::format_bytes;

type Measure = Result<Measured, CheckError>;

const PARENT: Threshold = Threshold {
    name: "parent",
    value: MIB as f64,
    unit: Unit::Bytes,
    source: "the buffer the head is cut from: 1 MiB, seed 001 L853's large buffer \
             (seed 003 gives `data` no size)",
};

/// C001-39 (static): what `largeData = nil` does in Go is the collector's.
pub fn c001_39_go_nil() -> Verdict {
    Verdict::not_applicable(
        "in Go `largeData = nil` drops one reference, and the array is freed by a later \
         collection; when is the Go runtime's to measure (the Go side reads \
         runtime.ReadMemStats around it). Rust's `drop` is another mechanism, not a \
         measurement of Go's.",
        "`drop(x)`, or assigning a new value to x, frees at that line; for a block above \
         glibc's mmap threshold the pages leave the process there too",
    )
}

/// C001-39's analogue: bytes freed at the `drop` line, and RSS around it.
pub fn c001_39_analogue(ctx: &Ctx) -> Measure {
    let r = fig::retention(ctx)?;
    let mut ev = Evidence::new(
        "drop(vec) of 1 MiB (the seed's size) counted; RSS around the drop of a 1 MiB \
         buffer and of one above glibc's largest mmap threshold (32 MiB), every page \
         written",
    );
    ev.add("1 MiB: bytes freed at the drop line", r.drop_freed as f64, Unit::Bytes);
    let mut summary =
        format!("drop freed {} at its line", format_bytes(r.drop_freed as f64));
    for (size, before, after) in &r.rss {
        let label = format_bytes(*size as f64);
        ev.add(format!("{label}: RSS before drop"), *before as f64, Unit::Bytes);
        ev.add(format!("{label}: RSS after drop"), *after as f64, Unit::Bytes);
        let fell = before.saturating_sub(*after);
        ev.add(format!("{label}: RSS fall"), fell as f64, Unit::Bytes);
        summary.push_str(&format!(
            "; RSS fell by {} at the drop of {label}",
            format_bytes(fell as f64)
        ));
    }
    Ok(Measured::new(ev, summary))
}

fn live(ev: &mut Evidence, name: &str, bytes: i64) -> i64 {
    ev.add(name, bytes as f64, Unit::Bytes);
    bytes
}

/// C003-19: returning `data[:10]` keeps the whole backing array alive.
pub fn c003_19_view_pins(ctx: &Ctx) -> Measure {
    let r = fig::retention(ctx)?;
    let port = fig::port(ctx, "slice_outlives_data")?;
    let mut ev = Evidence::new(
        "1 MiB buffer, keep its first 10 bytes; live bytes while the head is alive",
    );
    let view = live(&mut ev, "Bytes::slice(..10): live bytes", r.live(head::VIEW));
    let kept =
        live(&mut ev, "Rust analogue, truncate(10): live bytes", r.live(head::TRUNCATE));
    ev.add(
        "Rust analogue: borrowed &data[..10] outliving data compiles",
        f64::from(port.compiled),
        Unit::Bool,
    );
    Ok(Measured::new(
        ev,
        format!(
            "a 10-byte view of 1 MiB keeps {view} B live; Rust's owned truncate keeps \
             {kept} B, and a borrow that outlives the buffer is rustc {}",
            port.describe()
        ),
    ))
}

/// A view that shares its parent pins all of it.
pub const C003_19: Rule = Rule {
    says: "judged on the analogue of a Go sub-slice, Bytes::slice (a view sharing its \
           parent's allocation): confirmed when the 10-byte view keeps at least the \
           parent's bytes live; refuted when it keeps less",
    inputs: &["Bytes::slice(..10): live bytes"],
    thresholds: &[PARENT],
    decide: |f| {
        f.confirmed_if(f.get("Bytes::slice(..10): live bytes") >= f.limit("parent"))
    },
    examples: &[
        example(&[("Bytes::slice(..10): live bytes", 1_048_600.0)], Confirmed),
        example(&[("Bytes::slice(..10): live bytes", 10.0)], Refuted),
    ],
};

/// C003-20: copying into a new 10-byte slice keeps only the needed data.
pub fn c003_20_copy_frees(ctx: &Ctx) -> Measure {
    let r = fig::retention(ctx)?;
    let mut ev = Evidence::new(
        "1 MiB buffer, keep its first 10 bytes; live bytes once the buffer is gone",
    );
    let copied = live(&mut ev, "data[..10].to_vec(): live bytes", r.live(head::COPY));
    let shrunk =
        live(&mut ev, "truncate + shrink_to_fit: live bytes", r.live(head::SHRINK));
    Ok(Measured::new(
        ev,
        format!("the copy leaves {copied} B live (shrink_to_fit: {shrunk} B)"),
    ))
}

/// The copy keeps the head's bytes and nothing more.
pub const C003_20: Rule = Rule {
    says: "confirmed when the copied head leaves at most head bytes live; refuted when \
           more stays allocated",
    inputs: &["data[..10].to_vec(): live bytes"],
    thresholds: &[Threshold {
        name: "head",
        value: HEAD as f64,
        unit: Unit::Bytes,
        source: "seed 003 L300: the 10 bytes kept",
    }],
    decide: |f| {
        f.confirmed_if(f.get("data[..10].to_vec(): live bytes") <= f.limit("head"))
    },
    examples: &[
        example(&[("data[..10].to_vec(): live bytes", 10.0)], Confirmed),
        example(&[("data[..10].to_vec(): live bytes", 1_048_576.0)], Refuted),
    ],
};

/// C003-21: `data[:10:10]` limits capacity and fixes the leak.
pub fn c003_21_capped_view(ctx: &Ctx) -> Measure {
    let r = fig::retention(ctx)?;
    let mut ev = Evidence::new(
        "the analogue of a capped sub-slice: Bytes::slice(..10) of 1 MiB (a view whose \
         length is its capacity), live bytes while it is alive",
    );
    let view = live(&mut ev, "Bytes::slice(..10): live bytes", r.live(head::VIEW));
    let copy =
        live(&mut ev, "Bytes::copy_from_slice: live bytes", r.live(head::BYTES_COPY));
    Ok(Measured::new(
        ev,
        format!(
            "a 10-byte view keeps {view} B live; only a copy frees the parent ({copy} B live)"
        ),
    ))
}

/// The capped view fixes the leak only if it pins less than its parent.
pub const C003_21: Rule = Rule {
    says: "judged on the analogue of a capped sub-slice, Bytes::slice: confirmed (the \
           leak is fixed) when the 10-byte view keeps less than the parent live; refuted \
           when it keeps the parent",
    inputs: &["Bytes::slice(..10): live bytes"],
    thresholds: &[PARENT],
    decide: |f| {
        f.confirmed_if(f.get("Bytes::slice(..10): live bytes") < f.limit("parent"))
    },
    examples: &[
        example(&[("Bytes::slice(..10): live bytes", 10.0)], Confirmed),
        example(&[("Bytes::slice(..10): live bytes", 1_048_600.0)], Refuted),
    ],
};

/// D54: the full slice expression as a fix for the slice leak.
pub fn d54_wrong_fix(ctx: &Ctx) -> Measure {
    let r = fig::retention(ctx)?;
    let mut ev = Evidence::new("Bytes::slice(..10) vs Bytes::copy_from_slice of 1 MiB");
    let view = live(&mut ev, "view: live bytes", r.live(head::VIEW));
    let copy = live(&mut ev, "copy: live bytes", r.live(head::BYTES_COPY));
    Ok(Measured::new(
        ev,
        format!("the capped view pins {view} B; the copy pins {copy} B"),
    ))
}

/// Reproduced when the "fix" still pins the parent and the copy does not.
pub const D54: Rule = Rule {
    says: "reproduced when the capped view still keeps the parent live while the copy \
           (the fix that works) does not; not reproduced otherwise",
    inputs: &["view: live bytes", "copy: live bytes"],
    thresholds: &[PARENT],
    decide: |f| {
        let parent = f.limit("parent");
        f.confirmed_if(
            f.get("view: live bytes") >= parent && f.get("copy: live bytes") < parent,
        )
    },
    examples: &[
        example(
            &[("view: live bytes", 1_048_600.0), ("copy: live bytes", 10.0)],
            Confirmed,
        ),
        example(&[("view: live bytes", 10.0), ("copy: live bytes", 10.0)], Refuted),
    ],
};

/// D46 (static): `declared and not used` is Go's compile error.
pub fn d46_go_unused() -> Verdict {
    Verdict::not_applicable(
        "`declared and not used` is a compile error of Go's compiler; rustc only warns \
         about unused variables, so only a Go toolchain can reproduce it (the Go side \
         builds the snippet). The other half, the \"explicit release\", is C001-39.",
        "the line-by-line port compiles with `unused_variables` and `unused_assignments` \
         warnings, and its `large_data = Vec::new()` frees the mebibyte at that line",
    )
}

/// D46's analogue: rustc on the port, and what its reassignment frees.
pub fn d46_analogue(ctx: &Ctx) -> Measure {
    let port = fig::port(ctx, "reassign_large")?;
    let r = fig::retention(ctx)?;
    let mut ev = Evidence::new(
        "the line-by-line port compiled with rustc; the reassignment counted",
    );
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    ev.add("warnings", port.warnings.len() as f64, Unit::Count);
    ev.add("bytes freed at the reassignment", r.reassign_freed as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "rustc: {}; the reassignment freed {} B at its line",
            port.describe(),
            r.reassign_freed
        ),
    ))
}

fn record(ev: &mut Evidence, label: &str, c: &AllocCounts) {
    ev.add(format!("{label}: allocations"), c.allocs as f64, Unit::Count);
    ev.add(format!("{label}: bytes requested"), c.bytes_requested as f64, Unit::Bytes);
}

/// C003-27: a large value in `context.WithValue` grows memory.
pub fn c003_27_big_value(ctx: &Ctx) -> Measure {
    let c = fig::contexts(ctx)?;
    let mut ev =
        Evidence::new("WithValue of the seed's 1,000,000-byte bigData, by value");
    record(&mut ev, "WithValue by value", &c.by_value);
    Ok(Measured::new(
        ev,
        format!("one WithValue of bigData requested {} B", c.by_value.bytes_requested),
    ))
}

/// Attaching the value by value allocates at least its size.
pub const C003_27: Rule = Rule {
    says: "confirmed when one WithValue of bigData by value requests at least big_data \
           bytes; refuted when it requests less",
    inputs: &["WithValue by value: bytes requested"],
    thresholds: &[Threshold {
        name: "big_data",
        value: super::super::context::BIG_DATA_BYTES as f64,
        unit: Unit::Bytes,
        source: "seed 003 L365-367: bigData is [1000000]byte",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("WithValue by value: bytes requested") >= f.limit("big_data"),
        )
    },
    examples: &[
        example(&[("WithValue by value: bytes requested", 1_000_064.0)], Confirmed),
        example(&[("WithValue by value: bytes requested", 72.0)], Refuted),
    ],
};

/// C003-28: store a pointer or an id instead, or use a dedicated store.
pub fn c003_28_pointer_or_id(ctx: &Ctx) -> Measure {
    let c = fig::contexts(ctx)?;
    let mut ev = Evidence::new("WithValue of Arc<bigData> and of an id; DataStore::get");
    record(&mut ev, "WithValue by value", &c.by_value);
    record(&mut ev, "WithValue of an Arc", &c.by_arc);
    record(&mut ev, "WithValue of an id", &c.by_id);
    ev.add("DataStore::get: allocations", c.store_get.allocs as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "WithValue by value requested {} B, an Arc {} B, an id {} B; DataStore::get \
             {} allocations",
            c.by_value.bytes_requested,
            c.by_arc.bytes_requested,
            c.by_id.bytes_requested,
            c.store_get.allocs
        ),
    ))
}

/// A pointer or an id costs a small fraction of the copy, and the store's
/// `get` allocates nothing.
pub const C003_28: Rule = Rule {
    says: "confirmed when WithValue of an Arc and of an id each request under \
           max_fraction of what WithValue by value requests, and DataStore::get \
           allocates nothing; refuted otherwise",
    inputs: &[
        "WithValue by value: bytes requested",
        "WithValue of an Arc: bytes requested",
        "WithValue of an id: bytes requested",
        "DataStore::get: allocations",
    ],
    thresholds: &[Threshold {
        name: "max_fraction",
        value: 0.01,
        unit: Unit::Fraction,
        source: "convention: a pointer or an id must cost a small fraction (a hundredth) \
                 of the value it stands for",
    }],
    decide: |f| {
        let cap = f.limit("max_fraction") * f.get("WithValue by value: bytes requested");
        f.confirmed_if(
            f.get("WithValue of an Arc: bytes requested") < cap
                && f.get("WithValue of an id: bytes requested") < cap
                && f.get("DataStore::get: allocations") == 0.0,
        )
    },
    examples: &[
        example(
            &[
                ("WithValue by value: bytes requested", 1_000_064.0),
                ("WithValue of an Arc: bytes requested", 72.0),
                ("WithValue of an id: bytes requested", 72.0),
                ("DataStore::get: allocations", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("WithValue by value: bytes requested", 1_000_064.0),
                ("WithValue of an Arc: bytes requested", 1_000_064.0),
                ("WithValue of an id: bytes requested", 72.0),
                ("DataStore::get: allocations", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D56: built-in string context keys collide.
pub fn d56_string_keys(ctx: &Ctx) -> Measure {
    let c = fig::contexts(ctx)?;
    let (strings, typed) = &c.users_reads;
    let mut ev = Evidence::new(
        "package users stores \"alice\" under \"data\", then package traces stores \
         \"trace-42\" under \"data\"; the same with key types",
    );
    ev.add(
        "string keys: users sees its own value",
        f64::from(strings == "alice"),
        Unit::Bool,
    );
    ev.add(
        "key types: users sees its own value",
        f64::from(typed == "alice"),
        Unit::Bool,
    );
    Ok(Measured::new(
        ev,
        format!(
            "with string keys package users reads {strings:?}, with key types {typed:?}"
        ),
    ))
}

/// Reproduced when string keys collide and key types do not.
pub const D56: Rule = Rule {
    says: "reproduced when, with string keys, package users reads another package's \
           value while with key types it reads its own; not reproduced otherwise",
    inputs: &[
        "string keys: users sees its own value",
        "key types: users sees its own value",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("string keys: users sees its own value") == 0.0
                && f.get("key types: users sees its own value") == 1.0,
        )
    },
    examples: &[
        example(
            &[
                ("string keys: users sees its own value", 0.0),
                ("key types: users sees its own value", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("string keys: users sees its own value", 1.0),
                ("key types: users sees its own value", 1.0),
            ],
            Refuted,
        ),
    ],
};
