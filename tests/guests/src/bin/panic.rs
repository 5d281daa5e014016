//! Writes a line, then panics: a trap with the panic message on stderr.
fn main() {
    println!("before the panic");
    panic!("boom");
}
