//! When the heap runs out of stack: a singly linked list of `Box`ed nodes is
//! dropped by compiler-generated drop glue that recurses once per node, so a
//! long enough list overflows the stack. An iterative `Drop` frees the same
//! nodes in a loop.
//!
//! This is the Rust counterpart of seed 001's `debug.ReadGCStats` (C001-23):
//! Rust has no collector and no GC pause, but freeing a large structure is a
//! pause of its own, paid at a known line, and a recursive one can crash.
//!
//! Not a list library: the lists only push to the front and count their nodes.

use std::hint::black_box;

/// Nodes in the crash demonstration.
pub const MILLION: usize = 1_000_000;

/// Stack size of the thread that drops the list in the demonstrations: the
/// result does not depend on the caller's stack (8 MiB for a main thread,
/// 2 MiB for a test thread).
pub const DROP_STACK: usize = 1 << 20;

// ANCHOR: node
/// One node: a value and the rest of the list.
pub struct Node {
    /// The payload.
    pub value: u64,
    /// The next node, owned.
    pub next: Option<Box<Node>>,
}

/// A list whose drop is the compiler's: dropping a node drops `next` first,
/// one stack frame per node.
#[derive(Default)]
pub struct RecursiveList {
    head: Option<Box<Node>>,
}
// ANCHOR_END: node

// ANCHOR: iterative
/// The same list with a hand-written `Drop` that unlinks one node at a time.
#[derive(Default)]
pub struct IterativeList {
    head: Option<Box<Node>>,
}

impl Drop for IterativeList {
    fn drop(&mut self) {
        let mut next = self.head.take();
        while let Some(mut node) = next {
            // Detach the rest before `node` is dropped, so dropping `node`
            // drops a node whose `next` is `None`: no recursion.
            next = node.next.take();
        }
    }
}
// ANCHOR_END: iterative

macro_rules! list_api {
    ($list:ident) => {
        impl $list {
            /// A list of `n` nodes holding `0..n`.
            pub fn with_len(n: usize) -> Self {
                let mut list = Self::default();
                for v in (0..n as u64).rev() {
                    list.push_front(v);
                }
                list
            }

            /// Adds `value` in front.
            pub fn push_front(&mut self, value: u64) {
                self.head = Some(Box::new(Node { value, next: self.head.take() }));
            }

            /// Number of nodes (walks the list).
            pub fn len(&self) -> usize {
                let mut n = 0;
                let mut node = self.head.as_deref();
                while let Some(x) = node {
                    n += 1;
                    node = x.next.as_deref();
                }
                n
            }

            /// No nodes.
            pub fn is_empty(&self) -> bool {
                self.head.is_none()
            }
        }
    };
}

list_api!(RecursiveList);
list_api!(IterativeList);

/// Builds a list of `n` nodes and drops it on a thread with a `stack`-byte
/// stack. Returns the node count dropped; a recursive drop that overflows
/// aborts the whole process, so call this in a child for large `n`.
pub fn drop_on_small_stack(n: usize, stack: usize, iterative: bool) -> usize {
    super::values::on_thread_with_stack(stack, move || {
        if iterative {
            let list = black_box(IterativeList::with_len(n));
            let len = list.len();
            drop(list);
            len
        } else {
            let list = black_box(RecursiveList::with_len(n));
            let len = list.len();
            drop(list);
            len
        }
    })
}

/// Child mode: a million-node list dropped by the recursive drop glue.
pub fn child_recursive_drop() {
    let n = drop_on_small_stack(MILLION, DROP_STACK, false);
    println!("dropped {n} nodes recursively");
}

/// Child mode: the same list dropped by the iterative `Drop`.
pub fn child_iterative_drop() {
    let n = drop_on_small_stack(MILLION, DROP_STACK, true);
    println!("dropped {n} nodes iteratively");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lists_drop_either_way() {
        assert_eq!(drop_on_small_stack(1000, DROP_STACK, false), 1000);
        assert_eq!(drop_on_small_stack(1000, DROP_STACK, true), 1000);
        assert!(RecursiveList::default().is_empty());
        assert_eq!(IterativeList::with_len(3).len(), 3);
    }
}
