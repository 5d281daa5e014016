//! The napi-free engine: compile a `wasi:cli/command` component once, run it many times, each run
//! in a fresh store on its own virtual clock.
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
pub mod report;
pub mod store;
pub mod vfs;

pub use config::{Limits, RunOptions};
pub use error::SandboxError;
pub use report::{Outcome, RunResult};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use wasmtime::Store;

use bindings::CommandPre;
use clock::VirtualClock;
use limits::Watchdog;
use store::StoreData;

/// A compiled, import-checked program, ready to run any number of times.
pub struct Program {
    wasm: Vec<u8>,
    plain: CommandPre<StoreData>,
    /// Compiled for the fuel-metering engine on the first run with a fuel limit.
    fuel: OnceLock<Result<CommandPre<StoreData>, SandboxError>>,
}

impl Program {
    /// Compiles `wasm`, a `wasi:cli/command` component. The program keeps the bytes, to compile
    /// them for the fuel-metering engine if a run asks for fuel.
    pub fn new(wasm: impl Into<Vec<u8>>) -> Result<Self, SandboxError> {
        let wasm = wasm.into();
        let plain = engine::compile(&wasm, false)?;
        Ok(Self {
            wasm,
            plain,
            fuel: OnceLock::new(),
        })
    }

    fn pre(&self, fuel: bool) -> Result<&CommandPre<StoreData>, SandboxError> {
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
        let vfs = options.filesystem()?;
        if cancel.load(Ordering::Relaxed) {
            return Ok(RunResult {
                outcome: Outcome::Cancelled,
                stdout: Vec::new(),
                stderr: Vec::new(),
                virtual_time_ns: 0,
                fuel_consumed: options.limits.fuel.map(|_| 0),
                files: vfs.export(),
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
        let ended = executor::block_on(&clock, async {
            let command = pre.instantiate_async(&mut store).await?;
            command.wasi_cli_run().call_run(&mut store).await
        });
        let outcome = report::classify(ended);
        let fuel_consumed = limits.fuel.map(|fuel| fuel - store.get_fuel().unwrap_or(0));
        let captured = store.data().cli.output.take();
        Ok(RunResult {
            outcome,
            stdout: captured.stdout,
            stderr: captured.stderr,
            virtual_time_ns: clock.elapsed(),
            fuel_consumed,
            files: store.data().fs.export(),
        })
    }
}

/// Compiles and runs `wasm` once.
pub fn run(wasm: &[u8], options: &RunOptions) -> Result<RunResult, SandboxError> {
    Program::new(wasm)?.run(options)
}
