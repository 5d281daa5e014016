//! The shared wasmtime engines and linkers, configured once per process for determinism, and
//! compilation of programs against them.
//!
//! A program is either a `wasi:cli/command` component, linked against the WASI 0.2 host in
//! `host/`, or a core module importing `wasi_snapshot_preview1` and exporting `_start`, linked
//! against the preview1 layer in `p1/`. Each engine has one linker for each. Text that looks like
//! the WebAssembly text format is converted to a binary first.
//!
//! There are two engines: the plain one, and one that meters fuel (metering slows guests down,
//! so only runs with a fuel limit pay for it). Both interrupt guests at epoch ticks, which is how
//! the wall-clock timeout fires inside a loop that never calls the host.
//!
//! Determinism settings: NaNs are canonicalized, relaxed SIMD gives its deterministic results,
//! threads and shared memory are off, and the wasm stack has a fixed size, so the same program
//! computes the same bits on every machine. (The depth at which the fixed stack overflows also
//! depends on compiled frame sizes, which can vary with the CPU features Cranelift detects; a
//! guest that recurses until it overflows may get a little further on one machine than another.)
//! Backtrace details (file and line from DWARF) are off so that no environment variable changes
//! trap messages.

use std::num::NonZeroUsize;
use std::sync::OnceLock;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, ExternType, InstancePre, Module, WasmBacktraceDetails};

use super::bindings::CommandPre;
use super::error::SandboxError;
use super::host;
use super::limits;
use super::p1;
use super::store::StoreData;

/// The most wasm stack a guest may use before a stack-overflow trap.
pub const MAX_WASM_STACK: usize = 1 << 20;

/// How many wasm frames a trap's backtrace keeps (the innermost ones).
pub const MAX_BACKTRACE_FRAMES: usize = 20;

/// The native stack of the fiber a guest runs on: the wasm stack plus room for host calls.
const ASYNC_STACK: usize = MAX_WASM_STACK + (1 << 20);

/// An engine and the linkers holding every WASI import for it.
pub struct Shared {
    /// The engine every program is compiled for.
    pub engine: Engine,
    /// Every import of `wasi:cli/command`, defined once.
    pub linker: Linker<StoreData>,
    /// Every `wasi_snapshot_preview1` function, for core modules.
    pub modules: wasmtime::Linker<StoreData>,
}

/// A compiled program whose imports the host satisfies, ready to instantiate.
pub enum Pre {
    /// A `wasi:cli/command` component.
    Command(CommandPre<StoreData>),
    /// A preview1 core module exporting `_start`.
    Module(InstancePre<StoreData>),
}

impl Pre {
    /// The engine the program was compiled for.
    pub fn engine(&self) -> &Engine {
        match self {
            Self::Command(pre) => pre.engine(),
            Self::Module(pre) => pre.module().engine(),
        }
    }
}

fn config(fuel: bool) -> Config {
    let mut config = Config::new();
    config
        .consume_fuel(fuel)
        .epoch_interruption(true)
        .cranelift_nan_canonicalization(true)
        .relaxed_simd_deterministic(true)
        .shared_memory(false)
        .max_wasm_stack(MAX_WASM_STACK)
        .async_stack_size(ASYNC_STACK)
        .wasm_backtrace_details(WasmBacktraceDetails::Disable)
        .wasm_backtrace_max_frames(NonZeroUsize::new(MAX_BACKTRACE_FRAMES));
    config
}

fn build(fuel: bool) -> wasmtime::Result<Shared> {
    let engine = Engine::new(&config(fuel))?;
    let mut linker = Linker::new(&engine);
    host::add_to_linker(&mut linker)?;
    let mut modules = wasmtime::Linker::new(&engine);
    p1::add_to_linker(&mut modules)?;
    Ok(Shared {
        engine,
        linker,
        modules,
    })
}

/// The plain and the fuel-metering engine.
struct Engines {
    plain: Shared,
    fuel: Shared,
}

