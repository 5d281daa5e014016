//! Copies stdin to stdout and reports the byte count on stderr.
use std::io::{Read, Write};

fn main() {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).unwrap();
    std::io::stdout().write_all(&input).unwrap();
    eprintln!("read {} bytes", input.len());
}
