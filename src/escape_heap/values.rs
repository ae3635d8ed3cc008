//! Values or pointers (seed 003 策略5, L311-336): small objects stored by
//! value, behind one `Box` each, or with boxed fields; and what passing a
//! large value by value costs.
//!
//! Not about garbage-collector scanning (Rust has no collector to scan): the
//! Rust cost of pointers is one allocation per box and a pointer to follow
//! on every access.

use std::hint::black_box;

// ANCHOR: points
/// Seed 003 L325-328: a small value type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Point {
    /// X.
    pub x: i64,
    /// Y.
    pub y: i64,
}

/// Seed 003 L319-322: "unnecessary pointers", one box per field.
#[derive(Debug)]
pub struct BoxedFieldsPoint {
    /// X, boxed.
    pub x: Box<i64>,
    /// Y, boxed.
    pub y: Box<i64>,
}

/// `[]Point`: one allocation, points side by side.
pub fn points_by_value(n: usize) -> Vec<Point> {
    (0..n as i64).map(|i| Point { x: i, y: -i }).collect()
}

/// `[]*Point`: one allocation for the pointers, one per point.
pub fn points_boxed(n: usize) -> Vec<Box<Point>> {
    (0..n as i64).map(|i| Box::new(Point { x: i, y: -i })).collect()
}

/// Pointer fields: one allocation for the vector, two per point.
pub fn points_boxed_fields(n: usize) -> Vec<BoxedFieldsPoint> {
    (0..n as i64).map(|i| BoxedFieldsPoint { x: Box::new(i), y: Box::new(-i) }).collect()
}
// ANCHOR_END: points

/// Σ x + y (0 for the points built above).
pub fn sum_by_value(points: &[Point]) -> i64 {
    points.iter().map(|p| p.x + p.y).sum()
}

/// Σ x + y, through one pointer per point.
pub fn sum_boxed(points: &[Box<Point>]) -> i64 {
    points.iter().map(|p| p.x + p.y).sum()
}

/// Σ x + y, through two pointers per point.
pub fn sum_boxed_fields(points: &[BoxedFieldsPoint]) -> i64 {
    points.iter().map(|p| *p.x + *p.y).sum()
}

// ANCHOR: pass_large
/// Takes an `N`-byte array by value. The caller passes the address of a
/// copy it made (the ABI passes large values indirectly).
#[inline(never)]
pub fn first_byte_by_value<const N: usize>(a: [u8; N]) -> (u8, usize) {
    (a[0], a.as_ptr() as usize)
}

/// Takes it by reference: only the address is passed.
#[inline(never)]
pub fn first_byte_by_ref<const N: usize>(a: &[u8; N]) -> (u8, usize) {
    (a[0], a.as_ptr() as usize)
}

/// What a pointer costs in Go when its target escapes: the `N`-byte value
/// gets a heap allocation of its own (left uninitialised here, since
/// building the value costs the same on the stack or the heap), then the
/// call takes its address.
#[inline(never)]
pub fn first_byte_via_heap<const N: usize>(a: &[u8; N]) -> (u8, usize) {
    let target = black_box(Box::<[u8; N]>::new_uninit());
    let r = first_byte_by_ref(a);
    drop(target);
    r
}
// ANCHOR_END: pass_large

/// Whether a by-value call of an `N`-byte array sees the caller's array or a
/// copy of it: `(copied_when_still_used_after, copied_when_moved)`.
pub fn by_value_makes_a_copy<const N: usize>() -> (bool, bool) {
    let kept = black_box([7u8; N]);
    let (_, seen) = first_byte_by_value(kept);
    let copied_kept = seen != kept.as_ptr() as usize;
    black_box(&kept);
    let moved = black_box([9u8; N]);
    let addr = moved.as_ptr() as usize;
    let (_, seen) = first_byte_by_value(moved);
    (copied_kept, seen != addr)
}

/// Stack size of the thread that builds a large value in the child demo.
pub const SMALL_STACK: usize = 256 << 10;

/// Bytes of the value built on that thread (four times its stack).
pub const LARGE_VALUE: usize = 1 << 20;

// ANCHOR: large_on_stack
/// Builds a `N`-byte array in the frame and returns it by value.
#[inline(never)]
pub fn make_array<const N: usize>() -> [u8; N] {
    let mut a = [0u8; N];
    a[black_box(N / 2)] = 1;
    a
}

/// `Box::new(make_array())`: the array is built on the stack, then moved.
pub fn boxed_via_stack() -> Box<[u8; LARGE_VALUE]> {
    Box::new(make_array::<LARGE_VALUE>())
}

/// Built on the heap from the start: no stack space needed.
pub fn boxed_via_heap() -> Box<[u8; LARGE_VALUE]> {
    let mut b: Box<[u8; LARGE_VALUE]> =
        vec![0u8; LARGE_VALUE].into_boxed_slice().try_into().expect("exact length");
    b[black_box(LARGE_VALUE / 2)] = 1;
    b
}
// ANCHOR_END: large_on_stack

/// Runs `f` on a new thread with a `stack`-byte stack and returns its result
/// (a stack overflow aborts the process: run this in a child).
pub fn on_thread_with_stack<R: Send + 'static>(
    stack: usize,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    std::thread::Builder::new()
        .name(format!("stack-{}KiB", stack >> 10))
        .stack_size(stack)
        .spawn(f)
        .expect("spawning a thread")
        .join()
        .expect("the thread panicked")
}

/// Child mode: a 1 MiB array built on a 256 KiB stack (overflows).
pub fn child_large_value_via_stack() {
    let b = on_thread_with_stack(SMALL_STACK, || black_box(boxed_via_stack())[0]);
    println!("built a {LARGE_VALUE}-byte value on the stack: {b}");
}

/// Child mode: the same value built on the heap, same stack (passes).
pub fn child_large_value_via_heap() {
    let b = on_thread_with_stack(SMALL_STACK, || black_box(boxed_via_heap())[0]);
    println!("built a {LARGE_VALUE}-byte value on the heap: {b}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_layouts_hold_the_same_points() {
        let n = 100;
        assert_eq!(sum_by_value(&points_by_value(n)), 0);
        assert_eq!(sum_boxed(&points_boxed(n)), 0);
        assert_eq!(sum_boxed_fields(&points_boxed_fields(n)), 0);
        assert_eq!(*points_boxed(n)[7], points_by_value(n)[7]);
    }

    #[test]
    fn by_ref_sees_the_callers_array() {
        let a = [3u8; 4096];
        assert_eq!(first_byte_by_ref(&a), (3, a.as_ptr() as usize));
        assert_eq!(first_byte_via_heap(&a), (3, a.as_ptr() as usize));
    }
}
