//! Components built against older WASI 0.2.x releases link against the 0.2.12 host.

use hermetic_wasi::sandbox::{Outcome, Program, RunOptions};

/// A component importing `wasi:cli/exit@0.2.0` and `wasi:random/random@{random}`, exporting
/// `wasi:cli/run@0.2.0`. `run` draws a random u64 and calls `exit(err)` if it is odd, else
/// `exit(ok)`.
fn component(random: &str) -> Vec<u8> {
    let wat = format!(
        r#"(component
  (import "wasi:cli/exit@0.2.0" (instance $exit
    (export "exit" (func (param "status" (result))))))
  (import "wasi:random/random@{random}" (instance $random
    (export "get-random-u64" (func (result u64)))))
  (core module $m
    (import "host" "exit" (func $exit (param i32)))
    (import "host" "u64" (func $u64 (result i64)))
    (func (export "run") (result i32)
      (call $exit (i32.wrap_i64 (i64.and (call $u64) (i64.const 1))))
      unreachable))
  (core func $exit (canon lower (func $exit "exit")))
  (core func $u64 (canon lower (func $random "get-random-u64")))
  (core instance $host (export "exit" (func $exit)) (export "u64" (func $u64)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))"#
    );
    wat::parse_str(wat).expect("valid component text")
}

#[test]
fn versions() {
    for version in ["0.2.0", "0.2.3", "0.2.6", "0.2.12"] {
        let program = Program::new(component(version)).unwrap_or_else(|e| panic!("{version}: {e}"));
        let exits: Vec<Outcome> = (0..8)
            .map(|seed| {
                program
                    .run(&RunOptions {
                        seed,
                        ..Default::default()
                    })
                    .unwrap()
                    .outcome
            })
            .collect();
        // Seeds 0..8 give odd and even first draws; the same seed always gives the same one.
        assert!(exits.contains(&Outcome::Exited(0)) && exits.contains(&Outcome::Exited(1)));
        let again = program
            .run(&RunOptions {
                seed: 5,
                ..Default::default()
            })
            .unwrap()
            .outcome;
        assert_eq!(again, exits[5], "{version}");
    }
}
