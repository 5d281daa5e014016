//! Writes to stdout and stderr in turn around virtual sleeps, two writes to stdout at one
//! virtual time among them: the guest of the timed output events.
use std::io::Write;
use std::time::Duration;

fn main() {
    println!("tick 1");
    eprintln!("warn 1");
    std::thread::sleep(Duration::from_millis(250));
    print!("tick 2, ");
    std::io::stdout().flush().unwrap();
    println!("same time");
    std::thread::sleep(Duration::from_secs(1));
    eprintln!("warn 2");
    println!("done");
}
