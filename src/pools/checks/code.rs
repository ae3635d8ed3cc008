//! Claim checks on the seeds' pool code: what the ports do beside their
//! fixes (lengths, pointers, statistics, leaks). Deterministic: no timing.

use super::CheckResult;
use crate::claims::{Ctx, Evidence, Finding, Unit, Verdict};
use crate::pools::demos;
use crate::table::format_bytes;

pub(crate) fn c000_07(_ctx: &Ctx) -> CheckResult {
    let d = demos::buffer_pool_costs(100);
    let mut ev = Evidence::new(
        "typed pool with BufferRecycler (4 KiB new, cap 1 MiB) vs a port of seed 000's \
         BufferPool over a sync.Pool model; a 64 MiB Vec (untouched) put into each",
    );
    ev.add("capacity of a new buffer", d.fixed_new_capacity as f64, Unit::Bytes);
    ev.add("len after put + get", d.fixed_after_put.0 as f64, Unit::Count);
    ev.add(
        "same buffer after put + get",
        f64::from(u8::from(d.fixed_after_put.1)),
        Unit::Bool,
    );
    let kept = ev.add(
        "bytes the seed pool keeps after the 64 MiB put",
        d.seed_retained_after_big as f64,
        Unit::Bytes,
    );
    ev.add(
        "bytes freed by the capped pool's put",
        d.fixed_freed_on_big_put as f64,
        Unit::Bytes,
    );
    let reset_ok = d.fixed_new_capacity >= 4096 && d.fixed_after_put == (0, true);
    let unbounded = kept >= demos::BIG as f64;
    let verdict = match (reset_ok, unbounded) {
        (false, _) => Verdict::Refuted,
        (true, false) => Verdict::Confirmed,
        (true, true) => Verdict::unruled_holds_only_when(
            "Put also drops buffers above a capacity cap: without one, a single large \
             request pins its buffer in the pool (Go issue 23199)",
        ),
    };
    Ok(Finding::new(
        verdict,
        format!(
            "reset keeps capacity {} and len {} (same buffer: {}); the uncapped pool \
             keeps {} after one big request, the capped one frees {}",
            d.fixed_new_capacity,
            d.fixed_after_put.0,
            d.fixed_after_put.1,
            format_bytes(kept),
            format_bytes(d.fixed_freed_on_big_put as f64)
        ),
        ev,
    ))
}

pub(crate) fn c001_14(ctx: &Ctx) -> CheckResult {
    let sizes = ctx.pick(1000, 200);
    let d = demos::simple_allocator(100, sizes);
    let mut ev = Evidence::new(format!(
        "port of seed 001's SimpleAllocator; Allocate/Free of every size 1 ..= {sizes}"
    ));
    let pools = ev.add(
        "per-size pools in the seed allocator",
        d.pools_after_sizes as f64,
        Unit::Count,
    );
    ev.add(
        "power-of-two classes for the same sizes",
        d.classes_for_sizes as f64,
        Unit::Count,
    );
    // TCMalloc (and glibc, jemalloc, mimalloc) round sizes to a bounded set of
    // classes; one pool per distinct size is not a size-class design.
    let has_size_classes = (pools as usize) < sizes;
    Ok(Finding::new(
        Verdict::confirmed_if(has_size_classes),
        format!(
            "{} sizes make {} pools (one per exact size, behind one global mutex); \
             size classes would need {}",
            sizes, d.pools_after_sizes, d.classes_for_sizes
        ),
        ev,
    ))
}

