//! CPU-bound work for benchmarks: a sieve of Eratosthenes and an FNV-1a hash over its output,
//! repeated. Prints the prime count and the hash so the work cannot be optimized away.
fn main() {
    let rounds: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    let limit = 2_000_000;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut count = 0;
    for round in 0..rounds {
        let mut composite = vec![false; limit + 1];
        count = 0;
        for i in 2..=limit {
            if !composite[i] {
                count += 1;
                hash = (hash ^ (i as u64 + u64::from(round))).wrapping_mul(0x100_0000_01b3);
                // i * i would overflow a 32-bit usize (wasm32) for i > 65535.
                if i <= limit / i {
                    let mut j = i * i;
                    while j <= limit {
                        composite[j] = true;
                        j += i;
                    }
                }
            }
        }
    }
    println!("{count} primes, hash {hash:016x}");
}
