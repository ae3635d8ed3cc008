//! Checks for seed 001 §6.1.1.2.2-§6.1.1.3 (allocation, memory layout,
//! escape analysis) and seed 003 §3 (`-gcflags=-m`).

use super::{count, record, rustc_on, rustc_says};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::escape_heap::escape as e;
use std::hint::black_box;

type CheckResult = Result<Finding, CheckError>;

/// C001-03: allocation maps (size, type) to addresses.
pub fn c001_03(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "std::alloc::alloc through the global allocator; sizes 1, 24, 1000 B; \
         alignments 1 B to 4 KiB",
    );
    let mut tried = 0;
    let mut aligned = 0;
    for size in [1, 24, 1000] {
        for shift in 0..=12 {
            tried += 1;
            aligned += usize::from(e::allocation_is_aligned(size, 1 << shift));
        }
    }
    ev.add("layouts allocated", tried as f64, Unit::Count);
    ev.add("addresses aligned as asked", aligned as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(aligned == tried),
        format!(
            "{aligned} of {tried} allocations came back aligned; Rust's interface \
             takes a size and an alignment (`Layout`), not a type"
        ),
        ev,
    ))
}

/// C001-04: `stackVar := 42` is on the stack.
pub fn c001_04(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("`let stack_var = 42` in an #[inline(never)] function");
    let c = count(e::stack_value);
    let allocs = ev.add("allocations", c.allocs as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(allocs == 0.0),
        format!("a local i64 made {allocs} heap allocations"),
        ev,
    ))
}

/// C001-05: `new(int)` is a heap allocation.
pub fn c001_05(ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(format!(
        "Box::new(100i64) returned, Box::new(()), and an unused Box timed against \
         one passed through black_box (median of interleaved batches); {} build",
        crate::measure::machine::build_profile()
    ));
    let boxed = count(e::boxed_value).allocs;
    let unit = count(e::boxed_unit).allocs;
    let counted_unused = count(e::unused_box).allocs;
    ev.add("Box<i64>: allocations", boxed as f64, Unit::Count);
    ev.add("Box<()>: allocations", unit as f64, Unit::Count);
    ev.add("unused Box<i64>: allocations counted", counted_unused as f64, Unit::Count);
    let (iters, rounds) = ctx.pick((100_000, 7), (20_000, 5));
    let (unused_ns, opaque_ns) = crate::measure::ns_per_call(
        rounds,
        iters,
        || {
            black_box(e::unused_box());
        },
        || {
            black_box(e::opaque_box());
        },
    );
    ev.add("unused Box: time per call", unused_ns, Unit::Nanos);
    ev.add("black_box(Box): time per call", opaque_ns, Unit::Nanos);
    let ratio = ev.add("black_box / unused", opaque_ns / unused_ns, Unit::Ratio);
    let elided = ratio > 2.0;
    let verdict = if boxed == 1 && unit == 0 {
        Verdict::unruled_holds_only_when(if elided {
            format!(
                "T is not zero-sized (`Box::new(())` made {unit}) and the Box's address \
                 escapes: here LLVM deleted the malloc of an unused Box ({unused_ns:.1} \
                 ns vs {opaque_ns:.1} ns per call; the counting allocator saw {}",
                if counted_unused == 0 {
                    "no call)".to_string()
                } else {
                    format!("{counted_unused} allocation, which never reached malloc)")
                }
            )
        } else {
            format!(
                "T is not zero-sized (`Box::new(())` made {unit}); this build did not \
                 delete the unused Box ({unused_ns:.1} ns vs {opaque_ns:.1} ns per call)"
            )
        })
    } else {
        Verdict::Refuted
    };
    Ok(Finding::new(
        verdict,
        format!(
            "Box<i64> {boxed} allocation, Box<()> {unit}; unused Box {unused_ns:.1} ns \
             vs black_box'd {opaque_ns:.1} ns per call ({ratio:.1}×)"
        ),
        ev,
    ))
}

/// C001-06: `make([]int, 1000)` may escape.
pub fn c001_06(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("vec![1i64; 1000] vs [1i64; 1000]");
    let v = count(|| e::vec_of(black_box(1000))).allocs;
    let a = count(e::array_sum).allocs;
    ev.add("vec![1i64; 1000]: allocations", v as f64, Unit::Count);
    ev.add("[1i64; 1000]: allocations", a as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::not_applicable(
            "Go's compiler decides by escape analysis (a constant-size `make` that \
             does not escape stays on Go's stack); Rust has no such decision.",
            format!(
                "the type decides: `vec![1i64; 1000]` made {v} allocation, the array \
                 `[1i64; 1000]` made {a}"
            ),
        ),
        format!("vec! {v} allocation, array {a}"),
        ev,
    ))
}

