//! Hostile guests: each ends with its limit's outcome and its partial output, and the next run in
//! the same process is normal.

use std::time::{Duration, Instant};

use hermetic_wasi::sandbox::engine::MAX_BACKTRACE_FRAMES;
use hermetic_wasi::sandbox::{Limits, Outcome, Program, RunOptions, RunResult};

use crate::{assert_result, program, run};

fn with_limits(limits: Limits) -> RunOptions {
    RunOptions {
        limits,
        ..Default::default()
    }
}

/// After a hostile run, a normal run in the same process still gives the right answer.
fn assert_host_fine() {
    let hello = program("hello").run(&RunOptions::default()).unwrap();
    assert_result(
        &hello,
        Outcome::Exited(0),
        "hello from stdout\n",
        "hello from stderr\n",
    );
}

#[test]
#[allow(clippy::disallowed_methods, reason = "checks the wall-clock budget")]
fn spin() {
    let began = Instant::now();
    let result = program("spin")
        .run(&with_limits(Limits {
            timeout_ms: Some(200),
            ..Default::default()
        }))
        .unwrap();
    let took = began.elapsed();
    assert_result(&result, Outcome::Timeout, "spinning\n", "");
    assert_eq!(result.outcome.exit_code(), 137);
    // Generous: the budget plus compile-free slack on a loaded 2-core machine.
    assert!(
        took < Duration::from_millis(200 + 2_000),
        "timeout took {took:?}"
    );
    assert_host_fine();
}

#[test]
fn spin_fuel() {
    let options = with_limits(Limits {
        fuel: Some(1_000_000),
        ..Default::default()
    });
    let result = run("spin", &options);
    assert_result(&result, Outcome::FuelExhausted, "spinning\n", "");
    assert_eq!(result.fuel_consumed, Some(1_000_000));
    assert_host_fine();
}

#[test]
fn hello_fuel_is_deterministic() {
    let options = with_limits(Limits {
        fuel: Some(1_000_000_000),
        ..Default::default()
    });
    let metered = run("hello", &options);
    assert_result(
        &metered,
        Outcome::Exited(0),
        "hello from stdout\n",
        "hello from stderr\n",
    );
    let consumed = metered.fuel_consumed.expect("metered");
    assert!(consumed > 0 && consumed < 1_000_000_000, "{consumed}");
    // Exactly the fuel hello needs is enough; half of it is not, and ends at the same point
    // on every run.
    let exact = run(
        "hello",
        &with_limits(Limits {
            fuel: Some(consumed),
            ..Default::default()
        }),
    );
    assert_eq!(exact.outcome, Outcome::Exited(0));
    assert_eq!(exact.fuel_consumed, Some(consumed));
    let half = run(
        "hello",
        &with_limits(Limits {
            fuel: Some(consumed / 2),
            ..Default::default()
        }),
    );
    assert_eq!(half.outcome, Outcome::FuelExhausted);
    assert_eq!(run("hello", &RunOptions::default()).fuel_consumed, None);
}

fn allocated(mib: u32) -> String {
    (1..=mib / 16)
        .map(|i| format!("allocated {} MiB\n", i * 16))
        .collect()
}

#[test]
fn oom() {
    let options = with_limits(Limits {
        memory_bytes: Some(64 << 20),
        ..Default::default()
    });
    let result = run("oom", &options);
    // 48 MiB of chunks fit beside the guest's own memory; the next 16 do not.
    assert_result(&result, Outcome::MemoryExceeded, &allocated(48), "");
    assert_host_fine();
}

#[test]
fn oom_default_limit() {
    let result = run("oom", &RunOptions::default());
    assert_result(&result, Outcome::MemoryExceeded, &allocated(240), "");
    assert_host_fine();
}

#[test]
fn flood() {
    let options = with_limits(Limits {
        output_bytes: Some(1000),
        ..Default::default()
    });
    let result = run("flood", &options);
    let all: String = (0..200).map(|i| format!("line {i}\n")).collect();
    assert_result(&result, Outcome::OutputExceeded, &all[..1000], "");
    assert_host_fine();
}

#[test]
fn flood_default_limit() {
    let result = run("flood", &RunOptions::default());
    assert_eq!(result.outcome, Outcome::OutputExceeded);
    assert_eq!(result.stdout.len(), 16 << 20);
    assert!(result.stdout.starts_with(b"line 0\nline 1\n"));
}

