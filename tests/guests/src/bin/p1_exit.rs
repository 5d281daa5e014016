//! Exits through `std::process::exit` with its first argument (an `i32`). On wasm32-wasip1, std
//! calls `proc_exit` with the code as it is, so every 32-bit code reaches the host.
fn main() {
    let code: i32 = std::env::args().nth(1).unwrap().parse().unwrap();
    println!("exiting with {code}");
    std::process::exit(code);
}
