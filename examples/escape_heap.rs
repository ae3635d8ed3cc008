//! Chapter 3, "Escape and heap behavior": a guided tour, counted.
//!
//! `cargo run --release --example escape_heap` prints every table, then the
//! chapter's claim table. `--table NAME` prints one table (the book quotes
//! them one by one); `--quick` uses small sizes for the timed parts.
//!
//! Counts come from the counting allocator installed below. Times are
//! medians of interleaved batches (A B A B …) in this one run, printed as
//! ratios; they are noisy on a shared machine and only their direction is
//! claimed.

use clap::{Parser, ValueEnum};
use perf_workbook::escape_heap::growth::{self as g, max_reallocs, min_non_zero_cap};
use perf_workbook::escape_heap::{
    bytepool, context as cx, drop_list, escape as e, races, retention as r, rustc,
    values as v,
};
use perf_workbook::measure::alloc::{AllocCounts, AllocScope, measure};
use perf_workbook::measure::child;
use perf_workbook::measure::machine::MachineInfo;
use perf_workbook::measure::ns_per_call;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

perf_workbook::count_allocations!();

#[derive(Parser, Debug)]
#[command(about = "Chapter 3: where Rust values live, counted allocation by allocation")]
struct Args {
    /// Small sizes for the timed parts.
    #[arg(long)]
    quick: bool,
    /// Print only this table.
    #[arg(long, value_enum)]
    table: Option<Table>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Table {
    Escape,
    Elision,
    Growth,
    Strings,
    Retention,
    Drop,
    Values,
    Context,
    Races,
    Ports,
    Claims,
}

fn main() {
    perf_workbook::chapters::dispatch_child();
    let args: Args = perf_workbook::cli::parse();
    println!("machine: {}", MachineInfo::collect());
    let all = args.table.is_none();
    let q = args.quick;
    let tables: [(Table, fn(bool)); 10] = [
        (Table::Escape, escape),
        (Table::Elision, elision),
        (Table::Growth, growth),
        (Table::Strings, strings),
        (Table::Retention, retention),
        (Table::Drop, drop_demo),
        (Table::Values, values),
        (Table::Context, context),
        (Table::Races, races_demo),
        (Table::Ports, ports),
    ];
    for (t, show) in tables {
        if all || args.table == Some(t) {
            println!();
            show(q);
        }
    }
    if all || args.table == Some(Table::Claims) {
        println!();
        let report = perf_workbook::runner::print_chapter(
            perf_workbook::chapters::named("escape_heap"),
            q,
        );
        assert_eq!(report.errors(), 0, "a claim check could not run");
    }
}

/// Prints rows as aligned columns, the first row as the header.
fn print_table(title: &str, rows: &[Vec<String>]) {
    println!("{title}");
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, s)| format!("{s:<w$}", w = width[c]))
            .collect();
        println!("  {}", cells.join("  ").trim_end());
        if i == 0 {
            println!(
                "  {}",
                width.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  ")
            );
        }
    }
}

