//! The napi-free engine: compile a `wasi:cli/command` component or a preview1 core module once,
//! run it many times, each run in a fresh store on its own virtual clock and filesystem.
//!
//! Data flows one way: [`RunOptions`] -> [`Program::run`] (store, executor, guest) ->
//! [`report::classify`] -> [`RunResult`].

pub mod bindings;
pub mod cache;
pub mod clock;
pub mod config;
pub mod cpu;
pub mod disk_cache;
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

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use wasmtime::{PoolConcurrencyLimitError, Store};

use clock::VirtualClock;
use engine::{Flavor, Pre};
use limits::Watchdog;
use store::StoreData;
use vfs::Vfs;

/// A compiled, import-checked program, ready to run any number of times.
pub struct Program {
    /// The binary (text input is converted once, here), shared with the program cache's key.
    wasm: Arc<[u8]>,
    /// Where compiled code is cached on disk, if anywhere.
    cache_dir: Option<PathBuf>,
    /// Compiled for the pooling engine; `None` when the pool is unavailable or the program does
    /// not fit its limits.
    pooled: Option<Pre>,
    /// Compiled for the on-demand engine: at once when `pooled` is `None`, otherwise on the
    /// first run that finds the pool full.
    on_demand: OnceLock<Result<Pre, SandboxError>>,
    /// Compiled for the fuel-metering engine on the first run with a fuel limit.
    fuel: OnceLock<Result<Pre, SandboxError>>,
}

/// How one attempt at a run ended: a result, or a pool with no free slot.
enum Attempt {
    Done(RunResult),
    PoolFull,
}

impl Program {
    /// Compiles `wasm`: a `wasi:cli/command` component or a core module importing
    /// `wasi_snapshot_preview1` and exporting `_start`, as a binary or in the text format. The
    /// program keeps the binary, to compile it for another engine if a run needs it (fuel, or a
    /// full pool).
    pub fn new(wasm: impl Into<Vec<u8>>) -> Result<Self, SandboxError> {
        Self::with_cache(wasm, None)
    }

    /// Like [`Program::new`], loading compiled code from the disk cache in `cache_dir` when it
    /// holds a valid entry for these bytes, and storing it there otherwise.
    pub fn with_cache(
        wasm: impl Into<Vec<u8>>,
        cache_dir: Option<PathBuf>,
    ) -> Result<Self, SandboxError> {
        Self::shared(wasm.into().into(), cache_dir)
    }

    /// Like [`Program::with_cache`], keeping `wasm` itself rather than a copy when it is a
    /// binary (the program cache shares it with its key).
    pub(crate) fn shared(
        wasm: Arc<[u8]>,
        cache_dir: Option<PathBuf>,
    ) -> Result<Self, SandboxError> {
        if let Some(dir) = &cache_dir {
            disk_cache::check_dir(dir).map_err(SandboxError::InvalidOptions)?;
        }
        let wasm = engine::to_binary(wasm)?;
        let cache = cache_dir.as_deref();
        let pooled = match engine::shared(Flavor::Pooled)? {
            // Code the pool cannot hold fails here (found only by compiling it); so do invalid
            // bytes, which then fail again below, with the on-demand engine's error. A program
            // that compiled but is not a command the host can link fails the same on every
            // engine, so it is not compiled again.
            Some(_) => match engine::compile(&wasm, Flavor::Pooled, cache) {
                Ok(pre) => Some(pre),
                Err(engine::Failure::Code(_)) => None,
                Err(engine::Failure::Program(e)) => return Err(e),
            },
            None => None,
        };
        let on_demand = OnceLock::new();
        if pooled.is_none() {
            let _ = on_demand.set(Ok(engine::compile(&wasm, Flavor::OnDemand, cache)?));
        }
        Ok(Self {
            wasm,
            cache_dir,
            pooled,
            on_demand,
            fuel: OnceLock::new(),
        })
    }

    /// The memory the program holds, in bytes: its wasm and the code compiled so far.
    pub fn size_bytes(&self) -> usize {
        let compiled = [self.on_demand.get(), self.fuel.get()]
            .into_iter()
            .flatten()
            .filter_map(|pre| pre.as_ref().ok())
            .chain(&self.pooled);
        self.wasm.len() + compiled.map(Pre::code_bytes).sum::<usize>()
    }

    fn compiled(&self, flavor: Flavor) -> Result<&Pre, SandboxError> {
        let slot = match flavor {
            Flavor::Pooled => return self.pooled.as_ref().ok_or_else(unreachable_pool),
            Flavor::OnDemand => &self.on_demand,
            Flavor::Fuel => &self.fuel,
        };
        slot.get_or_init(|| {
            engine::compile(&self.wasm, flavor, self.cache_dir.as_deref()).map_err(Into::into)
        })
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
        if cancel.load(Ordering::Relaxed) {
            return cancelled(options);
        }
        options.validate()?;
        let vfs = options.filesystem()?;
        let flavor = match (options.limits.fuel, &self.pooled) {
            (Some(_), _) => Flavor::Fuel,
            (None, Some(_)) => Flavor::Pooled,
            (None, None) => Flavor::OnDemand,
        };
        match attempt(self.compiled(flavor)?, options, vfs, &cancel)? {
            Attempt::Done(result) => Ok(result),
            // Nothing of the failed attempt is kept: the retry starts from scratch, with the
            // filesystem seeded again, so the result is the same as if the pool had had room.
            Attempt::PoolFull => {
                let pre = self.compiled(Flavor::OnDemand)?;
                match attempt(pre, options, options.filesystem()?, &cancel)? {
                    Attempt::Done(result) => Ok(result),
                    Attempt::PoolFull => Err(unreachable_pool()),
                }
            }
        }
    }
}

/// The result of a run cancelled before it started: no output, no time, the seeded files.
/// Invalid options are still an error.
pub fn cancelled(options: &RunOptions) -> Result<RunResult, SandboxError> {
    options.validate()?;
    Ok(RunResult {
        outcome: Outcome::Cancelled,
        stdout: Vec::new(),
        stderr: Vec::new(),
        virtual_time_ns: 0,
        fuel_consumed: options.limits.fuel.map(|_| 0),
        files: options.filesystem()?.export(),
    })
}

fn unreachable_pool() -> SandboxError {
    SandboxError::Internal("no pooled engine for this program".to_owned())
}

/// Runs `pre` once in a fresh store, on the filesystem `vfs`.
fn attempt(
    pre: &Pre,
    options: &RunOptions,
    vfs: Vfs,
    cancel: &Arc<AtomicBool>,
) -> Result<Attempt, SandboxError> {
    let limits = &options.limits;
    let clock = VirtualClock::new(limits.virtual_time_ns);
    let watchdog = Watchdog::new(limits.timeout_ms, Arc::clone(cancel));
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
    if let Ok(Err(error)) = &ended
        && error.is::<PoolConcurrencyLimitError>()
    {
        return Ok(Attempt::PoolFull);
    }
    let outcome = report::classify(ended);
    let fuel_consumed = limits.fuel.map(|fuel| fuel - store.get_fuel().unwrap_or(0));
    let captured = store.data().cli.output.take();
    Ok(Attempt::Done(RunResult {
        outcome,
        stdout: captured.stdout,
        stderr: captured.stderr,
        virtual_time_ns: clock.elapsed(),
        fuel_consumed,
        files: store.data().fs.export(),
    }))
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
