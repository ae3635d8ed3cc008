//! What the chapter's example prints: one function per `--table`, each
//! laying out figures measured once in [`super::figures`] (the claim checks
//! read the same ones).

use super::figures::{self as fig, Build};
use super::{drop_list, values as v};
use crate::claims::{CheckError, Ctx};
use crate::measure::alloc::AllocCounts;
use crate::measure::machine::build_profile;
use crate::table::{Table, Unit, format_bytes, format_nanos, format_ratio, format_value};

type Tables = Result<Vec<Table>, CheckError>;

fn n(v: u64) -> String {
    format_value(v as f64, Unit::Count)
}

fn yes(b: bool) -> String {
    format_value(f64::from(b), Unit::Bool)
}

fn counted(t: &mut Table, first: &[&str], c: &AllocCounts) {
    let mut cells: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    cells.extend([n(c.allocs), n(c.reallocs), n(c.bytes_requested)]);
    t.row(cells);
}

/// Seed 001's escape cases, counted (C001-04 … C001-13).
pub fn escape(ctx: &Ctx) -> Tables {
    let e = fig::escape(ctx)?;
    let mut t =
        Table::new(["Go (seed 001 §6.1.1.3)", "Rust", "allocs", "reallocs", "bytes"])
            .titled("Each escape case of seed 001, counted");
    for (go, rust, c) in e.rows() {
        counted(&mut t, &[go, rust], c);
    }
    let mut layout = Table::new(["MemoryLayout (seed 001 L32-43)", "measured"])
        .titled("Where a boxed struct's fields and a static live");
    layout
        .row(["size of MemoryLayout", format_bytes(e.layout_size as f64).as_str()])
        .row([
            "fields inside the Box's heap block",
            &format!("{} of 3", e.fields_inside),
        ]);
    if let Some(exe) = e.static_in_exe {
        layout.row(["static's bytes in the executable's mapping", yes(exe).as_str()]);
    }
    layout.row([
        "allocations aligned as their Layout asked",
        &format!("{} of {}", e.layouts_aligned, e.layouts_tried),
    ]);
    Ok(vec![t, layout])
}

/// What LLVM deletes (C001-05). `probe` is an unused-`Box` function of the
/// calling binary, the crate that defines the counting allocator.
pub fn elision(ctx: &Ctx, probe: fn() -> i64) -> Tables {
    let lib = fig::elision(ctx)?;
    let here = fig::elision_in_caller(ctx, probe)?;
    let mut t =
        Table::new(["Box<i64>", "compiled in", "allocs counted", "time per call"])
            .titled(format!(
                "What LLVM deletes ({} build, counting allocator installed)",
                build_profile()
            ));
    t.row([
        "unused",
        "the library",
        &n(lib.unused_counted),
        &format_nanos(lib.unused_ns),
    ])
    .row([
        "through black_box",
        "the library",
        &n(lib.opaque_counted),
        &format_nanos(lib.opaque_ns),
    ])
    .row(["unused", "this binary", &n(here.counted), &format_nanos(here.ns)]);
    Ok(vec![t])
}

/// Filling a `Vec` (C001-35, C003-12, C003-13, C003-14).
pub fn growth(ctx: &Ctx) -> Tables {
    let gr = fig::growth(ctx)?;
    let mut t = Table::new([
        "seed 003 strategy 2, n = 1000 i64",
        "allocs",
        "reallocs",
        "bytes requested",
        "realloc bound",
        "time",
        "time / collect",
    ])
    .titled("Filling a Vec (bound = doublings from the first capacity)");
    for (f, bound) in
        [(&gr.push, gr.bound), (&gr.with_capacity, 0), (&gr.index, 0), (&gr.collect, 0)]
    {
        let c = &f.counts;
        t.row([
            f.name.to_string(),
            n(c.allocs),
            n(c.reallocs),
            n(c.bytes_requested),
            n(bound),
            format_nanos(f.ns),
            format_ratio(f.vs_collect()),
        ]);
    }
    t.note("time / collect: median per fill over collect's, the four alternating");
    let mut first =
        Table::new(["push 1000 from empty", "first capacity", "reallocs", "bound"])
            .titled("The first capacity depends on the element size");
    for (name, _, cap, reallocs, bound) in &gr.first_capacity {
        first.row([name.to_string(), n(*cap as u64), n(*reallocs), n(*bound)]);
    }
    Ok(vec![t, first])
}

fn build_row(t: &mut Table, b: &Build) {
    let c = &b.counts;
    let time = b.ns.map_or("-".to_string(), |(ns, concat)| format_ratio(ns / concat));
    t.row([b.name.to_string(), n(c.allocs), n(c.reallocs), n(c.bytes_requested), time]);
}

