//! Scripted interleavings in which a collector loses an object the mutator
//! can still reach, and the barrier configurations that prevent it.
//!
//! 1. [`lost_object`]: the textbook case. The mutator copies a pointer from a
//!    gray object into a black one, then deletes the original. Without a
//!    barrier the object is freed while the black object still points at it.
//! 2. [`hidden_in_scanned_stack`]: a pointer moves from the heap into a
//!    stack that was already scanned. Dijkstra's barrier does not see stack
//!    writes, so it needs the final stop-the-world rescan.
//! 3. [`hidden_by_unscanned_stack`]: a stack not yet scanned stores its only
//!    pointer into a new (black) object, then drops it. Yuasa's barrier does
//!    not see the insertion, so it needs a snapshot of all stacks at the
//!    start; Go's hybrid shades the stored pointer while the stack is gray.
//!
//! Each scenario carries names and positions for the SVG frames.

use super::barrier::{Barrier, RootScan};
use super::heap::{Color, DEFAULT_BYTES, Heap, ObjId};
use super::incremental::Incremental;
use super::mutator::{self, Event, Op, RunOptions, RunReport};

/// A scripted cycle: the heap before it, the events, and how to draw it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Short name (used in file names).
    pub name: &'static str,
    /// What it shows.
    pub title: &'static str,
    /// The heap when the cycle starts.
    pub heap: Heap,
    /// Mutator operations and collector steps.
    pub events: Vec<Event>,
    /// Object names and positions (x, y) in the frames, including objects
    /// the script allocates.
    pub objects: Vec<(ObjId, &'static str, f32, f32)>,
    /// Work budget per step.
    pub budget: usize,
}

fn objects(heap: &mut Heap, n: usize) -> Vec<ObjId> {
    (0..n).map(|_| heap.alloc(DEFAULT_BYTES, Color::White)).collect()
}

fn m(op: Op) -> Event {
    Event::Mutate(op)
}

// ANCHOR: lost_object
/// The lost object: stack → A → B → C. Once A is black and B gray, the
/// mutator stores C into A and deletes B's reference to C. (D ⇄ E is
/// unreachable garbage, a cycle, for the sweep to free.)
pub fn lost_object() -> Scenario {
    let mut heap = Heap::new();
    let [a, b, c, d, e] = objects(&mut heap, 5)[..] else { unreachable!() };
    heap.set_field(a, 0, Some(b));
    heap.set_field(b, 0, Some(c));
    heap.set_field(d, 0, Some(e));
    heap.set_field(e, 0, Some(d));
    heap.add_stack(3);
    heap.stack_mut(0)[0] = Some(a);
    let g = 0;
    let events = vec![
        Event::StepUntilBlack(a),
        m(Op::Load { g, dst: 1, obj: 0, field: 0 }), // s1 = A.f0  (B)
        m(Op::Load { g, dst: 2, obj: 1, field: 0 }), // s2 = B.f0  (C)
        m(Op::Store { g, obj: 0, field: 1, val: Some(2) }), // A.f1 = C
        m(Op::Store { g, obj: 1, field: 0, val: None }), // B.f0 = nil
        m(Op::Drop { g, slot: 1 }),
        m(Op::Drop { g, slot: 2 }),
    ];
    // ANCHOR_END: lost_object
    Scenario {
        name: "lost_object",
        title: "a pointer moves from a gray object into a black one",
        heap,
        events,
        objects: vec![
            (a, "A", 260.0, 75.0),
            (b, "B", 420.0, 150.0),
            (c, "C", 580.0, 75.0),
            (d, "D", 330.0, 240.0),
            (e, "E", 500.0, 240.0),
        ],
        budget: 1,
    }
}

/// A pointer moves from the heap into a stack that was already scanned.
pub fn hidden_in_scanned_stack() -> Scenario {
    let mut heap = Heap::new();
    let [a, b, w] = objects(&mut heap, 3)[..] else { unreachable!() };
    heap.set_field(a, 0, Some(b));
    heap.set_field(b, 0, Some(w));
    heap.add_stack(3);
    heap.stack_mut(0)[0] = Some(a);
    let g = 0;
    let events = vec![
        Event::StepUntilBlack(a),
        m(Op::Load { g, dst: 1, obj: 0, field: 0 }), // s1 = A.f0  (B)
        m(Op::Load { g, dst: 2, obj: 1, field: 0 }), // s2 = B.f0  (W)
        m(Op::Store { g, obj: 1, field: 0, val: None }), // B.f0 = nil
        m(Op::Drop { g, slot: 1 }),                  // W is now only in s2
    ];
    Scenario {
        name: "scanned_stack",
        title: "a pointer moves from the heap into an already scanned stack",
        heap,
        events,
        objects: vec![
            (a, "A", 230.0, 90.0),
            (b, "B", 380.0, 90.0),
            (w, "W", 530.0, 90.0),
        ],
        budget: 1,
    }
}

