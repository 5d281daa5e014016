//! Integration tests of the engine, one module per area. Each test runs a guest from
//! `tests/guests/` (built by `npm test`, or `npm run build:guests`) through [`run`], which runs
//! it twice and asserts that both results are byte-identical.

mod cache;
mod cli;
mod clocks;
mod conformance;
mod disk_cache;
mod errors;
mod events;
mod filesystem;
mod footprint;
mod fuzz;
mod interactive;
mod limits;
mod preview1;
mod python;
mod random;
mod threads;
mod traps;
mod versions;
mod vfs;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use hermetic_wasi::sandbox::{Outcome, Program, RunOptions, RunResult};

/// The bytes of a test guest built for wasm32-wasip2 (a component), or for wasm32-wasip1 (a
/// core module) when `name` starts with `p1/`.
pub fn guest_bytes(name: &str) -> Vec<u8> {
    let (target, name) = match name.strip_prefix("p1/") {
        Some(name) => ("wasm32-wasip1", name),
        None => ("wasm32-wasip2", name),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests/target")
        .join(target)
        .join("release")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the guests first with `npm run build:guests`",
            path.display()
        )
    })
}

/// The compiled guest `name`, compiled once per test binary.
pub fn program(name: &str) -> Arc<Program> {
    static PROGRAMS: OnceLock<Mutex<HashMap<String, Arc<Program>>>> = OnceLock::new();
    let mut programs = PROGRAMS.get_or_init(Default::default).lock().unwrap();
    programs
        .entry(name.to_owned())
        .or_insert_with(|| Arc::new(Program::new(guest_bytes(name)).expect("guest compiles")))
        .clone()
}

/// Runs guest `name` twice with `options`, asserts the two results are identical, returns one.
pub fn run(name: &str, options: &RunOptions) -> RunResult {
    run_program(&program(name), options)
}

/// Runs `program` twice with `options`, asserts the two results are identical, returns one.
pub fn run_program(program: &Program, options: &RunOptions) -> RunResult {
    let first = program.run(options).expect("valid options");
    let second = program.run(options).expect("valid options");
    assert_eq!(first, second, "two runs with the same options differ");
    first
}

/// Runs guest `name` with default options but for `args`.
pub fn run_args(name: &str, args: &[&str]) -> RunResult {
    let options = RunOptions {
        args: args.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    };
    run(name, &options)
}

/// Asserts the outcome, stdout and stderr of a result exactly.
#[track_caller]
pub fn assert_result(result: &RunResult, outcome: Outcome, stdout: &str, stderr: &str) {
    assert_eq!(result.outcome, outcome);
    assert_eq!(String::from_utf8_lossy(&result.stdout), stdout);
    assert_eq!(String::from_utf8_lossy(&result.stderr), stderr);
}