#[test]
fn recursion() {
    let result = run("recursion", &RunOptions::default());
    let RunResult {
        outcome: Outcome::Trapped { message, backtrace },
        stdout,
        ..
    } = &result
    else {
        panic!("expected a trap, got {:?}", result.outcome);
    };
    assert_eq!(message, "call stack exhausted");
    assert_eq!(stdout, b"recursing\n");
    // Backtraces keep the innermost MAX_BACKTRACE_FRAMES frames.
    assert_eq!(
        backtrace,
        &vec!["recursion::recurse".to_owned(); MAX_BACKTRACE_FRAMES]
    );
    assert_host_fine();
}

#[test]
fn sleep_forever() {
    let result = run("sleep_forever", &RunOptions::default());
    // The clock may reach the limit, not pass it: the print at exactly 60 minutes happens.
    let stdout: String = (0..=6)
        .map(|i| format!("slept {} minutes\n", i * 10))
        .collect();
    assert_result(&result, Outcome::VirtualTimeExceeded, &stdout, "");
    assert_eq!(result.virtual_time_ns, 3_600_000_000_000);
    assert_host_fine();
}

#[test]
fn clock_busy() {
    let options = with_limits(Limits {
        virtual_time_ns: Some(100_000_000),
        ..Default::default()
    });
    let result = run("clock_busy", &options);
    assert_result(
        &result,
        Outcome::VirtualTimeExceeded,
        "reading the clock\n",
        "",
    );
    assert_eq!(result.virtual_time_ns, 100_000_000);
    assert_host_fine();
}

#[test]
fn limits_lifted() {
    let unlimited = Limits {
        fuel: None,
        timeout_ms: None,
        memory_bytes: None,
        output_bytes: None,
        virtual_time_ns: None,
        fs_bytes: None,
    };
    let result = run("sleep", &with_limits(unlimited));
    assert_eq!(result.outcome, Outcome::Exited(0));
}

#[test]
fn output_exact_fit() {
    // hello writes 18 bytes to stdout, then 18 to stderr.
    let limit = |bytes| {
        with_limits(Limits {
            output_bytes: Some(bytes),
            ..Default::default()
        })
    };
    let fits = run("hello", &limit(36));
    assert_result(
        &fits,
        Outcome::Exited(0),
        "hello from stdout\n",
        "hello from stderr\n",
    );
    let cut = run("hello", &limit(20));
    assert_result(&cut, Outcome::OutputExceeded, "hello from stdout\n", "he");
    let none = run("hello", &limit(0));
    assert_result(&none, Outcome::OutputExceeded, "", "");
}

/// A component whose core module declares `(memory 1 2)`, grows it past that maximum four times
/// (each growth fails with -1, as wasm says), then by one page (which fits): exit 0 if the last
/// growth succeeded.
const GROW_PAST_MAXIMUM: &str = r#"(component
  (core module $m
    (memory 1 2)
    (func (export "run") (result i32)
      (drop (memory.grow (i32.const 1000)))
      (drop (memory.grow (i32.const 1000)))
      (drop (memory.grow (i32.const 1000)))
      (drop (memory.grow (i32.const 1000)))
      (i32.ne (memory.grow (i32.const 1)) (i32.const 1))))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))"#;

#[test]
fn memory_past_declared_maximum() {
    let program = Program::new(wat::parse_str(GROW_PAST_MAXIMUM).unwrap()).unwrap();
    let limits = Limits {
        memory_bytes: Some(1 << 20),
        ..Default::default()
    };
    let result = program.run(&with_limits(limits)).unwrap();
    // Growths refused by the module's own maximum are not counted against memoryBytes.
    assert_eq!(result.outcome, Outcome::Exited(0));
    let limits = Limits {
        memory_bytes: Some(100_000),
        ..Default::default()
    };
    let result = program.run(&with_limits(limits)).unwrap();
    // 64 KiB initially fits in 100 000 bytes; the second page does not.
    assert_eq!(result.outcome, Outcome::MemoryExceeded);
}

#[test]
fn memory_below_initial() {
    let options = with_limits(Limits {
        memory_bytes: Some(1000),
        ..Default::default()
    });
    let result = run("hello", &options);
    assert_result(&result, Outcome::MemoryExceeded, "", "");
}
