//! The on-disk cache of compiled code (`cacheDir`), and the pooling allocator's fallback: a
//! program is only ever loaded from a valid cache entry, and a program the pool cannot hold
//! still runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hermetic_wasi::sandbox::error::{CacheDirProblem, InvalidOption};
use hermetic_wasi::sandbox::{Limits, Outcome, Program, RunOptions, SandboxError, engine, limits};

use crate::{guest_bytes, run_program};

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hermetic-wasi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The code file of the one cache entry in `dir` (its sum file is beside it).
fn entry(dir: &PathBuf) -> PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[1], sum_of(&files[0]));
    files.swap_remove(0)
}

/// The sum file of the code file at `path`.
fn sum_of(path: &Path) -> PathBuf {
    let mut sum = path.as_os_str().to_owned();
    sum.push(".sum");
    sum.into()
}

/// A sum file for `code` under `name`, as the cache writes it: magic, kind (0: module,
/// 1: component), length, xxh3-128 of the name and the code.
fn sum_for(name: &str, component: bool, code: &[u8]) -> Vec<u8> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(name.as_bytes());
    hasher.update(code);
    let mut sum = b"hwasi05\n".to_vec();
    sum.push(u8::from(component));
    sum.extend_from_slice(&(code.len() as u64).to_le_bytes());
    sum.extend_from_slice(&hasher.digest128().to_le_bytes());
    sum
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
        name.ends_with(".cwasm") && name.contains("-plain-"),
        "{name}"
    );
    let valid = std::fs::read(&path).unwrap();
    let valid_sum = std::fs::read(sum_of(&path)).unwrap();
    assert_eq!(valid_sum, sum_for(&name, true, &valid));
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();

    // A valid entry is loaded, not rewritten.
    run_cached();
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        written
    );

    // A flipped byte (the first, in the header wasmtime checks, and the last, which only the
    // checksum sees), a truncated file, a foreign payload with a matching sum, another
    // program's valid entry copied to this name, and damaged sum files are each recompiled
    // and replaced by a valid entry.
    let flip = |at: usize| {
        let mut flipped = valid.clone();
        flipped[at] ^= 1;
        flipped
    };
    let truncated = valid[..valid.len() / 2].to_vec();
    let foreign = b"not compiled code".to_vec();
    let other_dir = temp_dir("disk_cache_other");
    Program::with_cache(guest_bytes("echo"), Some(other_dir.clone())).unwrap();
    let other_path = entry(&other_dir);
    let other = std::fs::read(&other_path).unwrap();
    let other_sum = std::fs::read(sum_of(&other_path)).unwrap();
    std::fs::remove_dir_all(&other_dir).unwrap();
    let sum = |code: &[u8]| sum_for(&name, true, code);
    let mut wrong_magic = valid_sum.clone();
    wrong_magic[5] = b'4';
    let as_module = sum_for(&name, false, &valid);
    let cases = [
        (flip(0), valid_sum.clone()),
        (flip(valid.len() - 1), valid_sum.clone()),
        (truncated.clone(), sum(&truncated)),
        (foreign.clone(), sum(&foreign)),
        (other.clone(), other_sum),
        (other.clone(), sum(&other)[..20].to_vec()),
        (valid.clone(), wrong_magic),
        (valid.clone(), as_module),
        (valid.clone(), Vec::new()),
        (Vec::new(), sum(&[])),
    ];
    // One flipped bit anywhere, the sum left alone: wasmtime's deserializer never sees it (a
    // flipped byte in its metadata once made it panic with its type registry locked, and every
    // later run in the process failed).
    let flips = (0..64).map(|i| {
        let mut flipped = valid.clone();
        flipped[i * valid.len() / 64 + 7] ^= 0x20;
        (flipped, valid_sum.clone())
    });
    let cases = cases.into_iter().chain(flips);
    for (i, (code, code_sum)) in cases.enumerate() {
        std::fs::write(&path, &code).unwrap();
        std::fs::write(sum_of(&path), &code_sum).unwrap();
        run_cached();
        assert_eq!(std::fs::read(&path).unwrap(), valid, "case {i}");
        assert_eq!(std::fs::read(sum_of(&path)).unwrap(), valid_sum, "case {i}");
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
    // It is compiled once: the pool refuses to load the code, and the on-demand engine loads
    // the same code, so the disk cache gets one entry, for plain code.
    let dir = temp_dir("pool_fallback");
    let too_big = [("two memories", component(2, 1, 1, false))];
    for (what, wasm) in too_big {
        let program =
            Program::with_cache(wasm, Some(dir.clone())).unwrap_or_else(|e| panic!("{what}: {e}"));
        let result = run_program(&program, &RunOptions::default());
        assert_eq!(result.outcome, Outcome::Exited(0), "{what}");
        let name = entry(&dir)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(name.contains("-plain-"), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
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

/// Compiles and runs hello with the disk cache in `dir`, failing (instead of hanging) if that
/// takes more than a minute.
fn hello_cached(dir: &Path) -> Vec<u8> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let dir = dir.to_owned();
    std::thread::spawn(move || {
        let program = Program::with_cache(guest_bytes("hello"), Some(dir)).unwrap();
        let _ = sender.send(run_program(&program, &RunOptions::default()).stdout);
    });
    receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("compiling with the disk cache hung")
}

/// Whatever is planted at an entry's name, other than a regular file of a sane size, costs a
/// recompile and is replaced by a valid entry: a FIFO (a plain open would wait for a writer
/// forever), a symlink to `/dev/zero` (endless) or to a valid entry (not followed), a sparse
/// 2 GiB file. A directory at the name cannot be replaced, and the program still runs.
#[cfg(unix)]
#[test]
fn disk_cache_planted_entries() {
    let dir = temp_dir("disk_cache_planted");
    assert_eq!(hello_cached(&dir), b"hello from stdout\n");
    let path = entry(&dir);
    let valid = std::fs::read(&path).unwrap();
    let copy = dir.with_extension("copy");
    std::fs::write(&copy, &valid).unwrap();
    type Plant<'a> = &'a dyn Fn(&Path);
    let plants: [(&str, Plant); 4] = [
        ("a FIFO", &|path| {
            let path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        }),
        ("a symlink to /dev/zero", &|path| {
            std::os::unix::fs::symlink("/dev/zero", path).unwrap()
        }),
        ("a symlink to a valid entry", &|path| {
            std::os::unix::fs::symlink(&copy, path).unwrap()
        }),
        ("a sparse 2 GiB file", &|path| {
            std::fs::File::create(path)
                .unwrap()
                .set_len(2 << 30)
                .unwrap()
        }),
    ];
    for (what, plant) in plants {
        std::fs::remove_file(&path).unwrap();
        plant(&path);
        assert_eq!(hello_cached(&dir), b"hello from stdout\n", "{what}");
        let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
        assert!(kind.is_file(), "{what} is replaced by a regular file");
        assert_eq!(std::fs::read(&path).unwrap(), valid, "{what}");
    }
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    assert_eq!(hello_cached(&dir), b"hello from stdout\n", "a directory");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&copy).unwrap();
}

/// A cache directory others may write is refused (they could plant native code); one the cache
/// creates is writable by its owner only.
#[cfg(unix)]
#[test]
fn disk_cache_refuses_a_directory_others_may_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("disk_cache_shared");
    std::fs::create_dir(&dir).unwrap();
    for (mode, refused) in [(0o777, true), (0o775, true), (0o1777, true), (0o755, false)] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
        match Program::with_cache(guest_bytes("hello"), Some(dir.clone())) {
            Err(SandboxError::InvalidOptions(option)) if refused => assert_eq!(
                option,
                InvalidOption::CacheDir {
                    dir: dir.clone(),
                    problem: CacheDirProblem::WritableByOthers
                }
            ),
            Ok(_) if !refused => {}
            other => panic!("mode {mode:o}: {:?}", other.err()),
        }
    }
    // Another user's directory (not root's) is refused too; a test run as root can make one.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let theirs = dir.join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::os::unix::fs::chown(&theirs, Some(65534), None).unwrap();
        match Program::with_cache(guest_bytes("hello"), Some(theirs.clone())) {
            Err(SandboxError::InvalidOptions(option)) => assert_eq!(
                option.to_string(),
                format!(
                    "cache_dir {} belongs to another user, who could plant native code in it",
                    theirs.display()
                )
            ),
            other => panic!("another user's directory: {:?}", other.err()),
        }
    }
    let created = dir.join("new/cache");
    assert_eq!(hello_cached(&created), b"hello from stdout\n");
    for made in [dir.join("new"), created] {
        let mode = std::fs::metadata(&made).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", made.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
