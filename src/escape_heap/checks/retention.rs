//! Checks for retention and release (seed 001 §6.1.1.9.2, seed 003 策略4)
//! and for values carried in a context (seed 003 策略7).

use super::{record, rustc_says};
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::escape_heap::context::{self as cx, Context, DataId, DataStore, Key};
use crate::escape_heap::retention as r;
use crate::measure::alloc::{AllocScope, measure};
use bytes::Bytes;
use std::hint::black_box;
use std::sync::Arc;

type CheckResult = Result<Finding, CheckError>;

/// The seed's "large" buffer (seed 001 L853; seed 003's `data` has no size).
const MIB: usize = 1 << 20;

/// The head the seed keeps (`data[:10]`).
const HEAD: usize = 10;

/// Live bytes that `f` leaves behind: its result's, once its inputs are gone.
fn live_after<R>(f: impl FnOnce() -> R) -> (R, i64) {
    let (kept, c) = measure(f);
    (kept, c.live_bytes())
}

/// C001-39: `largeData = nil` releases a large object immediately.
pub fn c001_39(ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "drop(vec) of 1 MiB (the seed's size) counted; RSS around a drop of a buffer \
         above glibc's largest mmap threshold (32 MiB), every page written",
    );
    let large = black_box(vec![1u8; MIB]);
    let cap = large.capacity();
    let scope = AllocScope::start();
    drop(large);
    let freed = scope.counts().bytes_freed;
    ev.add("1 MiB: bytes freed at the drop line", freed as f64, Unit::Bytes);
    let mut at_once = freed == cap as u64;
    let mut summary = format!("drop freed {freed} B at its line");
    #[cfg(target_os = "linux")]
    {
        let size = ctx.pick(64 * MIB, 40 * MIB);
        let (before, after) = r::drop_releases_rss(size)?;
        ev.add("buffer", size as f64, Unit::Bytes);
        ev.add("RSS before drop", (before * 1024) as f64, Unit::Bytes);
        ev.add("RSS after drop", (after * 1024) as f64, Unit::Bytes);
        let fell = before.saturating_sub(after) * 1024;
        ev.add("RSS fall", fell as f64, Unit::Bytes);
        at_once &= fell as f64 >= 0.9 * size as f64;
        summary.push_str(&format!(
            "; RSS fell by {} MiB when a {} MiB buffer was dropped",
            fell >> 20,
            size >> 20
        ));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = ctx;
    Ok(Finding::new(
        if at_once {
            Verdict::unruled_holds_only_when(
                "the release is Rust's `drop` (or a reassignment), which frees at that \
                 line, and the block is above glibc's mmap threshold for RSS to fall \
                 too (smaller blocks go back to malloc's free lists); Go's \
                 `largeData = nil` only drops a reference, freed at a later GC",
            )
        } else {
            Verdict::Refuted
        },
        summary,
        ev,
    ))
}

/// C003-19: returning `data[:10]` keeps the whole backing array alive.
pub fn c003_19(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("1 MiB buffer, keep its first 10 bytes; live bytes after");
    let port = rustc_says("slice_outlives_data")?;
    let (_, truncated) =
        live_after(|| r::head_by_truncate(black_box(vec![1u8; MIB]), HEAD));
    let (_, sliced) = live_after(|| {
        r::head_by_bytes_slice(Bytes::from(black_box(vec![1u8; MIB])), HEAD)
    });
    ev.add("truncate(10): live bytes", truncated as f64, Unit::Bytes);
    ev.add("Bytes::slice(..10): live bytes", sliced as f64, Unit::Bytes);
    ev.add(
        "borrowed &data[..10] outliving data compiles",
        f64::from(port.compiled),
        Unit::Bool,
    );
    let leaks = truncated >= MIB as i64 || sliced >= MIB as i64;
    Ok(Finding::new(
        if leaks {
            Verdict::unruled_holds_only_when(format!(
                "the 10 bytes are held by an owned container that keeps its capacity \
                 (`truncate`: {truncated} B live) or by a shared view of the parent \
                 (`Bytes::slice`: {sliced} B live); a borrowed `&data[..10]` cannot \
                 outlive `data` (rustc {})",
                port.describe()
            ))
        } else {
            Verdict::Refuted
        },
        format!(
            "10-byte head of 1 MiB: truncate keeps {truncated} B live, Bytes::slice \
             {sliced} B; a borrow is rustc {}",
            port.describe()
        ),
        ev,
    ))
}

/// C003-20: copying into a new 10-byte slice keeps only the needed data.
pub fn c003_20(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("1 MiB buffer, keep its first 10 bytes; live bytes after");
    let (_, copied) = live_after(|| r::head_by_copy(black_box(vec![1u8; MIB]), HEAD));
    let (_, shrunk) = live_after(|| r::head_by_shrink(black_box(vec![1u8; MIB]), HEAD));
    ev.add("to_vec of the head: live bytes", copied as f64, Unit::Bytes);
    ev.add("truncate + shrink_to_fit: live bytes", shrunk as f64, Unit::Bytes);
    Ok(Finding::new(
        Verdict::confirmed_if(copied == HEAD as i64),
        format!("the copy leaves {copied} B live (shrink_to_fit: {shrunk} B)"),
        ev,
    ))
}

struct Capped {
    sliced: i64,
    copied: i64,
}

fn capped() -> Capped {
    let (_, sliced) = live_after(|| {
        r::head_by_bytes_slice(Bytes::from(black_box(vec![1u8; MIB])), HEAD)
    });
    let (_, copied) = live_after(|| {
        r::head_by_bytes_copy(Bytes::from(black_box(vec![1u8; MIB])), HEAD)
    });
    Capped { sliced, copied }
}

