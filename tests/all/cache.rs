//! The content-addressed program cache behind `runWasi`: equal bytes share one compiled program,
//! the cache keeps the most recently used ones within a count and a byte bound, and bytes that
//! fail to compile or link are cached with their error.

use std::sync::Arc;

use std::path::PathBuf;

use hermetic_wasi::sandbox::limits::Budget;
use hermetic_wasi::sandbox::{Outcome, Program, RunOptions, SandboxError, cache};

/// The program cache's program for `wasm`, compiled without a time bound.
fn program(wasm: Arc<[u8]>, dir: Option<PathBuf>) -> Result<Arc<Program>, SandboxError> {
    cache::program(wasm, dir, &Budget::default())
}

/// A distinct trivial component for each `n`: `run` returns ok.
fn component(n: usize) -> Vec<u8> {
    let wat = format!(
        r#"(component
  (core module $m (func (export "run") (result i32) (drop (i32.const {n})) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))"#
    );
    wat::parse_str(wat).unwrap()
}

#[test]
fn cache() {
    // Numbers 1000.. are used by no other test, so parallel tests cannot disturb the order.
    let first = program(component(1000).into(), None).unwrap();
    assert!(Arc::ptr_eq(
        &first,
        &program(component(1000).into(), None).unwrap()
    ));
    assert_eq!(
        first.run(&RunOptions::default()).unwrap().outcome,
        Outcome::Exited(0)
    );
    let others: Vec<_> = (1001..1001 + cache::CAPACITY)
        .map(|n| program(component(n).into(), None).unwrap())
        .collect();
    // Programs of the same length that differ in one byte are told apart.
    assert_eq!(component(1001).len(), component(1002).len());
    assert!(!Arc::ptr_eq(&others[0], &others[1]));
    // CAPACITY newer programs pushed the first one out: it is compiled again.
    assert!(!Arc::ptr_eq(
        &first,
        &program(component(1000).into(), None).unwrap()
    ));
    // The same bytes with another disk cache directory are another program, which compiles
    // into that directory.
    let dir = std::env::temp_dir().join(format!("hermetic-wasi-{}-cache", std::process::id()));
    let plain = program(component(1000).into(), None).unwrap();
    let in_dir = program(component(1000).into(), Some(dir.clone())).unwrap();
    assert!(!Arc::ptr_eq(&plain, &in_dir));
    assert!(Arc::ptr_eq(
        &in_dir,
        &program(component(1000).into(), Some(dir.clone())).unwrap()
    ));
    // One entry: the code and its sum file.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
    let bad = || program(Arc::from(&b"\0asm\x0d\0\x01\0garbage"[..]), None).map(|_| ());
    assert!(matches!(bad(), Err(SandboxError::InvalidWasm(_))));
    assert_eq!(bad(), bad());

    // A module that compiles but imports what the sandbox lacks is compiled once: the second
    // call gets the same error without compiling (it would write the disk cache again).
    let dir = std::env::temp_dir().join(format!("hermetic-wasi-{}-link", std::process::id()));
    let unlinkable =
        wat::parse_str(r#"(module (import "env" "f" (func)) (func (export "_start")))"#).unwrap();
    let link = || program(Arc::from(&unlinkable[..]), Some(dir.clone())).map(|_| ());
    let first = link();
    assert!(
        matches!(&first, Err(SandboxError::InvalidWasm(m)) if m.starts_with("the module imports")),
        "{first:?}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(link(), first);
    assert!(!dir.exists(), "the rejected module was compiled again");

    // Programs are also bounded in bytes: three of about 200 MiB each (a 100 MiB data segment,
    // kept in the wasm and in the compiled image) pass MAX_BYTES, and the oldest is dropped.
    let big = |n: u8| -> Arc<[u8]> {
        let data = String::from_utf8(vec![b'a' + n; 100 << 20]).unwrap();
        let wat = format!(
            r#"(module (memory (export "memory") 1700) (data (i32.const 0) "{data}")
              (func (export "_start")))"#
        );
        Arc::from(wat::parse_str(wat).unwrap())
    };
    let first = program(big(0), None).unwrap();
    assert!(
        first.size_bytes() > 2 * (100 << 20),
        "{}",
        first.size_bytes()
    );
    assert!(3 * first.size_bytes() > cache::MAX_BYTES);
    the_third_evicts_the_first(big);

    // A program given as text is kept under its text, which counts too: three tiny modules
    // behind 200 MiB comments pass MAX_BYTES as well.
    let commented = |n: u8| -> Arc<[u8]> {
        let mut text = b";; ".to_vec();
        text.resize(200 << 20, b'a' + n);
        text.extend_from_slice(
            b"\n(module (memory (export \"memory\") 1) (func (export \"_start\")))",
        );
        Arc::from(text)
    };
    the_third_evicts_the_first(commented);
}

/// Caches the programs `make(0)`, `make(1)` and `make(2)`, which together pass
/// [`cache::MAX_BYTES`]: the newest is still cached, the oldest was dropped (compiled again).
fn the_third_evicts_the_first(make: impl Fn(u8) -> Arc<[u8]>) {
    let programs: Vec<_> = (0..3).map(|n| program(make(n), None).unwrap()).collect();
    let again = |n: u8| program(make(n), None).unwrap();
    assert!(Arc::ptr_eq(&programs[2], &again(2)));
    assert!(!Arc::ptr_eq(&programs[0], &again(0)));
}
