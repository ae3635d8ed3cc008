//! The chapter's seed-defect checks (`D…` ids). `Confirmed` reads
//! "reproduced": the faithful port shows the defect and the fix does not.
//! Three defects are Go compile errors; the workbook ships no Go toolchain,
//! so those are unverifiable here, with what can be shown in Rust beside them.

use super::CheckResult;
use crate::claims::{Ctx, Evidence, Finding, Unit, Verdict};
use crate::pools::demos;
use crate::table::format_bytes;

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// Reproduced when the port shows the defect and the fix does not.
fn reproduced(port_shows_it: bool, fix_shows_it: bool) -> Verdict {
    Verdict::confirmed_if(port_shows_it && !fix_shows_it)
}

pub(crate) fn d07(_ctx: &Ctx) -> CheckResult {
    Ok(Finding::new(
        Verdict::unverifiable(
            "an unused import is a compile error in Go (seed 000 imports \"time\" and \
             never uses it), but the workbook ships no Go toolchain to show it. The \
             Rust counterpart is the unused_imports lint: a warning, an error only \
             under #![deny(unused_imports)] or -D warnings.",
        ),
        "not checked here: needs a Go compiler",
        Evidence::new("nothing to run: the defect is a Go compile error"),
    ))
}

pub(crate) fn d08(ctx: &Ctx) -> CheckResult {
    let d = demos::buffer_pool_costs(ctx.pick(1000, 200));
    let mut ev = Evidence::new(format!(
        "{} get/put pairs after one warm-up, then one 64 MiB Vec (untouched) put",
        d.puts
    ));
    ev.add(
        "allocations per Put, sync.Pool model of []byte",
        d.seed_allocs as f64 / d.puts as f64,
        Unit::Count,
    );
    ev.add(
        "allocations per put, typed Rust pool",
        d.fixed_allocs as f64 / d.puts as f64,
        Unit::Count,
    );
    ev.add(
        "bytes kept after the big put, seed",
        d.seed_retained_after_big as f64,
        Unit::Bytes,
    );
    ev.add(
        "bytes freed by the big put, capped pool",
        d.fixed_freed_on_big_put as f64,
        Unit::Bytes,
    );
    let port = d.seed_allocs >= d.puts && d.seed_retained_after_big >= demos::BIG;
    let fix = d.fixed_allocs > 0 || d.fixed_freed_on_big_put < demos::BIG as u64;
    Ok(Finding::new(
        reproduced(port, fix),
        format!(
            "boxing into interface{{}}: {} allocations per {} Puts (typed pool: {}); \
             uncapped pool keeps {} after one big request (capped: frees {})",
            d.seed_allocs,
            d.puts,
            d.fixed_allocs,
            format_bytes(d.seed_retained_after_big as f64),
            format_bytes(d.fixed_freed_on_big_put as f64)
        ),
        ev,
    ))
}

pub(crate) fn d09(_ctx: &Ctx) -> CheckResult {
    let d = demos::idle_contents();
    let mut ev = Evidence::new(
        "a session with a secret and a 4 KiB body, put back into each pool",
    );
    ev.add(
        "idle object holds the secret, reset on Get (seed)",
        flag(d.seed_idle_has_secret),
        Unit::Bool,
    );
    ev.add(
        "bytes of user data kept idle, seed",
        d.seed_idle_data_bytes as f64,
        Unit::Bytes,
    );
    ev.add(
        "idle object holds the secret, reset on put (fix)",
        flag(d.fixed_idle_has_secret),
        Unit::Bool,
    );
    ev.add(
        "bytes of user data kept idle, fix",
        d.fixed_idle_data_bytes as f64,
        Unit::Bytes,
    );
    Ok(Finding::new(
        reproduced(d.seed_idle_has_secret, d.fixed_idle_has_secret),
        format!(
            "while idle, the seed's object keeps {} bytes of the last user's data (secret: {}); \
             reset on put keeps {}",
            d.seed_idle_data_bytes, d.seed_idle_has_secret, d.fixed_idle_data_bytes
        ),
        ev,
    ))
}

