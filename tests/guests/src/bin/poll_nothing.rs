//! Polls an empty list of pollables: waits on nothing, forever.
fn main() {
    println!("waiting on nothing");
    wasip2::io::poll::poll(&[]);
    println!("unreachable");
}
