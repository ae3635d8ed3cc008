//! Checks for preallocation and string building: seed 001 §6.1.1.9.1 and
//! seed 003 策略2-3. Every expected count is a bound from Rust's growth
//! policy ([`min_non_zero_cap`], doubling), never a Go figure.

use super::{change, count, record, rustc_on};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::escape_heap::bytepool::{self, BytePool, GoBytePool};
use crate::escape_heap::growth::{self as g, max_reallocs, min_non_zero_cap};
use crate::measure::alloc::AllocCounts;
use crate::measure::ns_per_call;
use std::hint::black_box;

type CheckResult = Result<Finding, CheckError>;

/// Elements in the seed's slices (seed 003 L228-243, seed 001 L822).
const SEED_LEN: usize = 1000;

/// Items in the seed's string-building example, and their length (the
/// seed's `Grow(len(items) * 10)` expects about 10 bytes each).
const ITEMS: usize = 1000;
const ITEM_LEN: usize = 9;

struct Fill {
    push: AllocCounts,
    with_capacity: AllocCounts,
    collect: AllocCounts,
    index: AllocCounts,
    bound: u64,
}

fn fill(n: usize) -> Fill {
    let n = black_box(n);
    Fill {
        push: count(|| g::push_from_empty(n)),
        with_capacity: count(|| g::push_with_capacity(n)),
        collect: count(|| g::collect_range(n)),
        index: count(|| g::zeroed_then_index(n)),
        bound: max_reallocs(min_non_zero_cap(size_of::<i64>()), n),
    }
}

fn fill_evidence(f: &Fill) -> Evidence {
    let mut ev = Evidence::new(format!(
        "{SEED_LEN} i64; bound: first capacity {} elements, then doubling",
        min_non_zero_cap(size_of::<i64>())
    ));
    record(&mut ev, "push from empty", &f.push);
    ev.add("reallocation bound from the growth policy", f.bound as f64, Unit::Count);
    record(&mut ev, "with_capacity + push", &f.with_capacity);
    record(&mut ev, "collect", &f.collect);
    ev
}

/// C001-35: preallocate slice capacity.
pub fn c001_35(_ctx: &Ctx) -> CheckResult {
    let f = fill(SEED_LEN);
    let ev = fill_evidence(&f);
    let within = f.push.allocs == 1 && f.push.reallocs <= f.bound;
    Ok(Finding::new(
        Verdict::confirmed_if(f.with_capacity.calls() < f.push.calls()),
        format!(
            "push from empty: 1 + {} reallocs (policy bound {}, {}); with_capacity: {} \
             call; collect: {}",
            f.push.reallocs,
            f.bound,
            if within { "within" } else { "OUTSIDE" },
            f.with_capacity.calls(),
            f.collect.calls()
        ),
        ev,
    ))
}

/// C001-37: append to one buffer in a loop.
pub fn c001_37(_ctx: &Ctx) -> CheckResult {
    let times = black_box(SEED_LEN);
    let mut ev =
        Evidence::new(format!("push_str(\"data\") {times} times into one String"));
    let c = count(|| g::append_to_one_buffer(times));
    let calls = record(&mut ev, "one buffer", &c);
    let bound = 1 + max_reallocs(min_non_zero_cap(1), 4 * times);
    ev.add("bound: 1 + doublings from 8 B", bound as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(calls <= bound && calls < times as u64),
        format!(
            "{times} appends made {calls} allocator calls (policy bound {bound}), \
             not one per append"
        ),
        ev,
    ))
}

/// C003-12: appending without preallocation grows repeatedly.
pub fn c003_12(_ctx: &Ctx) -> CheckResult {
    let f = fill(SEED_LEN);
    let ev = fill_evidence(&f);
    Ok(Finding::new(
        Verdict::confirmed_if(f.push.reallocs >= 2 && f.with_capacity.reallocs == 0),
        format!(
            "push from empty reallocated {} times (bound {}); with_capacity {} times",
            f.push.reallocs, f.bound, f.with_capacity.reallocs
        ),
        ev,
    ))
}