/// Building a `String` (C001-37, C003-15 … C003-18).
pub fn strings(ctx: &Ctx) -> Tables {
    let s = fig::strings(ctx)?;
    let mut t = Table::new([
        "1000 items of 9 B",
        "allocs",
        "reallocs",
        "bytes requested",
        "time / concat",
    ])
    .titled("Building a String (seed 003 strategy 3)");
    for b in s.rows() {
        build_row(&mut t, b);
    }
    t.note(format!(
        "Rust's += bound: {} allocator calls (first capacity 9 B, doubling to 9000 B); \
         time / concat: every builder timed in the same alternating batches",
        s.plus_assign_bound
    ));
    let mut cut = Table::new([
        "items of 9 B",
        "Go += port: calls",
        "Rust += : calls",
        "with_capacity(n × 10): calls",
        "cut vs Go +=",
        "cut vs Rust +=",
    ])
    .titled("What the builder saves (C003-18)");
    for c in fig::string_cuts(ctx)? {
        cut.row([
            n(c.items as u64),
            n(c.go_plus_assign),
            n(c.plus_assign),
            n(c.builder),
            format_value(c.against_go(), Unit::Fraction),
            format_value(c.against_rust(), Unit::Fraction),
        ]);
    }
    let mut append = Table::new(["seed 001 L831-835", "allocator calls", "bound"])
        .titled("One buffer, appended to (C001-37)");
    append.row([
        "\"data\" appended 1000 times".to_string(),
        n(s.append_loop.calls()),
        n(s.append_bound),
    ]);
    Ok(vec![t, cut, append])
}

/// The seed's pooled build and its `defer` (C003-17, D53).
pub fn defer(ctx: &Ctx) -> Tables {
    let d = fig::deferred_put(ctx)?;
    let (len, want, zeros, put_len) = d.len_n;
    let (ok0, len0, cap0) = d.len_0;
    let (rust_ok, rust_cap) = d.rust;
    let mut t = Table::new([
        "100 items, Get(len(items) × 10)",
        "output",
        "wanted",
        "leading zero bytes",
        "put back",
    ])
    .titled("defer bytePool.Put(buf): the header from before the appends goes back");
    t.row([
        "port, Get(n) of length n, 9 B items".to_string(),
        format_bytes(len as f64),
        format_bytes(want as f64),
        n(zeros as u64),
        format!("len {}", format_bytes(put_len as f64)),
    ])
    .row([
        "port, Get(n) of length 0, 15 B items".to_string(),
        format_bytes(len0 as f64),
        if ok0 { "same" } else { "differs" }.to_string(),
        "0".to_string(),
        format!("cap {}", format_bytes(cap0 as f64)),
    ])
    .row([
        "Rust build (put by move), 15 B items".to_string(),
        format_bytes(len0 as f64),
        if rust_ok { "same" } else { "differs" }.to_string(),
        "0".to_string(),
        format!("cap {}", format_bytes(rust_cap as f64)),
    ]);
    Ok(vec![t])
}

/// What keeps a buffer alive, and what `drop` gives back (C001-39,
/// C003-19 … C003-21, D46, D54).
pub fn retention(ctx: &Ctx) -> Tables {
    let r = fig::retention(ctx)?;
    let mut t =
        Table::new(["keep 10 B of a 1 MiB buffer", "kept len", "live bytes after"])
            .titled("Retention (seed 003 strategy 4)");
    for (name, len, live) in &r.heads {
        t.row([
            name.to_string(),
            n(*len as u64),
            format_value(*live as f64, Unit::Count),
        ]);
    }
    let mut d = Table::new(["release", "bytes freed at that line"])
        .titled("Releasing a 1 MiB buffer (seed 001 §6.1.1.9.2)");
    d.row(["drop(vec)".to_string(), n(r.drop_freed)]).row([
        "large_data = Vec::new() (the port of D46)".to_string(),
        n(r.reassign_freed),
    ]);
    let mut tables = vec![t, d];
    if !r.rss.is_empty() {
        let mut rss =
            Table::new(["drop(vec), every page written", "RSS before", "RSS after"])
                .titled("What leaves the process");
        for (size, before, after) in &r.rss {
            rss.row([
                format_bytes(*size as f64),
                format_bytes(*before as f64),
                format_bytes(*after as f64),
            ]);
        }
        tables.push(rss);
    }
    Ok(tables)
}

/// Freeing a long list (C001-23).
pub fn drop(ctx: &Ctx) -> Tables {
    let d = fig::drops(ctx)?;
    let mut t = Table::new(["nodes", "frees", "iterative drop"])
        .titled("Freeing is a pause at a known line (C001-23)");
    for (nodes, frees, time) in &d.iterative {
        t.row([n(*nodes as u64), n(*frees), format_nanos(time.as_nanos() as f64)]);
    }
    let mut c = Table::new([
        format!(
            "{} nodes on a {} thread stack",
            n(drop_list::MILLION as u64),
            format_bytes(drop_list::DROP_STACK as f64)
        ),
        "outcome".to_string(),
    ])
    .titled("The compiler's drop glue recurses once per node");
    c.row(["recursive drop glue".to_string(), d.recursive_million.describe()])
        .row(["iterative Drop".to_string(), d.iterative_million.describe()]);
    Ok(vec![t, c])
}