pub(crate) fn d31(ctx: &Ctx) -> CheckResult {
    let sizes = ctx.pick(1000, 200);
    let d = demos::simple_allocator(100, sizes);
    let mut ev = Evidence::new(
        "port of SimpleAllocator with Go slice headers (shared arrays); the fix's put \
         takes Vec<u8> by value, so a second put of the same buffer does not compile \
         (compile_fail doctest in pools::size_class)",
    );
    ev.add(
        "two Allocates alias one array after a double Free",
        flag(d.double_free_aliases),
        Unit::Bool,
    );
    ev.add(
        "the second caller reads the first caller's bytes",
        flag(d.alias_reads_other_users_data),
        Unit::Bool,
    );
    ev.add(
        "CurrentUsage after a double Free (uint64)",
        d.usage_after_double_free as f64,
        Unit::Count,
    );
    ev.add(
        format!("per-size pools after sizes 1 ..= {sizes}"),
        d.pools_after_sizes as f64,
        Unit::Count,
    );
    let port = d.double_free_aliases
        && d.alias_reads_other_users_data
        && d.usage_after_double_free > u64::MAX / 2
        && d.pools_after_sizes == sizes;
    Ok(Finding::new(
        // The fix cannot express a double put: `put(buf)` moves `buf`.
        reproduced(port, false),
        format!(
            "a double Free makes two callers share one buffer (the second reads \"alice\": {}); \
             CurrentUsage wraps to {}; {} sizes make {} pools",
            d.alias_reads_other_users_data,
            d.usage_after_double_free,
            sizes,
            d.pools_after_sizes
        ),
        ev,
    ))
}

pub(crate) fn d35(_ctx: &Ctx) -> CheckResult {
    let d = demos::value_reset();
    let mut ev = Evidence::new(
        "the compile error needs Go; beside it, the seed's declared func(T) reset ported \
         with a value copy vs fn(&mut T)",
    );
    ev.add("size after put, reset on a copy", d.seed_size_after_put as f64, Unit::Count);
    ev.add(
        "size after put, reset through &mut",
        d.fixed_size_after_put as f64,
        Unit::Count,
    );
    Ok(Finding::new(
        Verdict::unverifiable(
            "passing func(Buffer) Buffer where func(T) is expected is a Go type error; \
             the workbook ships no Go toolchain. What can be shown: with the declared \
             func(T) shape, the reset works on a copy and does nothing.",
        ),
        format!(
            "compile error not checked (no Go); the value reset leaves size {} where \
             fn(&mut T) gives {}",
            d.seed_size_after_put, d.fixed_size_after_put
        ),
        ev,
    ))
}

pub(crate) fn d38(_ctx: &Ctx) -> CheckResult {
    let d = demos::class_length();
    let mut ev = Evidence::new(
        "Allocate(100) after a user filled a 128-byte class buffer with 0xAA",
    );
    ev.add("len, seed", d.seed_len as f64, Unit::Count);
    ev.add("stale bytes visible, seed", d.seed_stale as f64, Unit::Count);
    ev.add("len, SizeClassPool", d.fixed_len as f64, Unit::Count);
    ev.add("capacity, SizeClassPool", d.fixed_capacity as f64, Unit::Count);
    ev.add("stale bytes visible, SizeClassPool", d.fixed_stale as f64, Unit::Count);
    Ok(Finding::new(
        reproduced(
            d.seed_len != 100 && d.seed_stale > 0,
            d.fixed_len != 100 || d.fixed_stale > 0,
        ),
        format!(
            "the seed hands out len {} with {} stale bytes; the fix: len {}, capacity {}, {} stale",
            d.seed_len, d.seed_stale, d.fixed_len, d.fixed_capacity, d.fixed_stale
        ),
        ev,
    ))
}

pub(crate) fn d39(_ctx: &Ctx) -> CheckResult {
    let d = demos::truncated_reuse();
    let mut ev = Evidence::new(
        "a buffer truncated to 10 bytes is returned, then 100 bytes requested",
    );
    ev.add("idle buffers after Free, seed", d.seed_idle_after_free as f64, Unit::Count);
    ev.add(
        "allocations of the next request, seed",
        d.seed_allocs_next as f64,
        Unit::Count,
    );
    ev.add(
        "idle buffers after put, SizeClassPool",
        d.fixed_idle_after_put as f64,
        Unit::Count,
    );
    ev.add(
        "allocations of the next request, SizeClassPool",
        d.fixed_allocs_next as f64,
        Unit::Count,
    );
    Ok(Finding::new(
        reproduced(
            d.seed_idle_after_free == 0 && d.seed_allocs_next > 0,
            d.fixed_allocs_next > 0 || !d.fixed_same_buffer,
        ),
        format!(
            "the seed drops the truncated buffer ({} idle, next request allocates {}×); \
             filing by capacity reuses it ({} allocations)",
            d.seed_idle_after_free, d.seed_allocs_next, d.fixed_allocs_next
        ),
        ev,
    ))
}

