//! What Rust does instead of a tracing collector, for the facts the seeds
//! get wrong or leave out:
//!
//! - Ownership frees an object when its owner goes out of scope; `Rc`
//!   counts references, so a cycle of `Rc`s is never freed (it is not
//!   `H − Unreachable(H)`, C001-16) until a `Weak` edge breaks it.
//! - A `Vec<u8>` is one allocation and one free however large it is; the
//!   compiler's drop glue visits elements only when they need dropping
//!   (`needs_drop`), as Go's collector scans only spans that hold pointers
//!   (C004-05).
//!
//! Not here: the recursive drop of a long `Box` list (C001-23, in the
//! escape_heap chapter).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

// ANCHOR: rc_node
/// A graph node that counts its drops.
pub struct Node {
    drops: Rc<Cell<usize>>,
    /// A strong edge: keeps the target alive.
    pub next: RefCell<Option<Rc<Node>>>,
    /// A weak edge: does not.
    pub back: RefCell<Option<Weak<Node>>>,
}

impl Node {
    /// A node that adds 1 to `drops` when dropped.
    pub fn new(drops: &Rc<Cell<usize>>) -> Rc<Node> {
        Rc::new(Node {
            drops: Rc::clone(drops),
            next: RefCell::new(None),
            back: RefCell::new(None),
        })
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}
// ANCHOR_END: rc_node

/// What happened to a two-node cycle after its last outside handle went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleOutcome {
    /// Nodes dropped when the handles went out of scope.
    pub dropped_at_scope_end: usize,
    /// Nodes still allocated (observed through a `Weak` kept for the test).
    pub still_alive: usize,
}

// ANCHOR: rc_cycle
/// A ⇄ B with two strong edges. When `a` and `b` go out of scope each count
/// drops from 2 to 1: neither reaches 0, so nothing is freed.
pub fn strong_cycle() -> CycleOutcome {
    let drops = Rc::new(Cell::new(0));
    let watch;
    {
        let a = Node::new(&drops);
        let b = Node::new(&drops);
        *a.next.borrow_mut() = Some(Rc::clone(&b));
        *b.next.borrow_mut() = Some(Rc::clone(&a));
        watch = Rc::downgrade(&a);
    }
    let outcome = CycleOutcome {
        dropped_at_scope_end: drops.get(),
        still_alive: usize::from(watch.strong_count() > 0) * 2,
    };
    // Repair the leak so the process does not keep it: cut one edge by hand.
    if let Some(a) = watch.upgrade() {
        a.next.borrow_mut().take();
    }
    outcome
}

/// A → B strong, B → A weak: the back edge does not count, so both are
/// freed when the handles go.
pub fn weak_back_edge() -> CycleOutcome {
    let drops = Rc::new(Cell::new(0));
    let watch;
    {
        let a = Node::new(&drops);
        let b = Node::new(&drops);
        *a.next.borrow_mut() = Some(Rc::clone(&b));
        *b.back.borrow_mut() = Some(Rc::downgrade(&a));
        watch = Rc::downgrade(&a);
    }
    CycleOutcome {
        dropped_at_scope_end: drops.get(),
        still_alive: usize::from(watch.strong_count() > 0) * 2,
    }
}
// ANCHOR_END: rc_cycle

/// Whether dropping a `T` runs any code (`u8`: no; `Box<u64>`: yes). A
/// `Vec<T>` whose `T` does not need dropping frees its buffer without
/// looking at a single element.
pub fn drop_visits_elements<T>() -> bool {
    std::mem::needs_drop::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strong_cycle_leaks_and_a_weak_edge_does_not() {
        assert_eq!(
            strong_cycle(),
            CycleOutcome { dropped_at_scope_end: 0, still_alive: 2 }
        );
        assert_eq!(
            weak_back_edge(),
            CycleOutcome { dropped_at_scope_end: 2, still_alive: 0 }
        );
        assert!(!drop_visits_elements::<u8>());
        assert!(drop_visits_elements::<Box<u64>>());
    }
}
