//! Claims about the seeds' pool code, checked on the faithful ports (and the
//! fixes beside them): lengths, pointers, statistics, leaks. Allocation
//! counts and contents, no timing.

use crate::claims::Outcome::{Confirmed, HoldsOnlyWhen, Refuted};
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Rule, Threshold, Unit, Verdict, example,
};
use crate::pools::figures;
use crate::pools::lifecycle::BIG;
use crate::pools::stale_data::HELLO;
use crate::table::format_bytes;

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

const NEW_CAP: &str = "capacity of a new buffer";
const LEN_AFTER: &str = "length after put + get";
const SAME: &str = "same buffer after put + get";
const OVERSIZED: &str = "size of the oversized buffer";
const SEED_KEEPS: &str = "bytes the seed's BufferPool keeps after it is put";
const CAPPED_FREES: &str = "bytes the capped pool frees when it is put";

/// C000-07: seed 000's `BufferPool` (4 KB, `Put` reslices to 0) reuses its
/// buffers. Measures the reset on the typed pool that keeps the semantics,
/// and what the port and a capped pool do with one oversized buffer.
pub fn c000_07_buffer_pool_reset(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::buffer_pool_costs(ctx)?;
    let mut ev = Evidence::new(
        "typed pool with BufferRecycler (4 KiB new, cap 1 MiB) vs the port of seed \
         000's BufferPool over a sync.Pool model; one untouched 64 MiB Vec put into each",
    );
    ev.add(NEW_CAP, d.fixed_new_capacity as f64, Unit::Bytes);
    ev.add(LEN_AFTER, d.fixed_after_put.0 as f64, Unit::Count);
    ev.add(SAME, flag(d.fixed_after_put.1), Unit::Bool);
    ev.add(OVERSIZED, BIG as f64, Unit::Bytes);
    let kept = ev.add(SEED_KEEPS, d.seed_retained_after_big as f64, Unit::Bytes);
    let freed = ev.add(CAPPED_FREES, d.fixed_freed_on_big_put as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "a reused buffer has length {} and capacity {} (same buffer: {}); after one \
             64 MiB request the seed's pool keeps {}, a capped one frees {}",
            d.fixed_after_put.0,
            d.fixed_new_capacity,
            d.fixed_after_put.1,
            format_bytes(kept),
            format_bytes(freed)
        ),
    ))
}

/// C000-07: refuted when the reset loses the capacity or the buffer;
/// confirmed when it works and the uncapped pool keeps no oversized buffer;
/// holds only when a cap drops what the seed's pool keeps.
pub const C000_07: Rule = Rule {
    says: "refuted when a reused buffer is not the same, empty buffer of at least \
           seed_capacity; confirmed when it is and the seed's pool keeps less than the \
           oversized buffer; holds only when (a cap) the capped pool frees what the \
           seed's keeps",
    inputs: &[NEW_CAP, LEN_AFTER, SAME, OVERSIZED, SEED_KEEPS, CAPPED_FREES],
    thresholds: &[Threshold {
        name: "seed_capacity",
        value: 4096.0,
        unit: Unit::Bytes,
        source: "seed 000 §1.2.1 L199: make([]byte, 0, 4096) // 4KB",
    }],
    decide: |f| {
        let reset_ok = f.get(NEW_CAP) >= f.limit("seed_capacity")
            && f.get(LEN_AFTER) == 0.0
            && f.get(SAME) == 1.0;
        if !reset_ok {
            return Verdict::Refuted;
        }
        let big = f.get(OVERSIZED);
        if f.get(SEED_KEEPS) < big {
            Verdict::Confirmed
        } else if f.get(CAPPED_FREES) >= big {
            f.holds_only_when(
                "Put also drops buffers above a capacity cap: without one, a single \
                 large request pins its buffer in the pool (Go issue 23199)",
                CAPPED_FREES,
                SEED_KEEPS,
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                (NEW_CAP, 4096.0),
                (LEN_AFTER, 0.0),
                (SAME, 1.0),
                (OVERSIZED, 64.0),
                (SEED_KEEPS, 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (NEW_CAP, 4096.0),
                (LEN_AFTER, 0.0),
                (SAME, 1.0),
                (OVERSIZED, 64.0),
                (SEED_KEEPS, 64.0),
                (CAPPED_FREES, 64.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                (NEW_CAP, 4096.0),
                (LEN_AFTER, 0.0),
                (SAME, 1.0),
                (OVERSIZED, 64.0),
                (SEED_KEEPS, 64.0),
                (CAPPED_FREES, 0.0),
            ],
            Refuted,
        ),
        example(&[(NEW_CAP, 4096.0), (LEN_AFTER, 3.0), (SAME, 1.0)], Refuted),
        example(&[(NEW_CAP, 1024.0), (LEN_AFTER, 0.0), (SAME, 1.0)], Refuted),
    ],
};

const POOLS: &str = "per-size pools in the seed's allocator";
const CLASSES: &str = "power-of-two classes for the same sizes";

/// C001-14: seed 001's `SimpleAllocator` "is TCMalloc". Requests every size
/// `1 ..= n` and counts its pools against the size classes they round to.
pub fn c001_14_not_tcmalloc(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::simple_allocator(ctx)?;
    let mut ev = Evidence::new(format!(
        "port of seed 001's SimpleAllocator; Allocate/Free of every size 1 ..= {}",
        d.sizes
    ));
    ev.add("sizes requested", d.sizes as f64, Unit::Count);
    let p = ev.add(POOLS, d.pools_after_sizes as f64, Unit::Count);
    let c = ev.add(CLASSES, d.classes_for_sizes as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "{} sizes make {p} pools (one per exact size, behind one global mutex); \
             power-of-two size classes would need {c}",
            d.sizes
        ),
    ))
}

