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
