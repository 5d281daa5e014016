//! Guests that do not exit normally: a trap, a deadlock. Both are results, never errors.

use hermetic_wasi::sandbox::{Outcome, RunOptions};

use crate::{assert_result, run};

/// The outermost frames of every Rust 1.95 wasm32-wasip2 program: std's way into `main`.
pub const MAIN_FRAMES: [&str; 5] = [
    "std::sys::backtrace::__rust_begin_short_backtrace",
    "std::rt::lang_start::{{closure}}",
    "std::rt::lang_start_internal",
    "__main_void",
    "_start",
];

/// How the `panic` guest ends. Innermost first; std's frames are those of Rust 1.95, the same
/// for wasm32-wasip2 and wasm32-wasip1.
pub fn panic_trap() -> Outcome {
    Outcome::Trapped {
        message: "wasm `unreachable` instruction executed".into(),
        backtrace: [
            "abort",
            "std::sys::pal::wasi::helpers::abort_internal",
            "std::process::abort",
            "__rustc::__rust_abort",
            "__rustc::__rust_start_panic",
            "__rustc::rust_panic",
            "std::panicking::panic_with_hook",
            "std::panicking::panic_handler::{closure#0}",
            "std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>",
            "__rustc::rust_begin_unwind",
            "core::panicking::panic_fmt",
            "panic::main",
        ]
        .into_iter()
        .chain(MAIN_FRAMES)
        .map(String::from)
        .collect(),
    }
}

/// What the `panic` guest writes to stderr.
pub const PANIC_STDERR: &str = "\nthread 'main' (1) panicked at src/bin/panic.rs:4:5:\nboom\n\
                                note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";

#[test]
fn panic() {
    let result = run("panic", &RunOptions::default());
    assert_result(&result, panic_trap(), "before the panic\n", PANIC_STDERR);
    assert_eq!(result.outcome.exit_code(), 134);
}

#[test]
fn poll_nothing() {
    let result = run("poll_nothing", &RunOptions::default());
    assert_result(&result, Outcome::Deadlock, "waiting on nothing\n", "");
    assert_eq!(result.outcome.exit_code(), 137);
    assert_eq!(result.virtual_time_ns, 0);
}

#[test]
fn host_error() {
    let result = run("host_error", &RunOptions::default());
    let trap = Outcome::Trapped {
        message: "Buffer too large for blocking-write-and-flush (expected at most 4096)".into(),
        backtrace: [
            "wasm-function[0]",
            "wasip2::imports::wasi::io::streams::OutputStream::blocking_write_and_flush",
            "host_error::main",
        ]
        .into_iter()
        .chain(MAIN_FRAMES)
        .map(String::from)
        .collect(),
    };
    assert_result(&result, trap, "about to misuse stdout\n", "");
}

/// Timers polled by a `poll` that returned for another pollable, or by `ready()`, are not
/// waited for afterwards: the final `poll([])` is a deadlock and the clock never jumped.
#[test]
fn poll_mixed() {
    let result = run("poll_mixed", &RunOptions::default());
    let stdout = "ready: [1]\nnear timer ready: false\nnow: 0\n";
    assert_result(&result, Outcome::Deadlock, stdout, "");
    assert_eq!(result.virtual_time_ns, 1_000); // the one clock read
}
