//! Async runs on the libuv thread pool, behind `runWasiAsync` and `Program#runAsync`, and the
//! `AbortSignal` that cancels them.
//!
//! Arguments are converted on the JS thread when the call is made (the caller may change its
//! objects right after), the program is compiled and run on a pool thread, and the result is
//! converted back on the JS thread. Every error, bad arguments included, rejects the promise
//! with the coded error the synchronous API throws; an async call never throws.
//!
//! The promise is our own deferred rather than the task's, so that an abort can settle it
//! before the task runs: a run still queued behind busy pool threads resolves as `cancelled` at
//! once (its task then finds the flag set and does nothing), and a running guest is stopped at
//! its next epoch tick, resolving as `cancelled` with the output written so far. napi-rs's own
//! `AbortSignal` support is not used: it rejects queued runs with an `AbortError`, leaves them
//! waiting for a free thread, and overwrites the signal's `onabort` (see [`abort`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Object, ToNapiValue, Unknown};
use napi::{Env, JsDeferred, JsValue as _, ScopedTask, sys};

use super::abort::{self, AbortListener};
use super::error::{ErrorCode, JsError, JsResult};
use super::job::{Job, Source};
use super::sides::Sides;
use super::{glue, result};
use crate::sandbox::sync::lock;
use crate::sandbox::{self, RunOptions};

/// Starts an async run of `job` (or rejects with its error), cancelled by `signal` (any nullish
/// value for none), and returns its promise.
pub fn spawn<'env>(
    env: &'env Env,
    job: JsResult<Job>,
    signal: Option<Unknown<'_>>,
) -> napi::Result<Object<'env>> {
    let (deferred, promise) = promise(env)?;
    let Some(deferred) = deferred else {
        return Ok(promise);
    };
    let Job {
        source,
        options,
        live,
        input,
        cancel,
    } = match job {
        Ok(job) => job,
        Err(error) => {
            reject(env, deferred, error);
            return Ok(promise);
        }
    };
    let run = Arc::new(Run {
        options: Arc::new(options),
        cancel,
        sides: Sides { live, input },
        state: Mutex::new(State::Queued(deferred)),
    });
    glue::track(env, &run.cancel)?;
    let for_listener = Arc::clone(&run);
    let listener = abort::listen(env, signal, &run.cancel, move |env| for_listener.abort(env));
    match listener {
        Err(error) => match take_exception(env) {
            // The signal's own getters threw: that exception is the rejection.
            Some(thrown) => run.reject_with(env, thrown),
            None => run.settle(env, Err(error)),
        },
        Ok(listener) if run.cancel.load(Ordering::Relaxed) => {
            // Aborted already, or during `addEventListener`.
            if let Some(listener) = listener {
                listener.remove(env);
            }
            run.settle(env, run.cancelled());
        }
        Ok(listener) => {
            let task = RunTask {
                source: Some(source),
                run: Arc::clone(&run),
                listener,
            };
            if let Err(error) = env.spawn(task) {
                // The task (and its listener) is dropped; its listener stays on the signal
                // until the signal is collected, and only sets a flag nobody reads.
                run.settle(env, Err(JsError::new(ErrorCode::Internal, error.reason)));
            }
        }
    }
    Ok(promise)
}

/// The promise of an async call, and its resolver: none when a getter of the caller's objects
/// threw while the call's arguments were read. That exception, still pending, is taken (first:
/// no napi call works while it is pending) and rejects the promise, rather than escaping from
/// the call.
pub(super) fn promise<'env, Data, Resolver>(
    env: &'env Env,
) -> napi::Result<(Option<JsDeferred<Data, Resolver>>, Object<'env>)>
where
    Data: ToNapiValue,
    Resolver: FnOnce(Env) -> napi::Result<Data>,
{
    let thrown = take_exception(env);
    let (deferred, promise) = env.create_deferred()?;
    let promise = glue::unboxing(env, &promise)?;
    Ok(match thrown {
        Some(thrown) => {
            deferred.reject(glue::rejection(env, &thrown));
            (None, promise)
        }
        None => (Some(deferred), promise),
    })
}

/// The pending JS exception, cleared, if there is one.
pub(super) fn take_exception(env: &Env) -> Option<Unknown<'_>> {
    let mut pending = false;
    // SAFETY: `env` is the live environment of the current call, on its thread.
    unsafe { sys::napi_is_exception_pending(env.raw(), &mut pending) };
    if !pending {
        return None;
    }
    let mut value = std::ptr::null_mut();
    // SAFETY: as above; an exception is pending, so this returns it and clears it.
    let status = unsafe { sys::napi_get_and_clear_last_exception(env.raw(), &mut value) };
    // SAFETY: on success `value` is a live JS value of this call.
    (status == sys::Status::napi_ok)
        .then(|| unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
}

/// The resolved value: an engine result, converted to JS on the JS thread.
struct Settled(sandbox::RunResult);

impl ToNapiValue for Settled {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(env);
        Ok(result::to_js(&env, value.0)?.raw())
    }
}

type Resolver = Box<dyn FnOnce(Env) -> napi::Result<Settled> + Send>;

