//! Recurses without bound: a stack overflow.
#[inline(never)]
#[allow(unconditional_recursion, reason = "the overflow is the point")]
fn recurse(depth: u64) -> u64 {
    recurse(std::hint::black_box(depth + 1)).wrapping_mul(depth | 1)
}

fn main() {
    println!("recursing");
    println!("{}", recurse(0));
}