fn row(cells: &[&dyn std::fmt::Display]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn count<R>(f: impl FnOnce() -> R) -> AllocCounts {
    let (out, c) = measure(f);
    drop(out);
    c
}

fn escape(_quick: bool) {
    let n = black_box(1000);
    let big = black_box([1u8; 1000]);
    let cases: Vec<(&str, &str, AllocCounts)> = vec![
        // C001-04: a local is in the frame.
        ("stackVar := 42", "let x = 42", count(e::stack_value)),
        // C001-05: Box asks the heap, unless the type is zero-sized.
        ("new(int)", "Box::new(100i64)", count(e::boxed_value)),
        ("", "Box::new(())", count(e::boxed_unit)),
        // C001-06: the type decides, not an analysis.
        ("make([]int, 1000)", "vec![1i64; 1000]", count(|| e::vec_of(n))),
        ("", "[1i64; 1000]", count(e::array_sum)),
        // C001-09, C001-13: returning a pointer or a value.
        ("return &x", "-> Box<i32>", count(e::get_pointer)),
        ("return x", "-> i32", count(e::no_escape)),
        // C001-10: closures.
        ("closure", "-> impl Fn (captures u64)", count(|| black_box(e::adder(n as u64)))),
        ("", "Box<dyn Fn> (captures u64)", count(|| black_box(e::boxed_adder(3)))),
        ("", "Box<dyn Fn> (captures nothing)", count(|| black_box(e::boxed_increment()))),
        // C001-11: interfaces.
        ("interface{}", "&dyn Any of [u8; 1000]", count(|| e::is_u64(black_box(&big)))),
        ("", "Box<dyn Any> of [u8; 1000]", count(|| black_box(e::into_any(big)))),
        // C001-12: run-time sizes.
        ("make([]int, size)", "vec![1i64; n]", count(|| e::vec_of(n))),
        ("", "SmallVec<[u8; 64]>, 64 items", count(|| e::small_buffer(black_box(64)))),
        ("", "SmallVec<[u8; 64]>, 65 items", count(|| e::small_buffer(black_box(65)))),
        ("", "Vec → Box<[i64]>, exact", count(|| e::boxed_slice_of(n, 0))),
        ("", "Vec → Box<[i64]>, spare capacity", count(|| e::boxed_slice_of(n, 100))),
    ];
    let mut rows = vec![row(&[
        &"Go (seed 001 §6.1.1.3)",
        &"Rust",
        &"allocs",
        &"reallocs",
        &"bytes",
    ])];
    for (go, rust, c) in cases {
        rows.push(row(&[&go, &rust, &c.allocs, &c.reallocs, &c.bytes_requested]));
    }
    print_table("Each escape case of seed 001, counted", &rows);
}

/// An unused Box in *this* crate, where the counting allocator is defined.
#[inline(never)]
fn unused_box_here() -> i64 {
    let b = Box::new(black_box(100i64));
    *b + 1
}

fn elision(quick: bool) {
    let (rounds, iters) = if quick { (5, 50_000) } else { (9, 200_000) };
    let (lib_unused, lib_opaque) = ns_per_call(
        rounds,
        iters,
        || {
            black_box(e::unused_box());
        },
        || {
            black_box(e::opaque_box());
        },
    );
    let (here_unused, _) = ns_per_call(
        rounds,
        iters,
        || {
            black_box(unused_box_here());
        },
        || {
            black_box(e::opaque_box());
        },
    );
    let rows = vec![
        row(&[&"Box<i64>", &"defined in", &"allocs counted", &"ns per call"]),
        row(&[
            &"unused",
            &"the library",
            &count(e::unused_box).allocs,
            &format!("{lib_unused:.1}"),
        ]),
        row(&[
            &"through black_box",
            &"the library",
            &count(e::opaque_box).allocs,
            &format!("{lib_opaque:.1}"),
        ]),
        // C001-05: the counter is inlined here, the malloc it wraps deleted.
        row(&[
            &"unused",
            &"this example",
            &count(unused_box_here).allocs,
            &format!("{here_unused:.1}"),
        ]),
    ];
    print_table(
        &format!(
            "What LLVM deletes ({} build, counting allocator installed)",
            perf_workbook::measure::machine::build_profile()
        ),
        &rows,
    );
}

fn growth(quick: bool) {
    let n = black_box(1000);
    let (rounds, iters) = if quick { (5, 500) } else { (9, 2000) };
    let mut rows = vec![row(&[
        &"seed 003 strategy 2, n = 1000 i64",
        &"allocs",
        &"reallocs",
        &"bytes requested",
        &"realloc bound",
        &"time / collect",
    ])];
    let bound = max_reallocs(min_non_zero_cap(8), n);
    type Fill = fn(usize) -> Vec<i64>;
    // C003-12, C001-35, C003-13: growth from empty vs preallocated, then
    // time against collect, side by side.
    let fills: [(&str, Fill, String); 4] = [
        ("push from empty", g::push_from_empty, bound.to_string()),
        ("with_capacity + push", g::push_with_capacity, "0".into()),
        ("vec![0; n] + index (\"even better\")", g::zeroed_then_index, "0".into()),
        ("collect()", g::collect_range, "0".into()),
    ];
    for (name, fill, b) in &fills {
        let c = count(|| fill(n));
        let (t, base) = ns_per_call(
            rounds,
            iters,
            || drop(black_box(fill(black_box(n)))),
            || drop(black_box(g::collect_range(black_box(n)))),
        );
        let ratio = format!("{:.2}×", t / base);
        rows.push(row(&[name, &c.allocs, &c.reallocs, &c.bytes_requested, b, &ratio]));
    }
    print_table("Filling a Vec (bound = doublings from the first capacity)", &rows);
    println!();
    let mut rows =
        vec![row(&[&"push n from empty", &"first capacity", &"reallocs", &"bound"])];
    fn pushes<T: Copy>(item: T, n: usize) -> AllocCounts {
        count(|| {
            let mut v = Vec::new();
            for _ in 0..n {
                v.push(black_box(item));
            }
            v
        })
    }
    for (name, size, c) in [
        ("u8, n = 1000", 1, pushes(1u8, n)),
        ("i64, n = 1000", 8, pushes(1i64, n)),
        ("[u8; 2048], n = 1000", 2048, pushes([1u8; 2048], n)),
    ] {
        let first = min_non_zero_cap(size);
        rows.push(row(&[&name, &first, &c.reallocs, &max_reallocs(first, n)]));
    }
    print_table("The first capacity depends on the element size", &rows);
}

fn strings(quick: bool) {
    let n = 1000;
    let owned = g::items(n, 9);
    let items = g::as_strs(&owned);
    let long_owned = g::items(n, 15);
    let long = g::as_strs(&long_owned);
    let mut pool = bytepool::BytePool::default();
    drop(bytepool::build_string_pooled(&mut pool, &items));
    let (rounds, batch) = if quick { (5, 3) } else { (9, 10) };
    type Build<'a> = Box<dyn Fn() -> String + 'a>;
    let variants: Vec<(&str, Build)> = vec![
        ("s += item (seed: bad)", Box::new(|| g::plus_assign(black_box(&items)))),
        ("s = s + item", Box::new(|| g::plus(black_box(&items)))),
        ("s = format!(\"{s}{item}\")", Box::new(|| g::format_loop(black_box(&items)))),
        (
            "with_capacity(n × 10) (seed: good)",
            Box::new(|| g::with_estimate(black_box(&items), 10)),
        ),
        (
            "with_capacity(n × 10), 15 B items",
            Box::new(|| g::with_estimate(black_box(&long), 10)),
        ),
        ("concat()", Box::new(|| g::concat(black_box(&items)))),
        ("join(\"\")", Box::new(|| g::join(black_box(&items)))),
    ];
    let mut rows = vec![row(&[
        &"1000 items of 9 B",
        &"allocs",
        &"reallocs",
        &"bytes requested",
        &"time / concat",
    ])];
    // C003-15, C003-16, C003-18: counts, then time against concat.
    for (name, f) in &variants {
        let c = count(f);
        let (t, base) = ns_per_call(
            rounds,
            batch,
            || drop(black_box(f())),
            || drop(black_box(g::concat(black_box(&items)))),
        );
        rows.push(row(&[
            name,
            &c.allocs,
            &c.reallocs,
            &c.bytes_requested,
            &format!("{:.2}×", t / base),
        ]));
    }
    // C003-17: the pooled build, per call after one warm-up build.
    let c = count(|| bytepool::build_string_pooled(&mut pool, black_box(&items)));
    rows.push(row(&[
        &"pooled buffer, after warm-up",
        &c.allocs,
        &c.reallocs,
        &c.bytes_requested,
        &"-",
    ]));
    print_table("Building a String (seed 003 strategy 3)", &rows);
    println!(
        "  += bound: 1 alloc + {} reallocs (first capacity 9 B, doubling to {} B)",
        max_reallocs(9, 9 * n),
        9 * n
    );
}

fn retention(_quick: bool) {
    let mib = 1 << 20;
    // Each head is counted while it is still alive: its live bytes are what
    // it pins.
    let live = |f: &dyn Fn(Vec<u8>) -> Vec<u8>| {
        let (head, c) = measure(|| f(black_box(vec![1u8; mib])));
        (head.len(), c.live_bytes())
    };
    let bytes_live = |f: &dyn Fn(bytes::Bytes) -> bytes::Bytes| {
        let (head, c) = measure(|| f(bytes::Bytes::from(black_box(vec![1u8; mib]))));
        (head.len(), c.live_bytes())
    };
    let mut rows =
        vec![row(&[&"keep 10 B of a 1 MiB buffer", &"kept len", &"live bytes after"])];
    // C003-19, C003-20, C003-21: what stays allocated.
    for (name, (len, l)) in [
        ("truncate(10)", live(&|d| r::head_by_truncate(d, 10))),
        ("truncate(10) + shrink_to_fit()", live(&|d| r::head_by_shrink(d, 10))),
        ("data[..10].to_vec()", live(&|d| r::head_by_copy(d, 10))),
        (
            "Bytes::slice(..10)  (~ data[:10:10])",
            bytes_live(&|b| r::head_by_bytes_slice(b, 10)),
        ),
        ("Bytes::copy_from_slice", bytes_live(&|b| r::head_by_bytes_copy(b, 10))),
    ] {
        rows.push(row(&[&name, &len, &l]));
    }
    print_table("Retention (seed 003 strategy 4)", &rows);
    println!();
    // C001-39: drop frees at its line; above the mmap threshold RSS falls too.
    let large = black_box(vec![1u8; mib]);
    let scope = AllocScope::start();
    drop(large);
    println!("drop(vec of 1 MiB): {} B freed at that line", scope.counts().bytes_freed);
    #[cfg(target_os = "linux")]
    for size in [mib, 64 * mib] {
        let (before, after) = r::drop_releases_rss(size).expect("/proc/self/status");
        println!(
            "drop(vec of {:>2} MiB, every page written): RSS {before} KiB → {after} KiB ({:+} KiB)",
            size >> 20,
            after as i64 - before as i64
        );
    }
}

fn drop_demo(quick: bool) {
    let sizes: &[usize] =
        if quick { &[10_000, 100_000] } else { &[10_000, 100_000, 1_000_000] };
    // C001-23: no GC pause to read, but freeing is a pause at a known line.
    let mut rows = vec![row(&[&"nodes", &"frees", &"iterative drop"])];
    for &n in sizes {
        let list = black_box(drop_list::IterativeList::with_len(n));
        let t = Instant::now();
        let ((), c) = measure(|| drop(list));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        rows.push(row(&[&n, &c.frees, &format!("{ms:.2} ms")]));
    }
    print_table("Freeing is a pause at a known line (C001-23)", &rows);
    println!();
    // The recursive drop glue overflows the stack; the iterative Drop does not.
    for (what, mode) in [
        ("recursive drop glue", "escape_heap::recursive_drop"),
        ("iterative Drop", "escape_heap::iterative_drop"),
    ] {
        let o = child::run_mode(mode, Duration::from_secs(60)).expect("running a child");
        println!(
            "{} nodes, {what}, on a {} KiB thread stack: {}",
            drop_list::MILLION,
            drop_list::DROP_STACK >> 10,
            o.describe()
        );
    }
}

fn values(quick: bool) {
    let n = black_box(1000);
    let mut rows =
        vec![row(&[&"1000 points (seed 003 strategy 5)", &"allocs", &"bytes requested"])];
    // C003-22, C003-23: one allocation per box.
    for (name, c) in [
        ("Vec<Point>", count(|| v::points_by_value(n))),
        ("Vec<Box<Point>>", count(|| v::points_boxed(n))),
        ("Vec<{x: Box<i64>, y: Box<i64>}>", count(|| v::points_boxed_fields(n))),
    ] {
        rows.push(row(&[&name, &c.allocs, &c.bytes_requested]));
    }
    print_table("Values or boxes (C003-22, C003-23)", &rows);
    let big = if quick { 100_000 } else { 1_000_000 };
    let (values, boxes) = (v::points_by_value(big), v::points_boxed(big));
    let (tv, tb) = ns_per_call(
        if quick { 5 } else { 9 },
        1,
        || {
            black_box(v::sum_by_value(black_box(&values)));
        },
        || {
            black_box(v::sum_boxed(black_box(&boxes)));
        },
    );
    println!(
        "  sum over {big} points: Vec<Box<Point>> takes {:.2}× as long as Vec<Point>",
        tb / tv
    );
    println!();
    let (rounds, iters) = if quick { (5, 4_000) } else { (9, 20_000) };
    let mut rows = vec![row(&[
        &"[u8; N] argument (C003-24)",
        &"by value",
        &"by reference",
        &"ratio",
    ])];
    macro_rules! size_row {
        ($n:expr, $label:expr) => {{
            let a = black_box([1u8; $n]);
            let (val, refr) = ns_per_call(
                rounds,
                iters,
                || {
                    black_box(v::first_byte_by_value(a));
                },
                || {
                    black_box(v::first_byte_by_ref(black_box(&a)));
                },
            );
            rows.push(row(&[
                &$label,
                &format!("{val:.1} ns"),
                &format!("{refr:.1} ns"),
                &format!("{:.1}×", val / refr),
            ]));
        }};
    }
    size_row!(64, "64 B");
    size_row!(1024, "1 KiB");
    size_row!(4096, "4 KiB");
    size_row!(65536, "64 KiB");
    print_table("Passing a large value", &rows);
    // C003-24: a by-value argument is a copy; a large one needs stack.
    let (kept, moved) = v::by_value_makes_a_copy::<4096>();
    println!(
        "  4 KiB by value: callee sees a copy when the caller keeps it: {kept}; when moved: {moved}"
    );
    for (what, mode) in [
        ("built in a frame", "escape_heap::large_value_via_stack"),
        ("built on the heap", "escape_heap::large_value_via_heap"),
    ] {
        let o = child::run_mode(mode, Duration::from_secs(60)).expect("running a child");
        println!(
            "  a {} KiB array {what}, on a {} KiB thread stack: {}",
            v::LARGE_VALUE >> 10,
            v::SMALL_STACK >> 10,
            o.describe()
        );
    }
}

fn context(_quick: bool) {
    let root = cx::Context::background();
    let shared: Arc<cx::BigData> = Arc::from(cx::big_data());
    let mut rows = vec![row(&[
        &"WithValue of (seed 003 strategy 7)",
        &"allocs",
        &"bytes requested",
    ])];
    // C003-27, C003-28: by value copies the megabyte; an Arc or an id does not.
    for (name, c) in [
        (
            "bigData by value",
            count(|| root.with_value(cx::Key::Str("data"), cx::big_data())),
        ),
        (
            "Arc<bigData>",
            count(|| {
                root.with_value(cx::Key::Str("data"), Box::new(Arc::clone(&shared)))
            }),
        ),
        (
            "an id",
            count(|| root.with_value(cx::Key::Str("dataID"), Box::new(cx::DataId(123)))),
        ),
    ] {
        rows.push(row(&[&name, &c.allocs, &c.bytes_requested]));
    }
    let store = cx::DataStore::new(16);
    store.insert(cx::DataId(123), Arc::clone(&shared));
    let c = count(|| store.get(cx::DataId(123)));
    rows.push(row(&[&"DataStore::get (an Arc clone)", &c.allocs, &c.bytes_requested]));
    print_table("Large values in a context", &rows);
    // D56: two packages, one string key.
    let ctx = cx::traces::attach(&cx::users::attach(&root, "alice"), "trace-42");
    let typed =
        cx::traces::attach_typed(&cx::users::attach_typed(&root, "alice"), "trace-42");
    println!("  users stored \"alice\", traces then stored \"trace-42\":");
    println!("  string key \"data\": users reads {:?}", cx::users::current(&ctx));
    println!("  key types:          users reads {:?}", cx::users::current_typed(&typed));
}

fn races_demo(_quick: bool) {
    let requests: Vec<u32> = (0..1000).collect();
    let want: Vec<u32> = requests.iter().map(|&x| races::process(x)).collect();
    let mut rows = vec![row(&[
        &"1000 requests, 4 workers",
        &"in order",
        &"caller allocs",
        &"worker allocs",
    ])];
    // D57's fixes: each request answered once, in order.
    for (name, a) in [
        ("scoped threads, own slots", races::answer_with_scoped_slots(&requests, 4)),
        ("channel of (index, answer)", races::answer_with_channel(&requests, 4)),
        ("Mutex<Vec> + sort", races::answer_with_mutex(&requests, 4)),
    ] {
        rows.push(row(&[
            &name,
            &(a.responses == want),
            &a.caller.allocs,
            &a.workers.allocs,
        ]));
    }
    print_table("The shared append of seed 003, fixed", &rows);
    let registry = races::MetricRegistry::default();
    for i in 0..10 {
        registry.add(&format!("metric-{i}"), 1.0);
    }
    // D24's fix: one allocation per snapshot, copied under the lock.
    let c = count(|| registry.snapshot());
    println!(
        "  metric snapshot of 10 metrics, copied under the lock: {} allocation",
        c.allocs
    );
}

fn ports(_quick: bool) {
    let seeds = [
        ("return_ref_to_local", "001 §6.1.1.3.2 L84-87"),
        ("undefined_size", "001 §6.1.1.3.2 L68-82 (D30)"),
        ("unused_locals", "001 §6.1.1.3.1 L45-55 (D29)"),
        ("buffer_reset", "001 §6.1.1.9.1 L820-843 (D45)"),
        ("reassign_large", "001 §6.1.1.9.2 L851-862 (D46)"),
        ("slice_outlives_data", "003 strategy 4 L292-296"),
        ("shared_append", "003 best practice 2 L407-440 (D57)"),
        ("metric_snapshot", "000 §1.5.1 L695-709 (D24)"),
    ];
    // C001-08, C001-09, C003-19, D29, D30, D45, D46: what rustc says.
    let mut rows = vec![row(&[&"port", &"seed", &"rustc says"])];
    for (name, seed) in seeds {
        let said = match rustc::diagnostics(name) {
            Ok(d) => {
                let ok = if d.meets(rustc::snippet(name).expect) {
                    ""
                } else {
                    "  (UNEXPECTED)"
                };
                format!("{}{ok}", d.describe())
            }
            Err(e) => format!("not run: {e}"),
        };
        rows.push(row(&[&format!("{name}.rs"), &seed, &said]));
    }
    print_table("The seeds' code, ported line by line, compiled by rustc", &rows);
}
