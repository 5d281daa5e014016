//! Plain run options, their defaults, and their validation. No napi types: the binding converts
//! JS values into these, the engine reads only these.

use super::error::SandboxError;

/// `argv[0]` when the caller names no program.
pub const DEFAULT_PROGRAM_NAME: &str = "main";

/// The wall-clock time at which every run starts unless told otherwise:
/// 2009-11-10T23:00:00Z, in milliseconds since the Unix epoch (the Go playground's epoch).
pub const DEFAULT_START_TIME_MS: u64 = 1_257_894_000_000;

/// The latest start time accepted: the largest time a JavaScript `Date` can hold.
pub const MAX_START_TIME_MS: u64 = 8_640_000_000_000_000;

/// Everything a run depends on. Two runs with equal options and the same program give
/// byte-identical results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    /// `argv[0]`.
    pub program_name: String,
    /// Environment variables, in order. The host's environment is never visible.
    pub env: Vec<(String, String)>,
    /// The bytes on standard input, followed by end-of-stream.
    pub stdin: Vec<u8>,
    /// Seed of the run's random stream.
    pub seed: u64,
    /// The wall-clock time at the start of the run, in milliseconds since the Unix epoch.
    pub start_time_ms: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            program_name: DEFAULT_PROGRAM_NAME.to_owned(),
            env: Vec::new(),
            stdin: Vec::new(),
            seed: 0,
            start_time_ms: DEFAULT_START_TIME_MS,
        }
    }
}

impl RunOptions {
    /// Checks what the types alone cannot: strings a C guest could not receive intact, env names
    /// that could not round-trip through `NAME=value`, a start time a `Date` cannot hold.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |msg: String| Err(SandboxError::InvalidOptions(msg));
        if let Some(arg) = std::iter::once(&self.program_name)
            .chain(&self.args)
            .find(|a| a.contains('\0'))
        {
            return invalid(format!(
                "args and programName must not contain NUL characters: {arg:?}"
            ));
        }
        for (name, value) in &self.env {
            if name.is_empty() || name.contains(['=', '\0']) {
                return invalid(format!(
                    "env names must be non-empty without '=' or NUL: {name:?}"
                ));
            }
            if value.contains('\0') {
                return invalid(format!(
                    "env values must not contain NUL characters: {name:?}"
                ));
            }
        }
        if self.start_time_ms > MAX_START_TIME_MS {
            return invalid(format!(
                "startTime must be at most {MAX_START_TIME_MS} ms since the epoch"
            ));
        }
        Ok(())
    }

    /// `argv` as the guest sees it: the program name, then the arguments.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.program_name.clone())
            .chain(self.args.iter().cloned())
            .collect()
    }
}
