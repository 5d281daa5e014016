//! The napi-free engine: compile a `wasi:cli/command` component or a preview1 core module once,
//! run it many times, each run in a fresh store on its own virtual clock and filesystem.
//!
//! Data flows one way: [`RunOptions`] -> [`Program::run`] (store, executor, guest) ->
//! [`report::classify`] -> [`RunResult`].

pub mod bindings;
pub mod cache;
pub mod clock;
pub mod compiler;
pub mod config;
pub mod cpu;
pub mod disk_cache;
pub mod ending;
pub mod engine;
pub mod error;
pub mod executor;
pub mod heap;
pub mod host;
pub mod limits;
pub mod mount;
pub mod p1;
pub mod report;
pub mod store;
pub mod sync;
pub mod vfs;
pub mod wasi;

pub use config::{Limits, RunOptions};
pub use error::SandboxError;
pub use mount::Mount;
pub use report::{Outcome, RunResult};

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use wasmtime::{PoolConcurrencyLimitError, Store};

use clock::VirtualClock;
use ending::LimitExceeded;
use engine::{Code, Codegen, Flavor, Linked, Pre};
use limits::{Budget, Watchdog};
use store::StoreData;
use vfs::Vfs;

/// A compiled, import-checked program, ready to run any number of times.
pub struct Program {
    /// The bytes as given (a binary, or text the compiler converts), shared with the program
    /// cache's key.
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
        Self::shared(wasm.into().into(), cache_dir, &Budget::default())
    }

    /// Like [`Program::with_cache`], keeping `wasm` itself rather than a copy (the program cache
    /// shares it with its key), and compiling within `budget`.
    pub(crate) fn shared(
        wasm: Arc<[u8]>,
        cache_dir: Option<PathBuf>,
        budget: &Budget,
    ) -> Result<Self, SandboxError> {
        if let Some(dir) = &cache_dir {
            disk_cache::check_dir(dir).map_err(SandboxError::InvalidOptions)?;
        }
        let has_pool = engine::shared(Flavor::Pooled)?.is_some();
        // The pooled and on-demand engines load the same code. Code the pool cannot hold fails
        // to load there (found without compiling again), and loads on the on-demand engine. A
        // program that is not a command the host can link fails the same on every engine.
        let (pooled, on_demand) = with_code(
            &wasm,
            Codegen::Plain,
            cache_dir.as_deref(),
            budget,
            |code| {
                let pooled = match has_pool {
                    // SAFETY: `code` is the compiler's, for plain code.
                    true => match unsafe { engine::load(code, Flavor::Pooled) } {
                        Ok(pre) => Some(pre),
                        Err(engine::Failure::Code(_)) => None,
                        Err(failure) => return Err(failure),
                    },
                    false => None,
                };
                let on_demand = OnceLock::new();
                if pooled.is_none() {
                    // SAFETY: as above.
                    let pre = unsafe { engine::load(code, Flavor::OnDemand) }?;
                    let _ = on_demand.set(Ok(pre));
                }
                Ok((pooled, on_demand))
            },
        )?;
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

    /// The program loaded for `flavor`'s engine, compiled within `budget` on first use. A
    /// compilation that the budget stopped is not kept: a later run with its own budget tries
    /// again.
    fn compiled(&self, flavor: Flavor, budget: &Budget) -> Result<&Pre, SandboxError> {
        let slot = match flavor {
            Flavor::Pooled => return self.pooled.as_ref().ok_or_else(unreachable_pool),
            Flavor::OnDemand => &self.on_demand,
            Flavor::Fuel => &self.fuel,
        };
        if let Some(done) = slot.get() {
            return done.as_ref().map_err(Clone::clone);
        }
        let loaded = with_code(
            &self.wasm,
            flavor.codegen(),
            self.cache_dir.as_deref(),
            budget,
            // SAFETY: `code` is the compiler's, for this flavor's codegen.
            |code| unsafe { engine::load(code, flavor) },
        );
        if let Err(SandboxError::Stopped(spent)) = loaded {
            return Err(SandboxError::Stopped(spent));
        }
        // Another thread may have loaded it meanwhile; its result is as good.
        slot.get_or_init(|| loaded).as_ref().map_err(Clone::clone)
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
        self.run_within(options, &Budget::new(options.limits.timeout_ms, cancel))
    }

    /// Like [`Program::run`], spending `budget` (which may have begun before, when the call
    /// compiled first): the run ends with [`Outcome::Timeout`] or [`Outcome::Cancelled`] when
    /// it is spent, and does not start if it is spent already.
    pub fn run_within(
        &self,
        options: &RunOptions,
        budget: &Budget,
    ) -> Result<RunResult, SandboxError> {
        options.validate()?;
        if let Some(spent) = budget.spent() {
            return stopped(options, spent);
        }
        let vfs = options.filesystem()?;
        let flavor = match (options.limits.fuel, &self.pooled) {
            (Some(_), _) => Flavor::Fuel,
            (None, Some(_)) => Flavor::Pooled,
            (None, None) => Flavor::OnDemand,
        };
        let pre = match self.compiled(flavor, budget) {
            Err(SandboxError::Stopped(spent)) => return stopped(options, spent),
            other => other?,
        };
        match attempt(pre, options, vfs, budget)? {
            Attempt::Done(result) => Ok(result),
            // Nothing of the failed attempt is kept: the retry starts from scratch, with the
            // filesystem seeded again, so the result is the same as if the pool had had room.
            Attempt::PoolFull => {
                let pre = match self.compiled(Flavor::OnDemand, budget) {
                    Err(SandboxError::Stopped(spent)) => return stopped(options, spent),
                    other => other?,
                };
                match attempt(pre, options, options.filesystem()?, budget)? {
                    Attempt::Done(result) => Ok(result),
                    Attempt::PoolFull => Err(unreachable_pool()),
                }
            }
        }
    }
}

