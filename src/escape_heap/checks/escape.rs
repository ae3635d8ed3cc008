//! Checks for seed 001 §6.1.1.2.2-§6.1.1.3 (allocation, memory layout,
//! escape analysis) and seed 003 §3 (`-gcflags=-m`).
//!
//! Go's escape rules are decided by Go's compiler; where a claim states one
//! (C001-06 … C001-10, C003-07, D29) the check is static, not applicable to
//! Rust, and measures the Rust analogue: the Go side measures Go's own
//! decisions (`go build -gcflags=-m`). Where a claim is about what an
//! allocation is, or what a value costs, the Rust analogue is measured and
//! judged as the analogue.

use super::super::figures as fig;
use crate::claims::Outcome::*;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};

type Measure = Result<Measured, CheckError>;

fn allocs(ev: &mut Evidence, name: &str, c: &crate::measure::alloc::AllocCounts) -> u64 {
    ev.add(name, c.allocs as f64, Unit::Count);
    c.allocs
}

/// C001-03: allocation maps (size, type) to addresses.
pub fn c001_03_alignment(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new(
        "std::alloc::alloc through the global allocator; sizes 1, 24, 1000 B; \
         alignments 1 B to 4 KiB",
    );
    ev.add("layouts allocated", e.layouts_tried as f64, Unit::Count);
    ev.add("addresses aligned as asked", e.layouts_aligned as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{} of {} allocations came back aligned; Rust's interface takes a size and \
             an alignment (`Layout`), not a type",
            e.layouts_aligned, e.layouts_tried
        ),
    ))
}

/// Confirmed when every allocation is aligned as its `Layout` asked.
pub const C001_03: Rule = Rule {
    says: "confirmed when every allocation comes back at an address aligned as its \
           Layout (size and alignment) asked; refuted when one does not",
    inputs: &["layouts allocated", "addresses aligned as asked"],
    thresholds: &[],
    decide: |f| {
        let tried = f.get("layouts allocated");
        f.confirmed_if(tried > 0.0 && f.get("addresses aligned as asked") == tried)
    },
    examples: &[
        example(
            &[("layouts allocated", 39.0), ("addresses aligned as asked", 39.0)],
            Confirmed,
        ),
        example(
            &[("layouts allocated", 39.0), ("addresses aligned as asked", 38.0)],
            Refuted,
        ),
    ],
};

/// C001-04: `stackVar := 42` is on the stack.
pub fn c001_04_local(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("`let stack_var = 42` in an #[inline(never)] function");
    let a = allocs(&mut ev, "let stack_var = 42: allocations", &e.stack_value);
    Ok(Measured::new(ev, format!("a local i64 made {a} heap allocations")))
}

/// A local that allocates nothing lives in the frame (or a register).
pub const C001_04: Rule = Rule {
    says: "judged on the Rust analogue, `let x = 42`: confirmed when it makes no heap \
           allocation, refuted when it makes one",
    inputs: &["let stack_var = 42: allocations"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("let stack_var = 42: allocations") == 0.0),
    examples: &[
        example(&[("let stack_var = 42: allocations", 0.0)], Confirmed),
        example(&[("let stack_var = 42: allocations", 1.0)], Refuted),
    ],
};

/// C001-05: `new(int)` is a heap allocation.
pub fn c001_05_box(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let el = fig::elision(ctx)?;
    let mut ev = Evidence::new(format!(
        "Box::new(100i64) returned, Box::new(()), and an unused Box timed against one \
         passed through black_box (median of interleaved batches); {} build",
        crate::measure::machine::build_profile()
    ));
    let boxed = allocs(&mut ev, "Box<i64>: allocations", &e.boxed_value);
    let unit = allocs(&mut ev, "Box<()>: allocations", &e.boxed_unit);
    ev.add("unused Box<i64>: allocations counted", el.unused_counted as f64, Unit::Count);
    ev.add("unused Box: time per call", el.unused_ns, Unit::Nanos);
    ev.add("black_box(Box): time per call", el.opaque_ns, Unit::Nanos);
    let ratio = ev.add("black_box / unused", el.opaque_ns / el.unused_ns, Unit::Ratio);
    Ok(Measured::new(
        ev,
        format!(
            "Box<i64> {boxed} allocation, Box<()> {unit}; an unused Box {} vs a used one \
             {} per call ({})",
            crate::table::format_nanos(el.unused_ns),
            crate::table::format_nanos(el.opaque_ns),
            crate::table::format_ratio(ratio)
        ),
    ))
}

