//! Misuse is an error with a kind; never a panic.

use hermetic_wasi::sandbox::error::InvalidOption;
use hermetic_wasi::sandbox::{Outcome, Program, RunOptions, SandboxError};

use crate::program;

fn invalid_wasm(bytes: &[u8]) -> String {
    match Program::new(bytes) {
        Err(SandboxError::InvalidWasm(msg)) => msg,
        Err(other) => panic!("expected InvalidWasm, got {other:?}"),
        Ok(_) => panic!("expected InvalidWasm, got a program"),
    }
}

#[test]
fn not_wasm() {
    assert_eq!(
        invalid_wasm(b"hello"),
        "not a WebAssembly binary (it does not start with \\0asm)"
    );
    assert_eq!(
        invalid_wasm(b""),
        "not a WebAssembly binary (it does not start with \\0asm)"
    );
}

#[test]
fn core_module_without_start() {
    assert_eq!(
        invalid_wasm(b"\0asm\x01\0\0\0"),
        "the module does not export `_start` as a function without parameters or results, \
         so it is not a WASI command"
    );
}

#[test]
fn core_module_with_other_imports() {
    let msg = invalid_wasm(br#"(module (import "env" "f" (func)) (func (export "_start")))"#);
    assert!(
        msg.starts_with("the module imports what the sandbox does not provide: "),
        "{msg}"
    );
}

#[test]
fn truncated_component() {
    let bytes = crate::guest_bytes("hello");
    let msg = invalid_wasm(&bytes[..bytes.len() / 2]);
    assert!(msg.starts_with("invalid component: "), "{msg}");
}

#[test]
fn invalid_options() {
    let hello = program("hello");
    let cases = [
        (
            RunOptions {
                args: vec!["a\0b".into()],
                ..Default::default()
            },
            InvalidOption::NulInArgs("a\0b".into()),
        ),
        (
            RunOptions {
                env: vec![("A=B".into(), "x".into())],
                ..Default::default()
            },
            InvalidOption::EnvName("A=B".into()),
        ),
        (
            RunOptions {
                env: vec![("".into(), "x".into())],
                ..Default::default()
            },
            InvalidOption::EnvName("".into()),
        ),
        (
            RunOptions {
                env: vec![("A".into(), "\0".into())],
                ..Default::default()
            },
            InvalidOption::NulInEnvValue("A".into()),
        ),
    ];
    for (options, expected) in cases {
        match hello.run(&options) {
            Err(SandboxError::InvalidOptions(option)) => assert_eq!(option, expected),
            other => panic!("{options:?}: expected InvalidOptions, got {other:?}"),
        }
    }
    // The engine takes any start time (the JS binding bounds it by what a `Date` holds):
    // timestamps saturate, and a preview1 wall clock past 2554 is EOVERFLOW.
    let latest = RunOptions {
        start_time_ms: u64::MAX,
        ..Default::default()
    };
    assert_eq!(hello.run(&latest).unwrap().outcome, Outcome::Exited(0));
}

#[test]
fn component_of_another_world() {
    let no_run = wat::parse_str("(component)").unwrap();
    let msg = invalid_wasm(&no_run);
    assert!(
        msg.starts_with("the component is not a wasi:cli/command: "),
        "{msg}"
    );
    let foreign = wat::parse_str(
        r#"(component (import "acme:widgets/store@1.0.0" (instance (export "get" (func)))))"#,
    )
    .unwrap();
    let msg = invalid_wasm(&foreign);
    assert!(
        msg.starts_with("the component imports what the sandbox does not provide: ")
            && msg.contains("acme:widgets/store@1.0.0"),
        "{msg}"
    );
}

#[test]
fn huge_inputs() {
    // 32 MiB of stdin echoed: the output is cut at the 16 MiB default.
    let stdin: Vec<u8> = (0..32u32 << 20).map(|i| (i % 251) as u8).collect();
    let options = RunOptions {
        stdin: stdin.clone(),
        ..Default::default()
    };
    let result = program("echo").run(&options).unwrap();
    assert_eq!(result.outcome, Outcome::OutputExceeded);
    assert_eq!(result.stdout, stdin[..16 << 20]);
    // 100k arguments and 100k environment variables reach the guest intact.
    let args: Vec<String> = (0..100_000).map(|i| format!("argument-{i}")).collect();
    let env: Vec<(String, String)> = (0..100_000)
        .map(|i| (format!("V{i}"), i.to_string()))
        .collect();
    let options = RunOptions {
        args: args.clone(),
        env: env.clone(),
        ..Default::default()
    };
    let result = program("args_env").run(&options).unwrap();
    assert_eq!(result.outcome, Outcome::Exited(0));
    let stdout = String::from_utf8(result.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 100_000 + 100_000 + 1);
    assert_eq!(lines[100_000], "arg[100000]=argument-99999");
    assert_eq!(lines[200_000], "env V99999=99999");
}
