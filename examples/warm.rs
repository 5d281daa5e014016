use hermetic_wasi::sandbox::{Program, RunOptions};
#[allow(clippy::disallowed_methods)]
fn main() {
    let name = std::env::args().nth(1).unwrap_or("hello".into());
    let wasm = std::fs::read(format!(
        "tests/guests/target/wasm32-wasip2/release/{name}.wasm"
    ))
    .unwrap();
    let p = Program::new(wasm).unwrap();
    let o = RunOptions::default();
    for _ in 0..2000 {
        p.run(&o).unwrap();
    }
    let n = 20000;
    let mut t = Vec::with_capacity(n);
    for _ in 0..n {
        let s = std::time::Instant::now();
        p.run(&o).unwrap();
        t.push(s.elapsed().as_nanos() as f64 / 1000.0);
    }
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "rust-only median {:.1} p90 {:.1} min {:.1} us",
        t[n / 2],
        t[n * 9 / 10],
        t[0]
    );
}