/// C001-14: TCMalloc rounds requests to a bounded set of size classes.
pub const C001_14: Rule = Rule {
    says: "confirmed when the seed's allocator keeps no more pools than power-of-two \
           size classes would need; refuted when it keeps more (one per exact size)",
    inputs: &[POOLS, CLASSES],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(POOLS) <= f.get(CLASSES)),
    examples: &[
        example(&[(POOLS, 8.0), (CLASSES, 8.0)], Confirmed),
        example(&[(POOLS, 1000.0), (CLASSES, 8.0)], Refuted),
    ],
};

const USAGE_DOUBLE: &str = "CurrentUsage after Allocate(100) + 2 × Free";
const USAGE_RESLICED: &str = "CurrentUsage after Allocate(100) + Free(buf[:10])";
const STATS_HITS: &str = "TotalAllocated over the pool hits";
const HEAP_HITS: &str = "heap allocations over the same hits";

/// C001-15: the `SimpleAllocator`'s statistics are correct.
pub fn c001_15_allocator_stats(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::simple_allocator(ctx)?;
    let mut ev = Evidence::new(format!(
        "port of seed 001's SimpleAllocator stats (uint64, wrapping as in Go); {} pool \
         hits after one warm-up",
        d.hits
    ));
    ev.add(USAGE_DOUBLE, d.usage_after_double_free as f64, Unit::Count);
    ev.add(USAGE_RESLICED, d.usage_after_resliced_free as f64, Unit::Count);
    ev.add(STATS_HITS, d.stats_bytes_during_hits as f64, Unit::Bytes);
    ev.add(HEAP_HITS, d.heap_allocs_during_hits as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "CurrentUsage reads {} after a double Free and {} after freeing buf[:10] \
             (both should be 0); {} hits report {} allocated while the heap allocated {} \
             times",
            d.usage_after_double_free,
            d.usage_after_resliced_free,
            d.hits,
            format_bytes(d.stats_bytes_during_hits as f64),
            d.heap_allocs_during_hits
        ),
    ))
}

