//! Reads stdin to the end when none was given.
use std::io::Read;

fn main() {
    let mut input = String::new();
    let n = std::io::stdin().read_to_string(&mut input).unwrap();
    println!("read {n} bytes");
}
