//! The napi-free engine: compile a `wasi:cli/command` component or a preview1 core module once,
//! run it many times, each run in a fresh store on its own virtual clock and filesystem.
//!
//! Data flows one way: [`RunOptions`] -> [`Program::run`] (store, executor, guest) ->
//! [`report::classify`] -> [`RunResult`].

pub mod bindings;
pub mod cache;
pub mod clock;
pub mod config;
pub mod engine;
pub mod error;
pub mod executor;
pub mod host;
pub mod limits;
pub mod p1;
pub mod report;
pub mod store;
pub mod vfs;

pub use config::{Limits, RunOptions};
pub use error::SandboxError;
pub use report::{Outcome, RunResult};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use wasmtime::Store;

use clock::VirtualClock;
use engine::Pre;
use limits::Watchdog;
use store::StoreData;

/// A compiled, import-checked program, ready to run any number of times.
pub struct Program {
    /// The binary (text input is converted once, here).
    wasm: Vec<u8>,
    plain: Pre,
    /// Compiled for the fuel-metering engine on the first run with a fuel limit.
    fuel: OnceLock<Result<Pre, SandboxError>>,
}

impl Program {
    /// Compiles `wasm`: a `wasi:cli/command` component or a core module importing
    /// `wasi_snapshot_preview1` and exporting `_start`, as a binary or in the text format. The
    /// program keeps the binary, to compile it for the fuel-metering engine if a run asks for
    /// fuel.
    pub fn new(wasm: impl Into<Vec<u8>>) -> Result<Self, SandboxError> {
        let wasm = engine::to_binary(wasm.into())?;
        let plain = engine::compile(&wasm, false)?;
        Ok(Self {
            wasm,
            plain,
            fuel: OnceLock::new(),
        })
    }

    fn pre(&self, fuel: bool) -> Result<&Pre, SandboxError> {
        if !fuel {
            return Ok(&self.plain);
        }
        self.fuel
            .get_or_init(|| engine::compile(&self.wasm, true))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Runs the program once with `options`. What the guest does is reported in the result;
    /// only invalid options are an error.
    pub fn run(&self, options: &RunOptions) -> Result<RunResult, SandboxError> {
        self.run_cancellable(options, Arc::default())
    }

    /// Like [`Program::run`]; setting `cancel` ends the run with [`Outcome::Cancelled`] within
    /// an epoch tick. A run whose `cancel` is already set does not start.
    pub fn run_cancellable(
        &self,
        options: &RunOptions,
        cancel: Arc<AtomicBool>,
    ) -> Result<RunResult, SandboxError> {
        options.validate()?;
        let vfs = options.vfs()?;
        if cancel.load(Ordering::Relaxed) {
            return Ok(RunResult {
                outcome: Outcome::Cancelled,
                stdout: Vec::new(),
                stderr: Vec::new(),
                virtual_time_ns: 0,
                fuel_consumed: options.limits.fuel.map(|_| 0),
                files: Vec::new(),
            });
        }
        let limits = &options.limits;
        let pre = self.pre(limits.fuel.is_some())?;
        let clock = VirtualClock::new(limits.virtual_time_ns);
        let watchdog = Watchdog::new(limits.timeout_ms, cancel);
        let data = StoreData::new(options, vfs, clock.clone(), watchdog);
        let mut store = Store::new(pre.engine(), data);
        store.limiter(|data| &mut data.memory);
        store.epoch_deadline_callback(|ctx| ctx.data().watchdog.check());
        store.set_epoch_deadline(1);
        if let Some(fuel) = limits.fuel {
            store
                .set_fuel(fuel)
                .map_err(|e| SandboxError::Internal(e.to_string()))?;
        }
        let ended = executor::block_on(&clock, call(pre, &mut store));
        let outcome = report::classify(ended);
        let fuel_consumed = limits.fuel.map(|fuel| fuel - store.get_fuel().unwrap_or(0));
        let captured = store.data().cli.output.take();
        Ok(RunResult {
            outcome,
            stdout: captured.stdout,
            stderr: captured.stderr,
            virtual_time_ns: clock.elapsed(),
            fuel_consumed,
            files: store.data().vfs.export(),
        })
    }
}

/// Instantiates the program and calls its entry point: `wasi:cli/run.run` of a component,
/// `_start` of a module (which ends with `Ok` when it returns, as a native `main` returning 0).
async fn call(pre: &Pre, store: &mut Store<StoreData>) -> wasmtime::Result<Result<(), ()>> {
    match pre {
        Pre::Command(pre) => {
            let command = pre.instantiate_async(&mut *store).await?;
            command.wasi_cli_run().call_run(&mut *store).await
        }
        Pre::Module(pre) => {
            let instance = pre.instantiate_async(&mut *store).await?;
            let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
            start.call_async(&mut *store, ()).await?;
            Ok(Ok(()))
        }
    }
}

/// Compiles and runs `wasm` once.
pub fn run(wasm: &[u8], options: &RunOptions) -> Result<RunResult, SandboxError> {
    Program::new(wasm)?.run(options)
}