/// C001-15: correct stats read 0 after every buffer came back, and count
/// bytes allocated only when the heap allocated.
pub const C001_15: Rule = Rule {
    says: "confirmed when CurrentUsage is 0 after a double free and after a resliced \
           free, and TotalAllocated grows over pool hits only if the heap allocated; \
           refuted otherwise",
    inputs: &[USAGE_DOUBLE, USAGE_RESLICED, STATS_HITS, HEAP_HITS],
    thresholds: &[],
    decide: |f| {
        let usage_ok = f.get(USAGE_DOUBLE) == 0.0 && f.get(USAGE_RESLICED) == 0.0;
        let hits_ok = (f.get(STATS_HITS) == 0.0) == (f.get(HEAP_HITS) == 0.0);
        f.confirmed_if(usage_ok && hits_ok)
    },
    examples: &[
        example(
            &[
                (USAGE_DOUBLE, 0.0),
                (USAGE_RESLICED, 0.0),
                (STATS_HITS, 0.0),
                (HEAP_HITS, 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (USAGE_DOUBLE, 1.8e19),
                (USAGE_RESLICED, 90.0),
                (STATS_HITS, 64e3),
                (HEAP_HITS, 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                (USAGE_DOUBLE, 0.0),
                (USAGE_RESLICED, 0.0),
                (STATS_HITS, 64e3),
                (HEAP_HITS, 0.0),
            ],
            Refuted,
        ),
    ],
};

const GET_EMPTY: &str = "allocations of Get on an empty pool";
const GET_REUSE: &str = "allocations of Get after a Put";
const SIZE_BEFORE: &str = "size set before Put";
const SIZE_POINTER: &str = "size after Put + Get, T = *Buffer";
const BOUND: &str = "channel size";
const IDLE_OVER: &str = "idle objects after channel size + 1 Puts";
const FREED_OVER: &str = "bytes freed by the Put past the channel size";

/// C001-24: seed 001's channel pool gets a pooled object or makes one, and
/// `Put` resets and drops when full. Measured on the port with a pointer `T`,
/// the shape in which the seed's `reset func(T)` can work in Go (with its
/// example's value `T` the reset is lost: D35).
pub fn c001_24_channel_pool(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::value_reset(ctx)?;
    let mut ev = Evidence::new(
        "port of seed 001's channel ObjectPool (§6.1.1.5.1) with T = *Buffer (a shared \
         pointer), reset func(T) on a copy of the pointer",
    );
    ev.add(GET_EMPTY, d.allocs_get_empty as f64, Unit::Count);
    ev.add(GET_REUSE, d.allocs_get_reuse as f64, Unit::Count);
    ev.add(SIZE_BEFORE, d.size_before_put as f64, Unit::Count);
    ev.add(SIZE_POINTER, d.seed_pointer_size_after_put as f64, Unit::Count);
    ev.add(BOUND, d.bound as f64, Unit::Count);
    ev.add(IDLE_OVER, d.idle_after_overfill as f64, Unit::Count);
    ev.add(FREED_OVER, d.bytes_freed_by_overfill as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "Get makes a new object ({} allocations) or reuses one ({}); Put resets size \
             {} → {} and, past {} idle, drops the object ({} freed)",
            d.allocs_get_empty,
            d.allocs_get_reuse,
            d.size_before_put,
            d.seed_pointer_size_after_put,
            d.bound,
            format_bytes(d.bytes_freed_by_overfill as f64)
        ),
    ))
}

