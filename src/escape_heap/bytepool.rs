//! Seed 003 策略3 L274-283 written in Rust: building a string in a pooled
//! byte buffer that goes back to the pool by move, grown. The faithful port
//! of the seed's version, with its `defer bytePool.Put(buf)` bug (defect
//! D53), is [`super::seed_port::build_string_seed_port`].
//!
//! Not a pool chapter: [`BytePool`] is the smallest pool that shows the
//! point (the `pools` chapter measures real ones).

/// A pool of byte buffers that hands them out empty.
#[derive(Debug, Default)]
pub struct BytePool {
    free: Vec<Vec<u8>>,
}

impl BytePool {
    /// An empty buffer with capacity for at least `n` bytes.
    pub fn get(&mut self, n: usize) -> Vec<u8> {
        let mut buf = self.free.pop().unwrap_or_default();
        buf.clear();
        buf.reserve(n);
        buf
    }

    /// Returns a buffer for reuse.
    pub fn put(&mut self, buf: Vec<u8>) {
        self.free.push(buf);
    }

    /// Capacities of the pooled buffers.
    pub fn capacities(&self) -> Vec<usize> {
        self.free.iter().map(Vec::capacity).collect()
    }
}

// ANCHOR: rust_build
/// The Rust version: the buffer is moved back into the pool at the end, so
/// the pool gets the *grown* buffer, and the result is one exact-size copy.
pub fn build_string_pooled(pool: &mut BytePool, items: &[&str]) -> String {
    let mut buf = pool.get(items.len() * 10);
    for item in items {
        buf.extend_from_slice(item.as_bytes());
    }
    let result = std::str::from_utf8(&buf).expect("joined `str`s are UTF-8").to_owned();
    pool.put(buf);
    result
}
// ANCHOR_END: rust_build

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_gets_back_the_grown_buffer() {
        let items = ["abcdefghij"; 30];
        let mut pool = BytePool::default();
        assert_eq!(build_string_pooled(&mut pool, &items), items.concat());
        assert!(pool.capacities()[0] >= 300);
    }
}
