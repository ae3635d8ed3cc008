// ANCHOR: port
// Seed 003 策略4 L292-296 (`getFirst10`), ported: the head borrows `data`,
// so it cannot keep the buffer alive after `data` goes away.
fn get_first_10(data: &[u8]) -> &[u8] {
    &data[..10]
}

fn main() {
    let data = vec![1u8; 1 << 20];
    let head = get_first_10(&data);
    drop(data); // error[E0505]: cannot move out of `data` because it is borrowed
    println!("{head:?}");
}
// ANCHOR_END: port
