//! Core modules importing `wasi_snapshot_preview1` (the guests built for wasm32-wasip1, and
//! modules in the text format): the same sandbox as components, through the same API.

use hermetic_wasi::sandbox::clock::READ_TICK_NS;
use hermetic_wasi::sandbox::vfs::Entry;
use hermetic_wasi::sandbox::{Limits, Outcome, Program, RunOptions, SandboxError};

use crate::clocks::assert_default_sleep;
use crate::traps::{PANIC_STDERR, panic_trap};
use crate::{assert_result, run, run_args};

#[test]
fn p1_hello() {
    let result = run("p1/hello", &RunOptions::default());
    assert_result(
        &result,
        Outcome::Exited(0),
        "hello from stdout\n",
        "hello from stderr\n",
    );
    assert_eq!(result.virtual_time_ns, 0);
}

#[test]
fn p1_exit() {
    // std's `process::exit(n)` is `proc_exit(n as u32)`: every code arrives as it is.
    for (arg, code) in [
        ("0", 0),
        ("3", 3),
        ("126", 126),
        ("256", 256),
        ("-1", u32::MAX),
    ] {
        let result = run_args("p1/p1_exit", &[arg]);
        assert_result(
            &result,
            Outcome::Exited(code),
            &format!("exiting with {arg}\n"),
            "",
        );
        assert_eq!(result.outcome.exit_code(), code);
    }
}

#[test]
fn p1_sleep() {
    // Exactly as the component.
    assert_default_sleep(&run("p1/sleep", &RunOptions::default()));
}

#[test]
fn p1_random() {
    let seeded = |seed| RunOptions {
        seed,
        ..Default::default()
    };
    // `random_get` draws from the same stream as `wasi:random`: the module's two 16-byte
    // draws are the component's first two.
    for seed in [0, 7] {
        let module = run("p1/p1_random", &seeded(seed));
        let component = run("random", &seeded(seed));
        let component = String::from_utf8(component.stdout).unwrap();
        let first_two: String = component
            .lines()
            .take(2)
            .map(|l| format!("{l}\n"))
            .collect();
        assert_result(&module, Outcome::Exited(0), &first_two, "");
    }
    assert_ne!(
        run("p1/p1_random", &seeded(0)).stdout,
        run("p1/p1_random", &seeded(1)).stdout
    );
}

#[test]
fn p1_echo() {
    let options = RunOptions {
        stdin: b"some input\nand more".to_vec(),
        ..Default::default()
    };
    let result = run("p1/echo", &options);
    assert_result(
        &result,
        Outcome::Exited(0),
        "some input\nand more",
        "read 19 bytes\n",
    );
}

fn with_limits(limits: Limits) -> RunOptions {
    RunOptions {
        limits,
        ..Default::default()
    }
}

#[test]
fn p1_timeout() {
    let result = run(
        "p1/spin",
        &with_limits(Limits {
            timeout_ms: Some(200),
            ..Default::default()
        }),
    );
    assert_result(&result, Outcome::Timeout, "spinning\n", "");
}

#[test]
fn p1_fuel() {
    let result = run(
        "p1/spin",
        &with_limits(Limits {
            fuel: Some(1_000_000),
            ..Default::default()
        }),
    );
    assert_result(&result, Outcome::FuelExhausted, "spinning\n", "");
    assert_eq!(result.fuel_consumed, Some(1_000_000));
}

#[test]
fn p1_flood() {
    let result = run(
        "p1/flood",
        &with_limits(Limits {
            output_bytes: Some(1000),
            ..Default::default()
        }),
    );
    let all: String = (0..200).map(|i| format!("line {i}\n")).collect();
    assert_result(&result, Outcome::OutputExceeded, &all[..1000], "");
}

#[test]
fn p1_panic() {
    let result = run("p1/panic", &RunOptions::default());
    assert_result(&result, panic_trap(), "before the panic\n", PANIC_STDERR);
    assert_eq!(result.outcome.exit_code(), 134);
}

fn seed() -> Vec<(String, Entry)> {
    vec![
        ("in.txt".into(), Entry::File(b"hello files".to_vec().into())),
        ("old".into(), Entry::Symlink("in.txt".into())),
    ]
}

/// What `p1_files` prints up to its last write.
const FILES_STDOUT: &str = "read \"hello files\"\n\
    moved/a/f.txt: \"moved with its directory\"\n\
    ls / [\"in.txt\", \"moved\", \"new\", \"out\"]\n\
    copy.txt: 11 bytes, modified SystemTime { tv_sec: 1257894000, tv_nsec: 2000 }\n";

