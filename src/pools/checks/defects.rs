//! The seed defects (`D…` ids). A measured defect is *reproduced* when the
//! faithful port shows it and the fix beside it does not; every rule reads
//! both sides. Two are static: a Go compile error (D07) needs a Go compiler,
//! and a snippet that is not Go (D58) has nothing to run.

use crate::claims::Outcome::{Confirmed, Refuted};
use crate::claims::{CheckError, Ctx, Evidence, Measured, Rule, Unit, Verdict, example};
use crate::pools::figures;
use crate::pools::lifecycle::BIG;
use crate::pools::stale_data::HELLO;
use crate::pools::unused_import;
use crate::table::format_bytes;

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// Reproduced when the port fails and the fix passes; not reproduced otherwise.
fn reproduced(port_fails: bool, fix_passes: bool) -> Verdict {
    Verdict::confirmed_if(port_fails && fix_passes)
}

// ------------------------------------------------------------ D07

/// D07: seed 000 imports `time` and never uses it, a Go compile error.
pub fn d07_unused_import() -> Verdict {
    Verdict::unverifiable(
        "an unused import is a compile error in Go (seed 000 §1.2.1 L151-154 imports \
         \"time\" and never uses it); showing it needs a Go compiler, which this Rust \
         workbook does not run. The evidence shows the Rust counterpart, the \
         unused_imports lint.",
    )
}

/// D07's analogue: an unused `use` under `rustc`, default lints and `-D warnings`.
pub fn d07_analogue(_ctx: &Ctx) -> Result<Measured, CheckError> {
    let o = unused_import::compile().map_err(CheckError)?;
    let mut ev = Evidence::new(format!(
        "rustc --emit=metadata on the one-line crate {:?}",
        unused_import::SOURCE.trim()
    ));
    ev.add("compiles with the default lints", flag(o.compiles_by_default), Unit::Bool);
    ev.add("warns unused_imports", flag(o.warns_unused_import), Unit::Bool);
    ev.add("compiles with -D warnings", flag(o.compiles_denying_warnings), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "in Rust an unused import compiles: {} (warning: {}); with -D warnings: {}",
            o.compiles_by_default, o.warns_unused_import, o.compiles_denying_warnings
        ),
    ))
}

// ------------------------------------------------------------ D08

const BOXES: &str = "allocations per Put, sync.Pool of []byte (port)";
const TYPED: &str = "allocations per put, typed pool (fix)";
const OVERSIZED: &str = "size of the oversized buffer";
const PORT_KEEPS: &str = "bytes the port keeps after it is put";
const FIX_FREES: &str = "bytes the capped pool frees when it is put";

/// D08: `sync.Pool` of `[]byte` values boxes a slice header per `Put`, and
/// keeps buffers of any size.
pub fn d08_boxing_and_no_cap(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::buffer_pool_costs(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} get/put pairs after one warm-up, then one untouched 64 MiB Vec put; \
         interface{{}} modelled as Box<dyn Any>",
        d.puts
    ));
    ev.add(BOXES, d.seed_allocs as f64 / d.puts as f64, Unit::Count);
    ev.add(TYPED, d.fixed_allocs as f64 / d.puts as f64, Unit::Count);
    ev.add(OVERSIZED, BIG as f64, Unit::Bytes);
    ev.add(PORT_KEEPS, d.seed_retained_after_big as f64, Unit::Bytes);
    ev.add(FIX_FREES, d.fixed_freed_on_big_put as f64, Unit::Bytes);
    Ok(Measured::new(
        ev,
        format!(
            "boxing into interface{{}}: {} allocations per {} Puts (typed pool: {}); the \
             uncapped pool keeps {} after one big request (capped: frees {})",
            d.seed_allocs,
            d.puts,
            d.fixed_allocs,
            format_bytes(d.seed_retained_after_big as f64),
            format_bytes(d.fixed_freed_on_big_put as f64)
        ),
    ))
}