/// C003-13: `make([]int, n)` + index assignment is "even better".
pub fn c003_13(ctx: &Ctx) -> CheckResult {
    let f = fill(SEED_LEN);
    let mut ev = fill_evidence(&f);
    record(&mut ev, "vec![0; n] + index", &f.index);
    ev.add("vec![0; n]: zeroed allocations", f.index.zeroed_allocs as f64, Unit::Count);
    let n = black_box(SEED_LEN);
    let (rounds, iters) = ctx.pick((9, 2000), (5, 500));
    let (index_ns, push_ns) = ns_per_call(
        rounds,
        iters,
        || drop(black_box(g::zeroed_then_index(black_box(n)))),
        || drop(black_box(g::push_with_capacity(black_box(n)))),
    );
    let (collect_ns, index_again_ns) = ns_per_call(
        rounds,
        iters,
        || drop(black_box(g::collect_range(black_box(n)))),
        || drop(black_box(g::zeroed_then_index(black_box(n)))),
    );
    ev.add("vec![0; n] + index: time", index_ns, Unit::Nanos);
    ev.add("with_capacity + push: time", push_ns, Unit::Nanos);
    ev.add("collect: time", collect_ns, Unit::Nanos);
    let vs_push = ev.add("index / with_capacity + push", index_ns / push_ns, Unit::Ratio);
    let vs_collect = ev.add("index / collect", index_again_ns / collect_ns, Unit::Ratio);
    let fewer = f.index.calls() < f.with_capacity.calls();
    let verdict = if fewer {
        Verdict::Confirmed
    } else if vs_push < 0.9 {
        Verdict::unruled_holds_only_when(format!(
            "better means faster, not fewer allocations (each form makes {} call): \
             index assignment took {vs_push:.2}× the time of with_capacity + push, \
             whose every push checks the capacity; Rust's collect is faster still \
             (index took {vs_collect:.2}× its time)",
            f.index.calls()
        ))
    } else {
        Verdict::Refuted
    };
    Ok(Finding::new(
        verdict,
        format!(
            "index assignment: {} allocator call ({} zeroed), as with_capacity ({}) and \
             collect ({}); time {vs_push:.2}× with_capacity + push, {vs_collect:.2}× \
             collect, n = {n}",
            f.index.calls(),
            f.index.zeroed_allocs,
            f.with_capacity.calls(),
            f.collect.calls()
        ),
        ev,
    ))
}

/// C003-14: preallocation cuts allocations by 50–70%.
pub fn c003_14(_ctx: &Ctx) -> CheckResult {
    let f = fill(SEED_LEN);
    let mut ev = fill_evidence(&f);
    let (before, after) = (f.push.calls() as f64, f.with_capacity.calls() as f64);
    let cut = ev.add("cut in allocator calls", 1.0 - after / before, Unit::Fraction);
    let (bb, ba) =
        (f.push.bytes_requested as f64, f.with_capacity.bytes_requested as f64);
    ev.add("cut in bytes requested", 1.0 - ba / bb, Unit::Fraction);
    Ok(Finding::new(
        Verdict::confirmed_if(cut >= 0.5),
        format!(
            "allocator calls {before} → {after} ({}), bytes requested {bb} → {ba} ({}); \
             the claim says 50–70%",
            change(before, after),
            change(bb, ba)
        ),
        ev,
    ))
}

struct Strings {
    plus_assign: AllocCounts,
    format_loop: AllocCounts,
}

fn strings(n: usize) -> Strings {
    let owned = g::items(n, ITEM_LEN);
    let items = g::as_strs(&owned);
    Strings {
        plus_assign: count(|| g::plus_assign(black_box(&items))),
        format_loop: count(|| g::format_loop(black_box(&items))),
    }
}

/// Bound on `+=` calls for `n` items of `len` bytes: 1 allocation, then the
/// doublings from the first capacity (`max(8, len)`) to `n × len`.
fn plus_assign_bound(n: usize, len: usize) -> u64 {
    1 + max_reallocs(len.max(min_non_zero_cap(1)), n * len)
}

