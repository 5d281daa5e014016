//! The engine's one public error: misuse by the caller. What a guest does is never an error; it
//! is an [`Outcome`](super::report::Outcome).

use super::ending::LimitExceeded;

/// Why the engine refused a call. Each variant maps to one stable JS error code in the binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxError {
    /// The bytes are not a WebAssembly component that runs as `wasi:cli/command`.
    InvalidWasm(String),
    /// The run options are malformed.
    InvalidOptions(String),
    /// The engine itself failed (e.g. it could not be configured on this host).
    Internal(String),
    /// Compiling the bytes needs more than the compiler's bounds allow.
    CompileLimit(String),
    /// The call's budget ran out (a timeout) or the call was cancelled before the guest
    /// started: while compiling. A call that runs reports this as its outcome instead.
    Stopped(LimitExceeded),
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidWasm(msg)
            | Self::InvalidOptions(msg)
            | Self::Internal(msg)
            | Self::CompileLimit(msg) => f.write_str(msg),
            Self::Stopped(LimitExceeded::Timeout) => {
                f.write_str("compiling the program took longer than timeoutMs")
            }
            Self::Stopped(LimitExceeded::Cancelled) => {
                f.write_str("the call was cancelled while compiling")
            }
            Self::Stopped(limit) => write!(f, "{limit}"),
        }
    }
}

impl std::error::Error for SandboxError {}
