//! Misuse is an error with a kind; never a panic.

use hermetic_wasi::sandbox::{Program, RunOptions, SandboxError};

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
fn core_module_is_not_a_component() {
    let msg = invalid_wasm(b"\0asm\x01\0\0\0");
    assert!(
        msg.starts_with("this is a core WebAssembly module"),
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
        RunOptions {
            args: vec!["a\0b".into()],
            ..Default::default()
        },
        RunOptions {
            env: vec![("A=B".into(), "x".into())],
            ..Default::default()
        },
        RunOptions {
            env: vec![("".into(), "x".into())],
            ..Default::default()
        },
        RunOptions {
            env: vec![("A".into(), "\0".into())],
            ..Default::default()
        },
        RunOptions {
            start_time_ms: u64::MAX,
            ..Default::default()
        },
    ];
    for options in cases {
        match hello.run(&options) {
            Err(SandboxError::InvalidOptions(_)) => {}
            other => panic!("{options:?}: expected InvalidOptions, got {other:?}"),
        }
    }
}
