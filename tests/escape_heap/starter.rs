//! Chapter 3's exercises, to be written: replace each `todo!()` until
//! `cargo test --test escape_heap --features starter exercise` passes.
#![allow(unused)]

// ANCHOR: exercise_1
/// Exercise 1: join `items` with `sep` in exactly one allocation, and none
/// for an empty list.
pub fn join_with_one_allocation(items: &[&str], sep: &str) -> String {
    // TODO: compute the final length first, allocate once, then push.
    todo!()
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Exercise 2: return the first `n` bytes of `data` so that, once this
/// returns, only `n` bytes stay allocated.
pub fn keep_head(mut data: Vec<u8>, n: usize) -> Vec<u8> {
    // TODO: `truncate` keeps the capacity; give the rest back.
    todo!()
}
// ANCHOR_END: exercise_2

// ANCHOR: exercise_3
/// Exercise 3: a stack of frames whose drop must not recurse.
pub struct Stack {
    top: Option<Box<Frame>>,
}

struct Frame {
    value: u64,
    below: Option<Box<Frame>>,
}

impl Drop for Stack {
    fn drop(&mut self) {
        // TODO: free the frames in a loop, unlinking each before it drops.
        todo!()
    }
}
// ANCHOR_END: exercise_3

impl Stack {
    /// A stack of `n` frames holding `0..n`, `n - 1` on top.
    pub fn with_len(n: u64) -> Self {
        let mut stack = Stack { top: None };
        for value in 0..n {
            stack.top = Some(Box::new(Frame { value, below: stack.top.take() }));
        }
        stack
    }

    /// The value on top.
    pub fn top(&self) -> Option<u64> {
        self.top.as_ref().map(|f| f.value)
    }
}
