//! Write barriers: what the mutator does, while a collection is marking,
//! each time it stores a pointer into a heap object. Selectable at run time:
//! none, Dijkstra's insertion barrier, Yuasa's deletion barrier, and the
//! hybrid of both that Go has used since 1.8.
//!
//! A barrier is a plain function of the write ([`PointerWrite`]) that may
//! shade objects ([`Shade`]). Each comes with the root protocol that makes it
//! sound ([`RootScan`]) and the invariant it keeps ([`Invariant`]): a barrier
//! without its protocol is a different, broken, collector, and the
//! scenarios in `scenarios.rs` show exactly how.
//!
//! Stack writes (loads into a stack slot, dropping a slot) have no barrier,
//! as in Go: stacks are scanned instead.

use super::heap::{Color, ObjId};
use super::stw::GrayWorklist;

/// A pointer store the mutator is about to make: `object.fields[field] = new`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointerWrite {
    /// The object written into.
    pub object: ObjId,
    /// The field written.
    pub field: usize,
    /// The reference the field holds now (about to be deleted).
    pub old: Option<ObjId>,
    /// The reference being stored (about to be inserted).
    pub new: Option<ObjId>,
    /// Whether the writing mutator's stack has been scanned in this cycle
    /// (Go's "the current stack is black").
    pub stack_scanned: bool,
}

/// What a barrier can see and do: read colors, shade.
pub struct Shade<'a> {
    colors: &'a mut [Color],
    gray: &'a mut GrayWorklist,
    shaded: &'a mut usize,
}

impl<'a> Shade<'a> {
    pub(crate) fn new(
        colors: &'a mut [Color],
        gray: &'a mut GrayWorklist,
        shaded: &'a mut usize,
    ) -> Self {
        Self { colors, gray, shaded }
    }

    /// The color of `id`.
    pub fn color(&self, id: ObjId) -> Color {
        self.colors[id.index()]
    }

    /// Shades `id` if it is white: it turns gray and the collector will scan it.
    pub fn shade(&mut self, id: Option<ObjId>) {
        if let Some(id) = id
            && self.gray.shade(self.colors, id)
        {
            *self.shaded += 1;
        }
    }

    /// Turns a **black** object gray again, so the collector rescans it (a
    /// "backward" barrier, as in Lua and gc-arena). Does nothing otherwise.
    pub fn regray(&mut self, id: ObjId) {
        if self.colors[id.index()] == Color::Black {
            self.colors[id.index()] = Color::Gray;
            self.gray.push_gray(id);
            *self.shaded += 1;
        }
    }
}

/// A barrier: called before every heap pointer store while marking.
pub type BarrierFn = fn(&PointerWrite, &mut Shade<'_>);

// ANCHOR: barriers
/// No barrier: the mutator writes and the collector is not told.
pub fn no_barrier(_write: &PointerWrite, _gc: &mut Shade<'_>) {}

/// Dijkstra et al. (1978), insertion barrier: shade the pointer being
/// stored, so a black object never points at a white one.
pub fn dijkstra_insertion(write: &PointerWrite, gc: &mut Shade<'_>) {
    gc.shade(write.new);
}

/// Yuasa (1990), deletion barrier: shade the pointer being overwritten, so
/// everything reachable when marking began stays reachable to the marker.
pub fn yuasa_deletion(write: &PointerWrite, gc: &mut Shade<'_>) {
    gc.shade(write.old);
}

/// Go's hybrid barrier (proposal 17503, Go 1.8, runtime/mbarrier.go):
/// shade the overwritten pointer, and also the stored one while the writer's
/// own stack is still unscanned (gray).
pub fn go_hybrid(write: &PointerWrite, gc: &mut Shade<'_>) {
    gc.shade(write.old);
    if !write.stack_scanned {
        gc.shade(write.new);
    }
}
// ANCHOR_END: barriers

/// When the collector scans the mutators' stacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootScan {
    /// One stack at a time, interleaved with the mutator; each stack once.
    Incremental,
    /// One stack at a time, then **all** stacks again with the world stopped
    /// before marking ends (stack writes have no barrier; Go 1.5–1.7).
    IncrementalThenRescan,
    /// All stacks at once, with the world stopped, when the cycle starts
    /// (Yuasa's snapshot at the beginning).
    SnapshotAtStart,
}

/// The tri-color invariant a barrier keeps while marking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invariant {
    /// No black node points at a white object.
    Strong,
    /// Every white object a black node points at is still reachable from a
    /// gray node through white objects only.
    Weak,
    /// Nothing: objects can be lost.
    NoGuarantee,
}

/// A barrier with its root protocol: one collector configuration.
#[derive(Clone, Copy, Debug)]
pub struct Barrier {
    /// Short name (`none`, `dijkstra`, `yuasa`, `hybrid`).
    pub name: &'static str,
    /// The barrier function.
    pub write: BarrierFn,
    /// How stacks are scanned.
    pub roots: RootScan,
    /// What it keeps true while marking.
    pub promises: Invariant,
}

impl Barrier {
    /// No barrier, stacks scanned once each: unsound.
    pub const NONE: Barrier = Barrier {
        name: "none",
        write: no_barrier,
        roots: RootScan::Incremental,
        promises: Invariant::NoGuarantee,
    };
    /// Dijkstra insertion barrier with a final stop-the-world stack rescan.
    pub const DIJKSTRA: Barrier = Barrier {
        name: "dijkstra",
        write: dijkstra_insertion,
        roots: RootScan::IncrementalThenRescan,
        promises: Invariant::Strong,
    };
    /// Yuasa deletion barrier with a stop-the-world snapshot of the stacks.
    pub const YUASA: Barrier = Barrier {
        name: "yuasa",
        write: yuasa_deletion,
        roots: RootScan::SnapshotAtStart,
        promises: Invariant::Weak,
    };
    /// Go's hybrid barrier, stacks scanned one at a time, no rescan.
    pub const HYBRID: Barrier = Barrier {
        name: "hybrid",
        write: go_hybrid,
        roots: RootScan::Incremental,
        promises: Invariant::Weak,
    };
    /// The four, in the order the book presents them.
    pub const ALL: [Barrier; 4] =
        [Barrier::NONE, Barrier::DIJKSTRA, Barrier::YUASA, Barrier::HYBRID];
    /// The three sound ones.
    pub const SOUND: [Barrier; 3] = [Barrier::DIJKSTRA, Barrier::YUASA, Barrier::HYBRID];

    /// The configuration called `name`.
    pub fn by_name(name: &str) -> Option<Barrier> {
        Self::ALL.into_iter().find(|b| b.name == name)
    }

    /// The same barrier with another root protocol (and no promise): the
    /// "what if" variants the scenarios break.
    pub fn with_roots(self, roots: RootScan, name: &'static str) -> Barrier {
        Barrier { name, roots, promises: Invariant::NoGuarantee, ..self }
    }

    /// A barrier written elsewhere (the exercise), with its protocol and promise.
    pub fn custom(
        name: &'static str,
        write: BarrierFn,
        roots: RootScan,
        promises: Invariant,
    ) -> Barrier {
        Barrier { name, write, roots, promises }
    }
}
