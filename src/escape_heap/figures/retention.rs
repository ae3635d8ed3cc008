//! What keeps a buffer alive, what `drop` frees, and values in a context
//! (seed 003 策略4 and 策略7, seed 001 §6.1.1.9.2).

use super::common::{Figure, HEAD, MIB, count, once};
use crate::claims::{CheckError, Ctx, PerRun};
use crate::escape_heap::context::{self as cx, Context, DataId, DataStore, Key};
use crate::escape_heap::retention as r;
use crate::measure::alloc::{AllocCounts, AllocScope, measure};
use bytes::Bytes;
use std::hint::black_box;
use std::sync::Arc;

/// Seed 003 策略4 and seed 001 §6.1.1.9.2 (C001-39, C003-19 … C003-21, D46, D54).
#[derive(Debug)]
pub struct Retention {
    /// (form, kept length, live bytes while the head is alive), for a
    /// [`HEAD`]-byte head of a [`MIB`] buffer.
    pub heads: Vec<(&'static str, usize, i64)>,
    /// Bytes freed at the line of `drop(vec)` of [`MIB`].
    pub drop_freed: u64,
    /// Bytes freed at the port's `large_data = Vec::new()`.
    pub reassign_freed: u64,
    /// (buffer bytes, RSS before drop, RSS after drop) in bytes, every page
    /// written (Linux only).
    pub rss: Vec<(usize, u64, u64)>,
}

impl Retention {
    /// Live bytes of the head kept by `form` (a name of [`Retention::heads`]).
    pub fn live(&self, form: &str) -> i64 {
        self.heads.iter().find(|h| h.0 == form).map_or(i64::MAX, |h| h.2)
    }
}

/// Head forms, by their names in [`Retention::heads`].
pub mod head {
    /// `truncate(10)`.
    pub const TRUNCATE: &str = "truncate(10)";
    /// `truncate(10)` + `shrink_to_fit()`.
    pub const SHRINK: &str = "truncate(10) + shrink_to_fit()";
    /// `data[..10].to_vec()`.
    pub const COPY: &str = "data[..10].to_vec()";
    /// `Bytes::slice(..10)`.
    pub const VIEW: &str = "Bytes::slice(..10)  (~ data[:10], data[:10:10])";
    /// `Bytes::copy_from_slice`.
    pub const BYTES_COPY: &str = "Bytes::copy_from_slice(&data[..10])";
}

/// What stays allocated, and what `drop` gives back.
pub fn retention(ctx: &Ctx) -> Figure<Retention> {
    static CELL: PerRun<Result<Retention, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        // Each head is counted while it is alive: its live bytes are what it pins.
        let vec_head = |f: fn(Vec<u8>, usize) -> Vec<u8>| {
            let (head, c) = measure(|| f(black_box(vec![1u8; MIB]), HEAD));
            (head.len(), c.live_bytes())
        };
        let bytes_head = |f: fn(Bytes, usize) -> Bytes| {
            let (head, c) = measure(|| f(Bytes::from(black_box(vec![1u8; MIB])), HEAD));
            (head.len(), c.live_bytes())
        };
        let heads = [
            (head::TRUNCATE, vec_head(r::head_by_truncate)),
            (head::SHRINK, vec_head(r::head_by_shrink)),
            (head::COPY, vec_head(r::head_by_copy)),
            (head::VIEW, bytes_head(r::head_by_bytes_slice)),
            (head::BYTES_COPY, bytes_head(r::head_by_bytes_copy)),
        ]
        .into_iter()
        .map(|(name, (len, live))| (name, len, live))
        .collect();
        let large = black_box(vec![1u8; MIB]);
        let scope = AllocScope::start();
        drop(large);
        let drop_freed = scope.counts().bytes_freed;
        // The port's `large_data = Vec::new()` (snippets/reassign_large.rs).
        let mut large_data = vec![0u8; MIB];
        black_box(&mut large_data);
        let scope = AllocScope::start();
        large_data = black_box(Vec::new());
        let reassign_freed = scope.counts().bytes_freed;
        drop(large_data);
        #[cfg(target_os = "linux")]
        let rss = [MIB, ctx.pick(64 * MIB, 40 * MIB)]
            .into_iter()
            .map(|size| {
                let (before, after) = r::drop_releases_rss(size)?;
                Ok((size, before * 1024, after * 1024))
            })
            .collect::<Result<Vec<_>, std::io::Error>>()?;
        #[cfg(not(target_os = "linux"))]
        let rss = {
            let _ = ctx;
            Vec::new()
        };
        Ok(Retention { heads, drop_freed, reassign_freed, rss })
    })
}

/// Seed 003 策略7 (C003-27, C003-28, D56).
#[derive(Debug)]
pub struct Contexts {
    /// `WithValue` of bigData by value, of an `Arc<bigData>`, of an id.
    pub by_value: AllocCounts,
    /// See [`Contexts::by_value`].
    pub by_arc: AllocCounts,
    /// See [`Contexts::by_value`].
    pub by_id: AllocCounts,
    /// `DataStore::get`.
    pub store_get: AllocCounts,
    /// What package `users` reads back with string keys, and with key types.
    pub users_reads: (String, String),
}

/// The context ports, counted.
pub fn contexts(ctx: &Ctx) -> Figure<Contexts> {
    static CELL: PerRun<Result<Contexts, CheckError>> = PerRun::new();
    once(&CELL, ctx, || {
        let root = Context::background();
        let shared: Arc<cx::BigData> = Arc::from(cx::big_data());
        let by_value = count(|| root.with_value(Key::Str("data"), cx::big_data()));
        let by_arc =
            count(|| root.with_value(Key::Str("data"), Box::new(Arc::clone(&shared))));
        let by_id = count(|| root.with_value(Key::Str("dataID"), Box::new(DataId(123))));
        let store = DataStore::new(16);
        store.insert(DataId(123), Arc::clone(&shared));
        let store_get = count(|| store.get(DataId(123)));
        let strings = cx::traces::attach(&cx::users::attach(&root, "alice"), "trace-42");
        let typed = cx::traces::attach_typed(
            &cx::users::attach_typed(&root, "alice"),
            "trace-42",
        );
        let read = |s: Option<&String>| s.cloned().unwrap_or_default();
        Ok(Contexts {
            by_value,
            by_arc,
            by_id,
            store_get,
            users_reads: (
                read(cx::users::current(&strings)),
                read(cx::users::current_typed(&typed)),
            ),
        })
    })
}
