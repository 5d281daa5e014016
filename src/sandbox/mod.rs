//! The napi-free engine: compile a `wasi:cli/command` component once, run it many times, each run
//! in a fresh store on its own virtual clock.
//!
//! Data flows one way: [`RunOptions`] -> [`Program::run`] (store, executor, guest) ->
//! [`report::classify`] -> [`RunResult`].

pub mod bindings;
pub mod clock;
pub mod config;
pub mod engine;
pub mod error;
pub mod executor;
pub mod host;
pub mod report;
pub mod store;

pub use config::RunOptions;
pub use error::SandboxError;
pub use report::{Outcome, RunResult};

use wasmtime::Store;

use bindings::CommandPre;
use clock::VirtualClock;
use store::StoreData;

/// A compiled, import-checked program, ready to run any number of times.
pub struct Program {
    pre: CommandPre<StoreData>,
}

impl Program {
    /// Compiles `wasm`, a `wasi:cli/command` component.
    pub fn new(wasm: &[u8]) -> Result<Self, SandboxError> {
        Ok(Self {
            pre: engine::compile(wasm)?,
        })
    }

    /// Runs the program once with `options`. What the guest does is reported in the result;
    /// only invalid options are an error.
    pub fn run(&self, options: &RunOptions) -> Result<RunResult, SandboxError> {
        options.validate()?;
        let clock = VirtualClock::new();
        let mut store = Store::new(self.pre.engine(), StoreData::new(options, clock.clone()));
        let ended = executor::block_on(&clock, async {
            let command = self.pre.instantiate_async(&mut store).await?;
            command.wasi_cli_run().call_run(&mut store).await
        });
        let outcome = report::classify(ended);
        let captured = store.data().cli.output.take();
        Ok(RunResult {
            outcome,
            stdout: captured.stdout,
            stderr: captured.stderr,
            virtual_time_ns: clock.elapsed(),
        })
    }
}

/// Compiles and runs `wasm` once.
pub fn run(wasm: &[u8], options: &RunOptions) -> Result<RunResult, SandboxError> {
    Program::new(wasm)?.run(options)
}