/// What `load` makes of the code of `codegen` for `wasm`: from the disk cache in `cache_dir`
/// if it holds a valid entry (mapped, not read), otherwise compiled within `budget` (and stored
/// there, then loaded from there, so that the process keeps the mapped file rather than a copy
/// of it). An entry that wasmtime refuses is compiled again and replaced.
fn with_code<T>(
    wasm: &[u8],
    codegen: Codegen,
    cache_dir: Option<&Path>,
    budget: &Budget,
    load: impl Fn(&Code) -> Result<T, engine::Failure>,
) -> Result<T, SandboxError> {
    let Some(dir) = cache_dir else {
        let code = compiler::compile(codegen, wasm, budget)?;
        return Ok(load(&Code::Compiled(code))?);
    };
    // Cache files are named with the settings of an engine that runs the code (the same as the
    // compiler's), which a run builds anyway: building a compiler engine only for its name
    // cost a warm start 5 ms.
    let name = disk_cache::entry_name(engine::running(codegen)?, codegen.tag(), wasm);
    // `None` when there is no valid entry.
    let from_disk = || {
        let entry = disk_cache::find_code(&name, dir)?;
        match load(&Code::Cached(entry)) {
            Err(engine::Failure::Stale) => None,
            done => Some(done.map_err(SandboxError::from)),
        }
    };
    if let Some(done) = from_disk() {
        return done;
    }
    let code = compiler::compile(codegen, wasm, budget)?;
    if !disk_cache::store_code(&name, dir, &code) {
        return Ok(load(&Code::Compiled(code))?);
    }
    // Loaded from the file just written, so that the process keeps one mapped copy of the code.
    drop(code);
    if let Some(done) = from_disk() {
        return done;
    }
    // The entry was replaced or damaged as soon as it was written: compiled again, in memory.
    let code = compiler::compile(codegen, wasm, budget)?;
    Ok(load(&Code::Compiled(code))?)
}

