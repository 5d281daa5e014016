//! Engine errors as JS errors: one stable `code` per kind, mapped in one place.

use napi::{Env, Status};

use crate::sandbox::SandboxError;
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::error::InvalidOption;

/// The stable `code` of every error the API throws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// `wasm` is not a WebAssembly component that runs as `wasi:cli/command`.
    InvalidWasm,
    /// The options are of the wrong type or malformed.
    InvalidOptions,
    /// The engine failed for a reason that is not the caller's.
    Internal,
    /// `wasm` is beyond what a program may cost (to compile, load or instantiate), or compiling
    /// it takes (for `new Program`) more time than `timeoutMs`.
    CompileLimit,
    /// An async call's `AbortSignal` aborted it (Node's own code for that, on an `Error` named
    /// `AbortError`). An aborted run is a result (`'cancelled'`), so only a compile has this.
    Aborted,
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        match self {
            Self::InvalidWasm => "ERR_INVALID_WASM",
            Self::InvalidOptions => "ERR_INVALID_OPTIONS",
            Self::Internal => "ERR_INTERNAL",
            Self::CompileLimit => "ERR_COMPILE_LIMIT",
            Self::Aborted => "ABORT_ERR",
        }
    }
}

/// A JS error carrying one of the stable codes.
pub type JsError = napi::Error<ErrorCode>;

/// The result type of every exported function.
pub type JsResult<T> = Result<T, JsError>;

/// Throws the error of `result`, with its code, into JS. napi-rs cannot return an error with a
/// custom code from an exported function, so the error is thrown here and the function returns
/// `PendingException`, which napi-rs leaves as it is.
pub fn throw<T>(env: &Env, result: JsResult<T>) -> napi::Result<T> {
    result.map_err(|error| {
        // SAFETY: `env` is the live environment of the current call.
        unsafe { napi::JsError::from(error).throw_into(env.raw()) };
        napi::Error::from_status(Status::PendingException)
    })
}

/// An `ERR_INVALID_OPTIONS` error.
pub fn invalid_options(message: impl Into<String>) -> JsError {
    JsError::new(ErrorCode::InvalidOptions, message.into())
}

/// An `ERR_INVALID_WASM` error.
pub fn invalid_wasm(message: impl Into<String>) -> JsError {
    JsError::new(ErrorCode::InvalidWasm, message.into())
}

impl From<SandboxError> for JsError {
    fn from(error: SandboxError) -> Self {
        let code = match &error {
            SandboxError::InvalidWasm(_) => ErrorCode::InvalidWasm,
            SandboxError::InvalidOptions(_) => ErrorCode::InvalidOptions,
            SandboxError::Internal(_) => ErrorCode::Internal,
            SandboxError::CompileLimit(_) | SandboxError::Stopped(_) => ErrorCode::CompileLimit,
        };
        JsError::new(code, message(&error))
    }
}

/// The engine's message, in the names of the JS API where the engine's are Rust's.
fn message(error: &SandboxError) -> String {
    match error {
        SandboxError::InvalidOptions(InvalidOption::NulInArgs(arg)) => {
            format!("args and programName must not contain NUL characters: {arg:?}")
        }
        SandboxError::InvalidOptions(InvalidOption::CacheDir { dir, problem }) => {
            format!("cacheDir {}{problem}", dir.display())
        }
        SandboxError::Stopped(LimitExceeded::Timeout) => {
            "compiling the program took longer than timeoutMs".to_owned()
        }
        other => other.to_string(),
    }
}
