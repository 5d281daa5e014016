//! Writes numbered lines to stdout forever.
use std::io::Write;

fn main() {
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        writeln!(out, "line {i}").unwrap();
    }
}