/// `Box::new`, Rust's `new(int)`, allocates unless `T` is zero-sized or LLVM
/// deleted the unused allocation.
pub const C001_05: Rule = Rule {
    says: "judged on the Rust analogue, `Box::new`: refuted when Box<i64> does not \
           allocate; confirmed when even Box<()> does; otherwise holds only when T is \
           not zero-sized, and also only when the Box is used if the unused one runs at \
           least elided_ratio times faster than one passed through black_box",
    inputs: &[
        "Box<i64>: allocations",
        "Box<()>: allocations",
        "black_box / unused",
        "black_box(Box): time per call",
        "unused Box: time per call",
    ],
    thresholds: &[Threshold {
        name: "elided_ratio",
        value: 2.0,
        unit: Unit::Ratio,
        source: "malloc + free costs several times a bare call (the ledger's pre-check: \
                 2.7 ns unused against 21 ns with black_box); under 2× nothing was deleted",
    }],
    decide: |f| {
        if f.get("Box<i64>: allocations") < 1.0 {
            Verdict::Refuted
        } else if f.get("Box<()>: allocations") >= 1.0 {
            Verdict::Confirmed
        } else if f.get("black_box / unused") >= f.limit("elided_ratio") {
            f.holds_only_when(
                "T is not zero-sized and the Box is used: LLVM deleted the malloc and \
                 free of an unused Box (the Rust analogue; in Go, escape analysis keeps a \
                 new(int) that does not escape on the stack)",
                "black_box(Box): time per call",
                "unused Box: time per call",
            )
        } else {
            f.holds_only_when(
                "T is not zero-sized (the Rust analogue; in Go, escape analysis keeps a \
                 new(int) that does not escape on the stack)",
                "Box<i64>: allocations",
                "Box<()>: allocations",
            )
        }
    },
    examples: &[
        example(&[("Box<i64>: allocations", 0.0)], Refuted),
        example(
            &[("Box<i64>: allocations", 1.0), ("Box<()>: allocations", 1.0)],
            Confirmed,
        ),
        example(
            &[
                ("Box<i64>: allocations", 1.0),
                ("Box<()>: allocations", 0.0),
                ("black_box / unused", 5.0),
                ("black_box(Box): time per call", 14.0),
                ("unused Box: time per call", 2.8),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("Box<i64>: allocations", 1.0),
                ("Box<()>: allocations", 0.0),
                ("black_box / unused", 1.1),
            ],
            HoldsOnlyWhen,
        ),
    ],
};

/// C001-06 (static): what Go does with `make([]int, 1000)` is its escape analysis.
pub fn c001_06_go_escape_analysis() -> Verdict {
    Verdict::not_applicable(
        "Go's compiler decides by escape analysis (a constant-size `make` that does not \
         escape stays on Go's stack); Rust has no such decision, so no Rust measurement \
         can decide it (the Go side reads `-gcflags=-m`).",
        "the type decides: `vec![1i64; 1000]` allocates, the array `[1i64; 1000]` does not",
    )
}

/// C001-06's analogue: a `Vec` against an array.
pub fn c001_06_analogue(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("vec![1i64; 1000] vs [1i64; 1000]");
    let v = allocs(&mut ev, "vec![1i64; 1000]: allocations", &e.vec_1000);
    let a = allocs(&mut ev, "[1i64; 1000]: allocations", &e.array_1000);
    Ok(Measured::new(ev, format!("vec! {v} allocation, array {a}")))
}