/// C001-07: `MemoryLayout`'s field comments (stack, heap, global).
pub fn c001_07(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("a Box<MemoryLayout>: field addresses against the box");
    let boxed = Box::new(e::MemoryLayout::new());
    let start = &*boxed as *const e::MemoryLayout as usize;
    let end = start + std::mem::size_of::<e::MemoryLayout>();
    let fields = boxed.field_addresses();
    let inside = fields.iter().filter(|&&a| (start..end).contains(&a)).count();
    ev.add("size of MemoryLayout", (end - start) as f64, Unit::Bytes);
    ev.add("fields inside the heap block", inside as f64, Unit::Count);
    let mut summary =
        format!("all {inside} of 3 fields of a boxed MemoryLayout are in its heap block");
    #[cfg(target_os = "linux")]
    {
        let in_exe = e::address_is_in_executable(e::GLOBAL_VAR.as_ptr() as usize)?;
        ev.add(
            "static's bytes in the executable's mapping",
            f64::from(in_exe),
            Unit::Bool,
        );
        summary.push_str(&format!(
            "; the static's bytes are {}in the executable",
            if in_exe { "" } else { "not " }
        ));
    }
    Ok(Finding::new(Verdict::confirmed_if(inside != 3), summary, ev))
}

/// C001-08: the seed's formal definition of escape.
pub fn c001_08(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "noEscape() returns its local by value; the port of getPointer compiled with rustc",
    );
    let returned = count(e::no_escape).allocs;
    ev.add("value returned from f: allocations", returned as f64, Unit::Count);
    let port = rustc_says("return_ref_to_local")?;
    ev.add("`return &x` port compiles", f64::from(port.compiled), Unit::Bool);
    Ok(Finding::new(
        // `return(f) = v` holds for noEscape, yet v does not escape: a counterexample.
        Verdict::confirmed_if(returned > 0),
        format!(
            "a value returned from f made {returned} allocations (return does not imply \
             escape); returning `&x` is {} in Rust",
            port.describe()
        ),
        ev,
    ))
}

/// C001-09: returning a pointer escapes to the heap.
pub fn c001_09(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("the port of getPointer; Box<i32> and i32 returns");
    let port = rustc_says("return_ref_to_local")?;
    let boxed = count(e::get_pointer).allocs;
    let value = count(e::no_escape).allocs;
    ev.add("return Box<i32>: allocations", boxed as f64, Unit::Count);
    ev.add("return i32: allocations", value as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::not_applicable(
            format!(
                "Rust never moves a local to the heap behind the programmer's back: \
                 `return &x` is rustc {}.",
                port.describe()
            ),
            format!("return `Box<i32>` ({boxed} allocation) or the value ({value})"),
        ),
        format!(
            "`return &x`: {}; Box {boxed} allocation, value {value}",
            port.describe()
        ),
        ev,
    ))
}

/// C001-10: closure capture causes escape.
pub fn c001_10(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("closures capturing a u64, returned unboxed and boxed");
    let unboxed = count(|| black_box(e::adder(black_box(5)))).allocs;
    let boxed = count(|| black_box(e::boxed_adder(black_box(5)))).allocs;
    let boxed_empty = count(|| black_box(e::boxed_increment())).allocs;
    ev.add("impl Fn capturing u64: allocations", unboxed as f64, Unit::Count);
    ev.add("Box<dyn Fn> capturing u64: allocations", boxed as f64, Unit::Count);
    ev.add("Box<dyn Fn> capturing nothing: allocations", boxed_empty as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(unboxed > 0),
        format!(
            "a returned capturing closure made {unboxed} allocations; only boxing it \
             did ({boxed}), and a boxed closure without captures made {boxed_empty}"
        ),
        ev,
    ))
}

