// ANCHOR: port
// Seed 001 §6.1.1.9.2 L851-862, ported line by line. Go rejects it (`declared
// and not used`); rustc compiles it with warnings.
fn memory_usage_optimization() {
    let mut large_data = vec![0u8; 1 << 20];
    // use large_data
    large_data = Vec::new(); // "explicit release": Rust frees the 1 MiB here
    let pool: Vec<Vec<u8>> = Vec::with_capacity(1024);
}
// ANCHOR_END: port

fn main() {
    memory_usage_optimization();
}
