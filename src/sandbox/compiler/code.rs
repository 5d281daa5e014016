//! What a compiler process does (and the host, without one): text to binary, binary to
//! serialized code.

use std::borrow::Cow;

use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use super::footprint;
use crate::sandbox::engine::{self, Codegen};
use crate::sandbox::error::SandboxError;
use crate::sandbox::heap;

/// The most heap a loaded program may hold, in bytes: its types and metadata, which its code
/// size does not bound (5 KB of nested components once loaded as 184 MB). The 19 MB CPython
/// component holds about 2 MB.
pub const MAX_LOADED_BYTES: u64 = 128 << 20;

/// Compiles `wasm` (a module or a component, binary or text) to code of `codegen`, serialized,
/// in this process: what a compiler process does. Invalid bytes are `InvalidWasm`, with
/// wasmtime's message; a program whose instantiation would cost more than a run may have
/// (`footprint.rs`) is `CompileLimit`, found before compiling it, and so is one whose loading
/// would hold more than [`MAX_LOADED_BYTES`] of heap, found by loading it here.
pub fn precompile(codegen: Codegen, wasm: &[u8]) -> Result<Vec<u8>, SandboxError> {
    let engine = engine::compiler(codegen)?;
    let wasm = to_binary(wasm)?;
    let core_module = engine::is_core_module(&wasm);
    let measured = footprint::measure(&wasm, core_module);
    if let Ok(footprint) = &measured {
        footprint.check()?;
    }
    let code = if core_module {
        engine
            .precompile_module(&wasm)
            .map_err(|e| engine::invalid("invalid module", e))
    } else {
        engine
            .precompile_component(&wasm)
            .map_err(|e| engine::invalid("invalid component", e))
    }?;
    // Bytes wasmtime compiles but its translation refused: never expected, and not run
    // unmeasured.
    measured.map_err(|e| {
        SandboxError::Internal(format!("cannot measure the program's instances: {e:#}"))
    })?;
    let loaded = loaded_bytes(engine, &code, core_module)?;
    if loaded > MAX_LOADED_BYTES {
        return Err(SandboxError::CompileLimit(format!(
            "loading the compiled program would take {} MiB of memory, more than the {} MiB a \
             program may hold",
            loaded.div_ceil(1 << 20),
            MAX_LOADED_BYTES >> 20
        )));
    }
    Ok(code)
}

/// The heap that loading `code` keeps, measured by loading it (and dropping it afterwards).
fn loaded_bytes(engine: &Engine, code: &[u8], core_module: bool) -> Result<u64, SandboxError> {
    let unloadable = |e| SandboxError::Internal(format!("cannot load what was compiled: {e:#}"));
    // SAFETY: `code` is what `engine` just compiled, in this process.
    let bytes = if core_module {
        let (module, bytes) = heap::measured(|| unsafe { Module::deserialize(engine, code) });
        drop(module.map_err(unloadable)?);
        bytes
    } else {
        let (component, bytes) = heap::measured(|| unsafe { Component::deserialize(engine, code) });
        drop(component.map_err(unloadable)?);
        bytes
    };
    Ok(bytes as u64)
}

/// Turns what the caller handed in into a WebAssembly binary: binaries as they are; UTF-8 text
/// whose first token opens an s-expression or a comment is parsed as the text format (a module
/// or a component), and its parse error is the message if it is not valid; anything else is
/// "not a WebAssembly binary". Done by the compiler ([`precompile`]), so a text that is slow or
/// big to parse costs the compiler process, within the call's budget, not the host.
fn to_binary(wasm: &[u8]) -> Result<Cow<'_, [u8]>, SandboxError> {
    if wasm.starts_with(b"\0asm") {
        return Ok(wasm.into());
    }
    let looks_like_text =
        std::str::from_utf8(wasm).is_ok_and(|text| text.trim_start().starts_with(['(', ';']));
    if !looks_like_text {
        let mut message = "not a WebAssembly binary (it does not start with \\0asm)".to_owned();
        if let Some(path) = path_like(wasm) {
            message += &format!(
                "; {path:?} looks like a file's path: pass the file's contents, not its name"
            );
        }
        return Err(SandboxError::InvalidWasm(message));
    }
    wat::parse_bytes(wasm)
        .map_err(|e| SandboxError::InvalidWasm(format!("invalid WebAssembly text: {e}")))
}

/// `wasm` as text when it reads like a path to a program (`hello.wasm`), a common slip.
fn path_like(wasm: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(wasm).ok()?;
    let short_line = text.len() <= 1024 && !text.contains(['\n', '\0']);
    (short_line && [".wasm", ".wat"].iter().any(|ext| text.ends_with(ext))).then_some(text)
}
