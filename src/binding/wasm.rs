//! The `wasm` argument: a `Uint8Array` (or `Buffer`) of a binary or of WebAssembly text, or a
//! string of WebAssembly text, handed to the program cache without a copy when it can be.

use std::sync::Arc;

use napi::ValueType;
use napi::bindgen_prelude::{FromNapiValue, JsValue, Uint8ArraySlice, Unknown};

use super::error::{JsResult, invalid_wasm};
use super::js::describe;
use crate::sandbox::cache;

/// The `wasm` argument: the caller's `Uint8Array` (or `Buffer`) borrowed, not copied, or the
/// UTF-8 bytes of a string of WebAssembly text.
enum Wasm<'a> {
    Borrowed(Uint8ArraySlice<'a>),
    Text(Vec<u8>),
}

impl std::ops::Deref for Wasm<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Wasm::Borrowed(bytes) => bytes,
            Wasm::Text(bytes) => bytes,
        }
    }
}

/// The bytes of the `wasm` argument as the cache's copy (see `cache::intern`), taken before any
/// other JS runs: an option getter could detach or resize the buffer. The caller's array is
/// only borrowed, and copied only if the cache holds no equal bytes. A `SharedArrayBuffer`
/// written by another thread meanwhile can only make it compare or compile as other bytes.
pub fn wasm_bytes(wasm: &Unknown<'_>) -> JsResult<Arc<[u8]>> {
    Ok(cache::intern(&wasm_arg(wasm)?))
}

/// Reads the `wasm` argument; the borrowed array is valid only until JS runs again.
fn wasm_arg<'a>(wasm: &Unknown<'a>) -> JsResult<Wasm<'a>> {
    // SAFETY: the value is a live JS value of this call; the conversion checks that the typed
    // array is a Uint8Array and fails otherwise. `wasm_bytes` is done with the slice before any
    // JS runs.
    if wasm.is_typedarray().unwrap_or(false)
        && let Ok(bytes) = unsafe { Uint8ArraySlice::from_napi_value(wasm.value().env, wasm.raw()) }
    {
        return Ok(Wasm::Borrowed(bytes));
    }
    if wasm.get_type().ok() == Some(ValueType::String) {
        // WebAssembly text (a module or a component); the engine parses it.
        // SAFETY: checked to be a string just above.
        return unsafe { wasm.cast::<String>() }
            .map(|text| Wasm::Text(text.into_bytes()))
            .map_err(|e| invalid_wasm(e.reason));
    }
    Err(invalid_wasm(format!(
        "wasm must be a Uint8Array or a string of WebAssembly text, got {}",
        describe(wasm)
    )))
}
