//! Answers each line of stdin as soon as it is read (`> line`), and says `bye` at its end: the
//! guest of interactive input.
use std::io::{BufRead, Write};

fn main() {
    let mut out = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        writeln!(out, "> {}", line.unwrap()).unwrap();
        out.flush().unwrap();
    }
    println!("bye");
}
