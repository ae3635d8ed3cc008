// ANCHOR: port
// Seed 001 §6.1.1.3.2 L68-82 (`escapeAnalysis`), ported line by line.
use std::fmt::Debug;

fn get_pointer() -> Box<i32> {
    Box::new(42)
}

fn escape_analysis() {
    let ptr = get_pointer(); // case 1: returned pointer
    let closure = || println!("{ptr}"); // case 2: closure
    let iface: &dyn Debug = &ptr; // case 3: interface
    let slice = vec![0i64; size]; // case 4: error[E0425]: cannot find value `size`
}
// ANCHOR_END: port

fn main() {
    escape_analysis();
}