pub(crate) fn c001_15(_ctx: &Ctx) -> CheckResult {
    let d = demos::simple_allocator(1000, 16);
    let mut ev = Evidence::new(
        "port of seed 001's SimpleAllocator stats (uint64, wrapping as in Go)",
    );
    ev.add(
        "CurrentUsage after Allocate(100) + 2 × Free",
        d.usage_after_double_free as f64,
        Unit::Count,
    );
    ev.add(
        "CurrentUsage after Allocate(100) + Free(buf[:10])",
        d.usage_after_resliced_free as f64,
        Unit::Count,
    );
    ev.add(
        "TotalAllocated over the pool hits",
        d.stats_bytes_during_hits as f64,
        Unit::Bytes,
    );
    ev.add(
        "heap allocations over the same hits",
        d.heap_allocs_during_hits as f64,
        Unit::Count,
    );
    let correct = d.usage_after_double_free == 0
        && d.usage_after_resliced_free == 0
        && (d.stats_bytes_during_hits == 0) == (d.heap_allocs_during_hits == 0);
    Ok(Finding::new(
        Verdict::confirmed_if(correct),
        format!(
            "CurrentUsage reads {} after a double Free and {} after freeing buf[:10] \
             (both should be 0); {} hits report {} allocated while the heap allocated {} times",
            d.usage_after_double_free,
            d.usage_after_resliced_free,
            d.hits,
            format_bytes(d.stats_bytes_during_hits as f64),
            d.heap_allocs_during_hits
        ),
        ev,
    ))
}

pub(crate) fn c001_24(_ctx: &Ctx) -> CheckResult {
    let d = demos::value_reset();
    let mut ev = Evidence::new(
        "Pool<QueueStore> bounded at 2 with reset: fn(&mut Buffer); seed port with \
         reset: func(T) on a copy, for comparison",
    );
    ev.add("allocations of get on an empty pool", d.allocs_get_empty as f64, Unit::Count);
    ev.add("allocations of get after a put", d.allocs_get_reuse as f64, Unit::Count);
    ev.add(
        "size after put (reset through &mut)",
        d.fixed_size_after_put as f64,
        Unit::Count,
    );
    ev.add(
        "size after put (seed's reset on a copy)",
        d.seed_size_after_put as f64,
        Unit::Count,
    );
    ev.add(
        "idle objects after 3 puts into 2 slots",
        d.idle_after_overfill as f64,
        Unit::Count,
    );
    ev.add("bytes freed by the third put", d.bytes_freed_by_overfill as f64, Unit::Bytes);
    let works = d.allocs_get_empty >= 1
        && d.allocs_get_reuse == 0
        && d.fixed_size_after_put == 0
        && d.idle_after_overfill == 2
        && d.bytes_freed_by_overfill >= 1024;
    Ok(Finding::new(
        Verdict::confirmed_if(works),
        format!(
            "get reuses ({} allocs) or creates ({}); put resets size 5 → {} and drops \
             the object past the bound ({} B freed); the seed's value reset leaves size {}",
            d.allocs_get_reuse,
            d.allocs_get_empty,
            d.fixed_size_after_put,
            d.bytes_freed_by_overfill,
            d.seed_size_after_put
        ),
        ev,
    ))
}

pub(crate) fn c001_28(_ctx: &Ctx) -> CheckResult {
    let l = demos::class_length();
    let t = demos::truncated_reuse();
    let mut ev = Evidence::new(
        "port of seed 001's tiered MemoryPool (classes 8 … 4096) vs SizeClassPool",
    );
    ev.add("len of Allocate(100), seed", l.seed_len as f64, Unit::Count);
    ev.add("stale bytes past 100, seed", l.seed_stale as f64, Unit::Count);
    ev.add("idle after Free(buf[:10]), seed", t.seed_idle_after_free as f64, Unit::Count);
    ev.add(
        "allocations of the next Allocate(100), seed",
        t.seed_allocs_next as f64,
        Unit::Count,
    );
    ev.add("len / capacity of get(100), fix", l.fixed_len as f64, Unit::Count);
    ev.add("capacity of get(100), fix", l.fixed_capacity as f64, Unit::Count);
    ev.add(
        "allocations of get(100) after a truncated put, fix",
        t.fixed_allocs_next as f64,
        Unit::Count,
    );
    let as_claimed = l.seed_len == 100 && t.seed_allocs_next == 0;
    Ok(Finding::new(
        Verdict::confirmed_if(as_claimed),
        format!(
            "Allocate(100) returns len {} with {} stale bytes; a truncated buffer is \
             dropped (next Allocate makes {} allocation); the fix: len {}, cap {}, {} allocations",
            l.seed_len,
            l.seed_stale,
            t.seed_allocs_next,
            l.fixed_len,
            l.fixed_capacity,
            t.fixed_allocs_next
        ),
        ev,
    ))
}

