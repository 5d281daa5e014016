//! wasi:cli: arguments, environment, stdin, stdout, stderr, exit.

use hermetic_wasi::sandbox::{Outcome, RunOptions};

use crate::{assert_result, run, run_args};

#[test]
fn hello() {
    let result = run("hello", &RunOptions::default());
    assert_result(
        &result,
        Outcome::Exited(0),
        "hello from stdout\n",
        "hello from stderr\n",
    );
}

#[test]
fn echo() {
    let stdin: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let result = run(
        "echo",
        &RunOptions {
            stdin: stdin.clone(),
            ..Default::default()
        },
    );
    assert_eq!(result.outcome, Outcome::Exited(0));
    assert_eq!(result.stdout, stdin);
    assert_eq!(
        String::from_utf8_lossy(&result.stderr),
        "read 100000 bytes\n"
    );
}

#[test]
fn stdin_empty() {
    let result = run("stdin_empty", &RunOptions::default());
    assert_result(&result, Outcome::Exited(0), "read 0 bytes\n", "");
}

#[test]
fn args_env() {
    let options = RunOptions {
        program_name: "prog".into(),
        args: vec!["one".into(), "two words".into(), "".into(), "ünï".into()],
        env: vec![("B".into(), "2".into()), ("A".into(), "x=y".into())],
        ..Default::default()
    };
    let result = run("args_env", &options);
    let expected = "arg[0]=prog\narg[1]=one\narg[2]=two words\narg[3]=\narg[4]=ünï\n\
                    env B=2\nenv A=x=y\ncwd=Some(\"/\")\n";
    assert_result(&result, Outcome::Exited(0), expected, "");
}

#[test]
fn args_env_defaults_show_nothing_of_the_host() {
    let result = run("args_env", &RunOptions::default());
    assert_result(
        &result,
        Outcome::Exited(0),
        "arg[0]=main\ncwd=Some(\"/\")\n",
        "",
    );
}

#[test]
fn exit_code() {
    let cases: [(&[&str], u32, &str); 6] = [
        // Rust's std prints the error a `main` returns, then exits with `exit(err)`.
        (&["return-err"], 1, "Error: ()\n"),
        (&["exit-ok"], 0, ""),
        (&["exit-err"], 1, ""),
        (&["code", "0"], 0, ""),
        (&["code", "42"], 42, ""),
        (&["code", "255"], 255, ""),
    ];
    for (args, code, stderr) in cases {
        let result = run_args("exit_code", args);
        let stdout = format!("exiting with {}\n", args.join(" "));
        assert_result(&result, Outcome::Exited(code), &stdout, stderr);
        assert_eq!(result.outcome.exit_code(), code);
    }
}

/// Rust 1.95's std (through wasi-libc) calls `exit(err)` for every nonzero code, so the code
/// itself is lost on the guest side; `exit-with-code` is the way to report one.
#[test]
fn exit_code_through_std() {
    let result = run_args("exit_code", &["std", "3"]);
    assert_result(&result, Outcome::Exited(1), "exiting with std 3\n", "");
    let result = run_args("exit_code", &["std", "0"]);
    assert_result(&result, Outcome::Exited(0), "exiting with std 0\n", "");
}

/// No host files, no network, no terminal: every request for the host is refused or empty. The
/// one preopen is the sandbox's own (empty) tree, so `/etc/hostname` is simply not there.
#[test]
fn sandbox_probe() {
    let options = RunOptions {
        files: Some(Vec::new()),
        ..Default::default()
    };
    let result = run("sandbox_probe", &options);
    let stdout = "preopens: 1\nterminal stdin: false\nterminal stdout: false\n\
                  terminal stderr: false\ntcp: Err(\"access-denied\")\n\
                  udp: Err(\"access-denied\")\nlookup: Err(\"access-denied\")\n\
                  std connect: PermissionDenied\nstd read: NotFound\n";
    assert_result(&result, Outcome::Exited(0), stdout, "");
}
