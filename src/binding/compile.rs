//! `Program.compileAsync`: a program compiled (or taken from a cache) on the libuv thread pool,
//! so that the event loop does not wait for a compile that may take seconds (a minute for
//! CPython). Like the async runs, it never throws: bad arguments reject its promise.
//!
//! Its `AbortSignal` works as a run's does (see [`task`]): the promise is our own deferred, so
//! that an abort rejects a compile still waiting for a pool thread at once, and stops a compile
//! under way (its compiler process is killed), which then rejects. The rejection is Node's own
//! `AbortError` (code `ABORT_ERR`, the signal's reason as its `cause`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{Env, JsDeferred, ScopedTask, ValueType};

use super::abort::{self, AbortListener};
use super::error::{ErrorCode, JsError, JsResult};
use super::task::{self, take_exception};
use super::{Program, glue};
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::limits::Budget;
use crate::sandbox::sync::lock;
use crate::sandbox::{self, SandboxError};

/// What a compile needs, read on the JS thread.
pub struct Request {
    pub wasm: Arc<[u8]>,
    pub cache_dir: Option<PathBuf>,
    pub timeout_ms: Option<u64>,
}

/// Starts the compile of `request` (or rejects with its error), stopped by `signal` (any
/// nullish value for none), and returns its promise.
pub fn spawn<'env>(
    env: &'env Env,
    request: JsResult<Request>,
    signal: Option<Unknown<'_>>,
) -> napi::Result<Object<'env>> {
    let (deferred, promise) = task::promise(env)?;
    let Some(deferred) = deferred else {
        return Ok(promise);
    };
    let request = match request {
        Ok(request) => request,
        Err(error) => {
            deferred.reject(coded(env, error));
            return Ok(promise);
        }
    };
    let compile = Arc::new(Compile {
        cancel: Arc::default(),
        state: Mutex::new(State::Queued(deferred)),
        listener: Mutex::new(None),
    });
    glue::track(env, &compile.cancel)?;
    let on_abort = {
        let compile = Arc::clone(&compile);
        move |env: &Env| compile.abort(env)
    };
    match abort::listen(env, signal, &compile.cancel, on_abort) {
        Err(error) => match take_exception(env) {
            Some(thrown) => compile.reject_with(env, &thrown),
            None => compile.settle(env, Compiled::Refused(error)),
        },
        Ok(listener) => {
            *lock(&compile.listener) = listener;
            if compile.cancel.load(Ordering::Relaxed) {
                // Aborted already, or during `addEventListener`.
                compile.settle(env, Compiled::Aborted);
                compile.unlisten(env);
            } else if let Err(error) = env.spawn(CompileTask {
                request: Some(request),
                compile: Arc::clone(&compile),
            }) {
                compile.settle(
                    env,
                    Compiled::Refused(JsError::new(ErrorCode::Internal, error.reason)),
                );
                compile.unlisten(env);
            }
        }
    }
    Ok(promise)
}

type Resolver = Box<dyn FnOnce(Env) -> napi::Result<Program> + Send>;
type Deferred = JsDeferred<Program, Resolver>;

/// What the task, the abort listener and the call share: whichever settles first wins.
struct Compile {
    /// Set on abort; the compile's budget checks it.
    cancel: Arc<AtomicBool>,
    /// Where the compile is, with the promise's resolver until it is settled.
    state: Mutex<State>,
    /// The signal and its listener, removed when the compile ends.
    listener: Mutex<Option<AbortListener>>,
}

/// The life of an async compile.
enum State {
    /// Waiting for a pool thread: an abort settles it at once.
    Queued(Deferred),
    /// On a pool thread: an abort stops the compile, and the task settles it.
    Running(Deferred),
    /// Resolved or rejected.
    Settled,
}

/// How a compile ended.
enum Compiled {
    Program(Arc<sandbox::Program>),
    Refused(JsError),
    Aborted,
}

impl Compile {
    /// Settles the promise unless it already is (on the JS thread).
    fn settle(&self, env: &Env, compiled: Compiled) {
        let deferred = match std::mem::replace(&mut *lock(&self.state), State::Settled) {
            State::Queued(deferred) | State::Running(deferred) => deferred,
            State::Settled => return,
        };
        self.finish(env, deferred, compiled);
    }