/// A stack not yet scanned hides its only pointer in a new, black, object.
pub fn hidden_by_unscanned_stack() -> Scenario {
    let mut heap = Heap::new();
    let [x] = objects(&mut heap, 1)[..] else { unreachable!() };
    heap.add_stack(2);
    heap.stack_mut(0)[0] = Some(x);
    let n = ObjId::from_index(1); // the object the script allocates
    let g = 0;
    let events = vec![
        m(Op::Alloc { g, slot: 1 }), // s1 = N (black)
        m(Op::Store { g, obj: 1, field: 0, val: Some(0) }), // N.f0 = X
        m(Op::Drop { g, slot: 0 }),  // X only in N now
    ];
    Scenario {
        name: "unscanned_stack",
        title: "an unscanned stack stores its only pointer into a new object",
        heap,
        events,
        objects: vec![(x, "X", 420.0, 90.0), (n, "N", 420.0, 220.0)],
        budget: 1,
    }
}

/// All three scenarios.
pub fn all() -> Vec<Scenario> {
    vec![lost_object(), hidden_in_scanned_stack(), hidden_by_unscanned_stack()]
}

/// The configurations the scenario table compares: the four barriers with
/// their own root protocols, and the two with the protocol taken away.
pub fn configurations() -> Vec<Barrier> {
    let mut v = Barrier::ALL.to_vec();
    v.push(Barrier::DIJKSTRA.with_roots(RootScan::Incremental, "dijkstra, no rescan"));
    v.push(Barrier::YUASA.with_roots(RootScan::Incremental, "yuasa, no snapshot"));
    v
}

/// Plays `s` with `barrier`, the checker on after every event.
pub fn play(s: &Scenario, barrier: Barrier) -> RunReport {
    let mut heap = s.heap.clone();
    let mut gc = Incremental::new(barrier, s.budget);
    mutator::run(
        &mut heap,
        &mut gc,
        &s.events,
        RunOptions { check_every_event: true, one_cycle: true, find_lost: true },
        None,
    )
}

/// The name the scenario gives `id`, or its arena number.
pub fn name_of(s: &Scenario, id: ObjId) -> String {
    s.objects
        .iter()
        .find(|o| o.0 == id)
        .map_or_else(|| id.to_string(), |o| o.1.to_string())
}

/// `text` with every `#n` of a named object replaced by its name.
pub fn with_names(s: &Scenario, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        let number = rest[at + 1..at + 1 + digits].parse::<usize>().ok();
        match number.and_then(|n| s.objects.iter().find(|o| o.0.index() == n)) {
            Some(o) => out.push_str(o.1),
            None => out.push_str(&rest[at..at + 1 + digits]),
        }
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scenario_loses_an_object_exactly_where_expected() {
        let lost = |s: &Scenario, b: Barrier| play(s, b).lost.len();
        let (s1, s2, s3) =
            (lost_object(), hidden_in_scanned_stack(), hidden_by_unscanned_stack());
        for b in Barrier::SOUND {
            assert_eq!(
                (lost(&s1, b), lost(&s2, b), lost(&s3, b)),
                (0, 0, 0),
                "{}",
                b.name
            );
        }
        assert_eq!((lost(&s1, Barrier::NONE), lost(&s2, Barrier::NONE)), (1, 1));
        assert_eq!(lost(&s3, Barrier::NONE), 1);
        let c = configurations();
        assert_eq!(lost(&s2, c[4]), 1, "dijkstra without its rescan");
        assert_eq!(lost(&s3, c[5]), 1, "yuasa without its snapshot");
        assert_eq!(name_of(&s1, ObjId::from_index(2)), "C");
        assert_eq!(with_names(&s1, "#0.f1 = #2, #9 #"), "A.f1 = C, #9 #");
    }
}
