//! Our answers to chapter 3's exercises (the reader's start is starter.rs).

// ANCHOR: exercise_1
/// Exercise 1: join `items` with `sep` in exactly one allocation, and none
/// for an empty list.
pub fn join_with_one_allocation(items: &[&str], sep: &str) -> String {
    // Measure first: the final length is known before anything is copied.
    let len = items.iter().map(|s| s.len()).sum::<usize>()
        + sep.len() * items.len().saturating_sub(1);
    let mut out = String::with_capacity(len);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    out
}
// ANCHOR_END: exercise_1

// ANCHOR: exercise_2
/// Exercise 2: return the first `n` bytes of `data` so that, once this
/// returns, only `n` bytes stay allocated.
pub fn keep_head(mut data: Vec<u8>, n: usize) -> Vec<u8> {
    // `truncate` alone keeps the capacity; shrinking gives the rest back
    // (or `data[..n].to_vec()`, which copies and frees `data`).
    data.truncate(n);
    data.shrink_to_fit();
    data
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
        // Unlink one frame at a time: each frame is dropped with `below`
        // already taken, so its own drop glue has nothing left to recurse into.
        let mut next = self.top.take();
        while let Some(mut frame) = next {
            next = frame.below.take();
        }
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