pub(crate) fn d40(ctx: &Ctx) -> CheckResult {
    let d = demos::thread_locality(ctx.pick(1000, 200), ctx.pick(1000, 100));
    let mut ev = Evidence::new("two live threads use each pool in turn");
    ev.add("thread B got thread A's buffer, seed", flag(d.seed_shared), Unit::Bool);
    ev.add(
        format!("map entries after sizes 1 ..= {}", d.sizes),
        d.seed_map_entries as f64,
        Unit::Count,
    );
    ev.add(
        "buffers both threads saw, thread_local!",
        d.tls_common_pointers as f64,
        Unit::Count,
    );
    Ok(Finding::new(
        reproduced(
            d.seed_shared && d.seed_map_entries == d.sizes,
            d.tls_common_pointers > 0,
        ),
        format!(
            "the seed's \"thread-local\" pool hands A's buffer to B ({}) and grows to {} \
             entries for {} sizes; thread_local! shares {} buffers",
            d.seed_shared, d.seed_map_entries, d.sizes, d.tls_common_pointers
        ),
        ev,
    ))
}

pub(crate) fn d47(_ctx: &Ctx) -> CheckResult {
    let d = demos::stale_response();
    let mut ev = Evidence::new(
        "request 1 writes a secret; request 2's handler writes `hello bob`",
    );
    ev.add("response 2 length, seed", d.seed_len as f64, Unit::Bytes);
    ev.add("response 2 leaks the secret, seed", flag(d.seed_leaks), Unit::Bool);
    ev.add("response 2 length, fix", d.fixed_len as f64, Unit::Bytes);
    ev.add("response 2 leaks the secret, fix", flag(d.fixed_leaks), Unit::Bool);
    Ok(Finding::new(
        reproduced(d.seed_leaks, d.fixed_leaks || !d.fixed_exact),
        format!(
            "bob receives {} bytes including alice's secret ({}); the fix sends exactly \
             his {} bytes",
            d.seed_len, d.seed_leaks, d.fixed_len
        ),
        ev,
    ))
}

pub(crate) fn d49(ctx: &Ctx) -> CheckResult {
    let d = demos::pipeline(ctx.pick(2000, 500));
    let mut ev = Evidence::new(format!("{} items of 1 … 5000 bytes", d.items));
    ev.add(
        "output length of a 100-byte item, seed",
        d.seed_len_of_100 as f64,
        Unit::Bytes,
    );
    ev.add(
        "stale bytes in it (from the previous item)",
        d.seed_stale_of_100 as f64,
        Unit::Count,
    );
    ev.add(
        "allocations per item, seed",
        d.seed_allocs as f64 / d.items as f64,
        Unit::Count,
    );
    ev.add(
        "allocations per item, move",
        d.move_allocs as f64 / d.items as f64,
        Unit::Count,
    );
    ev.add("wrong lengths, move", d.move_wrong_len as f64, Unit::Count);
    Ok(Finding::new(
        reproduced(
            d.seed_len_of_100 != 100 && d.seed_allocs >= d.items,
            d.move_wrong_len > 0 || d.move_allocs > 0,
        ),
        format!(
            "a 100-byte item comes out as {} bytes ({} stale), {} allocations per {} items; \
             moving the item: right length, {} allocations",
            d.seed_len_of_100, d.seed_stale_of_100, d.seed_allocs, d.items, d.move_allocs
        ),
        ev,
    ))
}

pub(crate) fn d58(_ctx: &Ctx) -> CheckResult {
    Ok(Finding::new(
        Verdict::unverifiable(
            "the snippet imports a placeholder path (github.com/yourusername/…) and has \
             statements outside any function: there is no code to compile or run.",
        ),
        "not checked here: no runnable code in the seed",
        Evidence::new("nothing to run"),
    ))
}
