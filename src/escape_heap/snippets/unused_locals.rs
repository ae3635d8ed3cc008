// ANCHOR: port
// Seed 001 §6.1.1.3.1 L45-55 (`memoryExample`), ported line by line. Go rejects
// it (`escapeVar declared and not used`); rustc compiles it with warnings.
fn memory_example() {
    let stack_var = 42; // "stack allocation"
    let mut heap_var = Box::new(0i64); // "heap allocation"
    *heap_var = 100;
    let escape_var = vec![0i64; 1000]; // "may escape to the heap"
}
// ANCHOR_END: port

fn main() {
    memory_example();
}