/// The tree `p1_files` leaves, with `big` holding `big`.
fn files_after(big: Vec<u8>) -> Vec<(String, Entry)> {
    vec![
        ("big".into(), Entry::File(big.into())),
        ("in.txt".into(), Entry::File(b"hello files".to_vec().into())),
        ("moved".into(), Entry::Dir),
        ("moved/a".into(), Entry::Dir),
        (
            "moved/a/f.txt".into(),
            Entry::File(b"moved with its directory".to_vec().into()),
        ),
        ("new".into(), Entry::Symlink("in.txt".into())),
        ("out".into(), Entry::Dir),
        (
            "out/copy.txt".into(),
            Entry::File(b"HELLO FILES".to_vec().into()),
        ),
    ]
}

#[test]
fn p1_files() {
    let options = RunOptions {
        args: vec!["100".into()],
        files: Some(seed()),
        ..Default::default()
    };
    let result = run("p1/p1_files", &options);
    // Each call that may change the tree reads the wall clock once, ticking it 1 µs (opening
    // in.txt to read it does not): mkdir reads the start time, the create of copy.txt 1 µs
    // after it, and the write that sets its mtime 2 µs after it.
    let stdout = format!("{FILES_STDOUT}wrote 100 bytes\nstill running\n");
    assert_result(&result, Outcome::Exited(0), &stdout, "");
    assert_eq!(result.files, files_after(vec![b'x'; 100]));
}

#[test]
fn p1_files_full() {
    let options = RunOptions {
        args: vec!["100000".into()],
        files: Some(seed()),
        limits: Limits {
            fs_bytes: Some(4096),
            ..Default::default()
        },
        ..Default::default()
    };
    let result = run("p1/p1_files", &options);
    // The write fails with ENOSPC (std's message for errno 51) and the run goes on; the file
    // was created before the write.
    let stdout = format!(
        "{FILES_STDOUT}writing 100000 bytes failed: No space left on device (os error 51)\n\
         still running\n"
    );
    assert_result(&result, Outcome::Exited(0), &stdout, "");
    assert_eq!(result.files, files_after(Vec::new()));
}

#[test]
fn p1_no_files_no_preopen() {
    // Without files nothing is preopened, so no path resolves.
    let result = run("p1/p1_files", &RunOptions::default());
    let stderr = "\nthread 'main' (1) panicked at src/bin/p1_files.rs:8:47:\n\
        called `Result::unwrap()` on an `Err` value: \
        Os { code: 44, kind: NotFound, message: \"No such file or directory\" }\n\
        note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
    assert_eq!(String::from_utf8_lossy(&result.stderr), stderr);
    assert_eq!(result.outcome.exit_code(), 134);
    assert_eq!(result.files, Vec::new());
}

#[test]
fn wat_module() {
    let wat = r#"
        (module
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hi from text\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 13))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $proc_exit (i32.const 7))
            unreachable))
    "#;
    let program = Program::new(wat).unwrap();
    let result = program.run(&RunOptions::default()).unwrap();
    assert_result(&result, Outcome::Exited(7), "hi from text\n", "");
}

#[test]
fn wat_trap() {
    let wat = r#"(module (func $boom unreachable) (func (export "_start") call $boom))"#;
    let result = Program::new(wat)
        .unwrap()
        .run(&RunOptions::default())
        .unwrap();
    let trap = Outcome::Trapped {
        message: "wasm `unreachable` instruction executed".into(),
        // Names come from the text's `$` identifiers; unnamed functions get their index.
        backtrace: vec!["boom".into(), "wasm-function[1]".into()],
    };
    assert_eq!(result.outcome, trap);
}

#[test]
fn wat_component() {
    // A component in the text format compiles like a binary one; this one is not a command.
    let err = Program::new("(component)").err().unwrap();
    let SandboxError::InvalidWasm(msg) = err else {
        panic!("expected InvalidWasm, got {err:?}");
    };
    assert!(
        msg.starts_with("the component is not a wasi:cli/command: "),
        "{msg}"
    );
}

