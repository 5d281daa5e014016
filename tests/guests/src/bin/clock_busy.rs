//! Reads the monotonic clock forever.
fn main() {
    println!("reading the clock");
    let start = std::time::Instant::now();
    loop {
        std::hint::black_box(start.elapsed());
    }
}
