//! What a call runs, sync or async: its program, its options, the JS sides of its live output
//! and interactive input, and its cancel flag.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::input::Input;
use super::live::Live;
use super::options::Read;
use crate::sandbox::{self, Program, RunOptions, SandboxError};

/// The program of an async run: compiled already, or bytes to compile on the pool thread.
pub enum Source {
    /// A `Program`'s compiled code.
    Compiled(Arc<Program>),
    /// Bytes for the program cache (compiled there on a miss, with the disk cache in
    /// the directory if any).
    Bytes(Arc<[u8]>, Option<PathBuf>),
}

impl Source {
    /// Compiles the program if need be and runs it with `options` until it ends or `cancel` is
    /// set: what a sync call does on the JS thread, and an async one on a pool thread.
    pub fn execute(
        self,
        options: &RunOptions,
        cancel: Arc<AtomicBool>,
    ) -> Result<sandbox::RunResult, SandboxError> {
        match self {
            Self::Compiled(program) => program.run_cancellable(options, cancel),
            Self::Bytes(wasm, cache_dir) => sandbox::run_bytes(wasm, cache_dir, options, cancel),
        }
    }
}

/// What a call runs: its program and options, the JS side of its live output and interactive
/// input if any, and its cancel flag.
pub struct Job {
    /// The program.
    pub source: Source,
    /// The engine's options.
    pub options: RunOptions,
    /// The JS side of `onOutput`, if given.
    pub live: Option<Arc<Live>>,
    /// The JS side of an interactive `stdin`, if given.
    pub input: Option<Arc<Input>>,
    /// The run's cancel flag.
    pub cancel: Arc<AtomicBool>,
}

impl Job {
    /// The job of `source` with the options `read`.
    pub fn new(source: Source, read: Read) -> Self {
        Self {
            source,
            options: read.options,
            live: read.live,
            input: read.input,
            cancel: read.cancel,
        }
    }
}