/// C001-11: converting to an interface causes escape.
pub fn c001_11(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("&dyn Any and Box<dyn Any> of [u8; 1000] and of ()");
    let big = black_box([7u8; 1000]);
    let by_ref = count(|| e::is_u64(black_box(&big))).allocs;
    let boxed = count(|| black_box(e::into_any(big))).allocs;
    let boxed_unit = count(|| black_box(e::into_any(()))).allocs;
    ev.add("&dyn Any: allocations", by_ref as f64, Unit::Count);
    ev.add("Box<dyn Any> of 1000 B: allocations", boxed as f64, Unit::Count);
    ev.add("Box<dyn Any> of (): allocations", boxed_unit as f64, Unit::Count);
    let verdict = match (by_ref, boxed) {
        (0, 1..) => Verdict::unruled_holds_only_when(format!(
            "the value is boxed into a `Box<dyn Trait>` and is not zero-sized \
             ({boxed} allocation for 1000 B, {boxed_unit} for `()`); `&dyn Trait` \
             borrows ({by_ref})"
        )),
        (1.., _) => Verdict::Confirmed,
        _ => Verdict::Refuted,
    };
    Ok(Finding::new(
        verdict,
        format!(
            "&dyn {by_ref} allocations, Box<dyn> {boxed}, Box<dyn> of () {boxed_unit}"
        ),
        ev,
    ))
}

/// C001-12: a dynamically sized `make` may escape.
pub fn c001_12(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "vec! with a size known only at run time; SmallVec<[u8; 64]> with 64 and 65 items",
    );
    let n = black_box(1000);
    let dynamic = count(|| e::vec_of(n)).allocs;
    let inline = count(|| e::small_buffer(black_box(64))).allocs;
    let spilled = count(|| e::small_buffer(black_box(65))).allocs;
    ev.add("vec![1i64; n]: allocations", dynamic as f64, Unit::Count);
    ev.add("SmallVec, 64 items: allocations", inline as f64, Unit::Count);
    ev.add("SmallVec, 65 items: allocations", spilled as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(dynamic >= 1),
        format!(
            "a run-time size went to the heap ({dynamic} allocation); inline storage \
             avoids it up to its capacity (64 items: {inline}, 65: {spilled})"
        ),
        ev,
    ))
}

/// C001-13: `noEscape` returning a value stays on the stack.
pub fn c001_13(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("noEscape(): `let x = 42; x`");
    let allocs = count(e::no_escape).allocs;
    ev.add("allocations", allocs as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(allocs == 0),
        format!("returning the value made {allocs} allocations"),
        ev,
    ))
}

/// C003-07: `-gcflags=-m` shows what escapes.
pub fn c003_07(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("the counting allocator on the seed's four escape cases");
    let cases = [
        ("case 1, return Box<i32>", count(e::get_pointer)),
        ("case 2, closure (impl Fn)", count(|| black_box(e::adder(black_box(1))))),
        ("case 3, &dyn Any", count(|| e::is_u64(black_box(&5u64)))),
        ("case 4, vec! of run-time size", count(|| e::vec_of(black_box(10)))),
    ];
    let list: Vec<String> = cases
        .iter()
        .map(|(name, c)| {
            ev.add(format!("{name}: allocations"), c.allocs as f64, Unit::Count);
            format!("{name}: {}", c.allocs)
        })
        .collect();
    Ok(Finding::new(
        Verdict::not_applicable(
            "rustc has no escape analysis to report: storage follows the types.",
            "allocation counts from a counting global allocator (this chapter), \
             `cargo asm` to see what LLVM deleted",
        ),
        list.join("; "),
        ev,
    ))
}

/// D29: seed 001's `memoryExample` does not compile and its comments are wrong.
pub fn d29(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "the line-by-line port compiled with rustc; a warning-free version counted",
    );
    let port = rustc_says("unused_locals")?;
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    ev.add("warnings", port.warnings.len() as f64, Unit::Count);
    let c = count(e::memory_example);
    let requests = record(&mut ev, "memoryExample", &c);
    Ok(Finding::new(
        Verdict::not_applicable(
            format!(
                "`declared and not used` is a Go compile error and where `new(int)` lives \
                 is Go's escape analysis; rustc {} on the port.",
                port.describe()
            ),
            format!(
                "storage follows the type: the port's Box and vec! made {requests} \
                 allocation requests, its i64 none"
            ),
        ),
        format!("rustc: {}; {requests} allocation requests", port.describe()),
        ev,
    ))
}

/// D30: seed 001's `escapeAnalysis` does not compile.
pub fn d30(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("the line-by-line port compiled with rustc");
    let port = rustc_on("undefined_size")?;
    let undefined = port.errors.iter().any(|c| c == "E0425");
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    ev.add("E0425 (undefined name) reported", f64::from(undefined), Unit::Bool);
    Ok(Finding::new(
        Verdict::confirmed_if(!port.compiled && undefined),
        format!("the port fails too: rustc {} (`size` is not defined)", port.describe()),
        ev,
    ))
}
