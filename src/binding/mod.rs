//! The Node.js API: the only module that imports napi. Each function converts JS values into
//! engine types ([`options`]), calls the engine, and converts the result back ([`result`]);
//! engine errors become JS errors with stable codes in one place ([`error`]).

mod abort;
pub mod compile;
pub mod compiler;
pub mod error;
pub mod files;
mod glue;
pub mod input;
pub mod job;
pub mod js;
pub mod limits;
pub mod live;
pub mod mount;
mod names;
pub mod options;
pub mod result;
mod sides;
pub mod task;
pub mod wasm;

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::{Object, Unknown};
use napi_derive::napi;

use crate::sandbox;
use error::JsResult;
use job::{Job, Source};
use options::Call;

/// Runs a WASI program (a `wasi:cli/command` component, or a preview1 module exporting
/// `_start`; binary or text) to completion, synchronously, in a sealed sandbox with a virtual
/// clock, and returns how it ended with everything it wrote.
///
/// Compiled code is cached by content (the 16 most recently used programs), so running the same
/// bytes again skips compilation. What the guest does (exit, trap, deadlock, a limit) is reported
/// in the result and never thrown. Throws an `Error` with `code` `ERR_INVALID_WASM` when `wasm` is not a runnable program,
/// `ERR_INVALID_OPTIONS` when `options` are malformed, and `ERR_COMPILE_LIMIT` when it is
/// beyond what a program may cost.
#[napi(
    catch_unwind,
    ts_args_type = "wasm: Uint8Array | string, options?: Omit<RunOptions, 'onOutput'> | null",
    ts_return_type = "RunResult"
)]
pub fn run_wasi<'env>(
    env: &'env Env,
    wasm: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Unknown<'env>> {
    let result = error::throw(env, run_wasi_inner(&wasm, options))?;
    result::to_js(env, result)
}

fn run_wasi_inner(
    wasm: &Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> JsResult<sandbox::RunResult> {
    let job = bytes_job(wasm, options, Call::Sync)?;
    Ok(job.source.execute(&job.options, job.cancel)?)
}

/// What `runWasi` and `runWasiAsync` do on the JS thread before they run: the bytes and options
/// converted, compiler processes set up.
fn bytes_job(wasm: &Unknown<'_>, options: Option<Unknown<'_>>, call: Call) -> JsResult<Job> {
    let wasm = wasm::wasm_bytes(wasm)?;
    let read = options::run_options(options, call)?;
    compiler::use_processes()?;
    let cache_dir = options::or_default_cache_dir(read.cache_dir.clone());
    Ok(Job::new(Source::Bytes(wasm, cache_dir), read))
}

/// Like `runWasi`, but compiles and runs on the libuv thread pool, leaving the event loop free,
/// and resolves to the same result. Aborting `signal` ends the run with the outcome
/// `'cancelled'` and the output written so far, whether it was still queued or already running.
/// Never throws: bad arguments reject the promise with the error `runWasi` would throw.
#[napi(
    catch_unwind,
    ts_args_type = "wasm: Uint8Array | string, options?: RunOptions | null, signal?: AbortSignal | null",
    ts_return_type = "Promise<RunResult>"
)]
pub fn run_wasi_async<'env>(
    env: &'env Env,
    wasm: Unknown<'_>,
    options: Option<Unknown<'_>>,
    signal: Option<Unknown<'_>>,
) -> napi::Result<Object<'env>> {
    task::spawn(env, bytes_job(&wasm, options, Call::Async), signal)
}

/// A compiled program: compile once, run many times. Each run is independent and gives the
/// same result as `runWasi` with the same bytes and options.
#[napi]
pub struct Program {
    inner: Arc<sandbox::Program>,
}

#[napi]
impl Program {
    /// Compiles `wasm` (a WASI program, as for `runWasi`), or takes its compiled code from the
    /// in-memory cache `runWasi` uses, or from the disk cache in `options.cacheDir`. Throws
    /// `ERR_INVALID_WASM` when it is not a runnable program, and `ERR_COMPILE_LIMIT` when it is
    /// beyond what a program may cost or takes longer than `options.timeoutMs` to compile.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "wasm: Uint8Array | string, options?: ProgramOptions | null"
    )]
    pub fn new(env: Env, wasm: Unknown<'_>, options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let compiled = Self::request(&wasm, options).and_then(|request| {
            let budget = sandbox::limits::Budget::new(request.timeout_ms, Arc::default());
            Ok(Self {
                inner: sandbox::cache::program(request.wasm, request.cache_dir, &budget)?,
            })
        });
        error::throw(&env, compiled)
    }

    /// Like `new Program`, but compiles on the libuv thread pool, leaving the event loop free,
    /// and resolves to the program. Never throws: bad arguments reject the promise with the
    /// error `new Program` would throw. `options.timeoutMs` bounds the compile; aborting
    /// `signal` rejects at once with Node's `AbortError` (code `ABORT_ERR`, the signal's reason
    /// as its `cause`), stopping a compile under way within milliseconds.
    #[napi(
        catch_unwind,
        ts_args_type = "wasm: Uint8Array | string, options?: ProgramOptions | null, signal?: AbortSignal | null",
        ts_return_type = "Promise<Program>"
    )]
    pub fn compile_async<'env>(
        env: &'env Env,
        wasm: Unknown<'_>,
        options: Option<Unknown<'_>>,
        signal: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'env>> {
        let request = Self::request(&wasm, options);
        compile::spawn(env, request, signal)
    }

    /// What `new Program` and `Program.compileAsync` do on the JS thread: the bytes and options
    /// converted, compiler processes set up.
    fn request(wasm: &Unknown<'_>, options: Option<Unknown<'_>>) -> JsResult<compile::Request> {
        let wasm = wasm::wasm_bytes(wasm)?;
        let (cache_dir, timeout_ms) = options::program_options(options)?;
        compiler::use_processes()?;
        Ok(compile::Request {
            wasm,
            cache_dir: options::or_default_cache_dir(cache_dir),
            timeout_ms,
        })
    }

    /// Runs the program once, synchronously; see `runWasi`.
    #[napi(
        catch_unwind,
        ts_args_type = "options?: Omit<RunOptions, 'onOutput'> | null",
        ts_return_type = "RunResult"
    )]
    pub fn run<'env>(
        &self,
        env: &'env Env,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let result = self
            .job(options, Call::Sync)
            .and_then(|job| Ok(job.source.execute(&job.options, job.cancel)?));
        result::to_js(env, error::throw(env, result)?)
    }

    /// Runs the program once on the libuv thread pool; see `runWasiAsync`.
    #[napi(
        catch_unwind,
        ts_args_type = "options?: RunOptions | null, signal?: AbortSignal | null",
        ts_return_type = "Promise<RunResult>"
    )]
    pub fn run_async<'env>(
        &self,
        env: &'env Env,
        options: Option<Unknown<'_>>,
        signal: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'env>> {
        task::spawn(env, self.job(options, Call::Async), signal)
    }

    /// What `run` and `runAsync` do on the JS thread before they run: the options converted.
    fn job(&self, options: Option<Unknown<'_>>, call: Call) -> JsResult<Job> {
        let read = options::run_options(options, call)?;
        Ok(Job::new(Source::Compiled(Arc::clone(&self.inner)), read))
    }
}
