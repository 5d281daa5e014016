//! Compiling untrusted bytes within the call's budget: in a compiler process that can be killed.
//!
//! Cranelift cannot be interrupted, and small inputs compile for long and big: 200,000 empty
//! functions (1.4 MB) took 40 s, one expression of a million terms 8 s and 700 MB. Structural
//! limits checked before compiling would not bound that (both are far inside the browsers'
//! limits, which wasmparser already enforces), so the bound is a process: when the embedder
//! names a compiler command ([`use_processes`]; the Node binding does), code is compiled in a
//! child process, which is killed when the call's [`Budget`] runs out or the call is cancelled,
//! and whose memory is capped with `RLIMIT_DATA` (by default at [`MEMORY_BYTES`]): an
//! allocation past it aborts the child, never the host. The child sends back the serialized
//! code, which the host loads with `deserialize` ([`load`](super::engine::load)); a killed child is all a
//! bomb costs.
//!
//! A compiler process serves one compilation at a time and is kept for the next one (starting
//! one, a Node start-up, costs about 35 ms once): at most [`IDLE`] idle ones are kept, and a call
//! that finds none starts one, so concurrent compilations never wait for each other. An idle
//! process exits when the host does (its stdin closes); one compiling when the host dies ends
//! when it writes its reply to the closed pipe (not killed with the host: the kernel's
//! parent-death signal follows the spawning thread, which may end before the host does).
//!
//! Without a compiler command (the Rust API, the tests), code is compiled in this process,
//! bounded by nothing but the budget checked before it starts.
//!
//! The protocol, over the child's stdin and stdout: a request is `[codegen: u8][len: u64 LE]`
//! and `len` bytes of wasm; a reply is `[status: u8][len: u64 LE]` and `len` bytes of code
//! (status `OK`) or of a UTF-8 message.

mod code;
mod footprint;
mod serve;
mod worker;

pub use code::{MAX_LOADED_BYTES, precompile};
pub use footprint::{Footprint, MAX_SEGMENT_BYTES, MAX_STATE_BYTES, measure};
pub use serve::{effective_memory, serve};

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::engine::Codegen;
use super::error::SandboxError;
use super::limits::Budget;
use crate::sandbox::sync::lock;
use worker::{Broken, Worker};

/// The most memory a compilation may use by default, in bytes: the compiler process's data
/// limit, Node's own heap included (about 45 MB). Compiling the 19 MB CPython component peaks
/// at about 370 MB, a million-term expression at about 700 MB, the 99 MB CPython module with
/// numpy, pandas and scipy at about 2.3 GB (wasmtime's own CLI: 2.1 GB).
pub const MEMORY_BYTES: u64 = 4 << 30;

/// How many idle compiler processes are kept (each holds about 45 MB).
pub const IDLE: usize = 2;

/// The most compiled code the host loads for one program, in bytes: the code and the memory
/// images of its data segments (a 643-byte module with 30 memories of 16 MiB of data compiles
/// to 500 MB). The 19 MB CPython component compiles to 36 MB, the 99 MB CPython module with
/// numpy, pandas and scipy to about 260 MB.
pub const MAX_CODE_BYTES: u64 = 512 << 20;

/// The reply statuses.
const OK: u8 = 0;
const INVALID: u8 = 1;
const INTERNAL: u8 = 2;
const LIMIT: u8 = 3;

/// How to start a compiler process: a program and its arguments, run with an empty environment.
#[derive(Debug, Clone)]
pub struct CompilerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// The environment it is given (nothing else of the host's).
    pub env: Vec<(OsString, OsString)>,
    /// The memory cap it sets itself ([`serve`]'s argument), for the error that reports it.
    pub memory_bytes: u64,
}

static COMMAND: OnceLock<CompilerCommand> = OnceLock::new();

/// Compiles in processes started with `command` from now on. The first call wins.
pub fn use_processes(command: CompilerCommand) {
    let _ = COMMAND.set(command);
}

/// Compiles `wasm` to serialized code of `codegen`, within `budget`: in a compiler process if
/// one is configured, otherwise here. A spent budget is [`SandboxError::Stopped`]; a
/// compilation that needs more memory than the compiler process has is
/// [`SandboxError::CompileLimit`].
pub fn compile(codegen: Codegen, wasm: &[u8], budget: &Budget) -> Result<Vec<u8>, SandboxError> {
    if let Some(spent) = budget.spent() {
        return Err(SandboxError::Stopped(spent));
    }
    let Some(command) = COMMAND.get() else {
        let code = precompile(codegen, wasm)?;
        if code.len() as u64 > MAX_CODE_BYTES {
            return Err(code_too_large());
        }
        return Ok(code);
    };
    // An idle process may have died meanwhile (e.g. the OOM killer): then one fresh try.
    let kept = idle().pop();
    if let Some(mut worker) = kept {
        match worker.compile(codegen, wasm, budget) {
            Err(Broken::Pipe) => drop(worker),
            done => return worker.finish(done, command.memory_bytes),
        }
    }
    let mut worker = Worker::start(command)?;
    let done = worker.compile(codegen, wasm, budget);
    worker.finish(done, command.memory_bytes)
}

fn idle() -> MutexGuard<'static, Vec<Worker>> {
    static IDLE_WORKERS: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    lock(&IDLE_WORKERS)
}

/// The error for compiled code larger than [`MAX_CODE_BYTES`].
fn code_too_large() -> SandboxError {
    SandboxError::CompileLimit(format!(
        "the compiled program is larger than {} MiB",
        MAX_CODE_BYTES >> 20
    ))
}

fn codegen_byte(codegen: Codegen) -> u8 {
    match codegen {
        Codegen::Plain => 0,
        Codegen::Metered => 1,
    }
}

fn codegen_of(byte: u8) -> Codegen {
    match byte {
        0 => Codegen::Plain,
        _ => Codegen::Metered,
    }
}