/// C001-07 (static): where Go keeps `MemoryLayout`'s fields is its escape analysis.
pub fn c001_07_go_storage() -> Verdict {
    Verdict::not_applicable(
        "whether Go keeps a MemoryLayout, and so its fields, on the stack or the heap is \
         decided by Go's escape analysis, and a field is never \"global memory\" in Go \
         either; no Rust measurement decides what Go does (the Go side reads \
         `-gcflags=-m`).",
        "a field lives wherever its struct lives: every field of a boxed MemoryLayout \
         lies inside the Box's heap block, and a `static`'s bytes sit in the executable",
    )
}

/// C001-07's analogue: field addresses of a boxed `MemoryLayout`, and a static.
pub fn c001_07_analogue(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("a Box<MemoryLayout>: field addresses against the box");
    ev.add("size of MemoryLayout", e.layout_size as f64, Unit::Bytes);
    ev.add("fields inside the heap block", e.fields_inside as f64, Unit::Count);
    let mut summary = format!(
        "{} of 3 fields of a boxed MemoryLayout are in its heap block",
        e.fields_inside
    );
    if let Some(exe) = e.static_in_exe {
        ev.add("static's bytes in the executable's mapping", f64::from(exe), Unit::Bool);
        summary.push_str(&format!(
            "; the static's bytes are {}in the executable",
            if exe { "" } else { "not " }
        ));
    }
    Ok(Measured::new(ev, summary))
}

/// C001-08 (static): the seed's definition of escape is about Go's compiler.
pub fn c001_08_go_definition() -> Verdict {
    Verdict::not_applicable(
        "escape is a decision of Go's compiler, and the definition is about it; Rust has \
         no escape analysis (a reference to a local cannot leave its frame), so no Rust \
         measurement decides it (the Go side reads `-gcflags=-m`).",
        "returning a value allocates nothing, and returning `&x` of a local is rustc \
         error E0515",
    )
}

/// C001-08's analogue: a returned value, and the port of `return &x`.
pub fn c001_08_analogue(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let port = fig::port(ctx, "return_ref_to_local")?;
    let mut ev = Evidence::new(
        "noEscape() returns its local by value; the port of getPointer compiled with rustc",
    );
    let a = allocs(&mut ev, "value returned from f: allocations", &e.no_escape);
    ev.add("`return &x` port compiles", f64::from(port.compiled), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "a value returned from f made {a} allocations; returning `&x` is {} in Rust",
            port.describe()
        ),
    ))
}

/// C001-09 (static): returning a pointer in Go.
pub fn c001_09_go_return_pointer() -> Verdict {
    Verdict::not_applicable(
        "Rust never moves a local to the heap behind the programmer's back: `return &x` \
         does not compile (E0515), so what Go does with it is Go's to measure.",
        "return `Box<i32>` (one allocation) or the value (none)",
    )
}

/// C001-09's analogue: `Box<i32>` and `i32` returned, and the port.
pub fn c001_09_analogue(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let port = fig::port(ctx, "return_ref_to_local")?;
    let mut ev = Evidence::new("the port of getPointer; Box<i32> and i32 returns");
    let b = allocs(&mut ev, "return Box<i32>: allocations", &e.get_pointer);
    let v = allocs(&mut ev, "return i32: allocations", &e.no_escape);
    ev.add("`return &x` port compiles", f64::from(port.compiled), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!("`return &x`: {}; Box {b} allocation, value {v}", port.describe()),
    ))
}

/// C001-10 (static): closure capture and escape are Go's compiler's rule.
pub fn c001_10_go_closures() -> Verdict {
    Verdict::not_applicable(
        "whether a Go closure's captures move to the heap is decided by Go's escape \
         analysis (only a closure that escapes moves them); a Rust closure is a value \
         whose captures live inside it, so no Rust measurement decides Go's rule (the Go \
         side reads `-gcflags=-m`).",
        "a capturing closure returned as `impl Fn` allocates nothing; `Box<dyn Fn>` \
         allocates once if it captures something, never if it captures nothing",
    )
}

