//! Runs share nothing but the compiled program: many at once on different threads give the same
//! results as one after another.

use std::thread;

use hermetic_wasi::sandbox::RunOptions;

use crate::program;

#[test]
fn threads() {
    let cases: Vec<(&str, RunOptions)> = vec![
        ("sleep", RunOptions::default()),
        (
            "random",
            RunOptions {
                seed: 11,
                ..Default::default()
            },
        ),
        (
            "echo",
            RunOptions {
                stdin: b"threads".to_vec(),
                ..Default::default()
            },
        ),
        ("clock_spin", RunOptions::default()),
    ];
    let sequential: Vec<_> = cases
        .iter()
        .map(|(name, o)| program(name).run(o).unwrap())
        .collect();
    let parallel: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .flat_map(|_| cases.iter())
            .map(|(name, options)| {
                let program = program(name);
                s.spawn(move || program.run(options).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, result) in parallel.iter().enumerate() {
        assert_eq!(result, &sequential[i % cases.len()]);
    }
}

/// The watchdog serves every active run: a spinning run times out while other runs on other
/// threads start and finish around it, and they are unaffected.
#[test]
fn timeout_among_parallel_runs() {
    use hermetic_wasi::sandbox::{Limits, Outcome};
    let spin_options = RunOptions {
        limits: Limits {
            timeout_ms: Some(300),
            ..Limits::default()
        },
        ..Default::default()
    };
    let hello = RunOptions::default();
    let expected = program("hello").run(&hello).unwrap();
    thread::scope(|s| {
        let spins: Vec<_> = (0..2)
            .map(|_| s.spawn(|| program("spin").run(&spin_options).unwrap()))
            .collect();
        let others = s.spawn(|| {
            (0..20)
                .map(|_| program("hello").run(&hello).unwrap())
                .collect::<Vec<_>>()
        });
        for spin in spins {
            let result = spin.join().unwrap();
            assert_eq!(result.outcome, Outcome::Timeout);
            assert_eq!(result.stdout, b"spinning\n");
        }
        for result in others.join().unwrap() {
            assert_eq!(result, expected);
        }
    });
}
