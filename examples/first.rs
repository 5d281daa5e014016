use hermetic_wasi::sandbox::{Program, RunOptions, engine};
#[allow(clippy::disallowed_methods)]
fn main() {
    let t = std::time::Instant::now();
    engine::shared(engine::Flavor::Pooled).unwrap();
    let a = t.elapsed();
    let wasm = std::fs::read("tests/guests/target/wasm32-wasip2/release/hello.wasm").unwrap();
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let t = std::time::Instant::now();
    let p = Program::with_cache(wasm, Some(dir)).unwrap();
    let b = t.elapsed();
    let t = std::time::Instant::now();
    p.run(&RunOptions::default()).unwrap();
    let c = t.elapsed();
    let t = std::time::Instant::now();
    p.run(&RunOptions::default()).unwrap();
    let d = t.elapsed();
    println!("engines {a:?} load {b:?} first run {c:?} second run {d:?}");
}
