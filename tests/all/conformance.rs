//! The WASI test suite's 72 preview1 tests (prebuilt in `../shared/wasi-testsuite`, see its
//! README), each run twice through `Program::new` + `run`: the exit code and the stdout and
//! stderr prefixes must be as the spec says, and both runs must give identical results.
//!
//! Fixture directories are read from the host here, in the test, and seeded as `files` with
//! the root preopened as `/`; each run gets a fresh copy. Skipped, with a message, when the
//! suite is not there.

mod spec;

use std::path::{Path, PathBuf};

use hermetic_wasi::sandbox::{Outcome, Program, RunOptions, RunResult};

use spec::{Spec, fixture, parse};

/// Where the suite lives, next to the repository.
fn suite_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/wasi-testsuite/tests")
}

/// Every preview1 test: its name (`suite/test`) and `.wasm` path, in name order.
fn preview1_tests(root: &Path) -> Vec<(String, PathBuf)> {
    let mut tests = Vec::new();
    for lang in std::fs::read_dir(root).unwrap() {
        let lang = lang.unwrap();
        let dir = lang.path().join("testsuite/wasm32-wasip1");
        let Ok(items) = std::fs::read_dir(&dir) else {
            continue;
        };
        for item in items {
            let path = item.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                let name = format!("{}/{stem}", lang.file_name().to_string_lossy());
                tests.push((name, path));
            }
        }
    }
    tests.sort();
    tests
}

/// The run options a spec asks for.
fn options(wasm: &Path, spec: &Spec) -> RunOptions {
    RunOptions {
        program_name: wasm.file_name().unwrap().to_string_lossy().into_owned(),
        args: spec.args.clone(),
        env: spec.env.clone(),
        files: spec
            .root
            .as_ref()
            .map(|root| fixture(&wasm.parent().unwrap().join(root))),
        ..Default::default()
    }
}

/// Why `result` does not meet `spec`, if it does not.
fn check(spec: &Spec, result: &RunResult) -> Result<(), String> {
    let stderr = String::from_utf8_lossy(&result.stderr);
    if result.outcome != Outcome::Exited(spec.exit_code) {
        let tail: String = stderr
            .chars()
            .rev()
            .take(600)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(format!(
            "expected exit code {}, got {:?}; stderr: {tail}",
            spec.exit_code, result.outcome
        ));
    }
    for (name, want, got) in [
        ("stdout", &spec.stdout, &result.stdout),
        ("stderr", &spec.stderr, &result.stderr),
    ] {
        if let Some(want) = want
            && !got.starts_with(want.as_bytes())
        {
            return Err(format!(
                "{name} should start with {want:?}, got {:?}",
                String::from_utf8_lossy(got)
            ));
        }
    }
    Ok(())
}

/// Runs one test twice; why it failed, if it did.
fn run_one(wasm: &Path) -> Result<(), String> {
    let json = std::fs::read_to_string(wasm.with_extension("json")).ok();
    let spec = Spec::new(json.map(|text| parse(&text)).as_ref());
    let bytes = std::fs::read(wasm).unwrap();
    let program = Program::new(bytes).map_err(|e| format!("does not compile: {e}"))?;
    let options = options(wasm, &spec);
    let first = program
        .run(&options)
        .map_err(|e| format!("run failed: {e}"))?;
    check(&spec, &first)?;
    let second = program
        .run(&options)
        .map_err(|e| format!("run failed: {e}"))?;
    if first != second {
        return Err("two runs with the same options differ".to_owned());
    }
    Ok(())
}

#[test]
fn wasi_testsuite_preview1() {
    let root = suite_root();
    if !root.is_dir() {
        eprintln!(
            "SKIPPED: the WASI test suite is not at {} (see the README of wasi-testsuite)",
            root.display()
        );
        return;
    }
    let tests = preview1_tests(&root);
    // Runs only the tests whose name contains this text, when set (for debugging one test).
    #[allow(
        clippy::disallowed_methods,
        reason = "the test harness reads its own settings; the sandbox never sees them"
    )]
    let filter = std::env::var("CONFORMANCE_FILTER").unwrap_or_default();
    let mut failed = Vec::new();
    let mut passed = 0;
    for (name, wasm) in tests.iter().filter(|(name, _)| name.contains(&filter)) {
        match run_one(wasm) {
            Ok(()) => passed += 1,
            Err(why) => {
                eprintln!("FAIL {name}: {why}");
                failed.push(name.clone());
            }
        }
    }
    eprintln!("{passed} passed, {} failed", failed.len());
    for name in &failed {
        eprintln!("  failed: {name}");
    }
    assert!(failed.is_empty(), "failing: {failed:?}");
    if filter.is_empty() {
        assert_eq!(passed, 72, "the suite should have 72 preview1 tests");
    }
}
