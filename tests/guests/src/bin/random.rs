//! Prints random values from each of the three wasi:random interfaces.
use wasip2::random::{insecure, insecure_seed, random};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    println!("bytes {}", hex(&random::get_random_bytes(16)));
    println!("bytes {}", hex(&random::get_random_bytes(16)));
    println!("u64 {}", random::get_random_u64());
    println!("insecure {}", hex(&insecure::get_insecure_random_bytes(8)));
    println!("insecure u64 {}", insecure::get_insecure_random_u64());
    println!("seed {:?}", insecure_seed::insecure_seed());
}
