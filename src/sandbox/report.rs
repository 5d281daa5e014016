//! How a run ended, classified once from what the executor and the guest call returned.

use wasmtime::{Trap, WasmBacktrace};

use super::ending::{GuestExit, HostOutOfMemory, LimitExceeded};
use super::executor::Stall;
use super::vfs::Entry;
use super::wasi::stdio::OutputEvent;

/// The exit code reported for a trapped guest: 128 + SIGABRT, as a native program that aborts
/// (and the wasmtime CLI) would report.
pub const TRAP_EXIT_CODE: u32 = 134;

/// The exit code reported when the host ended a guest that had not exited (a limit, a deadlock,
/// a cancellation): 128 + SIGKILL, as for a native program the system killed.
pub const KILLED_EXIT_CODE: u32 = 137;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The guest returned from `run` or called `exit` (`proc_exit` in preview1); carries its exit
    /// code, any `u32` for preview1.
    Exited(u32),
    /// The guest trapped (e.g. `unreachable`, out-of-bounds access, a Rust panic, stack overflow).
    Trapped {
        /// The trap reason, e.g. "wasm `unreachable` instruction executed".
        message: String,
        /// The wasm functions on the stack, innermost first.
        backtrace: Vec<String>,
    },
    /// The guest blocked on something that can never happen, with no timer pending.
    Deadlock,
    /// The fuel budget ran out.
    FuelExhausted,
    /// The wall-clock budget ran out.
    Timeout,
    /// A memory or table growth would have exceeded the memory limit.
    MemoryExceeded,
    /// stdout and stderr together reached the output limit.
    OutputExceeded,
    /// The virtual clock would have passed its limit.
    VirtualTimeExceeded,
    /// The caller cancelled the run.
    Cancelled,
    /// The host could not provide memory within the run's limits (the operating system refused
    /// a mapping or a growth): not the guest's doing.
    HostOutOfMemory,
}

impl Outcome {
    /// The process-style exit code: the guest's own when it exited, else a fixed nonzero code.
    pub fn exit_code(&self) -> u32 {
        match self {
            Self::Exited(code) => *code,
            Self::Trapped { .. } => TRAP_EXIT_CODE,
            _ => KILLED_EXIT_CODE,
        }
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    /// How the run ended.
    pub outcome: Outcome,
    /// Everything written to stdout (up to the output limit).
    pub stdout: Vec<u8>,
    /// Everything written to stderr (up to the output limit).
    pub stderr: Vec<u8>,
    /// How far the virtual clock moved, in nanoseconds.
    pub virtual_time_ns: u64,
    /// Fuel consumed, when the run was metered (a fuel limit was set).
    pub fuel_consumed: Option<u64>,
    /// The filesystem as the run left it, however it ended (a trap or a limit included), in the
    /// form of [`RunOptions::files`](super::RunOptions::files): every file, directory and
    /// symlink sorted by path. Passing it back as `files` rebuilds the same tree. Hard links
    /// come back as separate copies, and files unlinked while open are gone.
    pub files: Vec<(String, Entry)>,
    /// Every write in order, with its virtual time, when [`RunOptions::events`](super::RunOptions::events)
    /// asked for them: the `stdout` events' bytes, one after the other, are exactly `stdout`
    /// (likewise `stderr`).
    pub events: Option<Vec<OutputEvent>>,
}

/// Classifies the end of a run: `run`'s own result, a guest exit, a limit, a trap, or a stall.
pub fn classify(ended: Result<wasmtime::Result<Result<(), ()>>, Stall>) -> Outcome {
    match ended {
        Err(Stall::Deadlock) => Outcome::Deadlock,
        Err(Stall::VirtualTimeExceeded) => Outcome::VirtualTimeExceeded,
        Err(Stall::Spent(spent)) => limit_outcome(spent),
        Ok(Ok(Ok(()))) => Outcome::Exited(0),
        Ok(Ok(Err(()))) => Outcome::Exited(1),
        Ok(Err(error)) => classify_error(&error),
    }
}

/// The outcome of a run that hit `limit`.
pub fn limit_outcome(limit: LimitExceeded) -> Outcome {
    match limit {
        LimitExceeded::Timeout => Outcome::Timeout,
        LimitExceeded::Memory => Outcome::MemoryExceeded,
        LimitExceeded::Output => Outcome::OutputExceeded,
        LimitExceeded::VirtualTime => Outcome::VirtualTimeExceeded,
        LimitExceeded::Cancelled => Outcome::Cancelled,
    }
}

fn classify_error(error: &wasmtime::Error) -> Outcome {
    if let Some(GuestExit(code)) = error.downcast_ref::<GuestExit>() {
        return Outcome::Exited(*code);
    }
    if error.is::<HostOutOfMemory>() || out_of_memory(error) {
        return Outcome::HostOutOfMemory;
    }
    if let Some(limit) = error.downcast_ref::<LimitExceeded>() {
        return limit_outcome(*limit);
    }
    let message = match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => return Outcome::FuelExhausted,
        Some(trap) => {
            let message = trap.to_string();
            message
                .strip_prefix("wasm trap: ")
                .unwrap_or(&message)
                .to_owned()
        }
        // Host errors carry the wasm backtrace as their outermost context; the message is the
        // error the host raised.
        None => error.root_cause().to_string(),
    };
    Outcome::Trapped {
        message,
        backtrace: backtrace(error),
    }
}

/// The longest function name a backtrace keeps, in bytes; longer names are cut (at a character
/// boundary) and end with `...`. Names come from the guest's name section, so without a cap a
/// recursion through a function with a 4 MB name would fill a backtrace with 80 MB.
pub const MAX_FRAME_NAME_BYTES: usize = 1024;

/// Whether the run failed because the operating system refused memory (`ENOMEM` from a
/// mapping, e.g. a memory the on-demand engine could not reserve at instantiation; wasmtime
/// reports its `mmap` errors as `rustix` errors).
pub(crate) fn out_of_memory(error: &wasmtime::Error) -> bool {
    error.chain().any(|cause| {
        let io = cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::OutOfMemory);
        #[cfg(unix)]
        let io = io
            || cause
                .downcast_ref::<rustix::io::Errno>()
                .is_some_and(|errno| *errno == rustix::io::Errno::NOMEM);
        io
    })
}

/// The function names of the wasm frames of a trap, innermost first: demangled Rust names, or
/// `wasm-function[N]` for a function without a name.
fn backtrace(error: &wasmtime::Error) -> Vec<String> {
    let Some(trace) = error.downcast_ref::<WasmBacktrace>() else {
        return Vec::new();
    };
    trace
        .frames()
        .iter()
        .map(|frame| match frame.func_name() {
            // Cut (far longer) before demangling too, so that a huge name costs little, while
            // a long mangled name whose demangled form fits is still demangled.
            Some(name) => {
                let name = cut(name, 64 * MAX_FRAME_NAME_BYTES);
                let demangled = format!("{:#}", rustc_demangle::demangle(&name));
                cut(&demangled, MAX_FRAME_NAME_BYTES).into_owned()
            }
            None => format!("wasm-function[{}]", frame.func_index()),
        })
        .collect()
}

/// `name` itself if it fits in `max` bytes, else its longest prefix that fits with `...` after
/// it.
fn cut(name: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if name.len() <= max {
        return name.into();
    }
    let mut end = max - 3;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &name[..end]).into()
}
