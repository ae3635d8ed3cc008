//! Chapter 2's exercises, to write yourself: `cargo test --test struct_layout
//! --features starter` runs the tests of `exercises.rs` against this file.
#![allow(unused)]

use std::sync::atomic::{AtomicU64, Ordering};

// ANCHOR: exercise_1
/// A sensor reading, fields in the order someone first wrote them down:
/// 32 bytes, 16 of them padding.
#[repr(C)]
pub struct Reading {
    // TODO: put the same five fields in an order that needs no padding
    // (keep `#[repr(C)]`, so the order you write is the order in memory).
    pub valid: bool,
    pub timestamp_ns: u64,
    pub channel: u8,
    pub value: f32,
    pub sequence: u16,
}

impl Reading {
    /// A reading with these values.
    pub fn new(
        timestamp_ns: u64,
        value: f32,
        sequence: u16,
        channel: u8,
        valid: bool,
    ) -> Self {
        // TODO: build it.
        todo!()
    }
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Two counters, each written by its own thread.
#[repr(C)]
#[derive(Default)]
pub struct WorkerStats {
    // TODO: keep the two counters at least 128 bytes apart
    // (`crossbeam_utils::CachePadded`, or `#[repr(align(128))]` wrappers).
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

impl WorkerStats {
    /// Counts one message sent (the sending thread only).
    pub fn note_sent(&self) {
        // TODO: add one to `sent`; no other thread writes it.
        todo!()
    }

    /// Counts one message received (the receiving thread only).
    pub fn note_received(&self) {
        // TODO: add one to `received`.
        todo!()
    }
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// True when `next` is a single cycle through all of `0..next.len()`:
/// starting at 0 and following `next`, every index is visited exactly once
/// before the walk returns to 0. Any index out of range makes it false.
pub fn is_single_cycle(next: &[usize]) -> bool {
    // TODO: walk from 0; count the steps until you are back at 0.
    todo!()
}
// ANCHOR_END: exercise_3

// ANCHOR: exercise_4
/// A user id; 0 is never a valid id. As a plain `u32`, `Option<UserId>` is
/// 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserId(u32);

impl UserId {
    /// `None` for 0.
    pub fn new(raw: u32) -> Option<Self> {
        // TODO: store the id in a type with a niche at 0, so that
        // `Option<UserId>` needs no tag (and say so with `repr(transparent)`).
        todo!()
    }

    /// The number.
    pub fn get(self) -> u32 {
        todo!()
    }
}
// ANCHOR_END: exercise_4