/// C003-21: `data[:10:10]` limits capacity and fixes the leak.
pub fn c003_21(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "Rust analogue of a capped sub-slice: Bytes::slice(..10) of 1 MiB; live bytes \
         after the parent handle is dropped",
    );
    let c = capped();
    ev.add("Bytes::slice(..10): live bytes", c.sliced as f64, Unit::Bytes);
    ev.add("Bytes::copy_from_slice: live bytes", c.copied as f64, Unit::Bytes);
    Ok(Finding::new(
        Verdict::confirmed_if(c.sliced < MIB as i64),
        format!(
            "a 10-byte view keeps {} B live; only a copy frees the parent ({} B live)",
            c.sliced, c.copied
        ),
        ev,
    ))
}

/// D54: the full slice expression as a fix for the slice leak.
pub fn d54(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("Bytes::slice(..10) vs Bytes::copy_from_slice of 1 MiB");
    let c = capped();
    ev.add("view: live bytes", c.sliced as f64, Unit::Bytes);
    ev.add("copy: live bytes", c.copied as f64, Unit::Bytes);
    Ok(Finding::new(
        Verdict::confirmed_if(c.sliced >= MIB as i64 && c.copied < MIB as i64),
        format!(
            "the capped view still pins {} B; the copy pins {} B",
            c.sliced, c.copied
        ),
        ev,
    ))
}

/// D46: seed 001's `memoryUsageOptimization` does not compile.
pub fn d46(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "the line-by-line port compiled with rustc; the reassignment counted",
    );
    let port = rustc_says("reassign_large")?;
    ev.add("port compiles", f64::from(port.compiled), Unit::Bool);
    let mut large_data = vec![0u8; MIB];
    black_box(&mut large_data); // "use largeData"
    let scope = AllocScope::start();
    large_data = black_box(Vec::new()); // the port's `large_data = Vec::new()`
    let freed = scope.counts().bytes_freed;
    drop(large_data);
    ev.add("bytes freed at the reassignment", freed as f64, Unit::Bytes);
    Ok(Finding::new(
        Verdict::not_applicable(
            format!(
                "`declared and not used` is a Go compile error; rustc {} on the port.",
                port.describe()
            ),
            format!(
                "reassigning (or `drop`) frees at once: {freed} B freed at that line"
            ),
        ),
        format!("rustc: {}; reassignment freed {freed} B", port.describe()),
        ev,
    ))
}

/// C003-27: a large value in `context.WithValue` grows memory.
pub fn c003_27(_ctx: &Ctx) -> CheckResult {
    let mut ev =
        Evidence::new("WithValue of the seed's 1,000,000-byte bigData, by value");
    let ctx = Context::background();
    let (child, by_value) = measure(|| ctx.with_value(Key::Str("data"), cx::big_data()));
    record(&mut ev, "by value", &by_value);
    let requested = by_value.bytes_requested;
    drop(child);
    Ok(Finding::new(
        Verdict::confirmed_if(requested >= cx::BIG_DATA_BYTES as u64),
        format!("one WithValue of bigData requested {requested} B"),
        ev,
    ))
}

/// C003-28: store a pointer or an id instead, or use a dedicated store.
pub fn c003_28(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new("WithValue of Arc<bigData> and of an id; DataStore::get");
    let ctx = Context::background();
    let shared: Arc<cx::BigData> = Arc::from(cx::big_data());
    let (a, by_value) = measure(|| ctx.with_value(Key::Str("data"), cx::big_data()));
    let (b, by_arc) =
        measure(|| ctx.with_value(Key::Str("data"), Box::new(Arc::clone(&shared))));
    let (c, by_id) =
        measure(|| ctx.with_value(Key::Str("dataID"), Box::new(DataId(123))));
    record(&mut ev, "by value", &by_value);
    record(&mut ev, "Arc", &by_arc);
    record(&mut ev, "id", &by_id);
    let store = DataStore::new(16);
    store.insert(DataId(123), Arc::clone(&shared));
    let (got, get) = measure(|| store.get(DataId(123)));
    ev.add("DataStore::get: allocations", get.allocs as f64, Unit::Count);
    drop((a, b, c, got));
    let small = by_arc.bytes_requested.max(by_id.bytes_requested);
    Ok(Finding::new(
        Verdict::confirmed_if(
            (small as f64) < 0.01 * by_value.bytes_requested as f64 && get.allocs == 0,
        ),
        format!(
            "WithValue by value requested {} B, an Arc {} B, an id {} B; \
             DataStore::get {} allocations",
            by_value.bytes_requested,
            by_arc.bytes_requested,
            by_id.bytes_requested,
            get.allocs
        ),
        ev,
    ))
}

/// D56: built-in string context keys collide.
pub fn d56(_ctx: &Ctx) -> CheckResult {
    let mut ev = Evidence::new(
        "package users stores \"alice\" under \"data\", then package traces stores \
         \"trace-42\" under \"data\"; the same with key types",
    );
    let root = Context::background();
    let with_strings = cx::traces::attach(&cx::users::attach(&root, "alice"), "trace-42");
    let got = cx::users::current(&with_strings).cloned().unwrap_or_default();
    let with_types =
        cx::traces::attach_typed(&cx::users::attach_typed(&root, "alice"), "trace-42");
    let got_typed = cx::users::current_typed(&with_types).cloned().unwrap_or_default();
    ev.add(
        "string keys: users sees its own value",
        f64::from(got == "alice"),
        Unit::Bool,
    );
    ev.add(
        "key types: users sees its own value",
        f64::from(got_typed == "alice"),
        Unit::Bool,
    );
    Ok(Finding::new(
        Verdict::confirmed_if(got != "alice" && got_typed == "alice"),
        format!(
            "with string keys package users reads {got:?}, with key types {got_typed:?}"
        ),
        ev,
    ))
}