    /// Resolves `deferred` with the program, or rejects it with the error.
    fn finish(&self, env: &Env, deferred: Deferred, compiled: Compiled) {
        match compiled {
            Compiled::Program(inner) => deferred.resolve(Box::new(move |_| Ok(Program { inner }))),
            Compiled::Refused(error) => deferred.reject(coded(env, error)),
            Compiled::Aborted => deferred.reject(match self.aborted(env) {
                Ok(error) => napi::Error::from(error),
                Err(error) => error,
            }),
        }
    }

    /// Rejects with a JS value thrown by the caller's own code, unless already settled.
    fn reject_with(&self, env: &Env, thrown: &Unknown<'_>) {
        if let State::Queued(deferred) | State::Running(deferred) =
            std::mem::replace(&mut *lock(&self.state), State::Settled)
        {
            deferred.reject(glue::rejection(env, thrown));
        }
    }

    /// On abort (the cancel flag is set): reject now if the compile has not started.
    fn abort(&self, env: &Env) {
        // Taken under the lock `start` takes, so a compile is either aborted while queued or
        // started (and then stopped by the flag), never both.
        let queued = {
            let mut state = lock(&self.state);
            match std::mem::replace(&mut *state, State::Settled) {
                State::Queued(deferred) => Some(deferred),
                other => {
                    *state = other;
                    None
                }
            }
        };
        if let Some(deferred) = queued {
            self.finish(env, deferred, Compiled::Aborted);
        }
    }

    /// Moves the compile from the queue to its thread, unless it was settled (aborted) first.
    fn start(&self) -> bool {
        let mut state = lock(&self.state);
        match std::mem::replace(&mut *state, State::Settled) {
            State::Queued(deferred) => {
                *state = State::Running(deferred);
                true
            }
            State::Running(_) | State::Settled => false,
        }
    }

    /// Node's rejection for an abort: an `Error` named `AbortError` with the code `ABORT_ERR`
    /// and the signal's reason (if it has one) as its `cause`, as an aborted `fs.readFile`.
    fn aborted<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        let error = JsError::new(ErrorCode::Aborted, "the compile was aborted".to_owned());
        let error = napi::JsError::from(error).into_unknown(Env::from_raw(env.raw()));
        // SAFETY: `napi::JsError::into_unknown` makes an `Error` object.
        let mut object = unsafe { error.cast::<Object>() }?;
        object.set_named_property("name", "AbortError")?;
        let reason = lock(&self.listener)
            .as_ref()
            .and_then(|listener| listener.reason(env))
            .filter(|reason| !matches!(reason.get_type(), Ok(ValueType::Undefined)));
        if let Some(reason) = reason {
            object.set_named_property("cause", reason)?;
        }
        Ok(error)
    }

    /// Removes the signal's listener, once (on the JS thread).
    fn unlisten(&self, env: &Env) {
        let listener = lock(&self.listener).take();
        if let Some(listener) = listener {
            listener.remove(env);
        }
    }
}

/// `error` as a JS error carrying its `code`, as the sync constructor throws it.
fn coded(env: &Env, error: JsError) -> napi::Error {
    napi::Error::from(napi::JsError::from(error).into_unknown(Env::from_raw(env.raw())))
}

/// One compile on the pool.
struct CompileTask {
    request: Option<Request>,
    compile: Arc<Compile>,
}

impl<'task> ScopedTask<'task> for CompileTask {
    type Output = Option<Compiled>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let Some(request) = self.request.take() else {
            return Ok(None);
        };
        if !self.compile.start() {
            return Ok(None);
        }
        let budget = Budget::new(request.timeout_ms, Arc::clone(&self.compile.cancel));
        // A panic must not unwind into libuv's C callback (see task.rs).
        let compiled = std::panic::catch_unwind(|| {
            sandbox::cache::program(request.wasm, request.cache_dir, &budget)
        });
        Ok(Some(match compiled {
            Ok(Ok(program)) => Compiled::Program(program),
            Ok(Err(SandboxError::Stopped(LimitExceeded::Cancelled))) => Compiled::Aborted,
            Ok(Err(error)) => Compiled::Refused(error.into()),
            Err(_) => Compiled::Refused(JsError::new(
                ErrorCode::Internal,
                "the engine panicked during the compile".to_owned(),
            )),
        }))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<()> {
        if let Some(compiled) = output {
            self.compile.settle(env, compiled);
        }
        Ok(())
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        self.compile.unlisten(&env);
        Ok(())
    }
}
