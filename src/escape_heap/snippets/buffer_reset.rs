// ANCHOR: port
// Seed 001 §6.1.1.9.1 L820-843, ported line by line: the pool's reset
// function calls `Reset`, which the seed's `Buffer` (L324) does not have.
struct Buffer {
    data: Vec<u8>,
}

struct ObjectPool<T> {
    items: Vec<T>,
    new: fn() -> T,
    reset: fn(&mut T),
}

impl<T> ObjectPool<T> {
    fn new(size: usize, new: fn() -> T, reset: fn(&mut T)) -> Self {
        Self { items: Vec::with_capacity(size), new, reset }
    }
}

fn memory_best_practices() {
    let slice: Vec<i64> = Vec::with_capacity(1000);
    let pool = ObjectPool::new(
        10,
        || Buffer { data: vec![0; 1024] },
        |buf: &mut Buffer| buf.reset(), // error[E0599]: no method named `reset`
    );
}
// ANCHOR_END: port

fn main() {
    memory_best_practices();
}