/// Compiles (or finds in the program cache) and runs `wasm` within one budget of
/// `options.limits.timeout_ms` from now, cancelled by `cancel`: a compilation that outlives the
/// budget ends the call with the outcome `Timeout` (or `Cancelled`), no output and the seeded
/// files, as a run that had not begun yet.
pub fn run_bytes(
    wasm: Arc<[u8]>,
    cache_dir: Option<PathBuf>,
    options: &RunOptions,
    cancel: Arc<AtomicBool>,
) -> Result<RunResult, SandboxError> {
    let budget = Budget::new(options.limits.timeout_ms, cancel);
    match cache::program(wasm, cache_dir, &budget) {
        Ok(program) => program.run_within(options, &budget),
        Err(SandboxError::Stopped(spent)) => stopped(options, spent),
        Err(e) => Err(e),
    }
}

/// The result of a run cancelled before it started: no output, no time, the seeded files.
/// Invalid options are still an error.
pub fn cancelled(options: &RunOptions) -> Result<RunResult, SandboxError> {
    stopped(options, LimitExceeded::Cancelled)
}

/// The result of a call whose budget was spent (`spent`) before its guest started.
fn stopped(options: &RunOptions, spent: LimitExceeded) -> Result<RunResult, SandboxError> {
    options.validate()?;
    Ok(RunResult {
        outcome: report::limit_outcome(spent),
        stdout: Vec::new(),
        stderr: Vec::new(),
        virtual_time_ns: 0,
        fuel_consumed: options.limits.fuel.map(|_| 0),
        files: options.filesystem()?.export(),
        events: options.events.then(Vec::new),
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
    budget: &Budget,
) -> Result<Attempt, SandboxError> {
    let limits = &options.limits;
    let clock = VirtualClock::new(limits.virtual_time_ns);
    let watchdog = Watchdog::new(budget.clone());
    let preview1 = matches!(pre.linked, Linked::Module(_));
    let data = StoreData::new(options, vfs, clock.clone(), watchdog, preview1);
    let mut store = Store::new(pre.engine(), data);
    store.limiter(|data| &mut data.memory);
    store.epoch_deadline_callback(|ctx| ctx.data().watchdog.check());
    store.set_epoch_deadline(1);
    if let Some(fuel) = limits.fuel {
        store
            .set_fuel(fuel)
            .map_err(|e| SandboxError::Internal(e.to_string()))?;
    }
    let stdin = store.data().cli.stdin.clone();
    let ended = executor::block_on(&clock, &stdin, budget, call(pre, &mut store));
    if let Ok(Err(error)) = &ended
        && error.is::<PoolConcurrencyLimitError>()
    {
        return Ok(Attempt::PoolFull);
    }
    let outcome = match report::classify(ended) {
        // A growth of the GC heap past `memoryBytes` ends in a trap (see `MemoryLimiter`).
        Outcome::Trapped { .. } if store.data().memory.exceeded() => Outcome::MemoryExceeded,
        outcome => outcome,
    };
    let fuel_consumed = limits.fuel.map(|fuel| fuel - store.get_fuel().unwrap_or(0));
    let captured = store.data().cli.output.take();
    Ok(Attempt::Done(RunResult {
        outcome,
        stdout: captured.stdout,
        stderr: captured.stderr,
        virtual_time_ns: clock.elapsed(),
        fuel_consumed,
        files: store.data().fs.export(),
        events: captured.events,
    }))
}

/// Instantiates the program and calls its entry point: `wasi:cli/run.run` of a component,
/// `_start` of a module (which ends with `Ok` when it returns, as a native `main` returning 0).
async fn call(pre: &Pre, store: &mut Store<StoreData>) -> wasmtime::Result<Result<(), ()>> {
    match &pre.linked {
        Linked::Command(pre) => {
            let command = pre.instantiate_async(&mut *store).await?;
            command.wasi_cli_run().call_run(&mut *store).await
        }
        Linked::Module(pre) => {
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