/// C001-10's analogue: closures returned unboxed and boxed.
pub fn c001_10_analogue(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("closures capturing a u64, returned unboxed and boxed");
    let u = allocs(&mut ev, "impl Fn capturing u64: allocations", &e.adder);
    let b = allocs(&mut ev, "Box<dyn Fn> capturing u64: allocations", &e.boxed_adder);
    let z =
        allocs(&mut ev, "Box<dyn Fn> capturing nothing: allocations", &e.boxed_increment);
    Ok(Measured::new(
        ev,
        format!(
            "a returned capturing closure made {u} allocations; boxed, {b}; boxed \
             without captures, {z}"
        ),
    ))
}

/// C001-11: converting to an interface causes escape.
pub fn c001_11_trait_objects(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("&dyn Any and Box<dyn Any> of [u8; 1000] and of ()");
    let r = allocs(&mut ev, "&dyn Any: allocations", &e.dyn_ref);
    let b = allocs(&mut ev, "Box<dyn Any> of 1000 B: allocations", &e.box_dyn);
    let z = allocs(&mut ev, "Box<dyn Any> of (): allocations", &e.box_dyn_unit);
    Ok(Measured::new(
        ev,
        format!("&dyn {r} allocations, Box<dyn> {b}, Box<dyn> of () {z}"),
    ))
}

