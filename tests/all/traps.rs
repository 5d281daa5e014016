//! Guests that do not exit normally: a trap, a deadlock. Both are results, never errors.

use hermetic_wasi::sandbox::{Outcome, RunOptions};

use crate::{assert_result, run};

#[test]
fn panic() {
    let result = run("panic", &RunOptions::default());
    let trap = Outcome::Trapped {
        message: "wasm `unreachable` instruction executed".into(),
    };
    let stderr = "\nthread 'main' (1) panicked at src/bin/panic.rs:4:5:\nboom\n\
                  note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
    assert_result(&result, trap, "before the panic\n", stderr);
    assert_eq!(result.outcome.exit_code(), 134);
}

#[test]
fn poll_nothing() {
    let result = run("poll_nothing", &RunOptions::default());
    assert_result(&result, Outcome::Deadlock, "waiting on nothing\n", "");
    assert_eq!(result.outcome.exit_code(), 137);
    assert_eq!(result.virtual_time_ns, 0);
}
