//! Runs the tool on a tiny WAT reactor and checks the command it makes.
use std::process::Command;
use wasmparser::{Parser, Payload, TypeRef};

/// `run` returns 7 (set by `_initialize`) plus -1 from each of three stubbed imports: 4.
const REACTOR: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "host" "call" (func $call (param i32 i32 i32 i32) (result i32)))
  (import "env" "mix" (func $mix (result i32 i64 f32)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $call $run)
  (global $g (mut i32) (i32.const 0))
  (func $_initialize (export "_initialize") (global.set $g (i32.const 7)))
  (func $run (export "run") (result i32)
    (global.get $g)
    (call $call (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    i32.add
    (call_indirect (param i32 i32 i32 i32) (result i32)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    i32.add
    (call $mix) drop drop
    i32.add)
  (export "call" (func $call)))"#;

fn tool(name: &str, wat: &str) -> (std::process::Output, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("command-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, output) = (dir.join("in.wasm"), dir.join("out.wasm"));
    std::fs::write(&input, wat::parse_str(wat).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_command"))
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap();
    (out, output)
}

#[test]
fn reactor_becomes_command() {
    let (out, path) = tool("ok", REACTOR);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wasm = std::fs::read(&path).unwrap();
    let (mut imports, mut exports, mut defined) = (vec![], vec![], 0);
    for p in Parser::new(0).parse_all(&wasm) {
        match p.unwrap() {
            Payload::ImportSection(s) => {
                for i in s.into_imports() {
                    let i = i.unwrap();
                    assert!(matches!(i.ty, TypeRef::Func(_)));
                    imports.push(format!("{}.{}", i.module, i.name));
                }
            }
            Payload::FunctionSection(s) => defined = s.count(),
            Payload::ExportSection(s) => exports.extend(
                s.into_iter()
                    .map(|e| e.map(|e| (e.name.to_string(), e.index)).unwrap()),
            ),
            _ => {}
        }
    }
    // proc_exit added as the last import; _initialize, run, 2 stubs, _start defined.
    assert_eq!(
        imports,
        [
            "wasi_snapshot_preview1.fd_write",
            "wasi_snapshot_preview1.proc_exit"
        ]
    );
    assert_eq!(defined, 5);
    let idx = |n: &str| exports.iter().find(|e| e.0 == n).unwrap().1;
    assert_eq!(
        (idx("_initialize"), idx("run"), idx("call"), idx("_start")),
        (2, 3, 4, 6)
    );
}

#[test]
fn refuses_existing_start_and_bad_run() {
    let with_start = REACTOR.replace("(export \"call\"", "(export \"_start\"");
    let (out, _) = tool("start", &with_start);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exports `_start`"));
    let bad_run = REACTOR
        .replace("(export \"run\")", "(export \"run2\")")
        .replace("(export \"call\"", "(export \"run\"");
    let (out, _) = tool("run", &bad_run);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("export `run` has type"));
}