/// C001-24: the mechanism works when every part of it is seen.
pub const C001_24: Rule = Rule {
    says: "confirmed when Get on an empty pool allocates and after a Put does not, Put \
           resets the object, and a Put past the channel size frees the object and \
           leaves the channel full; refuted otherwise",
    inputs: &[
        GET_EMPTY,
        GET_REUSE,
        SIZE_BEFORE,
        SIZE_POINTER,
        BOUND,
        IDLE_OVER,
        FREED_OVER,
    ],
    thresholds: &[],
    decide: |f| {
        let gets = f.get(GET_EMPTY) >= 1.0 && f.get(GET_REUSE) == 0.0;
        let resets = f.get(SIZE_BEFORE) != 0.0 && f.get(SIZE_POINTER) == 0.0;
        let drops = f.get(IDLE_OVER) == f.get(BOUND) && f.get(FREED_OVER) > 0.0;
        f.confirmed_if(gets && resets && drops)
    },
    examples: &[
        example(
            &[
                (GET_EMPTY, 2.0),
                (GET_REUSE, 0.0),
                (SIZE_BEFORE, 5.0),
                (SIZE_POINTER, 0.0),
                (BOUND, 2.0),
                (IDLE_OVER, 2.0),
                (FREED_OVER, 1072.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (GET_EMPTY, 2.0),
                (GET_REUSE, 0.0),
                (SIZE_BEFORE, 5.0),
                (SIZE_POINTER, 5.0),
                (BOUND, 2.0),
                (IDLE_OVER, 2.0),
                (FREED_OVER, 1072.0),
            ],
            Refuted,
        ),
        example(
            &[
                (GET_EMPTY, 2.0),
                (GET_REUSE, 2.0),
                (SIZE_BEFORE, 5.0),
                (SIZE_POINTER, 0.0),
                (BOUND, 2.0),
                (IDLE_OVER, 3.0),
                (FREED_OVER, 0.0),
            ],
            Refuted,
        ),
    ],
};

const REQUESTED: &str = "requested length";
const SEED_LEN: &str = "length of Allocate(100), seed";
const SEED_NEXT: &str = "allocations of Allocate(100) after Free(buf[:10]), seed";

/// C001-28: seed 001's tiered pool picks the class, frees to the class.
pub fn c001_28_tiered_pool(ctx: &Ctx) -> Result<Measured, CheckError> {
    let l = figures::class_length(ctx)?;
    let t = figures::truncated_reuse(ctx)?;
    let mut ev = Evidence::new(
        "port of seed 001's tiered MemoryPool (classes 8 … 4096) vs SizeClassPool",
    );
    ev.add(REQUESTED, l.requested as f64, Unit::Count);
    ev.add(SEED_LEN, l.seed_len as f64, Unit::Count);
    ev.add("stale bytes past 100, seed", l.seed_stale as f64, Unit::Count);
    ev.add(SEED_NEXT, t.seed_allocs_next as f64, Unit::Count);
    ev.add("length of get(100), fix", l.fixed_len as f64, Unit::Count);
    ev.add("capacity of get(100), fix", l.fixed_capacity as f64, Unit::Count);
    ev.add(
        "allocations of get(100) after a truncated put, fix",
        t.fixed_allocs_next as f64,
        Unit::Count,
    );
    Ok(Measured::new(
        ev,
        format!(
            "Allocate(100) returns length {} with {} stale bytes; a truncated buffer is \
             dropped (the next Allocate makes {} allocation); the fix: length {}, \
             capacity {}, {} allocations",
            l.seed_len,
            l.seed_stale,
            t.seed_allocs_next,
            l.fixed_len,
            l.fixed_capacity,
            t.fixed_allocs_next
        ),
    ))
}

/// C001-28: as described, `Allocate(100)` hands out 100 bytes and a freed
/// buffer goes back to its class (the next request reuses it).
pub const C001_28: Rule = Rule {
    says: "confirmed when Allocate(100) has the requested length and a buffer freed \
           after reslicing is reused; refuted otherwise",
    inputs: &[REQUESTED, SEED_LEN, SEED_NEXT],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get(SEED_LEN) == f.get(REQUESTED) && f.get(SEED_NEXT) == 0.0)
    },
    examples: &[
        example(&[(REQUESTED, 100.0), (SEED_LEN, 100.0), (SEED_NEXT, 0.0)], Confirmed),
        example(&[(REQUESTED, 100.0), (SEED_LEN, 128.0), (SEED_NEXT, 1.0)], Refuted),
        example(&[(REQUESTED, 100.0), (SEED_LEN, 100.0), (SEED_NEXT, 1.0)], Refuted),
    ],
};

const SHARED: &str = "thread B got thread A's buffer, seed ThreadLocalPool";

/// C001-29: seed 001's `ThreadLocalPool` is thread-local. Thread A puts a
/// buffer back and waits; thread B, alive beside it, gets one.
pub fn c001_29_thread_local_pool(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::thread_locality(ctx)?;
    let mut ev = Evidence::new(format!(
        "two threads, A kept alive while B runs; then {} get/put cycles of 4 KiB per \
         thread in a thread_local! pool",
        d.cycles
    ));
    ev.add(SHARED, flag(d.seed_shared), Unit::Bool);
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
    Ok(Measured::new(
        ev,
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
    ))
}

/// C001-29: a thread-local pool never hands one thread's buffer to another.
pub const C001_29: Rule = Rule {
    says: "confirmed when thread B does not receive thread A's buffer; refuted when it does",
    inputs: &[SHARED],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get(SHARED) == 0.0),
    examples: &[example(&[(SHARED, 0.0)], Confirmed), example(&[(SHARED, 1.0)], Refuted)],
};

const SEED_RESP_LEN: &str = "response 2 length, seed";
const WROTE: &str = "bytes request 2's handler wrote";
const SEED_LEAKS: &str = "response 2 contains request 1's secret, seed";

