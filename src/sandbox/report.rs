//! How a run ended, classified once from what the executor and the guest call returned.

use super::executor::Deadlock;
use super::host::cli::GuestExit;

/// The exit code reported for a trapped guest: 128 + SIGABRT, as a native program that aborts
/// (and the wasmtime CLI) would report.
pub const TRAP_EXIT_CODE: i32 = 134;

/// The exit code reported when the host ended a guest that had not exited (e.g. a deadlock):
/// 128 + SIGKILL, as for a native program the system killed.
pub const KILLED_EXIT_CODE: i32 = 137;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The guest returned from `run` or called `exit`; carries its exit code.
    Exited(i32),
    /// The guest trapped (e.g. `unreachable`, out-of-bounds access, a Rust panic).
    Trapped {
        /// The trap reason, e.g. "wasm `unreachable` instruction executed".
        message: String,
    },
    /// The guest blocked on something that can never happen, with no timer pending.
    Deadlock,
}

impl Outcome {
    /// The outcome's name in the JS API.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Exited(_) => "exited",
            Self::Trapped { .. } => "trapped",
            Self::Deadlock => "deadlock",
        }
    }

    /// The process-style exit code: the guest's own when it exited, else a fixed nonzero code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Exited(code) => *code,
            Self::Trapped { .. } => TRAP_EXIT_CODE,
            Self::Deadlock => KILLED_EXIT_CODE,
        }
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    /// How the run ended.
    pub outcome: Outcome,
    /// Everything written to stdout.
    pub stdout: Vec<u8>,
    /// Everything written to stderr.
    pub stderr: Vec<u8>,
    /// How far the virtual clock moved, in nanoseconds.
    pub virtual_time_ns: u64,
}

/// Classifies the end of a run: `run`'s own result, a guest exit, a trap, or a deadlock.
pub fn classify(ended: Result<wasmtime::Result<Result<(), ()>>, Deadlock>) -> Outcome {
    match ended {
        Err(Deadlock) => Outcome::Deadlock,
        Ok(Ok(Ok(()))) => Outcome::Exited(0),
        Ok(Ok(Err(()))) => Outcome::Exited(1),
        Ok(Err(error)) => {
            if let Some(GuestExit(code)) = error.downcast_ref::<GuestExit>() {
                Outcome::Exited(i32::from(*code))
            } else if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
                let message = trap.to_string();
                let message = message.strip_prefix("wasm trap: ").unwrap_or(&message);
                Outcome::Trapped {
                    message: message.to_owned(),
                }
            } else {
                Outcome::Trapped {
                    message: error.to_string(),
                }
            }
        }
    }
}
