//! Sleeps 5 x 1 s and prints the elapsed monotonic and wall-clock time after each sleep.
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let start = Instant::now();
    let wall_start = SystemTime::now();
    println!("start {}", wall_start.duration_since(UNIX_EPOCH).unwrap().as_nanos());
    for i in 1..=5 {
        std::thread::sleep(Duration::from_secs(1));
        let wall = SystemTime::now().duration_since(wall_start).unwrap();
        println!("slept {i}: elapsed {} ms, wall {} ms", start.elapsed().as_millis(), wall.as_millis());
    }
}