/// C001-43: seed 001's `OptimizedHTTPServer` uses a pool "to optimise
/// memory". Two requests through the port: does the second response carry
/// the first's secret, and is it the handler's length?
pub fn c001_43_http_server(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::stale_response(ctx)?;
    let mut ev = Evidence::new(
        "request 1 writes a secret, request 2 writes `hello bob`; the port of seed \
         001's ServeHTTP vs case_studies::serve",
    );
    ev.add(SEED_RESP_LEN, d.seed_len as f64, Unit::Bytes);
    ev.add(WROTE, HELLO.len() as f64, Unit::Bytes);
    ev.add(SEED_LEAKS, flag(d.seed_leaks), Unit::Bool);
    ev.add("response 2 length, fix", d.fixed_len as f64, Unit::Bytes);
    ev.add("response 2 contains the secret, fix", flag(d.fixed_leaks), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the seed sends {} bytes for a {}-byte response, the previous request's \
             secret included ({}); the fix sends {} bytes (secret: {})",
            d.seed_len,
            HELLO.len(),
            d.seed_leaks,
            d.fixed_len,
            d.fixed_leaks
        ),
    ))
}

/// C001-43: a pooled response buffer that "optimises" sends what the handler
/// wrote and nothing of another request.
pub const C001_43: Rule = Rule {
    says: "confirmed when response 2 is as long as its handler wrote and carries no \
           byte of request 1's secret; refuted otherwise",
    inputs: &[SEED_RESP_LEN, WROTE, SEED_LEAKS],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get(SEED_LEAKS) == 0.0 && f.get(SEED_RESP_LEN) == f.get(WROTE))
    },
    examples: &[
        example(&[(SEED_RESP_LEN, 9.0), (WROTE, 9.0), (SEED_LEAKS, 0.0)], Confirmed),
        example(&[(SEED_RESP_LEN, 4096.0), (WROTE, 9.0), (SEED_LEAKS, 1.0)], Refuted),
        example(&[(SEED_RESP_LEN, 4096.0), (WROTE, 9.0), (SEED_LEAKS, 0.0)], Refuted),
    ],
};

const SEED_ALLOCS: &str = "allocations, seed's pooled stage";
const COPY_ALLOCS: &str = "allocations, plain copy (no pool)";
const WRONG_LEN: &str = "outputs of the wrong length, seed";

/// C001-44: seed 001's `MemoryOptimizedPipeline` "reduces allocations" with
/// its pool. Counts the port's allocations against a plain copy per item.
pub fn c001_44_pipeline(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::pipeline(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} items of 1 … 5000 bytes through each stage, after a warm-up",
        d.items
    ));
    ev.add(SEED_ALLOCS, d.seed_allocs as f64, Unit::Count);
    ev.add(COPY_ALLOCS, d.copy_allocs as f64, Unit::Count);
    ev.add("allocations, move + in place", d.move_allocs as f64, Unit::Count);
    ev.add(WRONG_LEN, d.seed_wrong_len as f64, Unit::Count);
    ev.add(
        "output length for a 100-byte input, seed",
        d.seed_len_of_100 as f64,
        Unit::Bytes,
    );
    Ok(Measured::new(
        ev,
        format!(
            "the pooled stage allocates {} times for {} items (a plain copy: {}) and {} \
             outputs have the wrong length; moving the item: {} allocations",
            d.seed_allocs, d.items, d.copy_allocs, d.seed_wrong_len, d.move_allocs
        ),
    ))
}

/// C001-44: the pool reduces allocations below a plain copy, without
/// changing what the stage outputs.
pub const C001_44: Rule = Rule {
    says: "confirmed when the pooled stage allocates less than a plain copy per item \
           and every output has its input's length; refuted otherwise",
    inputs: &[SEED_ALLOCS, COPY_ALLOCS, WRONG_LEN],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(f.get(SEED_ALLOCS) < f.get(COPY_ALLOCS) && f.get(WRONG_LEN) == 0.0)
    },
    examples: &[
        example(
            &[(SEED_ALLOCS, 0.0), (COPY_ALLOCS, 2000.0), (WRONG_LEN, 0.0)],
            Confirmed,
        ),
        example(
            &[(SEED_ALLOCS, 2342.0), (COPY_ALLOCS, 2000.0), (WRONG_LEN, 1655.0)],
            Refuted,
        ),
        example(&[(SEED_ALLOCS, 10.0), (COPY_ALLOCS, 2000.0), (WRONG_LEN, 3.0)], Refuted),
    ],
};
