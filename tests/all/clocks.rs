//! wasi:clocks on the virtual clock: sleeps are instant, busy-waits end, time is deterministic.

use std::time::{Duration, Instant};

use hermetic_wasi::sandbox::clock::READ_TICK_NS;
use hermetic_wasi::sandbox::config::DEFAULT_START_TIME_MS;
use hermetic_wasi::sandbox::{Outcome, RunOptions, RunResult};

use crate::{assert_result, run};

pub fn sleep_stdout(start_ns: u128) -> String {
    // The guest reads the monotonic clock, then the wall clock (one tick later).
    let mut expected = format!("start {}\n", start_ns + u128::from(READ_TICK_NS));
    for i in 1..=5 {
        expected += &format!("slept {i}: elapsed {} ms, wall {} ms\n", i * 1000, i * 1000);
    }
    expected
}

/// What the sleep guest leaves with the default options, built for either target: its
/// output, and 2 clock reads, then 5 x (1 s sleep + 2 reads) of virtual time.
pub fn assert_default_sleep(result: &RunResult) {
    let start_ns = u128::from(DEFAULT_START_TIME_MS) * 1_000_000;
    assert_result(result, Outcome::Exited(0), &sleep_stdout(start_ns), "");
    assert_eq!(
        result.virtual_time_ns,
        2 * READ_TICK_NS + 5 * (1_000_000_000 + 2 * READ_TICK_NS)
    );
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "checks that virtual sleeps take no real time"
)]
fn sleep() {
    let began = Instant::now();
    let result = run("sleep", &RunOptions::default());
    // A generous sanity bound: 2 x 5 s of sleeps must not take real time.
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "virtual sleeps took {:?}",
        began.elapsed()
    );
    assert_default_sleep(&result);
}

#[test]
fn sleep_with_start_time() {
    let options = RunOptions {
        start_time_ms: 1_700_000_000_123,
        ..Default::default()
    };
    let result = run("sleep", &options);
    assert_result(
        &result,
        Outcome::Exited(0),
        &sleep_stdout(1_700_000_000_123_000_000),
        "",
    );
}

#[test]
fn clock_spin() {
    let result = run("clock_spin", &RunOptions::default());
    // Each read ticks 1 µs: the loop sees 1 s after a million reads.
    assert_result(
        &result,
        Outcome::Exited(0),
        "999999 reads, elapsed 1000001000 ns\n",
        "",
    );
    assert_eq!(result.virtual_time_ns, 1_000_002_000);
}
