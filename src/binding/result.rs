//! The JS shape of a run's result.

use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;

use crate::sandbox::{self, Outcome};

/// Why a trapped run trapped.
#[napi(object)]
pub struct TrapInfo {
    /// The trap reason, e.g. "wasm `unreachable` instruction executed".
    pub message: String,
}

/// How a run ended, and everything it wrote.
#[napi(object)]
pub struct RunResult {
    /// How the run ended:
    /// - `'exited'`: the guest returned from `run` or called `exit`; see `exitCode`.
    /// - `'trapped'`: the guest trapped (a Rust panic, `unreachable`, an out-of-bounds access);
    ///   see `trap`.
    /// - `'deadlock'`: the guest waited for something that can never happen (no timer pending).
    #[napi(ts_type = "'exited' | 'trapped' | 'deadlock'")]
    pub outcome: String,
    /// The guest's exit code when `outcome` is `'exited'`; otherwise 134 for `'trapped'` (as
    /// for a native abort) and 137 for an end imposed by the host, such as `'deadlock'`.
    pub exit_code: i32,
    /// Everything the guest wrote to stdout.
    pub stdout: Buffer,
    /// Everything the guest wrote to stderr.
    pub stderr: Buffer,
    /// How far the virtual clock moved during the run, in nanoseconds.
    pub virtual_time_ns: BigInt,
    /// Present when `outcome` is `'trapped'`.
    pub trap: Option<TrapInfo>,
}

impl From<sandbox::RunResult> for RunResult {
    fn from(result: sandbox::RunResult) -> Self {
        let trap = match &result.outcome {
            Outcome::Trapped { message } => Some(TrapInfo {
                message: message.clone(),
            }),
            _ => None,
        };
        Self {
            outcome: result.outcome.name().to_owned(),
            exit_code: result.outcome.exit_code(),
            stdout: result.stdout.into(),
            stderr: result.stderr.into(),
            virtual_time_ns: BigInt::from(result.virtual_time_ns),
            trap,
        }
    }
}
