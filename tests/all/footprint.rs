//! What instantiating a program costs (`compiler/footprint.rs`): measured before compiling, and
//! refused with the bytes when it is more than a run may have.

use std::time::Instant;

use hermetic_wasi::sandbox::compiler::{self, Footprint, measure};
use hermetic_wasi::sandbox::engine::Codegen;
use hermetic_wasi::sandbox::{Program, SandboxError};

use crate::guest_bytes;

/// A component that instantiates `module` `count` times, then runs a command that exits.
fn component(module: &str, count: usize) -> Vec<u8> {
    let instances = "(core instance (instantiate $m (with \"x\" (instance $x))))".repeat(count);
    wat::parse_str(format!(
        r#"(component
            (core module $exports (memory (export "m") 17) (table (export "t") 1 funcref))
            (core instance $x (instantiate $exports))
            (core module $m {module}) {instances}
            (core module $main (func (export "run") (result i32) (i32.const 0)))
            (core instance $i (instantiate $main))
            (func $run (result (result)) (canon lift (core func $i "run")))
            (instance $r (export "run" (func $run))) (export "wasi:cli/run@0.2.0" (instance $r)))"#
    ))
    .unwrap()
}

fn footprint(wasm: &[u8]) -> Footprint {
    measure(wasm, false).expect("a valid component")
}

#[test]
fn each_instance_of_a_module_costs_its_state_and_segments() {
    let globals = "(global i64 (i64.const 1))".repeat(1000);
    let one = footprint(&component(&globals, 1));
    let three = footprint(&component(&globals, 3));
    // Three instances of $m cost two more than one: 1000 globals of 16 bytes each, the
    // instance record (1 KiB) and the step that instantiates it (256 bytes), and no segments.
    assert_eq!(three.instances - one.instances, 2);
    assert_eq!(three.segment_bytes, one.segment_bytes);
    let per_instance = (three.state_bytes - one.state_bytes) / 2;
    assert!(
        (16_000 + 1024 + 256..18_000 + 1024 + 256).contains(&per_instance),
        "{per_instance}"
    );

    // Active segments count at every instantiation, into imported memories and tables too:
    // 100 bytes of data and 3 elements of 8 bytes. Passive data stays in the code, and
    // declared elements are dropped at once.
    let segments = |passive: &str| {
        format!(
            r#"(import "x" "m" (memory 1)) (import "x" "t" (table 1 funcref)) (func $f)
            (data (i32.const 0) "{}") (data "passive") (elem (i32.const 0) func $f $f $f)
            {passive} (elem declare func $f) (func (drop (ref.func $f)))"#,
            "a".repeat(100)
        )
    };
    let one = footprint(&component(&segments(""), 1));
    let five = footprint(&component(&segments(""), 5));
    assert_eq!(five.segment_bytes - one.segment_bytes, 4 * 124);
    // Each instance keeps its passive element segments: 32 bytes each and 16 per element,
    // besides what the segment adds to its `vmctx`.
    let with_passive = footprint(&component(&segments("(elem func $f $f)"), 5));
    assert_eq!(with_passive.segment_bytes, five.segment_bytes);
    let more = (with_passive.state_bytes - five.state_bytes) / 5;
    assert!((32 + 2 * 16..128).contains(&more), "{more}");
}

#[test]
fn resource_types_and_component_instances_are_charged_by_their_host_time() {
    // 7.8 million resource types (8 bytes of state each) once took 270 ms to instantiate.
    let resources = |n: usize| {
        let types = "(type (resource (rep i32)))".repeat(n);
        let instances = "(instance (instantiate $c))".repeat(10);
        let wasm = wat::parse_str(format!("(component (component $c {types}) {instances})"));
        footprint(&wasm.unwrap()).state_bytes
    };
    let more = resources(100) - resources(0);
    // 1,000 resource types (100 in each of 10 component instances), each charged 256 bytes as
    // a resource and 256 as a step of the instantiation, and 8 bytes of `vmctx`.
    assert_eq!(more, 1000 * (256 + 256 + 8));
}

