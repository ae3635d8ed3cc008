// ANCHOR: port
// Seed 001 §6.1.1.3.2 L84-87 (`getPointer`), ported as written: return the
// address of a local. Go moves `x` to the heap; Rust refuses.
fn get_pointer() -> &'static i32 {
    let x = 42;
    &x // error[E0515]: cannot return reference to local variable `x`
}
// ANCHOR_END: port

fn main() {
    println!("{}", get_pointer());
}
