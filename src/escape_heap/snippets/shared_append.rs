// ANCHOR: port
// Seed 003 最佳实践2 L407-440 (`HandleRequests`), ported: every worker appends
// to the one `responses` vector. (With `thread::spawn` instead of a scope,
// rustc reports a second error: the borrow does not live for `'static`.)
fn process(request: u32) -> u32 {
    request * 2
}

fn handle_requests(requests: &[u32]) -> Vec<u32> {
    let mut responses = Vec::with_capacity(requests.len());
    std::thread::scope(|s| {
        for &r in requests {
            let responses = &mut responses;
            // error[E0499]: cannot borrow `responses` as mutable more than once
            s.spawn(move || responses.push(process(r)));
        }
    });
    responses
}
// ANCHOR_END: port

fn main() {
    println!("{:?}", handle_requests(&[1, 2, 3]));
}
