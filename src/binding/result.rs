//! The JS shape of a run's result.

use napi::bindgen_prelude::{BigInt, Buffer, BufferSlice, Object, ToNapiValue, Undefined, Unknown};
use napi::{Env, JsValue, sys};
use napi_derive::napi;

use super::{files, glue};
use crate::sandbox::wasi::stdio::{self, Channel};
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

// Declared here for `index.d.ts` only: results are built by `to_js`.
/// How a run ended, and everything it wrote.
#[napi(object, object_from_js = false, object_to_js = false)]
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
    /// `limits.outputBytes`). stdout and stderr may be views of one `ArrayBuffer`, as Node's
    /// small Buffers share a pool: mind `byteOffset` when using `.buffer`.
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
    /// Present when `options.events` was set: every write of the guest, in the order it
    /// happened. Writes to one stream at one virtual time may be merged into one event; the
    /// `stdout` events' data, one after the other, are exactly `stdout` (likewise `stderr`),
    /// also when the output was cut at `limits.outputBytes`. A run keeps at most 100,000
    /// events: one that would make more ends as `'outputExceeded'`.
    pub events: Option<Vec<OutputEvent>>,
}

// Declared here for `index.d.ts` only: events are built by `glue.js`.
/// One write of the guest: in `RunResult.events`, possibly several in a row to one stream at one
/// virtual time, merged; in `onOutput`, exactly one.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct OutputEvent {
    /// Where it was written.
    #[napi(ts_type = "'stdout' | 'stderr'")]
    pub stream: String,
    /// What was written: in `RunResult.events`, a view of the result's `stdout` or `stderr`; in
    /// `onOutput`, a Buffer of its own.
    pub data: Buffer,
    /// The run's virtual monotonic time at the write, in nanoseconds from its start (the clock
    /// of `virtualTimeNs`). Replaying the output at these times shows the program's own pauses.
    pub time_ns: BigInt,
}

/// The outcomes' names in the JS API, in the order of [`outcome_index`]. `glue.js` gets them
/// once, so a result passes a small number rather than a new string.
pub const OUTCOME_NAMES: [&str; 10] = [
    "exited",
    "trapped",
    "deadlock",
    "fuelExhausted",
    "timeout",
    "memoryExceeded",
    "outputExceeded",
    "virtualTimeExceeded",
    "cancelled",
    "hostOutOfMemory",
];

/// Where the outcome's name is in [`OUTCOME_NAMES`].
fn outcome_index(outcome: &Outcome) -> u32 {
    match outcome {
        Outcome::Exited(_) => 0,
        Outcome::Trapped { .. } => 1,
        Outcome::Deadlock => 2,
        Outcome::FuelExhausted => 3,
        Outcome::Timeout => 4,
        Outcome::MemoryExceeded => 5,
        Outcome::OutputExceeded => 6,
        Outcome::VirtualTimeExceeded => 7,
        Outcome::Cancelled => 8,
        Outcome::HostOutOfMemory => 9,
    }
}

/// The largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The JS result of a run, built by `glue.js`. Output is copied into memory that V8 allocates
/// and frees (see [`stream`]): buffers wrapping Rust memory are only freed once the event loop
/// turns, so a synchronous loop of runs would hold every run's output until it returned.
pub fn to_js(env: &Env, result: sandbox::RunResult) -> napi::Result<Unknown<'_>> {
    let sandbox::RunResult {
        outcome,
        stdout,
        stderr,
        virtual_time_ns,
        fuel_consumed,
        files,
        events,
    } = result;
    let index = outcome_index(&outcome);
    let exit_code = outcome.exit_code();
    let trap = match outcome {
        Outcome::Trapped { message, backtrace } => Some(TrapInfo { message, backtrace }),
        _ => None,
    };
    // SAFETY: `env` is the live environment of the current call; each value is converted on
    // it, and they are used within the call.
    let args = unsafe {
        [
            u32::to_napi_value(env.raw(), index)?,
            u32::to_napi_value(env.raw(), exit_code)?,
            stream(env, &stdout)?,
            stream(env, &stderr)?,
            // A number when it is exact (a bigint costs more to make here than in JS).
            match virtual_time_ns <= MAX_SAFE_INTEGER {
                true => f64::to_napi_value(env.raw(), virtual_time_ns as f64)?,
                false => BigInt::to_napi_value(env.raw(), BigInt::from(virtual_time_ns))?,
            },
            match files.is_empty() {
                true => Undefined::to_napi_value(env.raw(), ())?,
                false => files::to_js(env, &files)?.raw(),
            },
            match fuel_consumed {
                Some(fuel) => BigInt::to_napi_value(env.raw(), BigInt::from(fuel))?,
                None => Undefined::to_napi_value(env.raw(), ())?,
            },
            match trap {
                Some(trap) => TrapInfo::to_napi_value(env.raw(), trap)?,
                None => Undefined::to_napi_value(env.raw(), ())?,
            },
            match events {
                Some(events) => event_array(env, &events)?,
                None => Undefined::to_napi_value(env.raw(), ())?,
            },
        ]
    };
    glue::result(env, &args)
}

/// The most bytes of a stream passed as a string: Node copies a string this short into its
/// shared pool of small Buffers, where a Buffer of its own would cost an `ArrayBuffer`.
const MAX_STRING_STREAM: usize = 4095;

/// A stream's bytes for `glue.js`: a Latin-1 string (one character per byte, so exact) when
/// short, else an `ArrayBuffer`.
pub fn stream(env: &Env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    if bytes.len() > MAX_STRING_STREAM {
        return array_buffer(env, bytes);
    }
    let mut value = std::ptr::null_mut();
    // SAFETY: `env` is the live environment of the current call; `bytes` is read for its length.
    let status = unsafe {
        sys::napi_create_string_latin1(
            env.raw(),
            bytes.as_ptr().cast(),
            bytes.len() as isize,
            &mut value,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_status(napi::Status::from(status)));
    }
    Ok(value)
}

/// `events` as a `BigUint64Array` of three numbers each: the channel (0 for stdout, 1 for
/// stderr), the length and the virtual time.
fn event_array(env: &Env, events: &[stdio::OutputEvent]) -> napi::Result<sys::napi_value> {
    let bytes: Vec<u8> = events
        .iter()
        .flat_map(|event| {
            let channel = match event.channel {
                Channel::Stdout => 0,
                Channel::Stderr => 1,
            };
            [channel, event.len as u64, event.time_ns]
        })
        .flat_map(u64::to_ne_bytes)
        .collect();
    let buffer = array_buffer(env, &bytes)?;
    let mut array = std::ptr::null_mut();
    // SAFETY: `buffer` is a live `ArrayBuffer` of this call holding `3 * events.len()` u64s.
    let status = unsafe {
        sys::napi_create_typedarray(
            env.raw(),
            sys::TypedarrayType::biguint64_array,
            3 * events.len(),
            buffer,
            0,
            &mut array,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_status(napi::Status::from(status)));
    }
    Ok(array)
}

/// A new `ArrayBuffer` holding a copy of `bytes`.
fn array_buffer(env: &Env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    let mut data = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: `env` is the live environment of the current call.
    let status =
        unsafe { sys::napi_create_arraybuffer(env.raw(), bytes.len(), &mut data, &mut value) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_status(napi::Status::from(status)));
    }
    if !bytes.is_empty() {
        // SAFETY: `data` holds `bytes.len()` bytes (and is not null, as that is not 0).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast::<u8>(), bytes.len()) };
    }
    Ok(value)
}
