//! What a compiler process does (and the host, without one): text to binary, binary to
//! serialized code.

use std::borrow::Cow;

use super::footprint;
use crate::sandbox::engine::{self, Codegen};
use crate::sandbox::error::SandboxError;

/// Compiles `wasm` (a module or a component, binary or text) to code of `codegen`, serialized,
/// in this process: what a compiler process does. Invalid bytes are `InvalidWasm`, with
/// wasmtime's message; a program whose instantiation would cost more than a run may have
/// ([`footprint`]) is `CompileLimit`, found before compiling it.
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
    Ok(code)
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
        return Err(SandboxError::InvalidWasm(
            "not a WebAssembly binary (it does not start with \\0asm)".to_owned(),
        ));
    }
    wat::parse_bytes(wasm)
        .map_err(|e| SandboxError::InvalidWasm(format!("invalid WebAssembly text: {e}")))
}
