//! Writes one line to stdout and one to stderr.
fn main() {
    println!("hello from stdout");
    eprintln!("hello from stderr");
}