/// D08: the port boxes on every `Put` and keeps the oversized buffer; the
/// typed, capped pool does neither.
pub const D08: Rule = Rule {
    says: "reproduced when the port allocates on every Put and keeps the oversized \
           buffer while the typed pool allocates nothing and frees it",
    inputs: &[BOXES, TYPED, OVERSIZED, PORT_KEEPS, FIX_FREES],
    thresholds: &[],
    decide: |f| {
        let big = f.get(OVERSIZED);
        let port_fails = f.get(BOXES) >= 1.0 && f.get(PORT_KEEPS) >= big;
        let fix_passes = f.get(TYPED) == 0.0 && f.get(FIX_FREES) >= big;
        reproduced(port_fails, fix_passes)
    },
    examples: &[
        example(
            &[
                (BOXES, 1.0),
                (TYPED, 0.0),
                (OVERSIZED, 64.0),
                (PORT_KEEPS, 64.0),
                (FIX_FREES, 64.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (BOXES, 0.0),
                (TYPED, 0.0),
                (OVERSIZED, 64.0),
                (PORT_KEEPS, 64.0),
                (FIX_FREES, 64.0),
            ],
            Refuted,
        ),
        example(
            &[
                (BOXES, 1.0),
                (TYPED, 1.0),
                (OVERSIZED, 64.0),
                (PORT_KEEPS, 64.0),
                (FIX_FREES, 64.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D09

const SEED_SECRET: &str = "idle object holds the secret, reset on Get (port)";
const FIX_SECRET: &str = "idle object holds the secret, reset on put (fix)";

/// D09: seed 000's pool resets objects as they leave, so idle ones keep their
/// last user's data.
pub fn d09_reset_on_get(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::idle_contents(ctx)?;
    let mut ev = Evidence::new(
        "a session with a secret and a 4 KiB body, put back into each pool",
    );
    ev.add(SEED_SECRET, flag(d.seed_idle_has_secret), Unit::Bool);
    ev.add(
        "bytes of user data kept idle, port",
        d.seed_idle_data_bytes as f64,
        Unit::Bytes,
    );
    ev.add(FIX_SECRET, flag(d.fixed_idle_has_secret), Unit::Bool);
    ev.add(
        "bytes of user data kept idle, fix",
        d.fixed_idle_data_bytes as f64,
        Unit::Bytes,
    );
    Ok(Measured::new(
        ev,
        format!(
            "while idle, the port's object keeps {} bytes of the last user's data \
             (secret: {}); reset on put keeps {}",
            d.seed_idle_data_bytes, d.seed_idle_has_secret, d.fixed_idle_data_bytes
        ),
    ))
}

/// D09: the port's idle object holds the secret; the fix's does not.
pub const D09: Rule = Rule {
    says: "reproduced when the port's idle object holds the last user's secret and the \
           fix's does not",
    inputs: &[SEED_SECRET, FIX_SECRET],
    thresholds: &[],
    decide: |f| reproduced(f.get(SEED_SECRET) == 1.0, f.get(FIX_SECRET) == 0.0),
    examples: &[
        example(&[(SEED_SECRET, 1.0), (FIX_SECRET, 0.0)], Confirmed),
        example(&[(SEED_SECRET, 0.0), (FIX_SECRET, 0.0)], Refuted),
        example(&[(SEED_SECRET, 1.0), (FIX_SECRET, 1.0)], Refuted),
    ],
};

// ------------------------------------------------------------ D31

const ALIASES: &str = "two Allocates share one array after a double Free (port)";
const READS: &str = "the second caller reads the first caller's bytes (port)";
const SIZES: &str = "sizes requested";
const POOLS: &str = "per-size pools for those sizes (port)";
const FIX_ALIASES: &str = "two gets share one buffer after one put (fix)";
const CLASSES: &str = "size classes for those sizes (fix)";

/// D31: seed 001's `SimpleAllocator`: a double `Free` aliases two callers,
/// and one pool per exact size grows without bound.
pub fn d31_double_free(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::simple_allocator(ctx)?;
    let mut ev = Evidence::new(
        "port of SimpleAllocator with Go slice headers (shared arrays); the fix's put \
         takes Vec<u8> by value, so a second put of one buffer does not compile \
         (compile_fail doctest in pools::size_class)",
    );
    ev.add(ALIASES, flag(d.double_free_aliases), Unit::Bool);
    ev.add(READS, flag(d.alias_reads_other_users_data), Unit::Bool);
    ev.add(
        "CurrentUsage after a double Free (uint64, port)",
        d.usage_after_double_free as f64,
        Unit::Count,
    );
    ev.add(SIZES, d.sizes as f64, Unit::Count);
    ev.add(POOLS, d.pools_after_sizes as f64, Unit::Count);
    ev.add(FIX_ALIASES, flag(d.fixed_two_gets_alias), Unit::Bool);
    ev.add(CLASSES, d.classes_for_sizes as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "a double Free makes two callers share one buffer (the second reads \
             \"alice\": {}); CurrentUsage wraps to {}; {} sizes make {} pools; the fix: \
             {} size classes, two gets share a buffer: {}",
            d.alias_reads_other_users_data,
            d.usage_after_double_free,
            d.sizes,
            d.pools_after_sizes,
            d.classes_for_sizes,
            d.fixed_two_gets_alias
        ),
    ))
}

/// D31: the port aliases and grows a pool per size; the fix does neither.
pub const D31: Rule = Rule {
    says: "reproduced when, in the port, a double Free hands one array to two callers \
           and every size gets its own pool, while the fix hands out distinct buffers \
           and needs fewer classes than sizes",
    inputs: &[ALIASES, READS, SIZES, POOLS, FIX_ALIASES, CLASSES],
    thresholds: &[],
    decide: |f| {
        let sizes = f.get(SIZES);
        let port_fails =
            f.get(ALIASES) == 1.0 && f.get(READS) == 1.0 && f.get(POOLS) >= sizes;
        let fix_passes = f.get(FIX_ALIASES) == 0.0 && f.get(CLASSES) < sizes;
        reproduced(port_fails, fix_passes)
    },
    examples: &[
        example(
            &[
                (ALIASES, 1.0),
                (READS, 1.0),
                (SIZES, 1000.0),
                (POOLS, 1000.0),
                (FIX_ALIASES, 0.0),
                (CLASSES, 8.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (ALIASES, 0.0),
                (READS, 0.0),
                (SIZES, 1000.0),
                (POOLS, 8.0),
                (FIX_ALIASES, 0.0),
                (CLASSES, 8.0),
            ],
            Refuted,
        ),
        example(
            &[
                (ALIASES, 1.0),
                (READS, 1.0),
                (SIZES, 1000.0),
                (POOLS, 1000.0),
                (FIX_ALIASES, 1.0),
                (CLASSES, 8.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D35

const BEFORE: &str = "size set before Put";
const ON_COPY: &str = "size after Put + Get, reset func(T) on a value T (port)";
const THROUGH_MUT: &str = "size after put + get, reset fn(&mut T) (fix)";

/// D35: seed 001's channel pool resets a *copy* of a value `T`. (Its example
/// also passes a `func(Buffer) Buffer` where `func(T)` is expected, a Go type
/// error this Rust workbook cannot compile; the runtime half is measured.)
pub fn d35_reset_on_a_copy(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::value_reset(ctx)?;
    let mut ev = Evidence::new(
        "port of seed 001's channel ObjectPool with its example's value T = Buffer and \
         the declared reset func(T) (which gets a copy), beside the fix's fn(&mut T)",
    );
    ev.add(BEFORE, d.size_before_put as f64, Unit::Count);
    ev.add(ON_COPY, d.seed_value_size_after_put as f64, Unit::Count);
    ev.add(THROUGH_MUT, d.fixed_size_after_put as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "an object put back with size {} comes back with size {} (the reset changed \
             a copy); reset through &mut gives {}",
            d.size_before_put, d.seed_value_size_after_put, d.fixed_size_after_put
        ),
    ))
}

/// D35: the port's reset leaves the object as its user left it; the fix's
/// empties it.
pub const D35: Rule = Rule {
    says: "reproduced when the port's object comes back with the size its user set \
           (non-zero) and the fix's comes back with size 0",
    inputs: &[BEFORE, ON_COPY, THROUGH_MUT],
    thresholds: &[],
    decide: |f| {
        let before = f.get(BEFORE);
        reproduced(before != 0.0 && f.get(ON_COPY) == before, f.get(THROUGH_MUT) == 0.0)
    },
    examples: &[
        example(&[(BEFORE, 5.0), (ON_COPY, 5.0), (THROUGH_MUT, 0.0)], Confirmed),
        example(&[(BEFORE, 5.0), (ON_COPY, 0.0), (THROUGH_MUT, 0.0)], Refuted),
        example(&[(BEFORE, 5.0), (ON_COPY, 5.0), (THROUGH_MUT, 5.0)], Refuted),
    ],
};

// ------------------------------------------------------------ D38

const REQUESTED: &str = "requested length";
const SEED_LEN: &str = "length handed out (port)";
const SEED_STALE: &str = "stale bytes visible (port)";
const FIX_LEN: &str = "length handed out (fix)";
const FIX_STALE: &str = "stale bytes visible (fix)";

/// D38: seed 001's tiered pool hands out the class length, stale tail included.
pub fn d38_class_length(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::class_length(ctx)?;
    let mut ev = Evidence::new(
        "Allocate(100) after a user filled a 128-byte class buffer with 0xAA",
    );
    ev.add(REQUESTED, d.requested as f64, Unit::Count);
    ev.add(SEED_LEN, d.seed_len as f64, Unit::Count);
    ev.add(SEED_STALE, d.seed_stale as f64, Unit::Count);
    ev.add(FIX_LEN, d.fixed_len as f64, Unit::Count);
    ev.add("capacity handed out (fix)", d.fixed_capacity as f64, Unit::Count);
    ev.add(FIX_STALE, d.fixed_stale as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "the port hands out length {} with {} stale bytes; the fix: length {}, \
             capacity {}, {} stale",
            d.seed_len, d.seed_stale, d.fixed_len, d.fixed_capacity, d.fixed_stale
        ),
    ))
}

/// D38: the port's length is not the request's and shows stale bytes; the
/// fix's is, and shows none.
pub const D38: Rule = Rule {
    says: "reproduced when the port hands out another length than requested with stale \
           bytes visible, while the fix hands out the requested length with none",
    inputs: &[REQUESTED, SEED_LEN, SEED_STALE, FIX_LEN, FIX_STALE],
    thresholds: &[],
    decide: |f| {
        let req = f.get(REQUESTED);
        reproduced(
            f.get(SEED_LEN) != req && f.get(SEED_STALE) > 0.0,
            f.get(FIX_LEN) == req && f.get(FIX_STALE) == 0.0,
        )
    },
    examples: &[
        example(
            &[
                (REQUESTED, 100.0),
                (SEED_LEN, 128.0),
                (SEED_STALE, 28.0),
                (FIX_LEN, 100.0),
                (FIX_STALE, 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (REQUESTED, 100.0),
                (SEED_LEN, 100.0),
                (SEED_STALE, 0.0),
                (FIX_LEN, 100.0),
                (FIX_STALE, 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                (REQUESTED, 100.0),
                (SEED_LEN, 128.0),
                (SEED_STALE, 28.0),
                (FIX_LEN, 128.0),
                (FIX_STALE, 28.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D39

const SEED_IDLE: &str = "idle buffers after Free(buf[:10]) (port)";
const SEED_NEXT: &str = "allocations of the next request (port)";
const FIX_NEXT: &str = "allocations of the next request (fix)";

/// D39: seed 001's tiered pool files by exact length and drops a resliced buffer.
pub fn d39_exact_length_free(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::truncated_reuse(ctx)?;
    let mut ev = Evidence::new(
        "a buffer truncated to 10 bytes is returned, then 100 bytes requested",
    );
    ev.add(SEED_IDLE, d.seed_idle_after_free as f64, Unit::Count);
    ev.add(SEED_NEXT, d.seed_allocs_next as f64, Unit::Count);
    ev.add("idle buffers after put (fix)", d.fixed_idle_after_put as f64, Unit::Count);
    ev.add(FIX_NEXT, d.fixed_allocs_next as f64, Unit::Count);
    ev.add("the fix hands back the same buffer", flag(d.fixed_same_buffer), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "the port drops the truncated buffer ({} idle; the next request allocates {}×); \
             filing by capacity reuses it ({} allocations)",
            d.seed_idle_after_free, d.seed_allocs_next, d.fixed_allocs_next
        ),
    ))
}

/// D39: the port loses the buffer and allocates again; the fix reuses it.
pub const D39: Rule = Rule {
    says: "reproduced when the port keeps no idle buffer and the next request allocates, \
           while the fix's next request allocates nothing",
    inputs: &[SEED_IDLE, SEED_NEXT, FIX_NEXT],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(SEED_IDLE) == 0.0 && f.get(SEED_NEXT) > 0.0,
            f.get(FIX_NEXT) == 0.0,
        )
    },
    examples: &[
        example(&[(SEED_IDLE, 0.0), (SEED_NEXT, 1.0), (FIX_NEXT, 0.0)], Confirmed),
        example(&[(SEED_IDLE, 1.0), (SEED_NEXT, 0.0), (FIX_NEXT, 0.0)], Refuted),
        example(&[(SEED_IDLE, 0.0), (SEED_NEXT, 1.0), (FIX_NEXT, 1.0)], Refuted),
    ],
};

// ------------------------------------------------------------ D40

const SHARED: &str = "thread B got thread A's buffer (port)";
const ENTRIES: &str = "map entries after those sizes (port)";
const COMMON: &str = "buffers both threads saw (thread_local!, fix)";

/// D40: seed 001's "thread-local" pool is one global map behind a lock.
pub fn d40_global_thread_local_pool(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::thread_locality(ctx)?;
    let mut ev = Evidence::new("two live threads use each pool in turn");
    ev.add(SHARED, flag(d.seed_shared), Unit::Bool);
    ev.add(SIZES, d.sizes as f64, Unit::Count);
    ev.add(ENTRIES, d.seed_map_entries as f64, Unit::Count);
    ev.add(COMMON, d.tls_common_pointers as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "the port hands A's buffer to B ({}) and grows to {} entries for {} sizes; \
             thread_local! shares {} buffers",
            d.seed_shared, d.seed_map_entries, d.sizes, d.tls_common_pointers
        ),
    ))
}

/// D40: the port shares buffers across threads and keys every size; a
/// `thread_local!` pool shares none.
pub const D40: Rule = Rule {
    says: "reproduced when the port hands one thread's buffer to another and keeps an \
           entry per size, while thread_local! pools share no buffer",
    inputs: &[SHARED, SIZES, ENTRIES, COMMON],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(SHARED) == 1.0 && f.get(ENTRIES) >= f.get(SIZES),
            f.get(COMMON) == 0.0,
        )
    },
    examples: &[
        example(
            &[(SHARED, 1.0), (SIZES, 100.0), (ENTRIES, 100.0), (COMMON, 0.0)],
            Confirmed,
        ),
        example(
            &[(SHARED, 0.0), (SIZES, 100.0), (ENTRIES, 100.0), (COMMON, 0.0)],
            Refuted,
        ),
        example(
            &[(SHARED, 1.0), (SIZES, 100.0), (ENTRIES, 100.0), (COMMON, 3.0)],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D47

const PORT_LEAKS: &str = "response 2 carries request 1's secret (port)";
const FIX_LEAKS: &str = "response 2 carries the secret (fix)";
const FIX_RESP_LEN: &str = "response 2 length (fix)";
const WROTE: &str = "bytes request 2's handler wrote";

/// D47: seed 001's server writes the whole pooled buffer to the client.
pub fn d47_stale_response(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::stale_response(ctx)?;
    let mut ev = Evidence::new(
        "request 1 writes a secret; request 2's handler writes `hello bob`",
    );
    ev.add("response 2 length (port)", d.seed_len as f64, Unit::Bytes);
    ev.add(PORT_LEAKS, flag(d.seed_leaks), Unit::Bool);
    ev.add(WROTE, HELLO.len() as f64, Unit::Bytes);
    ev.add(FIX_RESP_LEN, d.fixed_len as f64, Unit::Bytes);
    ev.add(FIX_LEAKS, flag(d.fixed_leaks), Unit::Bool);
    Ok(Measured::new(
        ev,
        format!(
            "bob receives {} bytes including alice's secret ({}); the fix sends exactly \
             his {} bytes",
            d.seed_len, d.seed_leaks, d.fixed_len
        ),
    ))
}

/// D47: the port leaks; the fix sends exactly what the handler wrote.
pub const D47: Rule = Rule {
    says: "reproduced when the port's response 2 carries request 1's secret while the \
           fix's carries none and is as long as its handler wrote",
    inputs: &[PORT_LEAKS, FIX_LEAKS, FIX_RESP_LEN, WROTE],
    thresholds: &[],
    decide: |f| {
        reproduced(
            f.get(PORT_LEAKS) == 1.0,
            f.get(FIX_LEAKS) == 0.0 && f.get(FIX_RESP_LEN) == f.get(WROTE),
        )
    },
    examples: &[
        example(
            &[(PORT_LEAKS, 1.0), (FIX_LEAKS, 0.0), (FIX_RESP_LEN, 9.0), (WROTE, 9.0)],
            Confirmed,
        ),
        example(
            &[(PORT_LEAKS, 0.0), (FIX_LEAKS, 0.0), (FIX_RESP_LEN, 9.0), (WROTE, 9.0)],
            Refuted,
        ),
        example(
            &[(PORT_LEAKS, 1.0), (FIX_LEAKS, 0.0), (FIX_RESP_LEN, 4096.0), (WROTE, 9.0)],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D49

const ITEM: &str = "input length";
const SEED_OUT: &str = "output length of the item (port)";
const SEED_PER_ITEM: &str = "allocations per item (port)";
const FIX_OUT: &str = "output length of the item (fix)";
const FIX_PER_ITEM: &str = "allocations per item (fix)";

/// D49: seed 001's pipeline pads each item to its class and allocates per item.
pub fn d49_pipeline_length(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::pipeline(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} items of 1 … 5000 bytes after a warm-up; then one item of 100 bytes after \
         one of 128",
        d.items
    ));
    ev.add(ITEM, d.probe_len as f64, Unit::Bytes);
    ev.add(SEED_OUT, d.seed_len_of_100 as f64, Unit::Bytes);
    ev.add(
        "stale bytes in it, from the previous item (port)",
        d.seed_stale_of_100 as f64,
        Unit::Count,
    );
    ev.add(SEED_PER_ITEM, d.seed_allocs as f64 / d.items as f64, Unit::Count);
    ev.add(FIX_OUT, d.move_len_of_100 as f64, Unit::Bytes);
    ev.add(FIX_PER_ITEM, d.move_allocs as f64 / d.items as f64, Unit::Count);
    ev.add("outputs of the wrong length (fix)", d.move_wrong_len as f64, Unit::Count);
    Ok(Measured::new(
        ev,
        format!(
            "a 100-byte item comes out as {} bytes ({} stale), {} allocations per {} \
             items; moving the item: {} bytes, {} allocations",
            d.seed_len_of_100,
            d.seed_stale_of_100,
            d.seed_allocs,
            d.items,
            d.move_len_of_100,
            d.move_allocs
        ),
    ))
}

/// D49: the port changes the item's length and allocates per item; moving
/// the item does neither.
pub const D49: Rule = Rule {
    says: "reproduced when the port's output is not the input's length and it allocates \
           at least once per item, while the fix keeps the length and allocates nothing",
    inputs: &[ITEM, SEED_OUT, SEED_PER_ITEM, FIX_OUT, FIX_PER_ITEM],
    thresholds: &[],
    decide: |f| {
        let item = f.get(ITEM);
        reproduced(
            f.get(SEED_OUT) != item && f.get(SEED_PER_ITEM) >= 1.0,
            f.get(FIX_OUT) == item && f.get(FIX_PER_ITEM) == 0.0,
        )
    },
    examples: &[
        example(
            &[
                (ITEM, 100.0),
                (SEED_OUT, 128.0),
                (SEED_PER_ITEM, 1.17),
                (FIX_OUT, 100.0),
                (FIX_PER_ITEM, 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                (ITEM, 100.0),
                (SEED_OUT, 100.0),
                (SEED_PER_ITEM, 1.0),
                (FIX_OUT, 100.0),
                (FIX_PER_ITEM, 0.0),
            ],
            Refuted,
        ),
        example(
            &[
                (ITEM, 100.0),
                (SEED_OUT, 128.0),
                (SEED_PER_ITEM, 1.17),
                (FIX_OUT, 100.0),
                (FIX_PER_ITEM, 1.0),
            ],
            Refuted,
        ),
    ],
};

// ------------------------------------------------------------ D58

/// D58: seed 003's `GenericPool` snippet is not Go.
pub fn d58_placeholder_snippet() -> Verdict {
    Verdict::unverifiable(
        "the snippet (seed 003 strategy 1, L199-216) imports a placeholder path \
         (github.com/yourusername/…) whose package is not in the seed, and has \
         statements outside any function: there is no program to compile or run, in \
         Go or as a port.",
    )
}
