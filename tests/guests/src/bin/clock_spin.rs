//! Busy-waits on the monotonic clock until one second has passed, counting reads.
use std::time::{Duration, Instant};

fn main() {
    let start = Instant::now();
    let mut reads: u64 = 0;
    while start.elapsed() < Duration::from_secs(1) {
        reads += 1;
    }
    println!("{reads} reads, elapsed {} ns", start.elapsed().as_nanos());
}
