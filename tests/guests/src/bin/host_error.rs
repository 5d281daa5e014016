//! Breaks a host contract: blocking-write-and-flush of more than 4096 bytes, which the host
//! refuses by trapping.
fn main() {
    println!("about to misuse stdout");
    let stdout = wasip2::cli::stdout::get_stdout();
    let _ = stdout.blocking_write_and_flush(&[b'x'; 5000]);
    println!("unreachable");
}
