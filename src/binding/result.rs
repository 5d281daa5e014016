//! The JS shape of a run's result.

use napi::Env;
use napi::bindgen_prelude::{BigInt, BufferSlice, Object};
use napi_derive::napi;

use super::files;
use crate::sandbox::{self, Outcome};

/// Why a trapped run trapped.
#[napi(object)]
pub struct TrapInfo {
    /// The trap reason, e.g. "wasm `unreachable` instruction executed".
    pub message: String,
    /// The wasm functions on the stack when it trapped, innermost first (demangled Rust names,
    /// or `wasm-function[N]` for functions without a name). The same on every machine.
    pub backtrace: Vec<String>,
}

/// How a run ended, and everything it wrote.
#[napi(object, object_from_js = false)]
pub struct RunResult<'env> {
    /// How the run ended:
    /// - `'exited'`: the guest returned from `run` or called `exit`; see `exitCode`.
    /// - `'trapped'`: the guest trapped (a Rust panic, `unreachable`, an out-of-bounds access);
    ///   see `trap`.
    /// - `'deadlock'`: the guest waited for something that can never happen (no timer pending).
    /// - `'fuelExhausted'`, `'timeout'`, `'memoryExceeded'`, `'outputExceeded'`,
    ///   `'virtualTimeExceeded'`: the run hit that limit (see `RunLimits`).
    /// - `'cancelled'`: the `AbortSignal` of an async run aborted it.
    /// - `'hostOutOfMemory'`: the host could not provide memory within the run's limits (the
    ///   operating system refused it); not the guest's doing.
    #[napi(
        ts_type = "'exited' | 'trapped' | 'deadlock' | 'fuelExhausted' | 'timeout' | 'memoryExceeded' | 'outputExceeded' | 'virtualTimeExceeded' | 'cancelled' | 'hostOutOfMemory'"
    )]
    pub outcome: &'static str,
    /// The guest's exit code when `outcome` is `'exited'`; otherwise 134 for `'trapped'` (as
    /// for a native abort) and 137 for an end imposed by the host (a limit, a deadlock).
    pub exit_code: u32,
    /// Everything the guest wrote to stdout (stdout and stderr together are cut at
    /// `limits.outputBytes`).
    pub stdout: BufferSlice<'env>,
    /// Everything the guest wrote to stderr.
    pub stderr: BufferSlice<'env>,
    /// How far the virtual clock moved during the run, in nanoseconds.
    pub virtual_time_ns: BigInt,
    /// Fuel the run consumed; present when `limits.fuel` metered the run.
    pub fuel_consumed: Option<BigInt>,
    /// Present when `outcome` is `'trapped'`.
    pub trap: Option<TrapInfo>,
    /// The filesystem as the run left it, however it ended: every file (a Buffer), directory
    /// and symlink, by path relative to `/`, in path order. Pass it as the next run's `files`
    /// to continue from here. Hard links come back as separate copies.
    #[napi(
        ts_type = "Record<string, Buffer | { type: 'dir' } | { type: 'symlink'; target: string }>"
    )]
    pub files: Object<'env>,
}

/// The outcome's name in the JS API.
fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Exited(_) => "exited",
        Outcome::Trapped { .. } => "trapped",
        Outcome::Deadlock => "deadlock",
        Outcome::FuelExhausted => "fuelExhausted",
        Outcome::Timeout => "timeout",
        Outcome::MemoryExceeded => "memoryExceeded",
        Outcome::OutputExceeded => "outputExceeded",
        Outcome::VirtualTimeExceeded => "virtualTimeExceeded",
        Outcome::Cancelled => "cancelled",
        Outcome::HostOutOfMemory => "hostOutOfMemory",
    }
}

impl<'env> RunResult<'env> {
    /// The JS result of a run. Output is copied into buffers that V8 allocates and frees:
    /// buffers wrapping Rust memory are only freed once the event loop turns, so a synchronous
    /// loop of runs would hold every run's output until it returned.
    pub fn new(env: &'env Env, result: sandbox::RunResult) -> napi::Result<Self> {
        let trap = match &result.outcome {
            Outcome::Trapped { message, backtrace } => Some(TrapInfo {
                message: message.clone(),
                backtrace: backtrace.clone(),
            }),
            _ => None,
        };
        Ok(Self {
            outcome: outcome_name(&result.outcome),
            exit_code: result.outcome.exit_code(),
            stdout: BufferSlice::copy_from(env, &result.stdout)?,
            stderr: BufferSlice::copy_from(env, &result.stderr)?,
            virtual_time_ns: BigInt::from(result.virtual_time_ns),
            fuel_consumed: result.fuel_consumed.map(BigInt::from),
            trap,
            files: files::to_js(env, &result.files)?,
        })
    }
}