pub(crate) fn c001_29(ctx: &Ctx) -> CheckResult {
    let d = demos::thread_locality(ctx.pick(1000, 200), ctx.pick(1000, 100));
    let mut ev = Evidence::new(format!(
        "two threads, thread A kept alive while B runs; {} get/put cycles of 4 KiB per thread",
        d.cycles
    ));
    ev.add(
        "B got A's buffer, seed ThreadLocalPool",
        f64::from(u8::from(d.seed_shared)),
        Unit::Bool,
    );
    ev.add(
        "map entries after sizes 1 ..= n, seed",
        d.seed_map_entries as f64,
        Unit::Count,
    );
    ev.add(
        "buffers seen by both threads, thread_local!",
        d.tls_common_pointers as f64,
        Unit::Count,
    );
    ev.add(
        "allocations, thread A, thread_local!",
        d.tls_allocs_per_thread[0] as f64,
        Unit::Count,
    );
    ev.add(
        "allocations, thread B, thread_local!",
        d.tls_allocs_per_thread[1] as f64,
        Unit::Count,
    );
    Ok(Finding::new(
        Verdict::confirmed_if(!d.seed_shared),
        format!(
            "the seed's pool gives thread B thread A's buffer ({}) and keeps {} map \
             entries for {} sizes; thread_local!: {} shared buffers, {}/{} allocations",
            d.seed_shared,
            d.seed_map_entries,
            d.sizes,
            d.tls_common_pointers,
            d.tls_allocs_per_thread[0],
            d.tls_allocs_per_thread[1]
        ),
        ev,
    ))
}

pub(crate) fn c001_43(_ctx: &Ctx) -> CheckResult {
    let d = demos::stale_response();
    let mut ev = Evidence::new(
        "request 1 writes a secret, request 2 writes 9 bytes; seed ServeHTTP port vs \
         cases::serve",
    );
    ev.add("response 2 length, seed", d.seed_len as f64, Unit::Bytes);
    ev.add(
        "response 2 contains request 1's secret, seed",
        f64::from(u8::from(d.seed_leaks)),
        Unit::Bool,
    );
    ev.add("response 2 length, fix", d.fixed_len as f64, Unit::Bytes);
    ev.add(
        "response 2 contains the secret, fix",
        f64::from(u8::from(d.fixed_leaks)),
        Unit::Bool,
    );
    let optimises_safely = !d.seed_leaks && d.seed_len == demos::HELLO.len();
    Ok(Finding::new(
        Verdict::confirmed_if(optimises_safely),
        format!(
            "the seed sends {} bytes for a {}-byte response, including the previous \
             request's secret ({}); the fix sends {} bytes, secret: {}",
            d.seed_len,
            demos::HELLO.len(),
            d.seed_leaks,
            d.fixed_len,
            d.fixed_leaks
        ),
        ev,
    ))
}

pub(crate) fn c001_44(ctx: &Ctx) -> CheckResult {
    let d = demos::pipeline(ctx.pick(2000, 500));
    let mut ev = Evidence::new(format!(
        "{} items of 1 … 5000 bytes through each stage, after a warm-up",
        d.items
    ));
    ev.add("allocations, seed's pooled stage", d.seed_allocs as f64, Unit::Count);
    ev.add("allocations, plain copy (no pool)", d.copy_allocs as f64, Unit::Count);
    ev.add("allocations, move + in place", d.move_allocs as f64, Unit::Count);
    ev.add("outputs of the wrong length, seed", d.seed_wrong_len as f64, Unit::Count);
    ev.add(
        "output length for a 100-byte input, seed",
        d.seed_len_of_100 as f64,
        Unit::Bytes,
    );
    let reduces = d.seed_allocs < d.copy_allocs && d.seed_wrong_len == 0;
    Ok(Finding::new(
        Verdict::confirmed_if(reduces),
        format!(
            "the pooled stage allocates {} times for {} items, like a plain copy ({}), \
             and {} outputs have the wrong length; moving the item: {} allocations",
            d.seed_allocs, d.items, d.copy_allocs, d.seed_wrong_len, d.move_allocs
        ),
        ev,
    ))
}
