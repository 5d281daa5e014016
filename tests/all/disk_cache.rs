//! The on-disk cache of compiled code (`cacheDir`), and the pooling allocator's fallback: a
//! program is only ever loaded from a valid cache entry, and a program the pool cannot hold
//! still runs.

use std::path::PathBuf;

use hermetic_wasi::sandbox::{Limits, Outcome, Program, RunOptions, engine, limits};

use crate::{guest_bytes, run_program};

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hermetic-wasi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The one cache file in `dir`.
fn entry(dir: &PathBuf) -> PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[test]
fn disk_cache() {
    let dir = temp_dir("disk_cache");
    let wasm = guest_bytes("hello");
    let expected = run_program(&Program::new(wasm.clone()).unwrap(), &RunOptions::default());
    let run_cached = || {
        let program = Program::with_cache(wasm.clone(), Some(dir.clone())).unwrap();
        assert_eq!(run_program(&program, &RunOptions::default()), expected);
    };

    run_cached();
    let path = entry(&dir);
    let name = path.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.ends_with(".cwasm") && name.contains("-pooled-"),
        "{name}"
    );
    let valid = std::fs::read(&path).unwrap();
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();

    // A valid entry is loaded, not rewritten.
    run_cached();
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        written
    );

    // A flipped byte, a truncated file, a checksummed foreign payload and another program's
    // valid entry copied to this name are each recompiled and replaced by a valid entry.
    let mut flipped = valid.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let truncated = valid[..valid.len() / 2].to_vec();
    let foreign = {
        let payload = b"not compiled code".to_vec();
        use sha2::Digest;
        let mut digest = sha2::Sha256::new();
        digest.update(name.as_bytes());
        digest.update(&payload);
        let mut file = valid[..8].to_vec();
        file.extend_from_slice(&digest.finalize());
        file.extend_from_slice(&payload);
        file
    };
    let other_dir = temp_dir("disk_cache_other");
    Program::with_cache(guest_bytes("echo"), Some(other_dir.clone())).unwrap();
    let other = std::fs::read(entry(&other_dir)).unwrap();
    std::fs::remove_dir_all(&other_dir).unwrap();
    for damaged in [flipped, truncated, foreign, other, Vec::new()] {
        std::fs::write(&path, &damaged).unwrap();
        run_cached();
        assert_eq!(std::fs::read(&path).unwrap(), valid);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn disk_cache_unwritable() {
    // A cache directory that cannot be created (its parent is a file) leaves the program
    // compiled in memory.
    let dir = temp_dir("disk_cache_unwritable");
    std::fs::write(&dir, b"a file").unwrap();
    let program = Program::with_cache(guest_bytes("hello"), Some(dir.join("cache"))).unwrap();
    let result = run_program(&program, &RunOptions::default());
    assert_eq!(result.stdout, b"hello from stdout\n");
    std::fs::remove_file(&dir).unwrap();
}

/// A component whose one core module holds `memories` memories and a table of
/// `table_elements`, instantiated `instances` times; `run` returns ok, or spins if `spin`.
fn component(memories: usize, table_elements: usize, instances: usize, spin: bool) -> Vec<u8> {
    let memories = "(memory 1)".repeat(memories);
    let extra = "(core instance (instantiate $m))".repeat(instances - 1);
    let body = if spin { "(loop $l (br $l))" } else { "" };
    let wat = format!(
        r#"(component
  (core module $m {memories} (table {table_elements} funcref)
    (func (export "run") (result i32) {body} (i32.const 0)))
  (core instance $i (instantiate $m))
  {extra}
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))"#
    );
    wat::parse_str(wat).unwrap()
}

#[test]
fn pool_fallback() {
    // Each of these exceeds a limit of the pooling allocator, and runs on the on-demand engine.
    let too_big = [("two memories", component(2, 1, 1, false))];
    for (what, wasm) in too_big {
        let program = Program::new(wasm).unwrap_or_else(|e| panic!("{what}: {e}"));
        let result = run_program(&program, &RunOptions::default());
        assert_eq!(result.outcome, Outcome::Exited(0), "{what}");
    }
}

#[test]
fn pool_full() {
    // Two runs at once of a component with 60% of the pool's core instances: the second finds
    // the pool full, and is retried on the on-demand engine. Both spin until their timeout.
    let instances = engine::POOL_SLOTS as usize * 3 / 5;
    let program = Program::new(component(0, 1, instances, true)).unwrap();
    let options = RunOptions {
        limits: Limits {
            timeout_ms: Some(300),
            ..Default::default()
        },
        ..Default::default()
    };
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| program.run(&options).unwrap().outcome))
            .collect();
        for run in runs {
            assert_eq!(run.join().unwrap(), Outcome::Timeout);
        }
    });
}

/// Growth is decided alike on every engine: an empty table grown by 150,000 in one step (once
/// refused by the pool alone) is granted, and growth past `MAX_TABLE_ELEMENTS` is refused, on
/// the pooled and the fuel-metering engine (the on-demand engine is checked by
/// `scripts/determinism.sh`, in a process too small for the pool). `run` returns ok (0) if
/// each `table.grow` returned what it should.
#[test]
fn growth_is_the_same_on_every_engine() {
    let cap = limits::MAX_TABLE_ELEMENTS;
    let wat = format!(
        r#"(component
  (core module $m (table 0 funcref)
    (func (export "run") (result i32)
      (i32.eqz (i32.and
        (i32.eq (table.grow (ref.null func) (i32.const 150000)) (i32.const 0))
        (i32.and
          (i32.eq (table.grow (ref.null func) (i32.const {rest})) (i32.const 150000))
          (i32.eq (table.grow (ref.null func) (i32.const 1)) (i32.const -1)))))))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))"#,
        rest = cap - 150_000
    );
    let program = Program::new(wat::parse_str(wat).unwrap()).unwrap();
    let metered = RunOptions {
        limits: Limits {
            fuel: Some(100_000_000),
            ..Default::default()
        },
        ..Default::default()
    };
    for options in [RunOptions::default(), metered] {
        let result = run_program(&program, &options);
        assert_eq!(result.outcome, Outcome::Exited(0), "{options:?}");
    }
}