#[test]
fn wat_invalid() {
    let invalid = |text: &str| match Program::new(text) {
        Err(SandboxError::InvalidWasm(msg)) => msg,
        other => panic!("expected InvalidWasm, got {:?}", other.err()),
    };
    assert_eq!(
        invalid("(module (fnuc))"),
        "invalid WebAssembly text: expected valid module field\n     --> <anon>:1:10\n      |\n\
         \x20   1 | (module (fnuc))\n      |          ^"
    );
    // Text that parses but does not validate is an invalid module, as a binary would be.
    assert!(
        invalid(r#"(module (func (export "_start") i32.add))"#).starts_with("invalid module: "),
    );
    // Bytes that do not look like text keep the binary message.
    assert_eq!(
        invalid("hello"),
        "not a WebAssembly binary (it does not start with \\0asm)"
    );
}

#[test]
fn wat_poll_sleep_and_limits() {
    // poll_oneoff with one relative 2 s timer, then with 4097 subscriptions (EINVAL = 28), then
    // reads the monotonic clock: the sleep moved virtual time, the clock read ticks it.
    let wat = r#"
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff"
            (func $poll (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "clock_time_get"
            (func $now (param i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 8)
          (func (export "_start")
            ;; subscription at 0: userdata 1, tag 0 (clock), id 1 (monotonic), 2 s, flags 0
            (i64.store (i32.const 0) (i64.const 1))
            (i32.store8 (i32.const 8) (i32.const 0))
            (i32.store (i32.const 16) (i32.const 1))
            (i64.store (i32.const 24) (i64.const 2000000000))
            (if (i32.ne (call $poll (i32.const 0) (i32.const 1024) (i32.const 1) (i32.const 2048))
                        (i32.const 0))
              (then unreachable))
            (if (i32.ne (i32.load (i32.const 2048)) (i32.const 1)) (then unreachable))
            (if (i32.ne (call $poll (i32.const 0) (i32.const 1024) (i32.const 4097) (i32.const 2048))
                        (i32.const 28))
              (then unreachable))
            (drop (call $now (i32.const 1) (i64.const 0) (i32.const 4096)))
            (call $exit (i32.wrap_i64 (i64.div_u (i64.load (i32.const 4096))
                                                  (i64.const 1000000000))))))
    "#;
    let result = Program::new(wat)
        .unwrap()
        .run(&RunOptions::default())
        .unwrap();
    assert_eq!(result.outcome, Outcome::Exited(2));
    assert_eq!(result.virtual_time_ns, 2_000_000_000 + READ_TICK_NS);
}

/// A module that opens `path` from the preopened root with `oflags` and `fdflags` (after
/// filling the descriptor table with opens of `.` when `fill`), and exits with the errno.
fn open_module(path: &str, oflags: u32, fdflags: u32, fill: bool) -> String {
    let open = |path: u32, len: u32, oflags: u32, fdflags: u32| {
        format!(
            "(call $path_open (i32.const 3) (i32.const 0) (i32.const {path}) (i32.const {len})
               (i32.const {oflags}) (i64.const 0) (i64.const 0) (i32.const {fdflags})
               (i32.const 200))"
        )
    };
    let fill = match fill {
        // Opens `.` (a directory, so no clock read) until the table is full.
        true => format!(
            "(block $full (loop $again (br_if $full {}) (br $again)))",
            open(96, 1, 2, 0)
        ),
        false => String::new(),
    };
    format!(
        r#"(module
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 96) ".") (data (i32.const 100) "{path}")
          (func (export "_start")
            {fill}
            (call $proc_exit {})
            unreachable))"#,
        open(100, path.len() as u32, oflags, fdflags)
    )
}

#[test]
fn p1_open_follows_the_shared_core() {
    let options = RunOptions {
        files: Some(Vec::new()),
        ..Default::default()
    };
    // O_CREAT | O_DIRECTORY is EINVAL before the clock is read: no virtual time passes.
    let program = Program::new(open_module("d", 1 | 2, 0, false)).unwrap();
    let result = program.run(&options).unwrap();
    assert_eq!(
        (result.outcome, result.virtual_time_ns),
        (Outcome::Exited(28), 0)
    );
    // O_CREAT alone creates the file, and stamps it: one clock read.
    let program = Program::new(open_module("d", 1, 0, false)).unwrap();
    let result = program.run(&options).unwrap();
    assert_eq!(
        (result.outcome, result.virtual_time_ns),
        (Outcome::Exited(0), READ_TICK_NS)
    );
    // A full table is EMFILE before a sync flag is looked at (ENOTSUP with room: 58).
    let program = Program::new(open_module("f", 0, 16, true)).unwrap();
    assert_eq!(program.run(&options).unwrap().outcome, Outcome::Exited(33));
    let program = Program::new(open_module("f", 0, 16, false)).unwrap();
    assert_eq!(program.run(&options).unwrap().outcome, Outcome::Exited(58));
}