/// What the task, the abort listener and the call share: whichever settles first wins.
struct Run {
    /// The run's options (also for the result of a run cancelled before it started).
    options: Arc<RunOptions>,
    /// Set on abort (and when `onOutput` or `stdin` throws); the guest's watchdog checks it.
    cancel: Arc<AtomicBool>,
    /// Its live output and interactive input.
    sides: Sides,
    /// Where the run is, with the promise's resolver until it is settled.
    state: Mutex<State>,
}

type Deferred = JsDeferred<Settled, Resolver>;

/// The life of an async run.
enum State {
    /// Waiting for a pool thread: an abort settles it at once.
    Queued(Deferred),
    /// On a pool thread: an abort stops the guest, and the task settles it.
    Running(Deferred),
    /// Resolved or rejected.
    Settled,
}

impl State {
    /// The resolver, leaving the run settled; `None` if it already was.
    fn settle(&mut self) -> Option<Deferred> {
        match std::mem::replace(self, Self::Settled) {
            Self::Queued(deferred) | Self::Running(deferred) => Some(deferred),
            Self::Settled => None,
        }
    }
}

/// Resolves `deferred` with `result`, or rejects it with its error (on the JS thread). Its
/// `sides` are finished first: if `onOutput` or `stdin` threw, the promise rejects with that,
/// the result attached.
fn finish(env: &Env, deferred: Deferred, result: JsResult<sandbox::RunResult>, sides: Sides) {
    match result {
        Ok(result) => deferred.resolve(Box::new(move |env| {
            let Some(thrown) = sides.finish(&env) else {
                return Ok(Settled(result));
            };
            let result = result::to_js(&env, result)?;
            Err(glue::rejection(
                &env,
                &glue::failed(&env, &thrown, &result)?,
            ))
        })),
        Err(error) => {
            let _ = sides.finish(env);
            reject(env, deferred, error)
        }
    }
}

/// Rejects `deferred` with `error` as a JS error carrying its `code` (on the JS thread).
fn reject(env: &Env, deferred: Deferred, error: JsError) {
    let value = napi::JsError::from(error).into_unknown(Env::from_raw(env.raw()));
    deferred.reject(napi::Error::from(value));
}

impl Run {
    /// Settles the promise unless it already is. Called on the JS thread only, so an error can
    /// be made into a JS error object with its `code`.
    fn settle(&self, env: &Env, result: JsResult<sandbox::RunResult>) {
        let deferred = lock(&self.state).settle();
        if let Some(deferred) = deferred {
            finish(env, deferred, result, self.sides.clone());
        }
    }

    /// The result of a run cancelled before it started.
    fn cancelled(&self) -> JsResult<sandbox::RunResult> {
        Ok(sandbox::cancelled(&self.options)?)
    }

    /// Rejects with a JS value thrown by the caller's own code, unless already settled.
    fn reject_with(&self, env: &Env, thrown: Unknown<'_>) {
        if let Some(deferred) = lock(&self.state).settle() {
            deferred.reject(glue::rejection(env, &thrown));
        }
    }

    /// On abort (the cancel flag is set): settle now if the run has not started.
    fn abort(&self, env: &Env) {
        // Settled under the same lock `start` takes, so a run is either aborted while queued
        // or started (and then stopped by the flag), never both.
        let queued = {
            let mut state = lock(&self.state);
            match *state {
                State::Queued(_) => state.settle(),
                State::Running(_) | State::Settled => None,
            }
        };
        if let Some(deferred) = queued {
            finish(env, deferred, self.cancelled(), self.sides.clone());
        }
    }

    /// Moves the run from the queue to its thread, unless it was settled (aborted) first.
    fn start(&self) -> bool {
        let mut state = lock(&self.state);
        match std::mem::replace(&mut *state, State::Settled) {
            State::Queued(deferred) => {
                *state = State::Running(deferred);
                true
            }
            other => {
                *state = other;
                false
            }
        }
    }
}

/// One async run on the pool.
struct RunTask {
    source: Option<Source>,
    run: Arc<Run>,
    listener: Option<AbortListener>,
}

impl<'task> ScopedTask<'task> for RunTask {
    type Output = Option<JsResult<sandbox::RunResult>>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let Some(source) = self.source.take() else {
            return Ok(None);
        };
        if !self.run.start() {
            return Ok(None);
        }
        let run = &self.run;
        // napi-rs calls `compute` from a C callback without catching panics, and a panic that
        // unwinds into C aborts the process; the sync API catches them too (`catch_unwind`).
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            source.execute(&run.options, Arc::clone(&run.cancel))
        }));
        Ok(Some(match outcome {
            Ok(result) => result.map_err(Into::into),
            Err(_) => Err(JsError::new(
                ErrorCode::Internal,
                "the engine panicked during the run".to_owned(),
            )),
        }))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<()> {
        if let Some(result) = output {
            self.run.settle(env, result);
        }
        Ok(())
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        if let Some(listener) = self.listener {
            listener.remove(&env);
        }
        Ok(())
    }
}