fn build_all() -> wasmtime::Result<Engines> {
    let engines = Engines {
        plain: build(false)?,
        fuel: build(true)?,
    };
    limits::start_ticker(vec![
        engines.plain.engine.clone(),
        engines.fuel.engine.clone(),
    ])?;
    Ok(engines)
}

/// The shared engine and linker (the fuel-metering ones if `fuel`), built on first use.
pub fn shared(fuel: bool) -> Result<&'static Shared, SandboxError> {
    static ENGINES: OnceLock<Result<Engines, String>> = OnceLock::new();
    let engines = ENGINES
        .get_or_init(|| build_all().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| SandboxError::Internal(format!("cannot set up the wasm engine: {e}")))?;
    Ok(if fuel { &engines.fuel } else { &engines.plain })
}

/// Turns what the caller handed in into a WebAssembly binary: binaries as they are; UTF-8 text
/// whose first token opens an s-expression or a comment is parsed as the text format (a module
/// or a component), and its parse error is the message if it is not valid; anything else is
/// "not a WebAssembly binary".
pub fn to_binary(wasm: Vec<u8>) -> Result<Vec<u8>, SandboxError> {
    if wasm.starts_with(b"\0asm") {
        return Ok(wasm);
    }
    let looks_like_text =
        std::str::from_utf8(&wasm).is_ok_and(|text| text.trim_start().starts_with(['(', ';']));
    if !looks_like_text {
        return Err(SandboxError::InvalidWasm(
            "not a WebAssembly binary (it does not start with \\0asm)".to_owned(),
        ));
    }
    wat::parse_bytes(&wasm)
        .map(|binary| binary.into_owned())
        .map_err(|e| SandboxError::InvalidWasm(format!("invalid WebAssembly text: {e}")))
}

/// Compiles the binary `wasm` for the plain or the fuel-metering engine, and checks that it is a
/// `wasi:cli/command` component or a preview1 module whose imports the host satisfies.
pub fn compile(wasm: &[u8], fuel: bool) -> Result<Pre, SandboxError> {
    let shared = shared(fuel)?;
    if !wasm.starts_with(b"\0asm") {
        return Err(SandboxError::InvalidWasm(
            "not a WebAssembly binary (it does not start with \\0asm)".to_owned(),
        ));
    }
    if is_core_module(wasm) {
        return compile_module(shared, wasm).map(Pre::Module);
    }
    let invalid =
        |what: &str, e: wasmtime::Error| SandboxError::InvalidWasm(format!("{what}: {e:#}"));
    let component =
        Component::new(&shared.engine, wasm).map_err(|e| invalid("invalid component", e))?;
    let pre = shared
        .linker
        .instantiate_pre(&component)
        .map_err(|e| invalid("the component imports what the sandbox does not provide", e))?;
    CommandPre::new(pre)
        .map(Pre::Command)
        .map_err(|e| invalid("the component is not a wasi:cli/command", e))
}

/// Compiles a core module, which must export `_start: func()` and import nothing but
/// `wasi_snapshot_preview1`.
fn compile_module(shared: &Shared, wasm: &[u8]) -> Result<InstancePre<StoreData>, SandboxError> {
    let invalid =
        |what: &str, e: wasmtime::Error| SandboxError::InvalidWasm(format!("{what}: {e:#}"));
    let module = Module::new(&shared.engine, wasm).map_err(|e| invalid("invalid module", e))?;
    match module.get_export("_start") {
        Some(ExternType::Func(ty)) if ty.params().len() == 0 && ty.results().len() == 0 => {}
        _ => {
            return Err(SandboxError::InvalidWasm(
                "the module does not export `_start` as a function without parameters or \
                 results, so it is not a WASI command"
                    .to_owned(),
            ));
        }
    }
    shared
        .modules
        .instantiate_pre(&module)
        .map_err(|e| invalid("the module imports what the sandbox does not provide", e))
}
/// A core module has version 1 and layer 0 in its header; a component has layer 1.
fn is_core_module(wasm: &[u8]) -> bool {
    wasm.get(4..8) == Some(&[1, 0, 0, 0])
}