/// Values against boxes, and large values (C003-22, C003-23, C003-24).
pub fn values(ctx: &Ctx) -> Tables {
    let p = fig::points(ctx)?;
    let mut t =
        Table::new(["1000 points (seed 003 strategy 5)", "allocs", "bytes requested"])
            .titled("Values or boxes (C003-22, C003-23)");
    for (name, c) in ["Vec<Point>", "Vec<Box<Point>>", "Vec<{x: Box<i64>, y: Box<i64>}>"]
        .into_iter()
        .zip(&p.counts)
    {
        t.row([name.to_string(), n(c.allocs), n(c.bytes_requested)]);
    }
    let mut time =
        Table::new(["timed work", "Vec<Point>", "Vec<Box<Point>>", "boxed / by value"])
            .titled(format!("Building and summing {} points", n(p.timed as u64)));
    for (what, (val, boxed)) in [
        ("build (allocate and fill)", p.build_ns),
        ("sum x + y, allocation order", p.sum_ns),
        ("sum x + y, shuffled order", p.shuffled_sum_ns),
    ] {
        time.row([
            what.to_string(),
            format_nanos(val),
            format_nanos(boxed),
            format_ratio(boxed / val),
        ]);
    }
    let l = fig::pass_large(ctx)?;
    let mut pass = Table::new([
        "[u8; N] argument",
        "by value",
        "by reference",
        "copy",
        "value / ref",
        "heap target",
        "value / heap",
    ])
    .titled("Passing a large value (C003-24)");
    for p in &l.sizes {
        pass.row([
            format_bytes(p.bytes as f64),
            format_nanos(p.by_value),
            format_nanos(p.by_ref),
            format_nanos(p.copy()),
            format_ratio(p.by_value / p.by_ref),
            format_nanos(p.via_heap),
            format_ratio(p.vs_heap()),
        ]);
    }
    pass.note(
        "heap target: an N-byte heap allocation, then a call by reference (what a Go \
         pointer costs when its target escapes); the three ways are timed in \
         alternating batches",
    );
    pass.note(format!(
        "4 KiB by value: the callee sees a copy when the caller keeps the array: {}; \
         when it moves it: {}",
        yes(l.copied_kept),
        yes(l.copied_moved)
    ));
    let mut stack = Table::new([
        format!(
            "a {} array, {} thread stack",
            format_bytes(v::LARGE_VALUE as f64),
            format_bytes(v::SMALL_STACK as f64)
        ),
        "outcome".to_string(),
    ])
    .titled("A large value needs its size in stack where it is built");
    stack
        .row(["built in a frame, then boxed".to_string(), l.via_stack.describe()])
        .row(["built on the heap".to_string(), l.via_heap.describe()]);
    Ok(vec![t, time, pass, stack])
}

/// Large values in a context, and string keys (C003-27, C003-28, D56).
pub fn context(ctx: &Ctx) -> Tables {
    let c = fig::contexts(ctx)?;
    let mut t =
        Table::new(["WithValue of (seed 003 strategy 7)", "allocs", "bytes requested"])
            .titled("Large values in a context");
    for (name, counts) in [
        ("bigData by value", &c.by_value),
        ("Arc<bigData>", &c.by_arc),
        ("an id", &c.by_id),
        ("DataStore::get (an Arc clone)", &c.store_get),
    ] {
        t.row([name.to_string(), n(counts.allocs), n(counts.bytes_requested)]);
    }
    let mut keys = Table::new([
        "users stores \"alice\", then traces stores \"trace-42\"",
        "users reads",
    ])
    .titled("Two packages, one key (D56)");
    keys.row(["string key \"data\"".to_string(), format!("{:?}", c.users_reads.0)])
        .row(["a private key type each".to_string(), format!("{:?}", c.users_reads.1)]);
    Ok(vec![t, keys])
}

/// The seeds' races, fixed (D57's and D24's code; their claims are in later
/// chapters).
pub fn races(ctx: &Ctx) -> Tables {
    let r = fig::races(ctx)?;
    let mut t = Table::new([
        format!("{} requests, {} workers", r.requests, r.workers),
        "in order".to_string(),
        "caller allocs".to_string(),
        "worker allocs".to_string(),
    ])
    .titled("The shared append of seed 003, fixed");
    for (name, ok, caller, workers) in &r.fixes {
        t.row([name.to_string(), yes(*ok), n(*caller), n(*workers)]);
    }
    t.note(format!(
        "metric snapshot of {} metrics, copied under the lock: {} allocation",
        r.snapshot.0, r.snapshot.1
    ));
    Ok(vec![t])
}

/// The seeds' code, ported line by line and compiled by rustc (C001-08,
/// C001-09, C003-19, D29, D30, D45, D46).
pub fn ports(ctx: &Ctx) -> Tables {
    let mut t = Table::new(["port", "seed", "rustc says"])
        .titled("The seeds' code, ported line by line, compiled by rustc");
    for p in fig::ports(ctx)? {
        let (name, seed, d) = (p.name, p.seed, &p.rustc);
        let expected = d.meets(super::rustc::snippet(name).expect);
        let said =
            format!("{}{}", d.describe(), if expected { "" } else { " (UNEXPECTED)" });
        t.row([format!("{name}.rs"), seed.to_string(), said]);
    }
    Ok(vec![t])
}
