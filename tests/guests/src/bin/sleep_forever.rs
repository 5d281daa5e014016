//! Sleeps one second at a time, forever.
fn main() {
    for i in 0u64.. {
        if i % 600 == 0 {
            println!("slept {} minutes", i / 60);
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}