#[test]
fn real_programs_are_far_below_the_caps() {
    let hello = footprint(&guest_bytes("hello"));
    let python = footprint(&guest_bytes("python"));
    for (name, footprint) in [("hello", hello), ("python", python)] {
        assert!(
            footprint.state_bytes < compiler::MAX_STATE_BYTES / 64,
            "{name}"
        );
        assert!(
            footprint.segment_bytes < compiler::MAX_SEGMENT_BYTES / 16,
            "{name}"
        );
        footprint.check().expect("within the caps");
    }
    let module = measure(&guest_bytes("p1/hello"), true).expect("a valid module");
    assert_eq!(module.instances, 1);
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "a sanity bound on the host's time, not the guest's"
)]
fn a_program_whose_instances_are_too_big_is_refused_before_it_compiles() {
    // A million globals instantiated 300 times once took 4.7 GB and 4 s to instantiate under
    // `memoryBytes: 1 MiB` and `timeoutMs: 100`.
    let globals = component(&"(global i32 (i32.const 1))".repeat(1_000_000), 300);
    let started = Instant::now();
    let refused = compiler::precompile(Codegen::Plain, &globals);
    match refused {
        Err(SandboxError::CompileLimit(message)) => assert_eq!(
            message,
            "instantiating the program would take 4579 MiB of instance state, more than the 64 \
             MiB a run may have"
        ),
        other => panic!("{:?}", other.map(|code| code.len())),
    }
    // Measured, not compiled: a million globals take about 2 s to compile.
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());

    // 1 MiB of data into an imported memory, 300 times.
    let data = format!(
        r#"(import "x" "m" (memory 1)) (data (i32.const 0) "{}")"#,
        "a".repeat(1 << 20)
    );
    match compiler::precompile(Codegen::Plain, &component(&data, 300)) {
        Err(SandboxError::CompileLimit(message)) => assert_eq!(
            message,
            "instantiating the program would take 300 MiB of data and element segments, more \
             than the 256 MiB a run may have"
        ),
        other => panic!("{:?}", other.map(|code| code.len())),
    }
}

#[test]
fn a_program_counts_the_heap_its_loading_keeps() {
    let (buffer, bytes) = hermetic_wasi::sandbox::heap::measured(|| vec![1u8; 1 << 20]);
    assert_eq!((buffer.len(), bytes), (1 << 20, 1 << 20));
    let (_, bytes) = hermetic_wasi::sandbox::heap::measured(|| drop(vec![1u8; 1 << 20]));
    assert_eq!(bytes, 0);

    // 20,000 distinct function types: little code, but types wasmtime keeps once loaded, which
    // the program cache counts.
    let module = |types: &str| {
        format!(r#"(module (memory (export "memory") 1) {types} (func (export "_start")))"#)
    };
    let types = distinct_types(20_000);
    let plain = Program::new(module("")).unwrap().size_bytes();
    let typed = Program::new(module(&types)).unwrap().size_bytes();
    // About 1.6 KB a type: 21 times the 1.5 MB of text that declares them.
    let wasm = module(&types).len();
    assert!(typed - plain > 10 * wasm, "{plain} {typed} {wasm}");
}

/// `count` distinct function types, as text: type `i` has the bits of `i` as its parameters.
fn distinct_types(count: u32) -> String {
    (0..count)
        .map(|i| {
            let params: String = (0..32 - i.leading_zeros().min(31))
                .map(|bit| if i >> bit & 1 == 1 { " i64" } else { " i32" })
                .collect();
            format!("(type (func (param{params})))")
        })
        .collect()
}

#[test]
fn a_program_that_would_hold_too_much_once_loaded_is_refused() {
    // 120,000 function types: 2.3 MB of binary, whose loading would keep about 132 MiB of types
    // (the compiler loads it once to measure; the host never does). About 10 s to compile.
    let module = format!(
        r#"(module (memory (export "memory") 1) {} (func (export "_start")))"#,
        distinct_types(120_000)
    );
    match compiler::precompile(Codegen::Plain, &wat::parse_str(module).unwrap()) {
        Err(SandboxError::CompileLimit(message)) => {
            // The figure is a measurement of the allocator's traffic, so only its range is fixed.
            let mib = message
                .strip_prefix("loading the compiled program would take ")
                .and_then(|rest| {
                    rest.strip_suffix(" MiB of memory, more than the 128 MiB a program may hold")
                })
                .and_then(|n| n.parse::<u64>().ok());
            assert!(
                mib.is_some_and(|mib| (129..=160).contains(&mib)),
                "{message}"
            );
        }
        other => panic!("{:?}", other.map(|code| code.len())),
    }
}
