//! The engine's one public error: misuse by the caller. What a guest does is never an error; it
//! is an [`Outcome`](super::report::Outcome).

/// Why the engine refused a call. Each variant maps to one stable JS error code in the binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxError {
    /// The bytes are not a WebAssembly component that runs as `wasi:cli/command`.
    InvalidWasm(String),
    /// The run options are malformed.
    InvalidOptions(String),
    /// The engine itself failed (e.g. it could not be configured on this host).
    Internal(String),
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidWasm(msg) | Self::InvalidOptions(msg) | Self::Internal(msg) => {
                f.write_str(msg)
            }
        }
    }
}

impl std::error::Error for SandboxError {}