/// C003-15: `result += item` allocates a new string every iteration.
pub fn c003_15(_ctx: &Ctx) -> CheckResult {
    let s = strings(ITEMS);
    let mut ev = Evidence::new(format!("{ITEMS} items of {ITEM_LEN} B"));
    let calls = record(&mut ev, "+=", &s.plus_assign);
    let bound = plus_assign_bound(ITEMS, ITEM_LEN);
    ev.add("+=: bound from the growth policy", bound as f64, Unit::Count);
    let owned = g::items(ITEMS, ITEM_LEN);
    let items = g::as_strs(&owned);
    let plus = count(|| g::plus(black_box(&items)));
    record(&mut ev, "r = r + item", &plus);
    record(&mut ev, "format! loop", &s.format_loop);
    Ok(Finding::new(
        Verdict::confirmed_if(calls >= ITEMS as u64),
        format!(
            "Rust's += made {calls} allocator calls for {ITEMS} items (bound {bound}); \
             a new String per iteration is the format! loop: {} allocs",
            s.format_loop.allocs
        ),
        ev,
    ))
}

/// C003-16: `strings.Builder` with `Grow(len(items) * 10)`.
pub fn c003_16(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(format!(
        "{ITEMS} items, capacity estimated at 10 B per item; items of 9 B and of 15 B"
    ));
    let (fits_owned, short_owned) = (g::items(ITEMS, ITEM_LEN), g::items(ITEMS, 15));
    let (fits_items, short_items) = (g::as_strs(&fits_owned), g::as_strs(&short_owned));
    let fits = count(|| g::with_estimate(black_box(&fits_items), 10));
    let short = count(|| g::with_estimate(black_box(&short_items), 10));
    let fits_calls = record(&mut ev, "estimate covers (9 B items)", &fits);
    let short_calls = record(&mut ev, "estimate too small (15 B items)", &short);
    let verdict = match (fits_calls, short_calls) {
        (1, 2..) => Verdict::unruled_holds_only_when(format!(
            "the estimate covers the final length: {fits_calls} allocator call when it \
             does, {short_calls} when 15 B items overrun a 10 B estimate"
        )),
        (1, _) => Verdict::Confirmed,
        _ => Verdict::Refuted,
    };
    Ok(Finding::new(
        verdict,
        format!(
            "with_capacity: {fits_calls} call when the estimate fits, {short_calls} when short"
        ),
        ev,
    ))
}

/// C003-17: building in a pooled byte buffer avoids allocations.
pub fn c003_17(_ctx: &Ctx) -> CheckResult {
    let owned = g::items(ITEMS, ITEM_LEN);
    let items = g::as_strs(&owned);
    let mut pool = BytePool::default();
    drop(bytepool::build_string_pooled(&mut pool, &items)); // warm-up
    let calls = 100u64;
    let pooled = count(|| {
        for _ in 0..calls {
            drop(black_box(bytepool::build_string_pooled(&mut pool, black_box(&items))));
        }
    });
    let concat = count(|| g::concat(black_box(&items)));
    let mut ev = Evidence::new(format!(
        "{ITEMS} items of {ITEM_LEN} B, {calls} builds after one warm-up build"
    ));
    let per_call = ev.add(
        "pooled: allocations per build",
        pooled.allocs as f64 / calls as f64,
        Unit::Count,
    );
    ev.add("concat: allocations per build", concat.allocs as f64, Unit::Count);
    Ok(Finding::new(
        Verdict::confirmed_if(per_call < 1.0),
        format!(
            "the pooled build still made {per_call} allocation per call (the returned \
             String), as many as concat ({})",
            concat.allocs
        ),
        ev,
    ))
}

