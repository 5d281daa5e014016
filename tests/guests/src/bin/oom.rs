//! Allocates and touches memory 1 MiB at a time, forever, reporting every 16 MiB.
fn main() {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    loop {
        chunks.push(vec![1u8; 1 << 20]);
        if chunks.len() % 16 == 0 {
            println!("allocated {} MiB", chunks.len());
        }
    }
}