/// A trait object allocates only when the value is moved into a `Box`.
pub const C001_11: Rule = Rule {
    says: "judged on the Rust analogue, trait objects: confirmed when even `&dyn Trait` \
           allocates; holds only when the value is boxed (`Box<dyn Trait>` allocates, \
           `&dyn Trait` does not); refuted when neither allocates",
    inputs: &["&dyn Any: allocations", "Box<dyn Any> of 1000 B: allocations"],
    thresholds: &[],
    decide: |f| {
        if f.get("&dyn Any: allocations") >= 1.0 {
            Verdict::Confirmed
        } else if f.get("Box<dyn Any> of 1000 B: allocations") >= 1.0 {
            f.holds_only_when(
                "the value is moved into a `Box<dyn Trait>` (in Go: a non-pointer value \
                 stored in an interface that escapes); `&dyn Trait` borrows",
                "Box<dyn Any> of 1000 B: allocations",
                "&dyn Any: allocations",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[("&dyn Any: allocations", 1.0)], Confirmed),
        example(
            &[
                ("&dyn Any: allocations", 0.0),
                ("Box<dyn Any> of 1000 B: allocations", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("&dyn Any: allocations", 0.0),
                ("Box<dyn Any> of 1000 B: allocations", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-12: a dynamically sized `make` may escape.
pub fn c001_12_runtime_size(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new(
        "vec! with a size known only at run time; SmallVec<[u8; 64]> with 64 and 65 items",
    );
    let d = allocs(&mut ev, "vec![1i64; n]: allocations", &e.vec_n);
    let i = allocs(&mut ev, "SmallVec, 64 items: allocations", &e.small_64);
    let s = allocs(&mut ev, "SmallVec, 65 items: allocations", &e.small_65);
    Ok(Measured::new(
        ev,
        format!(
            "a run-time size went to the heap ({d} allocation); inline storage avoids it \
             up to its capacity (64 items: {i}, 65: {s})"
        ),
    ))
}

/// A size known only at run time goes to the heap (stable Rust has no `alloca`).
pub const C001_12: Rule = Rule {
    says: "judged on the Rust analogue, `vec![x; n]` with n known at run time: \
           confirmed when it allocates, refuted when it does not",
    inputs: &["vec![1i64; n]: allocations"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("vec![1i64; n]: allocations") >= 1.0),
    examples: &[
        example(&[("vec![1i64; n]: allocations", 1.0)], Confirmed),
        example(&[("vec![1i64; n]: allocations", 0.0)], Refuted),
    ],
};

/// C001-13: `noEscape` returning a value stays on the stack.
pub fn c001_13_return_value(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("noEscape(): `let x = 42; x`");
    let a = allocs(&mut ev, "return x: allocations", &e.no_escape);
    Ok(Measured::new(ev, format!("returning the value made {a} allocations")))
}

/// A value returned by value allocates nothing.
pub const C001_13: Rule = Rule {
    says: "judged on the Rust analogue, returning a local by value: confirmed when it \
           allocates nothing, refuted when it allocates",
    inputs: &["return x: allocations"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("return x: allocations") == 0.0),
    examples: &[
        example(&[("return x: allocations", 0.0)], Confirmed),
        example(&[("return x: allocations", 1.0)], Refuted),
    ],
};

/// C003-07 (static): `-gcflags=-m` reports Go's escape analysis.
pub fn c003_07_go_gcflags() -> Verdict {
    Verdict::not_applicable(
        "rustc has no escape analysis to report: storage follows the types.",
        "allocation counts from a counting global allocator (this chapter), `cargo asm` \
         to see what LLVM deleted",
    )
}

/// C003-07's analogue: the seed's four escape cases, counted.
pub fn c003_07_analogue(ctx: &Ctx) -> Measure {
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new("the counting allocator on the seed's four escape cases");
    let cases = [
        ("case 1, return Box<i32>", &e.get_pointer),
        ("case 2, closure (impl Fn)", &e.adder),
        ("case 3, &dyn Any", &e.dyn_ref),
        ("case 4, vec! of run-time size", &e.vec_n),
    ];
    let list: Vec<String> = cases
        .iter()
        .map(|(name, c)| {
            format!("{name}: {}", allocs(&mut ev, &format!("{name}: allocations"), c))
        })
        .collect();
    Ok(Measured::new(ev, list.join("; ")))
}

/// D29 (static): `declared and not used` and `new(int)`'s place are Go's.
pub fn d29_go_compiler() -> Verdict {
    Verdict::not_applicable(
        "both halves are decided by Go's compiler: `declared and not used` is a Go \
         compile error (rustc only warns), and where `new(int)` and a constant-size \
         `make` live is Go's escape analysis; only a Go toolchain can reproduce them \
         (the Go side builds the snippet).",
        "the line-by-line port compiles with `unused_variables` warnings, and its storage \
         follows the types: the Box and the vec! allocate, the i64 does not",
    )
}

/// D29's analogue: rustc on the port, and the port's allocations.
pub fn d29_analogue(ctx: &Ctx) -> Measure {
    let port = fig::port(ctx, "unused_locals")?;
    let e = fig::escape(ctx)?;
    let mut ev = Evidence::new(
        "the line-by-line port compiled with rustc; a warning-free version counted",
    );
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    ev.add("warnings", port.warnings.len() as f64, Unit::Count);
    let a = allocs(&mut ev, "memoryExample: allocations", &e.memory_example);
    Ok(Measured::new(
        ev,
        format!(
            "rustc: {}; the port's Box and vec! made {a} allocations",
            port.describe()
        ),
    ))
}

/// D30: seed 001's `escapeAnalysis` does not compile.
pub fn d30_undefined_size(ctx: &Ctx) -> Measure {
    let port = fig::port_as_is(ctx, "undefined_size")?;
    let mut ev = Evidence::new("the line-by-line port compiled with rustc");
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    let undefined = port.errors.iter().any(|c| c == "E0425");
    ev.add("E0425 (undefined name) reported", f64::from(undefined), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!("the port: rustc {} (`size` is not defined)", port.describe()),
    ))
}

/// Reproduced when the port fails as Go's code does, for an undefined name.
pub const D30: Rule = Rule {
    says: "reproduced when the port fails to compile with E0425 (an undefined name, as \
           Go's `undefined: size`); not reproduced when it compiles or fails otherwise",
    inputs: &["port compiles", "E0425 (undefined name) reported"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("port compiles") == 0.0
                && f.get("E0425 (undefined name) reported") == 1.0,
        )
    },
    examples: &[
        example(
            &[("port compiles", 0.0), ("E0425 (undefined name) reported", 1.0)],
            Confirmed,
        ),
        example(
            &[("port compiles", 1.0), ("E0425 (undefined name) reported", 0.0)],
            Refuted,
        ),
    ],
};