/// C003-18: string optimisation cuts allocations by 70–90%.
pub fn c003_18(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(format!(
        "builder with an exact estimate (1 call) against += and the format! loop; \
         items of {ITEM_LEN} B"
    ));
    let mut in_range = Vec::new();
    let mut out_of_range = Vec::new();
    for n in [10, 100, 1000, 10_000] {
        let owned = g::items(n, ITEM_LEN);
        let items = g::as_strs(&owned);
        let plus = count(|| g::plus_assign(black_box(&items))).calls() as f64;
        let builder =
            count(|| g::with_estimate(black_box(&items), ITEM_LEN)).calls() as f64;
        let cut = ev.add(
            format!("cut against +=, {n} items"),
            1.0 - builder / plus,
            Unit::Fraction,
        );
        let text = format!("{n} items: {:.1}%", cut * 100.0);
        if (0.70..=0.90).contains(&cut) {
            in_range.push(text)
        } else {
            out_of_range.push(text)
        }
    }
    let s = strings(ITEMS);
    let cut_format = ev.add(
        format!("cut against the format! loop, {ITEMS} items"),
        1.0 - 1.0 / s.format_loop.calls() as f64,
        Unit::Fraction,
    );
    let verdict = if in_range.is_empty() {
        Verdict::Refuted
    } else {
        Verdict::unruled_holds_only_when(format!(
            "the baseline is Rust's amortized `+=` on a short list ({}); not on \
             longer ones ({}), nor against a per-iteration format! loop ({:.2}%)",
            in_range.join(", "),
            out_of_range.join(", "),
            cut_format * 100.0
        ))
    };
    Ok(Finding::new(
        verdict,
        format!(
            "cut against +=: {}; {}; against the format! loop: {:.2}%",
            in_range.join(", "),
            out_of_range.join(", "),
            cut_format * 100.0
        ),
        ev,
    ))
}

/// D45: seed 001's best-practice snippet does not compile.
pub fn d45(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("the line-by-line port compiled with rustc");
    let port = rustc_on("buffer_reset")?;
    let no_method = port.errors.iter().any(|c| c == "E0599");
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    ev.add("E0599 (no such method) reported", f64::from(no_method), Unit::Bool);
    Ok(Finding::new(
        Verdict::confirmed_if(!port.compiled && no_method),
        format!(
            "the port fails too: rustc {} (`Buffer` has no `reset`)",
            port.describe()
        ),
        ev,
    ))
}

/// D53: `defer bytePool.Put(buf)` puts back the pre-append slice.
pub fn d53(_ctx: &Ctx) -> CheckResult {
    let owned = g::items(100, ITEM_LEN);
    let items = g::as_strs(&owned);
    let want = items.concat();
    let estimate = items.len() * 10;
    let mut ev = Evidence::new(
        "100 items of 9 B; the seed's code on a model of Go slices, then the Rust build",
    );
    let mut len_n = GoBytePool::new(true);
    let out = bytepool::build_string_seed_port(&mut len_n, &items);
    let stale = out.bytes().take_while(|&b| b == 0).count();
    ev.add("Get(n) has length n: output bytes", out.len() as f64, Unit::Bytes);
    ev.add("Get(n) has length n: leading zero bytes", stale as f64, Unit::Bytes);
    let put_back_len = len_n.pooled().first().map_or(0, |s| s.len());
    ev.add(
        "Get(n) has length n: length of the slice put back",
        put_back_len as f64,
        Unit::Bytes,
    );
    let long = g::items(100, 15);
    let long_items = g::as_strs(&long);
    let mut len_0 = GoBytePool::new(false);
    let out0 = bytepool::build_string_seed_port(&mut len_0, &long_items);
    let put_back_cap = len_0.pooled().first().map_or(0, |s| s.cap());
    ev.add(
        "Get(n) has length 0, 15 B items: output correct",
        f64::from(out0 == long_items.concat()),
        Unit::Bool,
    );
    ev.add(
        "Get(n) has length 0, 15 B items: capacity put back",
        put_back_cap as f64,
        Unit::Bytes,
    );
    let mut pool = BytePool::default();
    let rust_out = bytepool::build_string_pooled(&mut pool, &long_items);
    let rust_ok = rust_out == long_items.concat();
    let rust_cap = pool.capacities().first().copied().unwrap_or(0);
    ev.add("Rust build: output correct", f64::from(rust_ok), Unit::Bool);
    ev.add("Rust build: capacity put back", rust_cap as f64, Unit::Bytes);
    let reproduced = out != want && stale == estimate && rust_ok;
    Ok(Finding::new(
        Verdict::confirmed_if(reproduced),
        format!(
            "with Get(n) of length n the output starts with {stale} zero bytes ({} B \
             instead of {} B); with length 0 the pool gets back the {put_back_cap} B \
             array, not the grown one; the Rust build returns its {rust_cap} B buffer \
             and is correct: {rust_ok}",
            out.len(),
            want.len()
        ),
        ev,
    ))
}
